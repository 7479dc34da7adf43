// The run's sync state for one pipeline (issue 14): what its source reads (full, or since the kept cursor; recorded
// once so retries and resumes read the same), whether its target may compare keys, and the target's delete settings.
import type { PlanStep } from '../../shared/compiler/plan';
import type { Field } from '../../shared/graph/field-types';
import { SqlSourceConfig, SqlTargetConfig, WorkspaceSourceConfig, WorkspaceTargetConfig } from '../../shared/graph/kinds';
import type { DeleteMode } from '../../shared/sync/target';
import { UPDATED_AT } from '../connections/sessions';
import { cursorKindFor } from '../executors/source-sync';
import type { PipelineSync } from '../executors/types';
import type { Store } from '../store/types';

/** A pipeline's source settings for syncs: its cursor and soft-delete fields and whether it reads a subset. */
function sourceSettings(step: PlanStep): { cursorField: string; softDeleteField: string; filtered: boolean; fields: Field[] } | null {
  if (step.kind === 'sql-source') {
    const c = SqlSourceConfig.parse(step.config);
    return { cursorField: c.cursorField, softDeleteField: c.softDeleteField, filtered: c.query.trim() !== '', fields: c.columns };
  }
  if (step.kind === 'workspace-source') {
    const c = WorkspaceSourceConfig.parse(step.config);
    const fields = [...(step.output?.fields ?? c.columns), { name: UPDATED_AT, type: 'datetime' as const }];
    return { cursorField: c.cursorField, softDeleteField: c.softDeleteField, filtered: c.filter.trim() !== '', fields };
  }
  return null;
}

/** The pipeline's sync for this run, or undefined for a source that cannot sync (files: out of scope). */
export async function beginPipelineSync(store: Store, integrationId: string, runId: string, pipelineId: string, steps: readonly PlanStep[], fullSync: boolean, refresh = false): Promise<PipelineSync | undefined> {
  const source = steps[0];
  const settings = source ? sourceSettings(source) : null;
  if (!source || !settings) return undefined;
  const field = settings.cursorField || null;
  const kind = field ? cursorKindFor(source.label, field, settings.fields) : null;
  // "Sync and refresh" reads in full (the cursor then moves as after a full sync) and rewrites every matched record.
  const read = await store.sync.beginSourceRead({ runId, pipelineId, nodeId: source.nodeId, integrationId, field, kind, fullSync: fullSync || refresh });
  const filterStep = steps.some((s) => s.kind === 'filter');
  return { read, sourceSoftDeleteField: settings.softDeleteField, compareKeys: read.full && !settings.filtered && !filterStep, ...(refresh && { refresh: true }) };
}

/** A target's delete settings, or null for a kind without them. */
export function targetDeleteSettings(step: PlanStep): { deletes: DeleteMode; softDeleteField: string; deleteThresholdPercent: number } | null {
  if (step.kind === 'sql-target') {
    const c = SqlTargetConfig.parse(step.config);
    return { deletes: c.deletes, softDeleteField: c.softDeleteField, deleteThresholdPercent: c.deleteThresholdPercent };
  }
  if (step.kind === 'workspace-target') {
    const c = WorkspaceTargetConfig.parse(step.config);
    return { deletes: c.deletes, softDeleteField: c.softDeleteField, deleteThresholdPercent: c.deleteThresholdPercent };
  }
  return null;
}
