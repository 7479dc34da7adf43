// The one place where Weft is wired: store, Temporal (embedded dev server or a cluster), worker, API and SPA,
// each present or not by role (WEFT_ROLE=all|api|worker). `npm start` and `npm run worker` both come through here.
import { mkdir } from 'node:fs/promises';
import { createWebhookDrainer } from './temporal/webhooks';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities } from './activities';
import { createAlerts } from './alerts';
import { createDeliverer } from './alerts/deliver';
import { addressGuardFromEnv } from './net';
import { createApi } from './api/app';
import { recordAllSkips, withdrawSchedule } from './api/schedules';
import { ensureFirstOwner, hashOwnerPasswordAhead } from './auth/first-owner';
import type { Config } from './config';
import { connectorLookup, createConnectionService, secretBox } from './connections';
import { CONNECTOR_LIST } from './connectors';
import { loadSecretKey, parseKey } from './secrets';
import { openStore } from './store';
import { MIGRATIONS } from './store/migrations';
import { createPgliteDatabase, startPgliteProcess } from './store/pglite-process';
import { createRunLauncher, launcherClient } from './temporal/client';
import { createScheduleKeeper } from './temporal/schedules';
import { createSetEngine } from './temporal/sets';
import { CollapsingLogger } from './temporal/collapsing-logger';
import { startEmbeddedTemporal } from './temporal/embedded';
import { defaultPartsInFlight } from './activities/part-gate';
import { createWorker } from './temporal/worker';
import { workflowBundlePath } from './temporal/bundle';
import { fileStorageFor } from './files/storage';
import { startIdleCollector } from './idle-gc';

/** How long health and run start wait for Temporal before answering 503. */
export const TEMPORAL_DEADLINE_MS = 2_000;

/** Settings a role cannot work without, as sentences a person can act on; empty when the config is usable. */
export function roleProblems(config: Pick<Config, 'role' | 'temporalAddress' | 'databaseUrl'>): string[] {
  const problems: string[] = [];
  if (config.role === 'worker' && !config.temporalAddress) {
    problems.push(
      'TEMPORAL_ADDRESS is not set. `npm run worker` (WEFT_ROLE=worker) joins a running Temporal cluster (e.g. TEMPORAL_ADDRESS=127.0.0.1:7233); `npm start` alone runs an embedded server with its own worker.',
    );
  }
  if (config.role !== 'all' && !config.databaseUrl) {
    problems.push(
      `DATABASE_URL is not set. WEFT_ROLE=${config.role} splits Weft over processes that must share one Postgres database: the embedded PGlite store lives inside one process and cannot be shared.`,
    );
  }
  return problems;
}

/**
 * The start's one-shot processes that hold the most memory, one after the other and before the Temporal dev server and
 * the store process start (issue 16's first-start peak): the store's database, the owner's hash when the database is
 * new, the workflow bundle when its sources changed. Each is a no-op when there is nothing to make.
 */
export async function oneShotStepsFirst(steps: {
  createDatabase: () => Promise<boolean>;
  hashOwner: () => Promise<string | undefined>;
  bundle: (() => Promise<unknown>) | null;
}): Promise<{ created: boolean; ownerHash: string | undefined }> {
  const created = await steps.createDatabase();
  const ownerHash = created ? await steps.hashOwner() : undefined;
  await steps.bundle?.();
  return { created, ownerHash };
}

