// Uploaded files' metadata (the bytes stay on disk at `path`).
import { desc, eq, sql } from 'drizzle-orm';
import { builtOnce, UNNAMED } from './built-once';
import { showNul } from '../../shared/util/nul';
import type { Db } from './db';
import { files } from './schema';
import type { StoredFile } from './types';

/** Saving the same id again replaces its metadata, so a retried upload is harmless. */
export async function saveFile(db: Db, file: StoredFile): Promise<void> {
  const row = {
    id: file.id,
    name: file.name,
    size: file.size,
    sha256: file.sha256,
    columns: showNul(file.columns),
    delimiter: file.delimiter,
    sampleRows: showNul(file.sampleRows), // jsonb cannot hold U+0000: the sample shows it as ␀
    format: file.format,
    compression: file.compression,
    recordsPath: file.recordsPath ?? null,
    zipEntry: file.zipEntry ?? null,
    hasHeader: file.hasHeader ?? null,
    sheet: file.sheet ?? null,
    sheets: file.sheets ?? null,
    encrypted: file.encrypted ?? false,
    path: file.path,
    createdAt: new Date(file.createdAt),
  };
  const { id: _id, ...update } = row;
  await db.insert(files).values(row).onConflictDoUpdate({ target: files.id, set: update });
}

/** A run's start reads its files' records (issue 16: built once, see built-once.ts). */
const getFileStatement = builtOnce((db) => db.select().from(files).where(eq(files.id, sql.placeholder('id'))).prepare(UNNAMED));

export async function getFile(db: Db, id: string): Promise<StoredFile | null> {
  const [row] = await getFileStatement(db).execute({ id });
  return row ? fileFromRow(row) : null;
}

/** Every uploaded (and written) file, newest first: what the Files connector discovers. */
export async function listFiles(db: Db): Promise<StoredFile[]> {
  const rows = await db.select().from(files).orderBy(desc(files.createdAt), files.id);
  return rows.map(fileFromRow);
}

/** A `files` row as the store serves it (also used by run-files.ts, which joins files to runs). */
export function fileFromRow(row: typeof files.$inferSelect): StoredFile {
  return {
    id: row.id,
    name: row.name,
    size: row.size,
    sha256: row.sha256,
    columns: row.columns,
    delimiter: row.delimiter,
    sampleRows: row.sampleRows,
    format: row.format,
    compression: row.compression,
    ...(row.recordsPath !== null ? { recordsPath: row.recordsPath } : {}),
    ...(row.zipEntry !== null ? { zipEntry: row.zipEntry } : {}),
    ...(row.hasHeader !== null ? { hasHeader: row.hasHeader } : {}),
    ...(row.sheet !== null ? { sheet: row.sheet } : {}),
    ...(row.sheets !== null ? { sheets: row.sheets } : {}),
    ...(row.encrypted ? { encrypted: true } : {}),
    path: row.path,
    createdAt: row.createdAt.toISOString(),
  };
}
