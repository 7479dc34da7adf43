// The step's preview over the rows that matter (shared/sampling.ts): the source's first rows, or, when too few
// of them reach the step, a deeper sample of a file source read on demand (web/lib/deep-samples.ts); the
// pinned row first. Kept apart from use-node-preview's per-kind sample lookup.
import { previewSourceOf, readsUploadedFiles, sampledPreviewAt, SAMPLE_LIMITS, type Graph, type RowSchema, type SampledPreview, type SourceSample, type TransformEnv } from '../../shared';
import { cachedDeepFileSample } from '../lib/deep-samples';

export interface StepPreview extends SampledPreview {
  /** A file source's config whose deeper sample would let more rows reach the step (not read yet). */
  deeper: Record<string, unknown> | null;
}

export function stepPreview(
  graph: Graph,
  schemas: Record<string, RowSchema | null>,
  nodeId: string,
  sampleRows: (sourceNodeId: string) => Record<string, unknown>[] | null,
  env: TransformEnv,
): StepPreview {
  const source = previewSourceOf(graph, nodeId);
  const first = source ? sampleRows(source.id) : null;
  // Only file sources can be read further for now; a database's or the workspace's first rows are all there is.
  const readable = source ? readsUploadedFiles(source.kind) : false;
  const deep = readable && source ? cachedDeepFileSample(source.config) : null;
  const shallow: SourceSample | null = first
    ? { rows: first.map((values, i) => ({ rowNumber: i + 1, values })), scanned: first.length, complete: !readable || first.length < SAMPLE_LIMITS.want }
    : null;
  const result = sampledPreviewAt(graph, schemas, nodeId, deep ?? shallow, env);
  return { ...result, deeper: !deep && readable && source && result.sampling?.short ? source.config : null };
}
