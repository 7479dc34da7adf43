import { describe, expect, it } from 'vitest';
import type { Connection, NodeChange } from '@xyflow/react';
import { applyOps, compile, emptyGraph, type Graph } from '../../shared';
import {
  freeSpot,
  addNodeOp,
  connectionProblem,
  connectionToOp,
  deleteSelectionOps,
  edgeChangesToOps,
  nodeChangesToOps,
  onlyPositionsDiffer,
  toFlowEdges,
  toFlowNodes,
} from './flow-ops';

function pipeline(): Graph {
  let g = emptyGraph();
  for (const [kind, x] of [['csv-source', 0], ['map', 300], ['workspace-target', 600]] as const) {
    const op = addNodeOp(g, kind, { x, y: 100 });
    if (op) g = applyOps(g, [op]);
  }
  return g;
}
const conn = (source: string, target: string): Connection => ({ source, target, sourceHandle: null, targetHandle: null });

describe('node changes', () => {
  const g = pipeline();
  it('turns finished drags into moveNode and ignores drag frames and selection', () => {
    const changes: NodeChange[] = [
      { id: 'map-2', type: 'position', position: { x: 350.04, y: 120 }, dragging: true },
      { id: 'map-2', type: 'select', selected: true },
      { id: 'map-2', type: 'dimensions', dimensions: { width: 200, height: 80 } },
    ];
    expect(nodeChangesToOps(changes, g)).toEqual([]);
    expect(nodeChangesToOps([{ id: 'map-2', type: 'position', position: { x: 350.04, y: 120 }, dragging: false }], g)).toEqual([
      { type: 'moveNode', id: 'map-2', position: { x: 350, y: 120 } },
    ]);
  });
  it('skips moves that change nothing and removals of unknown nodes', () => {
    expect(nodeChangesToOps([{ id: 'map-2', type: 'position', position: { x: 300, y: 100 }, dragging: false }], g)).toEqual([]);
    expect(nodeChangesToOps([{ id: 'ghost', type: 'remove' }, { id: 'map-2', type: 'remove' }], g)).toEqual([{ type: 'removeNodes', ids: ['map-2'] }]);
  });
});

describe('connections', () => {
  it('connects source to transform to target with stable edge ids', () => {
    let g = pipeline();
    const a = connectionToOp(conn('csv-source-1', 'map-2'), g);
    const b = connectionToOp(conn('map-2', 'workspace-target-3'), g);
    expect(a).toMatchObject({ type: 'connect', edge: { id: 'e-csv-source-1-map-2' } });
    g = applyOps(g, [a!, b!]);
    expect(g.edges.map((e) => e.id)).toEqual(['e-csv-source-1-map-2', 'e-map-2-workspace-target-3']);
    expect(compile(g).diagnostics.some((d) => d.code === 'unconnected-input')).toBe(false);
  });
  it('refuses connections that cannot work', () => {
    let g = pipeline();
    g = applyOps(g, [connectionToOp(conn('csv-source-1', 'map-2'), g)!, connectionToOp(conn('map-2', 'workspace-target-3'), g)!]);
    expect(connectionProblem(conn('workspace-target-3', 'map-2'), g)).toBe('A target has no output');
    expect(connectionProblem(conn('map-2', 'csv-source-1'), g)).toBe('A source takes no input');
    expect(connectionProblem(conn('map-2', 'map-2'), g)).toBe('A step cannot feed itself');
    expect(connectionProblem(conn('csv-source-1', 'workspace-target-3'), g)).toBe('This step already has an input');
    const f = addNodeOp(g, 'filter', { x: 0, y: 0 })!;
    g = applyOps(g, [f, connectionToOp(conn('map-2', 'filter-4'), applyOps(g, [f]))!]);
    expect(connectionProblem(conn('filter-4', 'map-2'), g)).toBe('This step already has an input');
    expect(connectionToOp(conn('map-2', 'csv-source-1'), g)).toBeNull();
  });
});

describe('deletion and edges', () => {
  it('deletes a selection as one batch and maps edge removals', () => {
    let g = pipeline();
    g = applyOps(g, [connectionToOp(conn('csv-source-1', 'map-2'), g)!]);
    expect(edgeChangesToOps([{ id: 'e-csv-source-1-map-2', type: 'remove' }, { id: 'x', type: 'remove' }], g)).toEqual([
      { type: 'removeEdges', ids: ['e-csv-source-1-map-2'] },
    ]);
    const ops = deleteSelectionOps(g, ['map-2', 'nope'], ['e-csv-source-1-map-2']);
    expect(ops).toEqual([
      { type: 'removeEdges', ids: ['e-csv-source-1-map-2'] },
      { type: 'removeNodes', ids: ['map-2'] },
    ]);
    const after = applyOps(g, ops);
    expect(after.nodes.map((n) => n.id)).toEqual(['csv-source-1', 'workspace-target-3']);
    expect(after.edges).toEqual([]);
  });

  it('adds nodes with the kind defaults and unique ids', () => {
    const g = pipeline();
    const op = addNodeOp(g, 'map', { x: 1.234, y: 2 });
    expect(op).toEqual({ type: 'addNode', node: { id: 'map-4', kind: 'map', position: { x: 1.2, y: 2 }, config: { fields: [], unmatchedMembers: 'reject', defaultMember: '' } } });
    expect(addNodeOp(g, 'nope', { x: 0, y: 0 })).toBeNull();
  });
});

