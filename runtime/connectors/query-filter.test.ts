// Hostile query filters against a real Postgres (127.0.0.1:5432) and a real MariaDB (127.0.0.1:3306), as a plain
// role that could write if nothing stopped it and as a superuser: every escape is refused, the catalog and the data
// are unchanged afterwards, and the time limit cuts a long sleep. Each run makes and drops its own databases and roles.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeReadFailure } from '../connections/source-preview';
import { mysqlConnector, type MysqlConfig } from './mysql';
import { postgresConnector, type PostgresConfig } from './postgres';
import { ConnectorError, type ConnectorSession, type Row } from './types';

const PG_URL = process.env.WEFT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MY_URL = process.env.WEFT_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const id = randomBytes(4).toString('hex');
const PWNED = `weft_pwned_${id}`;
const PASSWORD = `Qf-${id}-pass`;

async function readAll(session: ConnectorSession, object: string, query: string, batchSize = 100): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const b of session.read(object, { query, batchSize })) rows.push(...b.rows);
  return rows;
}

/** The read's refusal, or a failure naming what it returned instead. */
async function refusal(session: ConnectorSession, object: string, query: string): Promise<ConnectorError> {
  try {
    const rows = await readAll(session, object, query);
    throw new Error(`the filter was accepted and returned ${JSON.stringify(rows).slice(0, 200)}`);
  } catch (e) {
    if (!(e instanceof ConnectorError)) throw e;
    return e;
  }
}

// Each escape closes the subquery Weft wraps the filter in, ends the READ ONLY transaction and runs DDL, fooling a
// check that re-reads the text: # is an operator in Postgres; $a1$ is a dollar quote the old check did not know;
// x$$ is an identifier; '\' is a complete string (standard_conforming_strings) and E'\'' an escape string.
const pgEscapes: [string, string][] = [
  ['# (the issue)', `SELECT 1 # 1 AS a) AS q; COMMIT; CREATE TABLE ${PWNED}(i int); SELECT * FROM (SELECT 1 AS a`],
  ['-- inside a dollar quote', `SELECT $a1$ -- $a1$ AS a) AS q; COMMIT; CREATE TABLE ${PWNED}(i int); SELECT * FROM (SELECT 1 AS a`],
  ['/* */ around a dollar quote', `SELECT $a1$ /* $a1$ AS a) AS q; COMMIT; CREATE TABLE ${PWNED}(i int); SELECT * FROM (SELECT 1 AS a /* */`],
  ['$$ in identifiers', `SELECT 1 AS x$$) AS q; COMMIT; CREATE TABLE ${PWNED}(i int); SELECT * FROM (SELECT 1 AS y$$`],
  ["backslash in '...', E'...'", `SELECT '\\' AS a) AS q; COMMIT; CREATE TABLE ${PWNED}(i int); SELECT * FROM (SELECT E'\\'' AS a`],
  ['a semicolon inside a string', `SELECT length(';') # 1 AS a) AS q; COMMIT; CREATE TABLE ${PWNED}(i int); SELECT * FROM (SELECT 1 AS a`],
  ['UPDATE after the escape', `SELECT 1 # 1 AS a) AS q; COMMIT; UPDATE items SET name = 'pwned'; SELECT * FROM (SELECT 1 AS a`],
  ['DROP after the escape', `SELECT 1 # 1 AS a) AS q; COMMIT; DROP TABLE items; SELECT * FROM (SELECT 1 AS a`],
  ['COPY ... FROM PROGRAM', `SELECT 1 # 1 AS a) AS q; COMMIT; CREATE TABLE ${PWNED}(i text); COPY ${PWNED} FROM PROGRAM 'echo pwned'; SELECT * FROM (SELECT 1 AS a`],
  ['SET read write after the escape', `SELECT 1 # 1 AS a) AS q; SET TRANSACTION READ WRITE; CREATE TABLE ${PWNED}(i int); SELECT * FROM (SELECT 1 AS a`],
];

