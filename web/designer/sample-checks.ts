// The designer's checks on sample rows (shared/sample-checks.ts), for every Map step, live as the graph and the
// samples change; their warnings join the compiler's in the problems list.
import { useMemo } from 'react';
import { mappedSampleProblems, valueMapSampleProblems, valueMapTable, type Diagnostic, type Graph, type RowSchema } from '../../shared';
import { useFileCacheVersion } from '../lib/file-samples';
import { useDeepSampleVersion } from '../lib/deep-samples';
import { useSqlSampleVersion } from '../lib/sql-samples';
import { stepPreview } from './sampled-preview';
import { sampleRowsFor } from './use-node-preview';

export function useSampleProblems(graph: Graph, schemas: Record<string, RowSchema | null>, now: number): Diagnostic[] {
  const files = useFileCacheVersion();
  const sql = useSqlSampleVersion();
  const deep = useDeepSampleVersion();
  return useMemo(() => {
    const out: Diagnostic[] = [];
    const valueMaps = valueMapTable(graph.valueMaps);
    for (const node of graph.nodes) {
      if (node.kind !== 'map') continue;
      const upstream = graph.edges.find((e) => e.target === node.id)?.source;
      try {
        const preview = stepPreview(graph, schemas, node.id, sampleRowsFor(graph, schemas), { now: () => now });
        out.push(...mappedSampleProblems(node.id, node.config, upstream ? (schemas[upstream] ?? null) : null, preview.input));
        out.push(...valueMapSampleProblems(node.id, node.config, valueMaps, preview.input));
      } catch {
        // A step the preview cannot run has its own problem already.
      }
    }
    return out;
  }, [graph, schemas, now, files, sql, deep]);
}
