// FAULT (heavy): the scaled-out layout — its own Temporal dev server, a Postgres store, an API-only process
// (WEFT_ROLE=api) and two `npm run worker` processes. The worker running the pipeline is SIGKILLed mid-run; the other
// one takes the activity over from the checkpoint and every row lands exactly once.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Integration, PublishResult, RunDetail, type WorkspaceRecord, UploadedFile } from '../../shared';
import { freePort, startDevServer, type DevServer } from '../../runtime/temporal/dev-server';
import { connectClient, customersGraph } from '../support/temporal-harness';
import { killHard, startWeftProcess, type WeftProcess } from './processes';
import { customerRows, customersCsvOf, expectWorkspaceExactlyOnce, FAULT_OWNER, signIn, tempDir, waitFor } from './support';
import { admin, ADMIN_URL } from '../support/pg-admin';


describe('a scaled-out Weft with a worker killed mid-run', () => {
  const database = `weft_faults_${randomBytes(6).toString('hex')}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  let dir: { path: string; remove(): Promise<void> };
  let temporal: DevServer;
  const processes: WeftProcess[] = [];

  beforeAll(async () => {
    await admin(ADMIN_URL, `CREATE DATABASE ${database}`);
    dir = await tempDir('weft-scaled-');
    temporal = await startDevServer({ startTimeoutMs: 90_000 });
  });
  afterAll(async () => {
    for (const p of processes) await killHard(p);
    await temporal?.stop();
    await admin(ADMIN_URL, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await dir?.remove();
  });

  it('finishes the run on the surviving worker, every row once', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const shared = {
      TEMPORAL_ADDRESS: temporal.address,
      DATABASE_URL: databaseUrl,
      WEFT_DATA_DIR: join(dir.path, 'data'),
      WEFT_SECRET_KEY: randomBytes(32).toString('base64'),
      WEFT_TASK_QUEUE: `scaled-${randomBytes(4).toString('hex')}`,
      ...FAULT_OWNER,
    };
    const apiProcess = await startWeftProcess('runtime/main.ts', { ...shared, WEFT_ROLE: 'api', PORT: String(port), WEFT_SEED: 'false' }, 'Weft is ready at');
    processes.push(apiProcess);
    expect(apiProcess.output()).toContain('(API only: runs need `npm run worker` processes)');
    const workerEnv = { ...shared, WEFT_BATCH_SIZE: '20', WEFT_BATCH_DELAY_MS: '150' };
    const workers = [await startWeftProcess('runtime/worker-main.ts', workerEnv, '[worker] ready'), await startWeftProcess('runtime/worker-main.ts', workerEnv, '[worker] ready')];
    processes.push(...workers);

    const cookie = await signIn(base);
    const call = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${base}${path}`, { ...init, headers: { ...(init?.headers as Record<string, string> | undefined), cookie } });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<unknown>;
    };
    const json = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const N = 600;
    const file = UploadedFile.parse(await call('/api/files?name=customers.csv', { method: 'POST', body: customersCsvOf(customerRows(N)), headers: { 'content-type': 'text/csv' } }));
    const object = 'scaled_customers';
    const integration = Integration.parse(await call('/api/integrations', json({ name: 'Scaled out', graph: customersGraph({ fileId: file.id, object }) })));
    PublishResult.parse(await call(`/api/integrations/${integration.id}/publish`, json({})));
    const { runId, workflowId } = (await call(`/api/integrations/${integration.id}/runs`, json({}))) as { runId: string; workflowId: string };

    // The worker that holds the pipeline activity, by its identity (pid@host).
    const { client, close } = await connectClient(temporal.address);
    try {
      const holder = await waitFor('the pipeline activity to be running', async () => {
        const run = RunDetail.parse(await call(`/api/runs/${runId}`));
        if (run.counts.written < 60) return null;
        const d = await client.workflow.getHandle(workflowId).describe();
        const identity = d.raw.pendingActivities?.[0]?.lastWorkerIdentity;
        const pid = identity ? Number(identity.split('@')[0]) : NaN;
        return workers.find((w) => w.child.pid === pid) ?? null;
      });
      await killHard(holder);
      const survivor = workers.find((w) => w !== holder)!;

      const run = await waitFor(
        'the run to finish',
        async () => {
          const r = RunDetail.parse(await call(`/api/runs/${runId}`));
          return ['completed', 'completed_with_errors', 'failed'].includes(r.status) ? r : null;
        },
        120_000,
      );
      expect(run.status).toBe('completed');
      expect(run.counts).toEqual({ read: N, written: N, created: N, updated: 0, unchanged: 0, rejected: 0 });
      expect(survivor.output()).toMatch(/Resuming pipeline[\s\S]*batch: [1-9]/);
      const [tally] = await admin(databaseUrl, `SELECT count(*)::int AS records, count(DISTINCT key)::int AS keys, max(write_count) AS max FROM workspace_records WHERE object_name = '${object}'`);
      expect(tally).toEqual({ records: N, keys: N, max: 1 });
      const records = (await call(`/api/workspace/objects/${object}/records?limit=500`)) as { items: WorkspaceRecord[]; total: number };
      const rest = (await call(`/api/workspace/objects/${object}/records?limit=500&offset=500`)) as { items: WorkspaceRecord[] };
      expect(records.total).toBe(N);
      expectWorkspaceExactlyOnce([...records.items, ...rest.items], N);
    } finally {
      await close();
    }
  }, 300_000);
});
