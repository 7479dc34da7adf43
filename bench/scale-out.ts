// Scale-out: rows/s with 1, 2 and 4 `npm run worker` processes, in the scaled-out layout (its own Temporal dev
// server, a Postgres store, an API-only process, files in an S3-compatible bucket — moto's server — unless
// BENCH_FILES=local), then the exactly-once check after a worker is SIGKILLed mid-run.
//
// Two loads per worker count. Runs shared out: BENCH_RUNS (default 4; 0 skips it) runs of a BENCH_ROWS-row CSV (default
// 20,000) → Map → workspace object, started together; rows/s = all rows / the time from the first start to the last
// run's end. One partitioned run (issue 16): ONE run of a BENCH_PART_ROWS-row CSV (default 100,000; 0 skips it) read in
// BENCH_PARTS parts (default 4, the integration's parallelism setting), its parts run side by side on any worker.
// The kill phase SIGKILLs a worker holding a part of a partitioned run mid-partition and checks every row was
// written once. On this machine (2 cores, shared) the ceiling is the cores, not Weft: prints `uptime` with the figures.
// BENCH_WORKER_HEAP_MB=160 caps the workers' heap as `npm run worker` does (the parts a worker reads at once follow
// its heap, WEFT_MAX_PARTS_IN_FLIGHT overrides); the table prints the workers' peak RSS (VmHWM) after each load.
// BENCH_KILL_ROWS=0 skips the kill phase. Many runs on one small worker (the budget of pipelines read at once, issue
// 16): BENCH_WORKERS=1 BENCH_PART_ROWS=0 BENCH_KILL_ROWS=0 BENCH_RUNS=20 BENCH_WORKER_HEAP_MB=160; a load whose workers
// all died stops with why instead of waiting.
// Quick: BENCH_RUNS=0 BENCH_PART_ROWS=40000 BENCH_KILL_ROWS=8000 takes about 2.5 minutes here (mostly process starts).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Integration, PublishResult, RunDetail, UploadedFile } from '../shared';
import { freePort, startDevServer } from '../runtime/temporal/dev-server';
import { connectClient, customersCsv, customersGraph } from '../test/support/temporal-harness';
import { killHard, startWeftProcess, type WeftProcess } from '../test/faults/processes';
import { motoServerPath, startMoto, type Moto } from '../test/support/moto';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { admin } from '../test/support/pg-admin';

const ADMIN = process.env.WEFT_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROWS = Number(process.env.BENCH_ROWS ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 4);
const WORKERS = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number).filter((n) => n > 0);
const KILL_ROWS = Number(process.env.BENCH_KILL_ROWS ?? 6_000);
const PART_ROWS = Number(process.env.BENCH_PART_ROWS ?? 100_000);
const PARTS = Number(process.env.BENCH_PARTS ?? 4);
/** The workers' V8 heap cap in MB as `npm run worker` sets it (160); unset: Node's default (the parts cap follows it). */
const WORKER_HEAP_MB = process.env.BENCH_WORKER_HEAP_MB ? Number(process.env.BENCH_WORKER_HEAP_MB) : null;
const USE_S3 = (process.env.BENCH_FILES ?? (motoServerPath() ? 's3' : 'local')) === 's3';
const OWNER = { WEFT_OWNER_EMAIL: 'bench@example.com', WEFT_OWNER_PASSWORD: 'bench-scale-out-password' };
const log = (m: string) => console.log(`[bench:scale-out] ${m}`);

