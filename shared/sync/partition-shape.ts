// Which pipelines may be read in parts (issue 16; the rules are in runtime/activities/partitions.ts's header). Pure,
// so the workflow asks for parts only for a pipeline whose shape allows them (no planning round trip otherwise).
import type { PlanStep } from '../compiler/plan';

// No zod here: the workflow bundle imports this module, and every module in that bundle is evaluated again for each
// new workflow (issue 16). A published plan's configs passed their kinds' schemas already, so the fields read below
// are there or at their schema's default (the defaults are repeated here; partition-shape.test.ts checks they agree).
/** FileSourceConfig's defaults for `format` and `compression`, TARGET_SYNC_DEFAULTS.deletes. */
export const SHAPE_DEFAULTS = { format: 'csv', compression: 'none', deletes: 'ignore' } as const;

const field = (config: unknown, name: string): unknown => (config !== null && typeof config === 'object' ? (config as Record<string, unknown>)[name] : undefined);
const text = (config: unknown, name: string, fallback: string): string => {
  const v = field(config, name);
  return typeof v === 'string' ? v : fallback;
};

const ROW_BY_ROW = new Set(['map', 'filter', 'calculated-field']);
const TARGETS = new Set(['sql-target', 'workspace-target']);

/** Why a pipeline reads as one part, or null when its shape allows parts (its source decides how many). */
export function unsplittable(steps: readonly PlanStep[], resubmit: boolean): string | null {
  if (resubmit) return 'a resubmit run reads the inbox’s records';
  const source = steps[0];
  const target = steps[steps.length - 1];
  if (!source || !target || steps.length < 2) return 'a two-way sync reads and writes both its sides itself';
  if (source.kind === 'sql-source') {
    if (typeof source.config !== 'object' || source.config === null) return 'the source is not configured';
    if (text(source.config, 'cursorField', '')) return 'an incremental read keeps one high-water mark per pipeline';
  } else if (source.kind === 'csv-source') {
    if (typeof source.config !== 'object' || source.config === null) return 'the source is not configured';
    if (text(source.config, 'compression', SHAPE_DEFAULTS.compression) !== 'none') return 'a compressed file is read from its start';
    const format = text(source.config, 'format', SHAPE_DEFAULTS.format);
    if (format !== 'csv' && format !== 'ndjson') return `a ${format.toUpperCase()} file is read from its start`;
  } else return `a ${source.kind} source is read in one part`;
  const stateful = steps.slice(1, -1).find((s) => !ROW_BY_ROW.has(s.kind));
  if (stateful) return `${stateful.label} is not a row-by-row step`;
  if (!TARGETS.has(target.kind)) return `a ${target.kind} target is written in one part`;
  if (text(target.config, 'deletes', SHAPE_DEFAULTS.deletes) !== 'ignore') return 'the target applies deletes, which compare every key the run read';
  return null;
}


/**
 * The task queue parts of a split pipeline run on (issue 16): every worker process polls it with at most its cap of
 * parts at once (runtime/temporal/worker.ts), so a part waits on the server until some worker has a free place.
 */
export const partsTaskQueue = (taskQueue: string): string => `${taskQueue}-parts`;
