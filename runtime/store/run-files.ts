// The files each run read: recorded when the run is created, never changed afterwards, so a later upload
// or a new published version never changes what an old run's page offers to download.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { RunFile } from '../../shared';
import type { Db } from './db';
import { StoreNotFoundError } from './errors';
import { fileFromRow } from './files';
import { files, runFiles, runs, runSteps } from './schema';
import type { NewRunFile, RunFileRecord } from './types';

/**
 * Records a run's files. A node already recorded for the run keeps its first file (a retried call is
 * harmless and cannot rewrite history). Pass a transaction to record them with the run itself.
 */
export async function recordRunFiles(db: Db, runId: string, list: readonly NewRunFile[]): Promise<void> {
  if (list.length === 0) return;
  await db.transaction(async (tx) => {
    const [run] = await tx.select({ id: runs.id }).from(runs).where(eq(runs.id, runId));
    if (!run) throw new StoreNotFoundError('run', runId);
    await insertRunFiles(tx, runId, list);
  });
}

/**
 * recordRunFiles' writes, inside a transaction the caller holds on a run that exists (createRun's: two statements,
 * no savepoint and no second look at the run it has just inserted).
 */
export async function insertRunFiles(tx: Db, runId: string, list: readonly NewRunFile[]): Promise<void> {
  if (list.length === 0) return;
  const ids = [...new Set(list.map((f) => f.fileId))];
  const found = new Set((await tx.select({ id: files.id }).from(files).where(inArray(files.id, ids))).map((r) => r.id));
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw new StoreNotFoundError('file', missing);
  await tx
    .insert(runFiles)
    .values(list.map((f) => ({ runId, nodeId: f.nodeId, fileId: f.fileId, replaced: f.replaced })))
    .onConflictDoNothing();
}

/** A run's files in its steps' order (nodes without a step last, by id), each with its stored file. */
export async function listRunFiles(db: Db, runId: string): Promise<RunFileRecord[]> {
  return (await runFilesOf(db, [runId])).get(runId) ?? [];
}

/** The files of several runs at once (one query for a page of the sync history), by run id. */
export async function runFilesOf(db: Db, runIds: readonly string[]): Promise<Map<string, RunFileRecord[]>> {
  const byRun = new Map<string, RunFileRecord[]>();
  if (runIds.length === 0) return byRun;
  const rows = await db
    .select({ link: runFiles, file: files, label: runSteps.label, position: runSteps.position })
    .from(runFiles)
    .innerJoin(files, eq(files.id, runFiles.fileId))
    .leftJoin(runSteps, and(eq(runSteps.runId, runFiles.runId), eq(runSteps.nodeId, runFiles.nodeId)))
    .where(inArray(runFiles.runId, [...runIds]))
    .orderBy(asc(runSteps.position), asc(runFiles.nodeId));
  for (const r of rows) {
    const record: RunFileRecord = { nodeId: r.link.nodeId, fileId: r.link.fileId, replaced: r.link.replaced, nodeLabel: r.label ?? '', file: fileFromRow(r.file) };
    const list = byRun.get(r.link.runId);
    if (list) list.push(record);
    else byRun.set(r.link.runId, [record]);
  }
  return byRun;
}

/** What the API serves about a run's file: never its path on disk. */
export const servedRunFile = (r: RunFileRecord): RunFile => ({
  nodeId: r.nodeId,
  nodeLabel: r.nodeLabel,
  fileId: r.fileId,
  name: r.file.name,
  size: r.file.size,
  format: r.file.format,
  compression: r.file.compression,
  replaced: r.replaced,
});
