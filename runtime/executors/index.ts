// The executor registry: one entry per node kind, keyed by the kinds' own union so none can be missing.
import type { PlanStep } from '../../shared/compiler/plan';
import { isKindId, type KindId } from '../../shared/graph/kinds';
import { fileSourceExecutor } from './file-source';
import { sqlSourceExecutor } from './sql-source';
import { sqlTargetExecutor } from './sql-target';
import { transformExecutor } from './transform';
import { PlanError, type Executor, type ExecutorDef, type ExecutorDeps } from './types';
import { webhookSourceExecutor } from './webhook-source';
import { workspaceSourceExecutor } from './workspace-source';
import { workspaceTargetExecutor } from './workspace-target';
import { twoWaySyncExecutor } from './two-way-sync';

export const EXECUTORS: { readonly [K in KindId]: ExecutorDef<K> } = {
  'csv-source': fileSourceExecutor,
  'sql-source': sqlSourceExecutor,
  'workspace-source': workspaceSourceExecutor,
  'webhook-source': webhookSourceExecutor,
  map: transformExecutor('map'),
  filter: transformExecutor('filter'),
  'calculated-field': transformExecutor('calculated-field'),
  'workspace-target': workspaceTargetExecutor,
  'sql-target': sqlTargetExecutor,
  'two-way-sync': twoWaySyncExecutor,
};

export async function createExecutor(step: PlanStep, deps: ExecutorDeps): Promise<Executor> {
  if (!isKindId(step.kind)) throw new PlanError(`${step.label} is a "${step.kind}" step, which this version of Weft cannot run.`);
  return EXECUTORS[step.kind].create(step, deps);
}

export * from './types';
export * from './pipeline';
