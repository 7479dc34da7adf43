// One workflow per integration drains its webhook queue (id webhook-<integration id>). The API appends each request to
// the store's queue and then signals this workflow with signal-with-start, so a burst of requests starts it once and
// signals it many times. Each turn records one run over the oldest waiting requests (at most 5,000) and runs it as
// the child workflow run-<runId>, the same workflow a manual run is; it stops when a turn finds nothing waiting and no
// signal came since that turn began, so a request stored while it was stopping is signalled to a new execution.
import { continueAsNew, defineSignal, executeChild, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../runtime/activities';
import { checkDrainWebhookInput, type DrainWebhookInput } from './inputs';
import { syncIntegration } from './sync-integration';

export type { DrainWebhookInput } from './inputs';

/** Sent after every stored request (coalesced by the API): "something may be waiting". */
export const webhookRequestsArrived = defineSignal('webhookRequestsArrived');

/** Turns before the workflow continues as new, so its history stays small however long a stream of requests lasts. */
const TURNS_PER_EXECUTION = 100;

const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: ['PlanError', 'InvalidInput'] },
});

export interface DrainWebhookResult {
  runs: string[];
  requests: number;
}

export async function drainWebhook(rawInput: DrainWebhookInput): Promise<DrainWebhookResult> {
  const { integrationId, pipeline } = checkDrainWebhookInput(rawInput);
  // Started by a signal-with-start, so there is something to look for at once.
  let signals = 1;
  setHandler(webhookRequestsArrived, () => {
    signals++;
  });
  const result: DrainWebhookResult = { runs: [], requests: 0 };
  for (let turn = 0; turn < TURNS_PER_EXECUTION; turn++) {
    if (signals === 0) return result;
    signals = 0;
    const claimed = await bookkeeping.claimWebhookRun({ integrationId, workflowId: workflowInfo().workflowId, executionId: workflowInfo().runId, turn });
    if (!claimed) continue;
    result.runs.push(claimed.runId);
    result.requests += claimed.requests;
    // A failed run keeps its requests (Resume continues it); the drain goes on with the ones after them.
    await executeChild(syncIntegration, { workflowId: `run-${claimed.runId}`, args: [{ runId: claimed.runId, versionId: claimed.versionId, ...(pipeline && { pipeline }) }] }).catch(() => undefined);
    // The queue may hold more than one run takes: look again, signal or not.
    if (claimed.requests > 0) signals++;
  }
  // A signal that lands while continuing makes Temporal replay this turn; the new execution starts by looking anyway.
  return continueAsNew<typeof drainWebhook>({ integrationId, ...(pipeline && { pipeline }) });
}
