import { describe, expect, it } from 'vitest';
import { applyOp, type Graph } from '../../shared';
import { tidyLayoutOps } from './auto-layout';

const SIZE = { width: 216, height: 76 };
const node = (id: string, kind: string, x: number, y: number) => ({ id, kind, position: { x, y }, config: {} });
const edge = (source: string, target: string) => ({ id: `${source}-${target}`, source, target });

function tidy(graph: Graph): Graph {
  return tidyLayoutOps(graph, SIZE).reduce(applyOp, graph);
}
const overlaps = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.abs(a.x - b.x) < SIZE.width && Math.abs(a.y - b.y) < SIZE.height;

describe('tidyLayoutOps', () => {
  it('lays a chain out left to right in one row, in flow order, from the old top-left corner', () => {
    // Drawn in a jumble: the target on the left, the source on the right, at different heights.
    const graph: Graph = {
      version: 1,
      nodes: [node('t', 'workspace-target', 40, 300), node('m', 'map', 500, 20), node('s', 'csv-source', 900, 160)],
      edges: [edge('s', 'm'), edge('m', 't')],
    };
    const out = tidy(graph);
    const pos = Object.fromEntries(out.nodes.map((n) => [n.id, n.position]));
    expect(pos.s!.x).toBeLessThan(pos.m!.x);
    expect(pos.m!.x).toBeLessThan(pos.t!.x);
    expect(pos.m!.x - pos.s!.x).toBeGreaterThanOrEqual(SIZE.width);
    expect(new Set(out.nodes.map((n) => n.position.y)).size).toBe(1);
    expect(Math.min(...out.nodes.map((n) => n.position.x))).toBe(40);
    expect(Math.min(...out.nodes.map((n) => n.position.y))).toBe(20);
  });

  it('stacks branches without overlap and returns no op for a graph already tidy', () => {
    const graph: Graph = {
      version: 1,
      nodes: [node('s', 'csv-source', 0, 0), node('a', 'filter', 0, 0), node('b', 'filter', 0, 0), node('x', 'map', 0, 0), node('y', 'map', 0, 0)],
      edges: [edge('s', 'a'), edge('s', 'b'), edge('a', 'x'), edge('b', 'y')],
    };
    const out = tidy(graph);
    for (const n of out.nodes) for (const m of out.nodes) if (n !== m) expect(overlaps(n.position, m.position), `${n.id} on ${m.id}`).toBe(false);
    const pos = Object.fromEntries(out.nodes.map((n) => [n.id, n.position]));
    expect(pos.a!.x).toBe(pos.b!.x);
    expect(pos.a!.y).not.toBe(pos.b!.y);
    expect(tidyLayoutOps(out, SIZE)).toEqual([]);
  });

  it('does nothing on an empty graph', () => {
    expect(tidyLayoutOps({ version: 1, nodes: [], edges: [] }, SIZE)).toEqual([]);
  });
});
