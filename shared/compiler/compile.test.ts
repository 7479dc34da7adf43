import { describe, expect, it } from 'vitest';
import fixture from '../../test/fixtures/graphs/csv-map-workspace.json';
import { Graph, type GraphNode } from '../graph/schema';
import { applyOp } from '../graph/ops';
import { compile, nodeLabel } from './compile';
import { Plan } from './plan';

const base = () => Graph.parse(structuredClone(fixture));
const node = (g: Graph, id: string) => g.nodes.find((n) => n.id === id) as GraphNode;
const codes = (g: Graph) => compile(g).diagnostics.map((d) => `${d.nodeId ?? '-'}:${d.code}`);

describe('compile', () => {
  it('compiles the fixture into a valid plan with one pipeline and resolved schemas', () => {
    const { plan, diagnostics, schemas } = compile(base());
    expect(diagnostics).toEqual([]);
    expect(Plan.parse(plan)).toBeTruthy();
    expect(plan?.pipelines).toEqual([{ id: 'p-target', nodeIds: ['source', 'map', 'filter', 'target'] }]);
    expect(plan?.steps.map((s) => s.nodeId)).toEqual(['source', 'map', 'filter', 'target']);
    expect(schemas.map).toEqual({
      fields: [
        { name: 'email', type: 'text' },
        { name: 'name', type: 'text' },
        { name: 'plan', type: 'text' },
        { name: 'mrr', type: 'currency' },
        { name: 'signed_up', type: 'date' },
        { name: 'active', type: 'boolean' },
      ],
      key: ['email'],
    });
    expect(plan?.steps[3]?.input?.key).toEqual(['email']);
  });

  it('reports an empty graph', () => {
    expect(codes({ version: 1, nodes: [], edges: [] })).toEqual(['-:empty-graph']);
  });

  it('reports missing config on the node, with the config path', () => {
    const g = base();
    node(g, 'target').config = { object: '', mode: 'upsert' };
    const d = compile(g).diagnostics;
    expect(d).toContainEqual(expect.objectContaining({ nodeId: 'target', code: 'invalid-config', path: 'object', message: 'Name the workspace object' }));
    expect(compile(g).plan).toBeNull();
  });

  it('reports a cycle on every node in it', () => {
    let g = base();
    g = applyOp(g, { type: 'removeEdges', ids: ['e1'] });
    g = applyOp(g, { type: 'connect', edge: { id: 'loop', source: 'filter', target: 'map' } });
    const cyc = compile(g).diagnostics.filter((d) => d.code === 'cycle').map((d) => d.nodeId);
    expect(cyc.sort()).toEqual(['filter', 'map']);
  });

  it('reports unconnected inputs and outputs', () => {
    const g = applyOp(base(), { type: 'removeEdges', ids: ['e2'] });
    expect(codes(g)).toEqual(expect.arrayContaining(['map:unconnected-output', 'filter:unconnected-input']));
  });

  it('reports a node with two inputs', () => {
    const g = applyOp(base(), { type: 'connect', edge: { id: 'extra', source: 'source', target: 'filter' } });
    expect(codes(g)).toContain('filter:too-many-inputs');
  });

  it('reports edges into a source and out of a target', () => {
    const g = applyOp(base(), { type: 'connect', edge: { id: 'bad', source: 'target', target: 'source' } });
    expect(codes(g)).toEqual(expect.arrayContaining(['target:no-output-port', 'source:no-input-port']));
  });

  it('reports an unknown field with a suggestion', () => {
    const g = base();
    (node(g, 'map').config.fields as { source: string }[])[1]!.source = 'Ful Name';
    const d = compile(g).diagnostics.find((x) => x.code === 'unknown-field');
    expect(d).toMatchObject({ nodeId: 'map', path: 'fields.1.source', message: 'Unknown field "Ful Name" — did you mean "Full Name"?' });
  });

  it('reports a mistyped conversion', () => {
    const g = base();
    (node(g, 'map').config.fields as { type: string }[])[5]!.type = 'date';
    expect(compile(g).diagnostics).toContainEqual(expect.objectContaining({ code: 'mistyped-field', path: 'fields.5.type' }));
  });

  it('reports a filter comparing a number field to text', () => {
    const g = base();
    node(g, 'filter').config = { match: 'all', conditions: [{ field: 'mrr', op: 'gt', value: 'lots' }] };
    expect(compile(g).diagnostics).toContainEqual(expect.objectContaining({ nodeId: 'filter', code: 'mistyped-value' }));
  });

  it('reports an upsert target with no primary key', () => {
    const g = base();
    for (const f of node(g, 'map').config.fields as { key: boolean }[]) f.key = false;
    expect(codes(g)).toContain('target:no-primary-key');
    node(g, 'target').config = { object: 'customers', mode: 'insert' };
    expect(codes(g)).not.toContain('target:no-primary-key');
  });

  it('reports fields whose type differs from the existing workspace object', () => {
    const ctx = { workspaceObjects: { customers: { fields: [{ name: 'mrr', type: 'text' as const }], key: ['email'] } } };
    expect(compile(base(), ctx).diagnostics).toContainEqual(expect.objectContaining({ nodeId: 'target', code: 'mistyped-field' }));
  });

  it('reports an unknown node kind and a missing target and source', () => {
    const g: Graph = { version: 1, nodes: [{ id: 'x', kind: 'teleporter', position: { x: 0, y: 0 }, config: {} }], edges: [] };
    expect(codes(g)).toEqual(expect.arrayContaining(['x:unknown-kind', '-:no-target', '-:no-source']));
  });

  it('compiles a two-way sync alone into a pipeline of one step, and says where a field direction is overridden', () => {
    const side = (object: string) => ({ connectionId: '', object, updatedAt: '_updated_at', columns: [{ name: 'id', type: 'number' as const }, { name: 'name', type: 'text' as const }], key: ['id'] });
    const config = { a: side('left'), b: side('right'), match: { a: 'id', b: 'id' }, direction: 'pull', rule: 'latest', fields: [{ a: 'id', b: 'id' }, { a: 'name', b: 'name', direction: 'push' }], createMissing: true };
    const g: Graph = { version: 1, nodes: [{ id: 'tw', kind: 'two-way-sync', position: { x: 0, y: 0 }, config }], edges: [] };
    const { plan, diagnostics } = compile(g);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(diagnostics.map((d) => d.message)).toEqual(['name ↔ name: This field is pushed, but the object is set to pull only: the field is not synced']);
    expect(plan?.pipelines).toEqual([{ id: 'p-tw', nodeIds: ['tw'] }]);
    const off = compile({ ...g, settings: { syncEnabled: false } });
    expect(off.diagnostics.map((d) => d.message)).toEqual(['name ↔ name: Sync is switched off for this integration: the field is not synced']);
    const missing = compile({ ...g, nodes: [{ ...g.nodes[0]!, config: { ...config, match: { a: '', b: '' }, fields: [] } }] });
    expect(missing.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['no-match-key', 'no-fields']));
  });

  it('refuses a two-way sync whose two sides are one table or one workspace object (it would sync a record with itself)', () => {
    const side = (connectionId: string, object: string) => ({ connectionId, object, updatedAt: 'updated_at', columns: [{ name: 'id', type: 'number' as const }, { name: 'name', type: 'text' as const }, { name: 'updated_at', type: 'datetime' as const }], key: ['id'] });
    const graph = (a: ReturnType<typeof side>, b: ReturnType<typeof side>): Graph => ({
      version: 1,
      nodes: [{ id: 'tw', kind: 'two-way-sync', position: { x: 0, y: 0 }, config: { a, b, match: { a: 'id', b: 'id' }, fields: [{ a: 'name', b: 'name' }] } }],
      edges: [],
    });
    const same = (a: ReturnType<typeof side>, b: ReturnType<typeof side>) => compile(graph(a, b)).diagnostics.filter((d) => d.code === 'same-object');
    expect(same(side('c1', 'public.contacts'), side('c1', 'public.contacts'))).toEqual([
      expect.objectContaining({ severity: 'error', message: 'Side A and side B are the same table (public.contacts): choose another table for one of them' }),
    ]);
    expect(same(side('', 'contacts'), side('', 'contacts'))).toEqual([expect.objectContaining({ severity: 'error', message: 'Side A and side B are the same workspace object (contacts): choose another object for one of them' })]);
    expect(compile(graph(side('c1', 'public.contacts'), side('c1', 'public.contacts'))).plan).toBeNull();
    // Another table, another connection, or the workspace beside a table of the same name: allowed.
    expect(same(side('c1', 'public.contacts'), side('c1', 'public.leads'))).toEqual([]);
    expect(same(side('c1', 'contacts'), side('c2', 'contacts'))).toEqual([]);
    expect(same(side('', 'contacts'), side('c1', 'contacts'))).toEqual([]);
  });

  it('makes one pipeline per target when a source fans out', () => {
    let g = base();
    g = applyOp(g, { type: 'addNode', node: { id: 't2', kind: 'workspace-target', position: { x: 0, y: 0 }, config: { object: 'all_customers', mode: 'upsert' } } });
    g = applyOp(g, { type: 'connect', edge: { id: 'e4', source: 'map', target: 't2' } });
    const { plan, diagnostics } = compile(g);
    expect(diagnostics).toEqual([]);
    expect(plan?.pipelines.map((p) => p.nodeIds)).toEqual([
      ['source', 'map', 'filter', 'target'],
      ['source', 'map', 't2'],
    ]);
  });
});

