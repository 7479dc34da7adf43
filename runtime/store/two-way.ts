// Two-way sync's memory in the store (migration 16): the key map (record id of A ↔ record id of B, with each side's
// field hashes as last synced) and the per-side cursors. Looked up by the ids a run read, never loaded whole.
// Migration 22: the stage where a run keeps side B's changes while it pairs side A's with them page by page, and the
// marks a full read leaves on the pairs it met (the pairs it did not meet are that side's deletes).
// Every call is set-based: one statement (or two) per page of up to 5,000 records, lists sent as one JSON parameter
// (`= ANY(…)`, `jsonb_to_recordset`), so a page costs the same few round trips on PGlite and on Postgres. A staged
// change is taken off the stage (deleted) by the statement that pairs it, so what is left is what no A change took.
// Migration 24: a pair's `hash_b` is NULL when it equals its `hash_a` (both sides hold the same values under the same
// field names: after a run, the common case), read back as `hash_a`; every write stores it that way.
// Migration 25: each side's hashes are compact JSON text (sent as `json`, kept as written: no jsonb to parse on the way in
// or print on the way out) with 11-character hashes: a narrower row; a pair's hashes are saved whole (no merge in SQL).
import { and, asc, eq, gt, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import { sameHashes } from '../../shared/sync/two-way';
import type { Db } from './db';
import { twoWayCursors, twoWayPairs, twoWayStage } from './schema';

/**
 * One pair as remembered: ids are the JSON arrays of each side's primary key values; hashes are per field name. A
 * looked-up pair whose two sides' hashes are stored as one (migration 24) has one object as both: read only.
 */
export interface TwoWayPair {
  idA: string;
  idB: string;
  hashA: Record<string, string>;
  hashB: Record<string, string>;
  /**
   * Where the lookup found the pair's row (its `ctid`, as text): a hash update of the same run goes straight to it
   * (no index probe), checked against the pair's ids; a row that moved since is updated by its ids instead.
   */
  at?: string;
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
  /** Soft-deleted on B (its delete field set) and its delete goes to A (or it has no pair: never matched, never created). */
  deleted: boolean;
  updatedMs: number | null;
  /** The record's values, encoded by the executor (JSON text: a text column, so NUL bytes survive). */
  record: string;
}

/** A change of side B as read, to stage: its pair (and whether it is deleted for the run) is found by the store. */
export interface StageB {
  idB: string;
  /** The normalised match value (JSON text), or null when empty. Kept only when the record has no pair. */
  matchKey: string | null;
  /** The record's soft-delete field is set. */
  softDeleted: boolean;
  updatedMs: number | null;
  record: string;
}

/** A staged B change that is soft-deleted on B, with the pair it has (if any). */
export interface StagedDelete {
  idB: string;
  pairA: string | null;
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
  /**
   * Saves new hashes of pairs that already exist with these very ids (one `UPDATE … FROM`, no delete first): the
   * incremental run's case, where records keep their pairs and only what was synced changes. Each pair's hashes are
   * saved whole (a pair replaced meanwhile is saved anew).
   */
  updatePairs(scope: TwoWayScope, pairs: readonly TwoWayPair[], seen?: string): Promise<void>;
  /** Forgets the pairs of these A ids (their records were deleted on one side and the delete applied on the other). */
  forgetPairs(scope: TwoWayScope, idsA: readonly string[]): Promise<void>;
  /** A full read of `side` met these record ids: marks their pairs with the run's token. */
  markSeen(scope: TwoWayScope, side: 'a' | 'b', token: string, ids: readonly string[]): Promise<void>;
  /** Pairs whose `side` record the full read with `token` did not meet (in A-id order, after `after`). */
  unseenPairs(scope: TwoWayScope, side: 'a' | 'b', token: string, opts: { after: string | null; limit: number }): Promise<(TwoWayPair & { seenA: string | null; seenB: string | null })[]>;
  /** The run's stage of B's changes: cleared at a run's start and end. */
  clearStage(scope: TwoWayScope): Promise<void>;
  /**
   * Stages a page of B's changes, each joined with its pair in the key map in the same statement. A soft-deleted
   * change is staged deleted when it has no pair, or when `deletesToA` (its delete goes to A). Returns the
   * soft-deleted changes with their pairs (the executor counts and carries them).
   */
  stage(scope: TwoWayScope, rows: readonly StageB[], deletesToA: boolean): Promise<StagedDelete[]>;
  /**
   * The pairs of these A ids, each with its staged B change taken off the stage (one statement: the key-map lookup,
   * the stage lookup and the take).
   */
  takeByA(scope: TwoWayScope, idsA: readonly string[]): Promise<{ pair: TwoWayPair; staged: StagedB | null }[]>;
  /** Takes off the stage, per match value among `keys`, the unpaired, not deleted change with the highest B id. */
  takeByMatch(scope: TwoWayScope, keys: readonly string[]): Promise<StagedB[]>;
  /** The staged changes no A change took (not deleted), in B-id order after `after`, each with its pair (if any). */
  stagedLeft(scope: TwoWayScope, opts: { after: string | null; limit: number }): Promise<(StagedB & { pair: TwoWayPair | null })[]>;
  countPairs(scope: TwoWayScope): Promise<number>;
  /**
   * Refreshes the planner's statistics of the key map and the stage: a run fills them faster than autovacuum looks
   * (the first run writes a pair per record), and lookups planned on an empty table's statistics scan it per row.
   */
  analyze(table: 'pairs' | 'stage'): Promise<void>;
  cursors(scope: TwoWayScope): Promise<{ a: unknown; b: unknown }>;
  /** Advances both cursors; called once a run's writes all committed. */
  saveCursors(scope: TwoWayScope, cursors: { a: unknown; b: unknown }): Promise<void>;
  /** "Rebuild matching": forgets the key map and the cursors, so the next run reads both sides whole and matches by key. */
  forget(scope: TwoWayScope): Promise<void>;
}

/**
 * Record ids in code-point order: the order Postgres gives text under `COLLATE "C"` (UTF-8 bytes), which a run uses
 * wherever it picks one of several records by id, whether it holds them in the stage or in memory. JavaScript's `<` on
 * strings compares UTF-16 units (a character past U+FFFF sorts before U+E000–U+FFFF) and a database's default
 * collation follows a locale, so neither is used for it.
 */
export function compareIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const CHUNK = 5_000;
/** A row's place as Postgres writes a `tid` as text: `(block,offset)`. */
const TID = /^\(\d{1,10},\d{1,5}\)$/;

const stageScope = (scope: TwoWayScope) => and(eq(twoWayStage.integrationId, scope.integrationId), eq(twoWayStage.nodeId, scope.nodeId));

/** Rows of a raw `execute` on either engine (PGlite answers { rows }, node-postgres a result with rows). */
function rowsOf<T>(result: unknown): T[] {
  const rows = (result as { rows?: T[] } | T[]) ?? [];
  return Array.isArray(rows) ? rows : (rows.rows ?? []);
}

/** `column = ANY(…)` of a list sent as one JSON parameter (one bind parameter, whatever the list's length; both engines). */
const anyOf = (column: SQL, values: readonly string[]) => sql`${column} = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(values)}::jsonb)))`;

interface PairRow {
  id_a: string;
  id_b: string;
  /** Compact JSON text of the hashes by field name (migration 25). */
  hash_a: string;
  /** NULL: the same as `hash_a` (migration 24). */
  hash_b: string | null;
  at?: string | null;
}
interface StageRow {
  id_b: string;
  pair_a: string | null;
  match_key: string | null;
  deleted: boolean;
  updated_ms: number | string | null;
  record: string;
}
/** One side's hashes as stored (migration 25: compact JSON text; `__proto__` comes back an own data key). */
const hashes = (v: string): Record<string, string> => JSON.parse(v) as Record<string, string>;
const pairOf = (r: PairRow): TwoWayPair => {
  const hashA = hashes(r.hash_a);
  const pair: TwoWayPair = { idA: r.id_a, idB: r.id_b, hashA, hashB: r.hash_b === null ? hashA : hashes(r.hash_b) };
  if (typeof r.at === 'string') pair.at = r.at;
  return pair;
};
const stagedOf = (r: StageRow): StagedB => ({ idB: r.id_b, pairA: r.pair_a, matchKey: r.match_key, deleted: r.deleted, updatedMs: r.updated_ms === null ? null : Number(r.updated_ms), record: r.record });

export function createTwoWayStore(db: Db): TwoWayStore {
  const scoped = (scope: TwoWayScope) => and(eq(twoWayPairs.integrationId, scope.integrationId), eq(twoWayPairs.nodeId, scope.nodeId));
  const lookup = async (scope: TwoWayScope, ids: readonly string[], column: 'id_a' | 'id_b'): Promise<TwoWayPair[]> => {
    const out: TwoWayPair[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = rowsOf<PairRow>(
        await db.execute(sql`
          SELECT id_a, id_b, hash_a, hash_b, ctid::text AS at FROM ${twoWayPairs}
          WHERE integration_id = ${scope.integrationId} AND node_id = ${scope.nodeId} AND ${anyOf(sql.raw(column), ids.slice(i, i + CHUNK))}`),
      );
      for (const r of rows) out.push(pairOf(r));
    }
    return out;
  };
  const savePairs = async (scope: TwoWayScope, pairs: readonly TwoWayPair[], seen?: string) => {
    const mark = seen ?? null;
    for (let i = 0; i < pairs.length; i += CHUNK) {
      const chunk = pairs.slice(i, i + CHUNK).map((p) => ({ a: p.idA, b: p.idB, ha: p.hashA, hb: sameHashes(p.hashA, p.hashB) ? null : p.hashB }));
      const json = JSON.stringify(chunk);
      await db.transaction(async (tx) => {
        // A record paired anew gives up its old pair on either side first, so both unique keys hold.
        // By index on id_b (`= ANY`), whatever the statistics: a join with the list was planned as a scan per row
        // while the table was filling (seconds per page).
        await tx.execute(sql`
          DELETE FROM ${twoWayPairs} AS p
          WHERE p.integration_id = ${scope.integrationId} AND p.node_id = ${scope.nodeId}
            AND p.id_b = ANY(ARRAY(SELECT r.b FROM jsonb_to_recordset(${json}::jsonb) AS r(a text, b text)))
            AND (p.id_a, p.id_b) NOT IN (SELECT r.a, r.b FROM jsonb_to_recordset(${json}::jsonb) AS r(a text, b text))`);
        await tx.execute(sql`
          INSERT INTO ${twoWayPairs} (integration_id, node_id, id_a, id_b, hash_a, hash_b, seen_a, seen_b)
          SELECT ${scope.integrationId}, ${scope.nodeId}, r.a, r.b, r.ha::text, r.hb::text, ${mark}::text, ${mark}::text FROM json_to_recordset(${json}::json) AS r(a text, b text, ha json, hb json)
          ON CONFLICT (integration_id, node_id, id_a) DO UPDATE SET id_b = EXCLUDED.id_b, hash_a = EXCLUDED.hash_a, hash_b = EXCLUDED.hash_b,
            seen_a = COALESCE(EXCLUDED.seen_a, ${twoWayPairs}.seen_a), seen_b = COALESCE(EXCLUDED.seen_b, ${twoWayPairs}.seen_b), updated_at = now()`);
      });
    }
  };
  const STAGED = sql.raw('s.id_b, s.pair_a, s.match_key, s.deleted, s.updated_ms, s.record');
  return {
    pairsByA: (scope, ids) => lookup(scope, ids, 'id_a'),
    pairsByB: (scope, ids) => lookup(scope, ids, 'id_b'),
    savePairs,

    async updatePairs(scope, pairs, seen) {
      const mark = seen ?? null;
      for (let i = 0; i < pairs.length; i += CHUNK) {
        const chunk = pairs.slice(i, i + CHUNK);
        // `hb` is null when it is the same as `ha` (stored NULL, read as `ha`: the common case). Each side's hashes are
        // sent whole (short since migration 25; until then only the changed ones were sent and merged into the jsonb).
        const json = JSON.stringify(chunk.map((p) => ({ a: p.idA, b: p.idB, t: p.at, ha: p.hashA, hb: sameHashes(p.hashA, p.hashB) ? null : p.hashB })));
        // Only how many were updated comes back (not thousands of ids); the rare page short of some asks which.
        // Setting the whole gives the same row when run twice, so a page whose rows did not all stay where the lookup
        // found them is simply updated again by its ids.
        const update = async (byRow: boolean) => {
          const [{ n } = { n: 0 }] = rowsOf<{ n: number | string }>(
            await db.execute(sql`
              WITH u AS (
                UPDATE ${twoWayPairs} AS p SET hash_a = r.ha::text, hash_b = r.hb::text,
                  seen_a = COALESCE(${mark}::text, p.seen_a), seen_b = COALESCE(${mark}::text, p.seen_b), updated_at = now()
                FROM json_to_recordset(${json}::json) AS r(a text, b text, t text, ha json, hb json)
                WHERE ${byRow ? sql`p.ctid = r.t::tid AND ` : sql``}p.integration_id = ${scope.integrationId} AND p.node_id = ${scope.nodeId} AND p.id_a = r.a AND p.id_b = r.b
                RETURNING 1
              )
              SELECT count(*)::int AS n FROM u`),
          );
          return Number(n);
        };
        // By the rows the lookups found (a TID scan per pair, no index probe) when every pair of the page has one.
        let n = chunk.every((p) => typeof p.at === 'string' && TID.test(p.at)) ? await update(true) : -1;
        if (n < chunk.length) n = await update(false);
        // A pair replaced earlier in the run (one of its records paired anew): saved as a new pair, as before.
        if (Number(n) < chunk.length) {
          const idB = new Map(chunk.map((p) => [p.idA, p.idB] as const));
          const there = new Set((await lookup(scope, [...idB.keys()], 'id_a')).filter((p) => idB.get(p.idA) === p.idB).map((p) => p.idA));
          await savePairs(scope, chunk.filter((p) => !there.has(p.idA)), seen);
        }
      }
    },

    async forgetPairs(scope, idsA) {
      for (let i = 0; i < idsA.length; i += CHUNK) {
        await db.delete(twoWayPairs).where(and(scoped(scope), anyOf(sql`${twoWayPairs.idA}`, idsA.slice(i, i + CHUNK))));
      }
    },

    async markSeen(scope, side, token, ids) {
      const column = side === 'a' ? twoWayPairs.idA : twoWayPairs.idB;
      for (let i = 0; i < ids.length; i += CHUNK) {
        await db
          .update(twoWayPairs)
          .set(side === 'a' ? { seenA: token } : { seenB: token })
          .where(and(scoped(scope), anyOf(sql`${column}`, ids.slice(i, i + CHUNK))));
      }
    },

    async unseenPairs(scope, side, token, { after, limit }) {
      const seen = side === 'a' ? twoWayPairs.seenA : twoWayPairs.seenB;
      const rows = await db
        .select({ idA: twoWayPairs.idA, idB: twoWayPairs.idB, hashA: twoWayPairs.hashA, hashB: twoWayPairs.hashB, seenA: twoWayPairs.seenA, seenB: twoWayPairs.seenB })
        .from(twoWayPairs)
        .where(and(scoped(scope), or(isNull(seen), ne(seen, token)), after === null ? undefined : gt(twoWayPairs.idA, after)))
        .orderBy(asc(twoWayPairs.idA))
        .limit(limit);
      return rows.map((r) => {
        const hashA = hashes(r.hashA);
        return { ...r, hashA, hashB: r.hashB === null ? hashA : hashes(r.hashB) };
      });
    },

    async clearStage(scope) {
      await db.delete(twoWayStage).where(stageScope(scope));
    },

    async stage(scope, rows, deletesToA) {
      const out: StagedDelete[] = [];
      for (let i = 0; i < rows.length; i += CHUNK) {
        const json = JSON.stringify(rows.slice(i, i + CHUNK).map((r) => ({ b: r.idB, mk: r.matchKey, d: r.softDeleted, u: r.updatedMs, r: r.record })));
        // The key-map lookup and the insert in one statement; a paired record keeps no match value.
        const deleted = rowsOf<{ id_b: string; pair_a: string | null }>(
          await db.execute(sql`
            WITH staged AS (
              INSERT INTO ${twoWayStage} (integration_id, node_id, id_b, pair_a, match_key, deleted, updated_ms, record)
              SELECT ${scope.integrationId}, ${scope.nodeId}, r.b, p.id_a, CASE WHEN p.id_a IS NULL THEN r.mk END, r.d AND (p.id_a IS NULL OR ${deletesToA}::boolean), r.u, r.r
              FROM jsonb_to_recordset(${json}::jsonb) AS r(b text, mk text, d boolean, u double precision, r text)
              LEFT JOIN ${twoWayPairs} AS p ON p.integration_id = ${scope.integrationId} AND p.node_id = ${scope.nodeId} AND p.id_b = r.b
              ON CONFLICT (integration_id, node_id, id_b) DO UPDATE SET pair_a = EXCLUDED.pair_a, match_key = EXCLUDED.match_key, deleted = EXCLUDED.deleted, updated_ms = EXCLUDED.updated_ms, record = EXCLUDED.record
              RETURNING id_b, pair_a, deleted
            )
            SELECT id_b, pair_a FROM staged WHERE deleted`),
        );
        out.push(...deleted.map((r) => ({ idB: r.id_b, pairA: r.pair_a })));
      }
      return out;
    },

    async takeByA(scope, idsA) {
      const out: { pair: TwoWayPair; staged: StagedB | null }[] = [];
      for (let i = 0; i < idsA.length; i += CHUNK) {
        // The pairs and their staged changes come back as rows of two kinds (joined here: a join of the two CTEs has
        // no statistics to plan by).
        const rows = rowsOf<{ kind: 'p' | 's'; id_a: string | null; id_b: string; hash_a: PairRow['hash_a'] | null; hash_b: PairRow['hash_b'] | null } & Omit<StageRow, 'id_b'>>(
          await db.execute(sql`
            WITH p AS (
              SELECT id_a, id_b, hash_a, hash_b FROM ${twoWayPairs}
              WHERE integration_id = ${scope.integrationId} AND node_id = ${scope.nodeId} AND ${anyOf(sql`id_a`, idsA.slice(i, i + CHUNK))}
            ), t AS (
              DELETE FROM ${twoWayStage} AS s
              WHERE s.integration_id = ${scope.integrationId} AND s.node_id = ${scope.nodeId} AND s.id_b = ANY(ARRAY(SELECT id_b FROM p))
              RETURNING ${STAGED}
            )
            SELECT 'p' AS kind, id_a, id_b, hash_a, hash_b, NULL AS pair_a, NULL AS match_key, NULL::boolean AS deleted, NULL::double precision AS updated_ms, NULL AS record FROM p
            UNION ALL
            SELECT 's', NULL, id_b, NULL, NULL, pair_a, match_key, deleted, updated_ms, record FROM t`),
        );
        const staged = new Map<string, StagedB>();
        for (const r of rows) if (r.kind === 's') staged.set(r.id_b, stagedOf(r));
        for (const r of rows) if (r.kind === 'p') out.push({ pair: pairOf(r as PairRow), staged: staged.get(r.id_b) ?? null });
      }
      return out;
    },

    async takeByMatch(scope, keys) {
      const out: StagedB[] = [];
      for (let i = 0; i < keys.length; i += CHUNK) {
        const rows = rowsOf<StageRow>(
          await db.execute(sql`
            DELETE FROM ${twoWayStage} AS s
            WHERE s.integration_id = ${scope.integrationId} AND s.node_id = ${scope.nodeId} AND s.id_b = ANY(ARRAY(
              SELECT DISTINCT ON (match_key) id_b FROM ${twoWayStage}
              WHERE integration_id = ${scope.integrationId} AND node_id = ${scope.nodeId} AND pair_a IS NULL AND NOT deleted AND ${anyOf(sql`match_key`, keys.slice(i, i + CHUNK))}
              -- Byte order (code points), the order compareIds gives an incremental run that holds B in memory.
              ORDER BY match_key, id_b COLLATE "C" DESC))
            RETURNING ${STAGED}`),
        );
        for (const r of rows) out.push(stagedOf(r));
      }
      return out;
    },

    async stagedLeft(scope, { after, limit }) {
      const rows = rowsOf<StageRow & { p_id_a: string | null; hash_a: PairRow['hash_a'] | null; hash_b: PairRow['hash_b'] | null }>(
        await db.execute(sql`
          SELECT ${STAGED}, p.id_a AS p_id_a, p.hash_a, p.hash_b
          FROM (
            SELECT id_b, pair_a, match_key, deleted, updated_ms, record FROM ${twoWayStage}
            WHERE integration_id = ${scope.integrationId} AND node_id = ${scope.nodeId} AND NOT deleted ${after === null ? sql`` : sql`AND id_b > ${after}`}
            ORDER BY id_b LIMIT ${limit}
          ) AS s
          -- The page first, then its pairs: one index probe per row of the page, not a join of all that is left.
          LEFT JOIN LATERAL (
            SELECT id_a, hash_a, hash_b FROM ${twoWayPairs}
            WHERE id_b = s.id_b AND integration_id = ${scope.integrationId} AND node_id = ${scope.nodeId} LIMIT 1
          ) AS p ON true
          ORDER BY s.id_b`),
      );
      return rows.map((r) => ({ ...stagedOf(r), pair: r.p_id_a === null ? null : pairOf({ id_a: r.p_id_a, id_b: r.id_b, hash_a: r.hash_a!, hash_b: r.hash_b }) }));
    },

    async analyze(table) {
      await db.execute(sql`ANALYZE ${table === 'pairs' ? twoWayPairs : twoWayStage}`);
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
