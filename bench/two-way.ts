// Two-way sync against a full one-way copy of the same data: two Postgres tables of N records each (a scratch
// database on 127.0.0.1:5432, or WEFT_BENCH_DATABASE_URL), the key map in a Postgres store. Phases, each in its own
// child process so each reports its own peak RSS (VmHWM):
//   1. the first two-way run (reads both sides whole, matches by key, builds the key map);
//   2. 1% of A and 1% of B changed (0.1% of records on both sides), then the incremental two-way run;
//   3. the baseline: a full one-way run A → B of the same data through the pipeline a one-way integration runs
//      (sql-source → sql-target executors, runPipelinePass, 5,000-row batches).
// Prints time, rows/s and peak RSS of each side by side, and the incremental run's speed-up over the full one.
// Size: `--size N` or BENCH_ROWS (default 1,000,000). `npm run bench:two-way -- --size 100000`.
// BENCH_TIMING=1 also prints, per phase, the time spent in each store call and each side's reads and writes.
// Each phase's CPU: the worker's (process.cpuUsage over the run) and, when Postgres runs on this machine, its backends'
// serving the bench database (sampled from /proc while the phase runs).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import type { PlanStep } from '../shared/compiler/plan';
import type { TwoWaySyncConfig } from '../shared/graph/kinds';
import { connectorLookup, createConnectionService } from '../runtime/connections';
import { CONNECTOR_LIST } from '../runtime/connectors';
import { createExecutor, NO_WEBHOOK_REQUESTS } from '../runtime/executors';
import { runPipelinePass } from '../runtime/executors/pipeline-pass';
import { openStore } from '../runtime/store';

const argSize = process.argv.indexOf('--size');
const ROWS = Number(argSize > 0 ? process.argv[argSize + 1] : (process.env.BENCH_ROWS ?? 1_000_000));
const ADMIN = process.env.WEFT_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const phase = process.env.TWO_WAY_PHASE;

const peakRssMb = () => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 1024 / 1024;
};
const dbUrl = (name: string) => {
  const u = new URL(ADMIN);
  u.pathname = `/${name}`;
  return u.toString();
};

const COLS = [
  { name: 'id', type: 'number' as const },
  { name: 'email', type: 'text' as const },
  { name: 'name', type: 'text' as const },
  { name: 'city', type: 'text' as const },
  { name: 'amount', type: 'number' as const },
  { name: 'updated_at', type: 'datetime' as const },
];
const FIELDS = ['id', 'email', 'name', 'city', 'amount'].map((n) => ({ a: n, b: n, direction: 'inherit' as const, rule: 'inherit' as const }));

