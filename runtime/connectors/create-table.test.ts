// "Create this table" on the real Postgres and MariaDB: one suite both dialects pass (hono's common-case pattern).
// Hostile names (`__proto__`, quotes, backticks, spaces, unicode) are created exactly, NUL and over-long names refused;
// the created table is then found by discovery with Weft's types and its key, and written to.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimalText, type Field } from '../../shared/graph/field-types';
import { mysqlConnector } from './mysql';
import { mysqlTableDdl } from './mysql/ddl';
import { postgresConnector } from './postgres';
import { postgresTableDdl } from './postgres/ddl';
import { ConnectorError, type ConnectorSession } from './types';

const PG_URL = process.env.WEFT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MYSQL_URL = process.env.WEFT_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const unique = `weft_ct_${randomBytes(4).toString('hex')}`;

const FIELDS: Field[] = [
  { name: 'id', type: 'number' },
  { name: 'name', type: 'text' },
  { name: 'price', type: 'currency' },
  { name: 'born', type: 'date' },
  { name: 'seen_at', type: 'datetime' },
  { name: 'active', type: 'boolean' },
  { name: 'company', type: 'reference', ref: 'companies' },
];
const HOSTILE: Field[] = [
  { name: '__proto__', type: 'text' },
  { name: 'it"s `odd`', type: 'text' },
  { name: 'two words', type: 'number' },
  { name: 'Größe', type: 'text' },
];

interface Dialect {
  name: string;
  open(): Promise<ConnectorSession>;
  /** What discovery calls a table created as `table`. */
  objectName(table: string): string;
  cleanup(): Promise<void>;
}

async function postgres(): Promise<Dialect | string> {
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch (e) {
    return `no Postgres at ${PG_URL} (${(e as Error).message})`;
  }
  await admin.query(`CREATE SCHEMA "${unique}"`);
  const url = new URL(PG_URL);
  return {
    name: 'Postgres',
    open: () =>
      postgresConnector.open(
        { host: url.hostname, port: Number(url.port || 5432), database: url.pathname.slice(1) || 'postgres', user: url.username || 'postgres', sslMode: 'disable', schema: unique, queryTimeoutSeconds: 30 },
        { password: decodeURIComponent(url.password) },
      ),
    objectName: (t) => `${unique}.${t}`,
    async cleanup() {
      await admin.query(`DROP SCHEMA "${unique}" CASCADE`);
      await admin.end();
    },
  };
}

async function mariadb(): Promise<Dialect | string> {
  let root: mysql.Connection;
  try {
    root = await mysql.createConnection({ uri: MYSQL_URL, connectTimeout: 2000 });
  } catch (e) {
    return `no MySQL/MariaDB at ${MYSQL_URL} (${(e as Error).message})`;
  }
  await root.query(`CREATE DATABASE \`${unique}\` CHARACTER SET utf8mb4`);
  const url = new URL(MYSQL_URL);
  return {
    name: 'MariaDB',
    open: () =>
      mysqlConnector.open(
        { host: url.hostname, port: Number(url.port || 3306), database: unique, user: url.username || 'root', sslMode: 'disable', queryTimeoutSeconds: 30 },
        { password: decodeURIComponent(url.password) },
      ),
    objectName: (t) => t,
    async cleanup() {
      await root.query(`DROP DATABASE \`${unique}\``);
      await root.end();
    },
  };
}

