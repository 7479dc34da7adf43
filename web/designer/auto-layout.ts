// "Tidy up": a left-to-right layout of the whole graph by @dagrejs/dagre (a layered DAG layout, which is what a
// flow of steps is), returned as moveNode ops so it is one undo step like any other edit.
import dagre from '@dagrejs/dagre';
import type { Graph, GraphOp } from '../../shared';

export interface LayoutSize {
  width: number;
  height: number;
}

/** Gaps between columns (steps in sequence) and between rows (parallel branches), in flow pixels. */
const RANK_GAP = 72;
const ROW_GAP = 48;

/**
 * moveNode ops that lay the graph out left to right: sources in the first column, each step right of what feeds it,
 * branches stacked, unconnected steps in rows of their own. The top-left corner of the graph stays where it was,
 * so tidying does not throw the drawing across the canvas. Nodes already in place get no op.
 */
export function tidyLayoutOps(graph: Graph, size: LayoutSize): GraphOp[] {
  if (graph.nodes.length === 0) return [];
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', ranksep: RANK_GAP, nodesep: ROW_GAP, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.id, { width: size.width, height: size.height });
  for (const e of graph.edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);

  const origin = {
    x: Math.min(...graph.nodes.map((n) => n.position.x)),
    y: Math.min(...graph.nodes.map((n) => n.position.y)),
  };
  const laid = graph.nodes.map((n) => {
    const p = g.node(n.id) as { x: number; y: number };
    // dagre gives centres; the graph stores top-left corners.
    return { id: n.id, x: p.x - size.width / 2, y: p.y - size.height / 2 };
  });
  const minX = Math.min(...laid.map((p) => p.x));
  const minY = Math.min(...laid.map((p) => p.y));
  const ops: GraphOp[] = [];
  for (const p of laid) {
    const position = { x: Math.round(origin.x + p.x - minX), y: Math.round(origin.y + p.y - minY) };
    const node = graph.nodes.find((n) => n.id === p.id)!;
    if (node.position.x !== position.x || node.position.y !== position.y) ops.push({ type: 'moveNode', id: p.id, position });
  }
  return ops;
}
