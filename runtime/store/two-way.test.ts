// The two-way store's set-based calls on PGlite (the engine tests and the desktop use): a page staged and joined with
// the key map in one statement, pairs and their staged changes taken together, match values taken one per value,
// what is left read with its pairs, kept pairs updated in place (or saved anew when a record was paired again), and
// the key map's indexes leading with the record id (migration 23).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Engine } from './engines';
import { migrate } from './migrate';
import { MIGRATIONS } from './migrations';
import { createHash } from 'node:crypto';
import { normalizeValue } from '../../shared/sync/two-way';
import { valueHash } from '../executors/two-way-sync';
import { createTwoWayStore, type StageB, type TwoWayPair, type TwoWayStore } from './two-way';

let engine: Engine;
let tw: TwoWayStore;
beforeAll(async () => {
  engine = await openPglite(null);
  await migrate(engine.db);
  tw = createTwoWayStore(engine.db);
}, 60_000);
afterAll(async () => {
  await engine?.close();
});

const h = (v: string) => ({ name: v });
const staged = (idB: string, matchKey: string | null, softDeleted = false): StageB => ({ idB, matchKey, softDeleted, updatedMs: 1, record: JSON.stringify([['name', 'v', idB]]) });

describe('two-way store', () => {
  it('stages with pairs, takes by A id and by match value, leaves the rest, updates kept pairs in place', async () => {
    const scope = { integrationId: 'int_tw_store', nodeId: 'n1' };
    const other = { integrationId: 'int_tw_store', nodeId: 'n2' };
    await tw.savePairs(scope, [
      { idA: '[1]', idB: '[101]', hashA: h('a1'), hashB: h('b1') },
      { idA: '[2]', idB: '[102]', hashA: h('a2'), hashB: h('b2') },
      { idA: '[3]', idB: '[103]', hashA: h('a3'), hashB: h('b3') },
    ]);
    // The same B ids in another step's scope are that step's business.
    await tw.savePairs(other, [{ idA: '[9]', idB: '[101]', hashA: h('x'), hashB: h('y') }]);
    await tw.stage(other, [staged('[104]', '"k4"')], true);

    // 101 paired, 102 paired and soft-deleted (its delete goes to A), 104/105/106 unpaired (two share "k5"),
    // 107 unpaired and soft-deleted (never matched), 103 paired.
    const deletes = await tw.stage(scope, [staged('[101]', '"k1"'), staged('[102]', '"k2"', true), staged('[103]', '"k3"'), staged('[104]', '"k4"'), staged('[105]', '"k5"'), staged('[106]', '"k5"'), staged('[107]', '"k7"', true)], true);
    expect(deletes.sort((x, y) => x.idB.localeCompare(y.idB))).toEqual([
      { idB: '[102]', pairA: '[2]' },
      { idB: '[107]', pairA: null },
    ]);
    // Without deletes going to A, a paired soft-deleted change is staged as a change like any other.
    expect(await tw.stage(other, [staged('[101]', null, true)], false)).toEqual([]);

    const byA = await tw.takeByA(scope, ['[1]', '[3]', '[8]']);
    expect(byA.map((p) => [p.pair.idA, p.pair.idB, p.pair.hashB, p.staged?.idB ?? null, p.staged?.matchKey ?? null]).sort()).toEqual([
      ['[1]', '[101]', h('b1'), '[101]', null],
      ['[3]', '[103]', h('b3'), '[103]', null],
    ]);
    // Taken: a second take finds the pairs but no staged change.
    expect((await tw.takeByA(scope, ['[1]'])).map((p) => p.staged)).toEqual([null]);

    // One per match value (the highest B id); never a paired or deleted change.
    const byMatch = await tw.takeByMatch(scope, ['"k5"', '"k4"', '"k1"', '"k7"', '"k2"']);
    expect(byMatch.map((s) => [s.idB, s.matchKey]).sort()).toEqual([
      ['[104]', '"k4"'],
      ['[106]', '"k5"'],
    ]);

    // Left: not taken, not deleted, in B-id order, each with its pair.
    const left = await tw.stagedLeft(scope, { after: null, limit: 10 });
    expect(left.map((s) => [s.idB, s.pair?.idA ?? null])).toEqual([['[105]', null]]);
    expect(await tw.stagedLeft(scope, { after: '[105]', limit: 10 })).toEqual([]);
    // The other step's stage is untouched.
    expect((await tw.stagedLeft(other, { after: null, limit: 10 })).map((s) => [s.idB, s.pair?.idA ?? null])).toEqual([
      ['[101]', '[9]'],
      ['[104]', null],
    ]);

    // Kept pairs: new hashes in place. A pair replaced meanwhile ([3] lost 103 to [4]) is saved anew, as savePairs would.
    await tw.savePairs(scope, [{ idA: '[4]', idB: '[103]', hashA: h('a4'), hashB: h('b4') }]);
    await tw.updatePairs(scope, [
      { idA: '[1]', idB: '[101]', hashA: h('a1 new'), hashB: h('b1 new') },
      { idA: '[3]', idB: '[103]', hashA: h('a3 again'), hashB: h('b3 again') },
    ]);
    const pairs = (await tw.pairsByA(scope, ['[1]', '[2]', '[3]', '[4]'])).map((p) => [p.idA, p.idB, p.hashA.name]).sort();
    expect(pairs).toEqual([
      ['[1]', '[101]', 'a1 new'],
      ['[2]', '[102]', 'a2'],
      ['[3]', '[103]', 'a3 again'],
    ]);
    expect((await tw.pairsByB(other, ['[101]'])).map((p) => p.idA)).toEqual(['[9]']);

    // Updated whole in place; a pair replaced meanwhile is saved anew whole.
    await tw.savePairs(scope, [{ idA: '[5]', idB: '[105]', hashA: { name: 'n5', city: 'c5' }, hashB: { name: 'n5', city: 'c5' } }]);
    await tw.savePairs(scope, [{ idA: '[6]', idB: '[106]', hashA: { name: 'n6' }, hashB: { name: 'n6' } }]);
    await tw.savePairs(scope, [{ idA: '[7]', idB: '[106]', hashA: { name: 'n7' }, hashB: { name: 'n7' } }]);
    await tw.updatePairs(scope, [
      { idA: '[5]', idB: '[105]', hashA: { name: 'n5', city: 'c5 new' }, hashB: { name: 'n5', city: 'c5 new' } },
      { idA: '[6]', idB: '[106]', hashA: { name: 'n6 whole', city: 'x' }, hashB: { name: 'n6 whole', city: 'x' } },
    ]);
    const merged = Object.fromEntries((await tw.pairsByA(scope, ['[5]', '[6]', '[7]'])).map((p) => [p.idA, [p.idB, p.hashA, p.hashB]]));
    expect(merged).toEqual({
      '[5]': ['[105]', { name: 'n5', city: 'c5 new' }, { name: 'n5', city: 'c5 new' }],
      '[6]': ['[106]', { name: 'n6 whole', city: 'x' }, { name: 'n6 whole', city: 'x' }],
    });
    await tw.clearStage(scope);
    await tw.clearStage(other);
  });

  it('updates a looked-up pair at the row the lookup found, and by its ids once that row moved or is not its own', async () => {
    const scope = { integrationId: 'int_tw_store_at', nodeId: 'n1' };
    await tw.savePairs(scope, [
      { idA: '[1]', idB: '[101]', hashA: { name: 'a1', city: 'c1' }, hashB: { name: 'a1', city: 'c1' } },
      { idA: '[2]', idB: '[102]', hashA: { name: 'a2', city: 'c2' }, hashB: { name: 'a2', city: 'c2' } },
      { idA: '[3]', idB: '[103]', hashA: { name: 'a3', city: 'c3' }, hashB: { name: 'a3', city: 'c3' } },
    ]);
    const found = new Map((await tw.pairsByA(scope, ['[1]', '[2]', '[3]'])).map((p) => [p.idA, p] as const));
    expect([...found.values()].every((p) => typeof p.at === 'string' && /^\(\d+,\d+\)$/.test(p.at))).toBe(true);
    expect((await tw.pairsByB(scope, ['[101]']))[0]!.at).toBe(found.get('[1]')!.at);
    const ctids = async () =>
      Object.fromEntries(
        ((await engine.db.execute(sql`SELECT id_a, ctid::text AS at FROM two_way_pairs WHERE integration_id = ${scope.integrationId}`)) as unknown as { rows: { id_a: string; at: string }[] }).rows.map((r) => [r.id_a, r.at]),
      );
    // Where they are found: updated there (merged, as by ids).
    const p1 = found.get('[1]')!;
    await tw.updatePairs(scope, [{ ...p1, hashA: { name: 'a1 new', city: 'c1' }, hashB: { name: 'a1 new', city: 'c1' } }]);
    // [2]'s row moved since its lookup (another update); [3] is sent with [2]'s old place, a malformed place and none.
    const p2 = found.get('[2]')!;
    await engine.db.execute(sql`UPDATE two_way_pairs SET seen_a = 'moved' WHERE integration_id = ${scope.integrationId} AND id_a = '[2]'`);
    expect((await ctids())['[2]']).not.toBe(p2.at);
    const p3 = found.get('[3]')!;
    for (const at of [p2.at, '(0,1) OR true', '"(0,1)"', '__proto__', undefined]) {
      const name = `a3 ${String(at)}`;
      await tw.updatePairs(scope, [
        { ...p2, hashA: { name: 'a2 new', city: 'c2' }, hashB: { name: 'a2 new', city: 'c2' } },
        { ...p3, at, hashA: { name, city: 'c3' }, hashB: { name, city: 'c3' } },
      ]);
      const now = Object.fromEntries((await tw.pairsByA(scope, ['[1]', '[2]', '[3]'])).map((p) => [p.idA, [p.idB, p.hashA, p.hashB]]));
      expect(now).toEqual({
        '[1]': ['[101]', { name: 'a1 new', city: 'c1' }, { name: 'a1 new', city: 'c1' }],
        '[2]': ['[102]', { name: 'a2 new', city: 'c2' }, { name: 'a2 new', city: 'c2' }],
        '[3]': ['[103]', { name, city: 'c3' }, { name, city: 'c3' }],
      });
    }
    expect(await tw.countPairs(scope)).toBe(3);
  });

  it('indexes the key map and the stage record id first, so a lookup by ids has one index that fits (migration 23)', async () => {
    const result = (await engine.db.execute(sql`
      SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('two_way_pairs', 'two_way_stage') ORDER BY indexname`)) as unknown as { rows: { indexname: string; indexdef: string }[] };
    const defs = Object.fromEntries(result.rows.map((r) => [r.indexname, r.indexdef.replace(/^.* USING btree /, '')]));
    expect(defs).toEqual({
      two_way_pairs_b: '(id_b, integration_id, node_id)',
      two_way_pairs_pkey: '(id_a, integration_id, node_id)',
      two_way_stage_match: '(match_key, integration_id, node_id) WHERE (pair_a IS NULL)',
      two_way_stage_pkey: '(id_b, integration_id, node_id)',
    });
  });
});

