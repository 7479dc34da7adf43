// FAULT: Weft's own store (a DATABASE_URL Postgres) goes away mid-run. The pipeline waits it out like a target's
// outage, heartbeating what it waits for, and finishes once the store is back, with every record in the workspace
// object exactly once (one write per record) and the run's counts right.
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { createActivities } from '../../runtime/activities';
import { openStore } from '../../runtime/store';
import type { Store } from '../../runtime/store/types';
import { customersGraph, FAST_PIPELINE, openTemporalRig, publishAndCreateRun, quietTemporalLogs, saveCsvFile, type TemporalRig } from '../support/temporal-harness';
import { testConnections } from '../support/connections';
import { pgClusterUnavailable, startPgCluster, type PgCluster } from '../support/pg-cluster';
import { customerRows, customersCsvOf, expectWorkspaceExactlyOnce, tempDir, waitFor } from './support';

quietTemporalLogs('ERROR');
const unavailable = pgClusterUnavailable();
if (unavailable) console.warn(`store outage fault test skipped: ${unavailable}`);

/** How long the store is down: longer than the activity's 2 s heartbeat timeout and Temporal's quick retries. */
const STORE_OUTAGE_MS = 20_000;

interface HeartbeatOutage {
  nodeId: string;
  failures: number;
  system?: string;
}

describe.skipIf(!!unavailable)('a Postgres store that goes away mid-run', () => {
  let cluster: PgCluster;
  let store: Store;
  let rig: TemporalRig;
  let dir: { path: string; remove(): Promise<void> };

  beforeAll(async () => {
    cluster = await startPgCluster({ database: 'weft_store_outage', user: 'weft_store' });
    dir = await tempDir('weft-store-outage-');
    const url = `postgres://${cluster.user}:${encodeURIComponent(cluster.password)}@${cluster.host}:${cluster.port}/${cluster.database}`;
    store = await openStore({ dataDir: dir.path, databaseUrl: url });
    rig = await openTemporalRig(inject('temporalAddress'));
  });
  afterAll(async () => {
    await rig?.close();
    await store?.close().catch(() => undefined);
    await cluster?.stop();
    await dir?.remove();
  });

  it(`waits out a ${STORE_OUTAGE_MS / 1000} s store outage and writes every record exactly once`, async () => {
    const N = 3_000;
    const object = 'store_outage_customers';
    const fileId = await saveCsvFile(store, dir.path, customersCsvOf(customerRows(N)));
    const activities = createActivities({ store, sessions: testConnections(store), batchSize: 100, batchDelayMs: 100, outageBackoff: { initialMs: 500, maxMs: 3_000 } });
    const launcher = await rig.worker(activities, FAST_PIPELINE);
    const { runId, versionId } = await publishAndCreateRun(store, customersGraph({ fileId, object }), 'Store outage');
    const { workflowId } = await launcher.start({ runId, versionId });
    const handle = rig.client.workflow.getHandle(workflowId);

    await waitFor('5 committed batches', async () => (await store.getCheckpoint(runId, 'p-target')).batch >= 5);
    const downAt = Date.now();
    await cluster.pause();

    // The store cannot hold the waiting state while it is down: the activity's heartbeat (Temporal's UI) does.
    const waiting = await waitFor(
      'the pipeline to heartbeat the outage it waits out',
      async () => {
        const { raw } = await handle.describe();
        for (const activity of raw.pendingActivities ?? []) {
          const payload = activity.heartbeatDetails?.payloads?.[0];
          if (!payload) continue;
          const outage = defaultPayloadConverter.fromPayload<{ outage?: HeartbeatOutage }>(payload).outage;
          if (outage && outage.failures >= 2) return { outage, attempt: activity.attempt ?? 0 };
        }
        return null;
      },
      STORE_OUTAGE_MS,
    );
    expect(waiting.outage.nodeId).toBe('target');
    expect(waiting.outage.system).toMatch(/^Weft's store/);
    // Waited in the same attempt, not by Temporal's retries (5 at most for this rig).
    expect(waiting.attempt).toBe(1);
    const { status } = await handle.describe();
    expect(status.name).toBe('RUNNING');

    await new Promise((r) => setTimeout(r, Math.max(0, STORE_OUTAGE_MS - (Date.now() - downAt))));
    await cluster.resume();

    const result = (await handle.result()) as { status: string };
    expect(result.status).toBe('completed');
    const run = await store.getRun(runId);
    expect(run?.status).toBe('completed');
    const target = run?.steps.find((s) => s.nodeId === 'target');
    expect(target?.waiting).toBeUndefined();
    expect(target?.counts).toMatchObject({ read: N, written: N, created: N, updated: 0, rejected: 0 });
    expect(run?.steps.find((s) => s.nodeId === 'source')?.counts).toMatchObject({ read: N, written: N, rejected: 0 });

    const records: Awaited<ReturnType<Store['listWorkspaceRecords']>>['items'] = [];
    for (let offset = 0; offset < N + 1_000; offset += 1_000) records.push(...(await store.listWorkspaceRecords(object, { limit: 1_000, offset })).items);
    expectWorkspaceExactlyOnce(records, N);
    // Each record was written once: no batch was applied twice across the outage.
    const sql = new pg.Client({ host: cluster.host, port: cluster.port, database: cluster.database, user: cluster.user, password: cluster.password });
    await sql.connect();
    try {
      const { rows } = await sql.query<{ max: number; total: number }>(
        `SELECT max(write_count)::int AS max, count(*)::int AS total FROM workspace_records WHERE object_name = $1`,
        [object],
      );
      expect(rows[0]).toEqual({ max: 1, total: N });
    } finally {
      await sql.end();
    }
  }, STORE_OUTAGE_MS + 180_000);
});
