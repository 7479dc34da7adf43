// The record inbox at 100,000 rejected records: seeds a throwaway in-memory store (PGlite, the embedded default; or a
// throwaway Postgres database with BENCH_STORE=postgres) through the batch commit every run uses, then times the
// inbox's list (first page, a deep page), filters (integration, reason, reason text, dates), the reason groups and the
// nav count, each repeated, as p50/p95. `benchInbox()` is called by bench/ops.ts; run alone with
// `npm run bench:ops-inbox`. Env: BENCH_INBOX_RECORDS (default 100000), BENCH_INBOX_REPEAT (default 20).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../runtime/store';
import type { Store } from '../runtime/store/types';
import type { InboxQuery } from '../runtime/store/inbox';
import { createRunOf, customersGraph, publishAndCreateRun } from '../test/support/temporal-harness';

const RECORDS = Number(process.env.BENCH_INBOX_RECORDS ?? 100_000);
const REPEAT = Number(process.env.BENCH_INBOX_REPEAT ?? 20);
const INTEGRATIONS = 5;
const RUNS_PER_INTEGRATION = 4;
const BATCH = 5_000;
const ADMIN = process.env.WEFT_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
const ms = (n: number) => `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`;

/** 40 reasons, the first few far more common (as real rejections are): record i gets reason `reasonOf(i)`. */
const REASONS = Array.from({ length: 40 }, (_, k) =>
  k % 2 === 0 ? `Date "31/02/${2000 + k}" is not a date in the format DD/MM/YYYY` : `Amount: "n/a ${k}" is not a number`,
);
const reasonOf = (i: number) => REASONS[Math.min(REASONS.length - 1, Math.floor(Math.sqrt((i * 7919) % 1600)))] as string;

async function throwawayStore(): Promise<{ store: Store; drop: () => Promise<void> }> {
  if (process.env.BENCH_STORE !== 'postgres') {
    const store = await openStore({ memory: true });
    return { store, drop: () => store.close() };
  }
  const name = `weft_bench_inbox_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  const store = await openStore({ dataDir: '', databaseUrl: url.toString() });
  return {
    store,
    drop: async () => {
      await store.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Seeds `RECORDS` rejected records over INTEGRATIONS × RUNS_PER_INTEGRATION runs, through `commitBatch`. */
async function seed(store: Store): Promise<{ integrationIds: string[]; seedMs: number }> {
  const started = performance.now();
  const runIds: string[] = [];
  const integrationIds: string[] = [];
  for (let k = 0; k < INTEGRATIONS; k++) {
    const { runId, versionId } = await publishAndCreateRun(store, customersGraph({ fileId: `file_bench_${k}`, object: `bench_${k}` }), `Bench integration ${k + 1}`);
    const version = await store.getVersion(versionId);
    integrationIds.push(version!.integrationId);
    runIds.push(runId);
    for (let r = 1; r < RUNS_PER_INTEGRATION; r++) runIds.push((await createRunOf(store, version!)).id);
  }
  const perRun = Math.ceil(RECORDS / runIds.length);
  let made = 0;
  for (const runId of runIds) {
    for (let batch = 1; made < RECORDS && (batch - 1) * BATCH < perRun; batch++) {
      const n = Math.min(BATCH, perRun - (batch - 1) * BATCH, RECORDS - made);
      const rejected = Array.from({ length: n }, (_, j) => {
        const i = made + j;
        const row = (batch - 1) * BATCH + j + 1;
        return {
          nodeId: 'map',
          rowNumber: row,
          source: { Email: `person${i}@example.com`, Name: `Person ${i}`, Amount: 'n/a', Active: 'true' },
          mapped: { email: `person${i}@example.com`, name: `Person ${i}` },
          reason: reasonOf(i),
        };
      });
      await store.commitBatch({ runId, pipelineId: 'p1', batch, cursor: { nextRow: row0(batch) }, counts: { map: { read: n, rejected: n } }, rejected });
      made += n;
    }
  }
  return { integrationIds, seedMs: performance.now() - started };
}

const row0 = (batch: number) => batch * BATCH;

async function time(repeat: number, work: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await work(); // warm: plans cached, pages in memory
  const samples: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    await work();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { p50: quantile(samples, 0.5), p95: quantile(samples, 0.95) };
}

export async function benchInbox(): Promise<{ label: string; value: string }[]> {
  const { store, drop } = await throwawayStore();
  try {
    const { integrationIds, seedMs } = await seed(store);
    const total = (await store.inbox.list({}, { limit: 1 })).total;
    const oneIntegration = integrationIds[2] as string;
    const common = reasonOf(0);
    const today = new Date();
    const from = new Date(today.getTime() - 60 * 60_000).toISOString();
    const to = new Date(today.getTime() + 60 * 60_000).toISOString();
    const cases: [string, () => Promise<unknown>][] = [
      ['list, first page of 50', () => store.inbox.list({}, { limit: 50 })],
      [`list, page at offset ${Math.floor(total / 2).toLocaleString('en')}`, () => store.inbox.list({}, { limit: 50, offset: Math.floor(total / 2) })],
      ['filter by integration', () => store.inbox.list({ integrationId: oneIntegration }, { limit: 50 })],
      ['filter by reason (a group)', () => store.inbox.list({ reason: common }, { limit: 50 })],
      ['filter by reason text ("not a date")', () => store.inbox.list({ search: 'not a date' }, { limit: 50 })],
      ['filter by date range', () => store.inbox.list({ from, to } satisfies InboxQuery, { limit: 50 })],
      ['group by reason', () => store.inbox.groups({})],
      ['group by reason, one integration', () => store.inbox.groups({ integrationId: oneIntegration })],
      ['nav count (waiting)', () => store.inbox.countWaiting()],
    ];
    const rows: { label: string; value: string }[] = [
      { label: `inbox: seeded rejected records (${store.engine})`, value: `${total.toLocaleString('en')} in ${(seedMs / 1000).toFixed(1)} s` },
    ];
    for (const [label, work] of cases) {
      const { p50, p95 } = await time(REPEAT, work);
      rows.push({ label: `inbox: ${label}`, value: `p50 ${ms(p50)}, p95 ${ms(p95)}` });
    }
    return rows;
  } finally {
    await drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchInbox();
  const width = Math.max(...rows.map((r) => r.label.length));
  console.log(`\n${'measure'.padEnd(width)}  value`);
  for (const r of rows) console.log(`${r.label.padEnd(width)}  ${r.value}`);
}
