// Reading the workspace: Weft's own objects and their records, as the record browser pages through them.
import { and, asc, count, eq, gt, ilike, sql } from 'drizzle-orm';
import { FieldType, type WorkspaceObject, type WorkspaceRecord } from '../../shared';
import type { WorkspacePageRecord } from './types';
import type { Db } from './db';
import { page } from './paging';
import { workspaceObjects, workspaceRecords } from './schema';

type ObjectRow = typeof workspaceObjects.$inferSelect;

const toObject = (row: ObjectRow): WorkspaceObject => ({
  name: row.name,
  label: row.label,
  key: row.key,
  attributes: row.attributes.map((a) => ({ name: a.name, type: FieldType.parse(a.type), ...(a.currency ? { currency: a.currency } : {}), ...(a.ref ? { ref: a.ref } : {}) })),
  recordCount: row.recordCount,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export async function listWorkspaceObjects(db: Db): Promise<WorkspaceObject[]> {
  const rows = await db.select().from(workspaceObjects).orderBy(asc(workspaceObjects.name));
  return rows.map(toObject);
}

export async function getWorkspaceObject(db: Db, name: string): Promise<WorkspaceObject | null> {
  const [row] = await db.select().from(workspaceObjects).where(eq(workspaceObjects.name, name));
  return row ? toObject(row) : null;
}

/** ILIKE pattern matching `text` literally anywhere. */
const containsPattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listWorkspaceRecords(
  db: Db,
  name: string,
  opts?: { limit?: number; offset?: number; search?: string; order?: 'key' | 'created' },
): Promise<{ items: WorkspaceRecord[]; total: number }> {
  const { limit, offset } = page(opts);
  const search = opts?.search?.trim();
  const where = and(
    eq(workspaceRecords.objectName, name),
    search ? ilike(sql`${workspaceRecords.values}::text`, containsPattern(search)) : undefined,
  );
  const order = opts?.order === 'created' ? [asc(workspaceRecords.createdAt), asc(workspaceRecords.key)] : [asc(workspaceRecords.key)];
  const rows = await db
    .select({ key: workspaceRecords.key, values: workspaceRecords.values, createdAt: workspaceRecords.createdAt, updatedAt: workspaceRecords.updatedAt })
    .from(workspaceRecords)
    .where(where)
    .orderBy(...order)
    .limit(limit)
    .offset(offset);
  const [totalRow] = await db.select({ n: count() }).from(workspaceRecords).where(where);
  return {
    items: rows.map((r) => ({ key: r.key, values: r.values, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() })),
    total: totalRow?.n ?? 0,
  };
}

/**
 * A keyset page: records after `after` in key order, through the (object, key) primary key index, so paging a
 * large object costs the same at its end as at its start and a resume neither loses nor repeats a record.
 */
export async function readWorkspacePage(
  db: Db,
  name: string,
  opts: { after: string | null; limit: number; updatedAfter?: string; updatedFrom?: string },
): Promise<WorkspacePageRecord[]> {
  const rows = await db
    .select({ key: workspaceRecords.key, values: workspaceRecords.values, updatedAt: workspaceRecords.updatedAt })
    .from(workspaceRecords)
    .where(
      and(
        eq(workspaceRecords.objectName, name),
        opts.after === null ? undefined : gt(workspaceRecords.key, opts.after),
        // At the millisecond precision of the ISO times handed out, so a record is never newer than its own time.
        opts.updatedAfter === undefined ? undefined : sql`date_trunc('milliseconds', ${workspaceRecords.updatedAt}) > ${opts.updatedAfter}::timestamptz`,
        // Inclusive (the sync engine's rule, shared/sync/cursor.ts): records of the mark's own millisecond are read again.
        opts.updatedFrom === undefined ? undefined : sql`date_trunc('milliseconds', ${workspaceRecords.updatedAt}) >= ${opts.updatedFrom}::timestamptz`,
      ),
    )
    .orderBy(asc(workspaceRecords.key))
    .limit(opts.limit);
  return rows.map((r) => ({ key: r.key, values: r.values, updatedAt: r.updatedAt.toISOString() }));
}
