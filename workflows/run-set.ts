// An integration set's run: the parent workflow runs each member as a child workflow (the same syncIntegration a
// manual run uses), one after another, and stops at the first failure when the set says "Abort the set when an
// integration fails". Child ids derive from the set run id (set-run-<setRunId>-member-<position>), so a replay or a
// retried start finds the same children. Cancelling the set cancels the current child, which records its run as
// Cancelled, then the set run says Cancelled.
import {
  CancellationScope,
  ChildWorkflowFailure,
  executeChild,
  isCancellation,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { RunStatus } from '../shared/api/run-status';
import { setMemberWorkflowId, setRunStatus, setRunWorkflowId } from '../shared/api/set-runs';
import type { Activities } from '../runtime/activities';
import { checkRunSetInput, checkScheduledSetInput, type RunSetWorkflowInput, type ScheduledSetInput } from './inputs';
import { failureMessage, syncIntegration } from './sync-integration';

export type { RunSetWorkflowInput, ScheduledSetInput } from './inputs';

export interface RunSetResult {
  setRunId: string;
  status: RunStatus;
  members: (RunStatus | null)[];
}

const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: ['PlanError', 'InvalidInput'] },
});

const failed = (status: RunStatus | null) => status === 'failed' || status === 'cancelled';

export async function runSet(rawInput: RunSetWorkflowInput): Promise<RunSetResult> {
  const { setRunId, pipeline } = checkRunSetInput(rawInput);
  let members: { integrationId: string; name: string }[] = [];
  let abortOnFailure = true;
  let outcomes: (RunStatus | null)[] = [];
  let stoppedAt: number | null = null;

  try {
    // Inside the try: a set run cancelled before its workflow began (queued, no worker yet) is recorded Cancelled too;
    // outside it, the cancellation left the set run Queued for good (sched13).
    ({ members, abortOnFailure } = await bookkeeping.beginSetRun({ setRunId }));
    outcomes = members.map(() => null);
    for (let position = 0; position < members.length; position++) {
      const workflowId = setMemberWorkflowId(setRunId, position);
      const started = await bookkeeping.startSetMember({ setRunId, position, workflowId });
      if (started.kind === 'refused') {
        outcomes[position] = 'failed';
      } else {
        try {
          await executeChild(syncIntegration, {
            workflowId,
            args: [{ runId: started.runId, versionId: started.versionId, ...(started.params && { params: started.params }), ...(pipeline && { pipeline }) }],
          });
          // The run's verdict as recorded (finishRun decides Failed when every record was rejected), not the child's own guess.
          outcomes[position] = await bookkeeping.memberRunStatus({ runId: started.runId });
        } catch (err) {
          // The set itself was cancelled: the child was cancelled with it; record below.
          if (CancellationScope.current().consideredCancelled) throw err;
          // Only this member was cancelled (Cancel on its run page), or its workflow failed outright.
          const cancelled = isCancellation(err);
          outcomes[position] = cancelled ? 'cancelled' : 'failed';
          if (!cancelled) {
            const why = failureMessage(err instanceof ChildWorkflowFailure ? (err.cause ?? err) : err);
            await bookkeeping.failSetMember({ setRunId, position, runId: started.runId, error: why });
          }
        }
      }
      if (abortOnFailure && failed(outcomes[position] ?? null)) {
        stoppedAt = position;
        break;
      }
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(() => bookkeeping.finishSetRun({ setRunId, status: 'cancelled', error: 'Cancelled: the members after the current one did not run.' }));
    throw err;
  }

  const status = setRunStatus(outcomes.slice(0, stoppedAt === null ? members.length : stoppedAt + 1), stoppedAt !== null);
  const name = (i: number) => `"${members[i]?.name ?? ''}"`;
  let error: string | null = null;
  if (stoppedAt !== null) {
    const left = members.length - stoppedAt - 1;
    error = `${name(stoppedAt)} ${outcomes[stoppedAt] === 'cancelled' ? 'was cancelled' : 'failed'}; the set stopped${left > 0 ? ` and ${left} integration${left === 1 ? '' : 's'} did not run` : ''}.`;
  } else if (status === 'completed_with_errors') {
    const bad = outcomes.map((s, i) => (s === 'completed' ? null : `${name(i)} ${s === 'completed_with_errors' ? 'completed with errors' : s === 'cancelled' ? 'was cancelled' : 'failed'}`)).filter(Boolean);
    error = `${bad.join('; ')}.`;
  }
  await bookkeeping.finishSetRun({ setRunId, status, error });
  return { setRunId, status, members: outcomes };
}

/** What a set's Temporal Schedule starts: record the set run, then run it as the child set-run-<setRunId>. */
export async function scheduledSet(rawInput: ScheduledSetInput): Promise<RunSetResult> {
  const { setId, pipeline } = checkScheduledSetInput(rawInput);
  const { setRunId } = await bookkeeping.createScheduledSetRun({ setId, workflowId: workflowInfo().workflowId });
  return executeChild(runSet, { workflowId: setRunWorkflowId(setRunId), args: [{ setRunId, ...(pipeline && { pipeline }) }] });
}
