// The activities the sync workflow calls: built by a factory around the store, so tests and workers wire their own.
import { Context, ApplicationFailure, CancelledFailure, log } from '@temporalio/activity';
import { z } from 'zod';
import { Counts, RunStatus, StepStatus, waitingMessage, type StepWaiting } from '../../shared/api/runs';
import { Plan } from '../../shared/compiler/plan';
import { ownedSteps } from '../../workflows/plan-steps';
import type { ExecutorDeps } from '../executors';
import { buildPipeline, closePipeline, createExecutor, flowPipelineBatch, PlanError, writePipelineBatch } from '../executors';
import { drivePipeline } from '../executors/drive';
import { applyRunFiles } from '../executors/run-files';
import { publicMessage } from '../public-message';
import type { Store } from '../store/types';
import { classifyFailure, outageDelay, spell } from './outage';
import { runVerdict } from './run-verdict';

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
  /** The wait between tries while a system is unreachable (default 4 s, doubling, at most 1 minute); tests shorten it. */
  outageBackoff?: { initialMs: number; maxMs: number };
}

export const LoadPlanInput = z.object({ versionId: z.string().min(1) });
export const RunInput = z.object({ runId: z.string().min(1) });
export const RunPipelineInput = z.object({ runId: z.string().min(1), versionId: z.string().min(1), pipelineId: z.string().min(1) });
export const FailStepsInput = z.object({ runId: z.string().min(1), nodeIds: z.array(z.string()), error: z.string() });
export const FinishRunInput = z.object({ runId: z.string().min(1), status: RunStatus, error: z.string().nullable() });

/** An outage a pipeline is waiting out: which step's system, since when (ms), how many tries failed (and, for
 * Temporal's UI while the store itself is down, the system's name). */
const Outage = z.object({ nodeId: z.string(), since: z.number(), failures: z.number().int().nonnegative(), system: z.string().optional() });
type Outage = z.infer<typeof Outage>;

/** What a pipeline heartbeats: the last committed batch and where to read from next (and an outage it waits out). */
export const PipelineCheckpoint = z.object({ batch: z.number().int().nonnegative(), cursor: z.unknown(), outage: Outage.optional() });
export type PipelineCheckpoint = z.infer<typeof PipelineCheckpoint>;

export const PipelineResult = z.object({
  pipelineId: z.string(),
  /** Batches committed by this pipeline over all attempts. */
  batches: z.number().int(),
  steps: z.array(z.object({ nodeId: z.string(), status: StepStatus, counts: Counts })),
});
export type PipelineResult = z.infer<typeof PipelineResult>;

const DEFAULT_BATCH_SIZE = 5_000;
export const DEFAULT_OUTAGE_WINDOW_MS = 15 * 60_000;

/** Which step an error came from, so the right step says what it waits for. */
const failedSteps = new WeakMap<object, string>();
/** The tag of an error from Weft's own store (a commit): waited out like a target's outage, shown on the target step. */
const STORE = '\u0000store';
const failedAt =
  (nodeId: string) =>
  (err: unknown): never => {
    if (err instanceof Object && !failedSteps.has(err)) failedSteps.set(err, nodeId);
    throw err;
  };

/** The store with every failed call tagged as the store's (a source or transform reading files or records from it
 * must not be taken for its own system failing). */
function storeTagged(store: Store): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        return result instanceof Promise ? result.catch(failedAt(STORE)) : result;
      };
    },
  });
}

async function* tagged<T>(source: AsyncIterable<T>, nodeId: string): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (err) {
    failedAt(nodeId)(err);
  }
}

