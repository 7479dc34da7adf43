// The Postgres store engine outlives a connection that dies while it is checked out (a server restart or an
// administrator ending the session mid-transaction): the statement in flight fails with a lost-connection error the
// outage loop understands, and nothing is thrown where no one catches it (an unhandled 'error' event on a pg client
// would end the whole process).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyFailure } from '../activities/outage';
import { openPostgres, type Engine } from './engines';

const ADMIN_URL = process.env.WEFT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = `weft_engine_${randomBytes(4).toString('hex')}`;

async function admin<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<T>> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await client.query<T>(text, values);
  } finally {
    await client.end();
  }
}

describe('the Postgres store engine', () => {
  let engine: Engine;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${DB}`);
    engine = await openPostgres(new URL(`/${DB}`, ADMIN_URL).toString(), 2);
    process.on('uncaughtException', onUncaught);
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await engine?.close().catch(() => undefined);
    await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  });

  it('survives its session being ended between two statements of a transaction', async () => {
    const outcome = engine.db
      .transaction(async (tx) => {
        const { rows } = (await tx.execute(sql`SELECT pg_backend_pid() AS pid`)) as unknown as { rows: { pid: number }[] };
        // Ended from outside while the client is checked out and idle in the transaction.
        await admin('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        await new Promise((r) => setTimeout(r, 300));
        await tx.execute(sql`SELECT 1`);
      })
      .then(
        () => null,
        (err: unknown) => err,
      );
    const err = await outcome;
    expect(err).toBeInstanceOf(Error);
    expect(classifyFailure(err, 'the store')).toMatchObject({ kind: 'unreachable' });
    expect(uncaught).toEqual([]);
    // The pool replaces the dead client: the store answers again.
    const again = (await engine.db.execute(sql`SELECT 2 AS two`)) as unknown as { rows: { two: number }[] };
    expect(again.rows[0]!.two).toBe(2);
  });

  // test/faults/store-outage.test.ts, one fresh-clone CI (ninth session): the run passed, then closing the store never
  // finished. Drizzle's pooled transaction sends BEGIN before its try, so a BEGIN that fails (the pool handed out a
  // connection that died while idle: the store went away) never gave its client back; the pool's end waited for it
  // forever, and once `max` were lost every statement of the store would have waited too.
  it('gives a connection back when the BEGIN of a transaction fails on it: the pool still serves and closes', async () => {
    const url = new URL(`/${DB}`, ADMIN_URL).toString();
    const two = await openPostgres(url, 2);
    const within = <T>(p: Promise<T>) => Promise.race([p.then(() => 'done'), new Promise<string>((r) => setTimeout(() => r('hung'), 5_000))]);
    // Twice: both of the pool's connections lost that way.
    for (let i = 0; i < 2; i++) {
      const { rows } = (await two.db.execute(sql`SELECT pg_backend_pid() AS pid`)) as unknown as { rows: { pid: number }[] };
      // Ended from outside while idle in the pool, with this process's event loop blocked meanwhile (a synchronous
      // psql that waits for the session to end): the pool has not heard of it when it hands the connection out.
      execFileSync('psql', [ADMIN_URL, '-Atc', `SELECT pg_terminate_backend(${rows[0]!.pid}, 5000)`]);
      const err = await two.db.transaction(async (tx) => tx.execute(sql`SELECT 1`)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect(classifyFailure(err, 'the store')).toMatchObject({ kind: 'unreachable' });
    }
    expect(await within(two.db.execute(sql`SELECT 1`))).toBe('done');
    expect(await within(two.db.transaction(async (tx) => tx.execute(sql`SELECT 1`)))).toBe('done');
    expect(await within(two.close())).toBe('done');
    expect(uncaught).toEqual([]);
  }, 30_000);
});
