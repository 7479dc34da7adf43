// One pipeline as executors: a source, its transforms and a target, and the pure step that turns a batch into a commit.
import type { PlanStep } from '../../shared/compiler/plan';
import type { BatchCommit } from '../store/types';
import { PlanError, type Executor, type ExecutorDeps, type SourceBatch, type SourceExecutor, type TargetExecutor, type TransformExecutor } from './types';
import { emptyRecord, ownValue, rowRecord } from '../../shared/util/records';
import { MapConfig } from '../../shared/graph/kinds/map';
import { CalculatedFieldConfig } from '../../shared/graph/kinds/calculated-field';
import { SqlSourceConfig } from '../../shared/graph/kinds/sql-source';

export interface PipelineExecutors {
  source: { step: PlanStep; run: SourceExecutor };
  transforms: { step: PlanStep; run: TransformExecutor }[];
  target: { step: PlanStep; run: TargetExecutor };
  /**
   * The source record's fields when the Map may hand source records on as the rows' values (`handsOnSource`): a
   * rejected row whose values are its source record has the source as read restored from these fields.
   */
  sourceFields?: readonly string[];
}

/**
 * The fields of the source records a pipeline's Map may hand on as the rows' values (issue 16: no new record per
 * row), or null. Only where that keeps every guarantee: a database table source (its records are made for this
 * pipeline's batch alone), then a Map whose every field copies its own name (it hands a record on only when its keys
 * are exactly those fields, in order, and every value converts to itself), then filters and calculated fields that
 * only add fields outside those (so the source's own values stay as read), then a database table target (the
 * workspace target keeps every row's source in its history), and no soft-delete field read from the source.
 */
export function handOnFields(steps: readonly PlanStep[], deps: Pick<ExecutorDeps, 'sync'>): { fields: readonly string[]; typed: boolean } | null {
  if (steps.length < 3 || deps.sync?.sourceSoftDeleteField) return null;
  const [source, map] = steps;
  const target = steps[steps.length - 1]!;
  if (source!.kind !== 'sql-source' || map!.kind !== 'map' || target.kind !== 'sql-target') return null;
  const parsed = MapConfig.safeParse(map!.config);
  if (!parsed.success) return null;
  const fields = parsed.data.fields;
  if (!fields.every((f) => f.from === 'field' && f.source === f.target)) return null;
  const names = fields.map((f) => f.target);
  if (new Set(names).size !== names.length) return null;
  for (const step of steps.slice(2, -1)) {
    if (step.kind === 'filter') continue;
    if (step.kind !== 'calculated-field') return null;
    const calc = CalculatedFieldConfig.safeParse(step.config);
    if (!calc.success || names.includes(calc.data.field)) return null;
  }
  // Whether the source types each field as the Map converts it (same type, no currency code to check): a record it
  // hands on unchanged then needs no converting again (`sourceTyped`).
  const columns = SqlSourceConfig.safeParse(source!.config);
  const typeOf = new Map(columns.success ? columns.data.columns.map((c) => [c.name, c.type] as const) : []);
  const typed = columns.success && fields.every((f) => typeOf.get(f.source) === f.type && (f.type !== 'currency' || !f.currency));
  return { fields: names, typed };
}

/** The rejected rows with a source record handed on as values given their source as read (the record's first fields). */
function restoreSources(rejected: BatchCommit['rejected'], fields: readonly string[] | undefined): BatchCommit['rejected'] {
  if (!fields) return rejected;
  return rejected.map((r) => {
    if (r.mapped === null || r.source !== r.mapped) return r;
    const source = rowRecord(fields.length);
    for (const f of fields) source[f] = ownValue(r.mapped, f);
    return { ...r, source };
  });
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
  const handOn = handOnFields(steps, deps);
  const sourceFields = handOn?.fields;
  const transformDeps = handOn ? { ...deps, handsOnSource: true, ...(handOn.typed && { sourceTyped: true }) } : deps;
  const built = await Promise.all(steps.map(async (step, i) => ({ step, run: await create(step, i > 0 && i < steps.length - 1 ? transformDeps : deps) })));
  const [first, ...rest] = built;
  const last = rest.pop();
  if (!first || first.run.role !== 'source') throw new PlanError('A pipeline must start with a source.');
  if (!last || last.run.role !== 'target') throw new PlanError('A pipeline must end with a target.');
  const transforms = rest.map(({ step, run }) => {
    if (run.role !== 'transform') throw new PlanError(`${step.label} cannot sit in the middle of a pipeline.`);
    return { step, run };
  });
  return { source: { step: first.step, run: first.run }, transforms, target: { step: last.step, run: last.run }, ...(sourceFields && { sourceFields }) };
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
    rejected.push(...restoreSources(rej, p.sourceFields));
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
