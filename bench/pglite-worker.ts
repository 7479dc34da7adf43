// The benchmarks' worker for the embedded store: PGlite belongs to one process, so the worker that writes it owns it
// (as `npm start` does). Compiled by esbuild and run with the heap capped like `npm run worker`.
// Env: WEFT_BENCH_PGLITE_DIR (the data folder), TEMPORAL_ADDRESS, WEFT_TASK_QUEUE, WEFT_SECRET_KEY, WEFT_BATCH_SIZE.
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../runtime/activities';
import { connectorLookup, createConnectionService } from '../runtime/connections';
import { CONNECTOR_LIST } from '../runtime/connectors';
import { parseKey } from '../runtime/secrets';
import { openStore } from '../runtime/store';
import { createWorker } from '../runtime/temporal/worker';

const need = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const store = await openStore({ dataDir: need('WEFT_BENCH_PGLITE_DIR') });
const connection = await NativeConnection.connect({ address: need('TEMPORAL_ADDRESS') });
const connections = createConnectionService({
  store,
  secretKey: parseKey(need('WEFT_SECRET_KEY'), 'WEFT_SECRET_KEY'),
  connectors: connectorLookup(CONNECTOR_LIST),
});
const worker = await createWorker({
  connection,
  taskQueue: need('WEFT_TASK_QUEUE'),
  activities: createActivities({ store, batchSize: Number(process.env.WEFT_BATCH_SIZE ?? 5000), sessions: connections }),
});
process.on('SIGTERM', () => worker.shutdown());
const done = worker.run();
console.log(`[pglite-worker] ready, pid ${process.pid}`);
if (process.env.WEFT_MEMORY_LOG) {
  const mb = (n: number) => Math.round(n / 1048576);
  setInterval(() => {
    const m = process.memoryUsage();
    console.log(`[pglite-worker] memory rss ${mb(m.rss)} heapUsed ${mb(m.heapUsed)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)}`);
  }, 1000).unref();
}
await done;
await connection.close();
await store.close();
