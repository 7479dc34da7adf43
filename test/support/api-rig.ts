// The whole API on a real worker: an in-memory store, a worker on its own task queue of the vitest run's Temporal
// dev server, and the Hono app, driven through app.request(). For the cross-part tests in test/integration/.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { RunDetail } from '../../shared';
import { createActivities } from '../../runtime/activities';
import type { AlertService } from '../../runtime/alerts';
import { createAddressGuard } from '../../runtime/net';
import { createApi } from '../../runtime/api/app';
import { openStore } from '../../runtime/store';
import type { Store } from '../../runtime/store/types';
import { createRunLauncher } from '../../runtime/temporal/client';
import { createWebhookDrainer, type WebhookDrainer } from '../../runtime/temporal/webhooks';
import { connectClient, quietTemporalLogs } from './temporal-harness';
import { createWorker } from '../../runtime/temporal/worker';
import { asOwner } from './signed-in';
import { testConnections } from './connections';
import type { ConnectionService, SessionOpener } from '../../runtime/connections';

export interface ApiRig {
  app: ReturnType<typeof createApi>;
  /** The same app without the owner's token: what another server sends (inbound webhooks). */
  anonymous: ReturnType<typeof createApi>;
  /** The webhook drain the API signals (runtime/temporal/webhooks.ts), on the rig's task queue. */
  webhookDrain: WebhookDrainer;
  store: Store;
  /** The run's detail once it has ended (completed, completed with errors or failed); throws after 30 s. */
  /** Polls the run until it ends (at most `timeoutMs`, default 30 s). */
  waitForEnd(runId: string, timeoutMs?: number): Promise<RunDetail>;
  close(): Promise<void>;
}

/** Request options for a JSON body. */
export const json = (method: string, body?: unknown) => ({ method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });

/** `alerts`: builds the alert service the worker's finishRun calls (runtime/alerts), over the rig's store. */
export async function openApiRig(opts: {
  address: string;
  name: string;
  batchSize: number;
  /** The alerts the worker evaluates; `secrets` is the rig's connection service (the API's key, as wiring.ts shares it). */
  alerts?: (store: Store, secrets: ConnectionService) => AlertService;
  publicUrl?: string;
  /** The store as the worker's activities see it (a test that fails commits wraps it). */
  activityStore?: (store: Store) => Store;
  /** The sessions as the worker's activities see them (a test that watches reads wraps them). */
  activitySessions?: (sessions: SessionOpener) => SessionOpener;
  /** The worker's cap on parts read at once (ActivityDeps.maxPartsInFlight). */
  maxPartsInFlight?: number;
}): Promise<ApiRig> {
  quietTemporalLogs();
  const taskQueue = `${opts.name}-${Date.now()}`;
  const dir = await mkdtemp(join(tmpdir(), `weft-${opts.name}-`));
  const store = await openStore({ memory: true });
  const workerConnection = await NativeConnection.connect({ address: opts.address });
  // One connection service for the worker and the API, as runtime/wiring.ts builds it.
  const connections = testConnections(store, { filesDir: join(dir, 'files') });
  const worker = await createWorker({ connection: workerConnection, taskQueue, ...(opts.maxPartsInFlight !== undefined && { partsInFlight: opts.maxPartsInFlight }), activities: createActivities({ store: opts.activityStore?.(store) ?? store, sessions: opts.activitySessions?.(connections) ?? connections, batchSize: opts.batchSize, alerts: opts.alerts?.(store, connections), ...(opts.maxPartsInFlight !== undefined && { maxPartsInFlight: opts.maxPartsInFlight }) }) });
  const workerDone = worker.run();
  const { client, close: closeClient } = await connectClient(opts.address);
  const webhookDrain = createWebhookDrainer({ client, taskQueue, log: () => undefined });
  const anonymous = createApi({
    store,
    webhookDrain,
    launcher: createRunLauncher({ client, taskQueue }),
    filesDir: join(dir, 'files'),
    maxUploadBytes: 1024 * 1024,
    ssePollMs: 100,
    connections,
    // The rig's alert receivers listen on 127.0.0.1, which the outbound-address guard refuses unless told.
    alertGuard: createAddressGuard({ allowPrivate: true }),
    ...(opts.publicUrl && { publicUrl: opts.publicUrl }),
  });
  const app = await asOwner(anonymous, store);
  return {
    app,
    anonymous,
    webhookDrain,
    store,
    async waitForEnd(runId, timeoutMs = 30_000) {
      for (let i = 0; i < timeoutMs / 100; i++) {
        const run = RunDetail.parse(await (await app.request(`/api/runs/${runId}`)).json());
        if (['completed', 'completed_with_errors', 'failed'].includes(run.status)) return run;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`run ${runId} did not finish in ${timeoutMs / 1000} s`);
    },
    async close() {
      await webhookDrain.idle();
      worker.shutdown();
      await workerDone;
      await workerConnection.close();
      await closeClient();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
