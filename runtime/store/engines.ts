// The two engines behind one Drizzle type: embedded PGlite (on disk or in memory) and Postgres through a pg pool.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Db } from './db';
import { pgliteTemplate } from './pglite-template';

export interface Engine {
  kind: 'pglite' | 'postgres';
  db: Db;
  close(): Promise<void>;
}

/**
 * WEFT_PGLITE_SHARED_BUFFERS (default 8MB): a size in kB, MB or GB, checked here so a typo is refused with its name
 * instead of failing inside PGlite's start (the value is one setting of the embedded Postgres, never more).
 */
export function pgliteSharedBuffers(value: string | undefined): string {
  if (value === undefined) return '8MB';
  if (!/^[1-9][0-9]{0,5}(kB|MB|GB)$/.test(value)) throw new Error(`WEFT_PGLITE_SHARED_BUFFERS must be a size such as 8MB or 16MB, not ${JSON.stringify(value)}.`);
  return value;
}

/** A PGlite database in `dir` (created if missing), or in memory when `dir` is null, with Weft's settings. */
export async function createPglite(dir: string | null) {
  // Loaded on demand: a worker on Postgres never pays PGlite's ~40 MB of WebAssembly and modules.
  const { PGlite } = await import('@electric-sql/pglite');
  if (dir) await mkdir(dir, { recursive: true });
  // Postgres' default 128 MB of shared buffers would live in the process's WebAssembly memory, all of it touched when
  // the database opens: a smaller pool keeps a PGlite process under its memory budget (8 MB: store process idle
  // 8 MB lower than with 16), at a small cost in speed on tables larger than it (the files stay in the OS's cache).
  const startParams = [...PGlite.defaultStartParams, '-c', `shared_buffers=${pgliteSharedBuffers(process.env.WEFT_PGLITE_SHARED_BUFFERS)}`];
  // A database that does not exist yet starts from the template instead of initdb (pglite-template.ts).
  const template = !dir || !existsSync(join(dir, 'PG_VERSION')) ? pgliteTemplate() : null;
  const options = template ? { startParams, loadDataDir: template } : { startParams };
  return dir ? await PGlite.create(dir, options) : await PGlite.create(options);
}

/** PGlite in this process (tests, the CLI); `npm start` serves it from its own process instead (pglite-process.ts). */
export async function openPglite(dir: string | null): Promise<Engine> {
  const [client, { drizzle: drizzlePglite }] = await Promise.all([createPglite(dir), import('drizzle-orm/pglite')]);
  return {
    kind: 'pglite',
    db: drizzlePglite({ client }),
    close: () => client.close(),
  };
}

/** The server ended the session (a FATAL error: shutdown, an administrator's command) or the connection broke (SQLSTATE 08). */
function sessionEnded(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { severity, code } = e as { severity?: unknown; code?: unknown };
    if (severity === 'FATAL' || (typeof code === 'string' && code.startsWith('08'))) return true;
  }
  return false;
}

/**
 * Postgres through a pg pool. `kind` is 'pglite' for Weft's own store process (PGlite served over the wire protocol
 * by pglite-server.ts): the same code path, reported as the embedded store.
 */
export async function openPostgres(url: string, maxConnections = 10, kind: Engine['kind'] = 'postgres'): Promise<Engine> {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  // An idle client's error (e.g. the server restarting) must not crash the process; the pool replaces the client.
  pool.on('error', (err) => console.warn(`store: an idle Postgres connection failed: ${err.message}`));
  // The pool listens only to idle clients: one that dies while checked out (between two statements of a transaction)
  // would emit an 'error' no one hears and end the process. The statement in flight, or the next, reports it instead.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const probe = await pool.connect();
  probe.release();
  const db = drizzlePostgres({ client: pool });
  // Drizzle's transaction on a pool sends BEGIN before the try that gives the client back: a BEGIN that fails (the pool
  // handed out a connection that died while idle, the store going away) kept its client checked out for good, so the
  // pool's end waited forever and, `max` lost, so did every statement (engines.test.ts). Here each transaction takes
  // its own client, runs drizzle's transaction on that client alone, and always gives it back (a dead one is dropped).
  db.transaction = async (run, config) => {
    const client = await pool.connect();
    let ended: Error | undefined;
    try {
      return await drizzlePostgres({ client }).transaction(run, config);
    } catch (err) {
      // A session the server ended is dropped, not put back: the connection's end may not have reached the pool yet.
      if (sessionEnded(err)) ended = err as Error;
      throw err;
    } finally {
      client.release(ended);
    }
  };
  return { kind, db, close: () => pool.end() };
}
