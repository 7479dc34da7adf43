// The persisted design: nodes, edges and per-node config. Versioned, with its migrations beside it.
import { MAX_PARALLELISM } from '../sync/partitions';
import { z } from 'zod';
import { RunParameter } from './parameters';
import { GRAPH_VERSION } from './version';

export { emptyGraph, GRAPH_VERSION } from './version';

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

/** A named table of replacements that formulas read with LOOKUP(value, "name"). */
export const ValueMap = z.object({
  // Lenient on purpose: a draft with a half-typed map must still save; the compiler reports what is wrong.
  name: z.string().max(200),
  entries: z.array(z.object({ from: z.string().max(10_000), to: z.string().max(10_000) })).max(50_000),
});
export type ValueMap = z.infer<typeof ValueMap>;

/** How runs of the integration behave, frozen into the plan at publish (so a resumed run keeps them). */
export const IntegrationSettings = z.object({
  /** How long a run waits for an unreachable source or target before it fails; Weft's WEFT_OUTAGE_WINDOW_MINUTES when unset. */
  outageWindowMinutes: z
    .number()
    .positive()
    .max(7 * 24 * 60)
    .optional(),
  /** A run that rejects more than this share of the records it read is Failed (null: no limit); a run's own params (`maxRejectedPercent`) win. */
  maxRejectedPercent: z.number().min(0).max(100).nullable().optional(),
  /** The integration's sync switch (two-way sync): false stops every pair from syncing; on when unset. */
  syncEnabled: z.boolean().optional(),
  /** Issue 16: how many parts a large source is read in, side by side on any worker (1: never split; unset: by size). */
  parallelism: z.number().int().min(1).max(MAX_PARALLELISM).optional(),
});
export type IntegrationSettings = z.infer<typeof IntegrationSettings>;

export const Graph = z.object({
  version: z.literal(GRAPH_VERSION),
  nodes: z.array(GraphNode).max(500),
  edges: z.array(GraphEdge).max(2000),
  valueMaps: z.array(ValueMap).max(100).optional(),
  settings: IntegrationSettings.optional(),
  /** Run parameters: each run gives values (or the defaults); PARAM("name") and {{name}} in SQL filters read them. */
  parameters: z.array(RunParameter).max(50).optional(),
});
export type Graph = z.infer<typeof Graph>;


/** Value maps as formulas read them: name -> (from -> to). */
export function valueMapTable(maps: readonly ValueMap[] | undefined): Record<string, Record<string, unknown>> {
  const table: Record<string, Record<string, unknown>> = Object.create(null) as Record<string, Record<string, unknown>>;
  for (const m of maps ?? []) {
    const entries: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const e of m.entries) entries[e.from] = e.to;
    table[m.name] = entries;
  }
  return table;
}

/** Upgrades any stored graph to the current version. Version 0 (unversioned) had no `version`. */
export function migrateGraph(raw: unknown): Graph {
  if (raw && typeof raw === 'object' && !('version' in raw)) {
    return Graph.parse({ ...(raw as object), version: GRAPH_VERSION });
  }
  return Graph.parse(raw);
}
