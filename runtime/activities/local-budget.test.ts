// The local pipeline part's budget covers the delete phase (issue 16): a budgeted pass whose budget runs out in the
// delete phase hands over (unfinished), deleting nothing; the ordinary activity then runs the phase. It applies at most
// one page of deletes, and its budget stops a file's scan for parts too. Called with a hand-built activity Context.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFixture } from '../../test/support/graph-fixtures';
import { testConnections } from '../../test/support/connections';
import { customersCsv, customersGraph, publishAndCreateRun, saveCsvFile } from '../../test/support/temporal-harness';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { createActivities, LOCAL_DELETES_AT_MOST } from '.';
import { inActivity as inAttempt } from '../../test/support/activity-context';

let store: Store;
let dir: string;
beforeAll(async () => {
  store = await openStore({ memory: true });
  dir = await mkdtemp(join(tmpdir(), 'weft-lb-'));
});
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs `fn` as a first attempt, local or not. */
const inActivity = <T>(isLocal: boolean, fn: () => Promise<T>): Promise<T> => inAttempt({ isLocal }, fn);

const fields = [
  { name: 'email', type: 'text' as const },
  { name: 'amount', type: 'number' as const },
];

describe('the local budget', () => {
  it('covers the delete phase: spent in the key comparison, the local part hands over and deletes nothing', async () => {
    await store.writeWorkspace({ object: 'lb_src', key: ['email'], fields, mode: 'upsert', rows: Array.from({ length: 10 }, (_, k) => ({ email: `s${k}@example.com`, amount: k })) });
    // The target holds the source's records and 5 the source no longer has: a full sync deletes those 5.
    await store.writeWorkspace({ object: 'lb_dst', key: ['email'], fields, mode: 'upsert', rows: Array.from({ length: 15 }, (_, k) => ({ email: `s${k}@example.com`, amount: k })) });
    const graph = graphFixture('workspace-map-workspace', { source: { object: 'lb_src' }, target: { object: 'lb_dst', deletes: 'delete', deleteThresholdPercent: 100 } });
    const { runId, versionId } = await publishAndCreateRun(store, graph, 'Local budget');
    // The key comparison's page takes as long as the whole budget (a large target's keys, read in a slow network). The
    // budget leaves the pass before the phase room under load (300 ms did not: at load 9 the phase was never reached).
    let pages = 0;
    const slowKeys = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'sync') {
          return new Proxy(target.sync, {
            get(sync, p, r) {
              if (p === 'unseenKeys') {
                return async (...args: Parameters<Store['sync']['unseenKeys']>) => {
                  pages += 1;
                  await new Promise((resolve) => setTimeout(resolve, 2_000));
                  return sync.unseenKeys(...args);
                };
              }
              const v: unknown = Reflect.get(sync, p, r);
              return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(sync) : v;
            },
          });
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const activities = createActivities({ store: slowKeys, sessions: testConnections(store), batchSize: 10 });

    const local = await inActivity(true, () => activities.runPipeline({ runId, versionId, pipelineId: 'p-target', budgetMs: 2_000 }));
    expect(local.unfinished).toBe(true);
    expect(pages).toBe(1);
    expect((await store.listWorkspaceRecords('lb_dst')).total).toBe(15);
    expect(await store.sync.getDeletePhase(runId, 'target')).toBeNull();

    // The ordinary activity resumes after the committed batch and runs the phase.
    const ordinary = await inActivity(false, () => activities.runPipeline({ runId, versionId, pipelineId: 'p-target' }));
    expect(ordinary.unfinished).toBeUndefined();
    expect((await store.getCheckpoint(runId, 'p-target')).batch).toBe(local.batches);
    expect((await store.listWorkspaceRecords('lb_dst')).total).toBe(10);
    expect(await store.sync.getDeletePhase(runId, 'target')).toMatchObject({ state: 'applied', candidates: 5, applied: 5 });
  });

  // lat16l's F5: the budget's check bounds when applying starts, not how long it runs; a local part that began applying
  // many deletes within its budget applied them all, past the budget (and towards the local activity's timeout).
  it('applies no more than LOCAL_DELETES_AT_MOST deletes: past it, hands over before applying; the ordinary activity deletes each once', async () => {
    const extra = LOCAL_DELETES_AT_MOST + 1;
    await store.writeWorkspace({ object: 'lbm_src', key: ['email'], fields, mode: 'upsert', rows: Array.from({ length: 5 }, (_, k) => ({ email: `s${k}@example.com`, amount: k })) });
    await store.writeWorkspace({ object: 'lbm_dst', key: ['email'], fields, mode: 'upsert', rows: Array.from({ length: 5 + extra }, (_, k) => ({ email: `s${k}@example.com`, amount: k })) });
    const graph = graphFixture('workspace-map-workspace', { source: { object: 'lbm_src' }, target: { object: 'lbm_dst', deletes: 'delete', deleteThresholdPercent: 100 } });
    const { runId, versionId } = await publishAndCreateRun(store, graph, 'Local deletes');
    const activities = createActivities({ store, sessions: testConnections(store), batchSize: 10 });

    // The largest budget: the comparison and the check before applying pass well within it.
    const local = await inActivity(true, () => activities.runPipeline({ runId, versionId, pipelineId: 'p-target', budgetMs: 60_000 }));
    expect(local.unfinished).toBe(true);
    expect((await store.listWorkspaceRecords('lbm_dst')).total).toBe(5 + extra);
    expect(await store.sync.getDeletePhase(runId, 'target')).toBeNull();
    expect(await store.sync.countDeletedKeys(runId, 'target')).toBe(0);

    const ordinary = await inActivity(false, () => activities.runPipeline({ runId, versionId, pipelineId: 'p-target' }));
    expect(ordinary.unfinished).toBeUndefined();
    expect((await store.getCheckpoint(runId, 'p-target')).batch).toBe(local.batches);
    expect((await store.listWorkspaceRecords('lbm_dst')).total).toBe(5);
    // Counted once (the threshold's share too) and applied once.
    expect(await store.sync.getDeletePhase(runId, 'target')).toMatchObject({ state: 'applied', candidates: extra, targetRecords: 5 + extra, applied: extra });
    expect((await store.getRun(runId))?.steps.find((s) => s.nodeId === 'target')?.counts).toMatchObject({ deleted: extra, created: 0 });
  }, 120_000);

  it('applies a few deletes itself: the run ends in the local part', async () => {
    await store.writeWorkspace({ object: 'lbf_src', key: ['email'], fields, mode: 'upsert', rows: Array.from({ length: 5 }, (_, k) => ({ email: `s${k}@example.com`, amount: k })) });
    await store.writeWorkspace({ object: 'lbf_dst', key: ['email'], fields, mode: 'upsert', rows: Array.from({ length: 8 }, (_, k) => ({ email: `s${k}@example.com`, amount: k })) });
    const graph = graphFixture('workspace-map-workspace', { source: { object: 'lbf_src' }, target: { object: 'lbf_dst', deletes: 'delete', deleteThresholdPercent: 100 } });
    const { runId, versionId } = await publishAndCreateRun(store, graph, 'Local few deletes');
    const activities = createActivities({ store, sessions: testConnections(store), batchSize: 10 });
    const local = await inActivity(true, () => activities.runPipeline({ runId, versionId, pipelineId: 'p-target', budgetMs: 60_000 }));
    expect(local.unfinished).toBeUndefined();
    expect((await store.listWorkspaceRecords('lbf_dst')).total).toBe(5);
    expect(await store.sync.getDeletePhase(runId, 'target')).toMatchObject({ state: 'applied', candidates: 3, applied: 3 });
  });

  // The same class as the deletes: the parts planning's scan of a file (read up to its last cut) ran whatever the
  // budget, in the local part; a large file's scan could take longer than the local activity's timeout.
  it("stops a file's scan for parts when the budget is spent, keeping nothing: the ordinary activity plans them", async () => {
    const rows = customersCsv(Array.from({ length: 120 }, (_, k) => ({ email: `r${k}@example.com`, name: `R ${k}`, amount: String(k), active: 'yes' })));
    const fileId = await saveCsvFile(store, dir, rows);
    const graph = customersGraph({ fileId, object: 'lb_planned' });
    const { runId, versionId } = await publishAndCreateRun(store, { ...graph, settings: { parallelism: 3 } } as typeof graph);
    const activities = createActivities({ store, sessions: testConnections(store), batchSize: 10 });
    // A budget spent before the scan's first chunk (the preparation alone takes longer than 1 ms).
    const local = await inActivity(true, () => activities.runPipeline({ runId, versionId, pipelineId: 'p-target', planParts: true, budgetMs: 1 }));
    expect(local).toMatchObject({ unfinished: true, batches: 0 });
    expect(local.partitions).toBeUndefined();
    const ordinary = await inActivity(false, () => activities.runPipeline({ runId, versionId, pipelineId: 'p-target', planParts: true }));
    expect(ordinary.partitions?.length).toBe(3);
    expect((await store.listWorkspaceRecords('lb_planned')).total).toBe(0);
  });
});
