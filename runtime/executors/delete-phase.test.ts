// The one-way delete phase on the real store (PGlite): its candidates stay in the store, read and applied a page at a
// time, so a full sync of a target whose source lost every record never holds all their keys in memory; counted once
// when the phase is retried.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanStep } from '../../shared/compiler/plan';
import { openStore } from '../store';
import type { DeletePhase } from '../store/sync-state';
import type { RunKey, Store } from '../store/types';
import { runDeletePhase, type DeleteTarget } from './delete-phase';

let store: Store;
beforeAll(async () => {
  store = await openStore({ memory: true });
}, 60_000);
afterAll(async () => {
  await store?.close();
});

const step: PlanStep = { nodeId: 'dst', kind: 'sql-target', label: 'Contacts', config: {}, input: null, output: null };

async function newRun(): Promise<string> {
  const integration = await store.createIntegration({ name: 'Deletes', description: '', graph: { version: 1, nodes: [], edges: [] } });
  const version = await store.createVersion(integration.id, integration.graph, { version: 1, steps: [], pipelines: [{ id: 'p1', nodeIds: ['src', 'dst'] }], valueMaps: {} }, 'h');
  return (await store.createRun({ integrationId: integration.id, versionId: version.id, trigger: 'manual', params: {}, steps: [{ nodeId: 'src', kind: 'sql-source', label: 'Source' }, { nodeId: 'dst', kind: 'sql-target', label: 'Contacts' }] })).id;
}

const keyOf = (i: number): RunKey => ({ key: JSON.stringify([i]), values: { id: i } });

/** A target of `n` records (ids 1..n) that remembers the size of every delete call and the keys deleted. */
function fakeTarget(n: number, page = 1000): DeleteTarget & { calls: number[]; removed: Set<string> } {
  const calls: number[] = [];
  const removed = new Set<string>();
  return {
    label: 'Contacts',
    key: ['id'],
    calls,
    removed,
    count: async () => n,
    async *keys() {
      for (let i = 1; i <= n; i += page) yield Array.from({ length: Math.min(page, n - i + 1) }, (_, j) => keyOf(i + j));
    },
    async remove(keys) {
      calls.push(keys.length);
      let deleted = 0;
      for (const k of keys) {
        if (!removed.has(k.key)) deleted += 1;
        removed.add(k.key);
      }
      return deleted;
    },
    present: async (keys) => keys.filter((k) => !removed.has(k.key)).length,
    soften: async () => 0,
    close: async () => undefined,
  };
}