describe('query filters on Postgres', () => {
  const DB = `weft_qf_${id}`;
  const roles = { plain: `weft_qf_${id}_plain`, superuser: `weft_qf_${id}_super` };
  let admin: pg.Client;
  let inDb: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DB}`);
    await admin.query(`CREATE ROLE ${roles.plain} LOGIN PASSWORD '${PASSWORD}'`);
    await admin.query(`CREATE ROLE ${roles.superuser} LOGIN SUPERUSER PASSWORD '${PASSWORD}'`);
    const url = new URL(PG_URL);
    url.pathname = `/${DB}`;
    inDb = new pg.Client({ connectionString: url.toString() });
    await inDb.connect();
    await inDb.query('CREATE TABLE items (id int PRIMARY KEY, name text)');
    await inDb.query("INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 5) g");
    // Large enough that a cursor reads it through its key's index, a row at a time (no sort of every row first).
    await inDb.query('CREATE TABLE big (id int PRIMARY KEY, n int); INSERT INTO big SELECT g, g FROM generate_series(1, 20000) g; ANALYZE big');
    await inDb.query(`GRANT SELECT ON big TO ${roles.plain}`);
    // The plain role may create and change tables: only the filter's enforcement stands between it and a write.
    await inDb.query(`GRANT ALL ON SCHEMA public TO ${roles.plain}; GRANT ALL ON items TO ${roles.plain}`);
  });

  afterAll(async () => {
    await inDb?.end();
    await admin?.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    for (const r of Object.values(roles)) await admin?.query(`DROP ROLE IF EXISTS ${r}`);
    await admin?.end();
  });

  const catalog = async () => {
    const tables = await inDb.query<{ t: string }>("SELECT string_agg(relname, ',' ORDER BY relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'");
    const items = await inDb.query<{ t: string }>("SELECT string_agg(id || '=' || name, ',' ORDER BY id) AS t FROM items");
    return { tables: tables.rows[0]!.t, items: items.rows[0]!.t };
  };
  const config = (user: string, timeout = 5): PostgresConfig => ({ host: '127.0.0.1', port: Number(new URL(PG_URL).port || 5432), database: DB, user, sslMode: 'disable', schema: 'public', queryTimeoutSeconds: timeout });

  for (const [as, user] of [['a plain role', roles.plain], ['a superuser', roles.superuser]] as const) {
    describe(`as ${as}`, () => {
      let session: ConnectorSession;
      beforeAll(async () => {
        session = await postgresConnector.open(config(user), { password: PASSWORD });
      });
      afterAll(async () => session?.close());

      it.each(pgEscapes)('refuses the escape with %s, and nothing outside the read happens', async (_, filter) => {
        const before = await catalog();
        const error = await refusal(session, 'items', filter);
        expect(error.code).toBe('invalid_query');
        expect(describeReadFailure(error, 'items').message).toMatch(/^Only a single SELECT/);
        expect(await catalog()).toEqual(before);
        expect(before.tables).toBe('big,big_pkey,items,items_pkey');
        expect(before.items).toBe('1=item 1,2=item 2,3=item 3,4=item 4,5=item 5');
      });

      it('keeps no large object and sends no notification a filter makes: READ ONLY lets them through, the read rolls back', async () => {
        const objects = async () => Number((await inDb.query<{ n: string }>('SELECT count(*) AS n FROM pg_largeobject_metadata')).rows[0]!.n);
        const before = await objects();
        const heard: string[] = [];
        const listener = new pg.Client({ connectionString: new URL(`/${DB}`, PG_URL).toString() });
        await listener.connect();
        try {
          listener.on('notification', (n) => heard.push(n.payload ?? ''));
          await listener.query(`LISTEN weft_qf_${id}`);
          for (const filter of [
            "SELECT lo_from_bytea(0, '\\x00'::bytea)::text AS a",
            'SELECT lo_create(0)::text AS a',
            `SELECT pg_notify('weft_qf_${id}', 'from a filter') AS a`,
          ]) {
            await readAll(session, 'items', filter).catch((e: unknown) => expect(e).toBeInstanceOf(ConnectorError));
          }
          await new Promise((r) => setTimeout(r, 300));
          expect(await objects()).toBe(before);
          expect(heard).toEqual([]);
        } finally {
          await listener.end();
        }
      });

      it('answers promptly when the server refuses the filter itself (a typo, an unknown table or column, a stray parenthesis)', async () => {
        // The server's refusal of the filter alone used to leave the read waiting forever, holding its connection.
        const within = <T,>(work: Promise<T>) => Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the read hung')), 4000))]);
        for (const [filter, shown] of [
          [`SELECT * FROM no_such_table_${id}`, /no_such_table/],
          ['SELECT no_such_column FROM items', /no_such_column/],
          ['SELECT 1 AS a ) AS weft_q, (SELECT 1 AS b', /syntax error/],
          ['SELECT 1 AS a FROM items WHERE', /syntax error/],
        ] as const) {
          const error = await within(refusal(session, 'items', filter));
          expect(error.message).toMatch(shown);
        }
        // The session still reads afterwards: its connections were not left waiting.
        expect(await within(readAll(session, 'items', 'SELECT id FROM items WHERE id < 3'))).toEqual([{ id: 1 }, { id: 2 }]);
      });

      it('cuts a pg_sleep after an escape, and one in a plain SELECT, at the timeout', async () => {
        const short = await postgresConnector.open(config(user, 1), { password: PASSWORD });
        try {
          for (const filter of [`SELECT 1 # 1 AS a) AS q; COMMIT; SELECT pg_sleep(6); SELECT * FROM (SELECT 1 AS a`, 'SELECT pg_sleep(6)::text AS a', 'SELECT id, pg_sleep(6)::text AS s FROM items']) {
            const started = Date.now();
            const error = await refusal(short, 'items', filter);
            expect(Date.now() - started).toBeLessThan(4000);
            expect(['invalid_query', 'timeout']).toContain(error.code);
          }
          // A filter that lifts the session's timeout in its first batch does not lift it for the batches after it.
          const started = Date.now();
          // In the WHERE clause, so the cursor reads big through its index a row at a time (no sort of every row).
          const lifted = `SELECT id, n FROM big WHERE (CASE WHEN id = 1 THEN set_config('statement_timeout', '0', false) ELSE pg_sleep(CASE WHEN id = 2 THEN 6 ELSE 0 END)::text END) IS NOT NULL`;
          const rows: Row[] = [];
          const error = await (async () => {
            try {
              for await (const b of short.read('big', { query: lifted, batchSize: 1 })) rows.push(...b.rows);
            } catch (e) {
              return e as ConnectorError;
            }
          })();
          expect(rows).toEqual([{ id: 1, n: 1 }]);
          expect(Date.now() - started).toBeLessThan(4000);
          expect(error?.code).toBe('timeout');
        } finally {
          await short.close();
        }
      });

      it('still reads good filters: strings with ; # -- and backslashes, comments, dollar quotes, E strings', async () => {
        const rows = await readAll(
          session,
          'items',
          `SELECT id, name || ';' AS a, '#--\\' AS b, E'it\\'s' AS c, $q$ ; $q$ AS d /* ; */ FROM items -- ; trailing
           WHERE id # 1 = 3`,
        );
        expect(rows).toEqual([{ id: 2, a: 'item 2;', b: '#--\\', c: "it's", d: ' ; ' }]);
        const ending = await readAll(session, 'items', 'SELECT id FROM items WHERE id = 1 -- a comment at the end');
        expect(ending).toEqual([{ id: 1 }]);
      });

      it('refuses a statement that returns no rows, and a write, with the single-SELECT message', async () => {
        for (const filter of [`CREATE TABLE ${PWNED}(i int)`, `WITH d AS (DELETE FROM items RETURNING *) SELECT * FROM d`, "COPY (SELECT 1) TO PROGRAM 'true'", `SELECT 1 AS i INTO ${PWNED}`]) {
          const before = await catalog();
          const error = await refusal(session, 'items', filter);
          // A plain user may not even prepare INTO OUTFILE (no FILE privilege): refused as a permission.
          expect({ filter, code: error.code, message: error.message }).toMatchObject({ code: expect.stringMatching(/^(invalid_query|permission)$/) });
          expect(await catalog()).toEqual(before);
        }
      });
    });
  }
});

