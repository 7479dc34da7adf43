// The delete phase's retry (del16b, after an outside review): the phase is recorded `applying` (its candidates, target
// records and allowed number decided once) before its first delete and its progress after each delete call, so an
// attempt that fails after deleting (a store blip, a killed worker) is resumed, neither judged again on a target that
// has shrunk nor counted short. Workspace targets on a real store (PGlite), failures injected through a store proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFixture } from '../../test/support/graph-fixtures';
import { testConnections } from '../../test/support/connections';
import { publishAndCreateRun } from '../../test/support/temporal-harness';
import { describeDeleteSync, RunSync } from '../../shared/sync/options';
import { openStore } from '../store';
import type { DeletePhase } from '../store/sync-state';
import type { Store } from '../store/types';
import { createActivities } from '.';
import { inActivity as inAttempt } from '../../test/support/activity-context';

let store: Store;
beforeAll(async () => {
  store = await openStore({ memory: true });
});
afterAll(async () => {
  await store?.close();
});

/** Runs `fn` as a first attempt, local or not. */
const inActivity = <T>(isLocal: boolean, fn: () => Promise<T>): Promise<T> => inAttempt({ isLocal }, fn);
const fields = [
  { name: 'email', type: 'text' as const },
  { name: 'amount', type: 'number' as const },
];
/** A source of 5 records and a target of 5 + `extra` (the extra ones deleted by the full read's comparison). */
async function setUp(tag: string, extra: number, target: Record<string, unknown> = {}) {
  await store.writeWorkspace({ object: `${tag}_src`, key: ['email'], fields, mode: 'upsert', rows: Array.from({ length: 5 }, (_, k) => ({ email: `s${k}@example.com`, amount: k })) });
  await store.writeWorkspace({ object: `${tag}_dst`, key: ['email'], fields, mode: 'upsert', rows: Array.from({ length: 5 + extra }, (_, k) => ({ email: `s${String(k).padStart(5, '0')}@example.com`.replace(/^s0+(\d)@/, 's$1@'), amount: k })) });
  const graph = graphFixture('workspace-map-workspace', { source: { object: `${tag}_src` }, target: { object: `${tag}_dst`, deletes: 'delete', deleteThresholdPercent: 100, ...target } });
  return publishAndCreateRun(store, graph, `Retry ${tag}`);
}
type Sync = Store['sync'];
/** The store with `method` of store.sync failing once, at the first call `when` accepts. */
function failingOnce(method: keyof Sync, when: (first: never) => boolean = () => true): Store {
  let failed = false;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'sync') {
        return new Proxy(target.sync, {
          get(sync, p) {
            const v: unknown = Reflect.get(sync, p);
            if (p === method && typeof v === 'function') {
              return async (...args: never[]) => {
                if (!failed && when(args[0]!)) {
                  failed = true;
                  throw new Error(`store blip in ${method}`);
                }
                return (v as (...a: never[]) => unknown).apply(sync, args);
              };
            }
            return typeof v === 'function' ? v.bind(sync) : v;
          },
        });
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
const deletedCount = async (runId: string) => (await store.getRun(runId))?.steps.find((s) => s.nodeId === 'target')?.counts.deleted;
const ordinary = () => createActivities({ store, sessions: testConnections(store), batchSize: 10 });
/** The first attempt (the local part) on `failing`, which must fail with the blip; then the ordinary activity. */
async function failThenRetry(failing: Store, runId: string, versionId: string) {
  const local = createActivities({ store: failing, sessions: testConnections(store), batchSize: 10 });
  await expect(inActivity(true, () => local.runPipeline({ runId, versionId, pipelineId: 'p-target', budgetMs: 60_000 }))).rejects.toThrow('blip');
  return inActivity(false, () => ordinary().runPipeline({ runId, versionId, pipelineId: 'p-target' })).then(
    () => null,
    (e: Error) => e.message,
  );
}
/** The record that ends the phase (its deletes all applied). */
const afterApplying = (p: DeletePhase) => p.state === 'applied';

describe('the delete phase retried', () => {
  it('deletes applied, then the phase not recorded: the retry counts them', async () => {
    const { runId, versionId } = await setUp('r5', 3);
    expect(await failThenRetry(failingOnce('recordDeletePhase', afterApplying), runId, versionId)).toBeNull();
    expect((await store.listWorkspaceRecords('r5_dst')).total).toBe(5);
    expect(await store.sync.getDeletePhase(runId, 'target')).toMatchObject({ state: 'applied', candidates: 3, applied: 3, targetRecords: 8 });
    expect(await deletedCount(runId)).toBe(3);
  }, 120_000);

  it('deletes applied, then the phase not recorded, threshold 50%: the retry keeps the decision (3 of 8), never holds', async () => {
    const { runId, versionId } = await setUp('r6', 3, { deleteThresholdPercent: 50 });
    expect(await failThenRetry(failingOnce('recordDeletePhase', afterApplying), runId, versionId)).toBeNull();
    expect((await store.listWorkspaceRecords('r6_dst')).total).toBe(5);
    expect(await store.sync.getDeletePhase(runId, 'target')).toMatchObject({ state: 'applied', candidates: 3, applied: 3, targetRecords: 8, allowed: 4 });
    expect(await deletedCount(runId)).toBe(3);
  }, 120_000);

  it('the phase recorded applied, then the step count not set: the retry sets it', async () => {
    const { runId, versionId } = await setUp('r7', 3);
    expect(await failThenRetry(failingOnce('setStepDeleted'), runId, versionId)).toBeNull();
    expect((await store.listWorkspaceRecords('r7_dst')).total).toBe(5);
    expect(await deletedCount(runId)).toBe(3);
  }, 120_000);

  it('a crash between a delete call and its progress record (the second of three calls): each record counted once', async () => {
    const { runId, versionId } = await setUp('c1', 2_500);
    // The progress after a call: the key moved on, nothing in flight. The second such record fails.
    let progress = 0;
    const failing = failingOnce('recordDeletePhase', (p: DeletePhase) => p.state === 'applying' && p.afterKey != null && p.inFlight == null && ++progress === 2);
    // More than the local part's bound is handed over before deleting: the ordinary activity runs first here.
    const first = createActivities({ store: failing, sessions: testConnections(store), batchSize: 10 });
    await expect(inActivity(false, () => first.runPipeline({ runId, versionId, pipelineId: 'p-target' }))).rejects.toThrow('blip');
    const mid = await store.sync.getDeletePhase(runId, 'target');
    expect(mid).toMatchObject({ state: 'applying', candidates: 2_500, applied: 1_000, inFlight: 1_000 });
    expect((await store.listWorkspaceRecords('c1_dst')).total).toBe(5 + 500);
    // The run page meanwhile: the phase in progress, through the API's schema.
    const sync = RunSync.parse((await store.getRun(runId))?.sync);
    expect(sync.deletes.map(describeDeleteSync)).toEqual(['Applying deletes to Copy: 1,000 of 2,500 deleted so far']);
    await inActivity(false, () => ordinary().runPipeline({ runId, versionId, pipelineId: 'p-target' }));
    expect((await store.listWorkspaceRecords('c1_dst')).total).toBe(5);
    expect(await store.sync.getDeletePhase(runId, 'target')).toMatchObject({ state: 'applied', candidates: 2_500, applied: 2_500, targetRecords: 2_505 });
    expect(await deletedCount(runId)).toBe(2_500);
  }, 120_000);

  it('soft deletes: a crash after a call, before its progress record: re-applied, each counted once', async () => {
    const { runId, versionId } = await setUp('s1', 1_500, { deletes: 'soft', softDeleteField: 'gone' });
    const failing = failingOnce('recordDeletePhase', (p: DeletePhase) => p.state === 'applying' && p.afterKey != null);
    const first = createActivities({ store: failing, sessions: testConnections(store), batchSize: 10 });
    await expect(inActivity(false, () => first.runPipeline({ runId, versionId, pipelineId: 'p-target' }))).rejects.toThrow('blip');
    expect(await store.sync.getDeletePhase(runId, 'target')).toMatchObject({ state: 'applying', applied: 0, afterKey: null });
    await inActivity(false, () => ordinary().runPipeline({ runId, versionId, pipelineId: 'p-target' }));
    expect((await store.listWorkspaceRecords('s1_dst')).total).toBe(1_505);
    expect(await store.sync.getDeletePhase(runId, 'target')).toMatchObject({ state: 'applied', candidates: 1_500, applied: 1_500 });
    expect(await deletedCount(runId)).toBe(1_500);
  }, 120_000);

  it('held above the threshold: a retry holds again, deleting nothing', async () => {
    const { runId, versionId } = await setUp('h1', 6, { deleteThresholdPercent: 50 });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await expect(inActivity(false, () => ordinary().runPipeline({ runId, versionId, pipelineId: 'p-target' }))).rejects.toThrow(/Deletes held back: 6 records/);
      expect(await store.sync.getDeletePhase(runId, 'target')).toMatchObject({ state: 'held', candidates: 6, applied: 0, targetRecords: 11 });
    }
    expect((await store.listWorkspaceRecords('h1_dst')).total).toBe(11);
  }, 120_000);
});

