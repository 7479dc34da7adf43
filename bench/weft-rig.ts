// The wiring the benches share: Weft as `npm start` wires it (API + worker in one process) on its own Temporal dev
// server on free ports, with the store as `npm start` runs it (PGlite in its own store process), on a fresh Postgres
// database, or on PGlite in the bench's own process. Everything talks to 127.0.0.1 only. bench/load.ts, bench/ops.ts and
// bench/latency.ts start Weft through here, so a change of the wiring (runtime/wiring.ts) is made once for all of them.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import pg from 'pg';
import { createActivities, type ActivityDeps } from '../runtime/activities';
import { createAlerts } from '../runtime/alerts';
import { createDeliverer } from '../runtime/alerts/deliver';
import { createApi } from '../runtime/api/app';
import { addressGuardFromEnv } from '../runtime/net';
import { onOff } from '../runtime/config';
import type { ApiDeps } from '../runtime/api/deps';
import type { ConnectionService } from '../runtime/connections/service';
import { openStore } from '../runtime/store';
import { startPgliteProcess } from '../runtime/store/pglite-process';
import type { Store } from '../runtime/store/types';
import type { Run } from '../shared/api/runs';
import { createRunLauncher, launcherClient } from '../runtime/temporal/client';
import { startDevServer, type DevServer } from '../runtime/temporal/dev-server';
import { createWorker, type CreateWorkerOptions, type WeftWorker } from '../runtime/temporal/worker';
import { testConnections } from '../test/support/connections';
import { tokenFor } from '../test/support/signed-in';

export const ROOT = resolve(import.meta.dirname, '..');
const ADMIN = process.env.WEFT_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface WeftRigOptions {
  /** Names the work folder (`.tmp/bench-<name>-<pid>`) and the Postgres database. */
  name: string;
  taskQueue: string;
  /** `pglite-process` (default; as `npm start`), `postgres` (a fresh database, dropped at close) or `pglite` (in this process). */
  store?: 'pglite-process' | 'postgres' | 'pglite';
  /** Activity settings beyond the store and the connection service (batch size, alerts…). */
  activities?: Omit<ActivityDeps, 'store' | 'sessions'>;
  workerTuning?: CreateWorkerOptions['tuning'];
  /** More API dependencies (a schedule keeper…), given the Temporal client. */
  api?: (client: TemporalClient) => Partial<ApiDeps>;
  /** Serve the API over HTTP on 127.0.0.1 (default); otherwise `call` goes through `app.request` in process. */
  http?: boolean;
  log?: (message: string) => void;
  /** Count the store calls the worker and the API make, by method (the `storeCalls` of the rig). */
  countStoreCalls?: boolean;
  /**
   * Time the parts of a run (the API's requests, the Temporal start, each activity, the alerts) and the store calls
   * and SQL statements made inside each: the rig's `trace`.
   */
  trace?: boolean;
}

/** One timed part: `path` is the enclosing parts' names joined by ' > ' (e.g. `finishRun > alerts`). */
export interface Span {
  path: string;
  start: number;
  end: number;
}

/** Per part path: store calls by method (with their time) and the SQL statements sent (BEGIN and COMMIT count). */
export interface PartCalls {
  store: StoreCalls;
  sql: number;
}

/**
 * What the rig timed, when `trace` is on: every part's spans (performance.now() ms), and per part the store calls and
 * SQL statements made inside it (an AsyncLocalStorage carries the part through every await, so runs at once do not mix).
 */
export class RunTrace {
  readonly spans: Span[] = [];
  readonly calls = new Map<string, PartCalls>();
  private readonly current = new AsyncLocalStorage<string>();

  reset(): void {
    this.spans.length = 0;
    this.calls.clear();
  }

  /** Runs `fn` as the part `name` (inside the part running now, if any), and records its span. */
  async span<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const parent = this.current.getStore();
    const path = parent ? `${parent} > ${name}` : name;
    const start = performance.now();
    try {
      return await this.current.run(path, fn);
    } finally {
      this.spans.push({ path, start, end: performance.now() });
    }
  }

  private of(): PartCalls {
    const path = this.current.getStore() ?? '(outside any part)';
    let entry = this.calls.get(path);
    if (!entry) this.calls.set(path, (entry = { store: new Map(), sql: 0 }));
    return entry;
  }

  storeCall(method: string, ms: number): void {
    const c = this.of().store;
    const entry = c.get(method) ?? { calls: 0, ms: 0 };
    entry.calls += 1;
    entry.ms += ms;
    c.set(method, entry);
  }

  sql(): void {
    this.of().sql += 1;
  }
}

