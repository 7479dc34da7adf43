// Cancel and parameters on the real Temporal dev server, with real activities over an in-memory PGlite store: a slow
// pipeline cancelled mid-run keeps exactly its committed batches, and a declared parameter reaches PARAM in a run.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../runtime/activities';
import { openStore } from '../runtime/store';
import type { Store } from '../runtime/store/types';
import { type RunLauncher } from '../runtime/temporal/client';
import { customersCsv, customersGraph, FAST_PIPELINE, publishAndCreateRun, openTemporalRig, quietTemporalLogs, saveCsvFile, type TemporalRig } from '../test/support/temporal-harness';
import type { Graph } from '../shared/graph/schema';
import { testConnections } from '../test/support/connections';
import type { SyncIntegrationResult } from './sync-integration';

const BATCH = 10;
const ROWS = 300;

let store: Store;
let dir: string;
let rig: TemporalRig;
let client: Client;
let launcher: RunLauncher;

quietTemporalLogs('ERROR');

beforeAll(async () => {
  store = await openStore({ memory: true });
  dir = await mkdtemp(join(tmpdir(), 'weft-cancel-'));
  rig = await openTemporalRig(inject('temporalAddress'));
  client = rig.client;
  // A slow pipeline: 30 batches of 10 rows, 150 ms after each commit, so a cancel lands mid-run.
  launcher = await rig.worker(createActivities({ store, sessions: testConnections(store), batchSize: BATCH, batchDelayMs: 150 }), FAST_PIPELINE);
});

afterAll(async () => {
  await rig?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ email: `p${i}@x.io`, name: `Person ${i}`, amount: String(i), active: 'true' }));

async function until(check: () => Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting');
}

describe('cancel a run in progress', () => {
  it('ends Cancelled with exactly the committed batches written, and counts that match the target', async () => {
    const object = `cancel_${randomUUID().slice(0, 8)}`;
    const fileId = await saveCsvFile(store, dir, customersCsv(rows(ROWS)));
    const { runId, versionId } = await publishAndCreateRun(store, customersGraph({ fileId, object }));
    const version = await store.getVersion(versionId);
    const pipelineId = version!.plan.pipelines[0]!.id;
    const { workflowId } = await launcher.start({ runId, versionId });

    await until(async () => (await store.getCheckpoint(runId, pipelineId)).batch >= 3);
    await launcher.cancel!(workflowId);
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
    const records = await store.listWorkspaceRecords(object, { limit: 1 });
    expect(run?.status).toBe('cancelled');
    expect(run?.error).toBeNull();
    expect(batch).toBeGreaterThanOrEqual(3);
    expect(batch).toBeLessThan(ROWS / BATCH);
    // Nothing half-written: the target holds whole batches, exactly those committed, and the run counts them.
    expect(records.total).toBe(batch * BATCH);
    expect(run?.counts).toMatchObject({ read: batch * BATCH, written: batch * BATCH, created: batch * BATCH, rejected: 0 });
    expect(run?.steps.every((s) => s.status === 'cancelled')).toBe(true);
    // Later, nothing more arrives: the pipeline had stopped before the run said Cancelled.
    await new Promise((r) => setTimeout(r, 600));
    expect((await store.listWorkspaceRecords(object, { limit: 1 })).total).toBe(batch * BATCH);
    expect((await store.getRun(runId))?.counts.written).toBe(batch * BATCH);
  });
});

describe('parameters in a run', () => {
  it('carries the run\'s parameters in the workflow input, and PARAM reads them typed as declared', async () => {
    const object = `params_${randomUUID().slice(0, 8)}`;
    const fileId = await saveCsvFile(store, dir, customersCsv(rows(3)));
    const base = customersGraph({ fileId, object });
    const map = base.nodes.find((n) => n.kind === 'map')!;
    const graph: Graph = {
      ...base,
      parameters: [{ name: 'bonus', type: 'number', required: true }],
      nodes: base.nodes.map((n) =>
        n === map ? { ...n, config: { ...n.config, fields: [...(n.config.fields as unknown[]), { from: 'formula', target: 'Bonus', type: 'number', formula: 'PARAM("bonus") * 2' }] } } : n,
      ),
    };
    const { runId, versionId } = await publishAndCreateRun(store, graph);
    // The API stores the checked values on the run and passes them to the workflow; here only the workflow has them.
    const params = { bonus: 21 };
    const { workflowId } = await launcher.start({ runId, versionId, params });
    const handle = client.workflow.getHandle(workflowId);
    // What the workflow was started with, read back from its history.
    const history = await handle.fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    expect(JSON.parse(Buffer.from(started ?? new Uint8Array()).toString('utf8'))).toMatchObject({ runId, params });
    const result = (await handle.result()) as SyncIntegrationResult;
    expect(result.status).toBe('completed');
    const written = await store.listWorkspaceRecords(object, { limit: 10 });
    expect(written.items.map((r) => r.values.Bonus)).toEqual([42, 42, 42]);
  });
});
