// What a Temporal Schedule starts: record the run of the integration's current published version, then run it as the
// child workflow run-<runId>, the same workflow and id a manual run has. The schedule's overlap policy (SKIP) sees this
// workflow until the child ends, so a run still going makes Temporal skip the next scheduled time.
import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../runtime/activities';
import { checkScheduledSyncInput, type ScheduledSyncInput } from './inputs';
import { syncIntegration, type SyncIntegrationResult } from './sync-integration';

export type { ScheduledSyncInput } from './inputs';

const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: ['PlanError', 'InvalidInput'] },
});

export async function scheduledSync(rawInput: ScheduledSyncInput): Promise<SyncIntegrationResult> {
  const { integrationId, pipeline } = checkScheduledSyncInput(rawInput);
  const { runId, versionId } = await bookkeeping.createScheduledRun({ integrationId, workflowId: workflowInfo().workflowId });
  // run-<runId>: the id runtime/temporal/client.ts gives every run (workflows cannot import the client).
  return executeChild(syncIntegration, { workflowId: `run-${runId}`, args: [{ runId, versionId, ...(pipeline && { pipeline }) }] });
}
