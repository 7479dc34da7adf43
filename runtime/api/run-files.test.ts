// Files kept with runs, through app.request(): a run with a replacement file, every bad replacement, the run's
// files on its detail, and downloading the exact bytes. A real (in-memory PGlite) store and real files on disk.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fixture from '../../test/fixtures/graphs/csv-map-workspace.json';
import { ApiError, Integration, PublishResult, RunDetail, RunFileSource, StartRunResult, UploadedFile, type Graph } from '../../shared';
import { withFilePreview } from '../../shared/graph/kinds/file-source';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { asOwner } from '../../test/support/signed-in';
import { createApi } from './app';
import { attachmentHeader } from './files';
import type { RunLauncher } from './deps';
import { testConnections } from '../../test/support/connections';

let store: Store;
let dir: string;
let app: ReturnType<typeof createApi>;
const started: { runId: string; versionId: string }[] = [];
const launcher: RunLauncher = {
  async start(input) {
    started.push(input);
    return { workflowId: `run-${input.runId}` };
  },
};

const CSV = 'Email,Full Name,Plan,MRR,Signed Up,Active\na@x.io,Ann,Pro,10,2026-01-02,true\nb@x.io,Bob,Free,0,2026-01-03,false\n';
// Another format, other column order and an extra field: it still has every column the source reads.
const NDJSON = [
  { Active: true, Email: 'c@x.io', 'Full Name': 'Cy', Plan: 'Pro', MRR: 30, 'Signed Up': '2026-02-01', Notes: 'new' },
  { Active: false, Email: 'd@x.io', 'Full Name': 'Di', Plan: 'Free', MRR: 0, 'Signed Up': '2026-02-02', Notes: '' },
]
  .map((r) => JSON.stringify(r))
  .join('\n');
