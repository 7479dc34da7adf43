// The sync workflow: a small interpreter over a published Plan. Rows never pass through here: only ids, counts and cursors.
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  TimeoutFailure,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { isTerminalStep, terminalRunStatus, type RunStatus, type StepStatus } from '../shared/api/run-status';
import type { Plan } from '../shared/compiler/plan';
import type { Activities } from '../runtime/activities';
import { ownedSteps } from '../shared/compiler/plan-steps';
import { partsTaskQueue, unsplittable } from '../shared/sync/partition-shape';
import { checkSyncIntegrationInput, isPlanShape, LOCAL_PIPELINE_TIMEOUT_MS, runEndedOf, type PipelineTuning, type SyncIntegrationInput } from './inputs';

export type { PipelineTuning, SyncIntegrationInput } from './inputs';


export interface SyncIntegrationResult {
  runId: string;
  status: RunStatus;
  steps: Record<string, StepStatus>;
  error: string | null;
}

/** Short bookkeeping calls against the store. */
const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/**
 * The same bookkeeping as local activities (issue 16): run by the worker inside the workflow task that asks for them,
 * so they cost no round trip through the server's task queues and no extra workflow task. Each is idempotent (a
 * retry of a local activity after a crash runs it again, as a retry of an ordinary one would), and none runs long.
 */
const localBookkeeping = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/**
 * Histories recorded before issue 16 ran the bookkeeping (loadPlan, markRunStarted, finishRun, failSteps,
 * cancelSteps) as ordinary activities; they replay on that path. New runs take the fast one: beginRun (the plan and
 * the run marked running, in one call) and the rest as local activities.
 */
export const LOCAL_BOOKKEEPING_PATCH = 'weft-16-local-bookkeeping';

/**
 * Histories recorded before partitioned reads ran each pipeline as one runPipeline; they replay on that path. New runs
 * ask planPartitions first and, for a source split in parts, run one runPipeline per part side by side, then
 * finishPartitions once (issue 16, docs/scale-out.md "Partitioned reads").
 */
export const PARTITIONED_READS_PATCH = 'weft-16-partitioned-reads';
/** Parts scheduled on their own task queue (partsTaskQueue); histories recorded before put them on the run's queue. */
export const PARTS_QUEUE_PATCH = 'weft-16-parts-queue';

/**
 * Histories recorded before this patch planned a splittable pipeline's parts in a planPartitions local activity of
 * its own; they replay on that path. New runs ask their first runPipeline to plan (`planParts`): a source too small
 * to split is read at once, with no planning call before it (issue 16, per-run overhead), and a large one answers its
 * parts, which then run as before.
 */
export const PLAN_IN_PIPELINE_PATCH = 'weft-16-plan-in-pipeline';

/**
 * Planning reads a table's key range, or scans a large file's bytes once: a local activity (no round trip through the
 * server for the common case of a source too small to split), with room for a scan of a large file.
 */
const planning = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: ['PlanError', 'InvalidInput'] },
});

/**
 * Histories recorded before this patch ran every pipeline as an ordinary runPipeline activity; they replay on that
 * path. New runs first run a whole pipeline as a local activity with a budget (`budgetMs`) inside the workflow task
 * that asks for it: a small run then ends in ONE workflow task, with no activity task and no second workflow task
 * through the server (issue 16, per-run overhead). A pipeline whose source did not end within the budget has committed
 * what it read (per batch, with its checkpoint) and goes on in the ordinary runPipeline, which resumes from that
 * checkpoint with heartbeats, retries and cancellation as before. A worker lost during the local part: the next
 * workflow task runs it again, and it resumes from the store's checkpoint (a batch commits once: its checkpoint claim).
 */
export const LOCAL_PIPELINE_PATCH = 'weft-16-local-pipeline';
/** The local part's default budget: well inside the workflow task's 10 s timeout, whatever one batch adds to it. */
export const DEFAULT_LOCAL_BUDGET_MS = 2_000;

/**
 * The local part: one attempt (a failure that may pass goes to the ordinary activity, which retries as always). A
 * cancelled run waits for it to stop, so the counts it shows are final.
 */
const localPipelines = proxyLocalActivities<Activities>({
  // Ten times the largest budget (inputs.ts): the local part ends by a hand-over, not by this timeout.
  startToCloseTimeout: LOCAL_PIPELINE_TIMEOUT_MS,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { maximumAttempts: 1 },
});

