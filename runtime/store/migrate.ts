// Applies the versioned migrations in order, once each, under a lock so concurrent starts (API + workers) agree.
import { sql } from 'drizzle-orm';
import type { Db } from './db';
import { MIGRATIONS, type Migration } from './migrations';
import type { MigrateOptions } from './migrations/types';
import { weftMigrations } from './schema';

/** Arbitrary but fixed: the advisory lock every Weft process takes while migrating. */
const MIGRATION_LOCK = 0x5745_4654; // "WEFT"

/**
 * Applies every migration not yet recorded in weft_migrations; returns the versions it applied. Safe to call on every
 * start. Without `secrets` (the key), a migration that needs it (`withKey`) stays pending (migrations/types.ts).
 */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS, options: MigrateOptions = {}): Promise<number[]> {
  const box = options.secrets ?? null;
  return db.transaction(async (tx) => {
    await tx.execute(sql.raw(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`));
    await tx.execute(
      sql.raw(`CREATE TABLE IF NOT EXISTS weft_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`),
    );
    const done = new Set((await tx.select({ version: weftMigrations.version }).from(weftMigrations)).map((r) => r.version));
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      if (migration.withKey && !box) continue;
      for (const statement of migration.statements) await tx.execute(sql.raw(statement));
      if (migration.withKey && box) await migration.withKey(tx, box);
      await tx.insert(weftMigrations).values({ version: migration.version, name: migration.name });
      applied.push(migration.version);
    }
    return applied;
  });
}
