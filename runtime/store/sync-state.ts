// Sync state (issue 14, migration 0015): the cursor each source step of an integration keeps between runs, what each
// pipeline's source read in a run, the target keys a run saw or found deleted, and each target's delete phase.
// The one rule that matters: a cursor moves only in `advanceCursors`, which the run's finish calls when every write of
// the run committed (completed, or completed with errors); a failed or cancelled run leaves it where it was.
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { compareCursor, CursorKind, CursorValue, minCursor, maxCursor, type StoredCursor } from '../../shared/sync/cursor';
import type { Db } from './db';
import { runDeletes, runKeys, runs, runSourceReads, runSteps, syncCursors } from './schema';
import type { RunKey } from './types';
import { chunks } from './workspace-write';
import { keyValuesFromStore, keyValuesToStore, runKeyFromStore, runKeyToStore } from './run-key-values';
import { builtOnce, UNNAMED } from './built-once';

/** What one pipeline's source reads in one run: fixed when the pipeline first starts, so retries and resumes agree. */
export interface SourceRead {
  runId: string;
  pipelineId: string;
  nodeId: string;
  /** The cursor field (null: the source has none, every run reads everything). */
  field: string | null;
  kind: CursorKind | null;
  /** True when this read is not incremental: no cursor kept yet, a full sync was asked for, or no cursor field. */
  full: boolean;
  /** The mark read from (`field >= since`); null on a full read. */
  since: CursorValue | null;
  /** The highest cursor value among the rows of the committed batches (capped, see capCursor); null: none yet. */
  high: CursorValue | null;
  startedAt: string;
}

export interface BeginSourceRead {
  runId: string;
  pipelineId: string;
  nodeId: string;
  integrationId: string;
  field: string | null;
  kind: CursorKind | null;
  /** Read everything whatever the kept cursor ("Run full sync"). */
  fullSync: boolean;
}

/** A two-way step's direction: the side its deletes are applied to. */
export type DeleteSide = 'a' | 'b';

/**
 * Whose run keys and delete phase: a target step's (its node id), or one direction of a two-way step's (the step's node
 * id and the side deleted on). The side is a column of its own, never parsed out of a node id: a node id may hold any
 * character, `#` too (del13; migration 30).
 */
export type PhaseRef = string | { nodeId: string; side: DeleteSide };

/** The reference of a recorded phase. */
export const phaseRefOf = (p: Pick<DeletePhase, 'nodeId' | 'side'>): PhaseRef => (p.side ? { nodeId: p.nodeId, side: p.side } : p.nodeId);

/** The columns of a reference: `side` '' for a target step. */
const columnsOf = (ref: PhaseRef): { nodeId: string; side: string } => (typeof ref === 'string' ? { nodeId: ref, side: '' } : { nodeId: ref.nodeId, side: ref.side });

/** Another attempt took the delete phase (a newer one resumed it): this one stops before its next delete call. */
export class DeletePhaseTaken extends Error {
  constructor(label: string) {
    super(`Another attempt of the run took over the deletes to ${label}; this attempt stopped.`);
    this.name = 'DeletePhaseTaken';
  }
}

/**
 * A target's delete phase in a run: `held` when it stopped before deleting (above the threshold, unconfirmed);
 * `applying` from before its first delete until its last (the decision kept: a retry resumes, never judges again);
 * `applied` when done.
 */
export interface DeletePhase {
  runId: string;
  nodeId: string;
  /** A two-way step's direction (the side deleted on); absent for a target step's phase. */
  side?: DeleteSide;
  state: 'held' | 'applying' | 'applied';
  candidates: number;
  targetRecords: number;
  allowed: number;
  /** Records deleted (or soft-deleted) so far. */
  applied: number;
  /** `applying`: the last candidate key applied and counted in `applied` (null: none yet). */
  afterKey?: string | null;
  /** `applying`, delete mode: the next delete call is in flight, and this many of its keys had a record before it. */
  inFlight?: number | null;
  /**
   * The fencing token of the attempt that holds the phase (takeDeletePhase; 0: it found no record). A record carrying it
   * is written only while the phase is still that attempt's. Absent: written whatever holds it (tests, a bench).
   */
  fence?: number;
}

