// What an executor is: one per node kind, pure where it can be, with I/O passed in through deps.
import type { z } from 'zod';
import type { PlanStep } from '../../shared/compiler/plan';
import type { KindId } from '../../shared/graph/kinds';
import type { SessionOpener } from '../connections/sessions';
import type { StepProgress } from '../../shared/api/runs';
import type { BatchCommit, BatchSync, NewRejected, StepCounts, Store } from '../store/types';
import type { SourceRead } from '../store/sync-state';
import type { CursorValue } from '../../shared/sync/cursor';
import type { QueuedRequest } from '../store/webhooks';

import type { FlowRow } from '../../shared/transforms';
import type { Partition } from '../../shared/sync/partitions';
import type { SyncExecutor } from './two-way-sync';
import type { BuiltDirectory } from '../../shared/members/directory';

export type { FlowRow };

/**
 * Everything an executor may be given; each executor names the part it needs (`defineExecutor`'s `needs`), and the
 * worker passes all of it, so no executor checks at run time whether a dependency is there.
 */
export interface ExecutorDeps {
  /** Uploaded files' records: a file source checks its file is there before the run reads it. */
  store: Pick<Store, 'getFile'>;
  /** Sessions on connectors, through the connection service only (runtime/connections): saved connections and Weft's own stores. */
  sessions: SessionOpener;
  /** The plan's value maps, for formulas' LOOKUP. */
  valueMaps: Record<string, Record<string, unknown>> | undefined;
  /** The run's clock for TODAY()/NOW(): fixed per run so retried batches compute the same values. */
  now: () => number;
  /** The run's parameters (Run with parameters, the trigger API), for formulas' PARAM(name). */
  params: ReadonlyMap<string, unknown>;
  /** The plan's declared parameters (name and type), so PARAM compiles as the designer checked it. */
  parameters?: readonly { name: string; type: 'text' | 'number' | 'date' | 'boolean' }[];
  /** The run's member alignment snapshot, when a step calls MEMBER (runtime/members/snapshot.ts). */
  members?: BuiltDirectory;
  /** The webhook requests this run drained, in the order they arrived (a run's activity); elsewhere `NO_WEBHOOK_REQUESTS`. */
  webhookRequests: WebhookRequestReader;
  /** Issue 14: this pipeline's sync state in this run (absent: read everything, no cursor kept, no deletes). */
  sync?: PipelineSync;
  /** Issue 16: the part of the source this activity reads (absent: all of it). */
  partition?: Partition;
  /**
   * Issue 16: set by `buildPipeline` only, for the transforms of a pipeline whose Map may hand the source's records on
   * as the rows' values (shared/transforms `handsOnSource`); the pipeline then restores a rejected row's source as read.
   */
  handsOnSource?: boolean;
  /** With `handsOnSource`: the source types its rows as the Map's fields say (shared/transforms `sourceTyped`). */
  sourceTyped?: boolean;
}

/** Reads the webhook requests a run drained, after a queue sequence number. */
export interface WebhookRequestReader {
  read(afterSeq: number, limit: number): Promise<QueuedRequest[]>;
}

/** For callers outside a run (test a record, benches): a webhook source there says it reads only in a run. */
export const NO_WEBHOOK_REQUESTS: WebhookRequestReader = {
  read: () => Promise.reject(new PlanError('A webhook source reads the requests its webhook received; it runs only in a run of its integration.')),
};

/** What a pipeline's executors know of the run's sync (runtime/activities builds it once per pipeline). */
export interface PipelineSync {
  /** The source's read in this run: full, or incremental since a mark; fixed at the pipeline's first start. */
  read: SourceRead | null;
  /** The pipeline source's soft-delete field, read on each row's source values ('' none). */
  sourceSoftDeleteField: string;
  /** Whether the target may compare its keys with the keys this run read (a full read of the source). */
  compareKeys: boolean;
  /** "Sync and refresh": the read is full and the target rewrites every matched record with the current mapping. */
  refresh?: boolean;
}

