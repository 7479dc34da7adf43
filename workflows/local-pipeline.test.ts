// Issue 16: a pipeline first runs as a local activity, within a budget, in the run's first workflow task. On the real
// Temporal dev server with real activities over an in-memory PGlite store: a small run is one workflow task with no
// activity task; a run past the budget goes on in the ordinary activity from its checkpoint, no record lost or
// written twice (also when a commit landed and its answer was lost); a cancel during the local part ends Cancelled
// with the counts of exactly the committed batches.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities, LOCAL_DELETES_AT_MOST } from '../runtime/activities';
import { openStore } from '../runtime/store';
import type { Store } from '../runtime/store/types';
import { type RunLauncher } from '../runtime/temporal/client';
import { activityAttempts, customersCsv, customersGraph, failingCommits, FAST_PIPELINE, publishAndCreateRun, openTemporalRig, quietTemporalLogs, saveCsvFile, type TemporalRig } from '../test/support/temporal-harness';
import { testConnections } from '../test/support/connections';
import { graphFixture } from '../test/support/graph-fixtures';
import type { SyncIntegrationResult } from './sync-integration';

const BATCH = 10;

let store: Store;
let dir: string;
let rig: TemporalRig;
let client: Client;
/** Default budget (2 s), fast batches. */
let fast: RunLauncher;
/** A budget of 400 ms, 100 ms after each commit: a 300-row run spends it after a few batches. */
let short: RunLauncher;
/** A budget of 3 s, 150 ms after each commit: a cancel lands in the local part. */
let slow: RunLauncher;
/** As `short`, but the commit of batch 2 lands and then its answer is lost, once. */
let lost: RunLauncher;
/** The largest budget (60 s): a small run's delete phase starts well within it. */
let roomy: RunLauncher;

quietTemporalLogs('ERROR');

beforeAll(async () => {
  store = await openStore({ memory: true });
  dir = await mkdtemp(join(tmpdir(), 'weft-local-'));
  rig = await openTemporalRig(inject('temporalAddress'));
  client = rig.client;
  fast = await rig.worker(createActivities({ store, sessions: testConnections(store), batchSize: BATCH }), FAST_PIPELINE);
  short = await rig.worker(createActivities({ store, sessions: testConnections(store), batchSize: BATCH, batchDelayMs: 100 }), { ...FAST_PIPELINE, localBudgetMs: 400 });
  slow = await rig.worker(createActivities({ store, sessions: testConnections(store), batchSize: BATCH, batchDelayMs: 150 }), { ...FAST_PIPELINE, localBudgetMs: 3_000 });
  let dropped = false;
  const losing = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'commitBatch') {
        return async (c: Parameters<Store['commitBatch']>[0]) => {
          const out = await target.commitBatch(c);
          if (c.batch === 2 && !dropped) {
            dropped = true;
            throw new Error('Connection terminated unexpectedly');
          }
          return out;
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  roomy = await rig.worker(createActivities({ store, sessions: testConnections(store), batchSize: BATCH }), { ...FAST_PIPELINE, localBudgetMs: 60_000 });
  lost = await rig.worker(createActivities({ store: losing, sessions: testConnections(store), batchSize: BATCH, batchDelayMs: 100, outageBackoff: { initialMs: 50, maxMs: 100 } }), { ...FAST_PIPELINE, localBudgetMs: 400 });
});

afterAll(async () => {
  await rig?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ email: `p${i}@x.io`, name: `Person ${i}`, amount: String(i), active: 'true' }));

async function setUp(n: number) {
  const object = `local_${randomUUID().slice(0, 8)}`;
  const fileId = await saveCsvFile(store, dir, customersCsv(rows(n)));
  const { runId, versionId } = await publishAndCreateRun(store, customersGraph({ fileId, object }));
  const pipelineId = (await store.getVersion(versionId))!.plan.pipelines[0]!.id;
  return { object, runId, versionId, pipelineId };
}

const EVENT = proto.temporal.api.enums.v1.EventType;

/** How many events of each type the workflow's history holds. */
async function eventCount(workflowId: string, type: number): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((e) => e.eventType === type).length;
}

async function until(check: () => Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out waiting');
}

