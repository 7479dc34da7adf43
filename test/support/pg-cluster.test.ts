// The throwaway cluster really checks passwords: a wrong one is refused with 28P01, the right one reads `orders`.
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgClusterUnavailable, startPgCluster, type PgCluster } from './pg-cluster';

const unavailable = pgClusterUnavailable();
if (unavailable) console.warn(`skipping pg-cluster tests: ${unavailable}`);

describe.skipIf(unavailable !== null)('startPgCluster', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPgCluster();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  const client = (password: string) => new pg.Client({ host: cluster.host, port: cluster.port, database: cluster.database, user: cluster.user, password, connectionTimeoutMillis: 5_000 });

  it('refuses a wrong password with SQLSTATE 28P01', async () => {
    const c = client(`${cluster.password}-wrong`);
    await expect(c.connect()).rejects.toMatchObject({ code: '28P01' });
    await c.end().catch(() => undefined);
  });

  it('refuses an empty password too (no trust rule anywhere)', async () => {
    const c = client('');
    await expect(c.connect()).rejects.toThrow();
    await c.end().catch(() => undefined);
  });

  it('accepts the right password and serves the orders table', async () => {
    const c = client(cluster.password);
    await c.connect();
    try {
      const { rows } = await c.query<{ id: number; customer: string; amount: string; placed_at: Date }>('SELECT id, customer, amount, placed_at FROM orders ORDER BY id');
      expect(rows.map((r) => r.customer)).toEqual(cluster.orders.map((o) => o.customer));
      expect(rows.map((r) => r.amount)).toEqual(cluster.orders.map((o) => o.amount));
      expect(rows[0]!.placed_at.toISOString()).toBe(new Date(cluster.orders[0]!.placed_at).toISOString());
    } finally {
      await c.end();
    }
  });

  it('has no trust rule in pg_hba.conf: every line asks for scram-sha-256', async () => {
    const c = new pg.Client({ host: cluster.host, port: cluster.port, database: 'postgres', user: cluster.superuser, password: cluster.superPassword });
    await c.connect();
    try {
      const { rows } = await c.query<{ auth_method: string }>('SELECT DISTINCT auth_method FROM pg_hba_file_rules');
      expect(rows.map((r) => r.auth_method)).toEqual(['scram-sha-256']);
    } finally {
      await c.end();
    }
  });

  it('stop() shuts the server down and removes its directory', async () => {
    const other = await startPgCluster({ database: 'scratch', user: 'scratch_user' });
    expect(existsSync(other.dir)).toBe(true);
    await other.stop();
    expect(existsSync(other.dir)).toBe(false);
    const c = new pg.Client({ host: '127.0.0.1', port: other.port, database: 'scratch', user: 'scratch_user', password: other.password, connectionTimeoutMillis: 3_000 });
    await expect(c.connect()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await c.end().catch(() => undefined);
    await other.stop(); // twice is fine
  }, 120_000);
});
