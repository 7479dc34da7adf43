// Operations bench (issue #13): prints one table of figures, one part after another.
//
// Schedules: BENCH_OPS_INTEGRATIONS (default 100) published integrations, each with a real Temporal Schedule "every
// minute" saved through Weft's API (PUT /api/integrations/:id/schedule → runtime/temporal/schedules.ts), on Weft wired
// as `npm start` wires it (API + worker in one process, PGlite store; the API called in process) with its own Temporal dev server on free ports.
// It runs in REAL time for BENCH_OPS_MINUTES (default 5) minute boundaries: the dev server has no time skipping (only
// Temporal's test server does, and that is not what Weft runs on), and triggering each schedule by hand would measure
// the trigger, not the schedule. So the bench takes about BENCH_OPS_MINUTES + 2 minutes. It then checks that every
// expected firing (integration × minute boundary in the window) started exactly one scheduledSync workflow and
// recorded exactly one run, and reports the start delays from the scheduled time. The script stops by itself
// (BENCH_DEADLINE_S, default 900 s).
//
// More parts join the table by adding one entry to PARTS (each answers `{ label, value }[]`); the record inbox's list and
// filter times at 100,000 rejected records come from bench/ops-inbox.ts (also runnable alone: npm run bench:ops-inbox).
import { cpus, loadavg } from 'node:os';
import { scheduledRunId } from '../runtime/activities';
import { createScheduleKeeper } from '../runtime/temporal/schedules';
import { benchInbox } from './ops-inbox';
import { startWeftRig } from './weft-rig';
import { isTerminalRun, type Run } from '../shared';
import { customersCsv, customersGraph, quietTemporalLogs } from '../test/support/temporal-harness';

export interface BenchRow {
  label: string;
  value: string;
}

