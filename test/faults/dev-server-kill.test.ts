// FAULT: the embedded Temporal dev server is killed mid-run. Weft's supervisor starts it again on the same ports and
// database; the worker and the client reconnect, and the run finishes with every row written exactly once.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../runtime/activities';
import { openStore } from '../../runtime/store';
import type { Store } from '../../runtime/store/types';
import { createRunLauncher } from '../../runtime/temporal/client';
import { freePort } from '../../runtime/temporal/dev-server';
import { startEmbeddedTemporal, type EmbeddedTemporal } from '../../runtime/temporal/embedded';
import { connectClient, customersGraph, FAST_PIPELINE, publishAndCreateRun, quietTemporalLogs, saveCsvFile } from '../support/temporal-harness';
import { createWorker } from '../../runtime/temporal/worker';
import { customerRows, customersCsvOf, expectWorkspaceExactlyOnce, tempDir, waitFor } from './support';
import { testConnections } from '../support/connections';

quietTemporalLogs('ERROR');

describe('the embedded dev server killed mid-run', () => {
  let dir: { path: string; remove(): Promise<void> };
  let store: Store;
  let temporal: EmbeddedTemporal | null = null;

  beforeAll(async () => {
    dir = await tempDir('weft-devkill-');
    store = await openStore({ memory: true });
  });
  afterAll(async () => {
    await temporal?.stop();
    await store?.close();
    await dir?.remove();
  });

  it('is restarted by the supervisor, and the run finishes with every row once', async () => {
    const lines: string[] = [];
    temporal = await startEmbeddedTemporal({ dataDir: join(dir.path, 'data'), port: await freePort(), uiPort: await freePort(), log: (m) => lines.push(m), backoff: { initialMs: 300, maxMs: 2_000 } });
    const N = 600;
    const fileId = await saveCsvFile(store, dir.path, customersCsvOf(customerRows(N)));
    const object = 'devkill_customers';
    const { runId, versionId } = await publishAndCreateRun(store, customersGraph({ fileId, object }));

    const taskQueue = `devkill-${randomUUID()}`;
    const connection = await NativeConnection.connect({ address: temporal.address });
    const worker = await createWorker({ connection, taskQueue, activities: createActivities({ store, sessions: testConnections(store), batchSize: 20, batchDelayMs: 100 }) });
    const running = worker.run();
    const { client, close } = await connectClient(temporal.address);
    try {
      const { workflowId } = await createRunLauncher({ client, taskQueue, pipeline: FAST_PIPELINE }).start({ runId, versionId });
      await waitFor('3 committed batches', async () => (await store.getCheckpoint(runId, 'p-target')).batch >= 3);
      const killed = temporal.pid();
      process.kill(killed, 'SIGKILL');
      await waitFor('the restarted dev server', async () => temporal?.restarts() === 1 && temporal.state() === 'up', 60_000);
      expect(temporal.pid()).not.toBe(killed);
      // The run was not finished when the server died.
      expect((await store.getCheckpoint(runId, 'p-target')).batch).toBeLessThan(N / 20);

      const result = (await client.workflow.getHandle(workflowId).result()) as { status: string };
      expect(result.status).toBe('completed');
      const run = await store.getRun(runId);
      expect(run?.status).toBe('completed');
      expect(run?.counts).toEqual({ read: N, written: N, created: N, updated: 0, unchanged: 0, rejected: 0 });
      expect(run?.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
      const records = await store.listWorkspaceRecords(object, { limit: N + 10 });
      expect(records.total).toBe(N);
      expectWorkspaceExactlyOnce(records.items, N);
      expect(lines.join('\n')).toMatch(/stopped: it was killed by SIGKILL[\s\S]*Temporal is back/);
    } finally {
      worker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
      await close();
    }
  }, 180_000);
});
