// Names people and databases choose are data, never SQL: a table and columns named with quotes, backticks,
// semicolons, comment markers and `?` are discovered, read (with a resume cursor) and written (upsert) on the real
// Postgres and MariaDB, and nothing else in the database changes.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlConnector } from './mysql';
import { postgresConnector } from './postgres';
import type { ConnectorSession, Row, WriteOptions } from './types';

const PG_URL = process.env.WEFT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MY_URL = process.env.WEFT_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const id = randomBytes(4).toString('hex');
const TABLE = `we"ird\`; DROP TABLE keep; -- ?`;
const COLS = ['id', 'na"me; DROP TABLE keep; --', 'tick`; DELETE FROM keep #', 'q?mark /*', '__proto__'];

async function readAll(session: ConnectorSession, object: string, cursor?: unknown): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const b of session.read(object, { batchSize: 1, cursor })) rows.push(...b.rows);
  return rows;
}

const writeOptions: WriteOptions = { mode: 'upsert', key: ['id'], fields: COLS.map((name) => ({ name, type: name === 'id' ? 'number' : 'text' })) };
const row = (n: number, tag: string): Row => Object.fromEntries(COLS.map((c, i) => [c, i === 0 ? n : `${tag}${n} ' " \` ? ; --`]));

describe('hostile table and column names on Postgres', () => {
  const DB = `weft_hn_${id}`;
  let admin: pg.Client;
  let inDb: pg.Client;
  let session: ConnectorSession;
  const q = (n: string) => `"${n.replace(/"/g, '""')}"`;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DB}`);
    const url = new URL(PG_URL);
    url.pathname = `/${DB}`;
    inDb = new pg.Client({ connectionString: url.toString() });
    await inDb.connect();
    await inDb.query('CREATE TABLE keep (i int); INSERT INTO keep VALUES (1), (2)');
    await inDb.query(`CREATE TABLE ${q(TABLE)} (${COLS.map((c, i) => `${q(c)} ${i === 0 ? 'int PRIMARY KEY' : 'text'}`).join(', ')})`);
    session = await postgresConnector.open({ host: '127.0.0.1', port: Number(url.port || 5432), database: DB, user: decodeURIComponent(url.username || 'postgres'), sslMode: 'disable', schema: 'public', queryTimeoutSeconds: 30 }, { password: '' });
  });
  afterAll(async () => {
    await session?.close();
    await inDb?.end();
    await admin?.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin?.end();
  });

  it('discovers, writes, reads and resumes them as data', async () => {
    const found = (await session.discover()).find((o) => o.label === TABLE);
    expect(found?.fields.map((f) => f.name)).toEqual(COLS);
    const object = found!.name;
    expect(await session.write(object, [row(1, 'a'), row(2, 'a')], writeOptions)).toEqual([{ outcome: 'created' }, { outcome: 'created' }]);
    expect(await session.write(object, [row(1, 'b'), row(2, 'a')], writeOptions)).toEqual([{ outcome: 'updated' }, { outcome: 'unchanged' }]);
    expect(await readAll(session, object)).toEqual([row(1, 'b'), row(2, 'a')]);
    expect(await readAll(session, object, { after: [1] })).toEqual([row(2, 'a')]);
    expect((await inDb.query('SELECT count(*)::int AS n FROM keep')).rows[0]).toEqual({ n: 2 });
    const tables = await inDb.query<{ n: string }>("SELECT relname AS n FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1");
    expect(tables.rows.map((r) => r.n)).toEqual(['keep', TABLE]);
  });
});

describe('hostile table and column names on MariaDB', () => {
  const DB = `weft_hn_${id}`;
  let root: mysql.Connection;
  let session: ConnectorSession;
  const q = (n: string) => `\`${n.replace(/`/g, '``')}\``;

  beforeAll(async () => {
    root = await mysql.createConnection({ uri: MY_URL });
    await root.query(`CREATE DATABASE ${DB}`);
    await root.query(`CREATE TABLE ${DB}.keep (i int)`);
    await root.query(`INSERT INTO ${DB}.keep VALUES (1), (2)`);
    await root.query(`CREATE TABLE ${DB}.${q(TABLE)} (${COLS.map((c, i) => `${q(c)} ${i === 0 ? 'int PRIMARY KEY' : 'varchar(100)'}`).join(', ')})`);
    const url = new URL(MY_URL);
    session = await mysqlConnector.open({ host: '127.0.0.1', port: Number(url.port || 3306), database: DB, user: decodeURIComponent(url.username || 'root'), sslMode: 'disable', queryTimeoutSeconds: 30 }, { password: decodeURIComponent(url.password) });
  });
  afterAll(async () => {
    await session?.close();
    await root?.query(`DROP DATABASE IF EXISTS ${DB}`);
    await root?.end();
  });

  it('discovers, writes, reads and resumes them as data', async () => {
    const found = (await session.discover()).find((o) => o.label === TABLE);
    expect(found?.fields.map((f) => f.name)).toEqual(COLS);
    const object = found!.name;
    expect(await session.write(object, [row(1, 'a'), row(2, 'a')], writeOptions)).toEqual([{ outcome: 'created' }, { outcome: 'created' }]);
    expect(await session.write(object, [row(1, 'b'), row(2, 'a')], writeOptions)).toEqual([{ outcome: 'updated' }, { outcome: 'unchanged' }]);
    expect(await readAll(session, object)).toEqual([row(1, 'b'), row(2, 'a')]);
    expect(await readAll(session, object, { after: [1] })).toEqual([row(2, 'a')]);
    const [keep] = await root.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${DB}.keep`);
    expect(Number(keep[0]!.n)).toBe(2);
    const [tables] = await root.query<mysql.RowDataPacket[]>('SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1', [DB]);
    expect(tables.map((t) => String(t.n)).sort()).toEqual(['keep', TABLE].sort());
  });
});
