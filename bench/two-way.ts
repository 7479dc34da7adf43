// Two-way sync against a full one-way copy of the same data: two Postgres tables of N records each (a scratch
// database on 127.0.0.1:5432, or WEFT_BENCH_DATABASE_URL), the key map in a Postgres store. Phases, each in its own
// child process so each reports its own peak RSS (VmHWM):
//   1. the first two-way run (reads both sides whole, matches by key, builds the key map);
//   2. 1% of A and 1% of B changed (0.1% of records on both sides), then the incremental two-way run;
//   3. the baseline: a full one-way run A → B of the same data through the pipeline a one-way integration runs
//      (sql-source → sql-target executors, runPipelinePass, 5,000-row batches).
// Prints time, rows/s and peak RSS of each side by side, and the incremental run's speed-up over the full one.
// Cold and warm: each phase is a fresh process (cold: it pays for opening the store, compiling the connectors' code and
// V8's warm-up), and a Weft worker is long-lived, so phases 2 and 3 also run a second time in the same process (warm):
// the incremental run after a second round of edits of the same size (other records), the full one-way run into a
// second empty table (the same work as the first: inserts into an empty table). Both ratios are printed, each from runs
// measured the same way. BENCH_WARM=0 skips the warm runs.
// Reusing a prepared database: `--keep-as NAME` also keeps a copy of the database as it stands after the first run and
// the edits (a template); `--from NAME` skips seeding and the first run and runs phases 2 and 3 on a fresh copy of it
// (`--incremental-only`: phase 2 only, its figures as JSON lines, for alternated A/B runs).
// Each run also reports its garbage collections (`scavenges`: young-generation collections, whose number follows what
// the run allocates and barely moves with the machine's load). BENCH_PROFILE=FILE writes a CPU profile of each warm run
// (FILE.<phase>.cpuprofile); with BENCH_PROFILE_ALLOC=1 a sampling heap profile of what it allocates instead.
// Size: `--size N` or BENCH_ROWS (default 1,000,000). `npm run bench:two-way -- --size 100000`.
// BENCH_TIMING=1 also prints, per phase, the time spent in each store call and each side's reads and writes, and the
// Postgres CPU split by backend (the store's key map, side A's session, side B's).
// Each phase's CPU: the worker's (process.cpuUsage over the run) and, when Postgres runs on this machine, its backends'
// serving the bench database (sampled from /proc while the phase runs).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector/promises';
import { resolve } from 'node:path';
import { constants as gcKinds, PerformanceObserver } from 'node:perf_hooks';
import pg from 'pg';
import { backendCpu } from './postgres-cpu';
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
const argValue = (name: string) => {
  const i = process.argv.indexOf(name);
  const v = i > 0 ? process.argv[i + 1] : undefined;
  if (v !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(v)) throw new Error(`${name}: a database name of lower-case letters, digits and _`);
  return v;
};
const warm = process.env.BENCH_WARM !== '0';

/**
 * Round `r` of edits (r < 50): 1% of A (id % 100 = r); 1% of B: 0.9% elsewhere (id % 100 = 50 + r, but not
 * id % 1000 = 50 + r) + 0.1% the same as A's (id % 1000 = r, its name edited on both sides: conflicts).
 */
