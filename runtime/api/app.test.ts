// API tests through app.request(): no server, a real (in-memory PGlite) store, bad inputs included.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fixture from '../../test/fixtures/graphs/csv-map-workspace.json';
import { withFilePreview } from '../../shared/graph/kinds/file-source';
import { ApiError, Integration, IntegrationSummary, PublishResult, RunDetail, UploadedFile, type Graph } from '../../shared';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { asOwner } from '../../test/support/signed-in';
import { createApi } from './app';
import type { RunLauncher } from './deps';
import { testConnections } from '../../test/support/connections';

let store: Store;
let dir: string;
let app: ReturnType<typeof createApi>;
const started: { runId: string; versionId: string }[] = [];
let launcherDown = false;
const launcher: RunLauncher = {
  async start(input) {
    if (launcherDown) throw new Error('connect ECONNREFUSED 127.0.0.1:7233');
    started.push(input);
    return { workflowId: `run-${input.runId}` };
  },
};

const CSV = 'Email,Full Name,Plan,MRR,Signed Up,Active\na@x.io,Ann,Pro,10,2026-01-02,true\nb@x.io,Bob,Free,0,2026-01-03,false\n';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-api-'));
  store = await openStore({ dataDir: dir, memory: true });
  await store.migrate();
  app = createApi({ store, launcher, filesDir: join(dir, 'files'), maxUploadBytes: 4096, connections: testConnections(store, { filesDir: join(dir, 'files') }), temporalHealth: async () => true });
  app = await asOwner(app, store);
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const post = (path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  app.request(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers });
const put = (path: string, body: unknown) => app.request(path, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
const upload = (name: string, body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = { 'content-type': 'text/csv' }) =>
  app.request(`/api/files?name=${encodeURIComponent(name)}`, { method: 'POST', body, headers });

async function errorOf(res: Response) {
  return ApiError.parse(await res.json()).error;
}

async function uploadCsv(): Promise<UploadedFile> {
  const res = await upload('customers.csv', CSV);
  expect(res.status).toBe(201);
  return UploadedFile.parse(await res.json());
}

async function createFromFixture(fileId: string) {
  const graph = structuredClone(fixture) as Graph;
  // A new file id changes the preview stamp's hash: stamp it again, as loading the preview would.
  graph.nodes[0]!.config = withFilePreview({ ...graph.nodes[0]!.config, fileId });
  const res = await post('/api/integrations', { name: 'Customers', graph });
  expect(res.status).toBe(201);
  return Integration.parse(await res.json());
}

describe('system', () => {
  it('reports health', async () => {
    const res = await app.request('/api/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, store: 'pglite', temporal: 'up' });
  });

  it('serves an OpenAPI document naming every route', async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/health',
        '/api/integrations',
        '/api/integrations/{id}',
        '/api/integrations/{id}/publish',
        '/api/integrations/{id}/runs',
        '/api/runs/{id}',
        '/api/runs/{id}/events',
        '/api/runs/{id}/rejected',
        '/api/files',
        '/api/workspace/objects',
        '/api/workspace/objects/{name}/records',
      ]),
    );
  });

  it('answers an unknown endpoint with a JSON 404', async () => {
    const res = await app.request('/api/nope');
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe('not_found');
  });
});

