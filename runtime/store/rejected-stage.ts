// Rejected records a run stages as it goes (migration 28), so a step that commits once at its end (two-way sync)
// holds none of them in memory meanwhile: staged page by page, recorded by the pipeline's commit in its transaction.
import { hash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { showNul } from '../../shared/util/nul';
import type { Db } from './db';
import { newId } from './ids';
import { rejectedStage } from './schema';
import type { StagedRejected } from './types';
import { chunks } from './workspace-write';

/**
 * A rejected record's values as jsonb takes them (commitBatch's and the stage's): U+0000 shown as ␀, and plain JSON
 * objects (rows are null-prototype records, which the driver's serializer does not take; JSON keeps a `__proto__`
 * field as an own key).
 */
export const storable = <T>(v: T): T => (v === null || v === undefined ? v : (JSON.parse(JSON.stringify(showNul(v))) as T));

/**
 * Keys and attempts as stored: a digest, so any text (a record key of long or NUL-holding values) fits the primary
 * key's index and the text type.
 */
const digest = (text: string): string => hash('sha256', text, 'base64url');

/**
 * Stages records for the pipeline's commit. A key staged again replaces the row (the last of one call wins), so a
 * retried attempt that holds the same record does not add it twice.
 */
export async function stageRejected(db: Db, runId: string, pipelineId: string, records: readonly StagedRejected[]): Promise<void> {
  const byKey = new Map<string, StagedRejected>();
  for (const r of records) byKey.set(r.key, r);
  for (const part of chunks([...byKey.values()])) {
    await db
      .insert(rejectedStage)
      .values(
        part.map((r) => ({
          runId,
          pipelineId,
          key: digest(r.key),
          attempt: r.attempt === null ? null : digest(r.attempt),
          id: newId('rej'),
          nodeId: r.nodeId,
          rowNumber: r.rowNumber,
          source: storable(r.source),
          mapped: storable(r.mapped),
          reason: showNul(r.reason),
        })),
      )
      .onConflictDoUpdate({
        target: [rejectedStage.runId, rejectedStage.pipelineId, rejectedStage.key],
        set: {
          attempt: sql`excluded.attempt`,
          nodeId: sql`excluded.node_id`,
          rowNumber: sql`excluded.row_number`,
          source: sql`excluded.source`,
          mapped: sql`excluded.mapped`,
          reason: sql`excluded.reason`,
        },
      });
  }
}

/** Drops what only this attempt's commit could record (a failed attempt's refused writes: the retry tries them again). */
export async function dropStagedRejected(db: Db, runId: string, pipelineId: string, attempt: string): Promise<void> {
  await db.delete(rejectedStage).where(and(eq(rejectedStage.runId, runId), eq(rejectedStage.pipelineId, pipelineId), eq(rejectedStage.attempt, digest(attempt))));
}

/**
 * Drops the staged held records (no attempt) of these keys: a retried attempt settled their pairs without holding them
 * (a person settled the conflict after an earlier attempt held it), so there is nothing to review. One statement.
 */
export async function unstageRejected(db: Db, runId: string, pipelineId: string, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const digests = JSON.stringify([...new Set(keys)].map(digest));
  await db.execute(sql`
    DELETE FROM rejected_stage
    WHERE run_id = ${runId} AND pipeline_id = ${pipelineId} AND attempt IS NULL AND key IN (SELECT jsonb_array_elements_text(${digests}::jsonb))`);
}

/**
 * Where an attempt of a pipeline's step starts: whether earlier attempts left held records staged (`held`), and the
 * highest row number of the step's rejected records in the run, staged or recorded (`lastRowNumber`; 0 when none), so
 * the attempt numbers its own after it and no two rejected records of the step in the run share a number.
 */
export async function rejectedStageStart(db: Db, runId: string, pipelineId: string, nodeId: string): Promise<{ held: boolean; lastRowNumber: number }> {
  const result: unknown = await db.execute(sql`
    SELECT
      EXISTS (SELECT 1 FROM rejected_stage WHERE run_id = ${runId} AND pipeline_id = ${pipelineId} AND attempt IS NULL) AS held,
      greatest(
        coalesce((SELECT max(row_number) FROM rejected_stage WHERE run_id = ${runId} AND pipeline_id = ${pipelineId}), 0),
        coalesce((SELECT max(row_number) FROM rejected_records WHERE run_id = ${runId} AND node_id = ${nodeId}), 0)
      )::int AS last`);
  const [row] = (result as { rows: { held: boolean; last: number }[] }).rows;
  return { held: row?.held === true, lastRowNumber: Number(row?.last ?? 0) };
}

/**
 * A run that ended without some pipeline's commit (failed for good, cancelled): the held records its two-way steps
 * staged are recorded now as the run's rejected records, counted as rejected on their steps, and the run's stage is
 * cleared. A held pair's hashes were saved with its page (the next run does not hold it again), so dropping the row
 * would lose the conflict. Refusals are never recorded here: a refused write left its pair unsaved, so the next run
 * writes it again (and a failed attempt drops its own anyway). Returns how many were recorded.
 */
export async function recordLeftStaged(db: Db, runId: string): Promise<number> {
  return db.transaction(async (tx) => {
    const result: unknown = await tx.execute(sql`
      WITH moved AS (
        INSERT INTO rejected_records (id, run_id, node_id, row_number, source, mapped, reason, inbox_status)
        SELECT id, run_id, node_id, row_number, source, mapped, reason,
          CASE WHEN (SELECT trigger FROM runs WHERE id = ${runId}) = 'resubmit' THEN 'attempt' ELSE 'open' END
        FROM rejected_stage WHERE run_id = ${runId} AND attempt IS NULL
        RETURNING node_id
      ), n AS (
        SELECT node_id, count(*)::int AS n FROM moved GROUP BY node_id
      ), counted AS (
        UPDATE run_steps AS s SET rejected = s.rejected + n.n FROM n WHERE s.run_id = ${runId} AND s.node_id = n.node_id
      )
      SELECT coalesce(sum(n), 0)::int AS n FROM n`);
    await tx.delete(rejectedStage).where(eq(rejectedStage.runId, runId));
    return Number((result as { rows: { n: number }[] }).rows[0]?.n ?? 0);
  });
}

/**
 * Inside the commit's transaction: records the pipeline's staged rows that this attempt may record (its own and those
 * of no attempt) as rejected records, and clears every staged row of the pipeline (other attempts' can never commit
 * now). Returns how many were recorded per step. Nothing comes back through the client but the counts.
 * A refusal (an attempt's own row) that the run already recorded on the step alike in every part (the record read,
 * what was written, the reason) is not recorded again: an attempt whose commit applied and that then failed recorded
 * it, and its retry read the same unchanged record and was refused the same write (tenth session's review: each
 * refusal counted twice). A record edited between the attempts is a new refusal and is recorded.
 */
export async function recordStaged(tx: Db, runId: string, pipelineId: string, attempt: string, inboxStatus: 'open' | 'attempt'): Promise<Map<string, number>> {
  const result: unknown = await tx.execute(sql`
    WITH moved AS (
      INSERT INTO rejected_records (id, run_id, node_id, row_number, source, mapped, reason, inbox_status)
      SELECT s.id, s.run_id, s.node_id, s.row_number, s.source, s.mapped, s.reason, ${inboxStatus} FROM rejected_stage s
      WHERE s.run_id = ${runId} AND s.pipeline_id = ${pipelineId} AND (s.attempt IS NULL OR s.attempt = ${digest(attempt)})
        AND (s.attempt IS NULL OR NOT EXISTS (
          SELECT 1 FROM rejected_records r
          WHERE r.run_id = s.run_id AND r.node_id = s.node_id AND r.reason = s.reason AND r.source = s.source
            AND r.mapped IS NOT DISTINCT FROM s.mapped))
      RETURNING node_id
    )
    SELECT node_id, count(*)::int AS n FROM moved GROUP BY node_id`);
  await clearStaged(tx, runId, pipelineId);
  return new Map((result as { rows: { node_id: string; n: number }[] }).rows.map((r) => [r.node_id, r.n]));
}

/** Every staged row of the pipeline (its commit is done). */
export async function clearStaged(tx: Db, runId: string, pipelineId: string): Promise<void> {
  await tx.delete(rejectedStage).where(and(eq(rejectedStage.runId, runId), eq(rejectedStage.pipelineId, pipelineId)));
}
