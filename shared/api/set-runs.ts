// A set run's workflow ids and its status from its members' outcomes, without zod: the workflow bundle imports this
// module (every module in that bundle is evaluated again for each new workflow, issue 16). shared/api/sets.ts
// re-exports it.
import type { RunStatus } from './run-status';

/** The workflow id of a set run, and of its member at `position`: child ids derive from the set run id. */
export const setRunWorkflowId = (setRunId: string) => `set-run-${setRunId}`;
export const setMemberWorkflowId = (setRunId: string, position: number) => `set-run-${setRunId}-member-${position}`;

/** The set's status from its members' outcomes (when every member that was going to run has ended). */
export function setRunStatus(outcomes: readonly (RunStatus | null)[], aborted: boolean): RunStatus {
  if (aborted) return 'failed';
  return outcomes.every((s) => s === 'completed') ? 'completed' : 'completed_with_errors';
}