/** One phase, run in this (child) process; prints one JSON line. */
async function runPhase(name: string, database: string): Promise<void> {
  const u = new URL(dbUrl(database));
  let t0 = performance.now();
  const store = await openStore({ dataDir: '', databaseUrl: dbUrl(database) });
  const sessions = createConnectionService({ store, secretKey: randomBytes(32), connectors: connectorLookup(CONNECTOR_LIST), context: { store, filesDir: '' } });
  const open = (id: string) => CONNECTOR_LIST.find((c) => c.manifest.id === 'postgres')!.open({ host: u.hostname, port: Number(u.port || 5432), database, user: decodeURIComponent(u.username || 'postgres'), sslMode: 'disable', schema: 'public', queryTimeoutSeconds: 600 } as never, { password: '' } as never).then((s) => (void id, s));
  // BENCH_TIMING=1: time spent in each store call and in each side's reads and writes, printed with the phase.
  const timing = process.env.BENCH_TIMING === '1' || process.env.BENCH_TIMING === '2' ? new Map<string, { n: number; ms: number }>() : null;
  // BENCH_TIMING=2: also every call's start and end (ms from the phase's start), to see what overlaps.
  const timeline: string[] = [];
  const timed = <T>(label: string, start: number, value: T): T => {
    if (process.env.BENCH_TIMING === '2') timeline.push(`${label} ${(start - t0).toFixed(0)}–${(performance.now() - t0).toFixed(0)}`);
    const t = timing!.get(label) ?? { n: 0, ms: 0 };
    t.n += 1;
    t.ms += performance.now() - start;
    timing!.set(label, t);
    return value;
  };
  const twoWay = timing
    ? (new Proxy(store.twoWay, {
        get: (target, key: string) => {
          const f = (target as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[key]!;
          return async (...args: unknown[]) => {
            const start = performance.now();
            return timed(`store.${key}`, start, await f.apply(target, args));
          };
        },
      }) as typeof store.twoWay)
    : store.twoWay;
  const openTimed = async (id: string) => {
    const s = await open(id);
    if (!timing) return s;
    return Object.assign(Object.create(s) as typeof s, {
      write: async (...args: Parameters<typeof s.write>) => {
        const start = performance.now();
        return timed(`write ${String(args[0])}`, start, await s.write(...args));
      },
      read: async function* (...args: Parameters<typeof s.read>) {
        const it = s.read(...args)[Symbol.asyncIterator]();
        for (;;) {
          const start = performance.now();
          const next = await it.next();
          timed(`read ${String(args[0])}`, start, null);
          if (next.done) return;
          yield next.value;
        }
      },
    });
  };
  const deps = { store, sessions: { open: openTimed, openBuiltIn: sessions.openBuiltIn.bind(sessions) }, webhookRequests: NO_WEBHOOK_REQUESTS, valueMaps: undefined, now: Date.now, params: new Map() };
  const started = Date.now();
  const cpuAtStart = process.cpuUsage();
  t0 = performance.now();
  let rows = 0;
  let detail: Record<string, unknown> = {};
  if (name === 'full-one-way') {
    const source: PlanStep = { nodeId: 'src', kind: 'sql-source', label: 'A', config: { connectionId: 'c', object: 'public.side_a', query: '', columns: COLS, key: ['id'], preview: null }, input: null, output: { fields: COLS, key: ['id'] } };
    const target: PlanStep = { nodeId: 'dst', kind: 'sql-target', label: 'B', config: { connectionId: 'c', object: 'public.side_full', mode: 'upsert', columns: COLS, key: ['id'], deletedField: '' }, input: { fields: COLS, key: ['id'] }, output: null };
    await runPipelinePass({
      steps: [source, target],
      owned: new Set(['src', 'dst']),
      deps,
      batchSize: 5_000,
      from: { batch: 0, cursor: null },
      commit: async (_next, effect) => {
        rows += effect.counts.src?.read ?? 0;
      },
    });
  } else {
    const config: TwoWaySyncConfig = {
      a: { connectionId: 'c', object: 'public.side_a', updatedAt: 'updated_at', columns: COLS, key: ['id'], deletedField: '' },
      b: { connectionId: 'c', object: 'public.side_b', updatedAt: 'updated_at', columns: COLS, key: ['id'], deletedField: '' },
      match: { a: 'id', b: 'id' },
      direction: 'both',
      rule: 'latest',
      fields: FIELDS,
      createMissing: true,
      deletesToB: 'ignore',
      deletesToA: 'ignore',
      deleteThresholdPercent: 10,
    };
    const step: PlanStep = { nodeId: 'tw', kind: 'two-way-sync', label: 'Two-way', config: config as unknown as Record<string, unknown>, input: null, output: null };
    const e = await createExecutor(step, deps);
    if (e.role !== 'sync') throw new Error('not a sync executor');
    const outcome = await e.run({ scope: { integrationId: 'bench', nodeId: 'tw' }, twoWay, syncEnabled: true, rebuild: false, batchSize: 5_000, stage: async () => undefined, dropStaged: async () => undefined, commit: async () => undefined });
    rows = outcome.readA + outcome.readB;
    detail = { writtenA: outcome.writtenA, writtenB: outcome.writtenB, conflicts: outcome.conflicts, echoes: outcome.echoes };
  }
  const seconds = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  await store.close();
  if (timing) {
    for (const line of timeline) console.error(`    ${name}: ${line}`);
    for (const [label, t] of [...timing].sort((x, y) => y[1].ms - x[1].ms)) console.error(`    ${name}: ${label.padEnd(30)} ${String(t.n).padStart(6)} calls ${(t.ms / 1000).toFixed(2).padStart(8)} s`);
  }
  console.log(JSON.stringify({ phase: name, seconds, rows, peakRssMb: Math.round(peakRssMb()), cpuSeconds: Math.round((cpu.user + cpu.system) / 1e4) / 100, ...detail }));
}

/**
 * The V8 flags `npm run worker` starts the worker with (package.json: a capped heap), so each phase's peak RSS is the
 * worker's. BENCH_DEFAULT_HEAP=1 runs the phases with Node's defaults instead.
 */
function workerFlags(): string[] {
  if (process.env.BENCH_DEFAULT_HEAP === '1') return [];
  const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../package.json'), 'utf8')) as { scripts: Record<string, string> };
  return pkg.scripts.worker?.match(/--max-[a-z-]+=\d+/g) ?? [];
}

/**
 * CPU seconds so far of the local Postgres server's backends serving `database` (their process titles name it), by
 * process id; nothing when the server is not on this machine (or /proc cannot be read).
 */
function backendCpu(database: string, into: Map<string, number>): void {
  const tick = 100; // USER_HZ on Linux
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      const title = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (!title.startsWith('postgres:') || title.includes('autovacuum') || !title.split(/[\s\0]+/).includes(database)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      into.set(pid, (Number(fields[11]) + Number(fields[12])) / tick);
    } catch {
      // The process ended meanwhile: its last reading stays.
    }
  }
}

