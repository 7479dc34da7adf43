// A Weft worker: the bundled sync workflow plus the activities it is given, on one task queue.
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import { DEFAULT_TASK_QUEUE } from './client';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

type WorkflowBundle = Awaited<ReturnType<typeof bundleWorkflowCode>>;
let bundle: Promise<WorkflowBundle> | null = null;

/** The workflow code bundled once per process (about a second), shared by every worker and replay. */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger }).catch((err: unknown) => {
    bundle = null;
    throw err;
  });
  return bundle;
}

const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string, meta?: Record<string, unknown>) => console.warn(`[bundler] ${message}`, meta ?? ''),
  error: (message: string, meta?: Record<string, unknown>) => console.error(`[bundler] ${message}`, meta ?? ''),
};

export interface CreateWorkerOptions {
  connection: NativeConnection;
  activities: Activities;
  taskQueue?: string;
  namespace?: string;
  /** Extra Worker options (e.g. concurrency limits, shutdownGraceTime). */
  tuning?: Omit<WorkerOptions, 'connection' | 'activities' | 'taskQueue' | 'namespace' | 'workflowBundle' | 'workflowsPath'>;
}

export async function createWorker(opts: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    shutdownGraceTime: '5 seconds',
    // Our histories are a few dozen events, so replaying one elsewhere is cheap; a crashed worker's sticky
    // queue then holds a run back for 3 s instead of the default 10 s.
    stickyQueueScheduleToStartTimeout: '3 seconds',
    ...opts.tuning,
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
    activities: opts.activities,
    workflowBundle: await workflowBundle(),
  });
}
