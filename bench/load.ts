// Load: many small runs at once and an API read load, on Weft wired as `npm start` wires it (API + worker in one
// process, the store on PGlite in its own store process, or on Postgres with BENCH_STORE=postgres) with its own Temporal dev server on free
// ports. Everything talks to 127.0.0.1 only, and the script stops by itself (BENCH_DEADLINE_S, default 600 s).
// Prints completion counts and p50/p95 latencies so regressions show. Env: BENCH_WAVES (default "50,500"),
// BENCH_READS (GET /api/integrations requests, default 1000), BENCH_READ_CONCURRENCY (default 20), BENCH_SINGLE (runs
// one after another first, default 10).
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import pg from 'pg';
import { createActivities } from '../runtime/activities';
import { createApi } from '../runtime/api/app';
import { tokenFor } from '../test/support/signed-in';
import { openStore } from '../runtime/store';
import { startPgliteProcess } from '../runtime/store/pglite-process';
import { createRunLauncher, workflowIdForRun } from '../runtime/temporal/client';
import { startDevServer } from '../runtime/temporal/dev-server';
import { customersCsv, customersGraph, quietTemporalLogs } from '../test/support/temporal-harness';
import { createWorker } from '../runtime/temporal/worker';
import { testConnections } from '../test/support/connections';

const ROOT = resolve(import.meta.dirname, '..');
const WORK = join(ROOT, '.tmp', `bench-load-${process.pid}`);
const TASK_QUEUE = 'bench-load';
const ADMIN = process.env.WEFT_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_S ?? 600) * 1000;
const WAVES = (process.env.BENCH_WAVES ?? '50,500').split(',').map(Number).filter((n) => n > 0);
const READS = Number(process.env.BENCH_READS ?? 1000);
const READ_CONCURRENCY = Number(process.env.BENCH_READ_CONCURRENCY ?? 20);
const SINGLE = Number(process.env.BENCH_SINGLE ?? 10);
const LABEL = 42;
const log = (m: string) => console.log(`[bench:load] ${m}`);

