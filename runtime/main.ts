// The one place where Weft is wired: store, Temporal (embedded dev server or a cluster), worker, API and SPA.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities } from './activities';
import { createApi } from './api/app';
import { ensureFirstOwner } from './auth/first-owner';
import { loadConfig } from './config';
import { createConnectionService } from './connections';
import { CONNECTOR_LIST, getConnector } from './connectors';
import { seedDemo } from './seed';
import { mountSpa } from './static';
import { createCipher, loadSecretKey } from './secrets';
import { openStore } from './store';
import { createRunLauncher } from './temporal/client';
import { startDevServer } from './temporal/dev-server';
import { createWorker } from './temporal/worker';
import { ensureWebBuild } from './web-build';

const log = (message: string) => console.log(`[weft] ${message}`);

async function main() {
  const config = loadConfig();
  // Temporal's worker logs state changes at INFO; Weft prints its own progress, so only warnings pass.
  Runtime.install({ logger: new DefaultLogger(process.env.WEFT_TEMPORAL_LOG_LEVEL === 'INFO' ? 'INFO' : 'WARN') });
  await mkdir(config.dataDir, { recursive: true });
  const cleanups: (() => Promise<unknown>)[] = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('Stopping…');
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err: unknown) => console.error('[weft] while stopping:', err));
    }
    log('Stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    await ensureWebBuild(config.projectDir, config.webDist, log);

    let address = config.temporalAddress;
    if (!address) {
      log('Starting the embedded Temporal dev server…');
      const server = await startDevServer({
        dbFile: join(config.dataDir, 'temporal.db'),
        port: config.temporalPort,
        uiPort: config.temporalUiPort,
        projectDir: config.projectDir,
      });
      cleanups.push(() => server.stop());
      address = server.address;
      log(`Temporal is up at ${address} (UI http://${server.uiAddress})`);
    }

    // Before the store opens: a malformed WEFT_SECRET_KEY stops the start with its own message.
    const secretKey = await loadSecretKey({ envKey: config.secretKey, dataDir: config.dataDir, warn: (m) => log(m) });
    log(secretKey.source === 'env' ? 'Secrets key: WEFT_SECRET_KEY' : `Secrets key: ${join(config.dataDir, 'secret.key')}${secretKey.source === 'created' ? ' (created)' : ''}`);
    const cipher = createCipher(secretKey.key);

    const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
    cleanups.push(() => store.close());
    await store.migrate();
    log(`Store: ${store.engine === 'postgres' ? 'Postgres (DATABASE_URL)' : `PGlite in ${config.dataDir}`}`);
    const owner = await ensureFirstOwner(store, config.ownerEmail, config.ownerPassword);
    if (owner.created) log(`Created the owner account ${owner.email} (WEFT_OWNER_EMAIL)`);
    else if (owner.reason === 'exists' && config.ownerEmail) log('WEFT_OWNER_EMAIL is set but accounts exist already; it was not used');
    else if ((await store.auth.countUsers()) === 0) log(`No account yet: open ${config.publicUrl} to create the owner`);
    if (config.seed) {
      const seeded = await seedDemo(store, { dataDir: config.dataDir, filesDir: config.filesDir });
      if (seeded) log('Seeded the demo integration.');
    }

    const connectors = { list: () => CONNECTOR_LIST, get: (id: string) => getConnector(id) };
    const connections = createConnectionService({ store, cipher, connectors, context: { store, filesDir: config.filesDir } });

    const workerConnection = await NativeConnection.connect({ address });
    const worker = await createWorker({
      connection: workerConnection,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      activities: createActivities({ store, openConnection: (id) => connections.open(id) }),
    });
    const workerDone = worker.run();
    cleanups.push(async () => {
      // Temporal's runtime also listens for SIGINT/SIGTERM and may have begun the shutdown already.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerDone;
      await workerConnection.close();
    });

    const connection = await Connection.connect({ address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: config.temporalNamespace });
    const app = createApi({
      store,
      launcher: createRunLauncher({ client, taskQueue: config.taskQueue }),
      filesDir: config.filesDir,
      maxUploadBytes: config.maxUploadBytes,
      connectors,
      cipher,
      publicUrl: config.publicUrl,
      temporalHealth: async () => {
        await connection.healthService.check({});
        return true;
      },
    });
    mountSpa(app, config.webDist);

    const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          setTimeout(resolve, 2_000).unref();
        }),
    );
    log(`Weft is ready at ${config.publicUrl}${config.publicUrl === `http://${config.host}:${config.port}` ? "" : ` (listening on ${config.host}:${config.port})`}`);
    workerDone.catch((err: unknown) => {
      console.error('[weft] the worker stopped:', err);
      void stop(1);
    });
  } catch (err) {
    console.error('[weft] could not start:', err instanceof Error ? err.message : err);
    await stop(1);
  }
}

void main();
