// Which pipelines may be read in parts (issue 16; the rules are in runtime/activities/partitions.ts's header). Pure,
// so the workflow asks for parts only for a pipeline whose shape allows them (no planning round trip otherwise).
import { z } from 'zod';
import type { PlanStep } from '../compiler/plan';
import { FileSourceConfig } from '../graph/kinds/file-source';
import { SqlSourceConfig } from '../graph/kinds/sql-source';
import { TARGET_SYNC_DEFAULTS } from './target';

const TargetDeletes = z.object({ deletes: z.string().default(TARGET_SYNC_DEFAULTS.deletes) });

const ROW_BY_ROW = new Set(['map', 'filter', 'calculated-field']);
const TARGETS = new Set(['sql-target', 'workspace-target']);

/** Why a pipeline reads as one part, or null when its shape allows parts (its source decides how many). */
export function unsplittable(steps: readonly PlanStep[], resubmit: boolean): string | null {
  if (resubmit) return 'a resubmit run reads the inbox’s records';
  const source = steps[0];
  const target = steps[steps.length - 1];
  if (!source || !target || steps.length < 2) return 'a two-way sync reads and writes both its sides itself';
  if (source.kind === 'sql-source') {
    const c = SqlSourceConfig.safeParse(source.config);
    if (!c.success) return 'the source is not configured';
    if (c.data.cursorField) return 'an incremental read keeps one high-water mark per pipeline';
  } else if (source.kind === 'csv-source') {
    const c = FileSourceConfig.safeParse(source.config);
    if (!c.success) return 'the source is not configured';
    if (c.data.compression !== 'none') return 'a compressed file is read from its start';
    if (c.data.format !== 'csv' && c.data.format !== 'ndjson') return `a ${c.data.format.toUpperCase()} file is read from its start`;
  } else return `a ${source.kind} source is read in one part`;
  const stateful = steps.slice(1, -1).find((s) => !ROW_BY_ROW.has(s.kind));
  if (stateful) return `${stateful.label} is not a row-by-row step`;
  if (!TARGETS.has(target.kind)) return `a ${target.kind} target is written in one part`;
  const deletes = TargetDeletes.safeParse(target.config);
  if (!deletes.success || deletes.data.deletes !== 'ignore') return 'the target applies deletes, which compare every key the run read';
  return null;
}

