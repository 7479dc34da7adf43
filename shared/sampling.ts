// Previews that show the rows that matter: when a filter lets none (or few) of a source's first rows through,
// the designer reads further into the source, up to SAMPLE_LIMITS, and previews each step on the first rows
// that reach it ("10 of the first 2,400 rows pass"). A person may pin one source row: it is kept in the draft
// (the source node's `pinnedSample`) and goes first into every preview downstream. Pure: the browser fetches.
import type { RowSchema } from './graph/field-types';
import { getKind } from './graph/kinds';
import type { Graph } from './graph/schema';
import { SAMPLE_LIMITS } from './sample-limits';
import { previewRowsAt, upstreamChain, type NumberedRow, type PreviewResult } from './preview';
import type { TransformEnv } from './transforms';
import { emptyRecord } from './util/records';

export { SAMPLE_LIMITS };

/** Rows read from the start of a source. */
export interface SourceSample {
  rows: NumberedRow[];
  /** Records read to find them (more than rows.length when the source's own filter skipped some). */
  scanned: number;
  /** The source has no more records than these (or a deeper read is not possible for it). */
  complete: boolean;
}

export interface Sampling {
  /** Rows that reach the step (a filter's: that it lets through), at most `want` unless the pinned row adds one. */
  reached: number;
  /** Records of the source read to find them: "of the first N rows". */
  read: number;
  /** Whether the sample went past the source's first rows. */
  deep: boolean;
  /** Fewer than `want` rows reach the step, and more of the source could be read to find others. */
  short: boolean;
  /** The pinned row's record number, when one is pinned and readable. */
  pinned: number | null;
}

export interface SampledPreview extends PreviewResult {
  sampling: Sampling | null;
}

/** The pinned row kept on a source node's config, if it is well formed. */
export function pinnedRowOf(config: Record<string, unknown>): NumberedRow | null {
  const p = config.pinnedSample;
  if (!p || typeof p !== 'object') return null;
  const { rowNumber, values } = p as { rowNumber?: unknown; values?: unknown };
  if (typeof rowNumber !== 'number' || !Number.isInteger(rowNumber) || !values || typeof values !== 'object' || Array.isArray(values)) return null;
  return { rowNumber, values: Object.assign(emptyRecord(), values as Record<string, unknown>) };
}

/** The source node a step's preview reads from, if the chain up from it starts at a source. */
export function previewSourceOf(graph: Graph, nodeId: string): Graph['nodes'][number] | null {
  const first = upstreamChain(graph, nodeId)[0];
  const node = graph.nodes.find((n) => n.id === first);
  return node && getKind(node.kind)?.category === 'source' ? node : null;
}

/**
 * The preview at `nodeId` over a source sample: the pinned row first, then the source's rows up to the one by
 * which `want` rows reach the step (so a deep sample of 10,000 rows still previews on the first that matter).
 */
export function sampledPreviewAt(
  graph: Graph,
  schemas: Record<string, RowSchema | null>,
  nodeId: string,
  sample: SourceSample | null,
  env: TransformEnv = {},
  want: number = SAMPLE_LIMITS.want,
): SampledPreview {
  const source = previewSourceOf(graph, nodeId);
  const pinned = source ? pinnedRowOf(source.config) : null;
  const node = graph.nodes.find((n) => n.id === nodeId);
  const category = getKind(node?.kind ?? '')?.category;
  const withPin = (rows: NumberedRow[]) => (pinned ? [pinned, ...rows.filter((r) => r.rowNumber !== pinned.rowNumber)] : rows);
  const run = (rows: NumberedRow[] | null) => previewRowsAt(graph, schemas, nodeId, (id) => (id === source?.id && rows ? withPin(rows) : null), env);
  // The rows that matter: those a filter lets through; for any other step, those that reach it.
  const reaching = (r: PreviewResult) => (node?.kind === 'filter' ? r.output : r.input);

  const all = run(sample?.rows ?? null);
  if (!sample || !source || all.problem !== null || category === 'source') return { ...all, sampling: null };
  // A pinned row counts as one of the rows read only when it is one of them (not when it comes from further on).
  const pinnedRead = pinned !== null && sample.rows.some((r) => r.rowNumber === pinned.rowNumber);
  const counted = (rows: readonly NumberedRow[], upTo = Number.POSITIVE_INFINITY) =>
    rows.filter((r) => r.rowNumber <= upTo && (pinnedRead || r.rowNumber !== pinned?.rowNumber)).sort((x, y) => x.rowNumber - y.rowNumber);
  const deep = sample.rows.length > want;
  const pinnedNo = pinned?.rowNumber ?? null;
  const reachingAll = counted(reaching(all));
  if (reachingAll.length <= want) {
    return { ...all, sampling: { reached: reachingAll.length, read: sample.scanned, deep, short: reachingAll.length < want && !sample.complete, pinned: pinnedNo } };
  }
  // Cut at the record by which `want` rows got through, and preview on the records up to it.
  const last = (reachingAll[want - 1] as NumberedRow).rowNumber;
  const cut = run(sample.rows.filter((r) => r.rowNumber <= last));
  return { ...cut, sampling: { reached: counted(reaching(cut), last).length, read: last, deep, short: false, pinned: pinnedNo } };
}

/** "10 of the first 2,400 rows pass" (a filter) / "… reach this step", or null when nothing needs saying. */
export function samplingSummary(s: Sampling | null, kind: string): string | null {
  if (!s || (!s.deep && s.pinned === null && !s.short)) return null;
  const verb = kind === 'filter' ? 'pass' : 'reach this step';
  const of = s.read === 1 ? 'the first row' : `the first ${s.read.toLocaleString('en')} rows`;
  const pinned = s.pinned !== null ? ` · pinned row ${s.pinned.toLocaleString('en')}` : '';
  return `${s.reached.toLocaleString('en')} of ${of} ${verb}${pinned}`;
}
