// Opens the store: PGlite under the data directory by default, Postgres when a DATABASE_URL is given.
import { join } from 'node:path';
import { createDrizzleStore } from './drizzle-store';
import { openPglite, openPostgres } from './engines';
import type { Store } from './types';

export type OpenStoreOptions = (
  | {
      /** Weft's data directory; PGlite keeps its database in `<dataDir>/pglite`. */
      dataDir: string;
      /** A Postgres connection string; when set (and not empty), `dataDir` is not used by the store. */
      databaseUrl?: string;
      /** 'pglite' when `databaseUrl` is Weft's own PGlite store process (see pglite-process.ts). */
      engine?: 'pglite' | 'postgres';
    }
  | {
      /** An in-memory PGlite that vanishes on close: for tests. */
      memory: true;
    }
) & {
  /** Apply pending migrations before returning (default true; idempotent and safe on every start). */
  migrate?: boolean;
};

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const engine =
    'memory' in opts
      ? await openPglite(null)
      : opts.databaseUrl
        ? await openPostgres(opts.databaseUrl, 10, opts.engine ?? 'postgres')
        : await openPglite(join(opts.dataDir, 'pglite'));
  const store = createDrizzleStore(engine);
  if (opts.migrate !== false) {
    try {
      await store.migrate();
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}

export type * from './types';
export { StoreConflictError, StoreNotFoundError } from './errors';
export { MIGRATIONS } from './migrations';
export type { AuthStore, StoredUser, NewAuditEntry } from './auth';
export { EmailTakenError } from './auth';
