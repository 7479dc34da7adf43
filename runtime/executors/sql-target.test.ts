// The Database table target against a real Postgres: per-record outcomes, retry safety in every mode, and a full
// run (database table -> database table) through the activities on the real Temporal dev server.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PlanStep } from '../../shared/compiler/plan';
import { sqlPreviewHash } from '../../shared/graph/kinds';
import type { Graph } from '../../shared/graph/schema';
import { createActivities } from '../activities';
import { scratchPostgres, type ScratchPostgres } from '../connections/scratch-postgres';
import { postgresConnector } from '../connectors/postgres';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { failingCommits, FAST_PIPELINE, openTemporalRig, publishAndCreateRun, quietTemporalLogs, type TemporalRig } from '../../test/support/temporal-harness';
import { createExecutor, type ExternalTargetExecutor, type FlowRow } from '.';
import { executorDeps, sessionsOver } from '../../test/support/connections';

quietTemporalLogs('ERROR');

let db: ScratchPostgres | null = null;
let sql: pg.Client | null = null;
beforeAll(async () => {
  db = await scratchPostgres(25);
  // Postgres runs on this machine and in CI: without it these tests fail by name rather than skip.
  if (!db) throw new Error('sql-target executor tests need Postgres at WEFT_TEST_POSTGRES_URL (default 127.0.0.1:5432); none answered');
  sql = new pg.Client({ ...db.config, password: db.secrets.password || undefined });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await db?.drop();
});

const open = async () => postgresConnector.open({ ...db!.config, sslMode: 'disable', schema: 'public', queryTimeoutSeconds: 30 }, db!.secrets);

const fields = [
  { name: 'id', type: 'number' as const },
  { name: 'customer', type: 'text' as const },
  { name: 'amount', type: 'number' as const },
];
const tableColumns = [...fields, { name: 'note', type: 'text' as const }];

/** A fresh target table: id primary key, customer NOT NULL. */
async function targetTable(name: string, rows: [number, string, number][] = []): Promise<string> {
  await sql!.query(`CREATE TABLE ${name} (id integer PRIMARY KEY, customer text NOT NULL, amount numeric(10,2), note text)`);
  for (const r of rows) await sql!.query(`INSERT INTO ${name} (id, customer, amount) VALUES ($1, $2, $3)`, r);
  return `public.${name}`;
}

async function target(object: string, mode: 'insert' | 'update' | 'upsert', inputKey: string[] = []): Promise<ExternalTargetExecutor> {
  const step: PlanStep = {
    nodeId: 'target',
    kind: 'sql-target',
    label: 'Orders copy',
    config: { connectionId: 'con_1', object, mode, columns: tableColumns, key: ['id'] },
    input: { fields, key: inputKey },
    output: null,
  };
  const e = await createExecutor(step, executorDeps({ sessions: sessionsOver({ getFile: async () => null }, open) }));
  if (e.role !== 'target' || !('write' in e)) throw new Error('not an external target');
  return e;
}

const flow = (...rows: [number, string | null, number][]): FlowRow[] =>
  rows.map(([id, customer, amount], i) => ({ rowNumber: i + 1, values: { id, customer, amount }, source: { ID: String(id), Customer: customer, Amount: String(amount) } }));

const tableRows = async (object: string) => (await sql!.query(`SELECT id, customer, amount::float AS amount FROM ${object} ORDER BY id`)).rows;

