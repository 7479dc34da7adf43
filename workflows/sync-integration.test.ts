// The sync workflow on the real Temporal dev server, with real activities over an in-memory PGlite store.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../runtime/activities';
import { openStore } from '../runtime/store';
import type { Store } from '../runtime/store/types';
import { type RunLauncher } from '../runtime/temporal/client';
import {
  customersCsv,
  customersGraph,
  FAST_PIPELINE,
  publishAndCreateRun,
  openTemporalRig,
  quietTemporalLogs,
  saveCsvFile,
  type CustomerRow,
  type TemporalRig,
} from '../test/support/temporal-harness';
import type { Graph } from '../shared/graph/schema';
import type { SyncIntegrationResult } from './sync-integration';
import { testConnections } from '../test/support/connections';

let store: Store;
let dir: string;
let rig: TemporalRig;
let client: Client;
let launcher: RunLauncher;

quietTemporalLogs('ERROR');

beforeAll(async () => {
  store = await openStore({ memory: true });
  dir = await mkdtemp(join(tmpdir(), 'weft-wf-'));
  rig = await openTemporalRig(inject('temporalAddress'));
  client = rig.client;
  launcher = await rig.worker(createActivities({ store, sessions: testConnections(store), batchSize: 64 }), FAST_PIPELINE);
});

