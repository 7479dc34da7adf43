// The Database table source against a real Postgres: reads everything, resumes from its checkpoint, honours the query filter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanStep } from '../../shared/compiler/plan';
import { ConnectionServiceError } from '../connections/errors';
import { scratchPostgres, type ScratchPostgres } from '../connections/scratch-postgres';
import { postgresConnector } from '../connectors/postgres';
import { createExecutor, PlanError, type SourceBatch, type SourceExecutor } from '.';
import { executorDeps, sessionsOver } from '../../test/support/connections';

let db: ScratchPostgres | null = null;
beforeAll(async () => {
  db = await scratchPostgres(25);
  if (!db) console.warn('sql-source executor tests skipped: no Postgres answers at WEFT_TEST_POSTGRES_URL (default 127.0.0.1:5432)');
});
afterAll(async () => db?.drop());

const columns = [
  { name: 'id', type: 'number' },
  { name: 'customer', type: 'text' },
  { name: 'amount', type: 'number' },
  { name: 'paid', type: 'boolean' },
];
const step = (config: Record<string, unknown>): PlanStep => ({ nodeId: 'src', kind: 'sql-source', label: 'Orders', config, input: null, output: null });
const config = (query = '') => ({ connectionId: 'con_1', object: 'orders', query, columns, key: ['id'], preview: null });

async function source(query = ''): Promise<SourceExecutor> {
  const s = db!;
  const store = { getFile: async () => null };
  const e = await createExecutor(
    step(config(query)),
    executorDeps({
      store,
      sessions: sessionsOver(store, async (id) => {
        if (id !== 'con_1') throw new ConnectionServiceError('not_found', `Connection "${id}" was not found`);
        return postgresConnector.open({ ...s.config, sslMode: 'disable', schema: 'public', queryTimeoutSeconds: 30 }, s.secrets);
      }),
    }),
  );
  if (e.role !== 'source') throw new Error('not a source');
  return e;
}

async function all(it: AsyncIterable<SourceBatch>): Promise<SourceBatch[]> {
  const out: SourceBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

describe('sql-source executor', () => {
  it('reads the whole table in batches, typed as its columns', async ({ skip }) => {
    if (!db) skip();
    const batches = await all((await source()).read(null, 10));
    expect(batches.map((b) => b.read)).toEqual([10, 10, 5]);
    const rows = batches.flatMap((b) => b.rows);
    expect(rows).toHaveLength(25);
    expect(rows[0]).toMatchObject({ rowNumber: 1, values: { id: 1, customer: 'Customer 1', amount: 10.5, paid: false } });
    expect(rows.at(-1)?.rowNumber).toBe(25);
    expect(batches.flatMap((b) => b.rejected)).toEqual([]);
    // The run page's total: the table's rows (a small table, counted exactly), on every batch.
    expect(batches.map((b) => b.progress)).toEqual([0, 1, 2].map(() => ({ unit: 'rows', total: 25 })));
  });

  it('gives no total through a query filter, which reads an unknown part of the table', async ({ skip }) => {
    if (!db) skip();
    const batches = await all((await source('SELECT * FROM orders WHERE paid')).read(null, 10));
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.every((b) => b.progress === undefined)).toBe(true);
  });

  it('resumes after the checkpoint of a committed batch', async ({ skip }) => {
    if (!db) skip();
    const [first] = await all((await source()).read(null, 10));
    const rest = await all((await source()).read(JSON.parse(JSON.stringify(first!.cursor)), 10));
    const rows = rest.flatMap((b) => b.rows);
    expect(rows.map((r) => r.values.id)).toEqual(Array.from({ length: 15 }, (_, i) => i + 11));
    expect(rows[0]?.rowNumber).toBe(11);
  });

  it('reads through the query filter', async ({ skip }) => {
    if (!db) skip();
    const rows = (await all((await source('SELECT id, customer, amount, paid FROM orders WHERE paid AND id > 10')).read(null, 100))).flatMap((b) => b.rows);
    expect(rows.map((r) => r.values.id)).toEqual([12, 14, 16, 18, 20, 22, 24]);
  });

  it('says plainly when the connection is gone or not chosen', async ({ skip }) => {
    if (!db) skip();
    const store = { getFile: async () => null };
    const e = await createExecutor(
      step({ ...config(), connectionId: 'con_gone' }),
      executorDeps({
        store,
        sessions: sessionsOver(store, async (id) => {
          throw new ConnectionServiceError('not_found', `Connection "${id}" was not found`);
        }),
      }),
    );
    if (e.role !== 'source') throw new Error('not a source');
    await expect(all(e.read(null, 10))).rejects.toThrow(new PlanError('The connection used by Orders no longer exists. Choose another connection, load the preview and publish again.'));
    await expect(createExecutor(step({ ...config(), connectionId: '' }), executorDeps())).rejects.toBeInstanceOf(PlanError);
  });
});