// Migration 24: a pair's hash_b is stored as NULL when it equals its hash_a, and read back as hash_a. Every read and
// every write gives and keeps exactly what the two columns held before (checked against the hashes each pair should
// have, with the raw columns looked at too).
describe('two-way key map: one copy of equal hashes (migration 24)', () => {
  type H = Record<string, string>;
  /** A hash object with `__proto__` and `constructor` as its own data keys (as JSON.parse makes them). */
  const hostile = (v: string): H => JSON.parse(JSON.stringify({ name: v }).replace('{', `{"__proto__":"p ${v}","constructor":"c ${v}",`)) as H;
  const raw = async (integrationId: string) =>
    Object.fromEntries(
      ((await engine.db.execute(sql`SELECT id_a, hash_b IS NULL AS one FROM two_way_pairs WHERE integration_id = ${integrationId}`)) as unknown as { rows: { id_a: string; one: boolean }[] }).rows.map((r) => [r.id_a, r.one]),
    );
  const byA = async (scope: { integrationId: string; nodeId: string }, ids: string[]) =>
    Object.fromEntries((await tw.pairsByA(scope, ids)).map((p) => [p.idA, [p.idB, p.hashA, p.hashB]]));

  it('stores equal hashes once and reads them back exactly through every read', async () => {
    const scope = { integrationId: 'int_tw_one_hash', nodeId: 'n1' };
    expect(Object.hasOwn(hostile('x'), '__proto__')).toBe(true);
    const pairs = [
      { idA: '[1]', idB: '[101]', hashA: { name: 'n1', city: 'c1' }, hashB: { name: 'n1', city: 'c1' } },
      { idA: '[2]', idB: '[102]', hashA: { name: 'n2', city: 'c2' }, hashB: { name: 'n2', city: 'other' } },
      // The same keys in another order: equal (jsonb keeps no order, and nothing reads one).
      { idA: '[3]', idB: '[103]', hashA: { name: 'n3', city: 'c3' }, hashB: { city: 'c3', name: 'n3' } },
      { idA: '[4]', idB: '[104]', hashA: hostile('n4'), hashB: hostile('n4') },
      // Only `__proto__` differs; one side has a key fewer; both empty.
      { idA: '[5]', idB: '[105]', hashA: hostile('n5'), hashB: { ...hostile('n5'), ['__proto__']: 'other' } },
      { idA: '[6]', idB: '[106]', hashA: { name: 'n6', city: 'c6' }, hashB: { name: 'n6' } },
      { idA: '["007"]', idB: '["9007199254740993"]', hashA: {}, hashB: {} },
    ];
    await tw.savePairs(scope, pairs);
    expect(await raw(scope.integrationId)).toEqual({ '[1]': true, '[2]': false, '[3]': true, '[4]': true, '[5]': false, '[6]': false, '["007"]': true });
    const want = Object.fromEntries(pairs.map((p) => [p.idA, [p.idB, p.hashA, p.hashB]]));
    const ids = pairs.map((p) => p.idA);
    expect(await byA(scope, ids)).toEqual(want);
    expect(Object.hasOwn((await byA(scope, ['[4]']))['[4]']![2] as H, '__proto__')).toBe(true);
    expect(Object.fromEntries((await tw.pairsByB(scope, pairs.map((p) => p.idB))).map((p) => [p.idA, [p.idB, p.hashA, p.hashB]]))).toEqual(want);
    expect(Object.fromEntries((await tw.unseenPairs(scope, 'a', 'token', { after: null, limit: 100 })).map((p) => [p.idA, [p.idB, p.hashA, p.hashB]]))).toEqual(want);
    // The stage's reads: taken by A id, and left with its pair.
    await tw.stage(scope, pairs.map((p) => staged(p.idB, null)), false);
    expect(Object.fromEntries((await tw.takeByA(scope, ids.slice(0, 3))).map(({ pair: p }) => [p.idA, [p.idB, p.hashA, p.hashB]]))).toEqual(Object.fromEntries(ids.slice(0, 3).map((id) => [id, want[id]])));
    const left = await tw.stagedLeft(scope, { after: null, limit: 100 });
    expect(Object.fromEntries(left.map((s) => [s.pair!.idA, [s.pair!.idB, s.pair!.hashA, s.pair!.hashB]]))).toEqual(Object.fromEntries(ids.slice(3).map((id) => [id, want[id]])));
    await tw.clearStage(scope);
  });

  it('keeps hashes updated in place exactly, one copy or two as they come out equal or not', async () => {
    const scope = { integrationId: 'int_tw_one_hash_update', nodeId: 'n1' };
    const start = [
      { idA: '[1]', idB: '[101]', hashA: { name: 'n1', city: 'c1' }, hashB: { name: 'n1', city: 'c1' } },
      { idA: '[2]', idB: '[102]', hashA: { name: 'n2', city: 'c2' }, hashB: { name: 'n2', city: 'c2' } },
      { idA: '[3]', idB: '[103]', hashA: { name: 'n3', city: 'c3' }, hashB: { name: 'b3', city: 'c3' } },
      { idA: '[4]', idB: '[104]', hashA: hostile('n4'), hashB: hostile('n4') },
      { idA: '[5]', idB: '[105]', hashA: { name: 'n5' }, hashB: { name: 'b5' } },
      { idA: '[6]', idB: '[106]', hashA: { name: 'n6' }, hashB: { name: 'n6' } },
      { idA: '[7]', idB: '[107]', hashA: { name: 'n7', city: 'c7' }, hashB: { name: 'b7', city: 'c7' } },
    ];
    await tw.savePairs(scope, start);
    const found = new Map((await tw.pairsByA(scope, start.map((p) => p.idA))).map((p) => [p.idA, p] as const));
    const at = (id: string) => found.get(id)!.at;
    const next: TwoWayPair[] = [
      // One copy, merged the same on both sides: still one.
      { idA: '[1]', idB: '[101]', at: at('[1]'), hashA: { name: 'x1', city: 'c1' }, hashB: { name: 'x1', city: 'c1' } },
      // One copy, merged apart (a conflict held: each side keeps its own): two.
      { idA: '[2]', idB: '[102]', at: at('[2]'), hashA: { name: 'a2', city: 'c2' }, hashB: { name: 'b2', city: 'c2' } },
      // Two copies merged together (B's name carried to A): one; sent by ids (no place).
      { idA: '[3]', idB: '[103]', hashA: { name: 'b3', city: 'c3' }, hashB: { name: 'b3', city: 'c3' } },
      // `__proto__` merged on one side only: two.
      { idA: '[4]', idB: '[104]', at: at('[4]'), hashA: { ...hostile('n4'), ['__proto__']: 'new' }, hashB: hostile('n4') },
      // Whole (no merge), coming out equal, and coming out apart.
      { idA: '[5]', idB: '[105]', at: at('[5]'), hashA: { name: 'w5', city: 'w' }, hashB: { name: 'w5', city: 'w' } },
      { idA: '[6]', idB: '[106]', at: at('[6]'), hashA: { name: 'w6' }, hashB: { name: 'b6', city: 'w' } },
      // Two copies merged, still apart on a field not sent.
      { idA: '[7]', idB: '[107]', at: at('[7]'), hashA: { name: 'n7', city: 'x7' }, hashB: { name: 'b7', city: 'x7' } },
    ];
    await tw.updatePairs(scope, next);
    expect(await byA(scope, next.map((p) => p.idA))).toEqual(Object.fromEntries(next.map((p) => [p.idA, [p.idB, p.hashA, p.hashB]])));
    expect(Object.hasOwn((await byA(scope, ['[4]']))['[4]']![1] as H, '__proto__')).toBe(true);
    expect(await raw(scope.integrationId)).toEqual({ '[1]': true, '[2]': false, '[3]': true, '[4]': false, '[5]': true, '[6]': false, '[7]': false });
    expect(await tw.countPairs(scope)).toBe(7);
  });

  it('converts a key map written before it losslessly', async () => {
    const old = await openPglite(null);
    try {
      await migrate(old.db, MIGRATIONS.filter((m) => m.version < 24));
      const rows: [string, string, string, string][] = [
        ['[1]', '[101]', '{"name":"n1","city":"c1"}', '{"city":"c1","name":"n1"}'],
        ['[2]', '[102]', '{"name":"n2","city":"c2"}', '{"name":"n2","city":"other"}'],
        ['[3]', '[103]', '{"__proto__":"p","constructor":"c","name":"n3"}', '{"__proto__":"p","constructor":"c","name":"n3"}'],
        ['[4]', '[104]', '{"__proto__":"p","name":"n4"}', '{"__proto__":"q","name":"n4"}'],
        ['[5]', '[105]', '{"name":"n5"}', '{"name":"n5","city":"c5"}'],
        ['["007"]', '[9007199254740993]', '{}', '{}'],
        ['[7]', '[107]', '{"name":"é\\u2028😀"}', '{"name":"é\\u2028😀"}'],
      ];
      for (const [a, b, ha, hb] of rows) {
        await old.db.execute(sql`INSERT INTO two_way_pairs (integration_id, node_id, id_a, id_b, hash_a, hash_b) VALUES ('int_old', 'n1', ${a}, ${b}, ${ha}::jsonb, ${hb}::jsonb)`);
      }
      expect((await migrate(old.db)).slice(0, 2)).toEqual([24, 25]);
      const one = Object.fromEntries(
        ((await old.db.execute(sql`SELECT id_a, hash_b IS NULL AS one FROM two_way_pairs`)) as unknown as { rows: { id_a: string; one: boolean }[] }).rows.map((r) => [r.id_a, r.one]),
      );
      expect(one).toEqual({ '[1]': true, '[2]': false, '[3]': true, '[4]': false, '[5]': false, '["007"]': true, '[7]': true });
      const read = Object.fromEntries((await createTwoWayStore(old.db).pairsByA({ integrationId: 'int_old', nodeId: 'n1' }, rows.map((r) => r[0]))).map((p) => [p.idA, [p.idB, p.hashA, p.hashB]]));
      expect(read).toEqual(Object.fromEntries(rows.map(([a, b, ha, hb]) => [a, [b, JSON.parse(ha), JSON.parse(hb)]])));
      expect(Object.hasOwn(read['[3]']![2] as H, '__proto__')).toBe(true);
    } finally {
      await old.close();
    }
  }, 60_000);
});

