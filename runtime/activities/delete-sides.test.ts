// del13: a two-way step's delete phases (one per direction) were recorded under `<node>#a` / `<node>#b` and read back by
// splitting the node id at its last `#`. A node id may hold `#` (any 1–64 characters: graphs are imported and created
// over the API), so a one-way target `x#b` shared its phase and its run keys with the two-way step `x`'s direction B, and
// the run page read a one-way `t#a` as a two-way direction. Now the side is a column of its own (migration 30). Real
// store (PGlite), workspace targets and sides, the activity as the worker runs it.
import { asyncLocalStorage, Context } from '@temporalio/activity';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFixture } from '../../test/support/graph-fixtures';
import { testConnections } from '../../test/support/connections';
import { publishAndCreateRun } from '../../test/support/temporal-harness';
import { describeDeleteSync, RunSync } from '../../shared/sync/options';
import type { Graph } from '../../shared/graph/schema';
import { openStore } from '../store';
import { createDrizzleStore } from '../store/drizzle-store';
import { openPglite } from '../store/engines';
import { migrate } from '../store/migrate';
import { MIGRATIONS } from '../store/migrations';
import type { Store } from '../store/types';
import { createActivities } from '.';

let store: Store;
beforeAll(async () => {
  store = await openStore({ memory: true });
});
afterAll(async () => {
  await store?.close();
});

function inActivity<T>(fn: () => Promise<T>): Promise<T> {
  const log = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} };
  const info = { attempt: 1, heartbeatDetails: undefined, heartbeatTimeoutMs: 10_000, isLocal: false, activityId: '1', activityType: 'runPipeline', taskQueue: 'q', workflowExecution: { workflowId: 'w', runId: 'r' } };
  const ctx = new (Context as unknown as new (...a: unknown[]) => Context)(info, new Promise(() => undefined), new AbortController().signal, () => undefined, undefined, log, undefined, undefined);
  return asyncLocalStorage.run(ctx, fn);
}
const acts = () => createActivities({ store, sessions: testConnections(store), batchSize: 10 });

const fields = [
  { name: 'email', type: 'text' as const },
  { name: 'amount', type: 'number' as const },
];
const twoWayFields = [
  { name: 'id', type: 'number' as const },
  { name: 'name', type: 'text' as const },
  { name: 'gone', type: 'boolean' as const },
];
const writeSide = (object: string, mode: 'upsert' | 'update', ids: number[], gone: boolean) =>
  store.writeWorkspace({ object, key: ['id'], fields: twoWayFields, mode, rows: ids.map((id) => ({ id, name: `Name ${id}`, gone })) });

/**
 * The one-way workspace pipeline (source 5 records, target 5 + `extra`, deleted by the first run's full read) with its
 * target's id `targetId`; with `twoWay`, a two-way step of that id besides (sides of 20 records each, A's deletes
 * applied to B).
 */
async function setUp(tag: string, targetId: string, extra: number, twoWay?: string): Promise<{ graph: Graph; versionId: string; firstRun: string }> {
  await store.writeWorkspace({ object: `${tag}_src`, key: ['email'], fields, mode: 'upsert', rows: Array.from({ length: 5 }, (_, k) => ({ email: `s${k}@example.com`, amount: k })) });
  await store.writeWorkspace({ object: `${tag}_dst`, key: ['email'], fields, mode: 'upsert', rows: Array.from({ length: 5 + extra }, (_, k) => ({ email: `s${k}@example.com`, amount: k })) });
  const base = graphFixture('workspace-map-workspace', { source: { object: `${tag}_src` }, target: { object: `${tag}_dst`, deletes: 'delete', deleteThresholdPercent: 100 } });
  const graph: Graph = {
    ...base,
    nodes: base.nodes.map((n) => (n.id === 'target' ? { ...n, id: targetId } : n)),
    edges: base.edges.map((e) => (e.target === 'target' ? { ...e, target: targetId } : e)),
  };
  if (twoWay) {
    const all = Array.from({ length: 20 }, (_, i) => i + 1);
    for (const side of ['a', 'b']) await writeSide(`${tag}_${side}`, 'upsert', all, false);
    const side = (object: string, deletedField: string) => ({ connectionId: '', object, updatedAt: '_updated_at', columns: twoWayFields, key: ['id'], deletedField });
    const config = {
      a: side(`${tag}_a`, 'gone'),
      b: side(`${tag}_b`, ''),
      match: { a: 'id', b: 'id' },
      direction: 'both',
      rule: 'review',
      fields: [
        { a: 'id', b: 'id', direction: 'inherit', rule: 'inherit' },
        { a: 'name', b: 'name', direction: 'inherit', rule: 'inherit' },
      ],
      createMissing: true,
      deletesToB: 'delete',
      deletesToA: 'ignore',
      deleteThresholdPercent: 100,
    };
    graph.nodes.push({ id: twoWay, kind: 'two-way-sync', label: 'Both ways', position: { x: 0, y: 300 }, config });
  }
  const { runId, versionId } = await publishAndCreateRun(store, graph, `Sides ${tag}`);
  return { graph, versionId, firstRun: runId };
}
const newRun = async (versionId: string) => {
  const version = (await store.getVersion(versionId))!;
  return (await store.createRun({ integrationId: version.integrationId, versionId, trigger: 'manual', params: {}, steps: version.plan.steps.map((s) => ({ nodeId: s.nodeId, kind: s.kind, label: s.label })) })).id;
};
const runPipeline = (runId: string, versionId: string, pipelineId: string) => inActivity(() => acts().runPipeline({ runId, versionId, pipelineId }));
const deleted = async (runId: string, nodeId: string) => (await store.getRun(runId))?.steps.find((s) => s.nodeId === nodeId)?.counts.deleted;
const lines = async (runId: string) => RunSync.parse((await store.getRun(runId))?.sync).deletes.map(describeDeleteSync).sort();

