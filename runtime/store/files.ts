// Uploaded files' metadata (the bytes stay on disk at `path`).
import { eq } from 'drizzle-orm';
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
    columns: file.columns,
    delimiter: file.delimiter,
    sampleRows: file.sampleRows,
    format: file.format,
    compression: file.compression,
    recordsPath: file.recordsPath ?? null,
    zipEntry: file.zipEntry ?? null,
    path: file.path,
    createdAt: new Date(file.createdAt),
  };
  const { id: _id, ...update } = row;
  await db.insert(files).values(row).onConflictDoUpdate({ target: files.id, set: update });
}

export async function getFile(db: Db, id: string): Promise<StoredFile | null> {
  const [row] = await db.select().from(files).where(eq(files.id, id));
  if (!row) return null;
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
    path: row.path,
    createdAt: row.createdAt.toISOString(),
  };
}
