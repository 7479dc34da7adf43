// Runs the shared contract suite against a real Postgres (127.0.0.1:5432 here) and/or PGlite served
// over the Postgres wire protocol. WEFT_TEST_POSTGRES=server|pglite|both|auto (auto: the server when
// one answers, else PGlite, so a fresh laptop still passes).
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runContractSuite, sqlQueries, type ContractFixture, type FixtureColumn } from '../contract-suite';
import type { Row } from '../types';
import { mapPostgresType, postgresConnector, postgresError, type PostgresConfig, type PostgresSecrets } from './index';
import { timestampToIso, timestampToIsoReference } from './type-map';
import { timestampTexts } from '../../../test/support/timestamp-texts';

const SERVER_URL = process.env.WEFT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const mode = process.env.WEFT_TEST_POSTGRES ?? 'auto';
const ident = (n: string) => `"${n.replace(/"/g, '""')}"`;
const unique = () => `weft_ct_${randomBytes(4).toString('hex')}`;

async function serverAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

const haveServer = mode === 'pglite' ? false : await serverAnswers();
const engines: ('server' | 'pglite')[] = mode === 'both' ? ['server', 'pglite'] : mode === 'server' ? ['server'] : mode === 'pglite' ? ['pglite'] : [haveServer ? 'server' : 'pglite'];

function ddlType(c: FixtureColumn): string {
  switch (c.type) {
    case 'number':
      return c.integer ? 'integer' : 'numeric(18,4)';
    case 'currency':
      return 'money';
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamptz';
    case 'boolean':
      return 'boolean';
    case 'text':
    case 'reference':
      return c.maxLength ? `varchar(${c.maxLength})` : 'text';
  }
}

/** Makes tables with plain SQL through its own client, never through the connector under test. */
function pgFixture(admin: pg.Client, schema: string): ContractFixture {
  return {
    queries: sqlQueries,
    async createObject(name, columns, key, rows: Row[]) {
      const table = `${ident(schema)}.${ident(name)}`;
      await admin.query(`DROP TABLE IF EXISTS ${table}`);
      const defs = columns.map((c) => `${ident(c.name)} ${ddlType(c)}${c.notNull ? ' NOT NULL' : ''}`);
      if (key.length > 0) defs.push(`PRIMARY KEY (${key.map(ident).join(', ')})`);
      await admin.query(`CREATE TABLE ${table} (${defs.join(', ')})`);
      for (let i = 0; i < rows.length; i += 50) {
        const part = rows.slice(i, i + 50);
        const params: unknown[] = [];
        const values = part.map((r) => `(${columns.map((c) => (params.push(r[c.name] ?? null), `$${params.length}`)).join(', ')})`);
        await admin.query(`INSERT INTO ${table} (${columns.map((c) => ident(c.name)).join(', ')}) VALUES ${values.join(', ')}`, params);
      }
      return `${schema}.${name}`;
    },
    async dropObject(object) {
      const [s, t] = object.split('.') as [string, string];
      await admin.query(`DROP TABLE IF EXISTS ${ident(s)}.${ident(t)}`);
    },
  };
}

const baseConfig = (port: number, database: string, schema: string): PostgresConfig => ({ host: '127.0.0.1', port, database, user: 'postgres', sslMode: 'disable', schema, queryTimeoutSeconds: 30 });

