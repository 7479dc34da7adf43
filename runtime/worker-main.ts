// `npm run worker`: one more worker for a Temporal cluster, sharing the API's Postgres. Scale out by running more.
import { NativeConnection } from '@temporalio/worker';
import { z } from 'zod';
import { createActivities } from './activities';
import { createConnectionService } from './connections';
import { CONNECTOR_LIST, getConnector } from './connectors';
import { PlanError } from './executors';
import { createCipher, parseKey } from './secrets';
import { openStore } from './store';
import type { Store } from './store/types';
import { DEFAULT_TASK_QUEUE } from './temporal/client';
import { createWorker } from './temporal/worker';

const log = (message: string) => console.log(`[worker] ${message}`);

const Env = z.object({
  TEMPORAL_ADDRESS: z.string({
    error: 'TEMPORAL_ADDRESS is not set. `npm run worker` joins a running Temporal cluster (e.g. TEMPORAL_ADDRESS=127.0.0.1:7233); `npm start` alone runs an embedded server with its own worker.',
  }),
  DATABASE_URL: z.url({
    error: (issue) =>
      issue.input === undefined
        ? 'DATABASE_URL is not set. A separate worker must share the API\'s Postgres database: the embedded PGlite store lives inside one process and cannot be shared.'
        : 'DATABASE_URL is not a valid URL (e.g. postgres://user:password@host:5432/weft).',
  }),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  WEFT_TASK_QUEUE: z.string().default(DEFAULT_TASK_QUEUE),
  /** Rows per batch. */
  WEFT_BATCH_SIZE: z.coerce.number().int().positive().optional(),
  /** Test hook: pause after each batch (ms), so a run lasts long enough to interrupt. */
  WEFT_BATCH_DELAY_MS: z.coerce.number().int().nonnegative().optional(),
  /** The API's secrets key: needed to open saved connections (database sources). */
  WEFT_SECRET_KEY: z.string().optional(),
  /** Where file targets write and uploads live; must be the API's files folder (shared storage when on another machine). */
  WEFT_FILES_DIR: z.string().default('data/files'),
  /** Diagnostics: log the process's memory every second. */
  WEFT_MEMORY_LOG: z.string().optional(),
});

async function main(): Promise<void> {
  const parsed = Env.safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`[worker] ${issue.message}`);
    process.exit(2);
  }
  const env = parsed.data;

  let store: Store | null = null;
  let connection: NativeConnection | null = null;
  try {
    store = await openStore({ dataDir: '', databaseUrl: env.DATABASE_URL });
    connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
    const connections = env.WEFT_SECRET_KEY
      ? createConnectionService({ store, cipher: createCipher(parseKey(env.WEFT_SECRET_KEY, 'WEFT_SECRET_KEY')), connectors: { list: () => CONNECTOR_LIST, get: (id) => getConnector(id) }, context: { store, filesDir: env.WEFT_FILES_DIR } })
      : null;
    if (!connections) log('WEFT_SECRET_KEY is not set: runs that read a database through a saved connection will fail on this worker.');
    const worker = await createWorker({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.WEFT_TASK_QUEUE,
      activities: createActivities({
        store,
        batchSize: env.WEFT_BATCH_SIZE,
        batchDelayMs: env.WEFT_BATCH_DELAY_MS,
        openConnection: async (id) => {
          if (!connections) throw new PlanError('This worker cannot open saved connections: start it with WEFT_SECRET_KEY set to the API’s secrets key.');
          return connections.open(id);
        },
      }),
    });
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: finishing in-flight tasks, then stopping…`);
      worker.shutdown();
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    const done = worker.run();
    log(`ready: task queue "${env.WEFT_TASK_QUEUE}" on ${env.TEMPORAL_ADDRESS} (namespace ${env.TEMPORAL_NAMESPACE}), pid ${process.pid}`);
    if (env.WEFT_MEMORY_LOG) {
      const mb = (n: number) => Math.round(n / 1048576);
      setInterval(() => {
        const m = process.memoryUsage();
        log(`memory rss ${mb(m.rss)} heapUsed ${mb(m.heapUsed)} heapTotal ${mb(m.heapTotal)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)}`);
      }, 1000).unref();
    }
    await done;
    log('stopped.');
  } catch (err) {
    console.error(`[worker] ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  } finally {
    await connection?.close().catch(() => {});
    await store?.close().catch(() => {});
  }
}

void main();
