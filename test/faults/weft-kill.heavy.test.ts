// FAULT: Weft itself is SIGKILLed mid-run (OOM, power). Its embedded dev server stays behind; the next `npm start`
// adopts it instead of refusing the port, and the run finishes with every row written exactly once.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Integration, PublishResult, RunDetail, UploadedFile, type WorkspaceRecord } from '../../shared';
import { freePort } from '../../runtime/temporal/dev-server';
import { readRecord, stopPid } from '../../runtime/temporal/embedded';
import { isAlive } from '../../runtime/temporal/processes';
import { customersGraph } from '../support/temporal-harness';
import { killHard, startWeftProcess, type WeftProcess } from './processes';
import { customerRows, customersCsvOf, expectWorkspaceExactlyOnce, FAULT_OWNER, signIn, tempDir, waitFor } from './support';

describe('Weft killed mid-run', () => {
  let dir: { path: string; remove(): Promise<void> };
  let weft: WeftProcess | undefined;
  let env: Record<string, string>;
  let base: string;

  beforeAll(async () => {
    dir = await tempDir('weft-kill-all-');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      TEMPORAL_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      WEFT_DATA_DIR: join(dir.path, 'data'),
      WEFT_SEED: 'false',
      WEFT_BATCH_SIZE: '20',
      WEFT_BATCH_DELAY_MS: '150',
      ...FAULT_OWNER,
    };
  });
  afterAll(async () => {
    await killHard(weft);
    // Whatever dev server the data folder recorded is ours: stop it.
    const record = dir && (await readRecord(join(dir.path, 'data')));
    if (record && isAlive(record.pid)) await stopPid(record.pid);
    await dir?.remove();
  });

  let cookie = '';
  const api = async <T>(path: string, init?: { method: string; body?: string; type?: string }, parse?: { parse(v: unknown): T }) => {
    cookie ||= await signIn(base);
    const request = () => fetch(`${base}${path}`, init ? { method: init.method, body: init.body, headers: { 'content-type': init.type ?? 'application/json', cookie } } : { headers: { cookie } });
    // A kept-alive connection to the killed process fails once; the next request opens a new one.
    const res = await request().catch(async () => {
      await new Promise((r) => setTimeout(r, 200));
      return request();
    });
    if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
    const body: unknown = await res.json();
    return parse ? parse.parse(body) : (body as T);
  };

  it('restarts with one `npm start`, adopting its dev server, and finishes its run', async () => {
    weft = await startWeftProcess('runtime/main.ts', env, 'Weft is ready at');
    // A first start creates the store's database (a one-shot ~260 MB process, awaited to its exit) before the dev
    // server starts: the two at once were the first start's peak (~500 MB with Weft's own process).
    const first = weft.output();
    expect(first.indexOf("Creating the store's database")).toBeGreaterThanOrEqual(0);
    expect(first.indexOf("Creating the store's database")).toBeLessThan(first.indexOf('Starting the embedded Temporal dev server'));
    const N = 500;
    const file = await api('/api/files?name=customers.csv', { method: 'POST', body: customersCsvOf(customerRows(N)), type: 'text/csv' }, UploadedFile);
    const object = 'killed_weft_customers';
    const integration = await api('/api/integrations', { method: 'POST', body: JSON.stringify({ name: 'Kill Weft', graph: customersGraph({ fileId: file.id, object }) }) }, Integration);
    await api(`/api/integrations/${integration.id}/publish`, { method: 'POST', body: '{}' }, PublishResult);
    const { runId } = await api<{ runId: string }>(`/api/integrations/${integration.id}/runs`, { method: 'POST', body: '{}' });

    await waitFor('100 rows committed', async () => (await api(`/api/runs/${runId}`, undefined, RunDetail)).counts.written >= 100);
    const devServer = await readRecord(env.WEFT_DATA_DIR!);
    await killHard(weft);
    expect(devServer && isAlive(devServer.pid)).toBe(true); // left behind, as after a real crash

    weft = await startWeftProcess('runtime/main.ts', env, 'Weft is ready at');
    expect(weft.output()).toContain(`Adopting the Temporal dev server an earlier Weft left running (pid ${devServer?.pid}`);

    const restarted = weft;
    const run = await waitFor(
      'the run to finish',
      async () => {
        const r = await api(`/api/runs/${runId}`, undefined, RunDetail).catch((err: unknown) => {
          throw new Error(`The restarted Weft does not answer (${String(err)}); exit ${String(restarted.child.exitCode)} ${String(restarted.child.signalCode)}; its output:\n${restarted.output()}`);
        });
        return ['completed', 'completed_with_errors', 'failed'].includes(r.status) ? r : null;
      },
      120_000,
    );
    expect(run.status).toBe('completed');
    expect(run.error).toBeNull();
    expect(run.counts).toEqual({ read: N, written: N, created: N, updated: 0, unchanged: 0, rejected: 0 });
    const records = await api(`/api/workspace/objects/${object}/records?limit=${N}`, undefined, { parse: (v: unknown) => v as { items: WorkspaceRecord[]; total: number } });
    expect(records.total).toBe(N);
    expectWorkspaceExactlyOnce(records.items, N);

    // A clean stop takes the adopted dev server with it and forgets it.
    weft.child.kill('SIGTERM');
    expect(await weft.exited).toBe(0);
    expect(weft.output()).toMatch(/Stopping…\n[\s\S]*Stopped\./);
    expect(devServer && isAlive(devServer.pid), weft.output()).toBe(false);
    expect(await readRecord(env.WEFT_DATA_DIR!)).toBeNull();
  }, 240_000);
});