describe('the statement, before anything runs', () => {
  it('quotes every identifier by the dialect, types each field, and makes the key the primary key', () => {
    expect(postgresTableDdl('s', 'orders', [{ name: 'id', type: 'number' }, { name: 'say "hi"', type: 'text' }], ['id'])).toBe(
      'CREATE TABLE "s"."orders" (\n  "id" numeric NOT NULL,\n  "say ""hi""" text,\n  PRIMARY KEY ("id")\n)',
    );
    expect(mysqlTableDdl('orders', [{ name: 'code', type: 'text' }, { name: 'a`b', type: 'datetime' }], ['code'])).toBe(
      'CREATE TABLE `orders` (\n  `code` VARCHAR(255) NOT NULL,\n  `a``b` DATETIME(3) NULL,\n  PRIMARY KEY (`code`)\n) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
    );
  });

  it('keeps currency amounts exact (no fixed scale that would round them) and makes a reference a text column', () => {
    const fields: Field[] = [{ name: 'code', type: 'reference', ref: 'companies' }, { name: 'amount', type: 'currency', currency: 'EUR' }];
    expect(postgresTableDdl('s', 't', fields, ['code'])).toBe('CREATE TABLE "s"."t" (\n  "code" text NOT NULL,\n  "amount" numeric,\n  PRIMARY KEY ("code")\n)');
    expect(mysqlTableDdl('t', fields, ['code'])).toBe(
      'CREATE TABLE `t` (\n  `code` VARCHAR(255) NOT NULL,\n  `amount` DECIMAL(65,30) NULL,\n  PRIMARY KEY (`code`)\n) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
    );
  });

  it('refuses NUL, over-long names and (MySQL) a trailing space, naming the name', () => {
    expect(() => postgresTableDdl('s', 'a\u0000b', FIELDS, [])).toThrow(/table name "a\\u0000b" cannot be used/);
    expect(() => postgresTableDdl('s', 't', [{ name: 'x\u0000', type: 'text' }], [])).toThrow(ConnectorError);
    expect(() => postgresTableDdl('s', 'é'.repeat(32), FIELDS, [])).toThrow(/longer than Postgres allows \(63 bytes\)/);
    expect(() => mysqlTableDdl('t'.repeat(65), FIELDS, [])).toThrow(/longer than MySQL allows/);
    expect(() => mysqlTableDdl('t', [{ name: 'trailing ', type: 'text' }], [])).toThrow(/ends with a space/);
    // MySQL names columns case-insensitively and its identifiers hold the Basic Multilingual Plane only: refused by
    // name before the server answers "Duplicate column name" or "Invalid utf8mb4 character string".
    expect(() => mysqlTableDdl('t', [{ name: 'ID', type: 'text' }, { name: 'id', type: 'date' }], [])).toThrow(/The column names "ID" and "id" differ only by case, and MySQL names columns ignoring case/);
    expect(() => mysqlTableDdl('t', [{ name: 'Straße', type: 'text' }, { name: 'STRASSE', type: 'text' }], [])).not.toThrow();
    expect(() => mysqlTableDdl('\u{1F600}orders', FIELDS, [])).toThrow(/The table name "\u{1F600}orders" holds a character MySQL does not allow in names \(\u{1F600}\)/u);
    expect(() => mysqlTableDdl('t', [{ name: 'a\u{1F600}', type: 'text' }], [])).toThrow(/column name/);
    // A session's temporary schema: its table would vanish with the pooled connection that made it.
    for (const schema of ['pg_temp', 'pg_temp_3', 'pg_toast_temp_3']) expect(() => postgresTableDdl(schema, 't', FIELDS, [])).toThrow(`Schema "${schema}" holds temporary tables`);
    expect(postgresTableDdl('PG_TEMP', 't', FIELDS, [])).toMatch(/^CREATE TABLE "PG_TEMP"\."t"/);
    // Postgres takes both.
    expect(postgresTableDdl('s', '\u{1F600}', [{ name: 'ID', type: 'text' }, { name: 'id', type: 'date' }], [])).toContain('"ID" text,\n  "id" date');
  });
});

async function collectRows(session: ConnectorSession, object: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const batch of session.read(object, { batchSize: 100 })) out.push(...batch.rows);
  return out;
}

const dialects = await Promise.all([postgres(), mariadb()]);

