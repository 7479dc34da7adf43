// An integration saved before names refused control characters (sched13) keeps working: the designer sends the name
// with every save, so refusing the unchanged name kept its graph from being saved at all (review13b).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyGraph } from '../../shared/graph/version';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { asOwner } from '../../test/support/signed-in';
import { testConnections } from '../../test/support/connections';
import { createApi } from './app';

let store: Store;
let dir: string;
let app: ReturnType<typeof createApi>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-names-'));
  store = await openStore({ dataDir: dir, memory: true });
  await store.migrate();
  const launcher = { start: async () => { throw new Error('no runs here'); } };
  app = createApi({ store, launcher, filesDir: join(dir, 'files'), maxUploadBytes: 4096, connections: testConnections(store, { filesDir: join(dir, 'files') }), temporalHealth: async () => true });
  app = await asOwner(app, store);
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const put = (path: string, body: unknown) => app.request(path, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('an integration whose name has a control character from before', () => {
  it('opens, saves its graph with the name unchanged, refuses a new bad name and takes a clean one', async () => {
    const old = await store.createIntegration({ name: 'Orders\tnightly', description: '', graph: emptyGraph() });
    const opened = await app.request(`/api/integrations/${old.id}`);
    expect(opened.status).toBe(200);
    expect(((await opened.json()) as { name: string }).name).toBe('Orders\tnightly');
    // What the designer sends on Save: the name as loaded, and the graph.
    const saved = await put(`/api/integrations/${old.id}`, { name: 'Orders\tnightly', graph: { ...emptyGraph(), nodes: [] } });
    expect(saved.status).toBe(200);
    const other = await put(`/api/integrations/${old.id}`, { name: 'Orders\nBcc: x@example.net' });
    expect(other.status).toBe(400);
    expect(((await other.json()) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path)).toEqual(['name']);
    const clean = await put(`/api/integrations/${old.id}`, { name: 'Orders nightly' });
    expect(clean.status).toBe(200);
    expect((await store.getIntegration(old.id))?.name).toBe('Orders nightly');
  });
});