/** Plan errors and bad inputs cannot be fixed by a retry: they fail the activity for good, with the message a person reads. */
function boundary<I, O>(activity: (input: I) => Promise<O>): (input: I) => Promise<O> {
  return async (input) => {
    try {
      return await activity(input);
    } catch (err) {
      if (err instanceof PlanError) throw ApplicationFailure.nonRetryable(publicMessage(err), 'PlanError');
      if (err instanceof z.ZodError) throw ApplicationFailure.nonRetryable(`Invalid activity input: ${z.prettifyError(err)}`, 'InvalidInput');
      if (err instanceof Error && !(err instanceof ApplicationFailure) && !(err instanceof CancelledFailure)) {
        // Sync history shows this message: the statement, its values and server paths go to the log only.
        const shown = publicMessage(err);
        if (shown !== err.message) {
          const detail = { error: err.message.slice(0, 20_000), cause: String((err as { cause?: unknown }).cause ?? '') };
          try {
            log.warn('Activity failed; the message shown was shortened', detail);
          } catch {
            console.warn('Activity failed; the message shown was shortened', detail); // called outside an activity (tests)
          }
          throw ApplicationFailure.create({ message: shown, type: err.name, nonRetryable: false });
        }
      }
      throw err;
    }
  };
}

export function createActivities(deps: ActivityDeps) {
  const { store } = deps;
  const batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;
  const outageWindowMs = deps.outageWindowMs ?? DEFAULT_OUTAGE_WINDOW_MS;
  const outageBackoff = deps.outageBackoff ?? { initialMs: 4_000, maxMs: 60_000 };

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
      // PARAM(name) reads the parameters the run was started with (stored on the run, so a retry or a resume reads the same).
      const params = new Map(Object.entries(runRecord?.params ?? {}));
      const executorDeps = { store: storeTagged(store), valueMaps: plan.valueMaps, now: () => runClock, params, openConnection: deps.openConnection };
      for (const nodeId of owned) await store.setStepStatus(runId, nodeId, 'running', null);

      const ctx = Context.current();
      const fromHeartbeat = PipelineCheckpoint.safeParse(ctx.info.heartbeatDetails);
      const fromStore = await store.getCheckpoint(runId, pipelineId);
      let checkpoint: PipelineCheckpoint = fromHeartbeat.success && fromHeartbeat.data.batch > fromStore.batch ? fromHeartbeat.data : fromStore;
      if (checkpoint.batch > 0) ctx.log.info('Resuming pipeline', { runId, pipelineId, batch: checkpoint.batch });
      // An outage this pipeline was riding out when its last worker died goes on counting from when it began.
      let outage: Outage | null = fromHeartbeat.success ? (fromHeartbeat.data.outage ?? null) : null;
      const windowMs = plan.settings?.outageWindowMinutes ? plan.settings.outageWindowMinutes * 60_000 : outageWindowMs;
      const targetStep = steps[steps.length - 1];
      const beat = () => ctx.heartbeat({ ...checkpoint, ...(outage && { outage }) });
      const clearWaiting = async () => {
        if (!outage) return;
        const nodeId = outage.nodeId;
        outage = null;
        await store.setStepWaiting(runId, nodeId, null).catch(() => undefined);
      };

      // Keep heartbeating while a slow batch or commit is in flight, and while waiting out an outage; a dead worker
      // stops, and is noticed.
      const every = Math.max(500, Math.floor((ctx.info.heartbeatTimeoutMs ?? 30_000) / 3));
      const ticker = setInterval(beat, every);

      /** One pass over the source from the last committed batch; the caller decides what a failure means. */
      const runOnce = async () => {
        const executors = await buildPipeline(steps, executorDeps, (step, d) => createExecutor(step, d).catch(failedAt(step.nodeId)));
        // The stages overlap with at most DEFAULT_MAX_ALIVE batches alive, whatever their speeds (runtime/executors/drive.ts);
        // a batch is committed only after its own write. A write may thus run before the previous batch's commit is
        // confirmed; if that commit fails, the retry resumes after the last committed batch and writes both again,
        // which targets take (writes are idempotent, see docs/architecture.md, "Database targets").
        try {
          beat();
          const ownedSet = new Set(owned);
          const first = checkpoint.batch;
          await drivePipeline({
            read: tagged(executors.source.run.read(checkpoint.batch > 0 ? checkpoint.cursor : null, batchSize), executors.source.step.nodeId),
            check: () => {
              if (ctx.cancellationSignal.aborted) throw new CancelledFailure('The run was cancelled');
            },
            transform: (batch) => ({ flowed: flowPipelineBatch(executors, batch, ownedSet), cursor: batch.cursor }),
            write: async ({ flowed, cursor }) => ({ effect: await writePipelineBatch(executors, flowed).catch(failedAt(executors.target.step.nodeId)), cursor }),
            commit: async ({ effect, cursor }, index) => {
              const next = { batch: first + index, cursor };
              await store.commitBatch({ runId, pipelineId, batch: next.batch, cursor: next.cursor, ...effect }).catch(failedAt(STORE));
              checkpoint = next;
              // The system is back: the run page stops saying it waits.
              await clearWaiting();
              beat();
              if (deps.batchDelayMs) await ctx.sleep(deps.batchDelayMs);
            },
          });
        } finally {
          await closePipeline(executors);
        }
      };

      try {
        // Unreachable systems are waited for here, heartbeating, rather than by Temporal's retry policy: the step
        // records what it waits for (the run page shows it), the window is the integration's setting, not a
        // number of attempts fixed in workflow code, and a resumed wait keeps its start (docs/architecture.md).
        for (;;) {
          try {
            await runOnce();
            await clearWaiting();
            break;
          } catch (err) {
            // A source's or target's system is waited for here, and so is Weft's own store (a commit that could not
            // reach a DATABASE_URL Postgres): the commit is the target's, so the target step says it waits. While the
            // store is down that state cannot be written (the API that would show it reads the same store): it is in
            // the activity's heartbeat (Temporal's UI) and the worker's log. A commit that did land before its connection broke is not applied twice:
            // the retry's checkpoint claim finds the batch already committed (runtime/store/commit-batch.ts).
            const tag = err instanceof Object ? failedSteps.get(err) : undefined;
            const from = tag === STORE ? (targetStep?.nodeId ?? pipelineId) : tag;
            const nodeId = from ?? targetStep?.nodeId ?? pipelineId;
            const label = tag === STORE ? "Weft's store" : (steps.find((s) => s.nodeId === nodeId)?.label ?? nodeId);
            const failure = classifyFailure(err, label);
            if (failure.kind !== 'unreachable' || !from || ctx.cancellationSignal.aborted) {
              await clearWaiting();
              if (failure.kind === 'permanent' && !(err instanceof PlanError)) throw ApplicationFailure.nonRetryable(publicMessage(failure.message), 'PermanentError');
              throw err;
            }
            const now = Date.now();
            if (!outage || outage.nodeId !== nodeId) {
              await clearWaiting();
              outage = { nodeId, since: now, failures: 0 };
            }
            outage.failures++;
            outage.system = failure.system;
            const until = outage.since + windowMs;
            if (now >= until) {
              const since = outage.since;
              await clearWaiting();
              throw ApplicationFailure.nonRetryable(
                `${failure.system} was unreachable for ${spell(now - since)}, the integration's outage window: ${publicMessage(failure.message)}`,
                'Unreachable',
              );
            }
            const delay = Math.min(until - now, outageDelay(outage.failures, outageBackoff));
            const waiting: StepWaiting = {
              system: failure.system,
              attempt: outage.failures + 1,
              since: new Date(outage.since).toISOString(),
              nextTryAt: new Date(now + delay).toISOString(),
              until: new Date(until).toISOString(),
              error: publicMessage(failure.message),
            };
            await store.setStepWaiting(runId, nodeId, waiting).catch(() => undefined);
            ctx.log.warn(`${waitingMessage(waiting, now)}: ${failure.message}`, { runId, pipelineId });
            beat();
            await ctx.sleep(delay);
          }
        }
      } finally {
        clearInterval(ticker);
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
      // Every record rejected, or more than the allowed share: the run is Failed (decided here, not in the workflow).
      const verdict = await runVerdict(store, runId, status, error);
      await store.finishRun(runId, verdict.status, verdict.error);
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
