// The set-up the Temporal integration tests that build their own API share (test/integration: cancel-before-start,
// api-sets, api-schedules, ops-outsider): a store, a scratch folder, a client and one worker on a task queue of its own.
// test/support/api-rig.ts is the whole API built for a test instead.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { createActivities } from '../../runtime/activities';
import type { ConnectionService } from '../../runtime/connections';
import { openStore } from '../../runtime/store';
import type { Store } from '../../runtime/store/types';
import { createWorker } from '../../runtime/temporal/worker';
import { testConnections } from './connections';
import { connectClient } from './temporal-harness';

/** What a bench's worker activities are built over. */
export interface WorkerBenchParts {
  /** In memory. */
  store: Store;
  client: Client;
  /** `<name>-<uuid>`: the bench's worker polls it. */
  taskQueue: string;
  /** `files/` in the scratch folder, made. */
  filesDir: string;
  /** One connection service over the store and `filesDir`, for the worker and the API, as runtime/wiring.ts builds it. */
  sessions: ConnectionService;
}

export interface WorkerBench extends WorkerBenchParts {
  /** The scratch folder, `weft-<name>-…`. */
  dir: string;
  /** Deletes these Temporal Schedules (one already gone is skipped), stops the worker, closes the rest, removes `dir`. */
  close(scheduleIds?: Iterable<string>): Promise<void>;
}

/** `activities`: the worker's, built as the test needs them (a watched store, alerts, small batches). */
export async function openWorkerBench(opts: { address: string; name: string; activities: (parts: WorkerBenchParts) => ReturnType<typeof createActivities> }): Promise<WorkerBench> {
  const taskQueue = `${opts.name}-${randomUUID()}`;
  const store = await openStore({ memory: true });
  const dir = await mkdtemp(join(tmpdir(), `weft-${opts.name}-`));
  const filesDir = join(dir, 'files');
  await mkdir(filesDir, { recursive: true });
  const { client, close: closeClient } = await connectClient(opts.address);
  const connection = await NativeConnection.connect({ address: opts.address });
  const parts: WorkerBenchParts = { store, client, taskQueue, filesDir, sessions: testConnections(store, { filesDir }) };
  const worker = await createWorker({ connection, taskQueue, activities: opts.activities(parts) });
  const running = worker.run();
  return {
    ...parts,
    dir,
    async close(scheduleIds = []) {
      for (const id of scheduleIds) await client.schedule.getHandle(id).delete().catch(() => undefined);
      worker.shutdown();
      await running;
      await connection.close();
      await closeClient();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
