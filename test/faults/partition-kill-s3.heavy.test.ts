// FAULT (heavy, probe16): a partitioned file read from an S3 bucket (moto) by two `npm run worker` processes and an
// API-only process, each with its own data folder (nothing shared on disk). The file is hostile to cuts: a BOM, CRLF
// line ends, quoted values holding CRLFs, quotes and multibyte UTF-8. It is read in 4 parts; a worker holding a
// running part is SIGKILLed mid-partition. The survivor finishes that part from its checkpoint: every record is
// written exactly once (count, distinct keys, write_count 1) and its values are the file's (a checksum of the target
// equal to the file's).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bucketCluster } from '../support/bucket-cluster';
import { Integration, PublishResult, RunDetail, UploadedFile } from '../../shared';
import { freePort } from '../../runtime/temporal/dev-server';
import { connectClient, customersGraph } from '../support/temporal-harness';
import { killHard, startWeftProcess } from './processes';
import { signIn, waitFor } from './support';
import { admin } from '../support/pg-admin';

const N = 8_000;
const PARTS = 4;
const nameOf = (k: number) => `C ${k}\r\nü😀 "q" ${'é'.repeat(k % 7)}`;
const csvCell = (v: string) => `"${v.replace(/"/g, '""')}"`;
function hostileCsv(): string {
  const lines = ['\ufeffEmail,Name,Amount,Active'];
  for (let k = 1; k <= N; k++) lines.push(`c${k}@example.com,${csvCell(nameOf(k))},${k - 1},${k % 2 === 1 ? 'true' : 'false'}`);
  return `${lines.join('\r\n')}\r\n`;
}
const checksum = (rows: { email: string; name: string; amount: string; active: boolean }[]) =>
  createHash('sha256')
    .update(rows.map((r) => `${r.email}\u0001${r.name}\u0001${r.amount}\u0001${r.active}`).sort().join('\u0002'))
    .digest('hex');

describe('a partitioned read from a bucket with a worker killed mid-partition (probe16)', () => {
  const cluster = bucketCluster({ database: 'weft_probe16', bucket: 'weft-kill', dir: 'weft-part-kill-' });

  it('writes every record exactly once, with the file\'s values', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const { databaseUrl, dir, processes, temporal } = cluster;
    const shared = cluster.env('part-kill');
    processes.push(await startWeftProcess('runtime/main.ts', { ...shared, WEFT_DATA_DIR: join(dir.path, 'api'), WEFT_ROLE: 'api', PORT: String(port), WEFT_SEED: 'false' }, 'Weft is ready at'));
    const workerEnv = (k: number) => ({ ...shared, WEFT_DATA_DIR: join(dir.path, `worker${k}`), WEFT_BATCH_SIZE: '100', WEFT_BATCH_DELAY_MS: '100' });
    const workers = [await startWeftProcess('runtime/worker-main.ts', workerEnv(1), '[worker] ready'), await startWeftProcess('runtime/worker-main.ts', workerEnv(2), '[worker] ready')];
    processes.push(...workers);

    const cookie = await signIn(base);
    const call = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${base}${path}`, { ...init, headers: { ...(init?.headers as Record<string, string> | undefined), cookie } });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<unknown>;
    };
    const json = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const csv = hostileCsv();
    const file = UploadedFile.parse(await call('/api/files?name=customers.csv', { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } }));
    expect(file.columns.map((c) => c.name)).toEqual(['Email', 'Name', 'Amount', 'Active']);
    const object = 'part_kill';
    const graph = { ...customersGraph({ fileId: file.id, object }), settings: { parallelism: PARTS } };
    const integration = Integration.parse(await call('/api/integrations', json({ name: 'Parts from a bucket', graph })));
    PublishResult.parse(await call(`/api/integrations/${integration.id}/publish`, json({})));
    const { runId, workflowId } = (await call(`/api/integrations/${integration.id}/runs`, json({}))) as { runId: string; workflowId: string };

    const { client, close } = await connectClient(temporal.address);
    let partsSeen = 0;
    try {
      const holder = await waitFor(
        'a part to be running on a worker with some batches committed',
        async () => {
          const r = RunDetail.parse(await call(`/api/runs/${runId}`));
          if (r.counts.written < 600) return null;
          const d = await client.workflow.getHandle(workflowId).describe();
          const running = (d.raw.pendingActivities ?? []).filter((a) => a.activityType?.name === 'runPipeline' && a.lastWorkerIdentity);
          partsSeen = Math.max(partsSeen, running.length);
          const pids = running.map((a) => Number(a.lastWorkerIdentity!.split('@')[0]));
          return workers.find((w) => pids.includes(w.child.pid ?? NaN)) ?? null;
        },
        180_000,
      );
      await killHard(holder);
    } finally {
      await close();
    }
    const run = await waitFor(
      'the run to finish',
      async () => {
        const r = RunDetail.parse(await call(`/api/runs/${runId}`));
        return ['completed', 'completed_with_errors', 'failed'].includes(r.status) ? r : null;
      },
      240_000,
    );
    expect(run.status, JSON.stringify(run.steps)).toBe('completed');
    expect(partsSeen).toBeGreaterThan(1); // read in parts side by side, not whole
    expect(run.counts).toEqual({ read: N, written: N, created: N, updated: 0, unchanged: 0, rejected: 0 });
    const [tally] = await admin(databaseUrl, `SELECT count(*)::int AS records, count(DISTINCT key)::int AS keys, max(write_count) AS max FROM workspace_records WHERE object_name = '${object}'`);
    expect(tally).toEqual({ records: N, keys: N, max: 1 });
    const stored = await admin(databaseUrl, `SELECT values->>'email' AS email, values->>'name' AS name, values->>'amount' AS amount, (values->>'active')::boolean AS active FROM workspace_records WHERE object_name = '${object}'`);
    const expected = Array.from({ length: N }, (_, i) => ({ email: `c${i + 1}@example.com`, name: nameOf(i + 1), amount: String(i), active: (i + 1) % 2 === 1 }));
    const got = stored as { email: string; name: string; amount: string; active: boolean }[];
    if (checksum(got) !== checksum(expected)) {
      const byEmail = new Map(got.map((r) => [r.email, r]));
      const wrong = expected.filter((e) => JSON.stringify(byEmail.get(e.email)) !== JSON.stringify(e)).slice(0, 3);
      expect(wrong.map((e) => byEmail.get(e.email))).toEqual(wrong);
    }
    expect(checksum(got)).toBe(checksum(expected));
  }, 600_000);
});