if (engines.includes('server')) {
  const database = unique();
  const role = unique();
  const url = new URL(SERVER_URL);
  const port = Number(url.port || 5432);
  let root: pg.Client;
  let admin: pg.Client;
  runContractSuite<PostgresConfig, PostgresSecrets>({
    name: `postgres (server ${url.host})`,
    connector: postgresConnector,
    async setup() {
      root = new pg.Client({ connectionString: SERVER_URL });
      await root.connect();
      await root.query(`CREATE DATABASE ${ident(database)}`);
      await root.query(`CREATE ROLE ${ident(role)} WITH LOGIN PASSWORD 'right-password'`);
      admin = new pg.Client({ connectionString: SERVER_URL, database } as pg.ClientConfig);
      const adminUrl = new URL(SERVER_URL);
      adminUrl.pathname = `/${database}`;
      admin = new pg.Client({ connectionString: adminUrl.toString() });
      await admin.connect();
      // Does this server check passwords at all? pg_hba.conf `trust` accepts any.
      const probe = new pg.Client({ host: url.hostname, port, database, user: role, password: 'wrong-password' });
      const trusted = await probe.connect().then(
        () => true,
        () => false,
      );
      await probe.end().catch(() => undefined);
      const config = baseConfig(port, database, 'public');
      return {
        config,
        secrets: { password: '' },
        fixture: { ...pgFixture(admin, 'public'), slowQuery: 'SELECT pg_sleep(3)::text AS slept' },
        timeoutConfig: { ...config, queryTimeoutSeconds: 1 },
        wrongPassword: trusted
          ? { skip: `the server at ${url.host} trusts connections from this host (pg_hba.conf "trust"), so it accepts any password; the auth case is proven by the MySQL suite and by the error mapping unit test below` }
          : { config: { ...config, user: role }, secrets: { password: 'wrong-password' } },
        unreachable: { config: { ...config, port: 1 }, secrets: { password: '' } },
        missingDatabase: { config: { ...config, database: `${database}_missing` }, secrets: { password: '' } },
      };
    },
    async teardown() {
      await admin?.end().catch(() => undefined);
      await root.query(`DROP DATABASE IF EXISTS ${ident(database)} WITH (FORCE)`);
      await root.query(`DROP ROLE IF EXISTS ${ident(role)}`);
      await root.end();
    },
  });
}

