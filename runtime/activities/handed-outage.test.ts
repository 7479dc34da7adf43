// An outage the local pass handed over (the workflow's `outage` input to the ordinary runPipeline), called with a
// hand-built activity Context: a retry whose previous attempt heartbeated after the outage ended does not take it up
// again, and planning the parts does not drop a handed outage of another step (its window counts from its start).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepWaiting } from '../../shared/api/runs';
import { testConnections } from '../../test/support/connections';
import { customersCsv, customersGraph, publishAndCreateRun, saveCsvFile } from '../../test/support/temporal-harness';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { createActivities } from '.';
import { inActivity as inAttempt } from '../../test/support/activity-context';

let store: Store;
let dir: string;
beforeAll(async () => {
  store = await openStore({ memory: true });
  dir = await mkdtemp(join(tmpdir(), 'weft-handed-outage-'));
});
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const unreachable = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));

/** The store, whose first call of `method` fails as an unreachable Postgres would (a one-off blip); `waits` gets
 * every waiting state recorded. */
function blipOnce(s: Store, method: keyof Store, waits: (StepWaiting | null)[] = []): Store {
  let failed = false;
  return new Proxy(s, {
    get(target, prop, receiver) {
      if (prop === method) {
        return (...args: unknown[]) => {
          if (!failed) {
            failed = true;
            return unreachable();
          }
          return (target[method] as (...a: unknown[]) => unknown)(...args);
        };
      }
      if (prop === 'setStepWaiting') {
        return (runId: string, nodeId: string, waiting: StepWaiting | null) => {
          waits.push(waiting);
          return target.setStepWaiting(runId, nodeId, waiting);
        };
      }
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Runs `fn` as an ordinary activity attempt whose previous attempt heartbeated `heartbeatDetails`. */
const inActivity = <T>(attempt: number, heartbeatDetails: unknown, fn: () => Promise<T>): Promise<T> => inAttempt({ attempt, heartbeatDetails }, fn);

const csv = customersCsv(Array.from({ length: 20 }, (_, k) => ({ email: `r${k}@example.com`, name: `R ${k}`, amount: String(k), active: 'yes' })));
const fast = { batchSize: 10, outageWindowMs: 30 * 60_000, outageBackoff: { initialMs: 50, maxMs: 50 } };

describe('an outage handed over by the local pass', () => {
  for (const handed of [false, true]) {
    it(`that ended is not taken up by a retry: a store blip is waited out (input.outage ${handed ? 'given, 2 h old' : 'absent'})`, async () => {
      const fileId = await saveCsvFile(store, dir, csv);
      const object = `ended_${handed}`;
      const { runId, versionId } = await publishAndCreateRun(store, customersGraph({ fileId, object }));
      const activities = createActivities({ store: blipOnce(store, 'getPipelineStart'), sessions: testConnections(store), ...fast });
      const outage = { nodeId: 'target', since: Date.now() - 2 * 3600_000, failures: 1, system: 'Postgres at 10.0.0.9:5432' };
      // The previous ordinary attempt heartbeated after the outage ended: details without an outage.
      const result = await inActivity(2, { batch: 0, cursor: null }, () => activities.runPipeline({ runId, versionId, pipelineId: 'p-target', ...(handed && { outage }) }));
      expect(result.unfinished).toBeUndefined();
      expect((await store.listWorkspaceRecords(object)).total).toBe(20);
    });
  }

  it('on a first attempt (no heartbeat details) goes on counting from its start', async () => {
    const fileId = await saveCsvFile(store, dir, csv);
    const object = 'first_attempt';
    const { runId, versionId } = await publishAndCreateRun(store, customersGraph({ fileId, object }));
    const plan = await store.getVersion(versionId);
    const target = plan!.plan.steps[plan!.plan.steps.length - 1]!.nodeId;
    const activities = createActivities({ store: blipOnce(store, 'commitBatch'), sessions: testConnections(store), ...fast });
    const outage = { nodeId: target, since: Date.now() - 2 * 3600_000, failures: 1, system: "Weft's store" };
    await expect(inActivity(1, undefined, () => activities.runPipeline({ runId, versionId, pipelineId: 'p-target', outage }))).rejects.toThrow(/unreachable for 120(\.0)? minutes/);
  });

  it("of the target is kept while the parts are planned: the target's window counts from the handed start", async () => {
    const fileId = await saveCsvFile(store, dir, csv);
    const object = 'planned';
    const { runId, versionId } = await publishAndCreateRun(store, customersGraph({ fileId, object }));
    const version = await store.getVersion(versionId);
    const target = version!.plan.steps[version!.plan.steps.length - 1]!.nodeId;
    const waits: (StepWaiting | null)[] = [];
    const activities = createActivities({ store: blipOnce(store, 'commitBatch', waits), sessions: testConnections(store), ...fast });
    const since = Date.now() - 10 * 60_000;
    const outage = { nodeId: target, since, failures: 3, system: "Weft's store" };
    const result = await inActivity(1, undefined, () => activities.runPipeline({ runId, versionId, pipelineId: 'p-target', planParts: true, outage }));
    expect(result.unfinished).toBeUndefined();
    expect((await store.listWorkspaceRecords(object)).total).toBe(20);
    // The first commit's blip is the same outage, its fifth try: the page says it waits since the handed start.
    const waiting = waits.find((w) => w !== null);
    expect(waiting?.since).toBe(new Date(since).toISOString());
    expect(waiting?.attempt).toBe(5);
  });

  it('is not what a store blip while preparing leaves behind: the waiting state it recorded goes when the store answers and parts are returned', async () => {
    const rows = customersCsv(Array.from({ length: 120 }, (_, k) => ({ email: `r${k}@example.com`, name: `R ${k}`, amount: String(k), active: 'yes' })));
    const fileId = await saveCsvFile(store, dir, rows);
    const graph = customersGraph({ fileId, object: 'planned_blip' });
    const { runId, versionId } = await publishAndCreateRun(store, { ...graph, settings: { parallelism: 3 } } as typeof graph);
    const version = await store.getVersion(versionId);
    const target = version!.plan.steps[version!.plan.steps.length - 1]!.nodeId;
    const waits: (StepWaiting | null)[] = [];
    const activities = createActivities({ store: blipOnce(store, 'getPipelineStart', waits), sessions: testConnections(store), ...fast });
    const result = await inActivity(1, undefined, () => activities.runPipeline({ runId, versionId, pipelineId: 'p-target', planParts: true }));
    expect(result.partitions?.length).toBeGreaterThan(1);
    // The preparation waited for the store (recorded on the target step), then the store answered: cleared.
    expect(waits[0]?.system).toBe("Weft's store");
    const step = (await store.getRunState(runId))?.steps.find((s) => s.nodeId === target) as { waiting?: StepWaiting | null } | undefined;
    expect(step?.waiting ?? null).toBeNull();
  });
});
