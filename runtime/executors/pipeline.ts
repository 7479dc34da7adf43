// One pipeline as executors: a source, its transforms and a target, and the pure step that turns a batch into a commit.
import type { PlanStep } from '../../shared/compiler/plan';
import type { BatchCommit } from '../store/types';
import { PlanError, type Executor, type ExecutorDeps, type SourceBatch, type SourceExecutor, type TargetExecutor, type TransformExecutor } from './types';
import { emptyRecord } from '../../shared/util/records';

export interface PipelineExecutors {
  source: { step: PlanStep; run: SourceExecutor };
  transforms: { step: PlanStep; run: TransformExecutor }[];
  target: { step: PlanStep; run: TargetExecutor };
}

/** Releases what the pipeline's executors kept open (a database target's connection); never throws. */
export async function closePipeline(p: PipelineExecutors): Promise<void> {
  const target = p.target.run;
  if ('close' in target && target.close) await target.close().catch(() => undefined);
}

export async function buildPipeline(
  steps: readonly PlanStep[],
  deps: ExecutorDeps,
  create: (step: PlanStep, deps: ExecutorDeps) => Promise<Executor>,
): Promise<PipelineExecutors> {
  const built = await Promise.all(steps.map(async (step) => ({ step, run: await create(step, deps) })));
  const [first, ...rest] = built;
  const last = rest.pop();
  if (!first || first.run.role !== 'source') throw new PlanError('A pipeline must start with a source.');
  if (!last || last.run.role !== 'target') throw new PlanError('A pipeline must end with a target.');
  const transforms = rest.map(({ step, run }) => {
    if (run.role !== 'transform') throw new PlanError(`${step.label} cannot sit in the middle of a pipeline.`);
    return { step, run };
  });
  return { source: { step: first.step, run: first.run }, transforms, target: { step: last.step, run: last.run } };
}

/** The batch's effect, minus the run/pipeline/batch ids: counts per step, rejected records, the target's write. */
export type BatchEffect = Pick<BatchCommit, 'counts' | 'rejected' | 'workspaceWrite' | 'progress' | 'sync'>;

/** A batch run through the source and transforms: their counts and rejections, and the rows for the target. */
function flowBatch(p: PipelineExecutors, batch: SourceBatch, owned: ReadonlySet<string>) {
  const counts: BatchCommit['counts'] = emptyRecord();
  const rejected: BatchCommit['rejected'] = [];
  const record = (nodeId: string, c: BatchCommit['counts'][string], rej: BatchCommit['rejected']) => {
    if (!owned.has(nodeId)) return;
    counts[nodeId] = { ...counts[nodeId], ...c };
    rejected.push(...rej);
  };
  record(p.source.step.nodeId, { read: batch.read, written: batch.rows.length, rejected: batch.rejected.length }, batch.rejected);
  let rows = batch.rows;
  for (const t of p.transforms) {
    const out = t.run.apply(rows);
    record(t.step.nodeId, { read: rows.length, written: out.rows.length, rejected: out.rejected.length }, out.rejected);
    rows = out.rows;
  }
  record(p.target.step.nodeId, { read: rows.length }, []);
  return { counts, rejected, rows, record };
}

/**
 * Runs one source batch through the transforms and into a store target's contribution. Pure.
 * Only the steps in `owned` are counted (a source shared by two pipelines is counted once).
 * The target's write outcomes are counted by the store, so only its `read` is counted here.
 * A target outside the store writes through I/O: use `runBatch`.
 */
export function processBatch(p: PipelineExecutors, batch: SourceBatch, owned: ReadonlySet<string>): BatchEffect {
  const target = p.target.run;
  if (!('contribute' in target)) throw new Error(`processBatch: ${p.target.step.label} writes outside the store; use runBatch`);
  const { counts, rejected, rows } = flowBatch(p, batch, owned);
  return { counts, rejected, ...target.contribute(rows) };
}

/** A batch through the source and transforms, its target write not yet done (see `flowBatch` and `writeBatch`). */
export type FlowedBatch = ReturnType<typeof flowBatch>;

/** The CPU half of a batch: source and transform counts and rows; pure and synchronous. */
export function flowPipelineBatch(p: PipelineExecutors, batch: SourceBatch, owned: ReadonlySet<string>): FlowedBatch {
  return flowBatch(p, batch, owned);
}

/**
 * The I/O half: a store target contributes to the commit; a target outside the store writes now, before the
 * commit, and its outcomes become the target step's counts. Split from `flowPipelineBatch` so the runtime can
 * transform the next batch while this one is being written.
 */
export async function writePipelineBatch(p: PipelineExecutors, flowed: FlowedBatch): Promise<BatchEffect> {
  const target = p.target.run;
  const { counts, rejected, rows, record } = flowed;
  if ('contribute' in target) return { counts, rejected, ...target.contribute(rows) };
  const outcome = await target.write(rows);
  record(p.target.step.nodeId, outcome.counts, outcome.rejected);
  return { counts, rejected, ...(outcome.keys && { sync: { keys: outcome.keys } }) };
}

/** One batch, whatever the target: transformed, then written (a store target's write joins the commit). */
export async function runBatch(p: PipelineExecutors, batch: SourceBatch, owned: ReadonlySet<string>): Promise<BatchEffect> {
  return writePipelineBatch(p, flowBatch(p, batch, owned));
}