/**
 * Runs one phase in a child process. While it runs, the Postgres backends serving the bench database are sampled every
 * 20 ms, so the phase also reports their CPU (`pgCpuSeconds`: the store's key map and both sides' reads and writes;
 * a backend's last 20 ms before it exits can be missed).
 */
async function child(name: string, database: string): Promise<{ phase: string; seconds: number; rows: number; peakRssMb: number; cpuSeconds: number; pgCpuSeconds: number | null } & Record<string, unknown>> {
  const before = new Map<string, number>();
  backendCpu(database, before);
  const seen = new Map<string, number>();
  const proc = spawn(process.execPath, [...workerFlags(), '--import', 'tsx', resolve(import.meta.dirname, 'two-way.ts')], {
    env: { ...process.env, TWO_WAY_PHASE: name, TWO_WAY_DB: database },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (d: string) => {
    if (out.length < 16 * 1024 * 1024) out += d;
  });
  const timer = setInterval(() => backendCpu(database, seen), 20);
  const code = await new Promise<number | null>((res, rej) => {
    proc.on('error', rej);
    proc.on('close', res);
  });
  clearInterval(timer);
  backendCpu(database, seen);
  if (code !== 0) throw new Error(`phase ${name} exited with ${String(code)}`);
  const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`phase ${name} printed nothing`);
  let pg = 0;
  for (const [pid, cpu] of seen) pg += cpu - (before.get(pid) ?? 0);
  return { ...(JSON.parse(line) as Awaited<ReturnType<typeof child>>), pgCpuSeconds: seen.size > 0 ? Math.round(pg * 100) / 100 : null };
}

async function main(): Promise<void> {
  const database = `weft_bench_tw_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const db = new pg.Client({ connectionString: dbUrl(database) });
  await db.connect();
  try {
    console.log(`Two-way sync bench: ${ROWS.toLocaleString('en-US')} records on each side (load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}; phases run with ${workerFlags().join(' ') || "Node's default heap"})`);
    const seeded = Date.now();
    for (const t of ['side_a', 'side_b', 'side_full']) {
      await db.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, email text, name text, city text, amount numeric(12,2), updated_at timestamptz NOT NULL)`);
    }
    for (const t of ['side_a', 'side_b']) {
      await db.query(`INSERT INTO ${t} SELECT i, 'p' || i || '@example.com', 'Person ' || i, 'City ' || (i % 100), i * 1.25, timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second' FROM generate_series(1, ${ROWS}) i`);
      // The cursor column is indexed, as a table read incrementally by its updated_at has it in practice.
      await db.query(`CREATE INDEX ${t}_updated ON ${t} (updated_at)`);
      await db.query(`ANALYZE ${t}`);
    }
    console.log(`  seeded in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

    const first = await child('two-way-first', database);
    // 1% of A (id % 100 = 0); 1% of B: 0.9% elsewhere (id % 100 = 50, but not id % 1000 = 50) + 0.1% the same as A's (id % 1000 = 0).
    await db.query(`UPDATE side_a SET name = name || ' (A edit)', updated_at = clock_timestamp() WHERE id % 100 = 0`);
    await db.query(`UPDATE side_b SET city = city || ' (B edit)', updated_at = clock_timestamp() WHERE (id % 100 = 50 AND id % 1000 <> 50) OR id % 1000 = 0`);
    await db.query(`UPDATE side_b SET name = name || ' (B edit)', updated_at = clock_timestamp() WHERE id % 1000 = 0`);
    const incremental = await child('two-way-incremental', database);
    const full = await child('full-one-way', database);

    const row = (label: string, r: Awaited<ReturnType<typeof child>>) =>
      `  ${label.padEnd(38)} ${r.seconds.toFixed(2).padStart(9)} s ${Math.round(r.rows / Math.max(r.seconds, 0.001)).toLocaleString('en-US').padStart(12)} rows/s ${r.rows.toLocaleString('en-US').padStart(12)} rows read ${String(r.peakRssMb).padStart(6)} MB peak RSS   CPU: worker ${r.cpuSeconds.toFixed(2)} s, Postgres ${r.pgCpuSeconds === null ? 'n/a' : `${r.pgCpuSeconds.toFixed(2)} s`}`;
    console.log(row('two-way, first run (match + key map)', first));
    console.log(row('two-way, incremental (1% + 1% changed)', incremental));
    console.log(row('baseline: full one-way run A → B', full));
    console.log(`  incremental two-way is ${(full.seconds / incremental.seconds).toFixed(1)}x faster than the full one-way run (target >= 20x); incremental wrote ${String(incremental.writtenA)} to A and ${String(incremental.writtenB)} to B, ${String(incremental.conflicts)} conflicts settled`);
  } finally {
    await db.end();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

if (phase) await runPhase(phase, process.env.TWO_WAY_DB ?? '');
else await main();