// Migration 25: each side's hashes as compact JSON text, and a value hash of 11 base64 characters (was 22). A key map written
// before converts to exactly the hashes the executor now computes for the same values: what was an echo stays an
// echo, what was a change stays a change (no stored hash is left in a form no new hash can equal, none equals one it
// should not).
describe('two-way key map: text hashes of 11 characters (migration 25)', () => {
  /** The hash migration 25 found stored: the first 22 base64 characters of SHA-1 (valueHash before it). */
  const oldHash = (v: unknown, type: 'text' | 'number' = 'text') => createHash('sha1').update(JSON.stringify(normalizeValue(v, type)) ?? 'null').digest('base64').slice(0, 22);

  it('converts a key map of 22-character hashes to the hashes the executor now computes for the same values', async () => {
    const old = await openPglite(null);
    try {
      await migrate(old.db, MIGRATIONS.filter((m) => m.version < 25));
      // [1]: both sides as synced (one copy); [2]: B's city differs (two copies); [3]: a hostile key and a short value
      // (not a hash the executor wrote: kept whole).
      const a1 = { id: oldHash(1, 'number'), name: oldHash('Ann'), city: oldHash('Oslo') };
      const b2 = { id: oldHash(2, 'number'), name: oldHash('Bo'), city: oldHash('Rome') };
      const a2 = { ...b2, city: oldHash('Paris') };
      const a3 = JSON.parse(`{"__proto__":"${oldHash('p')}","name":"n3"}`) as Record<string, string>;
      for (const [id, ha, hb] of [['[1]', a1, null], ['[2]', a2, b2], ['[3]', a3, null]] as const) {
        await old.db.execute(sql`INSERT INTO two_way_pairs (integration_id, node_id, id_a, id_b, hash_a, hash_b) VALUES ('int_old25', 'n1', ${id}, ${id}, ${JSON.stringify(ha)}::jsonb, ${hb === null ? null : JSON.stringify(hb)}::jsonb)`);
      }
      // [4]: rows no executor wrote (hand-edited): a double-encoded object and a string as hashes, a null and a number as
      // values. Review of tw14i: the first stopped the whole migration; now they read as nothing known (every field a
      // change, never an echo).
      await old.db.execute(sql`INSERT INTO two_way_pairs (integration_id, node_id, id_a, id_b, hash_a, hash_b) VALUES ('int_old25', 'n1', '[4]', '[4]', ${JSON.stringify(JSON.stringify(a1))}::jsonb, '"x"'::jsonb)`);
      await old.db.execute(sql`INSERT INTO two_way_pairs (integration_id, node_id, id_a, id_b, hash_a, hash_b) VALUES ('int_old25', 'n1', '[5]', '[5]', ${JSON.stringify({ name: oldHash('Eve'), city: null, id: 12 })}::jsonb, NULL)`);
      expect((await migrate(old.db))[0]).toBe(25);
      const read = Object.fromEntries((await createTwoWayStore(old.db).pairsByA({ integrationId: 'int_old25', nodeId: 'n1' }, ['[1]', '[2]', '[3]'])).map((p) => [p.idA, p]));
      // The same values hash as stored (an echo); other values do not (a change).
      expect(read['[1]']!.hashA).toEqual({ id: valueHash(1, 'number'), name: valueHash('Ann', 'text'), city: valueHash('Oslo', 'text') });
      expect(read['[1]']!.hashB).toBe(read['[1]']!.hashA);
      expect(read['[2]']!.hashA).toEqual({ id: valueHash(2, 'number'), name: valueHash('Bo', 'text'), city: valueHash('Paris', 'text') });
      expect(read['[2]']!.hashB).toEqual({ id: valueHash(2, 'number'), name: valueHash('Bo', 'text'), city: valueHash('Rome', 'text') });
      expect(read['[2]']!.hashB.city).not.toBe(valueHash('Paris', 'text'));
      expect(read['[1]']!.hashA.name).not.toBe(valueHash('Ann ', 'text'));
      expect(read['[3]']!.hashA).toEqual(JSON.parse(`{"__proto__":"${valueHash('p', 'text')}","name":"n3"}`));
      expect(Object.hasOwn(read['[3]']!.hashA, '__proto__')).toBe(true);
      const odd = Object.fromEntries((await createTwoWayStore(old.db).pairsByA({ integrationId: 'int_old25', nodeId: 'n1' }, ['[4]', '[5]'])).map((p) => [p.idA, p]));
      expect([odd['[4]']!.hashA, odd['[4]']!.hashB]).toEqual([{}, {}]);
      expect(odd['[5]']!.hashA).toEqual({ name: valueHash('Eve', 'text'), id: '12' });
      const types = ((await old.db.execute(sql`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'two_way_pairs' AND column_name LIKE 'hash_%' ORDER BY 1`)) as unknown as { rows: { data_type: string }[] }).rows.map((r) => r.data_type);
      expect(types).toEqual(['text', 'text']);
      // Compact: no spaces, 11-character hashes.
      const stored = ((await old.db.execute(sql`SELECT hash_a FROM two_way_pairs WHERE id_a = '[1]'`)) as unknown as { rows: { hash_a: string }[] }).rows[0]!.hash_a;
      expect(stored).toBe(JSON.stringify({ city: valueHash('Oslo', 'text'), id: valueHash(1, 'number'), name: valueHash('Ann', 'text') }));
    } finally {
      await old.close();
    }
  }, 60_000);
});