describe('sql-target executor', () => {
  it('upserts: creates, then reports unchanged and updated on a second run', async () => {
    const object = await targetTable('t_upsert');
    const t = await target(object, 'upsert');
    const first = await t.write(flow([1, 'Ada', 10], [2, 'Grace', 20]));
    expect(first).toEqual({ counts: { written: 2, created: 2, updated: 0, unchanged: 0, rejected: 0 }, rejected: [] });
    const second = await t.write(flow([1, 'Ada', 10], [2, 'Grace Hopper', 20], [3, 'Linus', 30]));
    expect(second.counts).toEqual({ written: 3, created: 1, updated: 1, unchanged: 1, rejected: 0 });
    expect(await tableRows(object)).toEqual([
      { id: 1, customer: 'Ada', amount: 10 },
      { id: 2, customer: 'Grace Hopper', amount: 20 },
      { id: 3, customer: 'Linus', amount: 30 },
    ]);
  });

  it('writes batches side by side on two connections, and batches that share a key in batch order', async () => {
    const object = await targetTable('t_parallel');
    const t = await target(object, 'upsert');
    expect(t.writers).toBe(2);
    // The first write tells the target the server takes concurrent writes.
    await t.write(flow([1, 'Ada', 1]));
    const batch = (from: number, customer: string) => flow(...Array.from({ length: 200 }, (_, i): [number, string, number] => [from + i, customer, i]));
    // Started in batch order without waiting, as the driver does: 2 and 4 share keys with 1 and 3.
    const outcomes = await Promise.all([t.write(batch(100, 'first')), t.write(batch(1000, 'other')), t.write(batch(100, 'second')), t.write(batch(150, 'third'))]);
    expect(outcomes.map((o) => o.counts)).toEqual([
      { written: 200, created: 200, updated: 0, unchanged: 0, rejected: 0 },
      { written: 200, created: 200, updated: 0, unchanged: 0, rejected: 0 },
      { written: 200, created: 0, updated: 200, unchanged: 0, rejected: 0 },
      { written: 200, created: 50, updated: 150, unchanged: 0, rejected: 0 },
    ]);
    const { rows } = await sql!.query<{ customer: string; n: string }>(`SELECT customer, count(*)::text AS n FROM ${object} GROUP BY customer ORDER BY customer`);
    expect(rows).toEqual([
      { customer: 'Ada', n: '1' },
      { customer: 'other', n: '200' },
      { customer: 'second', n: '50' },
      { customer: 'third', n: '200' },
    ]);
    await (t as { close?: () => Promise<void> }).close?.();
  });

  it('upserts keys Postgres prints differently from how they came (007 into an integer) with right outcomes', async () => {
    const object = await targetTable('t_keytext', [[7, 'Ada', 10]]);
    const t = await target(object, 'upsert');
    const rows = (...r: [string, string, number][]): FlowRow[] => r.map(([id, customer, amount], i) => ({ rowNumber: i + 1, values: { id, customer, amount }, source: {} }));
    const first = await t.write(rows(['007', 'Ada', 10], ['008', 'Grace', 20], ['9', 'Linus', 30]));
    expect(first.counts).toEqual({ written: 3, created: 2, updated: 0, unchanged: 1, rejected: 0 });
    // Plain keys again on the same session: the join, now for this table, still answers per record.
    const second = await t.write(flow([7, 'Ada L.', 10], [8, 'Grace', 20], [10, 'Barbara', 40]));
    expect(second.counts).toEqual({ written: 3, created: 1, updated: 1, unchanged: 1, rejected: 0 });
    expect((await tableRows(object)).map((r: { id: number }) => r.id)).toEqual([7, 8, 9, 10]);
    await (t as { close?: () => Promise<void> }).close?.();
  });

  it('updates only: a record whose key is missing is rejected, the rest are written', async () => {
    const object = await targetTable('t_update', [[1, 'Ada', 10]]);
    const t = await target(object, 'update');
    const out = await t.write(flow([1, 'Ada L.', 10], [7, 'Nobody', 70]));
    expect(out.counts).toEqual({ written: 1, created: 0, updated: 1, unchanged: 0, rejected: 1 });
    expect(out.rejected).toEqual([
      {
        nodeId: 'target',
        rowNumber: 2,
        source: { ID: '7', Customer: 'Nobody', Amount: '70' },
        mapped: { id: 7, customer: 'Nobody', amount: 70 },
        reason: 'No record with id = 7 exists in t_update; update mode does not create records.',
      },
    ]);
    expect(await tableRows(object)).toEqual([{ id: 1, customer: 'Ada L.', amount: 10 }]);
  });

  it('rejects just the record that breaks NOT NULL, with the database message', async () => {
    const object = await targetTable('t_notnull');
    const out = await (await target(object, 'upsert')).write(flow([1, 'Ada', 10], [2, null, 20], [3, 'Linus', 30]));
    expect(out.counts).toEqual({ written: 2, created: 2, updated: 0, unchanged: 0, rejected: 1 });
    expect(out.rejected).toHaveLength(1);
    expect(out.rejected[0]).toMatchObject({ rowNumber: 2, mapped: { id: 2, customer: null, amount: 20 } });
    expect(out.rejected[0]?.reason).toMatch(/null value in column "customer".*violates not-null constraint/);
    expect((await tableRows(object)).map((r: { id: number }) => r.id)).toEqual([1, 3]);
  });

  it('inserts safely again: a batch written twice (its commit failed) is unchanged the second time', async () => {
    const object = await targetTable('t_insert', [[5, 'Existing', 50]]);
    const t = await target(object, 'insert');
    const batch = flow([1, 'Ada', 10], [2, 'Grace', 20]);
    expect((await t.write(batch)).counts).toEqual({ written: 2, created: 2, updated: 0, unchanged: 0, rejected: 0 });
    expect((await t.write(batch)).counts).toEqual({ written: 2, created: 0, updated: 0, unchanged: 2, rejected: 0 });
    // A different record under an existing key is still a duplicate: insert never changes a record.
    const dup = await t.write(flow([5, 'Someone else', 50]));
    expect(dup.rejected[0]?.reason).toBe('A record with id = 5 already exists in t_insert with other values; insert mode does not change records.');
    expect(await tableRows(object)).toEqual([
      { id: 1, customer: 'Ada', amount: 10 },
      { id: 2, customer: 'Grace', amount: 20 },
      { id: 5, customer: 'Existing', amount: 50 },
    ]);
  });

  it('inserts into a table whose key the database generates', async () => {
    await sql!.query('CREATE TABLE t_serial (id serial PRIMARY KEY, customer text NOT NULL, amount numeric(10,2))');
    const step: PlanStep = {
      nodeId: 'target',
      kind: 'sql-target',
      label: 'Orders copy',
      config: { connectionId: 'con_1', object: 'public.t_serial', mode: 'insert', columns: fields, key: ['id'] },
      input: { fields: fields.slice(1), key: [] },
      output: null,
    };
    const t = await createExecutor(step, executorDeps({ sessions: sessionsOver({ getFile: async () => null }, open) }));
    if (t.role !== 'target' || !('write' in t)) throw new Error('not an external target');
    const out = await t.write([{ rowNumber: 1, values: { customer: 'Ada', amount: 10 }, source: {} }]);
    expect(out.counts).toEqual({ written: 1, created: 1, updated: 0, unchanged: 0, rejected: 0 });
    expect(await tableRows('t_serial')).toEqual([{ id: 1, customer: 'Ada', amount: 10 }]);
  });

  it('turns a table that is gone into a plan error', async () => {
    const t = await target('public.t_missing', 'upsert');
    await expect(t.write(flow([1, 'Ada', 10]))).rejects.toThrow(/Orders copy: Table "t_missing" was not found/);
  });
});

