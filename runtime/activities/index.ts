// The activities the sync workflow calls: built by a factory around the store, so tests and workers wire their own.
import { Context, ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import { z } from 'zod';
import { Counts, RunStatus, StepStatus } from '../../shared/api/runs';
import { Plan } from '../../shared/compiler/plan';
import { ownedSteps } from '../../workflows/plan-steps';
import type { ExecutorDeps } from '../executors';
import { buildPipeline, closePipeline, createExecutor, flowPipelineBatch, PlanError, readAhead, writePipelineBatch } from '../executors';
import { applyRunFiles } from '../executors/run-files';
import type { Store } from '../store/types';

export interface ActivityDeps {
  store: Store;
  /** Rows per batch (default 5,000). */
  batchSize?: number;
  /** Test hook: wait this long after each batch, so a run lasts long enough to be interrupted. */
  batchDelayMs?: number;
  /** Opens saved connections for database sources and targets (runtime/main.ts passes the connections service's `open`). */
  openConnection?: ExecutorDeps['openConnection'];
  /** How long a pipeline waits for an unreachable source or target before it fails (default 15 minutes). */
  outageWindowMs?: number;
}

export const LoadPlanInput = z.object({ versionId: z.string().min(1) });
export const RunInput = z.object({ runId: z.string().min(1) });
export const RunPipelineInput = z.object({ runId: z.string().min(1), versionId: z.string().min(1), pipelineId: z.string().min(1) });
export const FailStepsInput = z.object({ runId: z.string().min(1), nodeIds: z.array(z.string()), error: z.string() });
export const FinishRunInput = z.object({ runId: z.string().min(1), status: RunStatus, error: z.string().nullable() });

/** What a pipeline heartbeats: the last committed batch and where to read from next. */
export const PipelineCheckpoint = z.object({ batch: z.number().int().nonnegative(), cursor: z.unknown() });
export type PipelineCheckpoint = z.infer<typeof PipelineCheckpoint>;

export const PipelineResult = z.object({
  pipelineId: z.string(),
  /** Batches committed by this pipeline over all attempts. */
  batches: z.number().int(),
  steps: z.array(z.object({ nodeId: z.string(), status: StepStatus, counts: Counts })),
});
export type PipelineResult = z.infer<typeof PipelineResult>;

const DEFAULT_BATCH_SIZE = 5_000;

/** Plan errors and bad inputs cannot be fixed by a retry: they fail the activity for good, with the message a person reads. */
function boundary<I, O>(activity: (input: I) => Promise<O>): (input: I) => Promise<O> {
  return async (input) => {
    try {
      return await activity(input);
    } catch (err) {
      if (err instanceof PlanError) throw ApplicationFailure.nonRetryable(err.message, 'PlanError');
      if (err instanceof z.ZodError) throw ApplicationFailure.nonRetryable(`Invalid activity input: ${z.prettifyError(err)}`, 'InvalidInput');
      throw err;
    }
  };
}

export function createActivities(deps: ActivityDeps) {
  const { store } = deps;
  const batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;

  async function loadVersionPlan(versionId: string): Promise<Plan> {
    const version = await store.getVersion(versionId);
    if (!version) throw new PlanError(`Integration version ${versionId} no longer exists.`);
    const plan = Plan.safeParse(version.plan);
    if (!plan.success) throw new PlanError(`The published plan of version ${version.number} is invalid; publish the integration again.`);
    return plan.data;
  }

  return {
    /** The version's plan: small (steps and config), never rows. The workflow validates it again. */
    loadPlan: boundary(async (input: z.input<typeof LoadPlanInput>): Promise<Plan> => loadVersionPlan(LoadPlanInput.parse(input).versionId)),

    markRunStarted: boundary(async (input: z.input<typeof RunInput>): Promise<void> => {
      await store.markRunStarted(RunInput.parse(input).runId);
    }),

    /**
     * Streams one pipeline in batches: read, transform, then ONE commit per batch (counts, rejected records,
     * workspace write and checkpoint together), then a heartbeat. Resumes after the last committed batch.
     * A database target writes its batch just before the commit (it cannot join the store's transaction).
     */
    runPipeline: boundary(async (input: z.input<typeof RunPipelineInput>): Promise<PipelineResult> => {
      const { runId, versionId, pipelineId } = RunPipelineInput.parse(input);
      const plan = await loadVersionPlan(versionId);
      const pipeline = plan.pipelines.find((p) => p.id === pipelineId);
      if (!pipeline) throw new PlanError(`The plan has no pipeline ${pipelineId}.`);
      // A file replaced for this run only (Run with other files…) is read instead of the published one.
      const steps = applyRunFiles(
        pipeline.nodeIds.map((id) => {
          const step = plan.steps.find((s) => s.nodeId === id);
          if (!step) throw new PlanError(`The plan has no step ${id}.`);
          return step;
        }),
        await store.listRunFiles(runId),
      );
      const owned = ownedSteps(plan, pipelineId);
      // TODAY() and NOW() read the run's start, so a retried batch computes exactly what the first attempt did.
      const runRecord = await store.getRun(runId);
      const runClock = Date.parse(runRecord?.startedAt ?? runRecord?.createdAt ?? new Date().toISOString());
      const executors = await buildPipeline(steps, { store, valueMaps: plan.valueMaps, now: () => runClock, openConnection: deps.openConnection }, createExecutor);
      for (const nodeId of owned) await store.setStepStatus(runId, nodeId, 'running', null);

      const ctx = Context.current();
      const fromHeartbeat = PipelineCheckpoint.safeParse(ctx.info.heartbeatDetails);
      const fromStore = await store.getCheckpoint(runId, pipelineId);
      let checkpoint: PipelineCheckpoint = fromHeartbeat.success && fromHeartbeat.data.batch > fromStore.batch ? fromHeartbeat.data : fromStore;
      if (checkpoint.batch > 0) ctx.log.info('Resuming pipeline', { runId, pipelineId, batch: checkpoint.batch });

      // Keep heartbeating while a slow batch or commit is in flight; a dead worker stops, and is noticed.
      const every = Math.max(500, Math.floor((ctx.info.heartbeatTimeoutMs ?? 30_000) / 3));
      const ticker = setInterval(() => ctx.heartbeat(checkpoint), every);
      // Four stages overlap, each in order: batch n+2 is read (readAhead) while batch n+1 is transformed, batch n
      // is written to its target and batch n-1 committed. One write and one commit are in flight at most, and a
      // batch is committed only after its own write. A write may thus run before the previous batch's commit is
      // confirmed; if that commit fails, the retry resumes after the last committed batch and writes both again,
      // which targets take (writes are idempotent, see docs/architecture.md, "Database targets").
      let writing: Promise<unknown> = Promise.resolve();
      let committing: Promise<void> = Promise.resolve();
      try {
        ctx.heartbeat(checkpoint);
        const ownedSet = new Set(owned);
        let issued = checkpoint.batch;
        for await (const batch of readAhead(executors.source.run.read(checkpoint.batch > 0 ? checkpoint.cursor : null, batchSize))) {
          if (ctx.cancellationSignal.aborted) throw new CancelledFailure('The run was cancelled');
          const flowed = flowPipelineBatch(executors, batch, ownedSet);
          await writing;
          const next = { batch: ++issued, cursor: batch.cursor };
          const written = writePipelineBatch(executors, flowed);
          const previous = committing;
          committing = (async () => {
            const effect = await written;
            await previous;
            await store.commitBatch({ runId, pipelineId, batch: next.batch, cursor: next.cursor, ...effect });
            checkpoint = next;
            ctx.heartbeat(checkpoint);
          })();
          writing = written;
          // Handled where awaited; a failure while the loop is busy must not count as an unhandled rejection.
          written.catch(() => undefined);
          committing.catch(() => undefined);
          if (deps.batchDelayMs) {
            await committing;
            await ctx.sleep(deps.batchDelayMs);
          }
        }
        await writing;
        await committing;
      } finally {
        // A batch that failed leaves the writes and commits already started to land (or fail) before we let go.
        await writing.catch(() => undefined);
        await committing.catch(() => undefined);
        clearInterval(ticker);
        await closePipeline(executors);
      }

      // Statuses from the stored counts, which include batches committed by earlier attempts.
      const run = await store.getRun(runId);
      const result: PipelineResult = { pipelineId, batches: checkpoint.batch, steps: [] };
      for (const nodeId of owned) {
        const counts = run?.steps.find((s) => s.nodeId === nodeId)?.counts ?? { read: 0, written: 0, created: 0, updated: 0, rejected: 0 };
        const status = counts.rejected > 0 ? 'completed_with_errors' : 'completed';
        await store.setStepStatus(runId, nodeId, status, null);
        result.steps.push({ nodeId, status, counts });
      }
      return result;
    }),

    /** Marks steps failed with the error the person will read (a pipeline that ran out of retries). */
    failSteps: boundary(async (input: z.input<typeof FailStepsInput>): Promise<void> => {
      const { runId, nodeIds, error } = FailStepsInput.parse(input);
      for (const nodeId of nodeIds) await store.setStepStatus(runId, nodeId, 'failed', error);
    }),

    finishRun: boundary(async (input: z.input<typeof FinishRunInput>): Promise<void> => {
      const { runId, status, error } = FinishRunInput.parse(input);
      await store.finishRun(runId, status, error);
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
