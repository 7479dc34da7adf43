// Per-run latency (issue #16): how long a run takes end to end when it moves almost nothing, so what is measured is
// Weft's fixed cost per run (workflow start, activity round trips, bookkeeping), not rows. On Weft wired as
// `npm start` wires it (bench/weft-rig.ts: API + worker in one process, the store on PGlite in its own store process,
// or on Postgres with BENCH_STORE=postgres) with its own Temporal dev server on free ports; 127.0.0.1 only.
//
// The integration: a CSV file -> Map -> calculated field (commission = amount * 0.1) -> calculated field
// (synced_at = NOW(), the run's clock, so every run changes every record) -> upsert into a workspace object.
// Latency: from the API call that starts the run (POST /api/integrations/:id/runs) until the run is recorded as
// Completed (the workflow's result, which comes after the run's status is written; the status is then read back and
// checked, counts included). Printed: p50/p95 beside the targets, and where the time goes, from the timestamps of the
// workflow's history events and the run's own record.
//
// Env: BENCH_SMALL_RUNS (10-row runs one after another, default 30), BENCH_BIG_RUNS (10,000-row runs, default 10),
// BENCH_WAVES (rounds of 50 simultaneous 10-row runs, default 3), BENCH_WAVE_SIZE (default 50), BENCH_STORE,
// BENCH_DEADLINE_S (default 600), BENCH_PROFILE=1 (the store calls of a 10-row run, by method and by part).
// Quick: BENCH_SMALL_RUNS=10 BENCH_BIG_RUNS=3 BENCH_WAVES=1 takes about 40 s on a quiet 2-core machine.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import proto from '@temporalio/proto';
import { compile } from '../shared/compiler';
import type { Graph } from '../shared/graph/schema';
import { withFilePreview } from '../shared/graph/kinds/file-source';
import { workflowIdForRun } from '../runtime/temporal/client';
import { customersCsv, quietTemporalLogs } from '../test/support/temporal-harness';
import { startWeftRig, type RunTrace, type WeftRig } from './weft-rig';