const LACKING = 'Email,Full Name,Signed Up,Active\ne@x.io,Ed,2026-03-01,true\n';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-run-files-'));
  store = await openStore({ dataDir: dir, memory: true });
  await store.migrate();
  app = createApi({ store, launcher, filesDir: join(dir, 'files'), maxUploadBytes: 64 * 1024, connections: testConnections(store, { filesDir: join(dir, 'files') }), temporalHealth: async () => true });
  app = await asOwner(app, store);
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const post = (path: string, body: unknown) => app.request(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const errorOf = async (res: Response) => ApiError.parse(await res.json()).error;

async function upload(name: string, body: string | Uint8Array<ArrayBuffer>): Promise<UploadedFile> {
  const res = await app.request(`/api/files?name=${encodeURIComponent(name)}`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
  expect(res.status).toBe(201);
  return UploadedFile.parse(await res.json());
}

/** The fixture (file source -> map -> filter -> workspace) reading `fileId`, created and published. */
async function published(fileId: string, name = 'Customers') {
  const graph = structuredClone(fixture) as Graph;
  graph.nodes[0]!.config = withFilePreview({ ...graph.nodes[0]!.config, fileId });
  const created = Integration.parse(await (await post('/api/integrations', { name, graph })).json());
  const res = await post(`/api/integrations/${created.id}/publish`, {});
  expect(res.status).toBe(200);
  return { integration: created, version: PublishResult.parse(await res.json()).version };
}

async function startRun(integrationId: string, body: unknown) {
  return post(`/api/integrations/${integrationId}/runs`, body);
}

async function runCount(integrationId: string): Promise<number> {
  return ((await (await app.request(`/api/integrations/${integrationId}/runs`)).json()) as { total: number }).total;
}

describe('starting a run with files', () => {
  it('records the published file when nothing is replaced', async () => {
    const file = await upload('customers.csv', CSV);
    const { integration } = await published(file.id);
    const res = await startRun(integration.id, {});
    expect(res.status).toBe(202);
    const result = StartRunResult.parse(await res.json());
    expect(result.files).toEqual([
      { nodeId: 'source', nodeLabel: 'Customers CSV', fileId: file.id, name: 'customers.csv', size: file.size, format: 'csv', compression: 'none', replaced: false },
    ]);
    const run = RunDetail.parse(await (await app.request(`/api/runs/${result.runId}`)).json());
    expect(run.files).toEqual(result.files);
  });

  it('replaces a file source’s file for this run only, even in another format', async () => {
    const file = await upload('customers.csv', CSV);
    const replacement = await upload('march.ndjson', NDJSON);
    expect(replacement.format).toBe('ndjson');
    const { integration, version } = await published(file.id);
    const res = await startRun(integration.id, { files: { source: replacement.id } });
    expect(res.status).toBe(202);
    const result = StartRunResult.parse(await res.json());
    expect(started.at(-1)).toEqual({ runId: result.runId, versionId: version.id });
    expect(result.files).toEqual([
      { nodeId: 'source', nodeLabel: 'Customers CSV', fileId: replacement.id, name: 'march.ndjson', size: replacement.size, format: 'ndjson', compression: 'none', replaced: true },
    ]);
    // What the worker reads: the replacement with its own settings.
    const [link] = await store.listRunFiles(result.runId);
    expect(link).toMatchObject({ nodeId: 'source', fileId: replacement.id, replaced: true, file: { format: 'ndjson', name: 'march.ndjson' } });

    // The next run without a replacement reads the published file again.
    const next = StartRunResult.parse(await (await startRun(integration.id, {})).json());
    expect(next.files.map((f) => [f.fileId, f.replaced])).toEqual([[file.id, false]]);
  });

  it('keeps what an old run read when a later version reads another file', async () => {
    const first = await upload('january.csv', CSV);
    const { integration } = await published(first.id, 'Monthly');
    const old = StartRunResult.parse(await (await startRun(integration.id, {})).json());
    const second = await upload('february.csv', CSV.replace('Ann', 'Anna'));
    const graph = structuredClone(integration.graph);
    graph.nodes[0]!.config = withFilePreview({ ...graph.nodes[0]!.config, fileId: second.id });
    expect((await app.request(`/api/integrations/${integration.id}`, { method: 'PUT', body: JSON.stringify({ graph }), headers: { 'content-type': 'application/json' } })).status).toBe(200);
    expect(PublishResult.parse(await (await post(`/api/integrations/${integration.id}/publish`, {})).json()).version.number).toBe(2);
    const fresh = StartRunResult.parse(await (await startRun(integration.id, {})).json());
    expect(fresh.files[0]?.name).toBe('february.csv');
    const oldRun = RunDetail.parse(await (await app.request(`/api/runs/${old.runId}`)).json());
    expect(oldRun.files.map((f) => [f.fileId, f.name])).toEqual([[first.id, 'january.csv']]);
  });

  it('refuses a node the published version does not have, or one that is not a file source', async () => {
    const file = await upload('customers.csv', CSV);
    const { integration } = await published(file.id);
    const before = started.length;

    const ghost = await startRun(integration.id, { files: { ghost: file.id } });
    expect(ghost.status).toBe(422);
    const ghostError = await errorOf(ghost);
    expect(ghostError.code).toBe('unknown_node');
    expect(ghostError.message).toMatch(/no node "ghost".*"Customers CSV" \(source\)/);
    expect(ghostError.issues).toEqual([{ path: 'files.ghost', message: expect.stringContaining('ghost') }]);

    const map = await startRun(integration.id, { files: { map: file.id } });
    expect(map.status).toBe(422);
    expect(await errorOf(map)).toMatchObject({ code: 'not_a_file_source', issues: [{ path: 'files.map' }] });
    expect((await errorOf(await startRun(integration.id, { files: { map: file.id } }))).message).toMatch(/is not a file source/);

    // Nothing was started or recorded.
    expect(started.length).toBe(before);
    expect(await runCount(integration.id)).toBe(0);
  });

  it('refuses a file that does not exist', async () => {
    const file = await upload('customers.csv', CSV);
    const { integration } = await published(file.id);
    const res = await startRun(integration.id, { files: { source: 'file_nope' } });
    expect(res.status).toBe(422);
    const error = await errorOf(res);
    expect(error).toMatchObject({ code: 'file_not_found', issues: [{ path: 'files.source' }] });
    expect(error.message).toMatch(/File "file_nope" for "Customers CSV" was not found/);
    expect(await runCount(integration.id)).toBe(0);
  });

  it('refuses a file that lacks columns the node reads, naming them', async () => {
    const file = await upload('customers.csv', CSV);
    const lacking = await upload('partial.csv', LACKING);
    const { integration } = await published(file.id);
    const res = await startRun(integration.id, { files: { source: lacking.id } });
    expect(res.status).toBe(422);
    const error = await errorOf(res);
    expect(error.code).toBe('missing_columns');
    expect(error.message).toContain('"partial.csv" cannot replace the file of "Customers CSV": it has no columns "Plan", "MRR"');
    expect(error.issues).toEqual([{ path: 'files.source', message: error.message }]);
    expect(await runCount(integration.id)).toBe(0);
  });

  it('names every bad replacement at once', async () => {
    const file = await upload('customers.csv', CSV);
    const lacking = await upload('partial.csv', LACKING);
    const { integration } = await published(file.id);
    const error = await errorOf(await startRun(integration.id, { files: { source: lacking.id, target: file.id } }));
    expect(error.code).toBe('invalid_files');
    expect(error.issues?.map((i) => i.path).sort()).toEqual(['files.source', 'files.target']);
  });

  it('answers 400 for a malformed files object', async () => {
    const file = await upload('customers.csv', CSV);
    const { integration } = await published(file.id);
    const res = await startRun(integration.id, { files: { source: 42 } });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).issues?.[0]?.path).toBe('files.source');
    expect((await startRun(integration.id, { files: ['x'] })).status).toBe(400);
  });
});

