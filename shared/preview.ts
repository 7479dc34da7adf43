// The designer's live preview: sample rows from each source, typed and pushed through the same transforms
// a run uses, up to the node being edited. Pure: the browser supplies the sample rows.
import type { RowSchema } from './graph/field-types';
import { getKind } from './graph/kinds';
import { valueMapTable, type Graph } from './graph/schema';
import { PARAMETER_NAME } from './graph/parameters';
import { createTransform, typeSourceRows, type FlowRow, type RejectedRow, type TransformEnv } from './transforms';

export interface PreviewResult {
  /** The rows that reach the node (its input), after the upstream steps. */
  input: FlowRow[];
  /** What the node makes of them (transforms only; a target's output is its input). */
  output: FlowRow[];
  rejected: RejectedRow[];
  /** Why no preview could be made (an upstream step is misconfigured, or no sample rows). */
  problem: string | null;
}

/** The chain of node ids from a source down to `nodeId` (every step here has at most one input). */
export function upstreamChain(graph: Graph, nodeId: string): string[] {
  const chain = [nodeId];
  const seen = new Set(chain);
  let cur = nodeId;
  for (;;) {
    const edge = graph.edges.find((e) => e.target === cur);
    if (!edge || seen.has(edge.source)) break;
    chain.unshift(edge.source);
    seen.add(edge.source);
    cur = edge.source;
  }
  return chain;
}

export function previewAt(
  graph: Graph,
  schemas: Record<string, RowSchema | null>,
  nodeId: string,
  sampleRows: (sourceNodeId: string) => Record<string, unknown>[] | null,
  env: TransformEnv = {},
): PreviewResult {
  return previewRowsAt(graph, schemas, nodeId, (id) => sampleRows(id)?.map((values, i) => ({ rowNumber: i + 1, values })) ?? null, env);
}

/** A source's sample row with its record number in the source (1-based). */
export interface NumberedRow {
  rowNumber: number;
  values: Record<string, unknown>;
}

/** previewAt over sample rows that carry their own record numbers (a deeper sample, a pinned row). */
export function previewRowsAt(
  graph: Graph,
  schemas: Record<string, RowSchema | null>,
  nodeId: string,
  sampleRows: (sourceNodeId: string) => NumberedRow[] | null,
  env: TransformEnv = {},
): PreviewResult {
  const chain = upstreamChain(graph, nodeId);
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  // PARAM reads each declared parameter's default in the preview (a run gives its own values).
  const declared = (graph.parameters ?? []).filter((p) => PARAMETER_NAME.test(p.name));
  const fullEnv: TransformEnv = {
    valueMaps: valueMapTable(graph.valueMaps),
    parameters: declared.map((p) => ({ name: p.name, type: p.type })),
    params: new Map(declared.filter((p) => p.default !== undefined && p.default !== null && p.default !== '').map((p) => [p.name, p.default])),
    ...env,
  };
  const empty = (problem: string): PreviewResult => ({ input: [], output: [], rejected: [], problem });
  const sourceId = chain[0] as string;
  const source = nodes.get(sourceId);
  if (!source || getKind(source.kind)?.category !== 'source') return empty('Connect a source to see a preview');
  const samples = sampleRows(sourceId);
  const sourceSchema = schemas[sourceId];
  if (!samples || !sourceSchema) return empty('Load a file in the source to see a preview');

  const typed = typeSourceRows(sourceId, sourceSchema.fields, samples);
  let rows = typed.rows;
  const rejected: RejectedRow[] = [...typed.rejected];
  if (chain.length === 1) return { input: [], output: rows, rejected, problem: null };

  for (const id of chain.slice(1)) {
    const node = nodes.get(id);
    if (!node) return empty('The graph changed; reselect the step');
    const kind = getKind(node.kind);
    if (kind?.category !== 'transform') return { input: rows, output: rows, rejected, problem: null };
    const upstream = graph.edges.find((e) => e.target === id)?.source;
    let transform;
    try {
      transform = createTransform({ nodeId: id, kind: node.kind, label: node.label ?? kind.label, config: node.config, input: upstream ? (schemas[upstream] ?? null) : null }, fullEnv);
    } catch (err) {
      if (id === nodeId) return { input: rows, output: [], rejected, problem: err instanceof Error ? err.message : String(err) };
      return empty(`Fix "${node.label ?? kind.label}" to see a preview here`);
    }
    const result = transform.apply(rows);
    if (id === nodeId) return { input: rows, output: result.rows, rejected: [...rejected, ...result.rejected], problem: null };
    rows = result.rows;
    rejected.push(...result.rejected);
  }
  return { input: rows, output: rows, rejected, problem: null };
}
