import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { Dexie } from 'dexie';
import { applyOp, emptyGraph, type Graph } from '../shared';
import { chooseStart, createDraftStore, type DraftStore } from './drafts';

const graphWithNode = (): Graph =>
  applyOp(emptyGraph(), { type: 'addNode', node: { id: 'csv-source-1', kind: 'csv-source', position: { x: 10, y: 20 }, config: {} } });

let n = 0;
let store: DraftStore;
const open = () => (store = createDraftStore(`weft-test-${++n}`));
afterEach(() => store?.close());

describe('draft store', () => {
  it('saves and reads back a draft, parsed', async () => {
    open();
    await store.save({ integrationId: 'i1', name: 'Contacts', graph: graphWithNode(), baseUpdatedAt: '2024-01-01T00:00:00Z', savedAt: 123 });
    const d = await store.load('i1');
    expect(d).toMatchObject({ v: 1, integrationId: 'i1', name: 'Contacts', savedAt: 123 });
    expect(d?.graph.nodes[0]?.id).toBe('csv-source-1');
  });

  it('overwrites on every change and forgets on remove', async () => {
    open();
    await store.save({ integrationId: 'i1', name: 'A', graph: emptyGraph(), baseUpdatedAt: null });
    await store.save({ integrationId: 'i1', name: 'B', graph: graphWithNode(), baseUpdatedAt: null });
    expect((await store.load('i1'))?.name).toBe('B');
    await store.remove('i1');
    expect(await store.load('i1')).toBeNull();
  });

  it('migrates old rows and drops unreadable ones', async () => {
    const name = `weft-test-${++n}`;
    store = createDraftStore(name);
    await store.save({ integrationId: 'seed', name: 'x', graph: emptyGraph(), baseUpdatedAt: null });
    store.close();
    const raw = new Dexie(name);
    raw.version(1).stores({ drafts: 'integrationId, savedAt' });
    // v0: no `v`, graph without a version
    await raw.table('drafts').put({ integrationId: 'old', name: 'Old', graph: { nodes: [], edges: [] }, savedAt: 5 });
    await raw.table('drafts').put({ integrationId: 'bad', name: 'Bad', graph: { nodes: 'nope' }, savedAt: 5, v: 1, baseUpdatedAt: null });
    raw.close();
    store = createDraftStore(name);
    expect((await store.load('old'))?.graph).toEqual(emptyGraph());
    expect(await store.load('bad')).toBeNull();
  });
});

describe('chooseStart', () => {
  const server = { name: 'Contacts', graph: emptyGraph(), updatedAt: '2024-01-01T00:00:00Z' };
  const draft = (savedAt: number, graph = graphWithNode()) => ({ v: 1 as const, integrationId: 'i1', name: 'Contacts', graph, savedAt, baseUpdatedAt: null });

  it('restores a newer draft that differs', () => {
    const r = chooseStart(server, draft(Date.parse(server.updatedAt) + 1000));
    expect(r.restored).toBe(true);
    expect(r.graph.nodes).toHaveLength(1);
  });
  it('keeps the server copy when the draft is older or identical', () => {
    expect(chooseStart(server, draft(Date.parse(server.updatedAt) - 1000)).restored).toBe(false);
    expect(chooseStart(server, draft(Date.parse(server.updatedAt) + 1000, emptyGraph())).restored).toBe(false);
    expect(chooseStart(server, null).restored).toBe(false);
  });
});