/** Calls per store method (`inbox.settleResubmit` for a nested one) and their total time in ms. */
export type StoreCalls = Map<string, { calls: number; ms: number }>;

/** The store, counting each method call and its time into `calls` (nested stores such as `store.sync` too). */
function countingStore<T extends object>(target: T, calls: StoreCalls, trace: RunTrace | null, prefix = ''): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const value: unknown = Reflect.get(t, prop, receiver);
      if (typeof prop !== 'string' || prop === 'then') return value;
      if (typeof value === 'function') {
        return (...args: unknown[]) => {
          const started = performance.now();
          const tally = () => {
            const entry = calls.get(`${prefix}${prop}`) ?? { calls: 0, ms: 0 };
            entry.calls += 1;
            entry.ms += performance.now() - started;
            calls.set(`${prefix}${prop}`, entry);
            trace?.storeCall(`${prefix}${prop}`, performance.now() - started);
          };
          const out = (value as (...a: unknown[]) => unknown).apply(t, args);
          if (out instanceof Promise) return out.finally(tally);
          tally();
          return out;
        };
      }
      if (value && typeof value === 'object' && !prefix && !Array.isArray(value)) return countingStore(value, calls, trace, `${prop}.`);
      return value;
    },
  });
}

export interface WeftRig {
  work: string;
  server: DevServer;
  store: Store;
  connections: ConnectionService;
  /** Store calls by method, when `countStoreCalls` (else empty). */
  storeCalls: StoreCalls;
  /** The parts of runs, timed, when `trace` (else null). */
  trace: RunTrace | null;
  /** The client the API and the bench read Temporal with (not the launcher's, which may share the worker's connection). */
  client: TemporalClient;
  worker: WeftWorker;
  app: ReturnType<typeof createApi>;
  /** The API's address when served over HTTP. */
  base: string | null;
  /** The store's connection string (its Postgres database, or the PGlite store process's socket); null for PGlite in process. */
  databaseUrl: string | null;
  /** The PGlite store process's pid (null on another store): to read its CPU time. */
  storePid(): number | null;
  /** Calls the API signed in as the owner; answers the JSON body, throws on a status that is not 2xx. */
  call(method: string, path: string, body?: unknown, contentType?: string, signal?: AbortSignal): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startWeftRig(opts: WeftRigOptions): Promise<WeftRig> {
  const log = opts.log ?? (() => undefined);
  const work = join(ROOT, '.tmp', `bench-${opts.name}-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const cleanups: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const clean of cleanups.reverse()) await clean().catch((err: unknown) => console.error(`[bench:${opts.name}] cleanup: ${String(err)}`));
    cleanups.length = 0;
    await rm(work, { recursive: true, force: true });
  };
  try {
    const server = await startDevServer({ projectDir: ROOT });
    cleanups.push(() => server.stop());

    const kind = opts.store ?? 'pglite-process';
    let databaseUrl: string | undefined;
    let storePid: () => number | null = () => null;
    if (kind === 'postgres') {
      const db = `weft_bench_${opts.name.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
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
    if (kind === 'pglite-process') {
      const storeProcess = await startPgliteProcess({ dataDir: join(work, 'data'), log: (m) => log(`store process: ${m}`) });
      cleanups.push(() => storeProcess.stop());
      databaseUrl = storeProcess.url;
      storePid = () => storeProcess.pid();
    }
    const opened = await openStore({ dataDir: join(work, 'data'), databaseUrl, ...(databaseUrl && { engine: kind === 'postgres' ? 'postgres' : 'pglite' }) });
    cleanups.push(() => opened.close());
    const storeCalls: StoreCalls = new Map();
    const trace = opts.trace ? new RunTrace() : null;
    const store = opts.countStoreCalls || trace ? countingStore(opened, storeCalls, trace) : opened;
    if (trace) {
      // Every SQL statement the pools send (a transaction's BEGIN and COMMIT included): a round trip to the store each.
      const query = pg.Client.prototype.query;
      pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
        trace.sql();
        return (query as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof query;
      cleanups.push(async () => {
        pg.Client.prototype.query = query;
      });
    }
    /** `fn` as a traced part when tracing. */
    const traced = <A extends unknown[], R>(name: string, fn: (...a: A) => Promise<R>) => (trace ? (...a: A) => trace.span(name, () => fn(...a)) : fn);

    // One connection service for the worker and the API, as runtime/wiring.ts builds it.
    const connections = testConnections(store, { filesDir: join(work, 'files') });
    const workerConnection = await NativeConnection.connect({ address: server.address });
    // Alerts are evaluated after every run, as runtime/wiring.ts wires them (no mail server: nothing is sent).
    const deliverer = createDeliverer({ guard: addressGuardFromEnv() });
    cleanups.push(async () => deliverer.close());
    const alerts = createAlerts({ store, deliverer, publicUrl: 'http://127.0.0.1', secrets: connections });
    const activities = createActivities({ store, sessions: connections, alerts: { deliverer: alerts.deliverer, afterRun: traced('alerts', (runId: string, ended?: Run) => alerts.afterRun(runId, ended)) }, ...opts.activities });
    const worker = await createWorker({
      connection: workerConnection,
      taskQueue: opts.taskQueue,
      // As `npm start` (runtime/wiring.ts): workflows on this thread when WEFT_WORKFLOWS_ON_MAIN_THREAD is set.
      workflowsOnThisThread: onOff('WEFT_WORKFLOWS_ON_MAIN_THREAD', process.env.WEFT_WORKFLOWS_ON_MAIN_THREAD),
      activities: trace ? (Object.fromEntries(Object.entries(activities).map(([name, fn]) => [name, traced(name, fn as (...a: unknown[]) => Promise<unknown>)])) as typeof activities) : activities,
      ...(opts.workerTuning && { tuning: opts.workerTuning }),
    });
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
    let base: string | null = null;
    let handle: (req: Request) => Response | Promise<Response> = () => new Response('starting', { status: 503 });
    if (opts.http !== false) {
      const http = serve({ fetch: (req) => handle(req), port: 0, hostname: '127.0.0.1' });
      cleanups.push(() => new Promise<void>((done) => http.close(() => done())));
      await new Promise<void>((ready) => http.once('listening', () => ready()));
      base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    }
    const launcher = createRunLauncher({ client: launcherClient({ client, workerConnection }), taskQueue: opts.taskQueue });
    const app = createApi({
      store,
      // As runtime/wiring.ts: the launcher of a process that runs its own worker starts runs on the worker's connection.
      launcher: { ...launcher, start: traced('Temporal start', launcher.start.bind(launcher)) },
      filesDir: join(work, 'files'),
      maxUploadBytes: 1024 * 1024,
      connections,
      ...(base && { publicUrl: base }),
      ...opts.api?.(client),
    });
    handle = trace ? (req) => trace.span(`API ${req.method} ${new URL(req.url).pathname.replace(/\/(int|run|file|ver)_[^/]+/g, '/:id')}`, async () => app.fetch(req)) : (req) => app.fetch(req);
    // Every request signed in as the owner, with an API token (stored hashed, like any token).
    const authorization = `Bearer ${await tokenFor(store)}`;
    log(`Weft ${base ? `at ${base}` : 'in process'} (store: ${kind}), Temporal at ${server.address}`);

    const call: WeftRig['call'] = async (method, path, body, contentType = 'application/json', signal) => {
      const init: RequestInit = {
        method,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        headers: body === undefined ? { authorization } : { authorization, 'content-type': contentType },
        ...(signal && { signal }),
      };
      const res = base ? await fetch(`${base}${path}`, init) : await app.request(path, init);
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>;
    };
    return { work, server, store: opened, storeCalls, trace, connections, client, worker, app, base, databaseUrl: databaseUrl ?? null, storePid, call, close };
  } catch (err) {
    await close();
    throw err;
  }
}