describe('value maps', () => {
  it('reports an unnamed or duplicate value map but still accepts the draft', () => {
    const g = Graph.parse({ ...structuredClone(fixture), valueMaps: [{ name: '', entries: [] }, { name: 'a', entries: [] }, { name: 'a', entries: [] }] });
    expect(compile(g).diagnostics.map((d) => d.code)).toEqual(['unnamed-value-map', 'duplicate-value-map']);
  });
});

describe('step labels', () => {
  const node = (kind: string, config: unknown, label?: string) => ({ id: 'n', kind, position: { x: 0, y: 0 }, config, ...(label !== undefined && { label }) }) as GraphNode;

  it('name a database-or-app step after its connection\'s system, so the run page says what it read or wrote', () => {
    expect(nodeLabel(node('sql-source', { connectionId: 'c1', connector: 'hubspot' }))).toBe('Read HubSpot object');
    expect(nodeLabel(node('sql-target', { connectionId: 'c1', connector: 'salesforce' }))).toBe('Write Salesforce object');
    expect(nodeLabel(node('sql-source', { connectionId: 'c1', connector: 'rest' }))).toBe('Read REST endpoint');
    expect(nodeLabel(node('sql-target', { connectionId: 'c1' }))).toBe('Write database table');
  });

  it('keep a name the person gave, and the palette\'s wording before a connection is chosen', () => {
    expect(nodeLabel(node('sql-source', { connectionId: 'c1', connector: 'hubspot' }, 'Contacts'))).toBe('Contacts');
    expect(nodeLabel(node('sql-source', { connectionId: '' }))).toBe('Read database or app');
    expect(nodeLabel(node('sql-source', { connectionId: 'c1', connector: '__proto__' }))).toBe('Read __proto__ object');
  });
});