export interface SyncStateStore {
  getCursor(integrationId: string, nodeId: string): Promise<StoredCursor | null>;
  listCursors(integrationId: string): Promise<StoredCursor[]>;
  /** Forgets the kept cursors of an integration (one step's, or all): the next run reads everything. */
  resetCursors(integrationId: string, nodeId?: string): Promise<number>;
  /**
   * Records (once) what a pipeline's source reads in this run and returns it: the kept cursor as `since` unless a full
   * sync was asked for, the cursor field changed or none is kept. A second call (a retry, a resume) returns the first.
   */
  beginSourceRead(input: BeginSourceRead): Promise<SourceRead>;
  getSourceRead(runId: string, pipelineId: string): Promise<SourceRead | null>;
  listSourceReads(runId: string): Promise<SourceRead[]>;
  /** Raises the read's high-water mark (never lowers it); call with the batch commit's value. */
  raiseSourceHigh(runId: string, pipelineId: string, kind: CursorKind, high: CursorValue): Promise<void>;
  /**
   * Moves each source step's kept cursor to what this run read up to: per step the LOWEST high among its pipelines
   * (a source read by two pipelines moves only as far as both have written), never backwards. Call only when the
   * run's writes all committed. Returns the cursors as they are now.
   */
  advanceCursors(runId: string, integrationId: string): Promise<StoredCursor[]>;
  /** advanceCursors for the run's own integration, answering nothing: two statements fewer at a run's finish (issue 16). */
  advanceRunCursors(runId: string): Promise<void>;

  /** Records target keys (record-key text) a run saw, or found deleted at the source (`deleted`). Idempotent. */
  addRunKeys(runId: string, nodeId: string, keys: readonly string[], deleted: boolean): Promise<void>;
  /** Of `keys`, those the run did NOT see (for the full-sync comparison). */
  unseenKeys(runId: string, nodeId: string, keys: readonly string[]): Promise<string[]>;
  /** Keys found deleted at the source, in key order, after `after`, with their field values. */
  listDeletedKeys(runId: string, phase: PhaseRef, opts: { after: string | null; limit: number }): Promise<RunKey[]>;
  /** Sets a step's deleted count (the delete phase's outcome; set, not added, so a retried phase counts once). */
  setStepDeleted(runId: string, nodeId: string, deleted: number): Promise<void>;
  countDeletedKeys(runId: string, phase: PhaseRef): Promise<number>;
  /** Records target keys as deleted with their field values (the delete phase's full-sync comparison). Idempotent. */
  addDeletedKeys(runId: string, phase: PhaseRef, keys: readonly RunKey[]): Promise<void>;
  /** Forgets these keys of the step in the run (deleted or seen), or every key of it when `keys` is not given. */
  dropKeys(runId: string, phase: PhaseRef, keys?: readonly string[]): Promise<void>;

  /**
   * Records the phase. With `fence`, only while the phase is still held by that fence (none recorded yet for 0, which
   * then records it as 1): answers the fence it is held by, or null when another attempt took it (nothing written).
   * Without `fence`, whatever holds it (answers its fence).
   */
  recordDeletePhase(phase: DeletePhase): Promise<number | null>;
  getDeletePhase(runId: string, phase: PhaseRef): Promise<DeletePhase | null>;
  /**
   * Takes the phase for this attempt: raises its fence and answers it as recorded then (with the new fence), in one
   * statement, so an attempt that took it before can record nothing more. Null when none is recorded.
   */
  takeDeletePhase(runId: string, phase: PhaseRef): Promise<DeletePhase | null>;
  listDeletePhases(runId: string): Promise<DeletePhase[]>;
}

const wrap = (v: unknown) => ({ value: v ?? null });
const unwrap = (v: { value: unknown } | null): CursorValue | null => {
  const parsed = CursorValue.safeParse(v?.value);
  return parsed.success ? parsed.data : null;
};

type CursorRow = typeof syncCursors.$inferSelect;
type ReadRow = typeof runSourceReads.$inferSelect;

function toCursor(r: CursorRow): StoredCursor | null {
  const value = unwrap(r.value);
  const kind = CursorKind.safeParse(r.kind);
  if (value === null || !kind.success) return null;
  return { integrationId: r.integrationId, nodeId: r.nodeId, field: r.field, kind: kind.data, value, runId: r.runId, updatedAt: r.updatedAt.toISOString() };
}