describe('a one-way target `x#b` beside a two-way step `x` (del13)', () => {
  for (const order of ['two-way first', 'one-way first'] as const) {
    it(`both delete in the same run, ${order}: each its own phase, keys, count and line`, async () => {
      const tag = order === 'two-way first' ? 'sd1' : 'sd2';
      const { versionId, firstRun } = await setUp(tag, 'x#b', 2, 'x');
      // The first run pairs the two-way sides (no deletes yet); the one-way pipeline is left for the second run, whose
      // first read of its source is full: its target's 2 extra records are deletes. Records 1–3 deleted on A since.
      await runPipeline(firstRun, versionId, 'p-x');
      await writeSide(`${tag}_a`, 'update', [1, 2, 3], true);
      const runId = await newRun(versionId);
      const pipelines = order === 'two-way first' ? ['p-x', 'p-x#b'] : ['p-x#b', 'p-x'];
      for (const p of pipelines) await runPipeline(runId, versionId, p);
      // Each deleted its own: 2 on the one-way target, 3 on side B.
      expect((await store.listWorkspaceRecords(`${tag}_dst`)).total).toBe(5);
      expect((await store.listWorkspaceRecords(`${tag}_b`, { limit: 100 })).items.map((r) => Number(r.values.id)).sort((a, b) => a - b)).toEqual(Array.from({ length: 17 }, (_, i) => i + 4));
      expect(await deleted(runId, 'x#b')).toBe(2);
      expect(await deleted(runId, 'x')).toBe(3);
      expect(await store.sync.getDeletePhase(runId, 'x#b')).toMatchObject({ state: 'applied', candidates: 2, applied: 2 });
      expect(await store.sync.getDeletePhase(runId, { nodeId: 'x', side: 'b' })).toMatchObject({ state: 'applied', candidates: 3, applied: 3 });
      // The run page: one line each, labelled by its own step.
      expect(await lines(runId)).toEqual(['2 records of Copy deleted', '3 records of Both ways (side B) deleted']);
      const sync = RunSync.parse((await store.getRun(runId))?.sync);
      expect(sync.deletes.map((d) => JSON.stringify([d.nodeId, d.side ?? null])).sort()).toEqual(['["x","b"]', '["x#b",null]']);
    }, 120_000);
  }

  it('a failed run: each step counts its own phase only', async () => {
    const { versionId, firstRun } = await setUp('sd3', 'x#b', 2, 'x');
    await runPipeline(firstRun, versionId, 'p-x');
    const runId = await newRun(versionId);
    // The one-way phase stopped applying (1 of 2 deleted), the two-way step's direction B applied 4.
    await store.sync.recordDeletePhase({ runId, nodeId: 'x#b', state: 'applying', candidates: 2, targetRecords: 7, allowed: 7, applied: 1, afterKey: 'k', inFlight: null });
    await store.sync.recordDeletePhase({ runId, nodeId: 'x', side: 'b', state: 'applied', candidates: 4, targetRecords: 20, allowed: 20, applied: 4, afterKey: null, inFlight: null });
    await inActivity(() => acts().failSteps({ runId, nodeIds: ['x#b', 'x'], error: 'blip' }));
    expect(await deleted(runId, 'x#b')).toBe(1);
    expect(await deleted(runId, 'x')).toBe(4);
  }, 120_000);
});

