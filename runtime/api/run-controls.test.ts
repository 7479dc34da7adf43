// Run now with a name and parameters, who started it, Run again, Cancel and the history's filters, through
// app.request() on a real (in-memory PGlite) store; the launcher is a recorder (the real engine: test/integration).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fixture from '../../test/fixtures/graphs/csv-map-workspace.json';
import { ApiError, Integration, RunDetail, StartRunResult, UploadedFile, type Graph, type Run } from '../../shared';
import { withFilePreview } from '../../shared/graph/kinds/csv-source';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { withHeaders, tokenFor } from '../../test/support/signed-in';
import { createApi } from './app';
import type { RunLauncher } from './deps';
import { testConnections } from '../../test/support/connections';

let store: Store;
let dir: string;
let app: ReturnType<typeof createApi>;
let person: ReturnType<typeof createApi>;
const started: { runId: string; params?: Record<string, unknown> }[] = [];
const cancelled: string[] = [];
const launcher: RunLauncher = {
  async start(input) {
    started.push(input);
    return { workflowId: `run-${input.runId}` };
  },
  async cancel(workflowId) {
    cancelled.push(workflowId);
    return { running: true };
  },
};

const CSV = 'Email,Full Name,Plan,MRR,Signed Up,Active\na@x.io,Ann,Pro,10,2026-01-02,true\n';
const JSON_TYPE = { 'content-type': 'application/json' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-run-controls-'));
  store = await openStore({ dataDir: dir, memory: true });
  await store.migrate();
  const bare = createApi({ store, launcher, filesDir: join(dir, 'files'), maxUploadBytes: 64 * 1024, connections: testConnections(store, { filesDir: join(dir, 'files') }), passwordCost: 10 });
  // A person signed in with a session (runs they start are Manual, by them) and an API token (runs say API).
  const setup = await bare.request('/api/auth/setup', { method: 'POST', body: JSON.stringify({ email: 'ada@example.com', name: 'Ada Lovelace', password: 'correct horse battery' }), headers: JSON_TYPE });
  expect(setup.status).toBe(201);
  const cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  person = withHeaders(bare, { cookie, origin: 'http://localhost' });
  app = withHeaders(bare, { authorization: `Bearer ${await tokenFor(store, 'owner', 'ci')}` });
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const post = (a: typeof app, path: string, body: unknown) => a.request(path, { method: 'POST', body: JSON.stringify(body), headers: JSON_TYPE });
const errorOf = async (res: Response) => ApiError.parse(await res.json()).error;

async function publishedWithParameters() {
  const up = await app.request('/api/files?name=c.csv', { method: 'POST', body: CSV, headers: { 'content-type': 'text/csv' } });
  const file = UploadedFile.parse(await up.json());
  const graph = structuredClone(fixture) as Graph;
  graph.nodes[0]!.config = withFilePreview({ ...graph.nodes[0]!.config, fileId: file.id });
  graph.parameters = [
    { name: 'since', type: 'date', required: true },
    { name: 'limit', type: 'number', required: false, default: 10 },
  ];
  const created = Integration.parse(await (await post(app, '/api/integrations', { name: 'Customers', graph })).json());
  expect((await post(app, `/api/integrations/${created.id}/publish`, {})).status).toBe(200);
  return { integration: created, file };
}

describe('runs with names and parameters', () => {
  it('answers 400 naming the parameter that is missing or of the wrong type, and records nothing', async () => {
    const { integration } = await publishedWithParameters();
    const missing = await post(person, `/api/integrations/${integration.id}/runs`, { params: {} });
    expect(missing.status).toBe(400);
    expect((await errorOf(missing)).issues).toEqual([{ path: 'params.since', message: 'The parameter "since" is required' }]);
    const wrong = await post(person, `/api/integrations/${integration.id}/runs`, { params: { since: '2024-01-01', limit: 'ten' } });
    expect(wrong.status).toBe(400);
    expect((await errorOf(wrong)).issues).toEqual([{ path: 'params.limit', message: 'The parameter "limit" must be a number, not the text "ten"' }]);
    expect((await store.listRuns(integration.id)).total).toBe(0);
  });

  it('starts a named run by a person (Manual, by name) with the defaults filled in, carried to the workflow', async () => {
    const { integration } = await publishedWithParameters();
    const res = await post(person, `/api/integrations/${integration.id}/runs`, { name: 'March catch-up', params: { since: '2024-03-01' } });
    expect(res.status).toBe(202);
    const { runId } = StartRunResult.parse(await res.json());
    const run = RunDetail.parse(await (await app.request(`/api/runs/${runId}`)).json());
    expect(run).toMatchObject({ name: 'March catch-up', trigger: 'manual', startedBy: 'Ada Lovelace', status: 'queued', params: { since: '2024-03-01', limit: 10 } });
    expect(started.at(-1)).toMatchObject({ runId, params: { since: '2024-03-01', limit: 10 } });
  });

  it('says API for a run started with an API token, and names it when no name is given', async () => {
    const { integration } = await publishedWithParameters();
    const res = await post(app, `/api/integrations/${integration.id}/runs`, { params: { since: '2024-03-01' } });
    const { runId } = StartRunResult.parse(await res.json());
    const run = RunDetail.parse(await (await app.request(`/api/runs/${runId}`)).json());
    expect(run.trigger).toBe('api');
    expect(run.startedBy).toBe('token:ci');
    expect(run.name).toMatch(/^API run, \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2} UTC$/);
  });
});

