// Connections to outside systems: settings, sealed secrets and the last test's outcome. Encryption is the caller's (runtime/connections).
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from './db';
import { isUniqueViolation, StoreConflictError } from './errors';
import { newId } from './ids';
import { connections, integrations } from './schema';
import type { ConnectionUsage, NewConnection, StoredConnection } from './types';

type Row = typeof connections.$inferSelect;

const toConnection = (r: Row): StoredConnection => ({
  id: r.id,
  connector: r.connector,
  name: r.name,
  config: r.config,
  secrets: r.secrets,
  lastTest: r.lastTestStatus && r.lastTestedAt ? { status: r.lastTestStatus, message: r.lastTestMessage, at: r.lastTestedAt.toISOString() } : null,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

const nameTaken = (name: string) => new StoreConflictError('connection', 'name', `A connection named "${name}" already exists`);

async function uniqueName<T>(name: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (name !== undefined && isUniqueViolation(err)) throw nameTaken(name);
    throw err;
  }
}

export async function listConnections(db: Db): Promise<StoredConnection[]> {
  const rows = await db.select().from(connections).orderBy(asc(sql`lower(${connections.name})`), asc(connections.id));
  return rows.map(toConnection);
}

export async function getConnection(db: Db, id: string): Promise<StoredConnection | null> {
  const [row] = await db.select().from(connections).where(eq(connections.id, id));
  return row ? toConnection(row) : null;
}

export async function createConnection(db: Db, input: NewConnection): Promise<StoredConnection> {
  const [row] = await uniqueName(input.name, () =>
    db.insert(connections).values({ id: newId('con'), connector: input.connector, name: input.name, config: input.config, secrets: input.secrets }).returning(),
  );
  if (!row) throw new Error('inserting the connection returned no row');
  return toConnection(row);
}

export async function updateConnection(
  db: Db,
  id: string,
  patch: { name?: string; config?: Record<string, unknown>; secrets?: string },
): Promise<StoredConnection | null> {
  const changesSettings = patch.config !== undefined || patch.secrets !== undefined;
  const [row] = await uniqueName(patch.name, () =>
    db
      .update(connections)
      .set({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.config !== undefined && { config: patch.config }),
        ...(patch.secrets !== undefined && { secrets: patch.secrets }),
        // A test result says nothing about settings it did not try.
        ...(changesSettings && { lastTestStatus: null, lastTestMessage: null, lastTestedAt: null }),
        updatedAt: sql`now()`,
      })
      .where(eq(connections.id, id))
      .returning(),
  );
  return row ? toConnection(row) : null;
}

export async function deleteConnection(db: Db, id: string): Promise<boolean> {
  const deleted = await db.delete(connections).where(eq(connections.id, id)).returning({ id: connections.id });
  return deleted.length > 0;
}

export async function recordConnectionTest(db: Db, id: string, result: { status: 'ok' | 'failed'; message: string | null }): Promise<StoredConnection | null> {
  const [row] = await db
    .update(connections)
    .set({ lastTestStatus: result.status, lastTestMessage: result.message, lastTestedAt: sql`now()` })
    .where(eq(connections.id, id))
    .returning();
  return row ? toConnection(row) : null;
}

/**
 * Which integrations use which connection: any draft node whose config has `connectionId`, or a two-way sync whose
 * side A or B names one (`config.a.connectionId`, `config.b.connectionId`; '' is the workspace).
 */
export async function listConnectionUsage(db: Db): Promise<ConnectionUsage> {
  const ids = sql<string[] | null>`(
    select jsonb_agg(distinct v.id #>> '{}')
    from jsonb_array_elements(${integrations.graph} -> 'nodes') as n
    cross join lateral (values (n -> 'config' -> 'connectionId'), (n -> 'config' -> 'a' -> 'connectionId'), (n -> 'config' -> 'b' -> 'connectionId')) as v(id)
    where jsonb_typeof(v.id) = 'string' and v.id #>> '{}' <> ''
  )`;
  const rows = await db.select({ id: integrations.id, name: integrations.name, connectionIds: ids }).from(integrations).orderBy(asc(integrations.name), asc(integrations.id));
  const usage: ConnectionUsage = {};
  for (const row of rows) {
    for (const connectionId of row.connectionIds ?? []) (usage[connectionId] ??= []).push({ id: row.id, name: row.name });
  }
  return usage;
}