describe('a node id with `#` alone (del13)', () => {
  it('a one-way target `t#a`: its run page line is its own, not a two-way direction', async () => {
    const { versionId, firstRun } = await setUp('sd4', 't#a', 3);
    await runPipeline(firstRun, versionId, 'p-t#a');
    expect((await store.listWorkspaceRecords('sd4_dst')).total).toBe(5);
    expect(await deleted(firstRun, 't#a')).toBe(3);
    expect(await lines(firstRun)).toEqual(['3 records of Copy deleted']);
    // A full sync that finds nothing to delete still says so (a two-way direction's 0 is the one hidden).
    const again = await newRun(versionId);
    await store.writeWorkspace({ object: 'sd4_src', key: ['email'], fields, mode: 'upsert', rows: [{ email: 's0@example.com', amount: 100 }] });
    await runPipeline(again, versionId, 'p-t#a');
    expect(await store.sync.getDeletePhase(again, 't#a')).toMatchObject({ state: 'applied', candidates: 0 });
    expect(await lines(again)).toEqual(['0 records of Copy deleted']);
  }, 120_000);
});

describe('migration 30 moves the directions recorded before it', () => {
  it('`<node>#a`/`<node>#b` of a two-way step to its side; a one-way `x#a` stays as it is', async () => {
    const old = await openPglite(null);
    try {
      await migrate(old.db, MIGRATIONS.filter((m) => m.version < 30));
      const oldStore = createDrizzleStore(old);
      const base = graphFixture('workspace-map-workspace');
      const graph: Graph = {
        ...base,
        nodes: [...base.nodes.map((n) => (n.id === 'target' ? { ...n, id: 'x#a' } : n)), { id: 'tw', kind: 'two-way-sync', label: 'Both ways', position: { x: 0, y: 300 }, config: {} }],
        edges: base.edges.map((e) => (e.target === 'target' ? { ...e, target: 'x#a' } : e)),
      };
      const integration = await oldStore.createIntegration({ name: 'Old', description: '', graph });
      const plan = { version: 1 as const, steps: [], pipelines: [{ id: 'p-tw', nodeIds: ['tw'] }], valueMaps: {} };
      const version = await oldStore.createVersion(integration.id, graph, plan, 'hash-old');
      const run = await oldStore.createRun({
        integrationId: integration.id,
        versionId: version.id,
        trigger: 'manual',
        params: {},
        steps: [
          { nodeId: 'x#a', kind: 'workspace-target', label: 'Copy' },
          { nodeId: 'tw', kind: 'two-way-sync', label: 'Both ways' },
        ],
      });
      for (const node of ['tw#a', 'tw#b', 'x#a']) {
        await old.db.execute(sql`INSERT INTO run_deletes (run_id, node_id, state, candidates, target_records, allowed, applied) VALUES (${run.id}, ${node}, 'applied', 2, 10, 10, 2)`);
        await old.db.execute(sql`INSERT INTO run_keys (run_id, node_id, key, deleted) VALUES (${run.id}, ${node}, '[1]', true), (${run.id}, ${node}, '[2]', true)`);
      }
      expect(await migrate(old.db)).toEqual(expect.arrayContaining([30, 32]));
      const rows = (await old.db.execute(sql`SELECT node_id, side FROM run_deletes WHERE run_id = ${run.id} ORDER BY node_id, side`)) as unknown as { rows: { node_id: string; side: string }[] };
      expect(rows.rows).toEqual([
        { node_id: 'tw', side: 'a' },
        { node_id: 'tw', side: 'b' },
        { node_id: 'x#a', side: '' },
      ]);
      const sync = createDrizzleStore(old).sync;
      expect(await sync.countDeletedKeys(run.id, { nodeId: 'tw', side: 'a' })).toBe(2);
      expect(await sync.countDeletedKeys(run.id, { nodeId: 'tw', side: 'b' })).toBe(2);
      expect(await sync.countDeletedKeys(run.id, 'x#a')).toBe(2);
      expect(await sync.getDeletePhase(run.id, { nodeId: 'tw', side: 'b' })).toMatchObject({ nodeId: 'tw', side: 'b', applied: 2 });
    } finally {
      await old.close();
    }
  }, 60_000);
});