/** The retry policy's first wait (`initialRetryIntervalMs`, default 2 s). */
const firstRetryMs = (tuning: PipelineTuning | undefined) => tuning?.initialRetryIntervalMs ?? 2_000;

/**
 * The ordinary pipeline activity. `spent`: attempts the local part already made (a retryable failure of it is the
 * pipeline's first attempt), so the person's retry setting keeps its meaning: every attempt counted, local or not, at
 * most `maximumAttempts`, the waits between them as the policy's (the first one is the workflow's timer).
 */
function pipelineActivities(tuning: PipelineTuning | undefined, taskQueue?: string, spent = 0) {
  const options: ActivityOptions = {
    ...(taskQueue !== undefined && { taskQueue }),
    // A cancelled run waits for its pipelines to stop: the batch in flight commits or rolls back before the run
    // says Cancelled, so the counts it shows are final.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    heartbeatTimeout: tuning?.heartbeatTimeoutMs ?? '10 seconds',
    startToCloseTimeout: '24 hours',
    retry: {
      initialInterval: spent === 0 ? (tuning?.initialRetryIntervalMs ?? '2 seconds') : Math.min(firstRetryMs(tuning) * 2 ** spent, 120_000),
      backoffCoefficient: 2,
      maximumInterval: '2 minutes',
      maximumAttempts: (tuning?.maximumAttempts ?? 5) - spent,
      nonRetryableErrorTypes: ['PlanError', 'InvalidInput'],
    },
  };
  return proxyActivities<Activities>(options);
}

/** The sentence a person reads in sync history for an activity that gave up. */
export function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? (err.cause ?? err) : err;
  if (cause instanceof TimeoutFailure) {
    return cause.timeoutType === 'HEARTBEAT'
      ? 'The worker running this step stopped responding, and the retries ran out.'
      : `The step timed out (${String(cause.timeoutType ?? 'unknown').toLowerCase().replace(/_/g, ' ')}).`;
  }
  if (cause instanceof Error && cause.message) return cause.message;
  return 'The step failed for an unknown reason.';
}

