// One batch's effects and its checkpoint in one transaction, so a retried batch is never applied twice.
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { kindIdsOf } from '../../shared/compiler/step-roles';
import { showNul } from '../../shared/util/nul';
import type { Db } from './db';
import { StoreNotFoundError } from './errors';
import { newId } from './ids';
import { rejectedRecords, runCheckpoints, runKeys, runs, runSourceReads, runSteps } from './schema';
import type { BatchCommit, NewRejected, StepCounts, WriteOutcome } from './types';
import { clearStaged, recordStaged, storable } from './rejected-stage';
import { inboxKeyOf } from './inbox';
import { keyValuesToStore, runKeyToStore } from './run-key-values';
import { applyWorkspaceWrite, chunks, lockObjectSql, type LockedObjectRow, type StepCountsFold } from './workspace-write';

const COUNTERS = ['read', 'written', 'created', 'updated', 'unchanged', 'rejected', 'skipped', 'deleted'] as const satisfies readonly (keyof StepCounts)[];

function addCounts(into: Map<string, Partial<StepCounts>>, nodeId: string, add: Partial<StepCounts>): void {
  const current = into.get(nodeId) ?? {};
  for (const c of COUNTERS) {
    const n = add[c];
    if (n) current[c] = (current[c] ?? 0) + n;
  }
  into.set(nodeId, current);
}

type Delta = { node_id: string; progress: unknown } & Record<(typeof COUNTERS)[number], number>;

/** The steps' counts as `commitBatch` adds them: one row per step that has something to add. */
function deltasOf(counts: Map<string, Partial<StepCounts>>, progress: Record<string, unknown>): Delta[] {
  for (const nodeId of Object.keys(progress)) if (!counts.has(nodeId)) counts.set(nodeId, {});
  return [...counts].flatMap(([nodeId, add]) =>
    COUNTERS.some((c) => add[c]) || progress[nodeId]
      ? [{ node_id: nodeId, ...(Object.fromEntries(COUNTERS.map((c) => [c, add[c] ?? 0])) as Record<(typeof COUNTERS)[number], number>), progress: progress[nodeId] ?? null }]
      : [],
  );
}

/**
 * The CTEs that add a commit's counts to its run's steps: `d` (the deltas, with `extra`'s rows — a SELECT of the same
 * columns — summed by step), `locked` and `counted_steps` (the update, answering the node ids it updated). Parts of
 * one run (issue 16) commit side by side to the same step rows: `locked` takes their row locks in node-id order before
 * the update touches any (it updates only rows `locked` already holds), so two commits never each hold a row the other
 * waits for, whatever order the counts came in or the plan meets the rows in.
 */
export function stepCountsCtes(runId: string, deltas: readonly Delta[], extra?: SQL): SQL {
  const given = sql`SELECT * FROM jsonb_to_recordset(${JSON.stringify(deltas)}::jsonb)
    AS d(node_id text, "read" integer, written integer, created integer, updated integer, unchanged integer, rejected integer, skipped integer, deleted integer, progress jsonb)`;
  const d = extra
    ? sql`SELECT node_id, sum("read")::integer AS "read", sum(written)::integer AS written, sum(created)::integer AS created,
          sum(updated)::integer AS updated, sum(unchanged)::integer AS unchanged, sum(rejected)::integer AS rejected,
          sum(skipped)::integer AS skipped, sum(deleted)::integer AS deleted, (array_agg(progress) FILTER (WHERE progress IS NOT NULL))[1] AS progress
        FROM (${given} UNION ALL ${extra}) AS u GROUP BY node_id`
    : given;
  return sql`d AS MATERIALIZED (${d}), locked AS MATERIALIZED (
      SELECT l.node_id FROM ${runSteps} AS l WHERE l.run_id = ${runId} AND l.node_id IN (SELECT node_id FROM d)
      ORDER BY l.node_id FOR UPDATE
    ), counted_steps AS (
      UPDATE ${runSteps} AS s SET
        "read" = s."read" + d."read", written = s.written + d.written, created = s.created + d.created,
        updated = s.updated + d.updated, unchanged = s.unchanged + d.unchanged, rejected = s.rejected + d.rejected,
        skipped = s.skipped + d.skipped, deleted = s.deleted + d.deleted,
        progress = coalesce(d.progress, s.progress)
      FROM d
      WHERE s.run_id = ${runId} AND s.node_id = d.node_id AND s.node_id IN (SELECT node_id FROM locked)
      RETURNING s.node_id
    )`;
}

/** The step a workspace write belongs to when the caller did not say: the run's only target step. */
async function soleTargetStep(tx: Db, runId: string): Promise<string> {
  const targets = await tx
    .select({ nodeId: runSteps.nodeId })
    .from(runSteps)
    .where(and(eq(runSteps.runId, runId), inArray(runSteps.kind, kindIdsOf('target'))));
  const [only] = targets;
  if (!only || targets.length > 1) {
    throw new Error(`commitBatch: workspaceWrite.nodeId is required, run ${runId} has ${targets.length} target steps`);
  }
  return only.nodeId;
}

