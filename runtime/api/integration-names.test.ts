// An integration saved before names refused control characters (sched13) keeps working: the designer sends the name
// with every save, so refusing the unchanged name kept its graph from being saved at all (review13b).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyGraph } from '../../shared/graph/version';
import { compile } from '../../shared/compiler';
import { customersGraph } from '../../test/support/temporal-harness';
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

// tidy16: connection names had no control-character rule at all; a new one is refused, one from before still saves.
describe('a connection whose name has a control character from before', () => {
  it('saves its settings with the name unchanged, refuses a new bad name on create and rename, and takes a clean one', async () => {
    const post = (body: unknown) => app.request('/api/connections', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const config = { host: '127.0.0.1', port: 5432, database: 'postgres', user: 'postgres', sslMode: 'disable', schema: 'public' };
    for (const bad of ['Warehouse\nBcc: x@example.net', 'Ware\u2028house', 'Ware\u0085house']) {
      const created = await post({ connector: 'postgres', name: bad, config, secrets: { password: '' } });
      expect(created.status, bad).toBe(400);
      expect(((await created.json()) as { error: { issues: { path: string; message: string }[] } }).error.issues).toEqual([{ path: 'name', message: 'A name holds no control characters (line breaks, tabs, NUL) or invisible marks that reorder text' }]);
    }
    const made = await post({ connector: 'postgres', name: 'Warehouse before', config, secrets: { password: '' } });
    expect(made.status).toBe(201);
    const old = (await store.updateConnection(((await made.json()) as { id: string }).id, { name: 'Warehouse\told' }))!;
    const saved = await put(`/api/connections/${old.id}`, { name: 'Warehouse\told', config: { ...config, queryTimeoutSeconds: 30 } });
    expect(saved.status, await saved.clone().text()).toBe(200);
    const renamed = await put(`/api/connections/${old.id}`, { name: 'Warehouse\nnew' });
    expect(renamed.status).toBe(400);
    expect(((await renamed.json()) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path)).toEqual(['name']);
    expect((await put(`/api/connections/${old.id}`, { name: 'Warehouse' })).status).toBe(200);
    expect((await store.getConnection(old.id))?.name).toBe('Warehouse');
  });
});

// review16a: sets refused a name from before the rule (U+202E, NEL, U+2028 were kept before probe21/tidy16) on every
// save, so its members could not be changed until it was renamed; an integration and a connection keep theirs.
describe('a set whose name has a control character from before', () => {
  it('saves its members with the name unchanged, and refuses a new bad name on create and rename', async () => {
    // Published (a set takes published integrations only); its plan is not run here.
    const graph = customersGraph({ fileId: 'file_review16a', object: 'customers' });
    const { plan } = compile(graph);
    const member = await store.createIntegration({ name: 'Set member', description: '', graph });
    await store.createVersion(member.id, graph, plan!, 'review16a');
    const message = 'A name holds no control characters (line breaks, tabs, NUL) or invisible marks that reorder text';
    const created = await app.request('/api/sets', { method: 'POST', body: JSON.stringify({ name: 'Night\u202eset', members: [member.id] }), headers: { 'content-type': 'application/json' } });
    expect(created.status).toBe(400);
    for (const name of ['Night\u202eset', 'Night\u2028set', 'Night\u0085set']) {
      const old = await store.sets.createSet({ name, members: [member.id], abortOnFailure: true });
      const saved = await put(`/api/sets/${old.id}`, { name, members: [member.id], abortOnFailure: false });
      expect(saved.status, await saved.clone().text()).toBe(200);
      expect((await store.sets.getSet(old.id))?.abortOnFailure).toBe(false);
      const renamed = await put(`/api/sets/${old.id}`, { name: `${name}\n2`, members: [member.id] });
      expect(renamed.status).toBe(400);
      expect(((await renamed.json()) as { error: { issues: { path: string; message: string }[] } }).error.issues).toEqual([{ path: 'name', message }]);
      expect((await put(`/api/sets/${old.id}`, { name: 'Night set', members: [member.id] })).status).toBe(200);
      expect((await store.sets.getSet(old.id))?.name).toBe('Night set');
    }
  });
});

// review16a: "make a member of it" names a member as its system names the user (a directory's name may hold a tab or
// U+202E), and a member named before the rule kept NEL or U+2028: neither could have its email changed.
describe('a member whose name has a control character from its system or from before', () => {
  it('saves its email with the name unchanged, and refuses a new bad name', async () => {
    for (const name of ['Ann\tLee', 'Ann\u202eeeL', 'Ann\u0085Lee']) {
      const member = await store.members.createMember({ name, email: null });
      const saved = await put(`/api/members/${member.id}`, { name, email: `ann${member.id.slice(-6)}@example.com` });
      expect(saved.status, await saved.clone().text()).toBe(200);
      expect((await store.members.getMember(member.id))?.email).toBe(`ann${member.id.slice(-6)}@example.com`);
      const renamed = await put(`/api/members/${member.id}`, { name: `${name}\n2`, email: null });
      expect(renamed.status).toBe(400);
      expect(((await renamed.json()) as { error: { issues: { path: string; message: string }[] } }).error.issues).toEqual([{ path: 'name', message: 'A name holds no control characters' }]);
      expect((await store.members.getMember(member.id))?.name).toBe(name);
    }
    expect((await put('/api/members/mem_unknown', { name: 'X', email: null })).status).toBe(404);
  });
});