describe('one-way delete phase', () => {
  it('a full sync whose source lost 12,000 records: deletes them a page at a time from the store, each once, after a retry too', async () => {
    const runId = await newRun();
    const n = 12_000;
    // The run read 500 records (seen) and read 100 of them as deleted at the source (soft-delete field).
    await store.sync.addRunKeys(runId, 'dst', Array.from({ length: 500 }, (_, i) => keyOf(i + 1).key), false);
    await store.sync.addDeletedKeys(runId, 'dst', Array.from({ length: 100 }, (_, i) => keyOf(i + 1)));
    const settings = { deletes: 'delete' as const, softDeleteField: '', deleteThresholdPercent: 10 };
    // Above the threshold: held back, nothing deleted.
    const held = fakeTarget(n);
    await expect(runDeletePhase({ runId, step, target: held, settings, compareKeys: true, confirm: false, runClock: 0, store: store.sync })).rejects.toThrow(/Deletes held back: 11,600 records/);
    expect(held.calls).toEqual([]);
    // Confirmed (the retried phase finds the keys the first one added): 100 + 11,500 unseen, counted once.
    const target = fakeTarget(n);
    const phase = await runDeletePhase({ runId, step, target, settings, compareKeys: true, confirm: true, runClock: 0, store: store.sync });
    expect(phase).toMatchObject({ state: 'applied', candidates: 11_600, applied: 11_600, targetRecords: n });
    expect(target.removed.size).toBe(11_600);
    expect(target.removed.has(keyOf(101).key)).toBe(false);
    expect(target.removed.has(keyOf(100).key)).toBe(true);
    // Never all the candidates in one call (the old phase passed every one at once).
    expect(Math.max(...target.calls)).toBeLessThanOrEqual(5000);
    expect(target.calls.length).toBeGreaterThanOrEqual(3);
    expect((await store.getRun(runId))?.steps.find((s) => s.nodeId === 'dst')?.counts.deleted).toBe(11_600);
  }, 60_000);

  it('keys with hostile values (NUL, __proto__, past 2^53) are recorded as data', async () => {
    const runId = await newRun();
    const hostile: RunKey[] = [
      { key: '["__proto__"]', values: JSON.parse('{"__proto__": "x"}') as Record<string, unknown> },
      { key: '["9007199254740993"]', values: { id: '9007199254740993' } },
      { key: '["a\\u0000b"]', values: { id: 'a\u0000b' } },
    ];
    await store.sync.addDeletedKeys(runId, 'dst', [...hostile, hostile[0]!]);
    expect(await store.sync.countDeletedKeys(runId, 'dst')).toBe(3);
    const listed = await store.sync.listDeletedKeys(runId, 'dst', { after: null, limit: 10 });
    expect(Object.hasOwn(listed.find((k) => k.key === '["__proto__"]')!.values, '__proto__')).toBe(true);
    expect(listed.find((k) => k.key === '["9007199254740993"]')!.values).toEqual({ id: '9007199254740993' });
    // U+0000 is kept, not shown as another character: the delete must reach the record that holds it.
    expect(listed.find((k) => k.key === '["a\\u0000b"]')!.values).toEqual({ id: 'a\u0000b' });
  });

  it('deletes the record whose key holds U+0000, not one whose key looks like it (both ways candidates reach the store)', async () => {
    const runId = await newRun();
    const nul = (id: string, name: string): RunKey => ({ key: JSON.stringify([id, name]), values: { id, [name]: 'v\u0000' } });
    // Deleted at the source: stored by the run's batch commit.
    const fromSource = nul('a\u0000b', 'x\u0000y');
    await store.commitBatch({ runId, pipelineId: 'p1', batch: 1, cursor: null, counts: {}, rejected: [], sync: { keys: { nodeId: 'dst', seen: [], deleted: [fromSource] } } });
    // Unseen by a full read: stored by the delete phase's comparison. Beside it, a record whose key is what ␀ shows.
    const unseen = nul('c\u0000d', 'z');
    const lookalike: RunKey = { key: JSON.stringify(['c\u2400d']), values: { id: 'c\u2400d' } };
    const removed: Record<string, unknown>[] = [];
    const target: DeleteTarget = {
      label: 'Contacts',
      key: ['id'],
      count: async () => 10,
      async *keys() {
        yield [unseen, lookalike];
      },
      async remove(keys) {
        removed.push(...keys.map((k) => k.values));
        return keys.length;
      },
      present: async () => null,
      soften: async () => 0,
      close: async () => undefined,
    };
    await store.sync.addRunKeys(runId, 'dst', [lookalike.key], false);
    const settings = { deletes: 'delete' as const, softDeleteField: '', deleteThresholdPercent: 100 };
    expect(await runDeletePhase({ runId, step, target, settings, compareKeys: true, confirm: false, runClock: 0, store: store.sync })).toMatchObject({ state: 'applied', candidates: 2, applied: 2 });
    const byId = (id: string) => removed.find((v) => v.id === id);
    expect(removed).toHaveLength(2);
    expect(byId('a\u0000b')).toEqual({ id: 'a\u0000b', 'x\u0000y': 'v\u0000' });
    expect(byId('c\u0000d')).toEqual({ id: 'c\u0000d', z: 'v\u0000' });
    expect(byId('c\u2400d')).toBeUndefined();
  });

  for (const stop of ['in the comparison', 'before applying'] as const) {
    it(`stopped by its check ${stop} (the local budget), leaves no candidate a later phase without the comparison would delete`, async () => {
      const runId = await newRun();
      // The run saw records 1..90 of a 100-record target (10 gone at the source, found by a full read's comparison).
      await store.sync.addRunKeys(runId, 'dst', Array.from({ length: 90 }, (_, i) => keyOf(i + 1).key), false);
      const settings = { deletes: 'delete' as const, softDeleteField: '', deleteThresholdPercent: 100 };
      // The target's keys newest first (page one is 91..100, the unseen ones); the check stops before the second page,
      // or after the whole comparison, before applying.
      const local = fakeTarget(100, 10);
      local.keys = async function* () {
        for (let i = 91; i >= 1; i -= 10) yield Array.from({ length: 10 }, (_, j) => keyOf(i + j));
      };
      let checks = 0;
      const check = () => {
        checks += 1;
        if (stop === 'in the comparison' ? checks > 1 : checks > 10) throw new Error('The local budget is spent');
      };
      await expect(runDeletePhase({ runId, step, target: local, settings, compareKeys: true, confirm: false, runClock: 0, store: store.sync, check })).rejects.toThrow('budget');
      expect(local.removed.size).toBe(0);
      expect(await store.sync.countDeletedKeys(runId, 'dst')).toBe(0);
      // The next phase does not compare (a record rejected on the way): nothing was deleted at the source, none goes.
      const ordinary = fakeTarget(100, 10);
      const phase = await runDeletePhase({ runId, step, target: ordinary, settings, compareKeys: false, confirm: false, runClock: 0, store: store.sync });
      expect(phase).toMatchObject({ state: 'applied', candidates: 0, applied: 0 });
      expect(ordinary.removed.size).toBe(0);
    });
  }

  it('its check sees the candidates found so far: stopped at a bound mid-comparison, it read no further page and left none', async () => {
    const runId = await newRun();
    // The run saw records 1..50 of a 100-record target; a source delete (key 1) is already a candidate.
    await store.sync.addRunKeys(runId, 'dst', Array.from({ length: 50 }, (_, i) => keyOf(i + 1).key), false);
    await store.sync.addDeletedKeys(runId, 'dst', [keyOf(1)]);
    const settings = { deletes: 'delete' as const, softDeleteField: '', deleteThresholdPercent: 100 };
    const target = fakeTarget(100, 10);
    let pagesRead = 0;
    target.keys = async function* () {
      for (let i = 91; i >= 1; i -= 10) {
        pagesRead += 1;
        yield Array.from({ length: 10 }, (_, j) => keyOf(i + j));
      }
    };
    // The local part's bound on deletes (LOCAL_DELETES_AT_MOST in runtime/activities), here 15.
    const seen: number[] = [];
    const check = (candidates: number) => {
      seen.push(candidates);
      if (candidates > 15) throw new Error('More deletes than the local part applies');
    };
    await expect(runDeletePhase({ runId, step, target, settings, compareKeys: true, confirm: false, runClock: 0, store: store.sync, check })).rejects.toThrow('local part');
    expect(seen).toEqual([1, 11, 21]);
    expect(pagesRead).toBe(3);
    expect(target.removed.size).toBe(0);
    expect(await store.sync.getDeletePhase(runId, 'dst')).toBeNull();
    expect(await store.sync.countDeletedKeys(runId, 'dst')).toBe(1);
    // Without a bound (the ordinary activity), every candidate counted once and deleted once.
    const phase = await runDeletePhase({ runId, step, target: fakeTarget(100, 10), settings, compareKeys: true, confirm: false, runClock: 0, store: store.sync });
    expect(phase).toMatchObject({ state: 'applied', candidates: 51, applied: 51, targetRecords: 100 });
  });

  it('stopped by its check, then compared again: each candidate counted and deleted once, a source delete kept', async () => {
    const runId = await newRun();
    await store.sync.addRunKeys(runId, 'dst', Array.from({ length: 90 }, (_, i) => keyOf(i + 1).key), false);
    await store.sync.addDeletedKeys(runId, 'dst', [keyOf(1)]);
    const settings = { deletes: 'delete' as const, softDeleteField: '', deleteThresholdPercent: 11 };
    let checks = 0;
    const stopped = fakeTarget(100, 50);
    await expect(runDeletePhase({ runId, step, target: stopped, settings, compareKeys: true, confirm: false, runClock: 0, store: store.sync, check: () => { if (++checks > 2) throw new Error('The local budget is spent'); } })).rejects.toThrow('budget');
    // The source delete (key 1) stays; the comparison's 10 were dropped.
    expect(await store.sync.countDeletedKeys(runId, 'dst')).toBe(1);
    const target = fakeTarget(100, 50);
    const phase = await runDeletePhase({ runId, step, target, settings, compareKeys: true, confirm: false, runClock: 0, store: store.sync });
    expect(phase).toMatchObject({ state: 'applied', candidates: 11, allowed: 11, applied: 11, targetRecords: 100 });
    expect(target.removed.size).toBe(11);
  });

  it('resumed after a crash between a delete call and its progress record: its check first, then each record counted once', async () => {
    const runId = await newRun();
    await store.sync.addDeletedKeys(runId, 'dst', Array.from({ length: 2_500 }, (_, i) => keyOf(i + 1)));
    const settings = { deletes: 'delete' as const, softDeleteField: '', deleteThresholdPercent: 100 };
    const target = fakeTarget(3_000);
    // The store fails the progress record after the second delete call.
    let progress = 0;
    const failing = new Proxy(store.sync, {
      get(sync, p) {
        const v: unknown = Reflect.get(sync, p);
        if (p === 'recordDeletePhase') {
          return async (phase: DeletePhase) => {
            if (phase.afterKey != null && phase.inFlight == null && ++progress === 2) throw new Error('store blip');
            return sync.recordDeletePhase(phase);
          };
        }
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(sync) : v;
      },
    });
    await expect(runDeletePhase({ runId, step, target, settings, compareKeys: false, confirm: false, runClock: 0, store: failing })).rejects.toThrow('blip');
    expect(target.removed.size).toBe(2_000);
    expect(await store.sync.getDeletePhase(runId, 'dst')).toMatchObject({ state: 'applying', applied: 1_000, inFlight: 1_000 });
    // A budgeted retry (the local part) whose check stops it deletes nothing more.
    const stop = () => {
      throw new Error('The local budget is spent');
    };
    await expect(runDeletePhase({ runId, step, target, settings, compareKeys: false, confirm: false, runClock: 0, store: store.sync, check: stop })).rejects.toThrow('budget');
    expect(target.calls).toEqual([1_000, 1_000]);
    const phase = await runDeletePhase({ runId, step, target, settings, compareKeys: false, confirm: false, runClock: 0, store: store.sync });
    expect(phase).toMatchObject({ state: 'applied', candidates: 2_500, applied: 2_500 });
    expect(target.removed.size).toBe(2_500);
    expect((await store.getRun(runId))?.steps.find((s) => s.nodeId === 'dst')?.counts.deleted).toBe(2_500);
  });
});
