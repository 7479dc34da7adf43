// One statement on a Postgres server as its admin (create or drop a scratch database, count rows), on a connection of
// its own that is closed after: what the multi-process tests and benches use around the processes they start.
import pg from 'pg';

export const ADMIN_URL = process.env.WEFT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** One statement with its values, typed rows back; a server that dies under the connection is an error of the query. */
export async function queryOnce<T extends pg.QueryResultRow = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export const admin = (url: string, text: string): Promise<Record<string, unknown>[]> => queryOnce(url, text);
