// Integration sets on Temporal: starting and cancelling a set run (the runSet parent workflow), and the set's own
// Temporal Schedule, whose action starts scheduledSet (which records the set run and runs runSet as its child).
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Cadence } from '../../shared/api/schedules';
import { setRunWorkflowId } from '../../shared/api/sets';
import type { runSet, RunSetWorkflowInput, ScheduledSetInput } from '../../workflows/run-set';
import { cancelRunning, DEFAULT_TASK_QUEUE } from './client';
import { scheduleOperations, type ScheduleState } from './schedules';

export const setScheduleIdFor = (setId: string) => `schedule-set-${setId}`;

export interface SetEngine {
  /** Starts set run `setRunId` (workflow set-run-<setRunId>); a repeated start finds it going. */
  start(setRunId: string): Promise<{ workflowId: string }>;
  /**
   * Cancels the set run's workflow: the current member is cancelled with it, later ones do not run. `running: false`:
   * Temporal has no running workflow of that id, so nothing will record the set run's end.
   */
  cancel(workflowId: string): Promise<{ running: boolean }>;
  saveSchedule(input: { setId: string; cadence: Cadence; timeZone: string; enabled: boolean }): Promise<void>;
  removeSchedule(setId: string): Promise<boolean>;
  describeSchedule(setId: string): Promise<ScheduleState | null>;
  triggerSchedule(setId: string): Promise<void>;
}

export function createSetEngine(opts: {
  client: Client;
  taskQueue?: string;
  /** Pipeline retry tuning passed to every member run (tests shorten heartbeats). */
  pipeline?: RunSetWorkflowInput['pipeline'];
  deadlineMs?: number;
}): SetEngine {
  const { client } = opts;
  const taskQueue = opts.taskQueue ?? DEFAULT_TASK_QUEUE;
  const ops = scheduleOperations(client, opts.deadlineMs);
  const { bounded } = ops;
  const action = (setId: string) => ({
    type: 'startWorkflow' as const,
    workflowType: 'scheduledSet',
    // Temporal appends the scheduled time to this id, one workflow per firing.
    workflowId: `scheduled-set-${setId}`,
    taskQueue,
    args: [{ setId, ...(opts.pipeline && { pipeline: opts.pipeline }) } satisfies ScheduledSetInput],
  });

  return {
    async start(setRunId) {
      const workflowId = setRunWorkflowId(setRunId);
      try {
        await bounded(() =>
          client.workflow.start<typeof runSet>('runSet', { workflowId, taskQueue, args: [{ setRunId, ...(opts.pipeline && { pipeline: opts.pipeline }) }] }),
        );
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      return { workflowId };
    },
    async cancel(workflowId) {
      return bounded(() => cancelRunning(client, workflowId));
    },
    async saveSchedule({ setId, cadence, timeZone, enabled }) {
      await ops.save(setScheduleIdFor(setId), { cadence, timeZone, enabled, action: action(setId) });
    },
    removeSchedule: (setId) => ops.remove(setScheduleIdFor(setId)),
    describeSchedule: (setId) => ops.describe(setScheduleIdFor(setId)),
    triggerSchedule: (setId) => ops.trigger(setScheduleIdFor(setId)),
  };
}
