import { describe, expect, it } from 'vitest';
import { applyOp, applyOps, nextNodeId } from './ops';
import { emptyGraph, Graph, migrateGraph } from './schema';

const n = (id: string) => ({ id, kind: 'map', position: { x: 0, y: 0 }, config: {} });

describe('graph ops', () => {
  it('adds, moves, renames and configures nodes without mutating the input', () => {
    const g0 = emptyGraph();
    const g1 = applyOps(g0, [
      { type: 'addNode', node: n('a') },
      { type: 'moveNode', id: 'a', position: { x: 5, y: 7 } },
      { type: 'renameNode', id: 'a', label: 'Clean up' },
      { type: 'updateConfig', id: 'a', config: { fields: [] } },
    ]);
    expect(g0.nodes).toEqual([]);
    expect(g1.nodes[0]).toEqual({ id: 'a', kind: 'map', label: 'Clean up', position: { x: 5, y: 7 }, config: { fields: [] } });
  });

  it('ignores a duplicate node id, self-loops and duplicate edges', () => {
    let g = applyOps(emptyGraph(), [{ type: 'addNode', node: n('a') }, { type: 'addNode', node: n('b') }]);
    expect(applyOp(g, { type: 'addNode', node: n('a') })).toBe(g);
    expect(applyOp(g, { type: 'connect', edge: { id: 'x', source: 'a', target: 'a' } })).toBe(g);
    g = applyOp(g, { type: 'connect', edge: { id: 'e', source: 'a', target: 'b' } });
    expect(applyOp(g, { type: 'connect', edge: { id: 'e2', source: 'a', target: 'b' } }).edges).toHaveLength(1);
  });

  it('removing a node removes its edges', () => {
    const g = applyOps(emptyGraph(), [
      { type: 'addNode', node: n('a') },
      { type: 'addNode', node: n('b') },
      { type: 'connect', edge: { id: 'e', source: 'a', target: 'b' } },
      { type: 'removeNodes', ids: ['b'] },
    ]);
    expect(g.edges).toEqual([]);
    expect(g.nodes.map((x) => x.id)).toEqual(['a']);
  });

  it('finds a free node id', () => {
    const g = applyOps(emptyGraph(), [{ type: 'addNode', node: { ...n('map-2') } }]);
    expect(nextNodeId(g, 'map')).toBe('map-3');
  });
});

describe('graph schema', () => {
  it('migrates an unversioned graph and rejects garbage with a path', () => {
    expect(migrateGraph({ nodes: [], edges: [] })).toEqual({ version: 1, nodes: [], edges: [] });
    const bad = Graph.safeParse({ version: 1, nodes: [{ id: '', kind: 'map', position: { x: 0 } }], edges: [] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['nodes.0.id', 'nodes.0.position.y']));
  });
});

describe('setSettings', () => {
  it('sets the outage window, and leaves no settings object once it is cleared', () => {
    const g = emptyGraph();
    const set = applyOp(g, { type: 'setSettings', settings: { outageWindowMinutes: 30 } });
    expect(set.settings).toEqual({ outageWindowMinutes: 30 });
    expect(g.settings).toBeUndefined(); // pure: the input graph is untouched
    const cleared = applyOp(set, { type: 'setSettings', settings: { outageWindowMinutes: undefined } });
    expect('settings' in cleared).toBe(false);
    expect(cleared).toEqual(g);
  });
});