export async function syncIntegration(rawInput: SyncIntegrationInput): Promise<SyncIntegrationResult> {
  const input = checkSyncIntegrationInput(rawInput);
  const { runId, versionId } = input;
  const statuses = new Map<string, StepStatus>();
  const errors: string[] = [];
  const local = patched(LOCAL_BOOKKEEPING_PATCH);
  const book = local ? localBookkeeping : bookkeeping;
  const finish = async (status: RunStatus, error: string | null): Promise<SyncIntegrationResult> => {
    await book.finishRun({ runId, status, error });
    return { runId, status, steps: Object.fromEntries(statuses), error };
  };

  /** A cancelled run (Cancel on the run page): open steps and the run say Cancelled, even though this scope is cancelled. */
  const recordCancelled = () =>
    CancellationScope.nonCancellable(async () => {
      const open = [...statuses].filter(([, s]) => !isTerminalStep(s)).map(([id]) => id);
      if (open.length > 0) await book.cancelSteps({ runId, nodeIds: open });
      await book.finishRun({ runId, status: 'cancelled', error: null });
    });

  let plan: Pick<Plan, 'steps' | 'pipelines' | 'settings'>;
  try {
    const loaded: unknown = await (local ? localBookkeeping.beginRun({ runId, versionId }) : bookkeeping.loadPlan({ versionId }));
    // The run ended before this workflow began (Cancel, or a failed start, came first): nothing is read or written, and
    // its end is not recorded again over the one it has.
    const ended = runEndedOf(loaded);
    if (ended !== undefined) return { runId, status: ended as RunStatus, steps: {}, error: null };
    if (!isPlanShape(loaded)) return await finish('failed', 'The published plan is invalid; publish the integration again.');
    plan = loaded;
  } catch (err) {
    if (isCancellation(err)) {
      await recordCancelled();
      throw err;
    }
    return await finish('failed', failureMessage(err));
  }
  for (const step of plan.steps) statuses.set(step.nodeId, 'pending');

  const ordinary = pipelineActivities(input.pipeline);
  const budgetMs = input.pipeline?.localBudgetMs ?? DEFAULT_LOCAL_BUDGET_MS;
  const localFirst = budgetMs > 0 && patched(LOCAL_PIPELINE_PATCH);
  /** A whole pipeline (never a part): locally within the budget first, then, if its source did not end, as an activity. */
  const pipelines = {
    runPipeline: async (args: Parameters<typeof ordinary.runPipeline>[0]) => {
      // A two-way step is its own pipeline and commits once per attempt: it has no budget to stop at.
      const steps = plan.pipelines.find((p) => p.id === args.pipelineId)?.nodeIds.length ?? 0;
      if (localFirst && steps >= 2) {
        let result;
        try {
          result = await localPipelines.runPipeline({ ...args, budgetMs });
        } catch (err) {
          if (isCancellation(err)) throw err;
          // A failure for good (the plan, the input, a permanent error, an outage window spent) is the pipeline's.
          const cause = err instanceof ActivityFailure ? err.cause : err;
          if (cause instanceof ApplicationFailure && cause.nonRetryable) throw err;
          // Any other failure was the pipeline's first attempt: with one attempt allowed it is the pipeline's failure;
          // else the retry policy's first wait, then the ordinary activity with the attempts left.
          if ((input.pipeline?.maximumAttempts ?? 5) <= 1) throw err;
          await sleep(firstRetryMs(input.pipeline));
          return pipelineActivities(input.pipeline, undefined, 1).runPipeline(args);
        }
        if (!result.unfinished) return result;
        // The budget ran out (or the pass met an outage, which the ordinary activity goes on waiting out): not a failure,
        // the ordinary activity continues from the checkpoint with every attempt.
        return ordinary.runPipeline({ ...args, ...(result.outage && { outage: result.outage }) });
      }
      return ordinary.runPipeline(args);
    },
  };
  const partitioned = patched(PARTITIONED_READS_PATCH);
  /** A pipeline whole, or (issue 16) in parts side by side: every part runs to its end, then the steps' statuses once. */
  const runOne = async (pipelineId: string) => {
    const whole = { runId, versionId, pipelineId, ...(input.params && { params: input.params }) };
    const steps = plan.pipelines.find((p) => p.id === pipelineId)?.nodeIds.flatMap((id) => plan.steps.filter((s) => s.nodeId === id)) ?? [];
    if (!partitioned || plan.settings?.parallelism === 1 || unsplittable(steps, false) !== null) return pipelines.runPipeline(whole);
    let partitions;
    if (patched(PLAN_IN_PIPELINE_PATCH)) {
      const first = await pipelines.runPipeline({ ...whole, planParts: true });
      if (!first.partitions || first.partitions.length <= 1) return first;
      partitions = first.partitions;
    } else {
      ({ partitions } = await planning.planPartitions({ runId, versionId, pipelineId }));
      if (partitions.length <= 1) return pipelines.runPipeline(whole);
    }
    // Parts wait on the server for a worker with a free place (its cap of parts at once), not inside a full worker.
    const parts = patched(PARTS_QUEUE_PATCH) ? pipelineActivities(input.pipeline, partsTaskQueue(workflowInfo().taskQueue)) : ordinary;
    const settled = await Promise.allSettled(partitions.map((part, index) => parts.runPipeline({ ...whole, partition: { index, part } })));
    const failed = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    const cancelled = failed.find((e) => isCancellation(e));
    if (cancelled !== undefined) throw cancelled;
    if (failed.length > 0) throw failed[0];
    return book.finishPartitions({ runId, versionId, pipelineId });
  };
  try {
    if (!local) await bookkeeping.markRunStarted({ runId });
    await Promise.all(
      plan.pipelines.map(async (pipeline) => {
        try {
          const result = await runOne(pipeline.id);
          for (const step of result.steps) statuses.set(step.nodeId, step.status);
        } catch (err) {
          if (isCancellation(err)) throw err;
          const message = failureMessage(err);
          log.warn('Pipeline failed', { runId, pipelineId: pipeline.id, error: message });
          errors.push(message);
          const open = ownedSteps(plan, pipeline.id).filter((id) => !isTerminalStep(statuses.get(id) ?? 'pending'));
          for (const id of open) statuses.set(id, 'failed');
          await book.failSteps({ runId, nodeIds: open, error: message });
        }
      }),
    );
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Record the cancellation, then let the workflow end as cancelled.
    await recordCancelled();
    throw err;
  }

  const status = terminalRunStatus([...statuses.values()].map((s) => ({ status: s })));
  return finish(status, errors.length > 0 ? [...new Set(errors)].join('\n') : null);
}