for (const d of dialects) {
  if (typeof d === 'string') {
    describe.skip(`create table (${d})`, () => undefined);
    continue;
  }
  describe(`create table on ${d.name}`, () => {
    let session: ConnectorSession;
    beforeAll(async () => {
      session = await d.open();
    });
    afterAll(async () => {
      await session?.close();
      await d.cleanup();
    });

    it('answers the statement on a dry run without creating anything', async () => {
      const dry = await session.createTable!('dry_run', FIELDS, ['id'], { dryRun: true });
      expect(dry.ddl).toMatch(/^CREATE TABLE /);
      expect((await session.discover()).map((o) => o.name)).not.toContain(d.objectName('dry_run'));
    });

    it('creates the table; discovery then finds its columns in Weft types and its key, and rows can be written', async () => {
      const created = await session.createTable!('orders', FIELDS, ['id'], { dryRun: false });
      expect(created.object).toBe(d.objectName('orders'));
      const found = (await session.discover()).find((o) => o.name === created.object);
      // Currency is a fixed-point number column (not Postgres' locale-bound money), read back as a number.
      expect(found?.fields.map((f) => [f.name, f.type])).toEqual(FIELDS.map((f) => [f.name, f.type === 'currency' ? 'number' : f.type === 'reference' ? 'text' : f.type]));
      expect(found?.primaryKey).toEqual(['id']);
      // An amount past 2^53 with many decimals fits the currency column exactly: written again, nothing changed.
      const row = { id: 1, name: 'Ada', price: '9007199254740993.123456789012345678', born: '1815-12-10', seen_at: '2026-12-06T04:00:00.000Z', active: true, company: 'acme' };
      expect(await session.write(created.object, [row], { mode: 'upsert', key: ['id'], fields: FIELDS })).toEqual([{ outcome: 'created' }]);
      expect(await session.write(created.object, [row], { mode: 'upsert', key: ['id'], fields: FIELDS })).toEqual([{ outcome: 'unchanged' }]);
      const [read] = await collectRows(session, created.object);
      expect(read).toMatchObject({ price: '9007199254740993.123456789012345678', company: 'acme' });
    });

    // fid13: a number column was DECIMAL(38,10) on MariaDB, which rounds an 11th decimal without a word (0.1 + 0.2, a
    // coordinate, a rate) and refuses 29+ integer digits: a number is now as wide as a currency amount.
    it('keeps numbers exact: decimals past the tenth place, 35 integer digits, a double\'s shortest text', async () => {
      const fields: Field[] = [
        { name: 'id', type: 'number' },
        { name: 'value', type: 'number' },
      ];
      const created = await session.createTable!('measures', fields, ['id'], { dryRun: false });
      const values = ['0.123456789012345678', '12345678901234567890123456789012345', 0.30000000000000004, '-0.000000000000000000000000000001'];
      const rows = values.map((value, i) => ({ id: i + 1, value }));
      expect((await session.write(created.object, rows, { mode: 'upsert', key: ['id'], fields })).map((r) => r.outcome)).toEqual(values.map(() => 'created'));
      const read = await collectRows(session, created.object);
      expect(read.map((r) => decimalText(r.value as string | number))).toEqual(values.map((v) => decimalText(v)));
    });

    it('creates hostile names exactly as given, with a text key', async () => {
      const table = 'weird "table" `x` __proto__';
      const created = await session.createTable!(table, HOSTILE, ['__proto__'], { dryRun: false });
      const found = (await session.discover()).find((o) => o.name === created.object);
      expect(found?.fields.map((f) => f.name)).toEqual(HOSTILE.map((f) => f.name));
      expect(found?.primaryKey).toEqual(['__proto__']);
      // A key compared exactly: 'a' and 'A' are two records.
      const rows = ['a', 'A'].map((k) => {
        // A null-prototype record, as connectors read them: `__proto__` is an own field here.
        const row = Object.create(null) as Record<string, unknown>;
        row['__proto__'] = k;
        Object.assign(row, { 'it"s `odd`': 'x', 'two words': 1, Größe: 'L' });
        return row;
      });
      const written = await session.write(created.object, rows, { mode: 'upsert', key: ['__proto__'], fields: HOSTILE });
      expect(written).toEqual([{ outcome: 'created' }, { outcome: 'created' }]);
    });

    it('estimates a table\'s rows for a run\'s progress: a small table counted exactly, an unknown one null', async () => {
      // "orders" holds the one row written above; the hostile table two.
      expect(await session.estimateRows!(d.objectName('orders'))).toBe(1);
      expect(await session.estimateRows!(d.objectName('weird "table" `x` __proto__'))).toBe(2);
      expect(await session.estimateRows!(d.objectName('no_such_table'))).toBeNull();
    });

    it('says so when the table exists already, and refuses a NUL before reaching the server', async () => {
      await expect(session.createTable!('orders', FIELDS, ['id'], { dryRun: false })).rejects.toThrow(/already exists/);
      await expect(session.createTable!('nul\u0000table', FIELDS, [], { dryRun: false })).rejects.toThrow(/NUL/);
    });
  });
}