// The whole run: a database table source -> a database table target, on the real dev server.
describe('a run into a database table', () => {
  let store: Store;
  let rig: TemporalRig;

  beforeAll(async () => {
    if (!db) return;
    store = await openStore({ memory: true });
    rig = await openTemporalRig(inject('temporalAddress'));
  });
  afterAll(async () => {
    await rig?.close();
    await store?.close();
  });

  /** The store, with the commit of batch `failOnce` failing once (after the target already wrote it). */
  function flaky(failOnce: number | null, commits: number[]): Store {
    let failed = false;
    return failingCommits(store, (c) => c.batch === failOnce && !failed && (failed = true), commits);
  }

  async function run(object: string, mode: 'upsert' | 'insert', failOnce: number | null = null) {
    const columns = [
      { name: 'id', type: 'number' },
      { name: 'customer', type: 'text' },
      { name: 'amount', type: 'number' },
      { name: 'paid', type: 'boolean' },
    ];
    const source = { connectionId: 'con_1', object: 'public.orders', query: 'SELECT id, customer, amount, paid FROM orders' };
    const graph: Graph = {
      version: 1,
      nodes: [
        { id: 'source', kind: 'sql-source', label: 'Orders', position: { x: 0, y: 0 }, config: { ...source, columns, key: ['id'], preview: { loadedAt: new Date().toISOString(), hash: sqlPreviewHash(source) } } },
        { id: 'target', kind: 'sql-target', label: 'Orders copy', position: { x: 300, y: 0 }, config: { connectionId: 'con_1', object, mode, columns, key: ['id'] } },
      ],
      edges: [{ id: 'e1', source: 'source', target: 'target' }],
    };
    const commits: number[] = [];
    const launcher = await rig.worker(createActivities({ store: flaky(failOnce, commits), sessions: sessionsOver(store, open), batchSize: 10 }), FAST_PIPELINE);
    const { runId, versionId } = await publishAndCreateRun(store, graph, `Orders copy ${mode}`);
    const { workflowId } = await launcher.start({ runId, versionId });
    const result = (await rig.client.workflow.getHandle(workflowId).result()) as { status: string };
    const stored = await store.getRun(runId);
    return { status: result.status, commits, target: stored?.steps.find((s) => s.nodeId === 'target') };
  }

  it('creates every row, then finds them unchanged on the next run', async () => {
    await sql!.query('CREATE TABLE orders_copy (id integer PRIMARY KEY, customer text NOT NULL, amount numeric(10,2), paid boolean)');
    const first = await run('public.orders_copy', 'upsert');
    expect(first.status).toBe('completed');
    expect(first.target?.counts).toEqual({ read: 25, written: 25, created: 25, updated: 0, unchanged: 0, rejected: 0 });
    expect((await sql!.query('SELECT count(*)::int AS n FROM orders_copy')).rows[0].n).toBe(25);
    await sql!.query(`UPDATE orders SET customer = 'Changed' WHERE id = 7`);
    const second = await run('public.orders_copy', 'upsert');
    expect(second.target?.counts).toEqual({ read: 25, written: 25, created: 0, updated: 1, unchanged: 24, rejected: 0 });
    expect((await sql!.query('SELECT customer FROM orders_copy WHERE id = 7')).rows[0].customer).toBe('Changed');
  });

  it('writes a batch again when its commit failed, without duplicates, in insert mode', async () => {
    await sql!.query('CREATE TABLE orders_insert (id integer PRIMARY KEY, customer text NOT NULL, amount numeric(10,2), paid boolean)');
    const r = await run('public.orders_insert', 'insert', 2);
    expect(r.status).toBe('completed');
    expect(r.commits).toEqual([1, 2, 2, 3]);
    // Batch 2 was written and its commit failed while batch 3 was already being written (writes overlap the
    // previous commit); the retry found the fifteen rows of both already there, identical: unchanged, not duplicated.
    expect(r.target?.counts).toEqual({ read: 25, written: 25, created: 10, updated: 0, unchanged: 15, rejected: 0 });
    expect(r.target?.status).toBe('completed');
    expect((await sql!.query('SELECT count(*)::int AS n FROM orders_insert')).rows[0].n).toBe(25);
  });
});
