// What a Temporal Schedule starts: record the run of the integration's current published version, then run it as the
// child workflow run-<runId>, the same workflow and id a manual run has. The schedule's overlap policy (SKIP) sees this
// workflow until the child ends, so a run still going makes Temporal skip the next scheduled time.
import { ApplicationFailure, executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import type { Activities } from '../runtime/activities';
import { syncIntegration, SyncIntegrationInput, type SyncIntegrationResult } from './sync-integration';

export const ScheduledSyncInput = z.object({
  integrationId: z.string().min(1),
  pipeline: SyncIntegrationInput.shape.pipeline,
});
export type ScheduledSyncInput = z.input<typeof ScheduledSyncInput>;

const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: ['PlanError', 'InvalidInput'] },
});

export async function scheduledSync(rawInput: ScheduledSyncInput): Promise<SyncIntegrationResult> {
  const parsed = ScheduledSyncInput.safeParse(rawInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`Invalid scheduledSync input: ${z.prettifyError(parsed.error)}`, 'InvalidInput');
  const { integrationId, pipeline } = parsed.data;
  const { runId, versionId } = await bookkeeping.createScheduledRun({ integrationId, workflowId: workflowInfo().workflowId });
  // run-<runId>: the id runtime/temporal/client.ts gives every run (workflows cannot import the client).
  return executeChild(syncIntegration, { workflowId: `run-${runId}`, args: [{ runId, versionId, ...(pipeline && { pipeline }) }] });
}
