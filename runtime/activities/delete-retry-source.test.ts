// The delete phase's retry (del16c, after an outside review of del16b): a retry of runPipeline after the target's delete
// phase was decided reads the source no more, so a source change made meanwhile adds no candidate the decision never
// counted; and the run page of a run that stopped mid-phase. Workspace targets on a real store (PGlite), a store
// failure injected through a proxy.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { graphFixture } from '../../test/support/graph-fixtures';
import { testConnections } from '../../test/support/connections';
import { createRunOf, publishAndCreateRun } from '../../test/support/temporal-harness';
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

const inActivity = <T>(fn: () => Promise<T>): Promise<T> => inAttempt({}, fn);
/** The store with recordDeletePhase failing once: after the second delete call's progress is asked for. */
function failingAtSecondProgress(): Store {
  let failed = false;
  let progress = 0;
  return new Proxy(store, {
    get(t, prop, r) {
      if (prop === 'sync') {
        return new Proxy(t.sync, {
          get(sync, p) {
            const v: unknown = Reflect.get(sync, p);
            if (p === 'recordDeletePhase') {
              return async (phase: DeletePhase) => {
                if (!failed && phase.state === 'applying' && phase.afterKey != null && phase.inFlight == null && ++progress === 2) {
                  failed = true;
                  throw new Error('store blip');
                }
                return sync.recordDeletePhase(phase);
              };
            }
            return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(sync) : v;
          },
        });
      }
      const value: unknown = Reflect.get(t, prop, r);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}
const srcFields = [
  { name: 'email', type: 'text' as const },
  { name: 'amount', type: 'number' as const },
  { name: 'gone', type: 'boolean' as const },
];
const dstFields = srcFields.slice(0, 2);
const acts = () => createActivities({ store, sessions: testConnections(store), batchSize: 10 });

// `late` sorts before the keys the first attempt applied (b@x: it would be skipped, then never read again) or after
// them (z@x: it would be deleted, 2,501 of 2,500 with no threshold check).
it.each(['b@x', 'z@x'])('a record soft-deleted at the source after the phase was decided (%s) waits for the next run', async (late) => {
  const tag = `late_${late[0]}`;
  // The source is keyed (read) by amount, the target by email: the two orders differ.
  await store.writeWorkspace({ object: `${tag}_src`, key: ['amount'], fields: srcFields, mode: 'upsert', rows: Array.from({ length: 5 }, (_, k) => ({ email: `s${k}@x`, amount: k, gone: false })) });
  await store.writeWorkspace({ object: `${tag}_dst`, key: ['email'], fields: dstFields, mode: 'upsert', rows: Array.from({ length: 5 }, (_, k) => ({ email: `s${k}@x`, amount: k })) });
  const graph = graphFixture('workspace-map-workspace', { source: { object: `${tag}_src`, columns: srcFields, cursorField: '_updated_at', softDeleteField: 'gone' }, target: { object: `${tag}_dst`, deletes: 'delete', deleteThresholdPercent: 100 } });
  const { runId: run1, versionId } = await publishAndCreateRun(store, graph, `Late ${late}`);
  await inActivity(() => acts().runPipeline({ runId: run1, versionId, pipelineId: 'p-target' }));
  await inActivity(() => acts().finishRun({ runId: run1, status: 'completed', error: null }));
  // 2,500 records soft-deleted at the source, held at the target; and `late` at the target only.
  const t = (k: number) => `t${String(k).padStart(4, '0')}@x`;
  await store.writeWorkspace({ object: `${tag}_src`, key: ['amount'], fields: srcFields, mode: 'upsert', rows: Array.from({ length: 2500 }, (_, k) => ({ email: t(k), amount: 1000 + k, gone: true })) });
  await store.writeWorkspace({ object: `${tag}_dst`, key: ['email'], fields: dstFields, mode: 'upsert', rows: [...Array.from({ length: 2500 }, (_, k) => ({ email: t(k), amount: 1000 + k })), { email: late, amount: 9000 }] });
  const version = (await store.getVersion(versionId))!;
  const run2 = (await createRunOf(store, version)).id;
  const failing = createActivities({ store: failingAtSecondProgress(), sessions: testConnections(store), batchSize: 10 });
  await expect(inActivity(() => failing.runPipeline({ runId: run2, versionId, pipelineId: 'p-target' }))).rejects.toThrow('blip');
  expect(await store.sync.getDeletePhase(run2, 'target')).toMatchObject({ state: 'applying', candidates: 2500, applied: 1000 });
  // Meanwhile `late` is soft-deleted at the source (a new source record, after the checkpoint's cursor).
  await store.writeWorkspace({ object: `${tag}_src`, key: ['amount'], fields: srcFields, mode: 'upsert', rows: [{ email: late, amount: 9000, gone: true }] });
  await inActivity(() => acts().runPipeline({ runId: run2, versionId, pipelineId: 'p-target' }));
  await inActivity(() => acts().finishRun({ runId: run2, status: 'completed', error: null }));
  // The retry applied what was decided, nothing more, and did not read `late`.
  expect(await store.sync.getDeletePhase(run2, 'target')).toMatchObject({ state: 'applied', candidates: 2500, applied: 2500 });
  expect((await store.listWorkspaceRecords(`${tag}_dst`)).total).toBe(6);
  const keys = await store.sync.listDeletedKeys(run2, 'target', { after: null, limit: 10_000 });
  expect(keys.length).toBe(2500);
  expect(keys.some((k) => k.key === late)).toBe(false);
  // The next run reads it and deletes it (it reads the others again too, the cursor's margin: confirmed, they are gone).
  const run3 = (await store.createRun({ integrationId: version.integrationId, versionId, trigger: 'manual', params: {}, steps: version.plan.steps.map((s) => ({ nodeId: s.nodeId, kind: s.kind, label: s.label })), syncOptions: { confirmDeletes: true } })).id;
  await inActivity(() => acts().runPipeline({ runId: run3, versionId, pipelineId: 'p-target' }));
  expect(await store.sync.getDeletePhase(run3, 'target')).toMatchObject({ state: 'applied', applied: 1 });
  expect((await store.listWorkspaceRecords(`${tag}_dst`)).total).toBe(5);
}, 180_000);

// The run page of a run that failed (its retries spent) or was cancelled with its phase applying: the line says the
// deletes stopped, counting the call in flight as a range (its records may be gone), and the step's count is set.
it.each(['failed', 'cancelled'] as const)('a run %s with its phase applying: the run page line and the step count', async (status) => {
  const tag = `stop_${status}`;
  await store.writeWorkspace({ object: `${tag}_src`, key: ['email'], fields: dstFields, mode: 'upsert', rows: [{ email: 'a@x', amount: 1 }] });
  await store.writeWorkspace({ object: `${tag}_dst`, key: ['email'], fields: dstFields, mode: 'upsert', rows: [{ email: 'a@x', amount: 1 }, ...Array.from({ length: 2500 }, (_, k) => ({ email: `t${k}@x`, amount: k }))] });
  const graph = graphFixture('workspace-map-workspace', { source: { object: `${tag}_src` }, target: { object: `${tag}_dst`, deletes: 'delete', deleteThresholdPercent: 100 } });
  const { runId, versionId } = await publishAndCreateRun(store, graph, `Stopped ${status}`);
  const failing = createActivities({ store: failingAtSecondProgress(), sessions: testConnections(store), batchSize: 10 });
  await expect(inActivity(() => failing.runPipeline({ runId, versionId, pipelineId: 'p-target' }))).rejects.toThrow('blip');
  // The second call deleted its 1,000 records; its progress was never recorded (1,000 applied, 1,000 in flight).
  expect(await store.sync.getDeletePhase(runId, 'target')).toMatchObject({ state: 'applying', candidates: 2500, applied: 1000, inFlight: 1000 });
  expect((await store.listWorkspaceRecords(`${tag}_dst`)).total).toBe(501);
  // The workflow gives up (or the person cancels): the open steps, then the run.
  const nodeIds = (await store.getRun(runId))!.steps.map((s) => s.nodeId);
  if (status === 'failed') await inActivity(() => acts().failSteps({ runId, nodeIds, error: 'store blip' }));
  else await inActivity(() => acts().cancelSteps({ runId, nodeIds }));
  await inActivity(() => acts().finishRun({ runId, status, error: status === 'failed' ? 'store blip' : null }));
  const run = await store.getRun(runId);
  expect(run?.status).toBe(status);
  expect(RunSync.parse(run?.sync).deletes.map(describeDeleteSync)).toEqual(['Deletes to Copy stopped with the run: 1,000–2,000 of 2,500 deleted']);
  expect(run?.steps.find((s) => s.nodeId === 'target')?.counts.deleted).toBe(1000);
}, 120_000);
