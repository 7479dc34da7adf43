// Workspace target: hands its batch to the store, which upserts it in the same transaction as the checkpoint.
import { WorkspaceTargetConfig } from '../../shared/graph/kinds';
import { defineExecutor, PlanError } from './types';

export const workspaceTargetExecutor = defineExecutor({
  kind: 'workspace-target',
  config: WorkspaceTargetConfig,
  create(config, step) {
    const input = step.input;
    if (!input) throw new PlanError(`${step.label} has no input schema; publish the integration again.`);
    return {
      role: 'target',
      contribute(rows) {
        return {
          workspaceWrite: {
            object: config.object,
            key: input.key,
            fields: input.fields,
            mode: config.mode,
            rows: rows.map((r) => r.values),
            rowNumbers: rows.map((r) => r.rowNumber),
            sources: rows.map((r) => r.source),
            nodeId: step.nodeId,
          },
        };
      },
    };
  },
});
