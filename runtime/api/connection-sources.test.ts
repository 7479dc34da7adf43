// Discover and preview through app.request() against a real Postgres: good reads, a refused query, a missing table.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError, Connection, DiscoveredObjectInfo, SourcePreview, sqlPreviewHash } from '../../shared';
import { scratchPostgres, type ScratchPostgres } from '../connections/scratch-postgres';
import { postgresConnector } from '../connectors/postgres';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { asOwner } from '../../test/support/signed-in';
import { createApi } from './app';
import { testConnections } from '../../test/support/connections';

let db: ScratchPostgres | null = null;
let store: Store;
let app: ReturnType<typeof createApi>;
let connection: Connection;

async function call(method: string, path: string, body?: unknown) {
  const res = await app.request(`/api${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, json: (await res.json()) as unknown };
}

beforeAll(async () => {
  db = await scratchPostgres(12);
  if (!db) {
    console.warn('discover/preview API tests skipped: no Postgres answers at WEFT_TEST_POSTGRES_URL (default 127.0.0.1:5432)');
    return;
  }
  store = await openStore({ memory: true });
  app = createApi({
    store,
    launcher: { start: async () => ({ workflowId: 'w' }) },
    filesDir: '/nonexistent',
    maxUploadBytes: 1024,
    connections: testConnections(store, { connectors: [postgresConnector], filesDir: '/nonexistent' }),
  });
  app = await asOwner(app, store);
  const res = await call('POST', '/connections', { connector: 'postgres', name: 'Shop', config: db.config, secrets: db.secrets });
  expect(res.status).toBe(201);
  connection = Connection.parse(res.json);
});
afterAll(async () => {
  await store?.close();
  await db?.drop();
});

describe('POST /connections/:id/discover', () => {
  it('lists the tables with Weft types and keys', async ({ skip }) => {
    if (!db) skip();
    const res = await call('POST', `/connections/${connection.id}/discover`);
    expect(res.status).toBe(200);
    const orders = z.array(DiscoveredObjectInfo).parse(res.json).find((o) => o.name === 'public.orders');
    expect(orders?.primaryKey).toEqual(['id']);
    expect(orders?.fields.map((f) => [f.name, f.type])).toEqual([
      ['id', 'number'],
      ['customer', 'text'],
      ['amount', 'number'],
      ['placed_at', 'datetime'],
      ['paid', 'boolean'],
    ]);
  });

  it('answers 404 for a connection that does not exist', async ({ skip }) => {
    if (!db) skip();
    expect((await call('POST', '/connections/con_nope/discover')).status).toBe(404);
  });
});

describe('POST /connections/:id/preview', () => {
  it('gives the first 10 rows, the columns, the key and the stamp the source keeps', async ({ skip }) => {
    if (!db) skip();
    const res = await call('POST', `/connections/${connection.id}/preview`, { object: 'orders' });
    expect(res.status).toBe(200);
    const preview = SourcePreview.parse(res.json);
    expect(preview.rows).toHaveLength(10);
    expect(preview.rows[0]).toMatchObject({ id: 1, customer: 'Customer 1', paid: false });
    expect(preview.key).toEqual(['id']);
    expect(preview.columns.map((c) => c.name)).toEqual(['id', 'customer', 'amount', 'placed_at', 'paid']);
    expect(preview.preview.hash).toBe(sqlPreviewHash({ connectionId: connection.id, object: 'orders', query: '' }));
  });

  it('takes the columns of a query filter from its rows', async ({ skip }) => {
    if (!db) skip();
    const query = 'SELECT id, upper(customer) AS shout FROM orders WHERE paid';
    const res = await call('POST', `/connections/${connection.id}/preview`, { object: 'orders', query });
    expect(res.status).toBe(200);
    const preview = SourcePreview.parse(res.json);
    expect(preview.columns).toEqual([
      { name: 'id', type: 'number' },
      { name: 'shout', type: 'text' },
    ]);
    expect(preview.rows.map((r) => r.id)).toEqual([2, 4, 6, 8, 10, 12]);
    expect(preview.preview.hash).toBe(sqlPreviewHash({ connectionId: connection.id, object: 'orders', query }));
  });

  it('leads with the database’s own reason for an unknown column, and what was meant', async ({ skip }) => {
    if (!db) skip();
    const res = await call('POST', `/connections/${connection.id}/preview`, { object: 'orders', query: "SELECT * FROM orders WHERE custmer = 'Ann'" });
    expect(res.status).toBe(422);
    const { error } = ApiError.parse(res.json);
    expect(error).toMatchObject({ code: 'invalid_query', message: 'column "custmer" does not exist — did you mean customer?' });
  });

  it('refuses a statement that is not one SELECT, in plain words', async ({ skip }) => {
    if (!db) skip();
    const res = await call('POST', `/connections/${connection.id}/preview`, { object: 'orders', query: 'DELETE FROM orders' });
    expect(res.status).toBe(422);
    const { error } = ApiError.parse(res.json);
    expect(error.code).toBe('invalid_query');
    expect(error.message).toMatch(/^Only a single SELECT \(or WITH \.\.\. SELECT\) can filter a source/);
  });

  it('refuses the escape from issue 8, and no table is created', async ({ skip }) => {
    if (!db) skip();
    const tables = async () => {
      const client = new pg.Client({ ...db!.config, password: db!.secrets.password || undefined });
      await client.connect();
      try {
        return (await client.query<{ n: string }>("SELECT relname AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'public' ORDER BY 1")).rows.map((r) => r.n);
      } finally {
        await client.end();
      }
    };
    const before = await tables();
    const query = 'SELECT 1 # 1 AS a) AS q; COMMIT; CREATE TABLE t(i int); SELECT * FROM (SELECT 1 AS a';
    const res = await call('POST', `/connections/${connection.id}/preview`, { object: 'orders', query });
    expect(res.status).toBe(422);
    expect(ApiError.parse(res.json).error).toMatchObject({ code: 'invalid_query', message: expect.stringMatching(/^Only a single SELECT/) });
    expect(await tables()).toEqual(before);
    expect(before).not.toContain('t');
  });

  it('names a table that is not there', async ({ skip }) => {
    if (!db) skip();
    const res = await call('POST', `/connections/${connection.id}/preview`, { object: 'invoices' });
    expect(res.status).toBe(422);
    expect(ApiError.parse(res.json).error).toMatchObject({ code: 'not_found', message: expect.stringMatching(/^Table "invoices" not found/) });
  });
});

describe('POST /connections/:id/tables ("Create this table")', () => {
  const fields = [
    { name: 'order_id', type: 'number' },
    { name: 'customer "name"', type: 'text' },
  ];

  it('answers the statement on a dry run, runs it when asked, and discovery then lists the table', async ({ skip }) => {
    if (!db) skip();
    const dry = await call('POST', `/connections/${connection.id}/tables`, { object: 'new_orders', fields, key: ['order_id'], dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.json).toEqual({
      object: 'public.new_orders',
      created: false,
      ddl: 'CREATE TABLE "public"."new_orders" (\n  "order_id" numeric NOT NULL,\n  "customer ""name""" text,\n  PRIMARY KEY ("order_id")\n)',
    });
    const before = z.array(DiscoveredObjectInfo).parse((await call('POST', `/connections/${connection.id}/discover`)).json);
    expect(before.map((o) => o.name)).not.toContain('public.new_orders');

    const made = await call('POST', `/connections/${connection.id}/tables`, { object: 'new_orders', fields, key: ['order_id'] });
    expect(made.status).toBe(200);
    expect(made.json).toMatchObject({ object: 'public.new_orders', created: true });
    const after = z.array(DiscoveredObjectInfo).parse((await call('POST', `/connections/${connection.id}/discover`)).json);
    expect(after.find((o) => o.name === 'public.new_orders')).toMatchObject({ primaryKey: ['order_id'], fields: [{ name: 'order_id', type: 'number' }, { name: 'customer "name"', type: 'text' }] });

    const again = await call('POST', `/connections/${connection.id}/tables`, { object: 'new_orders', fields, key: ['order_id'] });
    expect(again.status).toBe(422);
    expect(ApiError.parse(again.json).error.message).toMatch(/already exists/);
  });

  it('says what stopped the CREATE in words about creating, never as a read or a query filter', async ({ skip }) => {
    if (!db) skip();
    // A schema the connection's user may not create in (pg_catalog refuses even a superuser's CREATE TABLE).
    const denied = await call('POST', `/connections/${connection.id}/tables`, { object: 'pg_catalog.weft_probe', fields, key: [] });
    expect(denied.status).toBe(422);
    const deniedError = ApiError.parse(denied.json).error;
    expect(deniedError).toMatchObject({ code: 'permission', message: expect.stringMatching(/^The connection's user may not create table "pg_catalog.weft_probe"/) });
    expect(deniedError.message).not.toMatch(/SELECT|read/);
    const noSchema = await call('POST', `/connections/${connection.id}/tables`, { object: 'no_such_schema.t', fields, key: [] });
    expect(noSchema.status).toBe(422);
    expect(ApiError.parse(noSchema.json).error).toMatchObject({ code: 'not_found', message: expect.stringMatching(/^Table "no_such_schema.t" cannot be created: Schema "no_such_schema" does not exist/) });
    const empty = await call('POST', `/connections/${connection.id}/tables`, { object: 'public.', fields, key: [] });
    expect(empty.status).toBe(422);
    expect(ApiError.parse(empty.json).error.message).toBe('Table "public." cannot be created: The table name "" cannot be used: it is empty or holds a NUL character.');
    // The password never reaches a message.
    for (const res of [denied, noSchema, empty]) expect(JSON.stringify(res.json)).not.toContain(String(db!.secrets.password || 'no password set'));
  });

  it('refuses bad input naming the field: NUL, a duplicate column, a key that is not a field, no fields', async ({ skip }) => {
    if (!db) skip();
    const cases: [unknown, string][] = [
      [{ object: 'bad\u0000name', fields, key: [] }, 'object'],
      [{ object: 't', fields: [{ name: 'a\u0000', type: 'text' }], key: [] }, 'fields.0.name'],
      [{ object: 't', fields: [...fields, fields[0]], key: [] }, 'fields.2.name'],
      [{ object: 't', fields, key: ['__proto__'] }, 'key.0'],
      [{ object: 't', fields: [], key: [] }, 'fields'],
      [{ object: 't', fields: [{ name: 'x', type: 'json' }], key: [] }, 'fields.0.type'],
    ];
    for (const [body, path] of cases) {
      const res = await call('POST', `/connections/${connection.id}/tables`, body);
      expect(res.status, path).toBe(400);
      expect(ApiError.parse(res.json).error.issues?.map((i) => i.path), path).toContain(path);
    }
    expect((await call('POST', '/connections/con_nope/tables', { object: 't', fields, key: [] })).status).toBe(404);
  });
});
