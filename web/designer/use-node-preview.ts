// The live preview for the selected step: sample rows from each source (an upload's rows, cached per file and
// fetched after a reload; a previewed database table; workspace records), pushed through the same transforms a run
// uses, with one fixed clock per designer. Which rows a source offers is its web registry entry's `samples`.
import { useEffect, useMemo } from 'react';
import type { Graph, GraphNode, RowSchema } from '../../shared';
import { webKind, type SampleSourceId } from '../kinds/registry';
import { ensureDeepFileSample, isDeepFileSampleFailed, useDeepSampleVersion } from '../lib/deep-samples';
import { cachedFile, ensureFiles, isFileLoading, useFileCacheVersion } from '../lib/file-samples';
import { cachedSqlSample, ensureSqlSamples, isSqlSampleLoading, useSqlSampleVersion } from '../lib/sql-samples';
import { anyWorkspaceSampleLoading, cachedWorkspaceSample, ensureWorkspaceSamples, useWorkspaceSampleVersion } from '../lib/workspace-samples';
import { webhookRows } from '../../shared/webhooks/records';
import { stepPreview, type StepPreview } from './sampled-preview';

type Rows = Record<string, unknown>[];
type Schemas = Record<string, RowSchema | null>;

interface SampleSource {
  /** Re-renders the caller when samples arrive; the number is a cache version for memo deps. */
  useVersion(): number;
  /** Starts loading what these nodes need and is not loaded (or failed) yet. */
  ensure(nodes: readonly GraphNode[], schemas: Schemas): void;
  rows(node: GraphNode, schema: RowSchema | null | undefined): Rows | null;
  loading(node: GraphNode): boolean;
}

// A kind that reads uploaded files has its file's id in `config.fileId` (see `readsUploadedFiles`).
const fileIdOf = (node: GraphNode) => (typeof node.config.fileId === 'string' ? node.config.fileId : '');

const SAMPLES: Record<SampleSourceId, SampleSource> = {
  'uploaded-file': {
    useVersion: useFileCacheVersion,
    ensure: (nodes) => ensureFiles(nodes.map(fileIdOf).filter(Boolean)),
    rows: (node) => cachedFile(fileIdOf(node))?.sampleRows ?? null,
    loading: (node) => isFileLoading(fileIdOf(node)),
  },
  'sql-preview': {
    useVersion: useSqlSampleVersion,
    ensure: (nodes) => ensureSqlSamples(nodes.map((n) => n.config)),
    rows: (node) => cachedSqlSample(node.config),
    loading: (node) => isSqlSampleLoading(node.config),
  },
  // A webhook source's sample body, pasted in its inspector: read in the browser the way a run reads a request.
  'webhook-sample': {
    useVersion: () => 0,
    ensure: () => undefined,
    rows: (node) => {
      const sample = typeof node.config.sample === 'string' ? node.config.sample : '';
      const read = sample.trim() ? webhookRows(sample, typeof node.config.recordsPath === 'string' ? node.config.recordsPath : '') : null;
      return read?.ok ? read.rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v ?? '']))) : null;
    },
    loading: () => false,
  },
  'workspace-records': {
    useVersion: useWorkspaceSampleVersion,
    ensure: ensureWorkspaceSamples,
    rows: (node, schema) => cachedWorkspaceSample(node.config, schema),
    loading: () => anyWorkspaceSampleLoading(),
  },
};
const SAMPLE_IDS = Object.keys(SAMPLES) as SampleSourceId[];

const samplesOf = (node: GraphNode | undefined) => (node ? webKind(node.kind)?.samples : undefined);

/** Sample rows for a source node, or null when there are none (yet). */
export function sampleRowsFor(graph: Graph, schemas: Schemas = {}) {
  return (sourceNodeId: string): Rows | null => {
    const node = graph.nodes.find((n) => n.id === sourceNodeId);
    const from = samplesOf(node);
    return node && from ? SAMPLES[from].rows(node, schemas[node.id]) : null;
  };
}

export interface NodePreview extends Omit<StepPreview, 'deeper'> {
  /** Sample rows are still on their way from the server. */
  loading: boolean;
  /** Too few sample rows reach the step and Weft is reading further into the source. */
  deepening: boolean;
}

export function useNodePreview(graph: Graph, schemas: Schemas, nodeId: string | null, now: number): NodePreview | null {
  // The same hooks in the same order on every render: SAMPLE_IDS is a constant.
  const versions = SAMPLE_IDS.map((id) => SAMPLES[id].useVersion());
  const deepVersion = useDeepSampleVersion();
  const sources = useMemo(() => graph.nodes.flatMap((node) => {
    const from = samplesOf(node);
    return from ? [{ node, from }] : [];
  }), [graph]);
  useEffect(() => {
    for (const id of SAMPLE_IDS) SAMPLES[id].ensure(sources.filter((s) => s.from === id).map((s) => s.node), schemas);
  }, [sources, schemas, ...versions]);
  const result = useMemo((): (StepPreview & { loading: boolean }) | null => {
    if (!nodeId) return null;
    const loading = sources.some((s) => SAMPLES[s.from].loading(s.node));
    try {
      return { ...stepPreview(graph, schemas, nodeId, sampleRowsFor(graph, schemas), { now: () => now }), loading };
    } catch (e) {
      return { input: [], output: [], rejected: [], problem: `No preview: ${e instanceof Error ? e.message : String(e)}`, sampling: null, deeper: null, loading };
    }
    // `versions` re-run the preview when a source's sample rows arrive; `deepVersion` when a deeper sample does.
  }, [graph, schemas, nodeId, now, sources, deepVersion, ...versions]);
  // Too few sample rows reach the step: read further into the file (once per file and read settings).
  const deeper = result?.deeper ?? null;
  useEffect(() => {
    if (deeper) ensureDeepFileSample(deeper);
  }, [deeper]);
  return useMemo(() => {
    if (!result) return null;
    const { deeper: wanted, ...preview } = result;
    return { ...preview, deepening: wanted !== null && !isDeepFileSampleFailed(wanted) };
  }, [result]);
}