/** The dependencies one executor needs, by name. */
export type ExecutorNeeds = keyof ExecutorDeps;

export interface SourceBatch {
  rows: FlowRow[];
  /** Rows the source could not read (e.g. malformed CSV lines). */
  rejected: NewRejected[];
  /** Rows read, good and rejected. */
  read: number;
  /** Where the next read resumes; stored with the batch's commit. */
  cursor: unknown;
  /** How far the source is through a known total (bytes of a file, a table's row estimate), when it knows. */
  progress?: StepProgress;
  /** Issue 14: the read's high-water mark after this batch (cumulative, capped), committed with the batch. */
  high?: CursorValue;
}

export interface SourceExecutor {
  role: 'source';
  /** Batches from `cursor` (null: from the start). */
  read(cursor: unknown, batchSize: number): AsyncIterable<SourceBatch>;
}

export interface TransformExecutor {
  role: 'transform';
  apply(rows: readonly FlowRow[]): { rows: FlowRow[]; rejected: NewRejected[] };
}

/** A target's outcomes for one batch, recorded by the commit: written = created + updated + unchanged. */
export interface TargetOutcome {
  counts: Pick<StepCounts, 'written' | 'created' | 'updated' | 'unchanged' | 'rejected' | 'skipped'>;
  rejected: NewRejected[];
  /** Issue 14: keys of this batch for the delete phase (seen, and deleted at the source). */
  keys?: NonNullable<BatchSync['keys']>;
}

/** A target inside the store (a workspace object): its write joins the batch commit's transaction. */
export interface StoreTargetExecutor {
  role: 'target';
  /** The target's part of the batch commit, written in the same transaction as the counts and checkpoint. */
  contribute(rows: readonly FlowRow[]): Pick<BatchCommit, 'workspaceWrite' | 'sync'>;
}

/**
 * A target outside the store (a database table): it cannot join the commit's transaction, so it writes the
 * batch BEFORE the commit and hands over its outcomes. A batch whose commit then fails is written again on
 * retry, so `write` must be safe to repeat (see docs/architecture.md, "Database targets").
 */
export interface ExternalTargetExecutor {
  role: 'target';
  write(rows: readonly FlowRow[]): Promise<TargetOutcome>;
  /** Batches it can take at once (default 1); `write` is then called in batch order, each before the previous has ended. */
  writers?: number;
  /** Releases what the writes kept open (one connection per run, not per batch). */
  close?(): Promise<void>;
}

export type TargetExecutor = StoreTargetExecutor | ExternalTargetExecutor;

/** A step that is a pipeline of its own (two-way sync): it reads and writes its sides itself (runtime/executors/two-way-sync.ts). */
export type Executor = SourceExecutor | TransformExecutor | TargetExecutor | SyncExecutor;

export interface ExecutorDef<K extends KindId = KindId, N extends ExecutorNeeds = ExecutorNeeds> {
  kind: K;
  create(step: PlanStep, deps: Pick<ExecutorDeps, N>): Promise<Executor>;
}

/** An executor whose config is parsed with its kind's schema, so `create` gets a typed config and exactly the deps it names. */
export function defineExecutor<K extends KindId, C, N extends ExecutorNeeds = never>(def: {
  kind: K;
  config: z.ZodType<C>;
  /** The dependencies `create` reads; the registry's caller must pass them (a compile error otherwise). */
  needs?: readonly N[];
  create(config: C, step: PlanStep, deps: Pick<ExecutorDeps, N>): Executor | Promise<Executor>;
}): ExecutorDef<K, N> {
  return {
    kind: def.kind,
    async create(step, deps) {
      const parsed = def.config.safeParse(step.config);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ');
        throw new PlanError(`${step.label} is not configured correctly (${issues}). Fix it and publish again.`);
      }
      return def.create(parsed.data, step, deps);
    },
  };
}

/** A problem with the plan or what it points at (a missing file, a bad config): retrying cannot fix it. */
export class PlanError extends Error {
  override readonly name = 'PlanError';
}