describe('the OpenAPI document', () => {
  it('names the new routes and the files a run can be started with', async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/files/{id}/download', '/api/integrations/{id}/file-sources']));
    expect(JSON.stringify(doc.paths['/api/integrations/{id}/runs']?.post?.requestBody)).toContain('files');
  });
});

describe('the file sources a run can replace', () => {
  it('lists the published version’s file sources with their file and the columns a replacement needs', async () => {
    const file = await upload('customers.csv', CSV);
    const { integration } = await published(file.id);
    const res = await app.request(`/api/integrations/${integration.id}/file-sources`);
    expect(res.status).toBe(200);
    expect(RunFileSource.array().parse(await res.json())).toEqual([
      {
        nodeId: 'source',
        nodeLabel: 'Customers CSV',
        columns: ['Email', 'Full Name', 'Plan', 'MRR', 'Signed Up', 'Active'],
        file: { id: file.id, name: 'customers.csv', size: file.size, format: 'csv', compression: 'none' },
      },
    ]);
  });

  it('answers 404 for an unknown integration and 409 before the first publish', async () => {
    expect((await app.request('/api/integrations/int_missing/file-sources')).status).toBe(404);
    const draft = Integration.parse(await (await post('/api/integrations', { name: 'Draft', graph: fixture })).json());
    const res = await app.request(`/api/integrations/${draft.id}/file-sources`);
    expect(res.status).toBe(409);
    expect((await errorOf(res)).message).toBe('Publish the integration before running it');
  });
});

describe('downloading a file', () => {
  it('streams exactly the uploaded bytes under the original name', async () => {
    const bytes = new Uint8Array(gzipSync(Buffer.from(NDJSON)));
    const file = await upload('März export.ndjson.gz', bytes);
    const res = await app.request(`/api/files/${file.id}/download`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(attachmentHeader('März export.ndjson.gz'));
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''M%C3%A4rz%20export.ndjson.gz");
    expect(res.headers.get('content-length')).toBe(String(bytes.byteLength));
    const body = new Uint8Array(await res.arrayBuffer());
    expect(sha256(body)).toBe(sha256(bytes));
    expect(sha256(body)).toBe(file.sha256);
  });

  it('answers 404 for an unknown id, and when the bytes are gone from disk', async () => {
    const unknown = await app.request('/api/files/file_unknown/download');
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).message).toBe('File "file_unknown" was not found');

    const file = await upload('gone.csv', CSV);
    const stored = await store.getFile(file.id);
    await rm(stored!.path);
    const gone = await app.request(`/api/files/${file.id}/download`);
    expect(gone.status).toBe(404);
    expect((await errorOf(gone)).message).toMatch(/"gone.csv" are no longer in the server's file storage/);
  });

  it('gives a safe fallback name for quotes and non-ASCII letters', () => {
    expect(attachmentHeader('a "b".csv')).toBe(`attachment; filename="a _b_.csv"; filename*=UTF-8''a%20%22b%22.csv`);
    expect(attachmentHeader("it's (1).csv")).toBe(`attachment; filename="it's (1).csv"; filename*=UTF-8''it%27s%20%281%29.csv`);
  });
});