const TASK_QUEUE = 'bench-ops';
const INTEGRATIONS = Number(process.env.BENCH_OPS_INTEGRATIONS ?? 100);
const MINUTES = Number(process.env.BENCH_OPS_MINUTES ?? 5);
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_S ?? 900) * 1000;
const MINUTE = 60_000;
const log = (m: string) => console.log(`[bench:ops] ${m}`);

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
const ms = (n: number) => (Number.isFinite(n) ? (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`) : '-');
const sleep = (n: number) => new Promise((done) => setTimeout(done, Math.max(0, n)));
const p50p95 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${ms(quantile(sorted, 0.5))} / ${ms(quantile(sorted, 0.95))} (max ${ms(sorted[sorted.length - 1] ?? NaN)}, n = ${sorted.length})`;
};

/** The scheduled time Temporal appends to a scheduled workflow's id: `scheduled-<integration>-2026-12-06T04:20:00Z`. */
export function scheduledTimeOf(workflowId: string): { integrationId: string; at: number } | null {
  const m = /^scheduled-(.+)-(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)$/.exec(workflowId);
  return m ? { integrationId: m[1]!, at: Date.parse(m[2]!) } : null;
}

async function benchSchedules(): Promise<BenchRow[]> {
  const started = Date.now();
  const left = () => DEADLINE_MS - (Date.now() - started);
  let keeper: ReturnType<typeof createScheduleKeeper> | null = null;
  const ids: string[] = [];
  // Weft as `npm start` wires it (bench/weft-rig.ts), PGlite in this process; its routes are called in-process
  // (app.request), signed in with an owner's API token: the same routes, checks and schedule keeper as over HTTP.
  const rig = await startWeftRig({
    name: 'ops',
    taskQueue: TASK_QUEUE,
    store: 'pglite',
    http: false,
    log,
    api: (client) => {
      keeper = createScheduleKeeper({ client, taskQueue: TASK_QUEUE });
      return { schedules: keeper };
    },
  });
  const { store, client, call } = rig;
  const schedules = keeper!;
  try {
    // 100 small integrations: a 5-row CSV each into its own Workspace object.
    const csv = customersCsv(Array.from({ length: 5 }, (_, k) => ({ email: `r${k}@example.com`, name: `R ${k}`, amount: String(k), active: 'yes' })));
    for (let i = 0; i < INTEGRATIONS; i += 1) {
      const file = await call('POST', `/api/files?name=ops-${i}.csv`, csv, 'text/csv');
      const made = await call('POST', '/api/integrations', { name: `Ops ${i}`, graph: customersGraph({ fileId: String(file.id), fileName: `ops-${i}.csv`, object: `ops_${i}` }) });
      await call('POST', `/api/integrations/${String(made.id)}/publish`);
      ids.push(String(made.id));
    }
    log(`${ids.length} integrations published; saving ${ids.length} schedules "every minute"…`);
    const saveStart = Date.now();
    for (const id of ids) await call('PUT', `/api/integrations/${id}/schedule`, { cadence: { kind: 'minutes', every: 1 }, timeZone: 'UTC', enabled: true });
    const saved = Date.now();
    // What Temporal has counted as skipped so far (overlap policy SKIP), per schedule, and when it was read.
    const skipsNow = async () => {
      const out = new Map<string, { at: number; skipped: number }>();
      for (const id of ids) out.set(id, { skipped: (await schedules.describe(id))?.skippedOverlap ?? 0, at: Date.now() });
      return out;
    };
    const baseline = await skipsNow();
    // The window: the first minute boundary after the last schedule was saved (and the baseline read), and the next MINUTES - 1.
    const first = Math.ceil((Date.now() + 1) / MINUTE) * MINUTE;
    const last = first + (MINUTES - 1) * MINUTE;
    log(`schedules saved in ${ms(saved - saveStart)}; counting firings at ${new Date(first).toISOString()} … ${new Date(last).toISOString()} (${MINUTES} boundaries)`);
    const loadBefore = loadavg()[0]!;
    await sleep(Math.min(last - Date.now() + 5_000, left() - 120_000));
    const after = await skipsNow();
    // Stop the cadence (pause through the keeper), then let the last firings' runs end.
    for (const id of ids) await call('PUT', `/api/integrations/${id}/schedule`, { cadence: { kind: 'minutes', every: 1 }, timeZone: 'UTC', enabled: false });
    log('window over, schedules paused; waiting for the last runs to end…');
    const runsOf = async () => (await Promise.all(ids.map(async (id) => (await store.listRuns(id, { limit: 500 })).items))).flat();
    const settleUntil = Date.now() + Math.min(180_000, left() - 30_000);
    let runs: Run[] = await runsOf();
    while (runs.some((r) => !isTerminalRun(r.status)) && Date.now() < settleUntil) {
      await sleep(2_000);
      runs = await runsOf();
    }

    // What Temporal started: every scheduledSync workflow, with the scheduled time from its id.
    const workflows: { integrationId: string; at: number; startedAt: number; runId: string }[] = [];
    for await (const wf of client.workflow.list({ query: `WorkflowType = 'scheduledSync'` })) {
      const when = scheduledTimeOf(wf.workflowId);
      if (when) workflows.push({ ...when, startedAt: wf.startTime.getTime(), runId: scheduledRunId(wf.workflowId) });
    }
    const runById = new Map(runs.map((r) => [r.id, r]));
    const inWindow = workflows.filter((w) => w.at >= first && w.at <= last);
    const perFiring = new Map<string, number>();
    for (const w of inWindow) perFiring.set(`${w.integrationId}@${w.at}`, (perFiring.get(`${w.integrationId}@${w.at}`) ?? 0) + 1);
    const expected = ids.length * MINUTES;
    let missing = 0;
    for (const id of ids) for (let t = first; t <= last; t += MINUTE) if (!perFiring.has(`${id}@${t}`)) missing += 1;
    const twice = [...perFiring.values()].filter((n) => n > 1).length;
    const windowRuns = inWindow.map((w) => runById.get(w.runId)).filter((r): r is Run => r !== undefined);
    const scheduledRuns = runs.filter((r) => r.trigger === 'schedule');
    const outside = workflows.length - inWindow.length;
    const statuses = new Map<string, number>();
    for (const r of windowRuns) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    const at = new Map(inWindow.map((w) => [w.runId, w.at]));
    const workflowDelay = inWindow.map((w) => w.startedAt - w.at);
    const runDelay = windowRuns.flatMap((r) => (r.startedAt ? [Date.parse(r.startedAt) - at.get(r.id)!] : []));
    const endDelay = windowRuns.flatMap((r) => (r.endedAt ? [Date.parse(r.endedAt) - at.get(r.id)!] : []));
    const exact = missing === 0 && twice === 0 && windowRuns.length === expected;
    // Each firing either started its run or was skipped by the overlap policy, none twice: per integration, between
    // its two reads of Temporal's skip count, runs started + skips counted = minute boundaries passed. (Temporal's
    // scheduler can lag a boundary by seconds under load, so a boundary just before a read may land on either side.)
    let unaccounted = 0;
    let skippedAll = 0;
    for (const id of ids) {
      const from = baseline.get(id)!;
      const to = after.get(id)!;
      const boundaries = Math.floor(to.at / MINUTE) - Math.floor(from.at / MINUTE);
      const startedIn = workflows.filter((w) => w.integrationId === id && w.at > from.at && w.at <= to.at).length;
      skippedAll += to.skipped - from.skipped;
      unaccounted += Math.abs(boundaries - startedIn - (to.skipped - from.skipped));
    }
    const skippedRuns = runs.filter((r) => r.status === 'skipped').length;
    const loadAfter = loadavg()[0]!;
    return [
      { label: 'schedules (every minute, real Temporal Schedules)', value: `${ids.length}, saved through the API in ${ms(saved - saveStart)}` },
      { label: 'window (minute boundaries, real time)', value: `${MINUTES}: ${new Date(first).toISOString().slice(11, 16)}–${new Date(last).toISOString().slice(11, 16)} UTC` },
      { label: 'expected firings (integrations × boundaries)', value: String(expected) },
      { label: 'scheduledSync workflows started in the window', value: String(inWindow.length) },
      { label: 'firings missing / started twice', value: `${missing} / ${twice}` },
      { label: 'runs recorded for them (trigger "schedule")', value: `${windowRuns.length} (${scheduledRuns.length} in all, ${outside} firing(s) outside the window)` },
      { label: 'their statuses', value: [...statuses].map(([s, n]) => `${s} ${n}`).join(', ') || '-' },
      { label: 'firings skipped by the overlap policy in the window (Temporal count); Skipped runs in history, all', value: `${skippedAll}; ${skippedRuns}` },
      { label: 'every expected run happened exactly once', value: exact ? 'yes' : `no: ${missing} skipped while the previous run still went` },
      { label: 'every firing started once or was skipped (none lost, none twice)', value: unaccounted === 0 && twice === 0 ? 'yes' : `NO (${unaccounted} unaccounted)` },
      { label: 'delay scheduled time → workflow start, p50 / p95', value: p50p95(workflowDelay) },
      { label: 'delay scheduled time → run started (pipeline), p50 / p95', value: p50p95(runDelay) },
      { label: 'delay scheduled time → run ended, p50 / p95', value: p50p95(endDelay) },
      { label: 'machine load average (1 min) at the window start / end', value: `${loadBefore.toFixed(1)} / ${loadAfter.toFixed(1)} on ${cpus().length} cores` },
    ];
  } finally {
    for (const id of ids) await schedules.remove(id).catch(() => undefined);
    await rig.close();
  }
}

/** The parts of the table, in order; each is independent and answers its rows. */
const PARTS: { title: string; run: () => Promise<BenchRow[]> }[] = [
  { title: 'Schedules', run: benchSchedules },
  { title: 'Record inbox (100,000 rejected records)', run: benchInbox },
];

async function main() {
  quietTemporalLogs('ERROR');
  setTimeout(() => {
    console.error('[bench:ops] deadline passed; exiting.');
    process.exit(2);
  }, DEADLINE_MS + 60_000).unref();
  const table: { part: string; row: BenchRow }[] = [];
  for (const part of PARTS) {
    log(`${part.title}…`);
    for (const row of await part.run()) table.push({ part: part.title, row });
  }
  const w1 = Math.max(4, ...table.map((t) => t.part.length));
  const w2 = Math.max(7, ...table.map((t) => t.row.label.length));
  console.log('');
  console.log(`| ${'part'.padEnd(w1)} | ${'measure'.padEnd(w2)} | value |`);
  console.log(`| ${'-'.repeat(w1)} | ${'-'.repeat(w2)} | ----- |`);
  for (const t of table) console.log(`| ${t.part.padEnd(w1)} | ${t.row.label.padEnd(w2)} | ${t.row.value} |`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