// MariaDB: a second statement is refused by the server (multipleStatements off), a write by the READ ONLY
// transaction, a long SLEEP by max_statement_time; the text tricks are the same, with MySQL's own comment rules.
const myEscapes: [string, string][] = [
  ['--x is not a comment in MySQL', `SELECT 1 --1 AS a) AS q; COMMIT; CREATE TABLE ${PWNED}(i int); SELECT * FROM (SELECT 1 AS a`],
  ['/* */ comment', `SELECT 1 AS a) AS q; /* */ COMMIT; CREATE TABLE ${PWNED}(i int); SELECT * FROM (SELECT 1 AS a /* */`],
  ["backslash in '...'", `SELECT '\\\\' AS a) AS q; COMMIT; CREATE TABLE ${PWNED}(i int); SELECT * FROM (SELECT '\\'' AS a`],
  ['a semicolon inside a string', `SELECT ';' AS a) AS q; COMMIT; CREATE TABLE ${PWNED}(i int); SELECT * FROM (SELECT 1 AS a`],
  ['UPDATE after the escape', `SELECT 1 AS a) AS q; COMMIT; UPDATE items SET name = 'pwned'; SELECT * FROM (SELECT 1 AS a`],
  ['DROP after the escape', `SELECT 1 AS a) AS q; COMMIT; DROP TABLE items; SELECT * FROM (SELECT 1 AS a`],
  ['INTO OUTFILE after closing the subquery', `SELECT 1 AS a) AS q UNION SELECT 2 FROM DUAL INTO OUTFILE '/tmp/${PWNED}'; SELECT * FROM (SELECT 1 AS a`],
  ['SET STATEMENT lifting the time limit', `SELECT 1 AS a) AS q; SET SESSION max_statement_time = 0; SELECT * FROM (SELECT 1 AS a`],
];