describe('a pipeline run locally first (issue 16)', () => {
  it('runs a small run in one workflow task, with no activity task through the server', async () => {
    const { object, runId, versionId } = await setUp(25);
    const { workflowId } = await fast.start({ runId, versionId });
    const result = (await client.workflow.getHandle(workflowId).result()) as SyncIntegrationResult;
    expect(result.status).toBe('completed');
    expect(await eventCount(workflowId, EVENT.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(0);
    expect(await eventCount(workflowId, EVENT.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)).toBe(1);
    expect(await eventCount(workflowId, EVENT.EVENT_TYPE_MARKER_RECORDED)).toBeGreaterThanOrEqual(3);
    expect((await store.listWorkspaceRecords(object, { limit: 1 })).total).toBe(25);
    expect((await store.getRun(runId))?.counts).toMatchObject({ read: 25, written: 25, created: 25, rejected: 0 });
  });

  /** A 300-row run that goes on in one ordinary activity after the local part: completed, every record written once. */
  async function expectHandedOverWhole(launcher: RunLauncher) {
    const { object, runId, versionId, pipelineId } = await setUp(300);
    const { workflowId } = await launcher.start({ runId, versionId });
    const result = (await client.workflow.getHandle(workflowId).result()) as SyncIntegrationResult;
    expect(result.status).toBe('completed');
    expect(await eventCount(workflowId, EVENT.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(1);
    expect((await store.getCheckpoint(runId, pipelineId)).batch).toBe(30);
    expect((await store.listWorkspaceRecords(object, { limit: 1 })).total).toBe(300);
    expect((await store.getRun(runId))?.counts).toMatchObject({ read: 300, written: 300, created: 300, updated: 0, rejected: 0 });
  }

  it('goes on in the ordinary activity when the budget is spent, from the checkpoint: no record lost or written twice', async () => {
    await expectHandedOverWhole(short);
  });

  it('a commit that landed and lost its answer in the local part is not applied again by the ordinary activity', async () => {
    await expectHandedOverWhole(lost);
  });

  // lat16l's F5: the local part applied every delete whose applying began within its budget, however many (towards the
  // local activity's timeout). Now more than one page of them are handed over before any is applied.
  it('a full sync with more deletes than the local part applies: the ordinary activity applies them, each once, counted once', async () => {
    const extra = LOCAL_DELETES_AT_MOST + 1;
    const fields = [
      { name: 'email', type: 'text' as const },
      { name: 'amount', type: 'number' as const },
    ];
    const person = (k: number) => ({ email: `d${k}@x.io`, amount: k });
    const tag = randomUUID().slice(0, 8);
    await store.writeWorkspace({ object: `ds_${tag}`, key: ['email'], fields, mode: 'upsert', rows: Array.from({ length: 5 }, (_, k) => person(k)) });
    await store.writeWorkspace({ object: `dt_${tag}`, key: ['email'], fields, mode: 'upsert', rows: Array.from({ length: 5 + extra }, (_, k) => person(k)) });
    const graph = graphFixture('workspace-map-workspace', { source: { object: `ds_${tag}` }, target: { object: `dt_${tag}`, deletes: 'delete', deleteThresholdPercent: 100 } });
    const { runId, versionId } = await publishAndCreateRun(store, graph, 'Local part, many deletes');
    const { workflowId } = await roomy.start({ runId, versionId });
    const result = (await client.workflow.getHandle(workflowId).result()) as SyncIntegrationResult;
    expect(result.status).toBe('completed');
    // Handed over: the local part (a marker) and then the ordinary activity, which applied the deletes.
    expect(await eventCount(workflowId, EVENT.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(1);
    expect((await store.listWorkspaceRecords(`dt_${tag}`, { limit: 1 })).total).toBe(5);
    expect(await store.sync.getDeletePhase(runId, 'target')).toMatchObject({ state: 'applied', candidates: extra, targetRecords: 5 + extra, applied: extra });
    expect((await store.getRun(runId))?.steps.find((x) => x.nodeId === 'target')?.counts).toMatchObject({ deleted: extra, created: 0, updated: 0 });
  }, 120_000);

  it('a cancel during the local part ends Cancelled with exactly the committed batches written and counted', async () => {
    const ROWS = 400;
    const { object, runId, versionId, pipelineId } = await setUp(ROWS);
    const { workflowId } = await slow.start({ runId, versionId });
    await until(async () => (await store.getCheckpoint(runId, pipelineId)).batch >= 2);
    // Still in the local part: nothing was scheduled on the server yet.
    expect(await eventCount(workflowId, EVENT.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(0);
    await slow.cancel!(workflowId);
    const outcome = await client.workflow
      .getHandle(workflowId)
      .result()
      .then(
        () => 'completed',
        (err: unknown) => (err instanceof WorkflowFailedError ? err.cause?.name : String(err)),
      );
    expect(outcome).toBe('CancelledFailure');
    const run = await store.getRun(runId);
    const { batch } = await store.getCheckpoint(runId, pipelineId);
    expect(run?.status).toBe('cancelled');
    expect(batch).toBeLessThan(ROWS / BATCH);
    expect((await store.listWorkspaceRecords(object, { limit: 1 })).total).toBe(batch * BATCH);
    expect(run?.counts).toMatchObject({ read: batch * BATCH, written: batch * BATCH, created: batch * BATCH, rejected: 0 });
    await new Promise((r) => setTimeout(r, 600));
    expect((await store.listWorkspaceRecords(object, { limit: 1 })).total).toBe(batch * BATCH);
  });

  // lat16j: a retryable failure of the local part is the pipeline's first attempt, so `maximumAttempts` counts every
  // attempt (the fresh-clone CI's resume.test.ts saw one more than the setting).
  it.each([
    { maximumAttempts: 3, commits: [1, 2, 2, 2], activity: 2 },
    { maximumAttempts: 1, commits: [1, 2], activity: 0 },
  ])('a retryable failure in the local part counts as one of maximumAttempts ($maximumAttempts)', async ({ maximumAttempts, commits: expected, activity }) => {
    const commits: number[] = [];
    const failing = failingCommits(store, (c) => c.batch === 2, commits, 'deadlock detected');
    const launcher = await rig.worker(createActivities({ store: failing, sessions: testConnections(store), batchSize: BATCH }), { ...FAST_PIPELINE, maximumAttempts });
    const { runId, versionId } = await setUp(50);
    const { workflowId } = await launcher.start({ runId, versionId });
    const handle = client.workflow.getHandle(workflowId);
    const result = (await handle.result()) as SyncIntegrationResult;
    expect(result).toMatchObject({ status: 'failed', error: 'deadlock detected' });
    expect(commits).toEqual(expected);
    expect(activityAttempts(await handle.fetchHistory())).toEqual({ local: 1, activity, total: maximumAttempts });
    expect((await store.getRun(runId))?.status).toBe('failed');
  });

  it('a failure for good in the local part fails the run at once: one attempt in all', async () => {
    const commits: number[] = [];
    const refusing = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'commitBatch') {
          return async (c: Parameters<Store['commitBatch']>[0]) => {
            commits.push(c.batch);
            if (c.batch === 2) throw ApplicationFailure.nonRetryable('refused for good', 'PermanentError');
            return target.commitBatch(c);
          };
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const launcher = await rig.worker(createActivities({ store: refusing, sessions: testConnections(store), batchSize: BATCH }), FAST_PIPELINE);
    const { runId, versionId } = await setUp(50);
    const { workflowId } = await launcher.start({ runId, versionId });
    const handle = client.workflow.getHandle(workflowId);
    expect(await handle.result()).toMatchObject({ status: 'failed', error: 'refused for good' });
    expect(commits).toEqual([1, 2]);
    expect(activityAttempts(await handle.fetchHistory())).toEqual({ local: 1, activity: 0, total: 1 });
    expect(await eventCount(workflowId, EVENT.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(0);
  });

  // lat16j: the store goes down during the local part. The local part stops at the outage without writing to the store
  // and hands it over; the ordinary activity waits it out in its FIRST attempt (its own first reads of the store
  // included), heartbeating it, then finishes from the checkpoint (test/faults/store-outage.test.ts on a real Postgres).
  it('a store outage met in the local part is waited out by the ordinary activity in one attempt', async () => {
    let downUntil = 0;
    const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const calls: string[] = [];
    const flaky = new Proxy(store, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          if (prop === 'commitBatch' && (args[0] as { batch: number }).batch === 3 && downUntil === 0) downUntil = Date.now() + 1_500;
          if (Date.now() < downUntil) {
            calls.push(String(prop));
            throw refused();
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const beats: unknown[] = [];
    const activities = createActivities({ store: flaky, sessions: testConnections(store), batchSize: BATCH, batchDelayMs: 50, outageBackoff: { initialMs: 200, maxMs: 400 } });
    const runPipeline = activities.runPipeline;
    const { Context } = await import('@temporalio/activity');
    activities.runPipeline = async (input) => {
      const ctx = Context.current();
      const heartbeat = ctx.heartbeat.bind(ctx);
      if (input.budgetMs === undefined) (ctx as { heartbeat: (d: unknown) => void }).heartbeat = (d: unknown) => {
        beats.push(d);
        heartbeat(d);
      };
      return runPipeline(input);
    };
    const launcher = await rig.worker(activities, { ...FAST_PIPELINE, maximumAttempts: 2 });
    const { object, runId, versionId, pipelineId } = await setUp(200);
    const { workflowId } = await launcher.start({ runId, versionId });
    const handle = client.workflow.getHandle(workflowId);
    const result = (await handle.result()) as SyncIntegrationResult;
    expect(result.status).toBe('completed');
    expect(downUntil).toBeGreaterThan(0);
    // The ordinary activity's first reads met the outage too, and waited it out: one attempt of it, not a retry.
    expect(calls).toContain('getPipelineStart');
    expect(activityAttempts(await handle.fetchHistory())).toEqual({ local: 1, activity: 1, total: 2 });
    expect(beats.some((d) => (d as { outage?: { nodeId: string; system?: string } }).outage?.system?.startsWith("Weft's store"))).toBe(true);
    expect((await store.getCheckpoint(runId, pipelineId)).batch).toBe(20);
    expect((await store.listWorkspaceRecords(object, { limit: 1 })).total).toBe(200);
    const run = await store.getRun(runId);
    expect(run?.counts).toMatchObject({ read: 200, written: 200, created: 200, updated: 0, rejected: 0 });
    expect(run?.steps.find((s) => s.nodeId === 'target')?.waiting).toBeUndefined();
  });
});
