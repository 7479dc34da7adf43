// React Flow's changes and connections translated into GraphOps, and the graph projected back to flow nodes.
import type { Connection, Edge, EdgeChange, Node, NodeChange } from '@xyflow/react';
import { edgeId, getKind, nextNodeId, type Diagnostic, type Graph, type GraphNode, type GraphOp } from '../../shared';
import { kindLabelOf, nodeSummary } from '../kinds/registry';

export interface WeftNodeData extends Record<string, unknown> {
  node: GraphNode;
  summary: string;
  errors: Diagnostic[];
}
export type WeftFlowNode = Node<WeftNodeData, 'weft'>;

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Only finished moves become ops (one undo step per drag); drag frames, selection and
 * measurement stay UI state. Removals are handled by the designer's own Delete handler.
 */
export function nodeChangesToOps(changes: readonly NodeChange[], graph: Graph): GraphOp[] {
  const ops: GraphOp[] = [];
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  for (const ch of changes) {
    if (ch.type === 'position' && ch.position && ch.dragging === false) {
      const node = byId.get(ch.id);
      const position = { x: round(ch.position.x), y: round(ch.position.y) };
      if (node && (node.position.x !== position.x || node.position.y !== position.y)) ops.push({ type: 'moveNode', id: ch.id, position });
    }
  }
  const removed = changes.filter((c) => c.type === 'remove').map((c) => c.id).filter((id) => byId.has(id));
  if (removed.length > 0) ops.push({ type: 'removeNodes', ids: removed });
  return ops;
}

export function edgeChangesToOps(changes: readonly EdgeChange[], graph: Graph): GraphOp[] {
  const ids = new Set(graph.edges.map((e) => e.id));
  const removed = changes.filter((c) => c.type === 'remove').map((c) => c.id).filter((id) => ids.has(id));
  return removed.length > 0 ? [{ type: 'removeEdges', ids: removed }] : [];
}

/** Why a connection is refused, or null when it is fine. */
export function connectionProblem(conn: Pick<Connection, 'source' | 'target'>, graph: Graph): string | null {
  const source = graph.nodes.find((n) => n.id === conn.source);
  const target = graph.nodes.find((n) => n.id === conn.target);
  if (!source || !target) return 'Unknown node';
  if (source.id === target.id) return 'A step cannot feed itself';
  if (getKind(source.kind)?.outputs === 0) return 'A target has no output';
  if (getKind(target.kind)?.inputs === 0) return 'A source takes no input';
  if (graph.edges.some((e) => e.target === target.id)) return 'This step already has an input';
  if (reaches(graph, target.id, source.id)) return 'That would make a loop';
  return null;
}

function reaches(graph: Graph, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of graph.edges) if (e.source === id) stack.push(e.target);
  }
  return false;
}

export function connectionToOp(conn: Connection, graph: Graph): GraphOp | null {
  if (connectionProblem(conn, graph)) return null;
  return {
    type: 'connect',
    edge: { id: edgeId(conn.source, conn.target), source: conn.source, target: conn.target, sourceHandle: conn.sourceHandle ?? null, targetHandle: conn.targetHandle ?? null },
  };
}

/** A new node of `kind` at `position` with the kind's default config. */
export function addNodeOp(graph: Graph, kind: string, position: { x: number; y: number }): GraphOp | null {
  const def = getKind(kind);
  if (!def) return null;
  return {
    type: 'addNode',
    node: { id: nextNodeId(graph, kind), kind, position: { x: round(position.x), y: round(position.y) }, config: def.defaults() as Record<string, unknown> },
  };
}

/**
 * Where a step placed at `position` (top-left) lands without covering another: the first spot at or below it
 * (one row of `size` plus a gap at a time) whose box, with a gap around it, overlaps no node.
 */
export function freeSpot(graph: Graph, position: { x: number; y: number }, size: { width: number; height: number }, gap = 24): { x: number; y: number } {
  const covers = (p: { x: number; y: number }) =>
    graph.nodes.some((n) => Math.abs(n.position.x - p.x) < size.width + gap && Math.abs(n.position.y - p.y) < size.height + gap);
  let p = position;
  while (covers(p)) p = { ...p, y: p.y + size.height + gap * 2 };
  return p;
}

