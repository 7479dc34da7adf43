// One statement on a Postgres server as its admin (create or drop a scratch database, count rows), on a connection of
// its own that is closed after: what the multi-process tests and benches use around the processes they start.
import pg from 'pg';

export const ADMIN_URL = process.env.WEFT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function admin(url: string, text: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return (await client.query(text)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}