function toRead(r: ReadRow): SourceRead {
  const kind = CursorKind.safeParse(r.kind);
  return {
    runId: r.runId,
    pipelineId: r.pipelineId,
    nodeId: r.nodeId,
    field: r.field,
    kind: kind.success ? kind.data : null,
    full: r.fullRead,
    since: unwrap(r.since),
    high: unwrap(r.high),
    startedAt: r.startedAt.toISOString(),
  };
}

/** Every run's finish: its source reads with its integration (issue 16: built once, see built-once.ts). */
const runReadsStatement = builtOnce((db) =>
  db
    .select({ read: runSourceReads, integrationId: runs.integrationId })
    .from(runSourceReads)
    .innerJoin(runs, eq(runs.id, runSourceReads.runId))
    .where(eq(runSourceReads.runId, sql.placeholder('runId')))
    .prepare(UNNAMED),
);

export function createSyncStateStore(db: Db): SyncStateStore {
  async function getCursor(integrationId: string, nodeId: string): Promise<StoredCursor | null> {
    const [row] = await db.select().from(syncCursors).where(and(eq(syncCursors.integrationId, integrationId), eq(syncCursors.nodeId, nodeId)));
    return row ? toCursor(row) : null;
  }
  /** Moves each of the run's sources' cursors as far as all its pipelines read (never backwards): advanceCursors' work. */
  async function moveCursors(runId: string, integrationId: string, reads: SourceRead[]): Promise<void> {
    const byNode = new Map<string, SourceRead[]>();
    for (const r of reads) if (r.field && r.kind) byNode.set(r.nodeId, [...(byNode.get(r.nodeId) ?? []), r]);
    for (const [nodeId, list] of byNode) {
      const { field, kind } = list[0]! as SourceRead & { field: string; kind: CursorKind };
      // A pipeline that read nothing new leaves its `since` as its mark; the step moves as far as its slowest pipeline.
      let mark: CursorValue | null = null;
      let first = true;
      for (const r of list) {
        const reached = maxCursor(kind, r.since, r.high);
        if (reached === null) {
          mark = null;
          first = false;
          break;
        }
        mark = first ? reached : minCursor(kind, mark, reached);
        first = false;
      }
      if (mark === null) continue;
      await db.transaction(async (tx) => {
        const [row] = await tx.select().from(syncCursors).where(and(eq(syncCursors.integrationId, integrationId), eq(syncCursors.nodeId, nodeId))).for('update');
        const current = row ? toCursor(row) : null;
        const same = current && current.field === field && current.kind === kind;
        // Never backwards (a concurrent later run may have moved it further already).
        if (same && compareCursor(kind, current.value, mark) >= 0) return;
        await tx
          .insert(syncCursors)
          .values({ integrationId, nodeId, field, kind, value: wrap(mark), runId })
          .onConflictDoUpdate({
            target: [syncCursors.integrationId, syncCursors.nodeId],
            set: { field, kind, value: wrap(mark), runId, updatedAt: sql`now()` },
          });
      });
    }
  }
  async function getSourceRead(runId: string, pipelineId: string): Promise<SourceRead | null> {
    const [row] = await db.select().from(runSourceReads).where(and(eq(runSourceReads.runId, runId), eq(runSourceReads.pipelineId, pipelineId)));
    return row ? toRead(row) : null;
  }
  const toDelete = (r: typeof runDeletes.$inferSelect): DeletePhase => ({
    runId: r.runId,
    nodeId: r.nodeId,
    ...(r.side === 'a' || r.side === 'b' ? { side: r.side } : {}),
    state: r.state === 'held' || r.state === 'applying' ? r.state : 'applied',
    candidates: r.candidates,
    targetRecords: r.targetRecords,
    allowed: r.allowed,
    applied: r.applied,
    afterKey: r.afterKey === null ? null : runKeyFromStore(r.afterKey),
    inFlight: r.inFlight,
    fence: r.fence,
  });
  const phaseIs = (runId: string, ref: PhaseRef) => {
    const { nodeId, side } = columnsOf(ref);
    return and(eq(runDeletes.runId, runId), eq(runDeletes.nodeId, nodeId), eq(runDeletes.side, side));
  };
  const keysOf = (runId: string, ref: PhaseRef) => {
    const { nodeId, side } = columnsOf(ref);
    return and(eq(runKeys.runId, runId), eq(runKeys.nodeId, nodeId), eq(runKeys.side, side));
  };

  return {
    getCursor,
    async listCursors(integrationId) {
      const rows = await db.select().from(syncCursors).where(eq(syncCursors.integrationId, integrationId)).orderBy(asc(syncCursors.nodeId));
      return rows.flatMap((r) => toCursor(r) ?? []);
    },
    async resetCursors(integrationId, nodeId) {
      const gone = await db
        .delete(syncCursors)
        .where(and(eq(syncCursors.integrationId, integrationId), nodeId === undefined ? undefined : eq(syncCursors.nodeId, nodeId)))
        .returning({ nodeId: syncCursors.nodeId });
      return gone.length;
    },
    async beginSourceRead(input) {
      const existing = await getSourceRead(input.runId, input.pipelineId);
      if (existing) return existing;
      const kept = input.field && input.kind && !input.fullSync ? await getCursor(input.integrationId, input.nodeId) : null;
      // A cursor kept for another field (the person chose a new one) or another kind is not used: read everything.
      const usable = kept && kept.field === input.field && kept.kind === input.kind ? kept : null;
      await db
        .insert(runSourceReads)
        .values({
          runId: input.runId,
          pipelineId: input.pipelineId,
          nodeId: input.nodeId,
          field: input.field,
          kind: input.kind,
          fullRead: usable === null,
          since: usable ? wrap(usable.value) : null,
          high: null,
        })
        .onConflictDoNothing();
      return (await getSourceRead(input.runId, input.pipelineId))!;
    },
    getSourceRead,
    async listSourceReads(runId) {
      const rows = await db.select().from(runSourceReads).where(eq(runSourceReads.runId, runId)).orderBy(asc(runSourceReads.pipelineId));
      return rows.map(toRead);
    },
    async raiseSourceHigh(runId, pipelineId, kind, high) {
      await db.transaction(async (tx) => {
        const [row] = await tx
          .select({ high: runSourceReads.high })
          .from(runSourceReads)
          .where(and(eq(runSourceReads.runId, runId), eq(runSourceReads.pipelineId, pipelineId)))
          .for('update');
        if (!row) return;
        const next = maxCursor(kind, unwrap(row.high), high);
        if (next !== null && (row.high === null || compareCursor(kind, next, unwrap(row.high)) !== 0)) {
          await tx.update(runSourceReads).set({ high: wrap(next) }).where(and(eq(runSourceReads.runId, runId), eq(runSourceReads.pipelineId, pipelineId)));
        }
      });
    },
    async advanceCursors(runId, integrationId) {
      await moveCursors(runId, integrationId, (await db.select().from(runSourceReads).where(eq(runSourceReads.runId, runId))).map(toRead));
      const rows = await db.select().from(syncCursors).where(eq(syncCursors.integrationId, integrationId)).orderBy(asc(syncCursors.nodeId));
      return rows.flatMap((r) => toCursor(r) ?? []);
    },

    async advanceRunCursors(runId) {
      // The run's integration comes with its reads (issue 16: the run's finish no longer reads the run first).
      const rows = await runReadsStatement(db).execute({ runId });
      if (rows.length > 0) await moveCursors(runId, rows[0]!.integrationId, rows.map((r) => toRead(r.read)));
    },

    async addRunKeys(runId, nodeId, keys, deleted) {
      for (const part of chunks([...new Set(keys.map(runKeyToStore))])) {
        if (part.length === 0) continue;
        await db.execute(sql`
          INSERT INTO ${runKeys} (run_id, node_id, key, deleted)
          SELECT ${runId}, ${nodeId}, k, ${deleted} FROM jsonb_array_elements_text(${JSON.stringify(part)}::jsonb) AS k
          ON CONFLICT (run_id, node_id, side, key) DO UPDATE SET deleted = excluded.deleted`);
      }
    },
    async unseenKeys(runId, nodeId, keys) {
      if (keys.length === 0) return [];
      const seen = new Set<string>();
      for (const part of chunks([...new Set(keys.map(runKeyToStore))])) {
        const rows = await db
          .select({ key: runKeys.key })
          .from(runKeys)
          .where(and(keysOf(runId, nodeId), inArray(runKeys.key, part)));
        for (const r of rows) seen.add(runKeyFromStore(r.key));
      }
      return keys.filter((k) => !seen.has(k));
    },
    async listDeletedKeys(runId, ref, { after, limit }) {
      const rows = await db
        .select({ key: runKeys.key, values: runKeys.keyValues })
        .from(runKeys)
        .where(and(keysOf(runId, ref), eq(runKeys.deleted, true), after === null ? undefined : gt(runKeys.key, runKeyToStore(after))))
        .orderBy(asc(runKeys.key))
        .limit(limit);
      return rows.map((r) => ({ key: runKeyFromStore(r.key), values: keyValuesFromStore(r.values) }));
    },
    async setStepDeleted(runId, nodeId, deleted) {
      await db.update(runSteps).set({ deleted }).where(and(eq(runSteps.runId, runId), eq(runSteps.nodeId, nodeId)));
    },
    async addDeletedKeys(runId, ref, keys) {
      const { nodeId, side } = columnsOf(ref);
      const byKey = new Map(keys.map((k) => [k.key, k] as const));
      for (const part of chunks([...byKey.values()])) {
        if (part.length === 0) continue;
        await db.execute(sql`
          INSERT INTO ${runKeys} (run_id, node_id, side, key, deleted, key_values)
          SELECT ${runId}, ${nodeId}, ${side}, r.k, true, r.v FROM jsonb_to_recordset(${JSON.stringify(part.map((d) => ({ k: runKeyToStore(d.key), v: keyValuesToStore(d.values) })))}::jsonb) AS r(k text, v jsonb)
          ON CONFLICT (run_id, node_id, side, key) DO UPDATE SET deleted = true, key_values = excluded.key_values`);
      }
    },
    async dropKeys(runId, ref, keys) {
      if (keys === undefined) {
        await db.delete(runKeys).where(keysOf(runId, ref));
        return;
      }
      for (const part of chunks([...new Set(keys.map(runKeyToStore))])) {
        if (part.length === 0) continue;
        await db.delete(runKeys).where(and(keysOf(runId, ref), inArray(runKeys.key, part)));
      }
    },
    async countDeletedKeys(runId, ref) {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(runKeys)
        .where(and(keysOf(runId, ref), eq(runKeys.deleted, true)));
      return row?.n ?? 0;
    },

    async recordDeletePhase(phase) {
      const { fence } = phase;
      // The last key applied is a run key (U+0000 or half a character kept as run_keys keeps them).
      const values = {
        runId: phase.runId,
        nodeId: phase.nodeId,
        side: phase.side ?? '',
        state: phase.state,
        candidates: phase.candidates,
        targetRecords: phase.targetRecords,
        allowed: phase.allowed,
        applied: phase.applied,
        afterKey: phase.afterKey == null ? null : runKeyToStore(phase.afterKey),
        inFlight: phase.inFlight ?? null,
        // The first record of a phase is its first taker's (fence 1): an attempt that found none holds 0 until then.
        fence: fence === undefined ? 0 : Math.max(fence, 1),
      };
      const [row] = await db
        .insert(runDeletes)
        .values(values)
        .onConflictDoUpdate({
          target: [runDeletes.runId, runDeletes.nodeId, runDeletes.side],
          set: { state: values.state, candidates: values.candidates, targetRecords: values.targetRecords, allowed: values.allowed, applied: values.applied, afterKey: values.afterKey, inFlight: values.inFlight, updatedAt: sql`now()` },
          // Held by another attempt since this one took it (or found none): nothing written.
          ...(fence !== undefined && { setWhere: eq(runDeletes.fence, fence) }),
        })
        .returning({ fence: runDeletes.fence });
      return row?.fence ?? null;
    },
    async getDeletePhase(runId, ref) {
      const [row] = await db.select().from(runDeletes).where(phaseIs(runId, ref));
      return row ? toDelete(row) : null;
    },
    async takeDeletePhase(runId, ref) {
      const [row] = await db
        .update(runDeletes)
        .set({ fence: sql`${runDeletes.fence} + 1` })
        .where(phaseIs(runId, ref))
        .returning();
      return row ? toDelete(row) : null;
    },
    async listDeletePhases(runId) {
      return (await db.select().from(runDeletes).where(eq(runDeletes.runId, runId)).orderBy(asc(runDeletes.nodeId), asc(runDeletes.side))).map(toDelete);
    },
  };
}
