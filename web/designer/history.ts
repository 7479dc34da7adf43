// Undo/redo over the op history: each entry is the ops applied and the graph they were applied to.
import { applyOps, type Graph, type GraphOp } from '../../shared';

export interface HistoryEntry {
  ops: GraphOp[];
  before: Graph;
  /** Consecutive commits with the same key (typing in one field) merge into one undo step. */
  mergeKey?: string;
  at: number;
}

export interface History {
  graph: Graph;
  past: HistoryEntry[];
  future: HistoryEntry[];
}

export const HISTORY_LIMIT = 200;
const MERGE_WINDOW_MS = 1500;

export const createHistory = (graph: Graph): History => ({ graph, past: [], future: [] });

const json = (v: unknown) => JSON.stringify(v);
/** The same elements, compared by reference first: an op copies only what it changes, so at 500 steps this compares
 * one step's JSON, not the whole graph's twice per keystroke. */
const sameList = (a: readonly unknown[], b: readonly unknown[]) => a === b || (a.length === b.length && a.every((x, i) => x === b[i] || json(x) === json(b[i])));
function same(a: Graph, b: Graph): boolean {
  if (a === b) return true;
  const { nodes: an, edges: ae, ...ar } = a;
  const { nodes: bn, edges: be, ...br } = b;
  return sameList(an, bn) && sameList(ae, be) && json(ar) === json(br);
}

export function commit(h: History, ops: readonly GraphOp[], opts: { mergeKey?: string; at?: number } = {}): History {
  if (ops.length === 0) return h;
  const next = applyOps(h.graph, ops);
  if (same(next, h.graph)) return h;
  const at = opts.at ?? Date.now();
  const last = h.past[h.past.length - 1];
  if (opts.mergeKey && last && last.mergeKey === opts.mergeKey && at - last.at <= MERGE_WINDOW_MS) {
    const merged: HistoryEntry = { ...last, ops: [...last.ops, ...ops], at };
    return { graph: next, past: [...h.past.slice(0, -1), merged], future: [] };
  }
  const entry: HistoryEntry = { ops: [...ops], before: h.graph, at, ...(opts.mergeKey ? { mergeKey: opts.mergeKey } : {}) };
  return { graph: next, past: [...h.past, entry].slice(-HISTORY_LIMIT), future: [] };
}

export function undo(h: History): History {
  const last = h.past[h.past.length - 1];
  if (!last) return h;
  return { graph: last.before, past: h.past.slice(0, -1), future: [...h.future, { ...last, mergeKey: undefined }] };
}

export function redo(h: History): History {
  const next = h.future[h.future.length - 1];
  if (!next) return h;
  return { graph: applyOps(next.before, next.ops), past: [...h.past, next], future: h.future.slice(0, -1) };
}

export const canUndo = (h: History) => h.past.length > 0;
export const canRedo = (h: History) => h.future.length > 0;
