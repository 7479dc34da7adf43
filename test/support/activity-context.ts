// Runs a function as Temporal would run an activity attempt (Context.current() answers), without a worker: for tests
// that call createActivities() directly and need a given attempt, its heartbeat details or a local activity.
import { asyncLocalStorage, Context } from '@temporalio/activity';

export interface AttemptOptions {
  /** Temporal's attempt number (1 = the first). */
  attempt?: number;
  /** What the previous attempt heartbeated (Context.current().info.heartbeatDetails). */
  heartbeatDetails?: unknown;
  /** A local activity (no heartbeat timeout). */
  isLocal?: boolean;
  /** Cancels the attempt when aborted (Context.current().cancellationSignal). */
  signal?: AbortSignal;
}

export function inActivity<T>(opts: AttemptOptions, fn: () => Promise<T>): Promise<T> {
  const log = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} };
  const isLocal = opts.isLocal ?? false;
  const info = { attempt: opts.attempt ?? 1, heartbeatDetails: opts.heartbeatDetails, heartbeatTimeoutMs: isLocal ? undefined : 10_000, isLocal, activityId: '1', activityType: 'runPipeline', taskQueue: 'q', workflowExecution: { workflowId: 'w', runId: 'r' } };
  const ctx = new (Context as unknown as new (...a: unknown[]) => Context)(info, new Promise(() => undefined), opts.signal ?? new AbortController().signal, () => undefined, undefined, log, undefined, undefined);
  return asyncLocalStorage.run(ctx, fn);
}
