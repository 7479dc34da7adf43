// Two-way sync's memory in the store (migration 16): the key map (record id of A ↔ record id of B, with each side's
// field hashes as last synced) and the per-side cursors. Looked up by the ids a run read, never loaded whole.
// Migration 22: the stage where a run keeps side B's changes while it pairs side A's with them page by page, and the
// marks a full read leaves on the pairs it met (the pairs it did not meet are that side's deletes).
import { and, asc, eq, gt, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import type { Db } from './db';
import { twoWayCursors, twoWayPairs, twoWayStage } from './schema';

/** One pair as remembered: ids are the JSON arrays of each side's primary key values; hashes are per field name. */
export interface TwoWayPair {
  idA: string;
  idB: string;
  hashA: Record<string, string>;
  hashB: Record<string, string>;
}

export interface TwoWayScope {
  integrationId: string;
  nodeId: string;
}

/** One change of side B, staged for the run: its id, its pair's A id (if any), its match value, its encoded values. */
export interface StagedB {
  idB: string;
  pairA: string | null;
  /** The normalised match value (JSON text); null when empty or the record already has a pair. */
  matchKey: string | null;
  /** Soft-deleted on B (its delete field set) and its delete goes to A. */
  deleted: boolean;
  updatedMs: number | null;
  /** The record's values, encoded by the executor (JSON text: a text column, so NUL bytes survive). */
  record: string;
}

export interface TwoWayStore {
  /** The pairs whose A id (or B id) is among `ids`. */
  pairsByA(scope: TwoWayScope, ids: readonly string[]): Promise<TwoWayPair[]>;
  pairsByB(scope: TwoWayScope, ids: readonly string[]): Promise<TwoWayPair[]>;
  /**
   * Saves pairs, replacing any pair that holds either of their ids (a record matched again). `seen`: the run token of a
   * full read, marked on both sides of the saved pairs (their records exist: just read or just written).
   */
  savePairs(scope: TwoWayScope, pairs: readonly TwoWayPair[], seen?: string): Promise<void>;
  /** Forgets the pairs of these A ids (their records were deleted on one side and the delete applied on the other). */
  forgetPairs(scope: TwoWayScope, idsA: readonly string[]): Promise<void>;
  /** A full read of `side` met these record ids: marks their pairs with the run's token. */
  markSeen(scope: TwoWayScope, side: 'a' | 'b', token: string, ids: readonly string[]): Promise<void>;
  /** Pairs whose `side` record the full read with `token` did not meet (in A-id order, after `after`). */
  unseenPairs(scope: TwoWayScope, side: 'a' | 'b', token: string, opts: { after: string | null; limit: number }): Promise<(TwoWayPair & { seenA: string | null; seenB: string | null })[]>;
  /** The run's stage of B's changes: cleared at a run's start and end. */
  clearStage(scope: TwoWayScope): Promise<void>;
  stage(scope: TwoWayScope, rows: readonly StagedB[]): Promise<void>;
  /** Staged changes (not yet taken) by B id. */
  stagedByIds(scope: TwoWayScope, idsB: readonly string[]): Promise<StagedB[]>;
  /** Staged changes with no pair, not deleted and not yet taken, whose match value is among `keys`. */
  stagedByMatch(scope: TwoWayScope, keys: readonly string[]): Promise<StagedB[]>;
  /** Marks staged changes as settled with their A record. */
  takeStaged(scope: TwoWayScope, idsB: readonly string[]): Promise<void>;
  /** The staged changes no A change took (not deleted), in B-id order after `after`. */
  stagedLeft(scope: TwoWayScope, opts: { after: string | null; limit: number }): Promise<StagedB[]>;
  countPairs(scope: TwoWayScope): Promise<number>;
  cursors(scope: TwoWayScope): Promise<{ a: unknown; b: unknown }>;
  /** Advances both cursors; called once a run's writes all committed. */
  saveCursors(scope: TwoWayScope, cursors: { a: unknown; b: unknown }): Promise<void>;
  /** "Rebuild matching": forgets the key map and the cursors, so the next run reads both sides whole and matches by key. */
  forget(scope: TwoWayScope): Promise<void>;
}

const CHUNK = 5_000;

const stageScope = (scope: TwoWayScope) => and(eq(twoWayStage.integrationId, scope.integrationId), eq(twoWayStage.nodeId, scope.nodeId));
const stagedColumns = {
  idB: twoWayStage.idB,
  pairA: twoWayStage.pairA,
  matchKey: twoWayStage.matchKey,
  deleted: twoWayStage.deleted,
  updatedMs: twoWayStage.updatedMs,
  record: twoWayStage.record,
};

export function createTwoWayStore(db: Db): TwoWayStore {
  const scoped = (scope: TwoWayScope) => and(eq(twoWayPairs.integrationId, scope.integrationId), eq(twoWayPairs.nodeId, scope.nodeId));
  const lookup = async (scope: TwoWayScope, ids: readonly string[], column: typeof twoWayPairs.idA | typeof twoWayPairs.idB): Promise<TwoWayPair[]> => {
    const out: TwoWayPair[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const rows = await db
        .select({ idA: twoWayPairs.idA, idB: twoWayPairs.idB, hashA: twoWayPairs.hashA, hashB: twoWayPairs.hashB })
        .from(twoWayPairs)
        .where(and(scoped(scope), inArray(column, chunk)));
      out.push(...rows);
    }
    return out;
  };
  return {
    pairsByA: (scope, ids) => lookup(scope, ids, twoWayPairs.idA),
    pairsByB: (scope, ids) => lookup(scope, ids, twoWayPairs.idB),

    async savePairs(scope, pairs, seen) {
      const mark = seen ?? null;
      for (let i = 0; i < pairs.length; i += CHUNK) {
        const chunk = pairs.slice(i, i + CHUNK).map((p) => ({ a: p.idA, b: p.idB, ha: p.hashA, hb: p.hashB }));
        const json = JSON.stringify(chunk);
        await db.transaction(async (tx) => {
          // A record paired anew gives up its old pair on either side first, so both unique keys hold.
          await tx.execute(sql`
            DELETE FROM ${twoWayPairs} AS p USING jsonb_to_recordset(${json}::jsonb) AS r(a text, b text)
            WHERE p.integration_id = ${scope.integrationId} AND p.node_id = ${scope.nodeId} AND (p.id_b = r.b AND p.id_a <> r.a)`);
          await tx.execute(sql`
            INSERT INTO ${twoWayPairs} (integration_id, node_id, id_a, id_b, hash_a, hash_b, seen_a, seen_b)
            SELECT ${scope.integrationId}, ${scope.nodeId}, r.a, r.b, r.ha, r.hb, ${mark}::text, ${mark}::text FROM jsonb_to_recordset(${json}::jsonb) AS r(a text, b text, ha jsonb, hb jsonb)
            ON CONFLICT (integration_id, node_id, id_a) DO UPDATE SET id_b = EXCLUDED.id_b, hash_a = EXCLUDED.hash_a, hash_b = EXCLUDED.hash_b,
              seen_a = COALESCE(EXCLUDED.seen_a, ${twoWayPairs}.seen_a), seen_b = COALESCE(EXCLUDED.seen_b, ${twoWayPairs}.seen_b), updated_at = now()`);
        });
      }
    },

    async forgetPairs(scope, idsA) {
      for (let i = 0; i < idsA.length; i += CHUNK) {
        await db.delete(twoWayPairs).where(and(scoped(scope), inArray(twoWayPairs.idA, idsA.slice(i, i + CHUNK))));
      }
    },

    async markSeen(scope, side, token, ids) {
      const column = side === 'a' ? twoWayPairs.idA : twoWayPairs.idB;
      for (let i = 0; i < ids.length; i += CHUNK) {
        await db
          .update(twoWayPairs)
          .set(side === 'a' ? { seenA: token } : { seenB: token })
          .where(and(scoped(scope), inArray(column, ids.slice(i, i + CHUNK))));
      }
    },

    async unseenPairs(scope, side, token, { after, limit }) {
      const seen = side === 'a' ? twoWayPairs.seenA : twoWayPairs.seenB;
      return db
        .select({ idA: twoWayPairs.idA, idB: twoWayPairs.idB, hashA: twoWayPairs.hashA, hashB: twoWayPairs.hashB, seenA: twoWayPairs.seenA, seenB: twoWayPairs.seenB })
        .from(twoWayPairs)
        .where(and(scoped(scope), or(isNull(seen), ne(seen, token)), after === null ? undefined : gt(twoWayPairs.idA, after)))
        .orderBy(asc(twoWayPairs.idA))
        .limit(limit);
    },

    async clearStage(scope) {
      await db.delete(twoWayStage).where(stageScope(scope));
    },

    async stage(scope, rows) {
      for (let i = 0; i < rows.length; i += CHUNK) {
        const json = JSON.stringify(rows.slice(i, i + CHUNK).map((r) => ({ b: r.idB, pa: r.pairA, mk: r.matchKey, d: r.deleted, u: r.updatedMs, r: r.record })));
        await db.execute(sql`
          INSERT INTO ${twoWayStage} (integration_id, node_id, id_b, pair_a, match_key, deleted, updated_ms, record)
          SELECT ${scope.integrationId}, ${scope.nodeId}, r.b, r.pa, r.mk, r.d, r.u, r.r FROM jsonb_to_recordset(${json}::jsonb) AS r(b text, pa text, mk text, d boolean, u double precision, r text)
          ON CONFLICT (integration_id, node_id, id_b) DO UPDATE SET pair_a = EXCLUDED.pair_a, match_key = EXCLUDED.match_key, deleted = EXCLUDED.deleted, updated_ms = EXCLUDED.updated_ms, record = EXCLUDED.record, taken = false`);
      }
    },

    async stagedByIds(scope, idsB) {
      const out: StagedB[] = [];
      for (let i = 0; i < idsB.length; i += CHUNK) {
        out.push(...(await db.select(stagedColumns).from(twoWayStage).where(and(stageScope(scope), eq(twoWayStage.taken, false), inArray(twoWayStage.idB, idsB.slice(i, i + CHUNK))))));
      }
      return out;
    },

    async stagedByMatch(scope, keys) {
      const out: StagedB[] = [];
      for (let i = 0; i < keys.length; i += CHUNK) {
        out.push(
          ...(await db
            .select(stagedColumns)
            .from(twoWayStage)
            .where(and(stageScope(scope), isNull(twoWayStage.pairA), eq(twoWayStage.taken, false), eq(twoWayStage.deleted, false), inArray(twoWayStage.matchKey, keys.slice(i, i + CHUNK))))
            .orderBy(asc(twoWayStage.idB))),
        );
      }
      return out;
    },

    async takeStaged(scope, idsB) {
      for (let i = 0; i < idsB.length; i += CHUNK) {
        await db
          .update(twoWayStage)
          .set({ taken: true })
          .where(and(stageScope(scope), inArray(twoWayStage.idB, idsB.slice(i, i + CHUNK))));
      }
    },

    async stagedLeft(scope, { after, limit }) {
      return db
        .select(stagedColumns)
        .from(twoWayStage)
        .where(and(stageScope(scope), eq(twoWayStage.taken, false), eq(twoWayStage.deleted, false), after === null ? undefined : gt(twoWayStage.idB, after)))
        .orderBy(asc(twoWayStage.idB))
        .limit(limit);
    },

    async countPairs(scope) {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(twoWayPairs).where(scoped(scope));
      return Number(row?.n ?? 0);
    },

    async cursors(scope) {
      const rows = await db
        .select({ side: twoWayCursors.side, cursor: twoWayCursors.cursor })
        .from(twoWayCursors)
        .where(and(eq(twoWayCursors.integrationId, scope.integrationId), eq(twoWayCursors.nodeId, scope.nodeId)));
      const of = (side: string) => rows.find((r) => r.side === side)?.cursor ?? null;
      return { a: of('a'), b: of('b') };
    },

    async saveCursors(scope, cursors) {
      await db
        .insert(twoWayCursors)
        .values([
          { integrationId: scope.integrationId, nodeId: scope.nodeId, side: 'a', cursor: cursors.a ?? null },
          { integrationId: scope.integrationId, nodeId: scope.nodeId, side: 'b', cursor: cursors.b ?? null },
        ])
        .onConflictDoUpdate({ target: [twoWayCursors.integrationId, twoWayCursors.nodeId, twoWayCursors.side], set: { cursor: sql`excluded.cursor`, updatedAt: sql`now()` } });
    },

    async forget(scope) {
      await db.transaction(async (tx) => {
        await tx.delete(twoWayPairs).where(scoped(scope));
        await tx.delete(twoWayCursors).where(and(eq(twoWayCursors.integrationId, scope.integrationId), eq(twoWayCursors.nodeId, scope.nodeId)));
        await tx.delete(twoWayStage).where(stageScope(scope));
      });
    },
  };
}