/** One undo step for the Delete key: selected edges, then selected nodes (and their edges). */
export function deleteSelectionOps(graph: Graph, nodeIds: readonly string[], edgeIds: readonly string[]): GraphOp[] {
  const ops: GraphOp[] = [];
  const edges = edgeIds.filter((id) => graph.edges.some((e) => e.id === id));
  const nodes = nodeIds.filter((id) => graph.nodes.some((n) => n.id === id));
  if (edges.length > 0) ops.push({ type: 'removeEdges', ids: edges });
  if (nodes.length > 0) ops.push({ type: 'removeNodes', ids: nodes });
  return ops;
}

/** Projects the graph onto flow nodes, keeping React Flow's measurements and selection. */
export function toFlowNodes(graph: Graph, prev: readonly Node[], diagnostics: readonly Diagnostic[]): WeftFlowNode[] {
  const old = new Map(prev.map((n) => [n.id, n]));
  // Each step's errors, in one pass over the diagnostics (not one pass per step: 500 steps × 500 problems per keystroke).
  const errorsOf = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    if (d.severity !== 'error' || !d.nodeId) continue;
    const list = errorsOf.get(d.nodeId);
    if (list) list.push(d);
    else errorsOf.set(d.nodeId, [d]);
  }
  return graph.nodes.map((node) => {
    const p = old.get(node.id);
    const errors = errorsOf.get(node.id) ?? NO_ERRORS;
    const prevData = p?.data as WeftNodeData | undefined;
    const samePosition = p && p.position.x === node.position.x && p.position.y === node.position.y;
    // The same object when nothing about the step changed, so React Flow skips it.
    if (p && samePosition && prevData && prevData.node === node && sameErrors(prevData.errors, errors)) return p as WeftFlowNode;
    const data: WeftNodeData = { node, summary: prevData?.node === node ? prevData.summary : nodeSummary(node), errors };
    const kindLabel = kindLabelOf(node) ?? node.kind;
    const name = node.label?.trim() || kindLabel;
    return {
      id: node.id,
      type: 'weft',
      position: p?.dragging ? p.position : node.position,
      data,
      // What a screen reader says on Tab: the step's name, its kind, and whether it needs fixing.
      ariaLabel: `${name}${name === kindLabel ? '' : `, ${kindLabel}`} step${errors.length ? `, ${errors.length} ${errors.length === 1 ? 'problem' : 'problems'}` : ''}`,
      ...(p?.measured ? { measured: p.measured } : {}),
      ...(p?.selected ? { selected: true } : {}),
      ...(p?.dragging ? { dragging: true } : {}),
    };
  });
}

const NO_ERRORS: Diagnostic[] = [];
const sameErrors = (a: readonly Diagnostic[], b: readonly Diagnostic[]) =>
  a.length === b.length && a.every((d, i) => d.message === b[i]?.message && d.path === b[i]?.path);

export function toFlowEdges(graph: Graph, prev: readonly Edge[], diagnostics: readonly Diagnostic[]): Edge[] {
  const old = new Map(prev.map((e) => [e.id, e]));
  const bad = new Set(diagnostics.filter((d) => d.edgeId).map((d) => d.edgeId));
  return graph.edges.map((e) => {
    const p = old.get(e.id);
    const className = bad.has(e.id) ? 'weft-edge weft-edge--error' : 'weft-edge';
    // The same object when nothing about the edge changed, so React Flow skips it (typing in the inspector of a
    // 500-step graph must not re-render 500 edges).
    if (p && p.source === e.source && p.target === e.target && p.sourceHandle === (e.sourceHandle ?? null) && p.targetHandle === (e.targetHandle ?? null) && p.className === className) return p;
    return {
      id: e.id,
      source: e.source,
      target: e.target,
      sourceHandle: e.sourceHandle ?? null,
      targetHandle: e.targetHandle ?? null,
      type: 'smoothstep',
      className,
      ...(p?.selected ? { selected: true } : {}),
    };
  });
}

/**
 * Whether `b` is `a` with only steps moved (what a drag makes): the compiler and the sample checks ignore positions,
 * so the designer keeps their results. Elements are compared by reference, as ops copy only what they change.
 */
export function onlyPositionsDiffer(a: Graph, b: Graph): boolean {
  if (a === b) return true;
  if (a.nodes.length !== b.nodes.length) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (k !== 'nodes' && (a as unknown as Record<string, unknown>)[k] !== (b as unknown as Record<string, unknown>)[k]) return false;
  return a.nodes.every((n, i) => {
    const m = b.nodes[i]!;
    if (n === m) return true;
    const nk = Object.keys(n) as (keyof GraphNode)[];
    return nk.length === Object.keys(m).length && nk.every((k) => k === 'position' || n[k] === m[k]);
  });
}
