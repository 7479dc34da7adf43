// A scratch Postgres database of its own (unique name, dropped after) with the API rig on the real dev server and a
// saved Postgres connection to it: what the incremental, cancel, refresh and partitioned-reads tests all start from.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expect } from 'vitest';
import { Connection } from '../../shared';
import { json, openApiRig, type ApiRig } from './api-rig';

export const POSTGRES_SERVER_URL = process.env.WEFT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ShopRig {
  rig: ApiRig;
  /** A client on the scratch database. */
  db: pg.Client;
  /** The saved connection ("Shop") to the scratch database. */
  connectionId: string;
  /** Closes the rig and the client and drops the database. */
  close(): Promise<void>;
}

export async function openShopRig(
  opts: { prefix: string; name: string; batchSize: number; address: string } & Pick<Parameters<typeof openApiRig>[0], 'activityStore' | 'activitySessions' | 'maxPartsInFlight'>,
): Promise<ShopRig> {
  const database = `${opts.prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_SERVER_URL, connectionTimeoutMillis: 2000 });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(POSTGRES_SERVER_URL);
  url.pathname = `/${database}`;
  const db = new pg.Client({ connectionString: url.toString() });
  let rig: ApiRig | undefined;
  const close = async () => {
    await rig?.close();
    await db.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  };
  try {
    await db.connect();
    rig = await openApiRig({ address: opts.address, name: opts.name, batchSize: opts.batchSize, activityStore: opts.activityStore, activitySessions: opts.activitySessions, maxPartsInFlight: opts.maxPartsInFlight });
    const res = await rig.app.request(
      '/api/connections',
      json('POST', { connector: 'postgres', name: 'Shop', config: { host: url.hostname, port: Number(url.port || 5432), database, user: decodeURIComponent(url.username || 'postgres') }, secrets: { password: decodeURIComponent(url.password) } }),
    );
    expect(res.status, await res.clone().text()).toBe(201);
    return { rig, db, connectionId: Connection.parse(await res.json()).id, close };
  } catch (err) {
    await close();
    throw err;
  }
}