describe('run again and cancel', () => {
  it('runs again with the same parameters and replaced files, linked to the earlier run', async () => {
    const { integration } = await publishedWithParameters();
    const other = UploadedFile.parse(await (await app.request('/api/files?name=april.csv', { method: 'POST', body: CSV, headers: { 'content-type': 'text/csv' } })).json());
    const first = StartRunResult.parse(await (await post(person, `/api/integrations/${integration.id}/runs`, { name: 'April', params: { since: '2024-04-01', limit: 3 }, files: { source: other.id } })).json());
    const again = await post(person, `/api/runs/${first.runId}/rerun`, {});
    expect(again.status).toBe(202);
    const { runId } = StartRunResult.parse(await again.json());
    const run = RunDetail.parse(await (await app.request(`/api/runs/${runId}`)).json());
    expect(run).toMatchObject({ trigger: 'rerun', rerunOf: first.runId, name: 'Re-run of April', startedBy: 'Ada Lovelace', params: { since: '2024-04-01', limit: 3 } });
    expect(run.files.map((f) => [f.nodeId, f.fileId, f.replaced])).toEqual([['source', other.id, true]]);
  });

  it('cancels a queued or running run through the engine, and refuses one that has ended', async () => {
    const { integration } = await publishedWithParameters();
    const { runId } = StartRunResult.parse(await (await post(person, `/api/integrations/${integration.id}/runs`, { params: { since: '2024-03-01' } })).json());
    const res = await post(person, `/api/runs/${runId}/cancel`, {});
    expect(res.status).toBe(202);
    expect(cancelled.at(-1)).toBe(`run-${runId}`);
    await store.finishRun(runId, 'cancelled', null);
    const again = await post(person, `/api/runs/${runId}/cancel`, {});
    expect(again.status).toBe(409);
    expect((await errorOf(again)).message).toBe('Only a queued or running run can be cancelled; this one is Cancelled');
    expect((await post(person, '/api/runs/run_nope/cancel', {})).status).toBe(404);
  });
});

describe('the history filters', () => {
  it('filters by status and date on the server before paging, and refuses an unknown status', async () => {
    const { integration } = await publishedWithParameters();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(StartRunResult.parse(await (await post(app, `/api/integrations/${integration.id}/runs`, { params: { since: '2024-03-01' } })).json()).runId);
    await store.finishRun(ids[0]!, 'failed', 'x');
    await store.finishRun(ids[1]!, 'cancelled', null);
    const list = async (query: string) => (await (await app.request(`/api/integrations/${integration.id}/runs?${query}`)).json()) as { items: Run[]; total: number };
    expect((await list('status=failed,cancelled&limit=1')).total).toBe(2);
    expect((await list('status=failed,cancelled&limit=1')).items).toHaveLength(1);
    expect((await list('status=queued')).items.map((r) => r.id)).toEqual([ids[2]]);
    expect((await list(`from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).total).toBe(0);
    const bad = await app.request(`/api/integrations/${integration.id}/runs?status=done`);
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toMatch(/Unknown status "done"/);
  });
});
