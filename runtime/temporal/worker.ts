// A Weft worker: the bundled sync workflow plus the activities it is given, on one task queue.
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import { workflowBundlePath } from './bundle';
import { DEFAULT_TASK_QUEUE } from './client';

export { WORKFLOWS_PATH } from './bundle';

/** The workflow code, bundled once per change of its sources (see bundle.ts), for workers and replays. */
export async function workflowBundle(): Promise<{ codePath: string }> {
  return { codePath: await workflowBundlePath() };
}

export interface CreateWorkerOptions {
  connection: NativeConnection;
  activities: Activities;
  taskQueue?: string;
  namespace?: string;
  /**
   * Run the workflow code on this thread instead of the SDK's workflow thread (a second V8 isolate with its own Node
   * environment and its own copy of the bundle, ~15–20 MB), at the cost of parallelism: 50 runs at once took ~1.5x as
   * long on a 2-core machine. `npm start` with WEFT_WORKFLOWS_ON_MAIN_THREAD. Activations still time out after 5 s.
   */
  workflowsOnThisThread?: boolean;
  /** Extra Worker options (e.g. concurrency limits, shutdownGraceTime). */
  tuning?: Omit<WorkerOptions, 'connection' | 'activities' | 'taskQueue' | 'namespace' | 'workflowBundle' | 'workflowsPath'>;
}

export async function createWorker(opts: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    shutdownGraceTime: '5 seconds',
    // Our histories are a few dozen events, so replaying one elsewhere is cheap; a crashed worker's sticky
    // queue then holds a run back for 3 s instead of the default 10 s.
    stickyQueueScheduleToStartTimeout: '3 seconds',
    // The SDK's "debug mode" is what runs workflows on the calling thread; it also lifts the activation time limit,
    // which is set back to the threaded default.
    ...(opts.workflowsOnThisThread && ({ debugMode: true, isolateExecutionTimeout: '5s' } as Partial<WorkerOptions>)),
    ...opts.tuning,
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
    activities: opts.activities,
    workflowBundle: await workflowBundle(),
  });
}
