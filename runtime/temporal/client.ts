// Starting runs: one workflow per run, with an id derived from the run so a repeated start is harmless.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { syncIntegration, SyncIntegrationInput } from '../../workflows/sync-integration';

export const DEFAULT_TASK_QUEUE = 'weft';
export const workflowIdForRun = (runId: string) => `run-${runId}`;

export interface RunLauncher {
  start(input: { runId: string; versionId: string }): Promise<{ workflowId: string }>;
}

export function createRunLauncher(opts: {
  client: Client;
  taskQueue?: string;
  /** Pipeline retry tuning passed to every run (tests shorten heartbeats). */
  pipeline?: SyncIntegrationInput['pipeline'];
}): RunLauncher {
  const taskQueue = opts.taskQueue ?? DEFAULT_TASK_QUEUE;
  return {
    async start({ runId, versionId }) {
      const workflowId = workflowIdForRun(runId);
      try {
        await opts.client.workflow.start<typeof syncIntegration>('syncIntegration', {
          workflowId,
          taskQueue,
          args: [{ runId, versionId, ...(opts.pipeline && { pipeline: opts.pipeline }) }],
        });
      } catch (err) {
        // A run starts once; a second start (a retried request) finds it already going.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      return { workflowId };
    },
  };
}