describe('projection to flow nodes', () => {
  it('keeps measurements and selection, decorates errors and summaries', () => {
    const g = pipeline();
    const { diagnostics } = compile(g);
    const first = toFlowNodes(g, [], diagnostics);
    expect(first[0]).toMatchObject({ id: 'csv-source-1', type: 'weft', data: { summary: 'No file yet' } });
    expect(first[0]?.data.errors.length).toBeGreaterThan(0);
    const measured = first.map((n) => ({ ...n, measured: { width: 220, height: 72 }, selected: n.id === 'map-2' }));
    const moved = applyOps(g, [{ type: 'moveNode', id: 'map-2', position: { x: 10, y: 10 } }]);
    const next = toFlowNodes(moved, measured, compile(moved).diagnostics);
    expect(next[1]).toMatchObject({ position: { x: 10, y: 10 }, measured: { width: 220, height: 72 }, selected: true });
    expect(next[0]).toBe(measured[0]);
    const edges = toFlowEdges(
      { ...g, edges: [{ id: 'e1', source: 'csv-source-1', target: 'map-2' }] },
      [],
      [{ severity: 'error', code: 'x', message: 'x', edgeId: 'e1' }],
    );
    expect(edges[0]?.className).toContain('weft-edge--error');
  });

  it('keeps the same edge objects when an edit leaves them alone, and new ones when their look changes', () => {
    const g = { ...pipeline(), edges: [{ id: 'e1', source: 'csv-source-1', target: 'map-2' }, { id: 'e2', source: 'map-2', target: 'workspace-target-3' }] };
    const first = toFlowEdges(g, [], []);
    const renamed = applyOps(g, [{ type: 'renameNode', id: 'map-2', label: 'Contacts' }]);
    const next = toFlowEdges(renamed, first, []);
    expect(next[0]).toBe(first[0]);
    expect(next[1]).toBe(first[1]);
    const flagged = toFlowEdges(renamed, next, [{ severity: 'error', code: 'x', message: 'x', edgeId: 'e2' }]);
    expect(flagged[0]).toBe(first[0]);
    expect(flagged[1]).not.toBe(first[1]);
    expect(flagged[1]?.className).toContain('weft-edge--error');
  });
});

describe('placing a new step', () => {
  const size = { width: 216, height: 76 };
  const at = (id: string, x: number, y: number) => ({ id, kind: 'map', position: { x, y }, config: {} });
  const overlap = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.abs(a.x - b.x) < size.width && Math.abs(a.y - b.y) < size.height;

  it('does not land on a step exactly 40 px away (the old `< 40` check let it)', () => {
    const graph: Graph = { ...emptyGraph(), nodes: [at('a', 0, 0), at('b', 280, 40)] };
    const p = freeSpot(graph, { x: 280, y: 0 }, size);
    expect(graph.nodes.some((n) => overlap(n.position, p))).toBe(false);
    expect(p.x).toBe(280);
    expect(p.y).toBeGreaterThan(40);
  });

  it('keeps the asked spot when it is free, and steps past a column of steps', () => {
    expect(freeSpot({ ...emptyGraph(), nodes: [at('a', 0, 0)] }, { x: 280, y: 0 }, size)).toEqual({ x: 280, y: 0 });
    const column: Graph = { ...emptyGraph(), nodes: [at('a', 280, 0), at('b', 280, 124), at('c', 300, 250)] };
    const p = freeSpot(column, { x: 280, y: 0 }, size);
    expect(column.nodes.some((n) => overlap(n.position, p))).toBe(false);
  });
});

describe('onlyPositionsDiffer', () => {
  it('is true for a moved step and false for anything else that changed', () => {
    const p = pipeline();
    const g = applyOps(p, [connectionToOp(conn(p.nodes[0]!.id, p.nodes[1]!.id), p)!]);
    const id = g.nodes[1]!.id;
    expect(onlyPositionsDiffer(g, g)).toBe(true);
    expect(onlyPositionsDiffer(g, applyOps(g, [{ type: 'moveNode', id, position: { x: 1, y: 2 } }]))).toBe(true);
    expect(onlyPositionsDiffer(g, applyOps(g, [{ type: 'renameNode', id, label: 'Only open orders' }]))).toBe(false);
    expect(onlyPositionsDiffer(g, applyOps(g, [{ type: 'updateConfig', id, config: {} }]))).toBe(false);
    expect(onlyPositionsDiffer(g, applyOps(g, [{ type: 'removeEdges', ids: [g.edges[0]!.id] }]))).toBe(false);
    expect(onlyPositionsDiffer(g, applyOps(g, [{ type: 'removeNodes', ids: [id] }]))).toBe(false);
    expect(onlyPositionsDiffer(g, applyOps(g, [{ type: 'setValueMaps', valueMaps: [] }]))).toBe(false);
    // A key added to a step (a label where there was none) is a change, not a move.
    const labelled = { ...g, nodes: g.nodes.map((n) => (n.id === id ? { ...n, label: undefined } : n)) };
    expect(onlyPositionsDiffer(g, labelled)).toBe(false);
  });
});