afterAll(async () => {
  await rig?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

async function runToEnd(runId: string, versionId: string): Promise<SyncIntegrationResult> {
  const { workflowId } = await launcher.start({ runId, versionId });
  expect(workflowId).toBe(`run-${runId}`);
  return client.workflow.getHandle(workflowId).result() as Promise<SyncIntegrationResult>;
}

/** Two graphs side by side on one canvas, their node ids prefixed. */
function together(...graphs: [string, Graph][]): Graph {
  return {
    version: 1,
    nodes: graphs.flatMap(([p, g]) => g.nodes.map((n) => ({ ...n, id: `${p}${n.id}` }))),
    edges: graphs.flatMap(([p, g]) => g.edges.map((e) => ({ ...e, id: `${p}${e.id}`, source: `${p}${e.source}`, target: `${p}${e.target}` }))),
  };
}

const stepOf = async (runId: string, nodeId: string) => {
  const run = await store.getRun(runId);
  const step = run?.steps.find((s) => s.nodeId === nodeId);
  if (!step) throw new Error(`no step ${nodeId}`);
  return step;
};

describe('syncIntegration on the real dev server', () => {
  it('runs CSV -> Map -> Filter -> workspace, rejecting malformed and unconvertible rows', async () => {
    const N = 300;
    const rows: CustomerRow[] = Array.from({ length: N }, (_, k) => {
      const i = k + 1;
      return {
        email: `user${i}@example.com`,
        name: `User ${i}, Jr.`,
        amount: i % 40 === 7 ? 'abc' : `${i}.50`,
        active: i % 3 === 0 ? 'no' : 'yes',
        extra: i % 50 === 0 ? ['surplus'] : undefined,
      };
    });
    const ids = rows.map((_, k) => k + 1);
    const malformed = ids.filter((i) => i % 50 === 0);
    const unconvertible = ids.filter((i) => i % 50 !== 0 && i % 40 === 7);
    const mapped = ids.filter((i) => i % 50 !== 0 && i % 40 !== 7);
    const kept = mapped.filter((i) => i % 3 !== 0);

    const fileId = await saveCsvFile(store, dir, customersCsv(rows));
    const object = 'customers_a';
    const { runId, versionId } = await publishAndCreateRun(store, customersGraph({ fileId, object, filterActive: true }));
    const result = await runToEnd(runId, versionId);

    expect(result.status).toBe('completed_with_errors');
    const run = await store.getRun(runId);
    expect(run?.status).toBe('completed_with_errors');
    expect(run?.error).toBeNull();
    expect(run?.startedAt).not.toBeNull();
    expect(run?.endedAt).not.toBeNull();

    expect(await stepOf(runId, 'source')).toMatchObject({
      status: 'completed_with_errors',
      counts: { read: N, written: N - malformed.length, rejected: malformed.length },
    });
    expect(await stepOf(runId, 'map')).toMatchObject({
      status: 'completed_with_errors',
      counts: { read: N - malformed.length, written: mapped.length, rejected: unconvertible.length },
    });
    expect(await stepOf(runId, 'filter')).toMatchObject({
      status: 'completed',
      counts: { read: mapped.length, written: kept.length, rejected: 0 },
    });
    expect(await stepOf(runId, 'target')).toMatchObject({
      status: 'completed',
      counts: { read: kept.length, written: kept.length, created: kept.length, updated: 0, rejected: 0 },
    });

    const rejected = await store.listRejected(runId, { limit: 100 });
    expect(rejected.total).toBe(malformed.length + unconvertible.length);
    const byRow = new Map(rejected.items.map((r) => [r.rowNumber, r]));
    expect(byRow.get(50)).toMatchObject({
      nodeId: 'source',
      reason: 'row 50 has 5 values but the header has 4',
      source: { Email: 'user50@example.com', Name: 'User 50, Jr.', Amount: '50.50', Active: 'yes', 'Column 5': 'surplus' },
      mapped: null,
    });
    expect(byRow.get(7)).toMatchObject({
      nodeId: 'map',
      reason: 'Amount: "abc" is not a number',
      source: { Email: 'user7@example.com', Name: 'User 7, Jr.', Amount: 'abc', Active: 'yes' },
      mapped: { email: 'user7@example.com', name: 'User 7, Jr.', amount: 'abc', active: true },
    });

    const records = await store.listWorkspaceRecords(object, { limit: 1000 });
    expect(records.total).toBe(kept.length);
    const first = records.items.find((r) => r.key === 'user1@example.com');
    expect(first?.values).toEqual({ email: 'user1@example.com', name: 'User 1, Jr.', amount: 1.5, active: true });
    expect(records.items.some((r) => r.key === 'user3@example.com')).toBe(false); // filtered out
  });

  it('ends a clean run as completed', async () => {
    const rows = Array.from({ length: 100 }, (_, k) => ({ email: `c${k}@example.com`, name: `C ${k}`, amount: String(k), active: 'true' }));
    const fileId = await saveCsvFile(store, dir, customersCsv(rows));
    const { runId, versionId } = await publishAndCreateRun(store, customersGraph({ fileId, object: 'customers_b' }));
    const result = await runToEnd(runId, versionId);
    expect(result).toEqual({ runId, status: 'completed', steps: { source: 'completed', map: 'completed', target: 'completed' }, error: null });
    const run = await store.getRun(runId);
    expect(run?.status).toBe('completed');
    expect(run?.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
    expect((await stepOf(runId, 'target')).counts).toMatchObject({ written: 100, created: 100, rejected: 0 });
    expect((await store.listWorkspaceRecords('customers_b')).total).toBe(100);

    // Starting the same run again is harmless: same workflow, no second execution.
    expect(await launcher.start({ runId, versionId })).toEqual({ workflowId: `run-${runId}` });
  });

  it('fails a run whose file is missing, with a message a person can act on', async () => {
    const fileId = await saveCsvFile(store, dir, customersCsv([{ email: 'x@example.com', name: 'X', amount: '1', active: 'yes' }]), {
      name: 'gone.csv',
      missing: true,
    });
    const { runId, versionId } = await publishAndCreateRun(store, customersGraph({ fileId, fileName: 'gone.csv', object: 'customers_c' }));
    const started = Date.now();
    const result = await runToEnd(runId, versionId);
    expect(Date.now() - started).toBeLessThan(10_000); // not retried: a missing file stays missing
    const message = 'The file "gone.csv" used by Customers CSV is missing (it may have been deleted). Upload it again and publish.';
    expect(result).toMatchObject({ status: 'failed', error: message });
    const run = await store.getRun(runId);
    expect(run?.status).toBe('failed');
    expect(run?.error).toBe(message);
    expect(run?.steps.map((s) => [s.nodeId, s.status, s.error])).toEqual([
      ['source', 'failed', message],
      ['map', 'failed', message],
      ['target', 'failed', message],
    ]);
  });

  it('fails a run whose version does not exist', async () => {
    const fileId = await saveCsvFile(store, dir, customersCsv([{ email: 'y@example.com', name: 'Y', amount: '1', active: 'yes' }]));
    const { runId } = await publishAndCreateRun(store, customersGraph({ fileId, object: 'customers_d' }));
    const result = await runToEnd(runId, 'ver_does_not_exist');
    expect(result).toMatchObject({ status: 'failed', error: 'Integration version ver_does_not_exist no longer exists.' });
    expect((await store.getRun(runId))?.status).toBe('failed');
  });

  it('fails one pipeline after its retries and still runs the others', async () => {
    const good = await saveCsvFile(store, dir, customersCsv([{ email: 'ok@example.com', name: 'Ok', amount: '1', active: 'yes' }]));
    const gone = await saveCsvFile(store, dir, customersCsv([{ email: 'no@example.com', name: 'No', amount: '1', active: 'yes' }]), { missing: true });
    const graph = together(['a-', customersGraph({ fileId: good, object: 'customers_e' })], ['b-', customersGraph({ fileId: gone, fileName: 'b.csv', object: 'customers_f' })]);
    const { runId, versionId } = await publishAndCreateRun(store, graph);
    const result = await runToEnd(runId, versionId);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^The file "b.csv" used by Customers CSV is missing/);
    const run = await store.getRun(runId);
    expect(Object.fromEntries(run?.steps.map((s) => [s.nodeId, s.status]) ?? [])).toEqual({
      'a-source': 'completed',
      'a-map': 'completed',
      'a-target': 'completed',
      'b-source': 'failed',
      'b-map': 'failed',
      'b-target': 'failed',
    });
    expect((await store.listWorkspaceRecords('customers_e')).total).toBe(1);
  });

  it('counts a source shared by two pipelines once', async () => {
    const rows = Array.from({ length: 90 }, (_, k) => ({ email: `s${k}@example.com`, name: `S ${k}`, amount: k === 5 ? 'bad' : String(k), active: 'yes' }));
    const fileId = await saveCsvFile(store, dir, `${customersCsv(rows)}broken,line\n`);
    const base = customersGraph({ fileId, object: 'customers_g' });
    const source = base.nodes[0];
    const map = base.nodes[1];
    const target = base.nodes[2];
    if (!source || !map || !target) throw new Error('unexpected graph');
    const graph: Graph = {
      version: 1,
      nodes: [source, map, target, { ...map, id: 'map2' }, { ...target, id: 'target2', config: { object: 'customers_h', mode: 'upsert' } }],
      edges: [
        { id: 'e1', source: 'source', target: 'map' },
        { id: 'e2', source: 'map', target: 'target' },
        { id: 'e3', source: 'source', target: 'map2' },
        { id: 'e4', source: 'map2', target: 'target2' },
      ],
    };
    const { runId, versionId } = await publishAndCreateRun(store, graph);
    const result = await runToEnd(runId, versionId);
    expect(result.status).toBe('completed_with_errors');
    expect((await stepOf(runId, 'source')).counts).toMatchObject({ read: 91, written: 90, rejected: 1 });
    for (const [m, t] of [['map', 'target'], ['map2', 'target2']] as const) {
      expect(await stepOf(runId, m)).toMatchObject({ status: 'completed_with_errors', counts: { read: 90, written: 89, rejected: 1 } });
      expect(await stepOf(runId, t)).toMatchObject({ status: 'completed', counts: { read: 89, created: 89 } });
    }
    expect((await store.listRejected(runId)).total).toBe(3);
  });
});