describe('a two-way step failed after its deletes began (fix12b, after an outside review)', () => {
  // del14's two-way executor records one phase per direction (the step's node id and a side) and sets the step's count only
  // after its commit: a failure in between must leave the sum of both directions, applying or applied.
  async function failedWith(tag: string, phases: Array<Pick<DeletePhase, 'state' | 'applied'> & { side: 'a' | 'b' }>) {
    const { runId } = await setUp(tag, 0);
    for (const p of phases) {
      await store.sync.recordDeletePhase({ runId, nodeId: 'target', side: p.side, state: p.state, candidates: 3000, targetRecords: 9000, allowed: 9000, applied: p.applied, afterKey: p.state === 'applying' ? 'k' : null, inFlight: null });
    }
    const acts = createActivities({ store, sessions: testConnections(store), batchSize: 10 });
    await inActivity(false, () => acts.failSteps({ runId, nodeIds: ['target'], error: 'blip' }));
    return (await store.getRun(runId))?.steps.find((s) => s.nodeId === 'target')?.counts.deleted;
  }
  it('side B applied 2,500, side A stopped at 1,000: 3,500 deleted', async () => {
    expect(await failedWith('tw1', [{ side: 'b', state: 'applied', applied: 2500 }, { side: 'a', state: 'applying', applied: 1000 }])).toBe(3500);
  });
  it('both sides applied, the step failed before its commit: their sum', async () => {
    expect(await failedWith('tw2', [{ side: 'a', state: 'applied', applied: 7 }, { side: 'b', state: 'applied', applied: 5 }])).toBe(12);
  });
});