if (engines.includes('pglite')) {
  const schema = unique();
  let db: PGlite;
  let server: PGLiteSocketServer;
  let admin: pg.Client;
  runContractSuite<PostgresConfig, PostgresSecrets>({
    name: 'postgres (PGlite over the wire protocol)',
    connector: postgresConnector,
    async setup() {
      db = await PGlite.create();
      server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 });
      await server.start();
      const port = Number(server.getServerConn().split(':').at(-1));
      admin = new pg.Client({ host: '127.0.0.1', port, database: 'postgres', user: 'postgres' });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${ident(schema)}`);
      const config = baseConfig(port, 'postgres', schema);
      return {
        config,
        secrets: { password: '' },
        fixture: { ...pgFixture(admin, schema), slowQuery: { skip: 'PGlite (single-threaded WASM) does not enforce statement_timeout; a pg_sleep(3) ran to the end' } },
        wrongPassword: { skip: 'PGlite over the wire protocol does not check passwords' },
        unreachable: { config: { ...config, port: 1 }, secrets: { password: '' } },
        missingDatabase: { skip: 'PGlite serves one database whatever name a client asks for' },
      };
    },
    async teardown() {
      await admin?.end().catch(() => undefined);
      await server?.stop();
      await db?.close();
    },
  });
}

describe('postgres type map and errors', () => {
  it('maps Postgres types to Weft types in one table', () => {
    const cases: [string, string][] = [
      ['integer', 'number'],
      ['bigint', 'number'],
      ['numeric(18,4)', 'number'],
      ['double precision', 'number'],
      ['money', 'currency'],
      ['date', 'date'],
      ['timestamp without time zone', 'datetime'],
      ['timestamp(3) with time zone', 'datetime'],
      ['boolean', 'boolean'],
      ['jsonb', 'text'],
      ['uuid', 'text'],
      ['character varying(20)', 'text'],
      ['integer[]', 'text'],
    ];
    for (const [native, weft] of cases) expect([native, mapPostgresType(native)]).toEqual([native, weft]);
  });

  it('rewrites UTC timestamps without parsing them, exactly as parsing would', () => {
    const texts: [string, boolean][] = [
      ['2026-03-01 09:30:00+00', true],
      ['2026-03-01 09:30:00.1+00', true],
      ['2026-03-01 09:30:00.123456+00', true],
      ['2024-02-29 23:59:59.999999+00', true],
      ['2026-03-01 09:30:00.5', false],
      ['2026-03-01 09:30:00', false],
      ['2026-03-01 09:30:00+02', true],
      ['2026-03-01 09:30:00.25-05:30', true],
      ['12026-03-01 09:30:00+00', true],
    ];
    for (const [text, zoned] of texts) {
      const iso = zoned ? (/[+-]\d{2}$/.test(text) ? `${text.replace(' ', 'T')}:00` : text.replace(' ', 'T')) : `${text.replace(' ', 'T')}Z`;
      const date = new Date(iso);
      expect([text, timestampToIso(text, zoned)]).toEqual([text, Number.isNaN(date.getTime()) ? text : date.toISOString()]);
    }
  });

  it('reads timestamps by character codes exactly as the regular expression does, on 50,000 generated texts', () => {
    const texts = timestampTexts({
      seed: 20261206,
      count: 50_000,
      base: ['2026-03-01 09:30:00', '2024-02-29 23:59:59', '0001-01-01 00:00:00', '12026-03-01 09:30:00'],
      tails: ['', '.1', '.12', '.123', '.1234', '.123456', '.1234567', '.', '+00', '.5+00', '.123456+00', '+02', '-05:30', '+00:00', ' BC', '+0', 'Z'],
      noise: [...'0123456789-: .+Tx'],
    });
    for (const text of texts) {
      for (const zoned of [true, false]) expect([text, zoned, timestampToIso(text, zoned)]).toEqual([text, zoned, timestampToIsoReference(text, zoned)]);
    }
  });

  // The server here trusts local connections, so a real wrong password cannot be produced against it.
  it('reports a refused password (SQLSTATE 28P01) as auth with a human message', () => {
    const where = { host: 'db.example', port: 5432, database: 'crm', user: 'weft' };
    const refused = Object.assign(new Error('password authentication failed for user "weft"'), { code: '28P01' });
    const e = postgresError(refused, where);
    expect({ code: e.code, message: e.message }).toEqual({ code: 'auth', message: 'Postgres at db.example:5432 refused the password for user "weft". Check the user name and password.' });
    expect(postgresError(Object.assign(new Error('x'), { code: '3D000' }), where).code).toBe('not_found');
    expect(postgresError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), where).code).toBe('unreachable');
    expect(postgresError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }), where).code).toBe('timeout');
  });
});

// keys15: PGlite over the wire protocol takes no COPY, so its writes go as parameters (VALUES): a citext key's second
// spelling is refused there too (before: "abc" created nothing and overwrote "ABC"'s values), and a delete is exact.
describe('PGlite over the wire protocol: a citext key', () => {
  it('refuses a second spelling (in the batch, or stored) naming both keys, and deletes by the exact key', async () => {
    const { citext } = await import('@electric-sql/pglite/contrib/citext');
    const db = await PGlite.create({ extensions: { citext } });
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 });
    await server.start();
    const port = Number(server.getServerConn().split(':').at(-1));
    try {
      await db.exec('CREATE EXTENSION citext; CREATE TABLE people (code citext PRIMARY KEY, name text)');
      const session = await postgresConnector.open({ host: '127.0.0.1', port, database: 'postgres', user: 'postgres', sslMode: 'disable', schema: 'public', queryTimeoutSeconds: 30 }, { password: '' });
      try {
        const fields = [{ name: 'code', type: 'text' as const }, { name: 'name', type: 'text' as const }];
        const first = await session.write('public.people', [{ code: 'ABC', name: 'upper' }, { code: 'abc', name: 'lower' }, { code: 'Q', name: 'q' }], { mode: 'upsert', key: ['code'], fields });
        expect(first).toEqual([
          { outcome: 'created' },
          { outcome: 'rejected', reason: 'Not written: code = "abc" and code = "ABC" (in the same batch) are two keys, but to the key\'s type (citext) they are the same key: both would be written to one record.' },
          { outcome: 'created' },
        ]);
        const later = await session.write('public.people', [{ code: 'q', name: 'q2' }, { code: 'ABC', name: 'upper 2' }], { mode: 'upsert', key: ['code'], fields });
        expect(later.map((r) => r.outcome)).toEqual(['rejected', 'updated']);
        expect(later[0]).toMatchObject({ reason: expect.stringContaining('code = "q" and the record with code = "Q" already in people') });
        expect(await session.deleteRecords!('public.people', [{ code: 'abc' }, { code: 'Q' }], { key: ['code'] })).toEqual(['missing', 'deleted']);
        expect((await db.query<{ code: string; name: string }>('SELECT code::text AS code, name FROM people ORDER BY code::text COLLATE "C"')).rows).toEqual([{ code: 'ABC', name: 'upper 2' }]);
      } finally {
        await session.close();
      }
    } finally {
      await server.stop();
      await db.close();
    }
  });
});