const edits = (r: number) => [
  `UPDATE side_a SET name = name || ' (A edit)', updated_at = clock_timestamp() WHERE id % 100 = ${r}`,
  `UPDATE side_b SET city = city || ' (B edit)', updated_at = clock_timestamp() WHERE (id % 100 = ${50 + r} AND id % 1000 <> ${50 + r}) OR id % 1000 = ${r}`,
  `UPDATE side_b SET name = name || ' (B edit)', updated_at = clock_timestamp() WHERE id % 1000 = ${r}`,
];
const TABLE = (t: string) => `CREATE TABLE IF NOT EXISTS ${t} (id integer PRIMARY KEY, email text, name text, city text, amount numeric(12,2), updated_at timestamptz NOT NULL)`;

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
  // Cold: the phase's first run in this process. Warm: a second run of the same kind and size in the same process
  // (the incremental one after a second round of edits; the full one into a second empty table).
  const db = new pg.Client({ connectionString: dbUrl(database) });
  await db.connect();
  await runOnce(name, 'side_full');
  if (warm) {
    if (name === 'full-one-way') await db.query(TABLE('side_full_warm'));
    else if (name === 'two-way-incremental') for (const sql of edits(1)) await db.query(sql);
    if (name !== 'two-way-first') {
      // BENCH_PROFILE=FILE: a CPU profile of the warm run (node:inspector), written to FILE.<phase>.cpuprofile.
      const profile = process.env.BENCH_PROFILE ? new inspector.Session() : null;
      // BENCH_PROFILE_ALLOC=1: what the warm run allocates instead (sampling heap profiler, collected objects too).
      const alloc = process.env.BENCH_PROFILE_ALLOC === '1';
      if (profile) {
        profile.connect();
        if (alloc) await profile.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
        else {
          await profile.post('Profiler.enable');
          await profile.post('Profiler.start');
        }
      }
      await runOnce(`${name}-warm`, 'side_full_warm');
      if (profile) {
        const { profile: data } = alloc ? await profile.post('HeapProfiler.stopSampling') : await profile.post('Profiler.stop');
        writeFileSync(`${process.env.BENCH_PROFILE}.${name}.${alloc ? 'heapprofile' : 'cpuprofile'}`, JSON.stringify(data));
        profile.disconnect();
      }
    }
  }
  await db.end();
  await store.close();

  async function runOnce(label: string, fullTarget: string): Promise<void> {
    timing?.clear();
    timeline.length = 0;
    // The parent samples the Postgres backends' CPU at each mark (and every 20 ms): a short pause lets it read.
    console.log(`MARK start ${label}`);
    await new Promise((r) => setTimeout(r, 100));
    // The run's garbage collections (perf_hooks 'gc' entries): young-generation ones (scavenges: their number follows
    // what the run allocates) and the rest, with the time they took.
    const gc = { minor: 0, minorMs: 0, major: 0, majorMs: 0 };
    const countGc = (entries: PerformanceEntry[]) => {
      for (const e of entries) {
        const minor = (e as unknown as { detail?: { kind?: number } }).detail?.kind === gcKinds.NODE_PERFORMANCE_GC_MINOR;
        if (minor) {
          gc.minor += 1;
          gc.minorMs += e.duration;
        } else {
          gc.major += 1;
          gc.majorMs += e.duration;
        }
      }
    };
    const gcObserver = new PerformanceObserver((list) => countGc(list.getEntries()));
    gcObserver.observe({ entryTypes: ['gc'] });
    const started = Date.now();
    const cpuAtStart = process.cpuUsage();
    t0 = performance.now();
    let rows = 0;
    let detail: Record<string, unknown> = {};
    if (name === 'full-one-way') {
      const source: PlanStep = { nodeId: 'src', kind: 'sql-source', label: 'A', config: { connectionId: 'c', object: 'public.side_a', query: '', columns: COLS, key: ['id'], preview: null }, input: null, output: { fields: COLS, key: ['id'] } };
      const target: PlanStep = { nodeId: 'dst', kind: 'sql-target', label: 'B', config: { connectionId: 'c', object: `public.${fullTarget}`, mode: 'upsert', columns: COLS, key: ['id'], deletedField: '' }, input: { fields: COLS, key: ['id'] }, output: null };
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
    countGc(gcObserver.takeRecords());
    gcObserver.disconnect();
    detail = { ...detail, scavenges: gc.minor, scavengeMs: Math.round(gc.minorMs), majorGcs: gc.major, majorGcMs: Math.round(gc.majorMs) };
    console.log(`MARK end ${label}`);
    await new Promise((r) => setTimeout(r, 100));
    if (timing) {
      for (const line of timeline) console.error(`    ${label}: ${line}`);
      for (const [call, t] of [...timing].sort((x, y) => y[1].ms - x[1].ms)) console.error(`    ${label}: ${call.padEnd(30)} ${String(t.n).padStart(6)} calls ${(t.ms / 1000).toFixed(2).padStart(8)} s`);
    }
    console.log(JSON.stringify({ phase: label, seconds, rows, peakRssMb: Math.round(peakRssMb()), cpuSeconds: Math.round((cpu.user + cpu.system) / 1e4) / 100, ...detail }));
  }
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


type PhaseResult = { phase: string; seconds: number; rows: number; peakRssMb: number; cpuSeconds: number; pgCpuSeconds: number | null } & Record<string, unknown>;

/**
 * Runs one phase in a child process; returns each of its measured runs (the cold one, then the warm one if any). While
 * it runs, the Postgres backends serving the bench database are sampled every 20 ms and at each run's start and end
 * (the child prints a mark line and pauses), so each run also reports their CPU (`pgCpuSeconds`: the store's key map
 * and both sides' reads and writes; a backend's last 20 ms before it exits can be missed).
 */
async function child(name: string, database: string): Promise<PhaseResult[]> {
  const before = new Map<string, number>();
  backendCpu([database], before, { autovacuum: false });
  const seen = new Map<string, number>();
  const pgTotal = () => {
    backendCpu([database], seen, { autovacuum: false });
    let sum = 0;
    for (const [pid, cpu] of seen) sum += cpu - (before.get(pid) ?? 0);
    return sum;
  };
  // BENCH_TIMING=1: the Postgres CPU split by whom a backend serves (the store's key map, or side A's or B's session),
  // told by the queries pg_stat_activity shows it running (polled every 10 ms by an admin connection).
  const roles = process.env.BENCH_TIMING === '1' || process.env.BENCH_TIMING === '2' ? new Map<string, string>() : null;
  const atMark = new Map<string, Map<string, number>>();
  const admin = roles ? new pg.Client({ connectionString: ADMIN }) : null;
  await admin?.connect();
  let polling = false;
  const poll = admin
    ? setInterval(() => {
        if (polling) return;
        polling = true;
        admin
          .query(`SELECT pid, query FROM pg_stat_activity WHERE datname = $1`, [database])
          .then((r) => {
            for (const row of r.rows as { pid: number; query: string }[]) {
              const role = /two_way_/.test(row.query) ? 'key map' : /side_a/.test(row.query) ? 'side A' : /side_b/.test(row.query) ? 'side B' : null;
              if (role && !roles!.has(String(row.pid))) roles!.set(String(row.pid), role);
            }
          })
          .catch(() => undefined)
          .finally(() => {
            polling = false;
          });
      }, 10)
    : null;
  const proc = spawn(process.execPath, [...workerFlags(), '--import', 'tsx', resolve(import.meta.dirname, 'two-way.ts')], {
    env: { ...process.env, TWO_WAY_PHASE: name, TWO_WAY_DB: database },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const marks = new Map<string, number>();
  let partial = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (d: string) => {
    partial += d;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    if (partial.length > 1024 * 1024) partial = '';
    for (const l of parts) {
      if (l.startsWith('MARK ')) {
        marks.set(l.slice(5), pgTotal());
        if (roles) atMark.set(l.slice(5), new Map(seen));
      }
      else if (l.startsWith('{') && lines.length < 16) lines.push(l);
    }
  });
  const timer = setInterval(() => backendCpu([database], seen, { autovacuum: false }), 20);
  const code = await new Promise<number | null>((res, rej) => {
    proc.on('error', rej);
    proc.on('close', res);
  });
  clearInterval(timer);
  if (poll) clearInterval(poll);
  await admin?.end();
  for (const [mark, end] of atMark) {
    if (!mark.startsWith('end ')) continue;
    const start = atMark.get(`start ${mark.slice(4)}`);
    const by = new Map<string, number>();
    for (const [pid, cpu] of end) {
      const role = roles!.get(pid) ?? 'other';
      by.set(role, (by.get(role) ?? 0) + cpu - (start?.get(pid) ?? before.get(pid) ?? 0));
    }
    console.error(`    ${mark.slice(4)}: Postgres CPU by backend: ${[...by].map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(', ')}`);
  }
  if (code !== 0) throw new Error(`phase ${name} exited with ${String(code)}`);
  if (lines.length === 0) throw new Error(`phase ${name} printed nothing`);
  const measured = seen.size > 0;
  return lines.map((l) => {
    const r = JSON.parse(l) as PhaseResult;
    const start = marks.get(`start ${r.phase}`);
    const end = marks.get(`end ${r.phase}`);
    return { ...r, pgCpuSeconds: measured && start !== undefined && end !== undefined ? Math.round((end - start) * 100) / 100 : null };
  });
}

async function main(): Promise<void> {
  const from = argValue('--from');
  const keepAs = argValue('--keep-as');
  const database = `weft_bench_tw_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(from ? `CREATE DATABASE ${database} TEMPLATE ${from} STRATEGY FILE_COPY` : `CREATE DATABASE ${database}`);
  let db = new pg.Client({ connectionString: dbUrl(database) });
  await db.connect();
  try {
    console.log(`Two-way sync bench: ${from ? `a copy of ${from}` : `${ROWS.toLocaleString('en-US')} records on each side`} (load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}; phases run with ${workerFlags().join(' ') || "Node's default heap"})`);
    let first: PhaseResult | null = null;
    if (!from) {
      const seeded = Date.now();
      for (const t of ['side_a', 'side_b', 'side_full', 'side_full_warm']) await db.query(TABLE(t));
      for (const t of ['side_a', 'side_b']) {
        await db.query(`INSERT INTO ${t} SELECT i, 'p' || i || '@example.com', 'Person ' || i, 'City ' || (i % 100), i * 1.25, timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second' FROM generate_series(1, ${ROWS}) i`);
        // The cursor column is indexed, as a table read incrementally by its updated_at has it in practice.
        await db.query(`CREATE INDEX ${t}_updated ON ${t} (updated_at)`);
        await db.query(`ANALYZE ${t}`);
      }
      console.log(`  seeded in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
      [first] = (await child('two-way-first', database)) as [PhaseResult];
      for (const sql of edits(0)) await db.query(sql);
      if (keepAs) {
        await db.end();
        await admin.query(`CREATE DATABASE ${keepAs} TEMPLATE ${database} STRATEGY FILE_COPY`);
        console.log(`  kept the database after the first run and the edits as ${keepAs} (run again with --from ${keepAs})`);
        db = new pg.Client({ connectionString: dbUrl(database) });
        await db.connect();
      }
    }
    const [incremental, incrementalWarm] = (await child('two-way-incremental', database)) as [PhaseResult, PhaseResult | undefined];
    if (process.argv.includes('--incremental-only')) {
      for (const r of [incremental, incrementalWarm]) if (r) console.log(JSON.stringify(r));
      return;
    }
    const [full, fullWarm] = (await child('full-one-way', database)) as [PhaseResult, PhaseResult | undefined];

    const row = (label: string, r: PhaseResult) =>
      `  ${label.padEnd(46)} ${r.seconds.toFixed(2).padStart(9)} s ${Math.round(r.rows / Math.max(r.seconds, 0.001)).toLocaleString('en-US').padStart(12)} rows/s ${r.rows.toLocaleString('en-US').padStart(12)} rows read ${String(r.peakRssMb).padStart(6)} MB peak RSS   CPU: worker ${r.cpuSeconds.toFixed(2)} s, Postgres ${r.pgCpuSeconds === null ? 'n/a' : `${r.pgCpuSeconds.toFixed(2)} s`}`;
    if (first) console.log(row('two-way, first run (match + key map)', first));
    console.log(row('two-way, incremental (1% + 1% changed), cold', incremental));
    if (incrementalWarm) console.log(row('two-way, incremental, warm (2nd in process)', incrementalWarm));
    console.log(row('baseline: full one-way run A → B, cold', full));
    if (fullWarm) console.log(row('baseline: full one-way, warm (2nd in process)', fullWarm));
    const ratio = (inc: PhaseResult, base: PhaseResult, how: string) => {
      const cpu = (r: PhaseResult) => (r.pgCpuSeconds === null ? null : r.cpuSeconds + r.pgCpuSeconds);
      const ci = cpu(inc);
      const cb = cpu(base);
      console.log(`  ${how}: incremental two-way is ${(base.seconds / inc.seconds).toFixed(1)}x faster than the full one-way run (target >= 20x)${ci !== null && cb !== null ? `; CPU (worker + Postgres) ${cb.toFixed(2)} s / ${ci.toFixed(2)} s = ${(cb / ci).toFixed(1)}x` : ''}; incremental wrote ${String(inc.writtenA)} to A and ${String(inc.writtenB)} to B, ${String(inc.conflicts)} conflicts settled`);
    };
    ratio(incremental, full, 'cold (each a fresh process)');
    if (incrementalWarm && fullWarm) ratio(incrementalWarm, fullWarm, 'warm (each the 2nd run in its process)');
  } finally {
    await db.end();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

if (phase) await runPhase(phase, process.env.TWO_WAY_DB ?? '');
else await main();
