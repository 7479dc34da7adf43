// A Weft worker: the bundled sync workflow plus the activities it is given, on one task queue, and (issue 16) a second,
// activity-only Temporal Worker on the parts queue (`<queue>-parts`) that takes at most the worker's budget of
// pipelines at once (whole pipelines stay on the run's queue, where Temporal hands them out eagerly, and wait at the
// activities' gate, part-gate.ts).
import { Worker, type NativeConnection, type State, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import { defaultPartsInFlight } from '../activities/part-gate';
import { partsTaskQueue } from '../../shared/sync/partition-shape';
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
   * Pipelines this worker reads at once, whole or parts (ActivityDeps.maxPartsInFlight, WEFT_MAX_PIPELINES_IN_FLIGHT;
   * default from the heap): the parts queue's slots.
   */
  partsInFlight?: number;
  /**
   * Run the workflow code on this thread instead of the SDK's workflow thread (a second V8 isolate with its own Node
   * environment and its own copy of the bundle, ~15–20 MB), at the cost of parallelism: 50 runs at once took ~1.5x as
   * long on a 2-core machine. `npm start` with WEFT_WORKFLOWS_ON_MAIN_THREAD. Activations still time out after 5 s.
   */
  workflowsOnThisThread?: boolean;
  /** Extra Worker options (e.g. concurrency limits, shutdownGraceTime). */
  tuning?: Omit<WorkerOptions, 'connection' | 'activities' | 'taskQueue' | 'namespace' | 'workflowBundle' | 'workflowsPath'>;
}

/** The two Temporal Workers of one Weft worker, run and stopped together. */
export interface WeftWorker {
  run(): Promise<void>;
  runUntil<R>(fnOrPromise: Promise<R> | (() => Promise<R>)): Promise<R>;
  shutdown(): void;
  getState(): State;
}

export async function createWorker(opts: CreateWorkerOptions): Promise<WeftWorker> {
  const taskQueue = opts.taskQueue ?? DEFAULT_TASK_QUEUE;
  const namespace = opts.namespace ?? 'default';
  const main = await Worker.create({
    shutdownGraceTime: '5 seconds',
    // Our histories are a few dozen events, so replaying one elsewhere is cheap; a crashed worker's sticky
    // queue then holds a run back for 3 s instead of the default 10 s.
    stickyQueueScheduleToStartTimeout: '3 seconds',
    // The SDK's "debug mode" is what runs workflows on the calling thread; it also lifts the activation time limit,
    // which is set back to the threaded default.
    ...(opts.workflowsOnThisThread && ({ debugMode: true, isolateExecutionTimeout: '5s' } as Partial<WorkerOptions>)),
    ...opts.tuning,
    connection: opts.connection,
    namespace,
    taskQueue,
    activities: opts.activities,
    workflowBundle: await workflowBundle(),
  });
  // Parts wait on the server, not in a worker that cannot read them yet: this Worker takes at most the budget, so any
  // worker with a free place takes the next one (one waiting inside a full worker would hold it there). Whole
  // pipelines stay on the run's queue (eager dispatch) and wait at the activities' gate, which holds the same budget.
  const parts = await Worker.create({
    shutdownGraceTime: '5 seconds',
    connection: opts.connection,
    namespace,
    taskQueue: partsTaskQueue(taskQueue),
    activities: opts.activities,
    maxConcurrentActivityTaskExecutions: opts.partsInFlight ?? defaultPartsInFlight(5_000),
  });
  const stopAll = () => {
    for (const w of [main, parts]) if (w.getState() === 'RUNNING') w.shutdown();
  };
  return {
    async run() {
      // One stopping for good stops the other, so a process never keeps half a worker.
      const stopOnFailure = async (running: Promise<void>) => {
        try {
          await running;
        } catch (err) {
          stopAll();
          throw err;
        }
      };
      await Promise.all([stopOnFailure(main.run()), stopOnFailure(parts.run())]);
    },
    async runUntil(fnOrPromise) {
      const partsDone = parts.run();
      try {
        return await main.runUntil(fnOrPromise);
      } finally {
        if (parts.getState() === 'RUNNING') parts.shutdown();
        await partsDone;
      }
    },
    shutdown: stopAll,
    getState: () => main.getState(),
  };
}
