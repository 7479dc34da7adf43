// A real S3-protocol server for tests: moto's server mode (PyPI `moto[server]`, installed into .venv/moto by
// test/tools/ensure-tools.ts), started on a free port and stopped by the test that started it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { PROJECT_ROOT } from '../../runtime/project-root';
import type { S3Settings } from '../../runtime/files/storage';
import { freePort } from '../../runtime/temporal/dev-server';

export const MOTO_VERSION = '5.2.6';

/** `WEFT_MOTO_SERVER`, else the project's .venv/moto/bin/moto_server; null when neither exists. */
export function motoServerPath(): string | null {
  const candidates = [process.env.WEFT_MOTO_SERVER, join(PROJECT_ROOT, '.venv/moto/bin/moto_server')].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(p)) ?? null;
}

export interface Moto {
  endpoint: string;
  /** Client settings for this server (path style, fixed test credentials). */
  settings: S3Settings;
  /** The environment a Weft process needs to use this server. */
  env: Record<string, string>;
  client: S3Client;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
  pid: number;
}

export async function startMoto(): Promise<Moto> {
  const bin = motoServerPath();
  if (!bin) throw new Error(`moto_server is missing: run "npx tsx test/tools/ensure-tools.ts" (it installs moto[server]==${MOTO_VERSION} into .venv/moto) or set WEFT_MOTO_SERVER`);
  const port = await freePort();
  const child: ChildProcess = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' } });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}`);
    const up = await fetch(`${endpoint}/moto-api/`).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${endpoint} within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const credentials = { accessKeyId: 'weft-test', secretAccessKey: 'weft-test-secret' };
  const settings: S3Settings = { endpoint, region: 'us-east-1', forcePathStyle: true, credentials };
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  return {
    endpoint,
    settings,
    env: { WEFT_S3_ENDPOINT: endpoint, WEFT_S3_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    client,
    pid: child.pid ?? 0,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async stop() {
      client.destroy();
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
