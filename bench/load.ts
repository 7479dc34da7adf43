// Load: many small runs at once and an API read load, on Weft wired as `npm start` wires it (API + worker in one
// process, the store on PGlite in its own store process, or on Postgres with BENCH_STORE=postgres) with its own Temporal dev server on free
// ports. Everything talks to 127.0.0.1 only, and the script stops by itself (BENCH_DEADLINE_S, default 600 s).
// Prints completion counts and p50/p95 latencies so regressions show. Env: BENCH_WAVES (default "50,500"),
// BENCH_READS (GET /api/integrations requests, default 1000), BENCH_READ_CONCURRENCY (default 20), BENCH_SINGLE (runs
// one after another first, default 10).
import { workflowIdForRun } from '../runtime/temporal/client';
import { customersCsv, customersGraph, quietTemporalLogs } from '../test/support/temporal-harness';
import { startWeftRig } from './weft-rig';

const TASK_QUEUE = 'bench-load';
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
  // A hard stop if a cleanup hangs: the script must end by itself.
  setTimeout(() => {
    console.error('[bench:load] deadline passed; exiting.');
    process.exit(2);
  }, DEADLINE_MS + 60_000).unref();

  const lines: string[] = [];
  // Weft as `npm start` wires it (bench/weft-rig.ts): PGlite in its own store process, or Postgres with BENCH_STORE=postgres.
  const rig = await startWeftRig({ name: 'load', taskQueue: TASK_QUEUE, store: process.env.BENCH_STORE === 'postgres' ? 'postgres' : 'pglite-process', log });
  const client = rig.client;
  try {
    const call = (method: string, path: string, body?: unknown, contentType = 'application/json') =>
      rig.call(method, path, body, contentType, AbortSignal.timeout(Math.max(1000, Math.round(left()))));

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
    await rig.close();
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