/**
 * The checkpoint is claimed first, with an upsert that only moves forward: if the stored batch is
 * already >= this one (a retry of a batch that did commit), nothing else happens. Under Postgres a
 * concurrent duplicate waits on the checkpoint row and then sees it already moved.
 *
 * The workspace write's outcomes are counted on its target step here (written = created + updated
 * + unchanged, created, updated, unchanged, rejected), added to whatever `commit.counts` says.
 */
export async function commitBatch(db: Db, commit: BatchCommit): Promise<{ applied: boolean; outcomes: WriteOutcome[] }> {
  return db.transaction(async (tx) => {
    // Plain SQL (issue 16: every batch makes it; Drizzle's builder cost more to build it than PGlite to run it).
    const claimSql = sql`
      INSERT INTO ${runCheckpoints} (run_id, pipeline_id, batch, cursor)
      VALUES (${commit.runId}, ${commit.checkpointKey ?? commit.pipelineId}, ${commit.batch}::integer, ${JSON.stringify({ value: commit.cursor ?? null })}::jsonb)
      ON CONFLICT (run_id, pipeline_id) DO UPDATE SET batch = excluded.batch, cursor = excluded.cursor, updated_at = now()
      WHERE ${runCheckpoints}.batch < excluded.batch
      RETURNING batch`;
    const write = commit.workspaceWrite;
    // A workspace write's object row is locked (and read) in the same statement as the claim, once the claim is made
    // (ws16b: a round trip less per commit; each waits for the worker's event loop, busy with the next batches). Its
    // writes still come in a later statement, whose snapshot sees what another writer committed before the lock.
    const claim: unknown = await tx.execute(
      write
        ? sql`WITH claim AS (${claimSql}), locked AS (${lockObjectSql(write.object)})
            SELECT claim.batch, locked.key, locked.attributes FROM claim LEFT JOIN locked ON true`
        : claimSql,
    );
    const claimed = (claim as { rows: ({ batch: number } & NonNullable<LockedObjectRow>)[] }).rows[0];
    if (!claimed) {
      // Committed before (by another attempt): what this one staged can never be recorded.
      if (commit.staged) await clearStaged(tx, commit.runId, commit.pipelineId);
      return { applied: false, outcomes: [] };
    }

    const counts = new Map<string, Partial<StepCounts>>();
    for (const [nodeId, add] of Object.entries(commit.counts)) addCounts(counts, nodeId, add);

    // The source read's high-water mark moves with the batch that read it: a batch that did not commit never raised it.
    if (commit.sync?.high !== undefined) {
      await tx
        .update(runSourceReads)
        .set({ high: { value: commit.sync.high } })
        .where(and(eq(runSourceReads.runId, commit.runId), eq(runSourceReads.pipelineId, commit.pipelineId)));
    }
    const keys = commit.sync?.keys;
    if (keys) {
      for (const part of chunks([...new Set(keys.seen.map(runKeyToStore))])) {
        if (part.length === 0) continue;
        await tx.execute(sql`
          INSERT INTO ${runKeys} (run_id, node_id, key, deleted)
          SELECT ${commit.runId}, ${keys.nodeId}, k, false FROM jsonb_array_elements_text(${JSON.stringify(part)}::jsonb) AS k
          ON CONFLICT (run_id, node_id, side, key) DO NOTHING`);
      }
      for (const part of chunks(keys.deleted)) {
        if (part.length === 0) continue;
        await tx.execute(sql`
          INSERT INTO ${runKeys} (run_id, node_id, key, deleted, key_values)
          SELECT ${commit.runId}, ${keys.nodeId}, r.k, true, r.v FROM jsonb_to_recordset(${JSON.stringify(part.map((d) => ({ k: runKeyToStore(d.key), v: keyValuesToStore(d.values) })))}::jsonb) AS r(k text, v jsonb)
          ON CONFLICT (run_id, node_id, side, key) DO UPDATE SET deleted = true, key_values = excluded.key_values`);
      }
    }
    const rejected: NewRejected[] = [...commit.rejected];
    let outcomes: WriteOutcome[] = [];
    let foldedCounts = false;

    if (write) {
      const nodeId = write.nodeId ?? (await soleTargetStep(tx, commit.runId));
      // ws16b: with nothing staged (whose recording adds counts later), every step's counts go in the write's own
      // statement, the workspace step's from what it decided: a round trip less per commit.
      const fold: StepCountsFold | undefined = commit.staged ? undefined : { nodeId, ctes: (extra) => stepCountsCtes(commit.runId, deltasOf(counts, commit.progress ?? {}), extra), done: null };
      outcomes = await applyWorkspaceWrite(tx, write, { row: claimed.key === null ? undefined : claimed }, fold);
      if (fold?.done) {
        const expected = [...new Set([...deltasOf(counts, commit.progress ?? {}).map((d) => d.node_id), nodeId])];
        const missing = expected.find((id) => !fold.done!.includes(id));
        if (missing) throw new StoreNotFoundError('step', `${commit.runId}/${missing}`);
        foldedCounts = true;
      }
      const tally: Required<StepCounts> = { read: 0, written: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, skipped: 0, deleted: 0 };
      outcomes.forEach((o, i) => {
        tally[o.outcome] += 1;
        if (o.outcome === 'rejected') {
          const row = write.rows[i] ?? {};
          rejected.push({ nodeId, rowNumber: write.rowNumbers[i] ?? i + 1, source: write.sources?.[i] ?? row, mapped: row, reason: o.reason });
        }
      });
      tally.written = tally.created + tally.updated + tally.unchanged;
      if (!fold?.done) addCounts(counts, nodeId, tally);
    }

    // A resubmit run's own rejections are attempts of inbox records (settled onto them when it ends), never new ones.
    const about = rejected.length === 0 && !commit.staged ? undefined : (await tx.select({ trigger: runs.trigger, integrationId: runs.integrationId }).from(runs).where(eq(runs.id, commit.runId)))[0];
    const inboxStatus: 'open' | 'attempt' = about?.trigger === 'resubmit' ? 'attempt' : 'open';
    // inbox14: each rejection's record key; the newest rejection of a key (the last row of this commit) is the inbox's
    // entry for it, every other waiting rejection of that key in the integration points at it.
    const keyed = inboxStatus === 'open' && commit.rejectedKey ? rejected.map((r) => inboxKeyOf(commit.rejectedKey, r.source, commit.rejectedKeyTarget)) : [];
    const newestOf = new Map<string, string>();
    const ids = rejected.map(() => newId('rej'));
    keyed.forEach((k, i) => {
      if (k !== null) newestOf.set(k, ids[i]!);
    });
    const newerOf = (key: string | null | undefined, id: string): string | null => {
      const newest = key ? newestOf.get(key) : undefined;
      return newest && newest !== id ? newest : null;
    };
    if (commit.staged) {
      for (const [nodeId, n] of await recordStaged(tx, commit.runId, commit.pipelineId, commit.staged.attempt, inboxStatus)) addCounts(counts, nodeId, { rejected: n });
    }
    let start = 0;
    for (const part of chunks(rejected)) {
      const at = start;
      start += part.length;
      await tx.insert(rejectedRecords).values(
        part.map((r, j) => ({
          id: ids[at + j]!,
          recordKey: keyed[at + j] ?? null,
          supersededBy: newerOf(keyed[at + j], ids[at + j]!),
          runId: commit.runId,
          nodeId: r.nodeId,
          rowNumber: r.rowNumber,
          // The inbox keeps what it can store: a U+0000 (the reason a record was rejected, often) shows as ␀.
          source: storable(r.source),
          mapped: storable(r.mapped),
          reason: showNul(r.reason),
          inboxStatus,
        })),
      );
    }
    if (newestOf.size > 0 && about) {
      // Earlier waiting rejections of these records in this integration now point at this commit's newest one.
      const pairs = [...newestOf].map(([key, id]) => ({ key, id }));
      await tx.execute(sql`
        UPDATE ${rejectedRecords} AS r SET superseded_by = n.id
        FROM jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) AS n(key text, id text)
        WHERE r.record_key = n.key AND r.id <> n.id AND r.inbox_status IN ('open', 'still_failing')
          AND r.run_id IN (SELECT id FROM ${runs} WHERE integration_id = ${about.integrationId})`);
    }

    // Every step's counts in one statement (one round trip, not one per step: a commit's round trips each wait
    // behind whatever the worker's event loop is doing, so fewer of them is a shorter commit).
    // A source's progress rides in the same statement (null leaves the stored one).
    // Every step's counts in one statement (one round trip, not one per step: a commit's round trips each wait
    // behind whatever the worker's event loop is doing, so fewer of them is a shorter commit), unless the workspace
    // write's statement added them already. A source's progress rides in the same statement (null leaves the stored one).
    const deltas = foldedCounts ? [] : deltasOf(counts, commit.progress ?? {});
    if (deltas.length > 0) {
      const result: unknown = await tx.execute(sql`WITH ${stepCountsCtes(commit.runId, deltas)} SELECT node_id FROM counted_steps`);
      // node-postgres and PGlite both answer with `{ rows }`.
      const found = new Set((result as { rows: { node_id: string }[] }).rows.map((r) => r.node_id));
      const missing = deltas.find((d) => !found.has(d.node_id));
      if (missing) throw new StoreNotFoundError('step', `${commit.runId}/${missing.node_id}`);
    }
    return { applied: true, outcomes };
  });
}