describe('integrations', () => {
  it('creates, reads, lists, updates and deletes', async () => {
    const res = await post('/api/integrations', { name: 'Empty', graph: { version: 1, nodes: [], edges: [] } });
    expect(res.status).toBe(201);
    const created = Integration.parse(await res.json());
    expect(created).toMatchObject({ name: 'Empty', description: '', publishedVersionId: null });

    const list = IntegrationSummary.array().parse(await (await app.request('/api/integrations')).json());
    expect(list.map((i) => i.id)).toContain(created.id);

    const renamed = await put(`/api/integrations/${created.id}`, { name: 'Renamed' });
    expect(Integration.parse(await renamed.json()).name).toBe('Renamed');

    expect((await app.request(`/api/integrations/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await app.request(`/api/integrations/${created.id}`)).status).toBe(404);
  });

  it('keeps the description when only the name or the graph is saved, and refuses a bad one naming the field', async () => {
    const created = Integration.parse(await (await post('/api/integrations', { name: 'Described', description: 'Orders from the shop', graph: { version: 1, nodes: [], edges: [] } })).json());
    // The designer's Save sends name and graph only: the description stays.
    const saved = Integration.parse(await (await put(`/api/integrations/${created.id}`, { name: 'Described', graph: { version: 1, nodes: [], edges: [] } })).json());
    expect(saved.description).toBe('Orders from the shop');
    const edited = Integration.parse(await (await put(`/api/integrations/${created.id}`, { description: '__proto__ "quoted" <b>' })).json());
    expect(edited).toMatchObject({ name: 'Described', description: '__proto__ "quoted" <b>' });
    for (const bad of ['a\u0000b', 'x'.repeat(2001), 42]) {
      const res = await put(`/api/integrations/${created.id}`, { description: bad });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).issues?.map((i) => i.path)).toEqual(['description']);
    }
  });

  it('rejects an invalid graph, naming the bad fields', async () => {
    const res = await post('/api/integrations', { name: '', graph: { version: 1, nodes: [{ id: 'a', kind: 'map' }], edges: 'x' } });
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.code).toBe('invalid_request');
    expect(err.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(['name', 'graph.nodes.0.position', 'graph.edges']));
  });

  it('rejects malformed JSON', async () => {
    const res = await post('/api/integrations', '{"name": ');
    expect(res.status).toBe(400);
  });

  it('answers unknown ids with 404 everywhere', async () => {
    for (const path of ['/api/integrations/missing', '/api/runs/missing', '/api/runs/missing/rejected', '/api/integrations/missing/runs', '/api/workspace/objects/missing']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect((await errorOf(res)).message).toMatch(/was not found/);
    }
    expect((await put('/api/integrations/missing', { name: 'x' })).status).toBe(404);
    expect((await post('/api/integrations/missing/publish', {})).status).toBe(404);
    expect((await post('/api/integrations/missing/runs', {})).status).toBe(404);
  });

  it('refuses to publish a graph with errors and returns the diagnostics', async () => {
    const graph = structuredClone(fixture) as Graph;
    graph.edges = graph.edges.filter((e) => e.id !== 'e3');
    const created = Integration.parse(await (await post('/api/integrations', { name: 'Broken', graph })).json());
    const res = await post(`/api/integrations/${created.id}/publish`, {});
    expect(res.status).toBe(422);
    const err = await errorOf(res);
    expect(err.code).toBe('compile_failed');
    expect(err.diagnostics?.map((d) => `${d.nodeId}:${d.code}`)).toEqual(expect.arrayContaining(['filter:unconnected-output', 'target:unconnected-input']));
  });

  it('compiles a graph on request without saving it', async () => {
    const file = await uploadCsv();
    const graph = structuredClone(fixture) as Graph;
    graph.nodes[0]!.config = withFilePreview({ ...graph.nodes[0]!.config, fileId: file.id });
    const res = await post('/api/compile', { graph });
    const body = (await res.json()) as { ok: boolean; diagnostics: unknown[] };
    expect(body).toMatchObject({ ok: true, diagnostics: [] });
    // The fixture's own file id was never uploaded here (probe18: it published, and every run failed).
    const lost = (await (await post('/api/compile', { graph: fixture })).json()) as { ok: boolean; diagnostics: unknown[] };
    expect(lost).toMatchObject({ ok: false, diagnostics: [expect.objectContaining({ code: 'unknown-file', nodeId: 'source', path: 'fileId' })] });
  });
});

describe('publish and runs', () => {
  it('publishes, reuses an unchanged version, and starts runs of it', async () => {
    const file = await uploadCsv();
    const integration = await createFromFixture(file.id);

    const notYet = await post(`/api/integrations/${integration.id}/runs`, {});
    expect(notYet.status).toBe(409);
    expect((await errorOf(notYet)).message).toBe('Publish the integration before running it');

    const first = PublishResult.parse(await (await post(`/api/integrations/${integration.id}/publish`, {})).json());
    expect(first.version.number).toBe(1);
    expect(first.version.plan.pipelines).toHaveLength(1);
    const again = PublishResult.parse(await (await post(`/api/integrations/${integration.id}/publish`, {})).json());
    expect(again.version.id).toBe(first.version.id);

    const res = await app.request(`/api/integrations/${integration.id}/runs`, { method: 'POST' });
    expect(res.status).toBe(202);
    const { runId, workflowId } = (await res.json()) as { runId: string; workflowId: string };
    expect(workflowId).toBe(`run-${runId}`);
    expect(started.at(-1)).toEqual({ runId, versionId: first.version.id });

    const run = RunDetail.parse(await (await app.request(`/api/runs/${runId}`)).json());
    // Signed in with an API token (asOwner): a run started through the API says API, not Manual (#13).
    expect(run).toMatchObject({ integrationId: integration.id, versionNumber: 1, trigger: 'api', startedBy: 'token:tests-owner', integrationName: 'Customers' });
    expect(run.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ['source', 'pending'],
      ['map', 'pending'],
      ['filter', 'pending'],
      ['target', 'pending'],
    ]);

    const runs = (await (await app.request(`/api/integrations/${integration.id}/runs?limit=10`)).json()) as { items: { id: string }[]; total: number };
    expect(runs.total).toBe(1);
    expect(runs.items[0]?.id).toBe(runId);

    const badParams = await post(`/api/integrations/${integration.id}/runs`, { params: 'nope' });
    expect(badParams.status).toBe(400);
    expect((await errorOf(badParams)).issues?.[0]?.path).toBe('params');

    const badPaging = await app.request(`/api/integrations/${integration.id}/runs?limit=0`);
    expect(badPaging.status).toBe(400);

    const busy = await app.request(`/api/integrations/${integration.id}`, { method: 'DELETE' });
    expect(busy.status).toBe(409);
    expect((await errorOf(busy)).code).toBe('run_in_progress');
  });

  it('refuses to delete an integration with a run in progress however many runs ended after it (review13b)', async () => {
    const file = await uploadCsv();
    const integration = await createFromFixture(file.id);
    expect((await post(`/api/integrations/${integration.id}/publish`, {})).status).toBe(200);
    const long = (await (await post(`/api/integrations/${integration.id}/runs`, {})).json()) as { runId: string };
    // Runs overlap (a webhook, a person, the schedule): twenty-one quick ones start and end while the long one runs.
    for (let i = 0; i < 21; i++) {
      const quick = (await (await post(`/api/integrations/${integration.id}/runs`, {})).json()) as { runId: string };
      await store.finishRun(quick.runId, 'completed', null);
    }
    expect((await store.getRunState(long.runId))?.status).toBe('queued');
    const busy = await app.request(`/api/integrations/${integration.id}`, { method: 'DELETE' });
    expect(busy.status).toBe(409);
    expect((await errorOf(busy)).code).toBe('run_in_progress');
  });

  it('says so when Temporal is unreachable, and records the run as failed', async () => {
    const file = await uploadCsv();
    const integration = await createFromFixture(file.id);
    await post(`/api/integrations/${integration.id}/publish`, {});
    launcherDown = true;
    try {
      const res = await post(`/api/integrations/${integration.id}/runs`, {});
      expect(res.status).toBe(503);
      expect((await errorOf(res)).message).toMatch(/execution engine did not answer.*ECONNREFUSED/);
      const runs = (await (await app.request(`/api/integrations/${integration.id}/runs`)).json()) as { items: { status: string; error: string }[] };
      expect(runs.items[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/Could not start the run/) });
    } finally {
      launcherDown = false;
    }
  });
});

describe('files', () => {
  it('detects the header, delimiter and column types of an upload', async () => {
    const file = await uploadCsv();
    expect(file).toMatchObject({ name: 'customers.csv', size: CSV.length, delimiter: ',', format: 'csv', compression: 'none' });
    expect(file.columns).toEqual([
      { name: 'Email', type: 'text' },
      { name: 'Full Name', type: 'text' },
      { name: 'Plan', type: 'text' },
      { name: 'MRR', type: 'number' },
      { name: 'Signed Up', type: 'date' },
      { name: 'Active', type: 'boolean' },
    ]);
    expect(file.sampleRows[0]).toMatchObject({ Email: 'a@x.io', MRR: '10' });
    const meta = UploadedFile.parse(await (await app.request(`/api/files/${file.id}`)).json());
    expect(meta).toEqual(file);
    expect(JSON.stringify(meta)).not.toContain(dir);
  });

  it('refuses an oversized upload with 413 and keeps nothing on disk', async () => {
    const before = await readdir(join(dir, 'files')).catch(() => []);
    const big = `a,b\n${'1,2\n'.repeat(2000)}`;
    const res = await upload('big.csv', big, { 'content-type': 'text/csv', 'content-length': String(big.length) });
    expect(res.status).toBe(413);
    const err = await errorOf(res);
    expect(err.code).toBe('file_too_large');
    expect(err.message).toBe('"big.csv" is 7.8 KB; the upload limit is 4 KB');
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 8; i++) c.enqueue(new TextEncoder().encode(big.slice(i * 1000, (i + 1) * 1000)));
        c.close();
      },
    });
    const streamed = await app.request('/api/files?name=big.csv', { method: 'POST', body: stream, headers: { 'content-type': 'text/csv' }, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await errorOf(streamed)).message).toBe('"big.csv" is larger than the 4 KB upload limit');
    expect(await readdir(join(dir, 'files'))).toEqual(before);
  });

  it('refuses empty, binary and multipart uploads and a missing name', async () => {
    expect((await errorOf(await upload('empty.csv', ''))).message).toMatch(/empty/);
    const binary = await upload('photo.csv', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]));
    expect(binary.status).toBe(400);
    expect((await errorOf(binary)).message).toMatch(/^Could not read "photo.csv": This file is not a text file/);
    const multipart = await upload('x.csv', 'a,b\n1,2\n', { 'content-type': 'multipart/form-data; boundary=x' });
    expect(multipart.status).toBe(415);
    const noName = await app.request('/api/files', { method: 'POST', body: 'a\n1\n' });
    expect(noName.status).toBe(400);
    expect((await errorOf(noName)).issues?.[0]?.path).toBe('name');
  });
});

describe('file formats', () => {
  it('sniffs a JSON upload, finding the records under a path and flattening nested fields', async () => {
    const body = JSON.stringify({ meta: { page: 1 }, data: { items: [{ id: 1, address: { city: 'Oslo' }, tags: ['a'] }, { id: 2, address: { city: 'Rome' }, tags: [] }] } });
    const res = await upload('people.json', body, { 'content-type': 'application/json' });
    expect(res.status).toBe(201);
    const file = UploadedFile.parse(await res.json());
    expect(file).toMatchObject({ format: 'json', compression: 'none', recordsPath: 'data.items' });
    expect(file.columns).toEqual([
      { name: 'id', type: 'number' },
      { name: 'address.city', type: 'text' },
      { name: 'tags', type: 'text' },
    ]);
    expect(file.sampleRows[0]).toEqual({ id: '1', 'address.city': 'Oslo', tags: '["a"]' });
    expect(UploadedFile.parse(await (await app.request(`/api/files/${file.id}`)).json())).toEqual(file);
  });

  it('sniffs a gzipped NDJSON upload', async () => {
    const body = gzipSync(['{"email":"a@x.io","n":1}', '{"email":"b@x.io","n":2}'].join('\n'));
    const res = await upload('events.ndjson.gz', new Uint8Array(body), { 'content-type': 'application/gzip' });
    expect(res.status).toBe(201);
    const file = UploadedFile.parse(await res.json());
    expect(file).toMatchObject({ name: 'events.ndjson.gz', format: 'ndjson', compression: 'gzip' });
    expect(file.columns).toEqual([
      { name: 'email', type: 'text' },
      { name: 'n', type: 'number' },
    ]);
  });

  it('explains JSON and NDJSON it cannot use', async () => {
    const noArray = await upload('x.json', JSON.stringify({ meta: { n: 1 }, list: [1, 2] }), { 'content-type': 'application/json' });
    expect(noArray.status).toBe(400);
    expect((await errorOf(noArray)).message).toBe('Could not read "x.json": The JSON has no array of records; looked at the top level, meta, list');
    const badLine = await upload('x.ndjson', '{"a":1\n', { 'content-type': 'application/x-ndjson' });
    expect((await errorOf(badLine)).message).toMatch(/^Could not read "x.ndjson": Line 1 is not valid JSON: /);
  });
});

describe('workspace', () => {
  it('lists objects (none yet) and 404s an unknown one', async () => {
    const res = await app.request('/api/workspace/objects');
    expect(res.status).toBe(200);
    expect(Array.isArray(await res.json())).toBe(true);
    expect((await app.request('/api/workspace/objects/ghosts/records')).status).toBe(404);
  });
});

describe('health when Temporal hangs', () => {
  it('answers 503 within its deadline, saying why', async () => {
    const hung = createApi({
      store,
      launcher,
      filesDir: join(dir, 'files'),
      maxUploadBytes: 4096,
      connections: testConnections(store, { filesDir: join(dir, 'files') }),
      temporalHealthDeadlineMs: 300,
      temporalHealth: () => new Promise<boolean>(() => {}),
    });
    const started = Date.now();
    const res = await hung.request('/api/health');
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ok: false, store: 'pglite', temporal: 'down', message: 'Temporal did not answer within 0.3 s.' });
  });
});
