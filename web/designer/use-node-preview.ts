// The live preview for the selected step: sample rows from each CSV source (cached per file, fetched
// after a reload) or previewed database table, pushed through the same transforms a run uses, with one
// fixed clock per designer.
import { useEffect, useMemo } from 'react';
import type { Graph, RowSchema } from '../../shared';
import { ensureDeepFileSample, isDeepFileSampleFailed, useDeepSampleVersion } from '../lib/deep-samples';
import { cachedFile, ensureFiles, isFileLoading, useFileCacheVersion } from '../lib/file-samples';
import { cachedSqlSample, ensureSqlSamples, isSqlSampleLoading, useSqlSampleVersion } from '../lib/sql-samples';
import { anyWorkspaceSampleLoading, cachedWorkspaceSample, useWorkspaceSamples } from '../lib/workspace-samples';
import { stepPreview, type StepPreview } from './sampled-preview';

const fileIdOf = (config: Record<string, unknown>) => (typeof config.fileId === 'string' ? config.fileId : '');

/** Sample rows for a source node, or null when there are none (yet). */
export function sampleRowsFor(graph: Graph, schemas: Record<string, RowSchema | null> = {}) {
  return (sourceNodeId: string): Record<string, unknown>[] | null => {
    const node = graph.nodes.find((n) => n.id === sourceNodeId);
    if (node?.kind === 'sql-source') return cachedSqlSample(node.config);
    if (node?.kind === 'workspace-source') return cachedWorkspaceSample(node.config, schemas[node.id]);
    if (node?.kind !== 'csv-source') return null;
    return cachedFile(fileIdOf(node.config))?.sampleRows ?? null;
  };
}

export interface NodePreview extends Omit<StepPreview, 'deeper'> {
  /** Sample rows are still on their way from the server. */
  loading: boolean;
  /** Too few sample rows reach the step and Weft is reading further into the source. */
  deepening: boolean;
}

export function useNodePreview(graph: Graph, schemas: Record<string, RowSchema | null>, nodeId: string | null, now: number): NodePreview | null {
  const version = useFileCacheVersion();
  const fileIds = graph.nodes.filter((n) => n.kind === 'csv-source').map((n) => fileIdOf(n.config)).filter(Boolean);
  const key = fileIds.join('\n');
  useEffect(() => ensureFiles(key ? key.split('\n') : []), [key]);
  const sqlVersion = useSqlSampleVersion();
  const sqlConfigs = graph.nodes.filter((n) => n.kind === 'sql-source').map((n) => n.config);
  useEffect(() => ensureSqlSamples(sqlConfigs), [graph]);
  const workspaceVersion = useWorkspaceSamples(graph, schemas);
  const deepVersion = useDeepSampleVersion();
  const result = useMemo((): (StepPreview & { loading: boolean }) | null => {
    if (!nodeId) return null;
    const loading = fileIds.some(isFileLoading) || sqlConfigs.some(isSqlSampleLoading) || anyWorkspaceSampleLoading();
    try {
      return { ...stepPreview(graph, schemas, nodeId, sampleRowsFor(graph, schemas), { now: () => now }), loading };
    } catch (e) {
      return { input: [], output: [], rejected: [], problem: `No preview: ${e instanceof Error ? e.message : String(e)}`, sampling: null, deeper: null, loading };
    }
    // `version` re-runs the preview when a file's sample rows arrive; `deepVersion` when a deeper sample does.
  }, [graph, schemas, nodeId, now, version, sqlVersion, workspaceVersion, key, deepVersion]);
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