const rowsOf = (n: number, tag: string) => Array.from({ length: n }, (_, k) => ({ email: `${tag}${k + 1}@example.com`, name: `C ${k + 1}`, amount: String(k), active: 'yes' }));

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A process's peak resident memory so far (VmHWM, Linux), in MB; null where /proc is not there. */
function peakRssMb(pid: number | undefined): number | null {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim().replace(/^.*load average/, 'load average');

async function main() {
  const database = `weft_bench_scale_${randomBytes(5).toString('hex')}`;
  const url = new URL(ADMIN);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  await admin(ADMIN, `CREATE DATABASE ${database}`);
  const dir = await mkdtemp(join(tmpdir(), 'weft-bench-scale-'));
  const temporal = await startDevServer({ startTimeoutMs: 120_000 });
  let moto: Moto | null = null;
  const processes: WeftProcess[] = [];
  const results: { load: 'shared' | 'partitioned'; workers: number; rows: number; seconds: number; rowsPerSecond: number; uptime: string; peakMb: number | null }[] = [];
  try {
    const bucket = `weft-bench-${randomBytes(4).toString('hex')}`;
    if (USE_S3) {
      moto = await startMoto();
      await moto.createBucket(bucket);
    }
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const shared: Record<string, string> = {
      TEMPORAL_ADDRESS: temporal.address,
      DATABASE_URL: databaseUrl,
      WEFT_DATA_DIR: join(dir, 'data'),
      WEFT_SECRET_KEY: randomBytes(32).toString('base64'),
      WEFT_TASK_QUEUE: `bench-scale-${randomBytes(4).toString('hex')}`,
      WEFT_TEMPORAL_LOG_LEVEL: 'WARN',
      ...(moto ? { WEFT_FILES_URL: `s3://${bucket}/bench`, ...moto.env } : {}),
      ...OWNER,
    };
    // The workers only (the API and the bench keep Node's default heap).
    const workerEnv: Record<string, string> = WORKER_HEAP_MB ? { ...shared, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${WORKER_HEAP_MB} --max-semi-space-size=4`.trim() } : shared;
    log(`layout: API-only process, workers as separate processes, Postgres store, Temporal dev server, files ${moto ? `in s3://${bucket} (moto)` : 'on local disk'}; ${RUNS} runs × ${ROWS.toLocaleString('en-US')} rows per configuration`);
    processes.push(await startWeftProcess('runtime/main.ts', { ...shared, WEFT_ROLE: 'api', PORT: String(port), WEFT_SEED: 'false' }, 'Weft is ready at', 180_000));
    // The API may print that it is ready a moment before it accepts connections on a loaded machine.
    const res = await waitFor(
      'the API to accept a sign-in',
      () => fetch(`${base}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: OWNER.WEFT_OWNER_EMAIL, password: OWNER.WEFT_OWNER_PASSWORD }) }).then((r) => (r.ok ? r : null), () => null),
      60_000,
    );
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const call = async (path: string, init?: RequestInit) => {
      const r = await fetch(`${base}${path}`, { ...init, headers: { ...(init?.headers as Record<string, string> | undefined), cookie } });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return r.json() as Promise<unknown>;
    };
    const json = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

    /** An integration reading `rows` rows into its own object, published; returns how to start it. */
    async function prepare(name: string, rows: number, object: string, parallelism?: number) {
      const file = UploadedFile.parse(await call(`/api/files?name=${name}.csv`, { method: 'POST', body: customersCsv(rowsOf(rows, object)), headers: { 'content-type': 'text/csv' } }));
      const graph = { ...customersGraph({ fileId: file.id, object }), ...(parallelism && { settings: { parallelism } }) };
      const integration = Integration.parse(await call('/api/integrations', json({ name, graph })));
      PublishResult.parse(await call(`/api/integrations/${integration.id}/publish`, json({})));
      return () => call(`/api/integrations/${integration.id}/runs`, json({})) as Promise<{ runId: string; workflowId: string }>;
    }
    const finished = (runId: string, timeoutMs: number) =>
      waitFor(
        `run ${runId}`,
        async () => {
          if (workers.length > 0 && workers.every((w) => dead.has(w))) throw new Error(`every worker died with run ${runId} unfinished (the first said: ${deadWhy[0] ?? '?'})`);
          const r = RunDetail.parse(await call(`/api/runs/${runId}`));
          return ['completed', 'completed_with_errors', 'failed', 'cancelled'].includes(r.status) ? r : null;
        },
        timeoutMs,
      );
    /** Which worker ran each part's runPipeline (its last attempt), from the run's workflow history. */
    const partsPerWorker = async (workflowId: string) => {
      const { client, close } = await connectClient(temporal.address);
      try {
        const history = await client.workflow.getHandle(workflowId).fetchHistory();
        const scheduled = new Set<string>();
        const byWorker = new Map<string, number>();
        for (const e of history.events ?? []) {
          if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'runPipeline') scheduled.add(String(e.eventId));
          const started = e.activityTaskStartedEventAttributes;
          if (started && scheduled.has(String(started.scheduledEventId))) {
            const pid = (started.identity ?? '?').split('@')[0]!;
            byWorker.set(pid, (byWorker.get(pid) ?? 0) + 1);
          }
        }
        return [...byWorker].map(([pid, k]) => `${pid}: ${k}`).join(', ');
      } finally {
        await close();
      }
    };
    const tally = async (object: string) =>
      (await admin(databaseUrl, `SELECT count(*)::int AS records, count(DISTINCT key)::int AS keys, coalesce(max(write_count), 0)::int AS max FROM workspace_records WHERE object_name = '${object}'`))[0] as { records: number; keys: number; max: number };

    const workers: WeftProcess[] = [];
    const dead = new Set<WeftProcess>();
    const deadWhy: string[] = [];
    /** The highest peak RSS of the workers so far (a worker's peak covers every load it ran). */
    const maxPeak = (ws: readonly WeftProcess[]) => {
      const peaks = ws.map((w) => peakRssMb(w.child.pid)).filter((p): p is number => p !== null);
      return peaks.length > 0 ? Math.max(...peaks) : null;
    };
    for (const n of WORKERS) {
      while (workers.length < n) {
        const w = await startWeftProcess('runtime/worker-main.ts', workerEnv, '[worker] ready', 180_000);
        // A worker that dies under load (out of heap) leaves its parts to the others, or the run waiting: say so.
        void w.exited.then((code) => {
          dead.add(w);
          deadWhy.push(/FATAL ERROR[^\n]*/.exec(w.output())?.[0] ?? `exit ${String(code)}`);
          if (workers.includes(w)) log(`worker pid ${w.child.pid} exited (${code}) during the loads; its last output:\n${w.output().slice(-1500)}`);
        });
        workers.push(w);
        processes.push(w);
      }
      const tag = `w${n}_${randomBytes(2).toString('hex')}`;
      if (PART_ROWS > 0) {
        // A small partitioned run first, so the workers just started have loaded the workflow bundle and warmed up
        // (the first run on a fresh worker process is several times slower than the next).
        const warm = await prepare(`${tag}_warm`, 4_000, `${tag}_warm`, PARTS);
        await finished((await warm()).runId, 10 * 60_000);
        // One run, its source read in PARTS parts side by side.
        const object = `${tag}_parts`;
        const start = await prepare(object, PART_ROWS, object, PARTS);
        const t0 = performance.now();
        const { runId, workflowId } = await start();
        const d = await finished(runId, 30 * 60_000);
        const seconds = (performance.now() - t0) / 1000;
        if (n > 1) log(`${n} workers: parts per worker (pid: parts) ${await partsPerWorker(workflowId)}`);
        if (d.status !== 'completed' || d.counts.written !== PART_ROWS) throw new Error(`the partitioned run with ${n} workers: ${d.status}, ${JSON.stringify(d.counts)}`);
        const t = await tally(object);
        if (t.records !== PART_ROWS || t.keys !== PART_ROWS || t.max !== 1) throw new Error(`the partitioned run with ${n} workers wrote ${JSON.stringify(t)}`);
        const peakMb = maxPeak(workers);
        const row = { load: 'partitioned' as const, workers: n, rows: PART_ROWS, seconds, rowsPerSecond: PART_ROWS / seconds, uptime: uptime(), peakMb };
        results.push(row);
        log(`${n} worker(s), one run in ${PARTS} parts: ${PART_ROWS.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s = ${Math.round(row.rowsPerSecond).toLocaleString('en-US')} rows/s, worker peak RSS ${peakMb ?? '?'} MB (${row.uptime})`);
      }
      if (RUNS <= 0) continue;
      const starts = [];
      for (let i = 0; i < RUNS; i++) starts.push(await prepare(`${tag}_${i}`, ROWS, `${tag}_${i}`));
      const t0 = performance.now();
      const runs = await Promise.all(starts.map((s) => s()));
      const done = await Promise.all(runs.map((r) => finished(r.runId, 30 * 60_000)));
      const seconds = (performance.now() - t0) / 1000;
      for (const [i, d] of done.entries()) {
        if (d.status !== 'completed' || d.counts.written !== ROWS) throw new Error(`run ${i} with ${n} workers: ${d.status}, ${JSON.stringify(d.counts)}`);
        const t = await tally(`${tag}_${i}`);
        if (t.records !== ROWS || t.keys !== ROWS || t.max !== 1) throw new Error(`run ${i} with ${n} workers wrote ${JSON.stringify(t)}`);
      }
      const row = { load: 'shared' as const, workers: n, rows: RUNS * ROWS, seconds, rowsPerSecond: (RUNS * ROWS) / seconds, uptime: uptime(), peakMb: maxPeak(workers) };
      results.push(row);
      log(`${n} worker(s), ${RUNS} runs shared out: ${row.rows.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s = ${Math.round(row.rowsPerSecond).toLocaleString('en-US')} rows/s (${row.uptime})`);
    }

    // Exactly once after a worker is killed mid-partition: the run is read in PARTS parts; a worker holding a running
    // part is SIGKILLed once some batches committed; the other worker finishes that part from its own checkpoint.
    let once = true;
    let killedAt = 0;
    if (KILL_ROWS > 0) {
      if (workers.length < 2) workers.push(await startWeftProcess('runtime/worker-main.ts', shared, '[worker] ready', 180_000));
      const object = `kill_${randomBytes(2).toString('hex')}`;
      const start = await prepare(object, KILL_ROWS, object, PARTS);
      // Slow batches on a fresh pair of workers, so the kill lands mid-run: the throughput workers leave.
      for (const w of workers.splice(0)) await killHard(w);
      const slow = { ...shared, WEFT_BATCH_SIZE: '500', WEFT_BATCH_DELAY_MS: '300' };
      const pair = [await startWeftProcess('runtime/worker-main.ts', slow, '[worker] ready', 180_000), await startWeftProcess('runtime/worker-main.ts', slow, '[worker] ready', 180_000)];
      processes.push(...pair);
      const { runId, workflowId } = await start();
      const { client, close } = await connectClient(temporal.address);
      try {
        const holder = await waitFor(
          'the pipeline activity to be running on a worker',
          async () => {
            const r = RunDetail.parse(await call(`/api/runs/${runId}`));
            if (r.counts.written < 1_000) return null;
            killedAt = r.counts.written;
            const d = await client.workflow.getHandle(workflowId).describe();
            // A worker running a part (each part is its own runPipeline activity).
            const pids = (d.raw.pendingActivities ?? []).filter((a) => a.activityType?.name === 'runPipeline' && a.lastWorkerIdentity).map((a) => Number(a.lastWorkerIdentity!.split('@')[0]));
            return pair.find((w) => pids.includes(w.child.pid ?? NaN)) ?? null;
          },
          10 * 60_000,
        );
        await killHard(holder);
        log(`killed worker pid ${holder.child.pid} (SIGKILL) with ${killedAt.toLocaleString('en-US')} of ${KILL_ROWS.toLocaleString('en-US')} rows committed`);
      } finally {
        await close();
      }
      const run = await finished(runId, 15 * 60_000);
      const t = await tally(object);
      once = run.status === 'completed' && run.counts.written === KILL_ROWS && run.counts.created === KILL_ROWS && t.records === KILL_ROWS && t.keys === KILL_ROWS && t.max === 1;
      log(`after the kill: run ${run.status}, counts ${JSON.stringify(run.counts)}, workspace ${JSON.stringify(t)} → exactly once: ${once ? 'yes' : 'NO'}`);
    }

    console.log('\n| load | workers | rows | seconds | rows/s | vs 1 worker | worker peak RSS | load (uptime) |\n| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of results) {
      const one = results.find((x) => x.load === r.load && x.workers === 1)?.rowsPerSecond ?? r.rowsPerSecond;
      const what = r.load === 'partitioned' ? `one run in ${PARTS} parts` : `${RUNS} runs shared out`;
      console.log(`| ${what} | ${r.workers} | ${r.rows.toLocaleString('en-US')} | ${r.seconds.toFixed(1)} | ${Math.round(r.rowsPerSecond).toLocaleString('en-US')} | ${(r.rowsPerSecond / one).toFixed(2)}× | ${r.peakMb === null ? '?' : `${r.peakMb} MB`} | ${r.uptime} |`);
    }
    workers.splice(0); // stopped below on purpose: not "exited during the loads"
    if (KILL_ROWS > 0) console.log(`\nExactly once after a worker was killed mid-partition: ${once ? 'yes' : 'NO'} (${KILL_ROWS.toLocaleString('en-US')} rows in ${PARTS} parts, killed at ${killedAt.toLocaleString('en-US')} committed).`);
    console.log(`Ceiling: this machine has ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores shared by the API, the workers, Postgres, Temporal${moto ? ' and moto' : ''}; more workers than cores cannot add throughput here.`);
    if (!once) process.exitCode = 1;
  } catch (err) {
    if (processes[0]) console.error(`[bench:scale-out] the API process said:\n${processes[0].output().slice(-3000)}`);
    throw err;
  } finally {
    for (const p of processes) await killHard(p);
    await temporal.stop();
    await moto?.stop();
    await admin(ADMIN, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`[bench:scale-out] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
