// Two-way sync over the key map's one copy of equal hashes (migration 24): sides that name their fields alike keep one
// copy (read back as both), sides that name them differently keep two, and either way edits carry over, conflicts are
// settled and echoes write nothing, run after run. Workspace ↔ workspace on the in-memory store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanStep } from '../../shared/compiler/plan';
import type { TwoWayField, TwoWaySide, TwoWaySyncConfig } from '../../shared/graph/kinds';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { executorDeps, sessionsOver } from '../../test/support/connections';
import { createExecutor } from '.';

let store: Store;
beforeAll(async () => {
  store = await openStore({ memory: true });
}, 60_000);
afterAll(async () => {
  await store?.close();
});

const F = (a: string, b = a): TwoWayField => ({ a, b, direction: 'inherit', rule: 'inherit' });
type Names = [id: string, email: string, name: string, city: string];
const cols = (n: Names) => [{ name: n[0], type: 'number' as const }, ...n.slice(1).map((name) => ({ name, type: 'text' as const }))];
async function object(name: string, n: Names, rows: [number, string, string, string][]): Promise<TwoWaySide> {
  await store.writeWorkspace({ object: name, key: [n[0]], fields: cols(n), mode: 'upsert', rows: rows.map((r) => Object.fromEntries(n.map((k, i) => [k, r[i]]))) });
  return { connectionId: '', object: name, updatedAt: '_updated_at', columns: cols(n), key: [n[0]], deletedField: '' };
}
const edit = (object: string, n: Names, id: number, field: number, value: string) =>
  store.writeWorkspace({ object, key: [n[0]], fields: [cols(n)[0]!, { name: n[field]!, type: 'text' }], mode: 'update', rows: [{ [n[0]]: id, [n[field]!]: value }] });
const rows = async (object: string) => (await store.readWorkspacePage(object, { after: null, limit: 1000 })).map((r) => ({ ...r.values })).sort((x, y) => Number(Object.values(x)[0]) - Number(Object.values(y)[0]));
const pause = () => new Promise((r) => setTimeout(r, 15));

function sync(nodeId: string, a: TwoWaySide, b: TwoWaySide, fields: TwoWayField[]) {
  const config: TwoWaySyncConfig = { a, b, match: { a: fields[0]!.a, b: fields[0]!.b }, direction: 'both', rule: 'latest', fields, createMissing: true, deletesToB: 'ignore', deletesToA: 'ignore', deleteThresholdPercent: 10 };
  const step: PlanStep = { nodeId, kind: 'two-way-sync', label: 'Both ways', config: config as unknown as Record<string, unknown>, input: null, output: null };
  const scope = { integrationId: 'int_one_hash', nodeId };
  return {
    scope,
    async run() {
      const e = await createExecutor(step, executorDeps({ sessions: sessionsOver(store) }));
      if (e.role !== 'sync') throw new Error('not a sync executor');
      return e.run({ scope, twoWay: store.twoWay, syncEnabled: true, rebuild: false, batchSize: 2, stage: async () => undefined, dropStaged: async () => undefined, commit: async () => undefined });
    },
  };
}

describe('two-way sync with one copy of equal hashes', () => {
  for (const [label, nb] of [
    ['fields named alike (one copy)', ['id', 'email', 'name', 'city']],
    ['fields named differently (two copies)', ['key', 'mail', 'full_name', 'town']],
  ] as const) {
    it(`carries edits both ways, settles conflicts and writes nothing on echo: ${label}`, async () => {
      const na: Names = ['id', 'email', 'name', 'city'];
      const tag = nb[0] === 'id' ? 'alike' : 'apart';
      const a = await object(`oh_a_${tag}`, na, [
        [1, 'p1@x', 'One', 'Oslo'],
        [2, 'p2@x', 'Two', 'Rome'],
        [3, 'p3@x', '__proto__', 'Lima'],
      ]);
      const b = await object(`oh_b_${tag}`, [...nb], [[2, 'p2@x', 'Two', 'Rome']]);
      const s = sync(`oh_${tag}`, a, b, na.map((f, i) => F(f, nb[i])));
      expect(await s.run()).toMatchObject({ createdB: 2, createdA: 0, held: 0 });
      for (let i = 0; i < 2; i++) expect(await s.run()).toMatchObject({ writtenA: 0, writtenB: 0 });

      const pairs = await store.twoWay.pairsByA(s.scope, ['["1"]', '["2"]', '["3"]']);
      expect(pairs).toHaveLength(3);
      for (const p of pairs) {
        expect(Object.keys(p.hashA).sort()).toEqual([...na].sort());
        expect(Object.keys(p.hashB).sort()).toEqual([...nb].sort());
        // Alike: one stored copy, read back as both; apart: two.
        expect(p.hashA === p.hashB).toBe(tag === 'alike');
        // Both records hold the same values: each mapped field has the same hash on both sides.
        expect(nb.map((f) => p.hashB[f])).toEqual(na.map((f) => p.hashA[f]));
      }

      // An edit on each side, and one field edited on both (B later: the most recent wins).
      await edit(`oh_a_${tag}`, na, 1, 2, 'One A');
      await edit(`oh_b_${tag}`, [...nb], 2, 3, 'Rome B');
      await edit(`oh_a_${tag}`, na, 3, 2, 'Three A');
      await pause();
      await edit(`oh_b_${tag}`, [...nb], 3, 2, 'Three B');
      const carried = await s.run();
      expect(carried).toMatchObject({ conflicts: 1, held: 0 });
      expect((await rows(`oh_a_${tag}`)).map((r) => [r.name, r.city])).toEqual([
        ['One A', 'Oslo'],
        ['Two', 'Rome B'],
        ['Three B', 'Lima'],
      ]);
      expect((await rows(`oh_b_${tag}`)).map((r) => [r[nb[2]], r[nb[3]]])).toEqual([
        ['One A', 'Oslo'],
        ['Two', 'Rome B'],
        ['Three B', 'Lima'],
      ]);
      for (let i = 0; i < 2; i++) expect(await s.run()).toMatchObject({ writtenA: 0, writtenB: 0 });
      for (const p of await store.twoWay.pairsByA(s.scope, ['["1"]', '["2"]', '["3"]'])) expect(p.hashA === p.hashB).toBe(tag === 'alike');
    });
  }
});
