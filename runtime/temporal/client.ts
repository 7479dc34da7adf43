// Starting runs: one workflow per run, with an id derived from the run so a repeated start is harmless.
import { Client, InternalConnectionLikeSymbol, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { syncIntegration, SyncIntegrationInput } from '../../workflows/sync-integration';

export const DEFAULT_TASK_QUEUE = 'weft';
export const workflowIdForRun = (runId: string) => `run-${runId}`;

/**
 * The client a launcher starts runs with. A process that runs its own worker on the launcher's task queue starts them
 * on that worker's connection, so Temporal can hand the run's first workflow task straight back to it (eager start).
 */
export function launcherClient(opts: { client: Client; workerConnection?: NativeConnection | null }): Client {
  if (!opts.workerConnection) return opts.client;
  return new Client({ connection: opts.workerConnection, namespace: opts.client.options.namespace });
}

/** Whether a client can ask for an eager start: only over a worker's NativeConnection (the SDK refuses it otherwise). */
function canStartEagerly(client: Client): boolean {
  const internal = (client.connection as unknown as Record<symbol, { supportsEagerStart?: boolean } | undefined>)[InternalConnectionLikeSymbol];
  return internal?.supportsEagerStart === true;
}

export interface RunLauncher {
  /** `resume`: a new execution of a failed run (id run-<runId>-resume-<time>); it continues from the run's checkpoints. */
  start(input: { runId: string; versionId: string; resume?: boolean; params?: Record<string, unknown> }): Promise<{ workflowId: string }>;
  /**
   * Asks Temporal to cancel the workflow: the cancellation reaches the running pipeline at its next heartbeat, the
   * batch in flight finishes committing or is rolled back, and the workflow records the run as cancelled.
   * `running: false`: Temporal has no running workflow of that id (it ended, was terminated, or never started), so
   * nothing will record the run's end; Temporal takes a cancel of a closed workflow without a word.
   */
  cancel?(workflowId: string): Promise<{ running: boolean }>;
}

export function createRunLauncher(opts: {
  client: Client;
  taskQueue?: string;
  /** Pipeline retry tuning passed to every run (tests shorten heartbeats). */
  pipeline?: SyncIntegrationInput['pipeline'];
  /** Give up on Temporal after this long (the API answers 503 rather than hang while it is down). */
  deadlineMs?: number;
}): RunLauncher {
  const taskQueue = opts.taskQueue ?? DEFAULT_TASK_QUEUE;
  // Eager start: Temporal answers the start with the run's first workflow task for the worker on this connection,
  // instead of queueing it for a poll. It falls back to the queue by itself when that worker has no free slot.
  const eager = canStartEagerly(opts.client);
  return {
    async cancel(workflowId) {
      const cancelIt = () => cancelRunning(opts.client, workflowId);
      if (opts.deadlineMs) return withTimeout(opts.client.withDeadline(Date.now() + opts.deadlineMs, cancelIt), opts.deadlineMs + 250);
      return cancelIt();
    },
    async start({ runId, versionId, resume, params }) {
      // The same workflow, unchanged, with the same input: the store's checkpoints make it resume. A resume needs a
      // new workflow id, since the failed execution keeps the run's own.
      const workflowId = resume ? `${workflowIdForRun(runId)}-resume-${Date.now().toString(36)}` : workflowIdForRun(runId);
      try {
        const startIt = () =>
          opts.client.workflow.start<typeof syncIntegration>('syncIntegration', {
            workflowId,
            taskQueue,
            ...(eager && { requestEagerStart: true }),
            args: [{ runId, versionId, ...(params && Object.keys(params).length > 0 && { params }), ...(opts.pipeline && { pipeline: opts.pipeline }) }],
          });
        if (opts.deadlineMs) await withTimeout(opts.client.withDeadline(Date.now() + opts.deadlineMs, startIt), opts.deadlineMs + 250);
        else await startIt();
      } catch (err) {
        // A run starts once; a second start (a retried request) finds it already going.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      return { workflowId };
    },
  };
}

/**
 * Cancels workflow `workflowId` if it is running. Temporal answers a cancel of a workflow that has already closed
 * (terminated, or ended without recording its run) with success, so the caller could not tell that nothing will happen:
 * `running: false` says so (sched13); `closed` when it had one that ended (else none yet: a run not started, twkeys14).
 */
export async function cancelRunning(client: Client, workflowId: string): Promise<{ running: boolean; closed?: boolean }> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') return { running: false, closed: true };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { running: false };
    throw err;
  }
  await handle.cancel();
  return { running: true };
}

/** The deadline Temporal's client sets is per call; this bounds the whole call, reconnects included. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TemporalTimeout(`Temporal did not answer within ${Math.round(ms / 1000)} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export class TemporalTimeout extends Error {}
