import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { devServerEnv, dynamicConfigArgs, freePort, resolveTemporalCli, startDevServer } from './dev-server';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-dev-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the dev server settings', () => {
  const values = (args: string[]) => args.filter((_, i) => i % 2 === 1);

  it("has Weft's dynamic config, one value per key, each after --dynamic-config-value", () => {
    const args = dynamicConfigArgs(undefined);
    expect(args.filter((_, i) => i % 2 === 0).every((a) => a === '--dynamic-config-value')).toBe(true);
    expect(values(args)).toEqual(expect.arrayContaining(['system.enableEagerWorkflowStart=true', 'worker.enableBatcher=false', 'worker.scannerEnabled=false', 'worker.historyScannerEnabled=false']));
  });

  it('lets WEFT_TEMPORAL_DYNAMIC_CONFIG add settings and win key by key', () => {
    const v = values(dynamicConfigArgs('worker.enableBatcher=true, limit.maxIDLength=500 worker.enableBatcher=false worker.enableBatcher=true'));
    expect(v.filter((kv) => kv.startsWith('worker.enableBatcher='))).toEqual(['worker.enableBatcher=true']);
    expect(v).toContain('limit.maxIDLength=500');
  });

  it('refuses, by the setting\'s name, what is not key=value in printable ASCII', () => {
    for (const bad of ['=1', 'a=', 'a;b=1', 'a=\u0000', 'a=é', 'a-b=1', '--port=1', `x=${'\u200b'}`, 'x'.repeat(100_000)]) {
      expect(() => dynamicConfigArgs(`worker.enableBatcher=true ${bad}`)).toThrow(/^WEFT_TEMPORAL_DYNAMIC_CONFIG: .* is not key=value/);
    }
    // Quoted at most 40 characters, control characters escaped.
    expect(() => dynamicConfigArgs('a=\u0000')).toThrow('"a=\\u0000"');
    expect(() => dynamicConfigArgs('y'.repeat(100_000))).toThrow(/"y{40}…"/);
    // Separators alone are no setting.
    expect(values(dynamicConfigArgs(' , ,\n'))).toEqual(values(dynamicConfigArgs(undefined)));
    // `__proto__` is only a key name here (a Map), not a way into an object's prototype.
    expect(values(dynamicConfigArgs('__proto__=1'))).toContain('__proto__=1');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('runs the Go collector at GOGC=50 unless the user set GOGC; GOMEMLIMIT passes through', () => {
    expect(devServerEnv({ PATH: '/bin' })).toEqual({ PATH: '/bin', GOGC: '50' });
    expect(devServerEnv({ GOGC: '100' }).GOGC).toBe('100');
    expect(devServerEnv({ GOGC: 'off', GOMEMLIMIT: '200MiB' })).toEqual({ GOGC: 'off', GOMEMLIMIT: '200MiB' });
    expect(devServerEnv({ GOMEMLIMIT: 'off' }).GOMEMLIMIT).toBe('off');
    expect(devServerEnv({ GOMEMLIMIT: '9223372036854775807' }).GOMEMLIMIT).toBe('9223372036854775807');
    expect(devServerEnv({ GOMEMLIMIT: '8388607TiB' }).GOMEMLIMIT).toBe('8388607TiB');
    // Empty is unset to Go (an env file's empty line); a negative GOGC is Go's "off".
    expect(devServerEnv({ GOGC: '', GOMEMLIMIT: '' })).toEqual({ GOGC: '50' });
    expect(devServerEnv({ GOGC: '-1' }).GOGC).toBe('-1');
  });

  it('refuses a GOGC or GOMEMLIMIT Go would misread or stop on, by name', () => {
    for (const bad of [' 50', '50%', 'abc', '1e3', '--1', '+5', '5.5', '\u0000', '__proto__', '9'.repeat(30)]) {
      expect(() => devServerEnv({ GOGC: bad })).toThrow(/^GOGC: /);
    }
    for (const bad of [' ', '200M', '200 MiB', '200mib', '-1', '1.5GiB', '\u0000', 'constructor', '9223372036854775808', '8388608TiB', '9'.repeat(100_000)]) {
      expect(() => devServerEnv({ GOMEMLIMIT: bad })).toThrow(/^GOMEMLIMIT: /);
    }
  });
});

describe('freePort', () => {
  // A port from listen(0) lies in the kernel's ephemeral range: released before its user binds it, the kernel may hand
  // it to any outgoing connection or listen(0) meanwhile (the dev server's own internal services took a UI port that
  // way: "bind: address already in use" in a CI run). Ports are chosen below that range, never twice.
  it('hands out distinct, bindable ports below the kernel\'s ephemeral range', async () => {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const ports: number[] = [];
    for (let i = 0; i < 40; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    for (const p of ports) expect(p).toBeLessThan(Math.min(low, 32768));
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(ports[0], '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('startDevServer', () => {
  it('starts a persistent server that answers, and stops its process group', async () => {
    const server = await startDevServer({ dbFile: join(dir, 'data', 'temporal.db') });
    try {
      const connection = await Connection.connect({ address: server.address });
      const ns = await connection.workflowService.describeNamespace({ namespace: 'default' });
      expect(ns.namespaceInfo?.name).toBe('default');
      await connection.close();
      const ui = await fetch(`http://${server.uiAddress}/`);
      expect(ui.status).toBe(200);
      // Issue 16, footprint: the Go collector at 50% growth and the unused background workers off.
      const environ = (await readFile(`/proc/${server.pid}/environ`, 'utf8')).split('\0');
      expect(environ).toContain(process.env.GOGC === undefined ? 'GOGC=50' : `GOGC=${process.env.GOGC}`);
      expect(server.argv).toContain('worker.enableBatcher=false');
      expect(server.argv).toContain('worker.taskQueueScannerEnabled=false');
    } finally {
      await server.stop();
    }
    expect(alive(server.pid)).toBe(false);
    await server.stop(); // twice is fine
  });

  it('reports a server that dies while starting, with the end of its output', async () => {
    const notAFile = join(dir, 'a-directory.db');
    await mkdir(notAFile);
    await expect(startDevServer({ dbFile: notAFile })).rejects.toThrow(/The Temporal dev server exited with code 1\.\n[\s\S]*unable to open database file/);
  });

  it('refuses a port that is already taken', async () => {
    const port = Number(inject('temporalAddress').split(':')[1]);
    await expect(startDevServer({ port })).rejects.toThrow(`its gRPC port 127.0.0.1:${port} is already in use`);
  });

  it('says so when TEMPORAL_CLI_PATH points nowhere', async () => {
    const saved = process.env.TEMPORAL_CLI_PATH;
    process.env.TEMPORAL_CLI_PATH = join(dir, 'no-such-temporal');
    try {
      await expect(resolveTemporalCli()).rejects.toThrow(/TEMPORAL_CLI_PATH is set to .*no-such-temporal, but there is no executable there/);
    } finally {
      if (saved === undefined) delete process.env.TEMPORAL_CLI_PATH;
      else process.env.TEMPORAL_CLI_PATH = saved;
    }
  });
});