export async function startWeft(config: Config): Promise<void> {
  const role = config.role;
  const log = (message: string) => console.log(`${role === 'worker' ? '[worker]' : '[weft]'} ${message}`);
  const problems = roleProblems(config);
  if (problems.length > 0) {
    for (const p of problems) console.error(`${role === 'worker' ? '[worker]' : '[weft]'} ${p}`);
    process.exit(2);
  }
  // Core's own logs are forwarded to one logger that collapses repeats: an outage prints a summary a minute, not a flood.
  Runtime.install({
    logger: new CollapsingLogger({ level: config.temporalLogLevel }),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  });
  if (role !== 'worker') await mkdir(config.dataDir, { recursive: true });
  const cleanups: (() => Promise<unknown>)[] = [];
  let stopping = false;
  const stop = async (code: number, why?: string) => {
    if (stopping) return;
    stopping = true;
    log(why ?? 'Stopping…');
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err: unknown) => console.error('[weft] while stopping:', err));
    }
    log(role === 'worker' ? 'stopped.' : 'Stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0, role === 'worker' ? 'SIGINT: finishing in-flight tasks, then stopping…' : undefined));
  process.on('SIGTERM', () => void stop(0, role === 'worker' ? 'SIGTERM: finishing in-flight tasks, then stopping…' : undefined));

  try {
    if (role !== 'worker' && config.webBuild === 'auto') {
      const { ensureWebBuild } = await import('./web-build');
      await ensureWebBuild(config.projectDir, config.webDist, log);
    }

    const { ownerHash } = await oneShotStepsFirst({
      // A first start creates the store's database (a one-shot process of ~260 MB) before the Temporal dev server
      // starts: the two at once were the first start's peak, ~500 MB with Weft's own process (docs/backlog.md, start16).
      createDatabase: async () => !config.databaseUrl && (await createPgliteDatabase({ dataDir: config.dataDir, log })),
      // A new database has no account: WEFT_OWNER_PASSWORD's hash (~0.2 s; 128 MiB when start16 measured it, 16 MiB since) is made now, while Weft is the
      // only process, rather than when the dev server and the store process run too (the next peak, ~490 MB).
      hashOwner: () => (role !== 'worker' ? hashOwnerPasswordAhead(config.ownerEmail, config.ownerPassword) : Promise.resolve(undefined)),
      // The workflow bundle, when its sources changed (a fresh clone, an upgrade): a one-shot webpack process of ~200 MB.
      // Built later by the worker, it ran beside the dev server and the store: 556 MB on a fresh clone's first start.
      bundle: role !== 'api' ? () => workflowBundlePath() : null,
    });

    let address = config.temporalAddress;
    let embedded: Awaited<ReturnType<typeof startEmbeddedTemporal>> | null = null;
    if (!address) {
      log('Starting the embedded Temporal dev server…');
      embedded = await startEmbeddedTemporal({ dataDir: config.dataDir, port: config.temporalPort, uiPort: config.temporalUiPort, projectDir: config.projectDir, log });
      const server = embedded;
      cleanups.push(() => server.stop());
      address = server.address;
      log(`Temporal is up at ${address} (UI http://${server.uiAddress}${server.origin() === 'adopted' ? `, adopted pid ${server.pid()}` : ''})`);
    }

    // Before the store opens: a malformed WEFT_SECRET_KEY stops the start with its own message.
    let secretKey: Buffer | null = null;
    if (role === 'worker') {
      // A worker never creates a key: it would differ from the API's, and no saved secret would open.
      if (config.secretKey) secretKey = parseKey(config.secretKey, 'WEFT_SECRET_KEY');
      else log('WEFT_SECRET_KEY is not set: runs that read a database through a saved connection will fail on this worker.');
    } else {
      const loaded = await loadSecretKey({ envKey: config.secretKey, dataDir: config.dataDir, warn: (m) => log(m) });
      log(loaded.source === 'env' ? 'Secrets key: WEFT_SECRET_KEY' : `Secrets key: ${join(config.dataDir, 'secret.key')}${loaded.source === 'created' ? ' (created)' : ''}`);
      secretKey = loaded.key;
    }

    // The embedded store runs PGlite in its own process (its ~150 MB of WebAssembly stays out of the API and the
    // worker), reached through a Unix socket in the data folder with the same pg pool as a DATABASE_URL Postgres.
    let storeProcess: Awaited<ReturnType<typeof startPgliteProcess>> | null = null;
    if (!config.databaseUrl) {
      storeProcess = await startPgliteProcess({ dataDir: config.dataDir, log });
      const started = storeProcess;
      cleanups.push(() => started.stop());
    }
    const openTheStore = () => openStore({ dataDir: config.dataDir, databaseUrl: storeProcess?.url ?? config.databaseUrl, engine: storeProcess ? 'pglite' : 'postgres', migrate: false });
    let store = await openTheStore();
    // With the key: a migration sealing values kept in clear needs it (a worker without one leaves those to the API).
    const applied = await store.migrate({ secrets: secretKey ? secretBox(secretKey) : null });
    // Only schema statements grow it: the sealing steps a new database's template left to this start (33, 35) read a
    // few rows, not worth a second process.
    const grew = applied.some((v) => (MIGRATIONS.find((m) => m.version === v)?.statements.length ?? 0) > 0);
    if (storeProcess && grew) {
      // Migrations (a first start, an upgrade) grow the store process's WebAssembly memory for good: a fresh process
      // on the migrated database idles ~20–40 MB lower, for ~1 s once.
      await store.close();
      await storeProcess.recycle();
      store = await openTheStore();
    }
    const opened = store;
    cleanups.push(() => opened.close());
    if (role !== 'worker') log(`Store: ${storeProcess ? `PGlite in ${config.dataDir} (store process pid ${storeProcess.pid()})` : 'Postgres (DATABASE_URL)'}`);
    if (role !== 'worker') {
      const owner = await ensureFirstOwner(store, config.ownerEmail, config.ownerPassword, ownerHash);
      if (owner.created) log(`Created the owner account ${owner.email} (WEFT_OWNER_EMAIL)`);
      else if (owner.reason === 'exists' && config.ownerEmail) log('WEFT_OWNER_EMAIL is set but accounts exist already; it was not used');
      else if ((await store.auth.countUsers()) === 0) log(`No account yet: open ${config.publicUrl} to create the owner`);
    }
    // Uploaded files: a bucket (WEFT_FILES_URL) or the local folder; readers find either by the file's location.
    const files = fileStorageFor(config.filesUrl, config.filesDir, config.s3);
    if (role !== 'worker') log(`Files: ${files.kind === 's3' ? config.filesUrl : config.filesDir}`);
    if (role !== 'worker' && config.seed) {
      const { seedDemo } = await import('./seed');
      const seeded = await seedDemo(store, { dataDir: config.dataDir, filesDir: config.filesDir, files });
      if (seeded) log('Seeded the demo integration.');
    }

    // The one door to connectors, for the API and the worker alike: the only holder of the key. Without a key (a
    // worker started without WEFT_SECRET_KEY) it still opens Weft's own stores and refuses saved connections in words.
    const connections = createConnectionService({ store, secretKey, connectors: connectorLookup(CONNECTOR_LIST), context: { store, filesDir: config.filesDir, files } });

    // Alerts are evaluated by the worker when a run ends; deliveries retry in the background of that process.
    const deliverer = createDeliverer({ smtpUrl: config.smtpUrl, smtpFrom: config.smtpFrom, guard: addressGuardFromEnv() });
    cleanups.push(async () => {
      await Promise.race([deliverer.drain(), new Promise((r) => setTimeout(r, 5_000).unref())]);
      deliverer.close();
    });

    // One client for the API and for the worker's alerts (auto-disable pauses the integration's Temporal Schedule).
    const connection = await Connection.connect({ address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: config.temporalNamespace });
    const schedules = createScheduleKeeper({ client, taskQueue: config.taskQueue, deadlineMs: TEMPORAL_DEADLINE_MS });

    // The worker's connection; the API of the same process starts runs over it, so they can start eagerly on this worker.
    let workerConnection: NativeConnection | null = null;
    if (role !== 'api') {
      workerConnection = await NativeConnection.connect({ address });
      const worker = await createWorker({
        connection: workerConnection,
        namespace: config.temporalNamespace,
        taskQueue: config.taskQueue,
        // The parts queue's slots: the same budget the activities' gate holds (part-gate.ts).
        partsInFlight: config.maxPipelinesInFlight ?? defaultPartsInFlight(config.batchSize ?? 5_000),
        // WEFT_WORKFLOWS_ON_MAIN_THREAD: `npm start`'s one process trades ~15–20 MB for slower bursts of runs.
        workflowsOnThisThread: role === 'all' && config.workflowsOnMainThread,
        activities: createActivities({
          store,
          sessions: connections,
          batchSize: config.batchSize,
          batchDelayMs: config.batchDelayMs,
          ...(config.maxPipelinesInFlight !== undefined && { maxPartsInFlight: config.maxPipelinesInFlight }),
          stageLog: config.stageLog,
          outageWindowMs: config.outageWindowMs,
          alerts: createAlerts({
            store,
            deliverer,
            publicUrl: config.publicUrl,
            secrets: connections,
            // After N consecutive failures: the schedule is paused too, and its pending time recorded as Scheduled but deleted.
            hooks: { pauseSchedule: async (integrationId, reason) => void (await withdrawSchedule(store, schedules, integrationId, reason)) },
          }),
        }),
      });
      const workerDone = worker.run();
      cleanups.push(async () => {
        // Temporal's runtime also listens for SIGINT/SIGTERM and may have begun the shutdown already.
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await workerDone.catch(() => undefined);
        await workerConnection?.close();
      });
      workerDone.catch((err: unknown) => {
        console.error(`[weft] the worker stopped: ${err instanceof Error ? err.message : String(err)}`);
        void stop(1);
      });
      if (role === 'worker') log(`ready: task queue "${config.taskQueue}" on ${address} (namespace ${config.temporalNamespace}), pid ${process.pid}`);
    }

    if (role !== 'worker') {
      const deadline = () => Date.now() + TEMPORAL_DEADLINE_MS;
      // Overlap skips are counted by Temporal; once a minute they become Skipped runs in sync history even when nobody
      // opens the page (reads record them too). Several API processes agree: the count moves conditionally.
      const sweep = setInterval(() => {
        void recordAllSkips(store, schedules).catch((err: unknown) => log(`Could not read the schedules' skips: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`));
      }, 60_000);
      sweep.unref();
      cleanups.push(async () => clearInterval(sweep));
      // Inbound webhooks: each stored request signals its integration's drain; requests a signal missed (Temporal was
      // down) are picked up by this sweep, which also forgets replay digests past the window.
      const webhookDrain = createWebhookDrainer({ client, taskQueue: config.taskQueue, log });
      const webhookSweep = setInterval(() => {
        void webhookDrain.sweep(store).catch((err: unknown) => log(`Could not sweep the webhook queues: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`));
      }, 30_000);
      webhookSweep.unref();
      cleanups.push(async () => clearInterval(webhookSweep));
      const app = createApi({
        store,
        webhookDrain,
        ...(config.webhookMaxBytes && { webhookMaxBytes: config.webhookMaxBytes }),
        launcher: createRunLauncher({ client: launcherClient({ client, workerConnection }), taskQueue: config.taskQueue, deadlineMs: TEMPORAL_DEADLINE_MS }),
        schedules,
        sets: createSetEngine({ client, taskQueue: config.taskQueue, deadlineMs: TEMPORAL_DEADLINE_MS }),
        filesDir: config.filesDir,
        files,
        maxUploadBytes: config.maxUploadBytes,
        connections,
        publicUrl: config.publicUrl,
        emailConfigured: deliverer.emailConfigured,
        temporalHealthDeadlineMs: TEMPORAL_DEADLINE_MS,
        temporalHealth: async () => {
          // The supervisor knows first: no need to wait for a deadline while it is restarting the server.
          if (embedded?.state() === 'restarting') return { up: false, message: 'The embedded Temporal dev server stopped and is being restarted.' };
          await connection.withDeadline(deadline(), () => connection.healthService.check({}));
          return { up: true };
        },
      });
      const { mountSpa } = await import('./static');
      mountSpa(app, config.webDist);

      const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host });
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            setTimeout(resolve, 2_000).unref();
          }),
      );
      const listening = config.publicUrl === `http://${config.host}:${config.port}` ? '' : ` (listening on ${config.host}:${config.port})`;
      log(`Weft is ready at ${config.publicUrl}${listening}${role === 'api' ? ' (API only: runs need `npm run worker` processes)' : ''}`);
    }

    // What the start left behind (and, later, an upload's or a preview's) goes back once the process is quiet.
    const collector = startIdleCollector();
    cleanups.push(async () => collector.stop());

    if (config.memoryLog) {
      const mb = (n: number) => Math.round(n / 1048576);
      setInterval(() => {
        const m = process.memoryUsage();
        log(`memory rss ${mb(m.rss)} heapUsed ${mb(m.heapUsed)} heapTotal ${mb(m.heapTotal)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)}`);
      }, 1000).unref();
    }
  } catch (err) {
    console.error(`${role === 'worker' ? '[worker]' : '[weft]'} could not start: ${err instanceof Error ? err.message : String(err)}`);
    await stop(1);
  }
}
