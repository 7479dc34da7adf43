// FAULT (heavy): webhook requests accepted by an API process (WEFT_ROLE=api, Postgres store, its own Temporal dev
// server), the one `npm run worker` process draining them SIGKILLed mid-drain, a new worker started: the drain
// resumes from the last committed batch and every accepted request's record lands exactly once.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreatedWebhookSecret, Integration, RunDetail, type RunListItem } from '../../shared';
import { signWebhookBody } from '../../runtime/api/webhooks';
import { startDevServer, freePort, type DevServer } from '../../runtime/temporal/dev-server';
import { webhookGraph } from '../support/webhook-fixtures';
import { killHard, startWeftProcess, type WeftProcess } from './processes';
import { FAULT_OWNER, signIn, tempDir, waitFor } from './support';
import { admin, ADMIN_URL } from '../support/pg-admin';

const N = 1_500;

describe('webhook requests drained by a worker that is killed', () => {
  const database = `weft_faults_${randomBytes(6).toString('hex')}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  let dir: { path: string; remove(): Promise<void> };
  let temporal: DevServer;
  const processes: WeftProcess[] = [];

  beforeAll(async () => {
    await admin(ADMIN_URL, `CREATE DATABASE ${database}`);
    dir = await tempDir('weft-hook-kill-');
    temporal = await startDevServer({ startTimeoutMs: 90_000 });
  });
  afterAll(async () => {
    for (const p of processes) await killHard(p);
    await temporal?.stop();
    await admin(ADMIN_URL, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await dir?.remove();
  });

  it('a new worker finishes the drain, every accepted record exactly once', async () => {
    const started = Date.now();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const shared = {
      TEMPORAL_ADDRESS: temporal.address,
      DATABASE_URL: databaseUrl,
      WEFT_DATA_DIR: join(dir.path, 'data'),
      WEFT_SECRET_KEY: randomBytes(32).toString('base64'),
      WEFT_TASK_QUEUE: `hook-kill-${randomBytes(4).toString('hex')}`,
      ...FAULT_OWNER,
    };
    processes.push(await startWeftProcess('runtime/main.ts', { ...shared, WEFT_ROLE: 'api', PORT: String(port), WEFT_SEED: 'false' }, 'Weft is ready at'));
    // Small, slow batches, so the kill lands with some batches committed and more to come.
    const workerEnv = { ...shared, WEFT_BATCH_SIZE: '50', WEFT_BATCH_DELAY_MS: '200' };
    const first = await startWeftProcess('runtime/worker-main.ts', workerEnv, '[worker] ready');
    processes.push(first);

    const cookie = await signIn(base);
    const call = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${base}${path}`, { ...init, headers: { ...(init?.headers as Record<string, string> | undefined), cookie } });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<unknown>;
    };
    const json = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const object = 'hook_kill';
    const integration = Integration.parse(await call('/api/integrations', json({ name: 'Webhook kill', graph: webhookGraph(object) })));
    const { secret, url: hookUrl } = CreatedWebhookSecret.parse(await call(`/api/integrations/${integration.id}/webhook/secret`, json({})));
    await call(`/api/integrations/${integration.id}/publish`, json({}));
    const path = new URL(hookUrl).pathname;

    // Every request answered 202 is a promise: N of them, 20 at a time, while the worker drains.
    const statuses: number[] = [];
    let next = 0;
    const sending = Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < N) {
          const i = next++;
          const body = JSON.stringify({ id: `r${i}`, name: `Record ${i}`, amount: i });
          const ts = Math.floor(Date.now() / 1000);
          const res = await fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-weft-timestamp': String(ts), 'x-weft-signature': signWebhookBody(secret, ts, body) } });
          await res.arrayBuffer();
          statuses.push(res.status);
        }
      }),
    );

    const runsOf = async () => ((await call(`/api/integrations/${integration.id}/runs?limit=100`)) as { items: RunListItem[] }).items;
    // Mid-drain: a run is writing, with batches committed and requests still waiting.
    const draining = await waitFor(
      'a drain run with committed batches',
      async () => {
        for (const r of await runsOf()) {
          if (r.status !== 'running') continue;
          const d = RunDetail.parse(await call(`/api/runs/${r.id}`));
          if (d.counts.written >= 100) return d;
        }
        return null;
      },
      120_000,
    );
    await killHard(first);
    const killedAt = RunDetail.parse(await call(`/api/runs/${draining.id}`)).counts.written;
    expect(killedAt).toBeLessThan(N);
    await sending;
    expect(statuses.length).toBe(N);
    expect(statuses.filter((s) => s !== 202)).toEqual([]);

    const second = await startWeftProcess('runtime/worker-main.ts', workerEnv, '[worker] ready');
    processes.push(second);

    const runs = await waitFor(
      'the queue to empty and every run to end',
      async () => {
        const [depth] = await admin(databaseUrl, `SELECT count(*)::int AS n FROM webhook_requests WHERE integration_id = '${integration.id}'`);
        const all = await runsOf();
        return depth!.n === 0 && all.length > 0 && all.every((r) => ['completed', 'completed_with_errors', 'failed'].includes(r.status)) ? all : null;
      },
      240_000,
    );
    expect(runs.map((r) => r.status).filter((s) => s !== 'completed')).toEqual([]);
    // The killed run was finished by the new worker, from its checkpoint.
    expect(RunDetail.parse(await call(`/api/runs/${draining.id}`)).status).toBe('completed');
    expect(second.output()).toMatch(/Resuming pipeline[\s\S]*batch: [1-9]/);
    expect(runs.length).toBeLessThan(N / 10);

    const [tally] = await admin(databaseUrl, `SELECT count(*)::int AS records, count(DISTINCT key)::int AS keys, max(write_count) AS max FROM workspace_records WHERE object_name = '${object}'`);
    expect(tally).toEqual({ records: N, keys: N, max: 1 });
    const created = runs.reduce((s, r) => s + r.counts.created, 0);
    expect(created).toBe(N);
    const [row] = await admin(databaseUrl, `SELECT "values" AS data FROM workspace_records WHERE object_name = '${object}' AND key = 'r777'`);
    expect(row!.data).toEqual({ id: 'r777', name: 'Record 777', amount: 777 });
    console.log(`[webhook worker kill] ${N} requests, ${runs.length} runs, killed at ${killedAt} written, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 420_000);
});
