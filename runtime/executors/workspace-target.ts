// Workspace target: hands its batch to the store, which upserts it in the same transaction as the checkpoint.
import { WorkspaceTargetConfig } from '../../shared/graph/kinds';
import { defineExecutor, PlanError } from './types';
import { targetSync } from './target-sync';
import { prepareUpsert, upsertsInStore } from '../store/workspace-write';
import type { WorkspaceWrite } from '../store/types';

export const workspaceTargetExecutor = defineExecutor({
  kind: 'workspace-target',
  config: WorkspaceTargetConfig,
  needs: ['sync'],
  create(config, step, { sync }) {
    const input = step.input;
    if (!input) throw new PlanError(`${step.label} has no input schema; publish the integration again.`);
    // Issue 14: "Allow new records" off updates existing matches only (missing keys: skipped: no match); rows deleted
    // at the source are held out of the write for the delete phase.
    const changes = targetSync(step.nodeId, config, input.key, sync);
    if (changes.updateOnly && input.key.length === 0) throw new PlanError(`${step.label} does not allow new records, so it must match records on a key. Mark a key field in the Map and publish again.`);
    return {
      role: 'target',
      contribute(all) {
        const { write: rows, keys } = changes.split(all);
        const workspaceWrite: WorkspaceWrite = {
          object: config.object,
          key: input.key,
          fields: input.fields,
          mode: changes.updateOnly ? 'update' : config.mode,
          ...(changes.updateOnly && { missing: 'skip' as const }),
          ...(changes.rewrite && { rewrite: true }),
          rows: rows.map((r) => r.values),
          rowNumbers: rows.map((r) => r.rowNumber),
          sources: rows.map((r) => r.source),
          nodeId: step.nodeId,
        };
        // An upsert's rows are checked and serialized here, in the pipeline's write stage, beside the previous batch's
        // commit, rather than in its own commit, which batches take one at a time (issue 16).
        const prepared = upsertsInStore(workspaceWrite) ? prepareUpsert(workspaceWrite) : null;
        return { workspaceWrite: prepared ? { ...workspaceWrite, prepared } : workspaceWrite, ...(keys && { sync: { keys } }) };
      },
    };
  },
});