const startedAt = performance.now();
const left = () => DEADLINE_MS - (performance.now() - startedAt);

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
const ms = (n: number) => (Number.isFinite(n) ? (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`) : '-');

/** Rejects after `limit` ms, so nothing waits past the deadline. */
function within<T>(work: Promise<T>, limit: number, what: string): Promise<T> {
  return new Promise((resolveIn, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(limit / 1000)} s`)), Math.max(0, limit));
    work.then(
      (v) => {
        clearTimeout(timer);
        resolveIn(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

async function main() {
  quietTemporalLogs('ERROR');
  await rm(WORK, { recursive: true, force: true });
  await mkdir(WORK, { recursive: true });
  const cleanups: (() => Promise<unknown>)[] = [];
  // A hard stop if a cleanup hangs: the script must end by itself.
  setTimeout(() => {
    console.error('[bench:load] deadline passed; exiting.');
    process.exit(2);
  }, DEADLINE_MS + 60_000).unref();

  const lines: string[] = [];
  try {
    const server = await startDevServer({ projectDir: ROOT });
    cleanups.push(() => server.stop());

    let databaseUrl: string | undefined;
    if (process.env.BENCH_STORE === 'postgres') {
      const db = `weft_bench_load_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: ADMIN });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${db}`);
      await admin.end();
      const u = new URL(ADMIN);
      u.pathname = `/${db}`;
      databaseUrl = u.toString();
      cleanups.push(async () => {
        const c = new pg.Client({ connectionString: ADMIN });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        await c.end();
      });
    }
    // Without BENCH_STORE=postgres, PGlite in its own store process, as `npm start` runs it.
    let storeProcess: Awaited<ReturnType<typeof startPgliteProcess>> | null = null;
    if (!databaseUrl) {
      storeProcess = await startPgliteProcess({ dataDir: join(WORK, 'data'), log: (m) => log(`store process: ${m}`) });
      const started = storeProcess;
      cleanups.push(() => started.stop());
    }
    const store = await openStore({ dataDir: join(WORK, 'data'), databaseUrl: storeProcess?.url ?? databaseUrl, engine: storeProcess ? 'pglite' : 'postgres' });
    cleanups.push(() => store.close());

    const workerConnection = await NativeConnection.connect({ address: server.address });
    // One connection service for the worker and the API, as runtime/wiring.ts builds it.
    const connections = testConnections(store, { filesDir: join(WORK, 'files') });
    const worker = await createWorker({ connection: workerConnection, taskQueue: TASK_QUEUE, activities: createActivities({ store, sessions: connections }) });
    const workerDone = worker.run();
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerDone;
      await workerConnection.close();
    });
    const connection = await Connection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    const client = new TemporalClient({ connection });
    // The API answers only at its public address (421 wrong_host otherwise): listen first, then build the API for
    // the port the system gave.
    let handle: (req: Request) => Response | Promise<Response> = () => new Response('starting', { status: 503 });
    const http = serve({ fetch: (req) => handle(req), port: 0, hostname: '127.0.0.1' });
    cleanups.push(() => new Promise<void>((done) => http.close(() => done())));
    await new Promise<void>((ready) => http.once('listening', () => ready()));
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const app = createApi({
      store,
      launcher: createRunLauncher({ client, taskQueue: TASK_QUEUE }),
      filesDir: join(WORK, 'files'),
      maxUploadBytes: 1024 * 1024,
      connections,
      publicUrl: base,
    });
    handle = (req) => app.fetch(req);
    // Every request signed in as the owner, with an API token (stored hashed, like any token).
    const authorization = `Bearer ${await tokenFor(store)}`;
    log(`Weft at ${base} (store: ${store.engine}), Temporal at ${server.address}`);

    const call = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
      const res = await fetch(`${base}${path}`, {
        method,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        headers: body === undefined ? { authorization } : { authorization, 'content-type': contentType },
        signal: AbortSignal.timeout(Math.max(1000, Math.round(left()))),
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>;
    };

    // One small integration: a 10-row CSV into a workspace object.
    const csv = customersCsv(Array.from({ length: 10 }, (_, k) => ({ email: `r${k}@example.com`, name: `R ${k}`, amount: String(k), active: 'yes' })));
    const file = await call('POST', '/api/files?name=small.csv', csv, 'text/csv');
    const integration = await call('POST', '/api/integrations', { name: 'Load: 10 rows', graph: customersGraph({ fileId: String(file.id), object: 'load_rows' }) });
    await call('POST', `/api/integrations/${String(integration.id)}/publish`);

    /** Starts `n` runs at once through the API and waits for each to end; latency from its request to its end. */
    async function wave(n: number, label = `${n} run${n === 1 ? '' : 's'} at once`) {
      const t0 = performance.now();
      const limit = Math.min(left(), 300_000);
      const outcomes = await Promise.allSettled(
        Array.from({ length: n }, async () => {
          const start = performance.now();
          const { runId } = (await call('POST', `/api/integrations/${String(integration.id)}/runs`, {})) as { runId: string };
          const result = (await within(client.workflow.getHandle(workflowIdForRun(runId)).result(), limit - (performance.now() - t0), `run ${runId}`)) as { status: string };
          if (result.status !== 'completed') throw new Error(`run ${runId} ended ${result.status}`);
          return performance.now() - start;
        }),
      );
      const latencies = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : [])).sort((a, b) => a - b);
      const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [String((o.reason as Error).message ?? o.reason)] : []));
      const all = performance.now() - t0;
      lines.push(
        `${label.padEnd(LABEL)}${`${latencies.length}/${n}`.padStart(10)}${ms(quantile(latencies, 0.5)).padStart(10)}${ms(quantile(latencies, 0.95)).padStart(10)}${(latencies.length === n ? ms(all) : 'not all').padStart(12)}`,
      );
      if (failures.length > 0) log(`${failures.length} of ${n} did not complete, e.g. ${failures[0]}`);
    }

    async function reads() {
      const latencies: number[] = [];
      let failed = 0;
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: READ_CONCURRENCY }, async () => {
          while (next < READS && left() > 0) {
            next += 1;
            const start = performance.now();
            try {
              await call('GET', '/api/integrations');
              latencies.push(performance.now() - start);
            } catch {
              failed += 1;
            }
          }
        }),
      );
      latencies.sort((a, b) => a - b);
      lines.push(
        `${`GET /api/integrations x${READS}, ${READ_CONCURRENCY} at once`.padEnd(LABEL)}${`${latencies.length}/${READS}`.padStart(10)}${ms(quantile(latencies, 0.5)).padStart(10)}${ms(quantile(latencies, 0.95)).padStart(10)}${ms(performance.now() - t0).padStart(12)}`,
      );
      if (failed > 0) log(`${failed} reads failed`);
    }

    log('warming up (one run)…');
    await wave(1);
    lines.length = 0;
    if (SINGLE > 0) {
      log(`${SINGLE} runs one after another…`);
      const latencies: number[] = [];
      for (let i = 0; i < SINGLE && left() > 0; i += 1) {
        const start = performance.now();
        const { runId } = (await call('POST', `/api/integrations/${String(integration.id)}/runs`, {})) as { runId: string };
        await within(client.workflow.getHandle(workflowIdForRun(runId)).result(), left(), `run ${runId}`);
        latencies.push(performance.now() - start);
      }
      latencies.sort((a, b) => a - b);
      lines.push(`${`1 run at a time, x${SINGLE}`.padEnd(LABEL)}${`${latencies.length}/${SINGLE}`.padStart(10)}${ms(quantile(latencies, 0.5)).padStart(10)}${ms(quantile(latencies, 0.95)).padStart(10)}${ms(latencies.reduce((a, b) => a + b, 0)).padStart(12)}`);
    }
    for (const n of WAVES) {
      if (left() <= 0) break;
      log(`${n} runs at once…`);
      await wave(n);
    }
    if (left() > 0) {
      log(`API reads: ${READS} x GET /api/integrations, ${READ_CONCURRENCY} at once…`);
      await reads();
    }
  } finally {
    for (const clean of cleanups.reverse()) await clean().catch((err: unknown) => console.error(`[bench:load] cleanup: ${String(err)}`));
    await rm(WORK, { recursive: true, force: true });
  }

  console.log('\nSmall runs (10-row CSV -> Map -> workspace) and API reads; Weft as `npm start` wires it; 2-core machine.');
  console.log('Latency: from the request that starts a run to the run\'s end (or the read\'s answer).\n');
  console.log(`${'load'.padEnd(LABEL)}${'done'.padStart(10)}${'p50'.padStart(10)}${'p95'.padStart(10)}${'all done in'.padStart(12)}`);
  for (const l of lines) console.log(l);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
