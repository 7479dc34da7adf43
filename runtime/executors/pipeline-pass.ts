// One pass of a pipeline from its last committed batch: its executors built, its batches driven through
// transform, write and commit (drive.ts), its executors closed. No Temporal and no store here: the activity
// (runtime/activities) passes the commit, the cancellation check and what to do when a pass fails.
import type { PlanStep } from '../../shared/compiler/plan';
import { drivePipeline } from './drive';
import { createExecutor } from './index';
import { buildPipeline, closePipeline, flowPipelineBatch, writePipelineBatch, type BatchEffect } from './pipeline';
import type { Executor, ExecutorDeps } from './types';

/** The last committed batch (0: none yet) and where the source reads on from. */
export interface PassCheckpoint {
  batch: number;
  cursor: unknown;
}

export interface PipelinePass {
  /** The pipeline's steps in order: a source, its transforms, a target. */
  steps: readonly PlanStep[];
  /** The steps this pipeline counts (a source shared by two pipelines is counted by one). */
  owned: ReadonlySet<string>;
  deps: ExecutorDeps;
  batchSize: number;
  /** Where to resume: batches after `from.batch`, read from `from.cursor`. */
  from: PassCheckpoint;
  /** Commits one batch's effect with its checkpoint; batch n's commit starts after batch n-1's ended. */
  commit(next: PassCheckpoint, effect: BatchEffect): Promise<void>;
  /** Called before each batch is transformed; throw to stop (a cancelled run). */
  check?(): void;
  /** Builds one step's executor (the registry's `createExecutor` by default). */
  create?: (step: PlanStep, deps: ExecutorDeps) => Promise<Executor>;
  /** Batches alive at once (drive.ts; default 4). */
  maxAlive?: number;
  /** Given, once the pass ends (or fails), the time each stage was busy and the pass's wall time. */
  stages?(timing: StageTiming & { wall: number; batches: number }): void;
}

/** Which step an error came from, so the right step says what it waits for. */
const failedSteps = new WeakMap<object, string>();

/** The node id of the step whose executor threw `err` during a pass, if it came from one. */
export const failedStep = (err: unknown): string | undefined => (err instanceof Object ? failedSteps.get(err) : undefined);

/** The tag of a failure of Weft's own store (a commit, or a source reading files or records from it): waited out like
 * a target's outage and shown on the target step, never taken for the source's own system failing. */
export const STORE_FAILURE = '\u0000store';

export const failedAt =
  (nodeId: string) =>
  (err: unknown): never => {
    if (err instanceof Object && !failedSteps.has(err)) failedSteps.set(err, nodeId);
    throw err;
  };

/** The store with every failed call tagged as the store's (`STORE_FAILURE`). */
export function storeTagged<S extends object>(store: S): S {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        return result instanceof Promise ? result.catch(failedAt(STORE_FAILURE)) : result;
      };
    },
  });
}

async function* tagged<T>(source: AsyncIterable<T>, nodeId: string, timing?: StageTiming): AsyncGenerator<T> {
  try {
    if (!timing) {
      yield* source;
      return;
    }
    const it = source[Symbol.asyncIterator]();
    try {
      for (;;) {
        const t0 = performance.now();
        const r = await it.next();
        timing.read += performance.now() - t0;
        if (r.done) return;
        yield r.value;
      }
    } finally {
      await it.return?.();
    }
  } catch (err) {
    failedAt(nodeId)(err);
  }
}

/**
 * Milliseconds each stage was busy during a pass, and the pass's wall time (`WEFT_STAGE_LOG=1` logs them). The
 * stages overlap, so the one whose busy time is near the wall time (for writes, near wall x writers in flight) is
 * the one the others wait on.
 */
export interface StageTiming {
  read: number;
  transform: number;
  /** Summed over the writes in flight: up to wall x the target's writers. */
  write: number;
  commit: number;
}

/** One line for a log: where a pass spent its time. */
export function describeStages(t: StageTiming & { wall: number; batches: number }): string {
  const s = (n: number) => `${(n / 1000).toFixed(2)} s`;
  return `wall ${s(t.wall)} for ${t.batches} batches; busy: read ${s(t.read)}, transform ${s(t.transform)}, write ${s(t.write)} (summed over writes in flight), commit ${s(t.commit)}`;
}

async function timed<T>(timing: StageTiming | undefined, stage: keyof StageTiming, work: () => Promise<T>): Promise<T> {
  if (!timing) return work();
  const t0 = performance.now();
  try {
    return await work();
  } finally {
    timing[stage] += performance.now() - t0;
  }
}

/**
 * Runs the pipeline once from `from` and resolves with the batches this pass committed. The stages overlap with
 * at most `maxAlive` batches alive, whatever their speeds; a batch is committed only after its own write. A write
 * may thus run before the previous batch's commit is confirmed; if that commit fails, the next pass resumes after
 * the last committed batch and writes both again, which targets take (see docs/architecture.md, "Database
 * targets"). A failure of the source, a step's executor or the target is tagged with its step (`failedStep`).
 */
export async function runPipelinePass(pass: PipelinePass): Promise<number> {
  const create = pass.create ?? createExecutor;
  const executors = await buildPipeline(pass.steps, pass.deps, (step, deps) => create(step, deps).catch(failedAt(step.nodeId)));
  const { source, target } = executors;
  const timing: StageTiming | undefined = pass.stages ? { read: 0, transform: 0, write: 0, commit: 0 } : undefined;
  const started = performance.now();
  let batches = 0;
  try {
    return await drivePipeline(
      {
        read: tagged(source.run.read(pass.from.batch > 0 ? pass.from.cursor : null, pass.batchSize), source.step.nodeId, timing),
        ...(pass.check && { check: pass.check }),
        transform: (batch) => {
          const t0 = timing ? performance.now() : 0;
          const flowed = flowPipelineBatch(executors, batch, pass.owned);
          if (timing) timing.transform += performance.now() - t0;
          batches += 1;
          return { flowed, cursor: batch.cursor, progress: pass.owned.has(source.step.nodeId) ? batch.progress : undefined, high: batch.high };
        },
        write: async ({ flowed, cursor, progress, high }) => {
          const written = await timed(timing, 'write', () => writePipelineBatch(executors, flowed)).catch(failedAt(target.step.nodeId));
          // The source's high-water mark rides with the batch's commit, beside the target's keys.
          const effect = high === undefined ? written : { ...written, sync: { ...written.sync, high } };
          return { effect: progress ? { ...effect, progress: { [source.step.nodeId]: progress } } : effect, cursor };
        },
        commit: ({ effect, cursor }, index) => timed(timing, 'commit', () => pass.commit({ batch: pass.from.batch + index, cursor }, effect)),
      },
      { ...(pass.maxAlive !== undefined && { maxAlive: pass.maxAlive }), writers: 'writers' in target.run ? (target.run.writers ?? 1) : 1 },
    );
  } finally {
    await closePipeline(executors);
    if (timing) pass.stages?.({ ...timing, wall: performance.now() - started, batches });
  }
}
