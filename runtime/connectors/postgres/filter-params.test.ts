// Run parameters in a SQL filter against a real Postgres (127.0.0.1:5432): {{name}} is sent as a bind parameter, so a
// value holding SQL stays a value (no row matches it, the table is intact), and a preview without values still parses.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError, type ConnectorSession, type Row } from '../types';
import { postgresConnector, type PostgresConfig } from '.';

const PG_URL = process.env.WEFT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const id = randomBytes(4).toString('hex');
const DB = `weft_fp_${id}`;
const ROLE = `weft_fp_${id}_r`;
const PASSWORD = `Fp-${id}-pass`;

let admin: pg.Client;
let inDb: pg.Client;
let session: ConnectorSession;

async function readAll(query: string, params?: Map<string, unknown>): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const b of session.read('orders', { query, batchSize: 2, ...(params && { queryParams: params }) })) rows.push(...b.rows);
  return rows;
}

beforeAll(async () => {
  admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${DB}`);
  await admin.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'`);
  const url = new URL(PG_URL);
  url.pathname = `/${DB}`;
  inDb = new pg.Client({ connectionString: url.toString() });
  await inDb.connect();
  await inDb.query('CREATE TABLE orders (id int PRIMARY KEY, region text, created date)');
  await inDb.query("INSERT INTO orders VALUES (1, 'EU', '2024-01-05'), (2, 'US', '2024-02-01'), (3, 'EU', '2024-03-09'), (4, 'EU', '2024-04-01')");
  await inDb.query(`GRANT SELECT ON orders TO ${ROLE}`);
  const config: PostgresConfig = { host: '127.0.0.1', port: Number(new URL(PG_URL).port || 5432), database: DB, user: ROLE, sslMode: 'disable', schema: 'public', queryTimeoutSeconds: 5 };
  session = await postgresConnector.open(config, { password: PASSWORD });
});

afterAll(async () => {
  await session?.close();
  await inDb?.end();
  await admin?.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin?.query(`DROP ROLE IF EXISTS ${ROLE}`);
  await admin?.end();
});

describe('run parameters in a Postgres SQL filter', () => {
  const FILTER = 'SELECT * FROM orders WHERE region = {{region}} AND created >= {{since}}::date';

  it('binds each parameter as a value, across batches (the cursor numbers its own after them)', async () => {
    const rows = await readAll(FILTER, new Map([['region', 'EU'], ['since', '2024-02-01']]));
    expect(rows.map((r) => r.id)).toEqual([3, 4]);
  });

  it('keeps a value holding SQL a value: nothing matches it and the table is unchanged', async () => {
    const evil = "EU' OR '1'='1'; DROP TABLE orders; --";
    expect(await readAll(FILTER, new Map([['region', evil], ['since', '2000-01-01']]))).toEqual([]);
    const left = await inDb.query<{ n: string }>('SELECT count(*) AS n FROM orders');
    expect(Number(left.rows[0]!.n)).toBe(4);
  });

  it('reads a preview without values (every placeholder NULL), and names a parameter a run lacks', async () => {
    expect(await readAll(FILTER)).toEqual([]);
    await expect(readAll(FILTER, new Map([['region', 'EU']]))).rejects.toThrow(ConnectorError);
    await expect(readAll(FILTER, new Map([['region', 'EU']]))).rejects.toThrow(/no parameter "since"/);
  });
});
