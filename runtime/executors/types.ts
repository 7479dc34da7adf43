// What an executor is: one per node kind, pure where it can be, with I/O passed in through deps.
import type { z } from 'zod';
import type { PlanStep } from '../../shared/compiler/plan';
import type { KindId } from '../../shared/graph/kinds';
import type { ConnectorSession } from '../connectors/types';
import type { BatchCommit, NewRejected, StepCounts, Store } from '../store/types';

import type { FlowRow } from '../../shared/transforms';

export type { FlowRow };

export interface ExecutorDeps {
  /** The worker passes the whole store; the workspace source needs its workspace reads (runtime/connectors/workspace). */
  store: Pick<Store, 'getFile'> & Partial<Pick<Store, 'listWorkspaceObjects' | 'getWorkspaceObject' | 'readWorkspacePage' | 'writeWorkspace'>>;
  /** The plan's value maps, for formulas' LOOKUP. */
  valueMaps?: Record<string, Record<string, unknown>>;
  /** The run's clock for TODAY()/NOW(): fixed per run so retried batches compute the same values. */
  now?: () => number;
  /** The run's parameters (Run with parameters, the trigger API), for formulas' PARAM(name). */
  params?: ReadonlyMap<string, unknown>;
  /** Opens a session on a saved connection (its secrets unsealed); the caller closes it. Throws PlanError when it is gone. */
  openConnection?: (connectionId: string) => Promise<ConnectorSession>;
}

export interface SourceBatch {
  rows: FlowRow[];
  /** Rows the source could not read (e.g. malformed CSV lines). */
  rejected: NewRejected[];
  /** Rows read, good and rejected. */
  read: number;
  /** Where the next read resumes; stored with the batch's commit. */
  cursor: unknown;
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
  counts: Pick<StepCounts, 'written' | 'created' | 'updated' | 'unchanged' | 'rejected'>;
  rejected: NewRejected[];
}

/** A target inside the store (a workspace object): its write joins the batch commit's transaction. */
export interface StoreTargetExecutor {
  role: 'target';
  /** The target's part of the batch commit, written in the same transaction as the counts and checkpoint. */
  contribute(rows: readonly FlowRow[]): Pick<BatchCommit, 'workspaceWrite'>;
}

/**
 * A target outside the store (a database table): it cannot join the commit's transaction, so it writes the
 * batch BEFORE the commit and hands over its outcomes. A batch whose commit then fails is written again on
 * retry, so `write` must be safe to repeat (see docs/architecture.md, "Database targets").
 */
export interface ExternalTargetExecutor {
  role: 'target';
  write(rows: readonly FlowRow[]): Promise<TargetOutcome>;
  /** Releases what the writes kept open (one connection per run, not per batch). */
  close?(): Promise<void>;
}

export type TargetExecutor = StoreTargetExecutor | ExternalTargetExecutor;

export type Executor = SourceExecutor | TransformExecutor | TargetExecutor;

export interface ExecutorDef<K extends KindId = KindId> {
  kind: K;
  create(step: PlanStep, deps: ExecutorDeps): Promise<Executor>;
}

/** An executor whose config is parsed with its kind's schema, so `create` gets a typed config. */
export function defineExecutor<K extends KindId, C>(def: {
  kind: K;
  config: z.ZodType<C>;
  create(config: C, step: PlanStep, deps: ExecutorDeps): Executor | Promise<Executor>;
}): ExecutorDef<K> {
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
