// Test support: a throwaway database on the machine's Postgres (WEFT_TEST_POSTGRES_URL) with an orders table, dropped after.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const SERVER_URL = process.env.WEFT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ScratchPostgres {
  config: { host: string; port: number; database: string; user: string };
  secrets: { password: string };
  drop(): Promise<void>;
}

/** null when no Postgres answers (the caller skips with a message). */
export async function scratchPostgres(rows = 25): Promise<ScratchPostgres | null> {
  const admin = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch {
    return null;
  }
  const database = `weft_sql_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  await db.query('CREATE TABLE orders (id integer PRIMARY KEY, customer text NOT NULL, amount numeric(10,2), placed_at timestamptz, paid boolean NOT NULL)');
  await db.query(
    `INSERT INTO orders SELECT i, 'Customer ' || i, i * 10.5, timestamptz '2026-01-01 00:00:00+00' + i * interval '1 day', i % 2 = 0 FROM generate_series(1, ${rows}) AS i`,
  );
  await db.end();
  return {
    config: { host: url.hostname, port: Number(url.port || 5432), database, user: decodeURIComponent(url.username || 'postgres') },
    secrets: { password: decodeURIComponent(url.password) },
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    },
  };
}
