// Two-way sync's memory in the store (migration 16): the key map (record id of A ↔ record id of B, with each side's
// field hashes as last synced) and the per-side cursors. Looked up by the ids a run read, never loaded whole.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from './db';
import { twoWayCursors, twoWayPairs } from './schema';

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

export interface TwoWayStore {
  /** The pairs whose A id (or B id) is among `ids`. */
  pairsByA(scope: TwoWayScope, ids: readonly string[]): Promise<TwoWayPair[]>;
  pairsByB(scope: TwoWayScope, ids: readonly string[]): Promise<TwoWayPair[]>;
  /** Saves pairs, replacing any pair that holds either of their ids (a record matched again). */
  savePairs(scope: TwoWayScope, pairs: readonly TwoWayPair[]): Promise<void>;
  countPairs(scope: TwoWayScope): Promise<number>;
  cursors(scope: TwoWayScope): Promise<{ a: unknown; b: unknown }>;
  /** Advances both cursors; called once a run's writes all committed. */
  saveCursors(scope: TwoWayScope, cursors: { a: unknown; b: unknown }): Promise<void>;
  /** "Rebuild matching": forgets the key map and the cursors, so the next run reads both sides whole and matches by key. */
  forget(scope: TwoWayScope): Promise<void>;
}

const CHUNK = 5_000;

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

    async savePairs(scope, pairs) {
      for (let i = 0; i < pairs.length; i += CHUNK) {
        const chunk = pairs.slice(i, i + CHUNK).map((p) => ({ a: p.idA, b: p.idB, ha: p.hashA, hb: p.hashB }));
        const json = JSON.stringify(chunk);
        await db.transaction(async (tx) => {
          // A record paired anew gives up its old pair on either side first, so both unique keys hold.
          await tx.execute(sql`
            DELETE FROM ${twoWayPairs} AS p USING jsonb_to_recordset(${json}::jsonb) AS r(a text, b text)
            WHERE p.integration_id = ${scope.integrationId} AND p.node_id = ${scope.nodeId} AND (p.id_b = r.b AND p.id_a <> r.a)`);
          await tx.execute(sql`
            INSERT INTO ${twoWayPairs} (integration_id, node_id, id_a, id_b, hash_a, hash_b)
            SELECT ${scope.integrationId}, ${scope.nodeId}, r.a, r.b, r.ha, r.hb FROM jsonb_to_recordset(${json}::jsonb) AS r(a text, b text, ha jsonb, hb jsonb)
            ON CONFLICT (integration_id, node_id, id_a) DO UPDATE SET id_b = EXCLUDED.id_b, hash_a = EXCLUDED.hash_a, hash_b = EXCLUDED.hash_b, updated_at = now()`);
        });
      }
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
      });
    },
  };
}