describe('the delete loop honours the attempt\'s cancellation (del13)', () => {
  it('cancelled after its first delete call: stops before the next, the retry applies the rest, each counted once', async () => {
    const { runId, versionId } = await setUp('k1', 2_500);
    const cancel = new AbortController();
    // The attempt is cancelled (Cancel, or Temporal gave up on it: its heartbeat learns it) once its first call is recorded.
    const cancelling = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'sync') {
          return new Proxy(target.sync, {
            get(sync, p) {
              const v: unknown = Reflect.get(sync, p);
              if (p === 'recordDeletePhase') {
                return async (phase: DeletePhase) => {
                  const out = await sync.recordDeletePhase(phase);
                  if (phase.state === 'applying' && phase.afterKey != null && phase.inFlight == null) cancel.abort();
                  return out;
                };
              }
              return typeof v === 'function' ? v.bind(sync) : v;
            },
          });
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const acts = createActivities({ store: cancelling, sessions: testConnections(store), batchSize: 10 });
    await expect(inAttempt({ signal: cancel.signal }, () => acts.runPipeline({ runId, versionId, pipelineId: 'p-target' }))).rejects.toThrow('cancelled');
    expect(await store.sync.getDeletePhase(runId, 'target')).toMatchObject({ state: 'applying', candidates: 2_500, applied: 1_000, inFlight: null });
    expect((await store.listWorkspaceRecords('k1_dst')).total).toBe(5 + 1_500);
    await inActivity(false, () => ordinary().runPipeline({ runId, versionId, pipelineId: 'p-target' }));
    expect((await store.listWorkspaceRecords('k1_dst')).total).toBe(5);
    expect(await store.sync.getDeletePhase(runId, 'target')).toMatchObject({ state: 'applied', candidates: 2_500, applied: 2_500 });
    expect(await deletedCount(runId)).toBe(2_500);
  }, 120_000);
});