describe('query filters on MariaDB', () => {
  const DB = `weft_qf_${id}`;
  const users = { plain: `weft_qf_${id}_p`, superuser: `weft_qf_${id}_s` };
  const hosts = ['localhost', '127.0.0.1', '%'];
  let root: mysql.Connection;

  beforeAll(async () => {
    root = await mysql.createConnection({ uri: MY_URL });
    await root.query(`CREATE DATABASE ${DB}`);
    await root.query(`CREATE TABLE ${DB}.items (id int PRIMARY KEY, name varchar(50))`);
    await root.query(`INSERT INTO ${DB}.items VALUES (1, 'item 1'), (2, 'item 2'), (3, 'item 3')`);
    for (const h of hosts) {
      await root.query('CREATE USER ?@? IDENTIFIED BY ?', [users.plain, h, PASSWORD]);
      // The plain user may write to its database: only the filter's enforcement stands between it and a write.
      await root.query(`GRANT ALL PRIVILEGES ON ${DB}.* TO ?@?`, [users.plain, h]);
      await root.query('CREATE USER ?@? IDENTIFIED BY ?', [users.superuser, h, PASSWORD]);
      await root.query('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [users.superuser, h]);
    }
  });

  afterAll(async () => {
    await root?.query(`DROP DATABASE IF EXISTS ${DB}`);
    for (const u of Object.values(users)) for (const h of hosts) await root?.query('DROP USER IF EXISTS ?@?', [u, h]);
    await root?.end();
  });

  const catalog = async () => {
    const [tables] = await root.query<mysql.RowDataPacket[]>('SELECT GROUP_CONCAT(TABLE_NAME ORDER BY TABLE_NAME) AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [DB]);
    const [items] = await root.query<mysql.RowDataPacket[]>(`SELECT GROUP_CONCAT(id, '=', name ORDER BY id) AS t FROM ${DB}.items`);
    return { tables: String(tables[0]!.t), items: String(items[0]!.t) };
  };
  const config = (user: string, timeout = 5): MysqlConfig => ({ host: '127.0.0.1', port: Number(new URL(MY_URL).port || 3306), database: DB, user, sslMode: 'disable', queryTimeoutSeconds: timeout });

  for (const [as, user] of [['a plain user', users.plain], ['a user with ALL PRIVILEGES', users.superuser]] as const) {
    describe(`as ${as}`, () => {
      let session: ConnectorSession;
      beforeAll(async () => {
        session = await mysqlConnector.open(config(user), { password: PASSWORD });
      });
      afterAll(async () => session?.close());

      it.each(myEscapes)('refuses the escape with %s, and nothing outside the read happens', async (_, filter) => {
        const before = await catalog();
        const error = await refusal(session, 'items', filter);
        expect(error.code).toBe('invalid_query');
        expect(describeReadFailure(error, 'items').message).toMatch(/^Only a single SELECT/);
        expect(await catalog()).toEqual(before);
        expect(before).toEqual({ tables: 'items', items: '1=item 1,2=item 2,3=item 3' });
      });

      it('cuts a SLEEP at the timeout', async () => {
        const short = await mysqlConnector.open(config(user, 1), { password: PASSWORD });
        try {
          for (const filter of ['SELECT SLEEP(6) AS a', 'SELECT id, SLEEP(6) AS s FROM items']) {
            const started = Date.now();
            const error = await refusal(short, 'items', filter);
            expect(Date.now() - started).toBeLessThan(4000);
            expect(error.code).toBe('timeout');
          }
        } finally {
          await short.close();
        }
      });

      it('still reads good filters: strings with ; # -- ? and backslashes, comments, a resumed read', async () => {
        const rows = await readAll(session, 'items', `SELECT id, CONCAT(name, ';') AS a, '#-- ?\\\\' AS b /* ; */ FROM items # ; trailing\n WHERE id > 1 -- ; end`);
        expect(rows).toEqual([
          { id: 2, a: 'item 2;', b: '#-- ?\\' },
          { id: 3, a: 'item 3;', b: '#-- ?\\' },
        ]);
        // A # comment hides the rest of its line: what is left is one harmless SELECT.
        const before = await catalog();
        expect(await readAll(session, 'items', `SELECT 1 AS a # ) AS q; COMMIT; CREATE TABLE ${PWNED}(i int); SELECT * FROM (SELECT 1 AS a`)).toEqual([{ a: 1 }]);
        expect(await catalog()).toEqual(before);
        // A ? in the filter is the person's text, never a placeholder for the resume cursor.
        const resumed: Row[] = [];
        for await (const b of session.read('items', { query: "SELECT id, '?' AS q FROM items", batchSize: 1, cursor: { after: [1] } })) resumed.push(...b.rows);
        expect(resumed).toEqual([
          { id: 2, q: '?' },
          { id: 3, q: '?' },
        ]);
      });

      it('refuses a statement that returns no rows, and a write, with the single-SELECT message', async () => {
        for (const filter of [`CREATE TABLE ${PWNED}(i int)`, "DELETE FROM items WHERE id = 1", `SELECT 1 INTO OUTFILE '/tmp/${PWNED}'`, 'SELECT 1 INTO @weft_v']) {
          const before = await catalog();
          const error = await refusal(session, 'items', filter);
          // A plain user may not even prepare INTO OUTFILE (no FILE privilege): refused as a permission.
          expect({ filter, code: error.code, message: error.message }).toMatchObject({ code: expect.stringMatching(/^(invalid_query|permission)$/) });
          expect(await catalog()).toEqual(before);
        }
      });
    });
  }
});