const SMALL_RUNS = Number(process.env.BENCH_SMALL_RUNS ?? 30);
const BIG_RUNS = Number(process.env.BENCH_BIG_RUNS ?? 10);
const WAVES = Number(process.env.BENCH_WAVES ?? 3);
const WAVE_SIZE = Number(process.env.BENCH_WAVE_SIZE ?? 50);
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_S ?? 600) * 1000;
const PROFILE = process.env.BENCH_PROFILE === '1';
const STORE = process.env.BENCH_STORE === 'postgres' ? 'postgres' : 'pglite-process';
const log = (m: string) => console.log(`[bench:latency] ${m}`);

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
const sortNum = (values: readonly number[]) => [...values].sort((a, b) => a - b);
const ms = (n: number) => (Number.isFinite(n) ? (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`) : '-');
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

/**
 * CPU time (ms) of this process (API and worker), the store process and the Temporal dev server: on a shared machine
 * the wall times move with the load, the CPU a run costs each process much less.
 */
interface CpuMark {
  weft: number;
  store: number;
  temporal: number;
}
const procCpuMs = (pid: number | null): number => {
  if (pid === null) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
  } catch {
    return NaN;
  }
};
const cpuMark = (rig: WeftRig): CpuMark => {
  const own = process.cpuUsage();
  return { weft: (own.user + own.system) / 1000, store: procCpuMs(rig.storePid()), temporal: procCpuMs(rig.server.pid) };
};
const cpuPerRun = (a: CpuMark, b: CpuMark, runs: number): string => {
  const per = (k: keyof CpuMark) => ms((b[k] - a[k]) / Math.max(1, runs));
  return `CPU per run: Weft (API + worker) ${per('weft')}, store process ${per('store')}, Temporal ${per('temporal')}`;
};

/** CSV -> Map -> commission -> synced_at = NOW() -> workspace object `object`, upsert by Email. */
function latencyGraph(file: { id: string; name: string; columns: unknown }, object: string): Graph {
  return {
    version: 1,
    nodes: [
      {
        id: 'source',
        kind: 'csv-source',
        label: file.name,
        position: { x: 0, y: 0 },
        config: withFilePreview({ fileId: file.id, fileName: file.name, delimiter: ',', hasHeader: true, columns: file.columns }),
      },
      {
        id: 'map',
        kind: 'map',
        label: 'Map fields',
        position: { x: 300, y: 0 },
        config: {
          fields: [
            { source: 'Email', target: 'email', type: 'text', key: true },
            { source: 'Name', target: 'name', type: 'text', key: false },
            { source: 'Amount', target: 'amount', type: 'number', key: false },
            { source: 'Active', target: 'active', type: 'boolean', key: false },
          ],
        },
      },
      { id: 'commission', kind: 'calculated-field', label: 'Commission', position: { x: 600, y: 0 }, config: { field: 'commission', formula: '[amount] * 0.1' } },
      { id: 'synced', kind: 'calculated-field', label: 'Synced at', position: { x: 900, y: 0 }, config: { field: 'synced_at', formula: 'NOW()' } },
      { id: 'target', kind: 'workspace-target', label: object, position: { x: 1200, y: 0 }, config: { object, mode: 'upsert' } },
    ],
    edges: [
      { id: 'e1', source: 'source', target: 'map' },
      { id: 'e2', source: 'map', target: 'commission' },
      { id: 'e3', source: 'commission', target: 'synced' },
      { id: 'e4', source: 'synced', target: 'target' },
    ],
  } as Graph;
}

interface Timed {
  runId: string;
  workflowId: string;
  /** performance.now() and Date.now() at the API call, so history timestamps (wall clock) can be placed on it. */
  t0: number;
  wall0: number;
  answered: number;
  done: number;
}

/** One event of a workflow's history that the breakdown places, with its wall-clock time in ms. */
interface Mark {
  label: string;
  at: number;
}

const EVENT = proto.temporal.api.enums.v1.EventType;
const eventName = (t: number | null | undefined) =>
  (EVENT[t ?? 0] ?? String(t))
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const tsMs = (ts: { seconds?: unknown; nanos?: number | null } | null | undefined) => (ts ? Number(ts.seconds ?? 0) * 1000 + (ts.nanos ?? 0) / 1e6 : NaN);

/** The history's events as marks: activity events carry their activity's name, markers (local activities) theirs. */
async function historyMarks(rig: WeftRig, workflowId: string): Promise<Mark[]> {
  const history = await rig.client.workflow.getHandle(workflowId).fetchHistory();
  const names = new Map<string, string>();
  const marks: Mark[] = [];
  for (const e of history.events ?? []) {
    let label = eventName(e.eventType);
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) names.set(String(e.eventId), scheduled.activityType?.name ?? '?');
    const of =
      scheduled?.activityType?.name ??
      names.get(String(e.activityTaskStartedEventAttributes?.scheduledEventId ?? e.activityTaskCompletedEventAttributes?.scheduledEventId ?? e.activityTaskFailedEventAttributes?.scheduledEventId ?? ''));
    if (of) label = `${label} ${of}`;
    if (e.markerRecordedEventAttributes) {
      const data = e.markerRecordedEventAttributes.details?.data?.payloads?.[0]?.data;
      const type = data ? /"activityType":"([^"]+)"/.exec(Buffer.from(data).toString('utf8'))?.[1] : undefined;
      label = `local activity ${type ?? e.markerRecordedEventAttributes.markerName ?? ''} recorded`;
    }
    marks.push({ label, at: tsMs(e.eventTime) });
  }
  return marks;
}

/** Median time of each step of the run, in order: API call -> history events -> run record -> result in hand. */
async function breakdown(rig: WeftRig, runs: readonly Timed[]): Promise<string[]> {
  const series = new Map<string, number[]>();
  const order: string[] = [];
  for (const r of runs) {
    const marks = await historyMarks(rig, r.workflowId);
    const run = await rig.store.getRun(r.runId);
    const all: Mark[] = [
      { label: 'API call sent', at: r.wall0 },
      { label: 'API answered (run recorded, workflow started)', at: r.wall0 + (r.answered - r.t0) },
      ...marks,
      ...(run?.createdAt ? [{ label: 'run record: created', at: Date.parse(run.createdAt) }] : []),
      ...(run?.startedAt ? [{ label: 'run record: started (running)', at: Date.parse(run.startedAt) }] : []),
      ...(run?.endedAt ? [{ label: 'run record: ended (completed)', at: Date.parse(run.endedAt) }] : []),
      { label: 'result in the caller', at: r.wall0 + (r.done - r.t0) },
    ].sort((a, b) => a.at - b.at);
    // Repeated labels (a second workflow task) are numbered, so runs of the same shape line up.
    const seen = new Map<string, number>();
    for (let i = 1; i < all.length; i += 1) {
      const n = (seen.get(all[i]!.label) ?? 0) + 1;
      seen.set(all[i]!.label, n);
      const key = `${all[i - 1]!.label.replace(/ #\d+$/, '')} -> ${all[i]!.label}${n > 1 ? ` #${n}` : ''}`;
      if (!series.has(key)) {
        series.set(key, []);
        order.push(key);
      }
      series.get(key)!.push(all[i]!.at - all[i - 1]!.at);
    }
  }
  const width = Math.max(...order.map((k) => k.length));
  return order.map((k) => {
    const values = sortNum(series.get(k)!);
    return `  ${k.padEnd(width)}  ${ms(quantile(values, 0.5)).padStart(8)}${values.length < runs.length ? `  (${values.length}/${runs.length} runs)` : ''}`;
  });
}

/**
 * Where the time of runs made one at a time goes, by part (mean per run): the API's request (and inside it the
 * Temporal start), each activity (local or not) and the alerts, with the store calls and SQL statements made inside
 * each; "Temporal and the rest" is the wall time outside every part (workflow tasks, queues, history, HTTP, the result).
 */
function partsTable(trace: RunTrace, runs: readonly Timed[], profile: boolean): string[] {
  const n = Math.max(1, runs.length);
  const paths = new Map<string, number>();
  for (const s of trace.spans) paths.set(s.path, (paths.get(s.path) ?? 0) + (s.end - s.start));
  // Outside every top-level part, run by run (the runs were one at a time, so a run's parts lie inside its interval).
  let rest = 0;
  let wall = 0;
  for (const r of runs) {
    const top = trace.spans.filter((s) => !s.path.includes(' > ') && s.end > r.t0 && s.start < r.done).map((s) => [Math.max(s.start, r.t0), Math.min(s.end, r.done)] as const);
    top.sort((a, b) => a[0] - b[0]);
    let covered = 0;
    let until = r.t0;
    for (const [a, b] of top) {
      if (b <= until) continue;
      covered += b - Math.max(a, until);
      until = b;
    }
    wall += r.done - r.t0;
    rest += r.done - r.t0 - covered;
  }
  const order = [...paths.keys()].sort((a, b) => {
    const first = (p: string) => Math.min(...trace.spans.filter((s) => s.path === p).map((s) => s.start));
    const [ra, rb] = [a.split(' > ')[0]!, b.split(' > ')[0]!];
    return ra === rb ? (a.length === ra.length ? -1 : b.length === rb.length ? 1 : first(a) - first(b)) : first(ra) - first(rb);
  });
  const width = Math.max(30, ...order.map((p) => p.length + 2));
  const lines = [`  ${'part'.padEnd(width)}${'time'.padStart(9)}${'store calls'.padStart(13)}${'SQL stmts'.padStart(11)}${'store time'.padStart(12)}`];
  for (const p of order) {
    const calls = trace.calls.get(p);
    const storeCalls = calls ? [...calls.store.values()].reduce((a, c) => a + c.calls, 0) : 0;
    const storeMs = calls ? [...calls.store.values()].reduce((a, c) => a + c.ms, 0) : 0;
    const label = p.includes(' > ') ? `  ${p.split(' > ').slice(1).join(' > ')}` : p;
    lines.push(`  ${label.padEnd(width)}${ms(paths.get(p)! / n).padStart(9)}${(storeCalls / n).toFixed(1).padStart(13)}${((calls?.sql ?? 0) / n).toFixed(1).padStart(11)}${ms(storeMs / n).padStart(12)}`);
    if (profile && calls) {
      for (const [method, c] of [...calls.store].sort((a, b) => b[1].ms - a[1].ms)) lines.push(`      ${method.padEnd(width - 4)}${''.padStart(9)}${(c.calls / n).toFixed(1).padStart(13)}${''.padStart(11)}${ms(c.ms / n).padStart(12)}`);
    }
  }
  lines.push(`  ${'Temporal and the rest'.padEnd(width)}${ms(rest / n).padStart(9)}   (workflow tasks, task queues, history, HTTP, the result: outside every part)`);
  // The rest, gap by gap: from the Temporal start's answer to the first activity (the first workflow task), between
  // activities (a workflow task, an activity's dispatch), from the last one to the result in the caller.
  const gaps = new Map<string, number[]>();
  for (const r of runs) {
    const inRun = trace.spans.filter((s) => s.start >= r.t0 && s.end <= r.done);
    const started = inRun.find((s) => s.path.endsWith(' > Temporal start'));
    const marks = [
      ...(started ? [{ name: 'Temporal start answered', at: started.end, end: started.end }] : []),
      ...inRun.filter((s) => !s.path.includes(' > ') && !s.path.startsWith('API ')).map((s) => ({ name: s.path, at: s.start, end: s.end })),
    ].sort((a, b) => a.at - b.at);
    marks.push({ name: 'result in the caller', at: r.done, end: r.done });
    for (let i = 1; i < marks.length; i += 1) {
      const key = `${marks[i - 1]!.name} -> ${marks[i]!.name}`;
      gaps.set(key, [...(gaps.get(key) ?? []), marks[i]!.at - marks[i - 1]!.end]);
    }
  }
  for (const [key, values] of gaps) lines.push(`    ${`gap: ${key}`.padEnd(width - 2)}${ms(values.reduce((a, b) => a + b, 0) / values.length).padStart(9)}${values.length < runs.length ? `   (${values.length}/${runs.length} runs)` : ''}`);
  lines.push(`  ${'total (API call -> result)'.padEnd(width)}${ms(wall / n).padStart(9)}`);
  return lines;
}

async function main() {
  quietTemporalLogs('ERROR');
  const startedAt = performance.now();
  const left = () => DEADLINE_MS - (performance.now() - startedAt);
  setTimeout(() => {
    console.error('[bench:latency] deadline passed; exiting.');
    process.exit(2);
  }, DEADLINE_MS + 60_000).unref();
  const rig = await startWeftRig({ name: 'latency', taskQueue: 'bench-latency', store: STORE, log, countStoreCalls: true, trace: true });
  const table: string[] = [];
  const notes: string[] = [];
  try {
    const integrationOf = async (rows: number, object: string) => {
      const csv = customersCsv(Array.from({ length: rows }, (_, k) => ({ email: `r${k}@example.com`, name: `R ${k}`, amount: String(k % 1000), active: k % 2 ? 'yes' : 'no' })));
      const file = (await rig.call('POST', `/api/files?name=${object}.csv`, csv, 'text/csv')) as { id: string; name: string; columns: unknown };
      const graph = latencyGraph(file, object);
      const { diagnostics } = compile(graph);
      if (diagnostics.some((d) => d.severity === 'error')) throw new Error(`The bench graph does not compile: ${diagnostics.map((d) => d.message).join('; ')}`);
      const integration = await rig.call('POST', '/api/integrations', { name: `Latency: ${rows} rows`, graph });
      await rig.call('POST', `/api/integrations/${String(integration.id)}/publish`);
      return { id: String(integration.id), rows };
    };

    /** Starts one run through the API and waits until it is recorded Completed with every row written. */
    const runOnce = async (integration: { id: string; rows: number }): Promise<Timed> => {
      const t0 = performance.now();
      const wall0 = Date.now();
      const { runId } = (await rig.call('POST', `/api/integrations/${integration.id}/runs`, {}, 'application/json', AbortSignal.timeout(Math.max(1000, Math.round(left()))))) as { runId: string };
      const answered = performance.now();
      const workflowId = workflowIdForRun(runId);
      const result = (await rig.client.workflow.getHandle(workflowId).result()) as { status: string };
      const done = performance.now();
      if (result.status !== 'completed') throw new Error(`run ${runId} ended ${result.status}`);
      // The run's status and counts only (getRunState, two queries): the check should cost the store little, since
      // with 50 at once it runs beside the other runs.
      const run = await rig.store.getRunState(runId);
      if (run?.status !== 'completed' || run.counts.read !== integration.rows || run.counts.written !== integration.rows) {
        throw new Error(`run ${runId}: recorded ${run?.status}, read ${run?.counts.read}, written ${run?.counts.written} of ${integration.rows}`);
      }
      return { runId, workflowId, t0, wall0, answered, done };
    };
    const latencyOf = (t: Timed) => t.done - t.t0;

    const small = await integrationOf(10, 'latency_small');
    const big = await integrationOf(10_000, 'latency_big');
    log('warming up (3 runs of each)…');
    for (let i = 0; i < 3; i += 1) {
      await runOnce(small);
      await runOnce(big);
    }

    const row = (what: string, n: string, p50: number, p95: number, target: string, met: boolean, loadNow: string) =>
      table.push(`${what.padEnd(44)}${n.padStart(7)}${ms(p50).padStart(10)}${ms(p95).padStart(10)}${target.padStart(14)}${(met ? 'met' : 'MISSED').padStart(8)}   ${loadNow}`);

    log(`${SMALL_RUNS} 10-row runs, one after another…`);
    const smallRuns: Timed[] = [];
    rig.storeCalls.clear();
    rig.trace?.reset();
    const smallCpu0 = cpuMark(rig);
    const smallT0 = process.hrtime.bigint() / 1000n;
    for (let i = 0; i < SMALL_RUNS && left() > 120_000; i += 1) smallRuns.push(await runOnce(small));
    if (PROFILE) notes.push(`10-row runs on the monotonic clock: ${smallT0} .. ${process.hrtime.bigint() / 1000n} µs.`);
    notes.push(`10-row runs one at a time: ${cpuPerRun(smallCpu0, cpuMark(rig), smallRuns.length)}.`);
    const smallParts = rig.trace ? partsTable(rig.trace, smallRuns, PROFILE) : [];
    const perRun = [...rig.storeCalls].sort((a, b) => b[1].ms - a[1].ms);
    const callsPerRun = perRun.reduce((n, [, c]) => n + c.calls, 0) / Math.max(1, smallRuns.length);
    notes.push(`Store calls per 10-row run (API and worker): ${callsPerRun.toFixed(1)}.`);
    if (PROFILE) {
      for (const [name, c] of perRun) notes.push(`  ${name.padEnd(36)} ${(c.calls / smallRuns.length).toFixed(1).padStart(5)} calls  ${ms(c.ms / smallRuns.length).padStart(8)} per run`);
    }
    const smallLat = sortNum(smallRuns.map(latencyOf));
    row('10-row run, one at a time', String(smallLat.length), quantile(smallLat, 0.5), quantile(smallLat, 0.95), 'p50 < 100 ms', quantile(smallLat, 0.5) < 100, load());

    log(`${BIG_RUNS} 10,000-row runs, one after another…`);
    const bigRuns: Timed[] = [];
    rig.trace?.reset();
    const bigCpu0 = cpuMark(rig);
    const bigT0 = process.hrtime.bigint() / 1000n;
    for (let i = 0; i < BIG_RUNS && left() > 90_000; i += 1) bigRuns.push(await runOnce(big));
    if (PROFILE) notes.push(`10,000-row runs on the monotonic clock: ${bigT0} .. ${process.hrtime.bigint() / 1000n} µs.`);
    notes.push(`10,000-row runs: ${cpuPerRun(bigCpu0, cpuMark(rig), bigRuns.length)}.`);
    const bigParts = rig.trace ? partsTable(rig.trace, bigRuns, PROFILE) : [];
    const bigLat = sortNum(bigRuns.map(latencyOf));
    row('10,000-row run, one at a time', String(bigLat.length), quantile(bigLat, 0.5), quantile(bigLat, 0.95), '< 250 ms', quantile(bigLat, 0.5) < 250, load());

    const waveAll: number[] = [];
    const waveEach: number[] = [];
    const waveCpu0 = cpuMark(rig);
    // The waves' window on the monotonic clock (µs), as CPU profiles (node --cpu-prof) time their samples.
    const waveT0 = process.hrtime.bigint() / 1000n;
    for (let w = 0; w < WAVES && left() > 60_000; w += 1) {
      log(`${WAVE_SIZE} 10-row runs at once (round ${w + 1} of ${WAVES})…`);
      const t0 = performance.now();
      const done = await Promise.all(Array.from({ length: WAVE_SIZE }, () => runOnce(small)));
      waveAll.push(performance.now() - t0);
      waveEach.push(...done.map(latencyOf));
    }
    notes.push(`50 at once: ${cpuPerRun(waveCpu0, cpuMark(rig), waveEach.length)}.`);
    if (PROFILE) notes.push(`Waves on the monotonic clock: ${waveT0} .. ${process.hrtime.bigint() / 1000n} µs.`);
    const all = sortNum(waveAll);
    const each = sortNum(waveEach);
    row(`${WAVE_SIZE} x 10-row at once: all done (per round)`, String(all.length), quantile(all, 0.5), all[all.length - 1] ?? NaN, '< 2 s', quantile(all, 0.5) < 2000, load());
    table.push(`${`  each of them`.padEnd(44)}${String(each.length).padStart(7)}${ms(quantile(each, 0.5)).padStart(10)}${ms(quantile(each, 0.95)).padStart(10)}`);
    notes.push(`For the "all done" row, p95 is the slowest round.`);

    console.log(`\nA 10-row run by part (mean per run over ${smallRuns.length} runs one at a time; the store's time is inside its part's):`);
    for (const l of smallParts) console.log(l);
    console.log(`\nA 10,000-row run by part (mean over ${bigRuns.length} runs):`);
    for (const l of bigParts) console.log(l);
    console.log(`\nWhere a 10-row run's time goes (median over ${smallRuns.length} runs; wall-clock timestamps of the API call, the workflow's history events and the run record):`);
    for (const l of await breakdown(rig, smallRuns)) console.log(l);
    console.log(`\nWhere a 10,000-row run's time goes (median over ${bigRuns.length} runs):`);
    for (const l of await breakdown(rig, bigRuns)) console.log(l);
  } finally {
    await rig.close();
  }
  console.log(`\nPer-run latency: CSV -> Map -> 2 calculated fields -> workspace upsert; store ${STORE === 'postgres' ? 'Postgres' : 'PGlite store process (as npm start)'}; real Temporal dev server; 2-core machine.`);
  console.log('Latency: from the API call that starts a run until the run is recorded Completed (checked, with its counts).\n');
  console.log(`${'runs'.padEnd(44)}${'n'.padStart(7)}${'p50'.padStart(10)}${'p95'.padStart(10)}${'target'.padStart(14)}${''.padStart(8)}   load (1/5/15 min)`);
  for (const l of table) console.log(l);
  for (const n of notes) console.log(n);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
