// The persisted design: nodes, edges and per-node config. Versioned, with its migrations beside it.
import { z } from 'zod';

export const GRAPH_VERSION = 1;

export const Position = z.object({ x: z.number().finite(), y: z.number().finite() });

export const GraphNode = z.object({
  id: z.string().min(1).max(64),
  kind: z.string().min(1).max(64),
  label: z.string().max(120).optional(),
  position: Position,
  /** Kind-specific; checked by the kind's own schema when compiling, so drafts may be incomplete. */
  config: z.record(z.string(), z.unknown()).default({}),
});
export type GraphNode = z.infer<typeof GraphNode>;

export const GraphEdge = z.object({
  id: z.string().min(1).max(160),
  source: z.string().min(1),
  target: z.string().min(1),
  sourceHandle: z.string().nullish(),
  targetHandle: z.string().nullish(),
});
export type GraphEdge = z.infer<typeof GraphEdge>;

export const Graph = z.object({
  version: z.literal(GRAPH_VERSION),
  nodes: z.array(GraphNode).max(500),
  edges: z.array(GraphEdge).max(2000),
});
export type Graph = z.infer<typeof Graph>;

export const emptyGraph = (): Graph => ({ version: GRAPH_VERSION, nodes: [], edges: [] });

/** Upgrades any stored graph to the current version. Version 0 (unversioned) had no `version`. */
export function migrateGraph(raw: unknown): Graph {
  if (raw && typeof raw === 'object' && !('version' in raw)) {
    return Graph.parse({ ...(raw as object), version: GRAPH_VERSION });
  }
  return Graph.parse(raw);
}
