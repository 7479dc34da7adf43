// The two engines behind one Drizzle type: embedded PGlite (on disk or in memory) and Postgres through a pg pool.
import { mkdir } from 'node:fs/promises';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Db } from './db';

export interface Engine {
  kind: 'pglite' | 'postgres';
  db: Db;
  close(): Promise<void>;
}

/** PGlite in `dir` (created if missing), or in memory when `dir` is null. */
export async function openPglite(dir: string | null): Promise<Engine> {
  // Loaded on demand: a worker on Postgres never pays PGlite's ~40 MB of WebAssembly and modules.
  const [{ PGlite }, { drizzle: drizzlePglite }] = await Promise.all([import('@electric-sql/pglite'), import('drizzle-orm/pglite')]);
  if (dir) await mkdir(dir, { recursive: true });
  // Postgres' default 128 MB of shared buffers would live in the process's WebAssembly memory next to the worker:
  // a smaller pool keeps a PGlite process (API + worker) under its memory budget, at a small cost in speed.
  const options = { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${process.env.WEFT_PGLITE_SHARED_BUFFERS ?? '16MB'}`] };
  const client = dir ? await PGlite.create(dir, options) : await PGlite.create(options);
  return {
    kind: 'pglite',
    db: drizzlePglite({ client }),
    close: () => client.close(),
  };
}

export async function openPostgres(url: string, maxConnections = 10): Promise<Engine> {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  // An idle client's error (e.g. the server restarting) must not crash the process; the pool replaces the client.
  pool.on('error', (err) => console.warn(`store: an idle Postgres connection failed: ${err.message}`));
  // The pool listens only to idle clients: one that dies while checked out (between two statements of a transaction)
  // would emit an 'error' no one hears and end the process. The statement in flight, or the next, reports it instead.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const probe = await pool.connect();
  probe.release();
  return {
    kind: 'postgres',
    db: drizzlePostgres({ client: pool }),
    close: () => pool.end(),
  };
}
