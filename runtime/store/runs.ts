// Sync history: runs, their steps and counts, checkpoints and the rejected records of the inbox.
import { getKind } from '../../shared/graph/kinds';
import { and, asc, count, desc, eq, getTableColumns, gte, inArray, lt, ne, sql, type Table } from 'drizzle-orm';
import {
  isTerminalStep,
  RunStatus,
  RunTrigger,
  StepStatus,
  zeroCounts,
  type Counts,
  type RejectedRecord,
  type Run,
  type RunListItem,
  type RunDetail,
  type RunStep,
  type StepWaiting,
} from '../../shared';
import { stepRole } from '../../shared/compiler/step-roles';
import type { Db } from './db';
import { StoreNotFoundError } from './errors';
import { newId } from './ids';
import { page } from './paging';
import { listRunFiles, runFilesOf, servedRunFile } from './run-files';
import { fileFromRow } from './files';
import { createInboxStore } from './inbox';
import { files, integrations, integrationVersions, rejectedRecords, runFiles, runCheckpoints, runDeletes, runs, runSourceReads, runSteps } from './schema';
import { RunSyncOptions, type RunSourceSync, type RunSync } from '../../shared/sync/options';
import { partsKey } from '../../shared/sync/partitions';
import { createSyncStateStore } from './sync-state';
import { builtOnce, UNNAMED } from './built-once';
import type { NewRun, PipelineStart, RunFileRecord, RunFilter, RunState } from './types';

const iso = (d: Date): string => d.toISOString();
const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);

type StepRow = typeof runSteps.$inferSelect;
type RunRow = typeof runs.$inferSelect;

const stepCounts = (s: StepRow): Counts => ({
  read: s.read,
  written: s.written,
  created: s.created,
  updated: s.updated,
  unchanged: s.unchanged,
  rejected: s.rejected,
  ...(s.skipped > 0 && { skipped: s.skipped }),
  ...(s.deleted > 0 && { deleted: s.deleted }),
});

/**
 * A run's counts, from its steps: `read` is what the sources read (steps whose kind's category is source),
 * `written`/`created`/`updated`/`unchanged` are what the targets wrote (category target), and
 * `rejected` is every step's rejections (a transform's and a target's alike). Transforms' own
 * read/written counts never add to the run's, so a row is not counted once per step it passes.
 */
export function runCounts(steps: readonly (Pick<StepRow, 'kind' | 'read' | 'written' | 'created' | 'updated' | 'unchanged' | 'rejected'> & Partial<Pick<StepRow, 'skipped' | 'deleted'>>)[]): Counts {
  const total = zeroCounts();
  for (const s of steps) {
    const role = stepRole(s.kind);
    // A target without an input (a two-way sync) reads its own sides: its reads are the run's too.
    if (role === 'source' || (role === 'target' && getKind(s.kind)?.inputs === 0)) total.read += s.read;
    if (role === 'target') {
      total.written += s.written;
      total.created += s.created;
      total.updated += s.updated;
      total.unchanged += s.unchanged;
      if (s.skipped) total.skipped = (total.skipped ?? 0) + s.skipped;
      if (s.deleted) total.deleted = (total.deleted ?? 0) + s.deleted;
    }
    total.rejected += s.rejected;
  }
  return total;
}

const toStep = (s: StepRow): RunStep => ({
  nodeId: s.nodeId,
  kind: s.kind,
  label: s.label,
  status: StepStatus.parse(s.status),
  counts: stepCounts(s),
  startedAt: isoOrNull(s.startedAt),
  endedAt: isoOrNull(s.endedAt),
  error: s.error,
  ...(s.waiting && { waiting: s.waiting }),
  ...(s.progress && { progress: s.progress }),
});

const toRun = (row: RunRow, versionNumber: number, steps: readonly StepRow[]): Run => ({
  id: row.id,
  integrationId: row.integrationId,
  versionId: row.versionId,
  versionNumber,
  status: RunStatus.parse(row.status),
  trigger: RunTrigger.parse(row.trigger),
  name: row.name,
  startedBy: row.startedBy,
  rerunOf: row.rerunOf,
  setRunId: row.setRunId,
  params: row.params,
  counts: runCounts(steps),
  createdAt: iso(row.createdAt),
  startedAt: isoOrNull(row.startedAt),
  endedAt: isoOrNull(row.endedAt),
  error: row.error,
  ...(row.webhookRequests != null && { webhookRequests: row.webhookRequests }),
});

const stepsOf = (db: Db, runIds: string[]) =>
  runIds.length === 0 ? Promise.resolve([]) : db.select().from(runSteps).where(inArray(runSteps.runId, runIds)).orderBy(runSteps.runId, runSteps.position);

/**
 * Creates the run as 'queued' with one 'pending' step per plan step; markRunStarted makes it 'running'.
 *
 * Issue 16: one statement, not a transaction of seven round trips. A data-modifying CTE checks the version (of this
 * integration) and the run's files, and inserts the run, its steps and its files only when both are there: a missing
 * version or file writes nothing and answers which, raised as before (version first, then the first missing file in
 * the order given). A single statement is atomic on its own, so no BEGIN/COMMIT either.
 */
export async function createRun(db: Db, input: NewRun): Promise<Run> {
  const id = input.id ?? newId('run');
  const list = input.files ?? [];
  const fileIds = [...new Set(list.map((f) => f.fileId))];
  const steps = input.steps.map((s, position) => ({ node_id: s.nodeId, kind: s.kind, label: s.label, position }));
  const links = list.map((f, n) => ({ node_id: f.nodeId, file_id: f.fileId, replaced: f.replaced ?? false, n }));
  const result: unknown = await db.execute(sql`
    WITH v AS (
      SELECT ${integrationVersions.number} AS number FROM ${integrationVersions}
      WHERE ${integrationVersions.id} = ${input.versionId} AND ${integrationVersions.integrationId} = ${input.integrationId}
    ), missing AS (
      SELECT x.id FROM jsonb_array_elements_text(${JSON.stringify(fileIds)}::jsonb) WITH ORDINALITY AS x(id, n)
      WHERE NOT EXISTS (SELECT 1 FROM ${files} AS f WHERE f.id = x.id)
      ORDER BY x.n LIMIT 1
    ), r AS (
      INSERT INTO ${runs} (id, integration_id, version_id, status, "trigger", name, started_by, rerun_of, set_run_id, webhook_requests, params, sync_options, workflow_id)
      SELECT ${id}, ${input.integrationId}, ${input.versionId}, 'queued', ${input.trigger}, ${input.name ?? ''}, ${input.startedBy ?? null}, ${input.rerunOf ?? null},
        ${input.setRunId ?? null}, ${input.webhookRequests ?? null}::integer, ${JSON.stringify(input.params)}::jsonb, ${JSON.stringify(input.syncOptions ?? {})}::jsonb,
        ${input.workflowId ?? null}
      FROM v WHERE NOT EXISTS (SELECT 1 FROM missing)
      RETURNING *
    ), s AS (
      INSERT INTO ${runSteps} (run_id, node_id, kind, label, position, status)
      SELECT r.id, x.node_id, x.kind, x.label, x.position, 'pending'
      FROM r, jsonb_to_recordset(${JSON.stringify(steps)}::jsonb) AS x(node_id text, kind text, label text, position integer)
      RETURNING 1
    ), rf AS (
      INSERT INTO ${runFiles} (run_id, node_id, file_id, replaced)
      SELECT r.id, x.node_id, x.file_id, x.replaced
      FROM r, jsonb_to_recordset(${JSON.stringify(links)}::jsonb) AS x(node_id text, file_id text, replaced boolean, n integer)
      ORDER BY x.n
      ON CONFLICT DO NOTHING
      RETURNING 1
    )
    SELECT (SELECT number FROM v) AS version_number, (SELECT id FROM missing) AS missing_file,
      r.status, r."trigger", r.name, r.started_by, r.rerun_of, r.set_run_id, r.webhook_requests, r.params::text AS params,
      r.sync_options::text AS sync_options, r.workflow_id, floor(extract(epoch FROM r.created_at) * 1000)::text AS created_ms
    FROM (SELECT 1) AS one LEFT JOIN r ON true`);
  // node-postgres and PGlite both answer with `{ rows }`.
  const [made] = (result as { rows: CreatedRow[] }).rows;
  if (made?.version_number == null) throw new StoreNotFoundError('version', input.versionId);
  if (made.missing_file != null) throw new StoreNotFoundError('file', made.missing_file);
  // A new run has no sync report, no resume point and no resubmitted records yet: its summary is the row just written
  // (issue 16: no read back). Its steps are all pending with zero counts. Sync options and resubmits have parts of
  // their own, read as getRun reads them.
  const plain = made.trigger !== 'resubmit' && !input.syncOptions?.fullSync && !input.syncOptions?.confirmDeletes && !input.syncOptions?.refresh;
  if (plain) {
    const row: RunRow = {
      id,
      integrationId: input.integrationId,
      versionId: input.versionId,
      status: made.status!,
      trigger: made.trigger!,
      name: made.name!,
      startedBy: made.started_by,
      rerunOf: made.rerun_of,
      workflowId: made.workflow_id,
      setRunId: made.set_run_id,
      webhookRequests: made.webhook_requests,
      params: JSON.parse(made.params!) as Record<string, unknown>,
      syncOptions: JSON.parse(made.sync_options!) as Record<string, unknown>,
      createdAt: new Date(Number(made.created_ms)),
      startedAt: null,
      endedAt: null,
      error: null,
    };
    return toRun(row, Number(made.version_number), []);
  }
  const run = await getRun(db, id);
  if (!run) throw new StoreNotFoundError('run', id);
  const { steps: _steps, integrationName: _name, files: _files, ...summary } = run;
  return summary;
}

/** What createRun's statement answers (raw SQL: column names as Postgres spells them; the run's columns null when nothing was written). */
interface CreatedRow {
  version_number: number | string | null;
  missing_file: string | null;
  status: string | null;
  trigger: string | null;
  name: string | null;
  started_by: string | null;
  rerun_of: string | null;
  set_run_id: string | null;
  webhook_requests: number | null;
  params: string | null;
  sync_options: string | null;
  workflow_id: string | null;
  created_ms: string | null;
}

export async function getRun(db: Db, id: string): Promise<RunDetail | null> {
  const [row] = await db
    .select({ run: runs, versionNumber: integrationVersions.number, integrationName: integrations.name })
    .from(runs)
    .innerJoin(integrationVersions, eq(integrationVersions.id, runs.versionId))
    .innerJoin(integrations, eq(integrations.id, runs.integrationId))
    .where(eq(runs.id, id));
  if (!row) return null;
  const steps = await stepsOf(db, [id]);
  const files = (await listRunFiles(db, id)).map(servedRunFile);
  const sync = (await syncOf(db, [row.run], steps)).get(id);
  const detail: RunDetail = { ...toRun(row.run, row.versionNumber, steps), ...(sync && { sync }), steps: steps.map(toStep), integrationName: row.integrationName, files };
  const resumeFromRow = detail.status === 'failed' ? await resumableFrom(db, id, steps) : null;
  const resubmitOf = detail.trigger === 'resubmit' ? await createInboxStore(db).resubmitOrigins(id) : null;
  return { ...detail, ...(resumeFromRow && { resumeFromRow }), ...(resubmitOf && { resubmitOf }) };
}

/** What a run's activities read of it: the run with its counts, its steps and its sync options, in two queries. */
export async function getRunState(db: Db, id: string): Promise<RunState | null> {
  const [row] = await db
    .select({ run: runs, versionNumber: integrationVersions.number })
    .from(runs)
    .innerJoin(integrationVersions, eq(integrationVersions.id, runs.versionId))
    .where(eq(runs.id, id));
  if (!row) return null;
  const steps = await stepsOf(db, [id]);
  const options = RunSyncOptions.safeParse(row.run.syncOptions ?? {});
  return { ...toRun(row.run, row.versionNumber, steps), steps: steps.map(toStep), syncOptions: options.success ? options.data : {} };
}

/**
 * A table's row from its JSON (row_to_json: columns by their SQL names), as Drizzle's select would give it: timestamps
 * and numbers through the columns' own mapping, JSON columns as they are (Drizzle would parse a JSON string again).
 */
function rowFromJson<T extends Table>(table: T, json: Record<string, unknown>): T['$inferSelect'] {
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = json[column.name];
    row[key] = value === null || value === undefined ? null : column.columnType === 'PgJsonb' || column.columnType === 'PgJson' ? value : column.mapFromDriverValue(value);
  }
  return row as T['$inferSelect'];
}

/**
 * Issue 16: what a pipeline attempt reads of its run when it starts, in one statement: the run's state (getRunState),
 * the checkpoint under `checkpointKey` (getCheckpoint) and the run's recorded files with their file records
 * (listRunFiles), each as those give it. Three reads (four statements) were one round trip each.
 */
export async function getPipelineStart(db: Db, runId: string, checkpointKey: string): Promise<PipelineStart> {
  const result: unknown = await db.execute(sql`
    SELECT
      (SELECT json_build_object('run', row_to_json(r), 'version_number', v.number)
        FROM ${runs} AS r JOIN ${integrationVersions} AS v ON v.id = r.version_id WHERE r.id = ${runId})::text AS run,
      (SELECT json_agg(s ORDER BY s.position) FROM ${runSteps} AS s WHERE s.run_id = ${runId})::text AS steps,
      (SELECT json_build_object('batch', c.batch, 'cursor', c.cursor)
        FROM ${runCheckpoints} AS c WHERE c.run_id = ${runId} AND c.pipeline_id = ${checkpointKey})::text AS checkpoint,
      (SELECT json_agg(json_build_object('link', rf, 'file', f, 'label', st.label) ORDER BY st.position, rf.node_id)
        FROM ${runFiles} AS rf JOIN ${files} AS f ON f.id = rf.file_id
        LEFT JOIN ${runSteps} AS st ON st.run_id = rf.run_id AND st.node_id = rf.node_id
        WHERE rf.run_id = ${runId})::text AS files`);
  // node-postgres and PGlite both answer with `{ rows }`; JSON as text, parsed here, so both engines give the same.
  const [row] = (result as { rows: { run: string | null; steps: string | null; checkpoint: string | null; files: string | null }[] }).rows;
  const parse = <T>(text: string | null | undefined): T | null => (text == null ? null : (JSON.parse(text) as T));
  const cp = parse<{ batch: number; cursor: { value: unknown } }>(row?.checkpoint);
  const runFileRecords: RunFileRecord[] = (parse<{ link: Record<string, unknown>; file: Record<string, unknown>; label: string | null }[]>(row?.files) ?? []).map((x) => {
    const link = rowFromJson(runFiles, x.link);
    return { nodeId: link.nodeId, fileId: link.fileId, replaced: link.replaced, nodeLabel: x.label ?? '', file: fileFromRow(rowFromJson(files, x.file)) };
  });
  return { run: runStateFromJson(row?.run, row?.steps), checkpoint: cp ? { batch: cp.batch, cursor: cp.cursor.value } : { batch: 0, cursor: null }, runFiles: runFileRecords };
}

/** getRunState's answer from a statement's `run` (the row and its version's number) and `steps` columns, JSON as text. */
function runStateFromJson(runText: string | null | undefined, stepsText: string | null | undefined): RunState | null {
  if (runText == null) return null;
  const found = JSON.parse(runText) as { run: Record<string, unknown>; version_number: number };
  const runRow = rowFromJson(runs, found.run);
  const steps = (stepsText == null ? [] : (JSON.parse(stepsText) as Record<string, unknown>[])).map((s) => rowFromJson(runSteps, s));
  const options = RunSyncOptions.safeParse(runRow.syncOptions ?? {});
  return { ...toRun(runRow, Number(found.version_number), steps), steps: steps.map(toStep), syncOptions: options.success ? options.data : {} };
}

/**
 * finishRun answering the run as it recorded it (getRunState's shape), in one statement (issue 16: the run's finish read
 * the run and then wrote it). Null for an unknown run (nothing written), and for a run already Cancelled: a Cancel that
 * found no workflow (it had not started yet) recorded it, and the workflow that began meanwhile and was then cancelled
 * does not overwrite it with its own end (review13b).
 */
export async function endRun(db: Db, runId: string, status: RunStatus, error: string | null): Promise<RunState | null> {
  const result: unknown = await db.execute(sql`
    WITH r AS (
      UPDATE ${runs} SET status = ${status}, error = ${error}, ended_at = now() WHERE id = ${runId} AND status <> 'cancelled' RETURNING *
    )
    SELECT
      (SELECT json_build_object('run', row_to_json(r), 'version_number', v.number) FROM r JOIN ${integrationVersions} AS v ON v.id = r.version_id)::text AS run,
      (SELECT json_agg(s ORDER BY s.position) FROM ${runSteps} AS s WHERE s.run_id = ${runId} AND EXISTS (SELECT 1 FROM r))::text AS steps`);
  const [row] = (result as { rows: { run: string | null; steps: string | null }[] }).rows;
  return runStateFromJson(row?.run, row?.steps);
}

/**
 * How each run synced (issue 14): per source step, full or incremental since which mark and how many records it read;
 * per target, its delete phase. Runs with neither (and no options) get none.
 */
async function syncOf(db: Db, runRows: readonly RunRow[], steps: readonly StepRow[]): Promise<Map<string, RunSync>> {
  const out = new Map<string, RunSync>();
  const ids = runRows.map((r) => r.id);
  if (ids.length === 0) return out;
  const sync = createSyncStateStore(db);
  const reads = (await db.select({ runId: runSourceReads.runId, pipelineId: runSourceReads.pipelineId }).from(runSourceReads).where(inArray(runSourceReads.runId, ids))).map((r) => r);
  const deletes = await db.select().from(runDeletes).where(inArray(runDeletes.runId, ids));
  const readsByRun = new Map<string, string[]>();
  for (const r of reads) readsByRun.set(r.runId, [...(readsByRun.get(r.runId) ?? []), r.pipelineId]);
  for (const row of runRows) {
    const options = RunSyncOptions.safeParse(row.syncOptions ?? {});
    const opts = options.success ? options.data : {};
    const mine = readsByRun.get(row.id) ?? [];
    // A two-way direction with nothing to delete is recorded (its threshold's base, for a retry) but not shown.
    const runDeletesOf = deletes.filter((d) => d.runId === row.id && !(d.side !== '' && d.candidates === 0));
    if (mine.length === 0 && runDeletesOf.length === 0 && !opts.fullSync && !opts.confirmDeletes && !opts.refresh) continue;
    const stepOf = (nodeId: string) => steps.find((s) => s.runId === row.id && s.nodeId === nodeId);
    const sources = new Map<string, RunSourceSync>();
    for (const pipelineId of mine) {
      const read = await sync.getSourceRead(row.id, pipelineId);
      if (!read) continue;
      const step = stepOf(read.nodeId);
      const before = sources.get(read.nodeId);
      const fullReason = !read.field ? null : opts.refresh ? 'sync and refresh' : opts.fullSync ? 'asked for' : read.full ? 'first run: no cursor kept yet' : null;
      sources.set(read.nodeId, {
        nodeId: read.nodeId,
        label: step?.label ?? read.nodeId,
        field: read.field,
        kind: read.kind,
        full: (before?.full ?? false) || read.full,
        fullReason: before?.fullReason ?? fullReason,
        since: before?.since ?? read.since,
        changed: step?.read ?? 0,
      });
    }
    out.set(row.id, {
      options: opts,
      sources: [...sources.values()],
      // A phase still applying when the run failed or was cancelled stopped there (a call in flight may have deleted
      // more: in 'delete' mode, up to `in_flight` records).
      deletes: runDeletesOf.map((d) => {
        const stopped = d.state === 'applying' && (row.status === 'failed' || row.status === 'cancelled');
        return {
          nodeId: d.nodeId,
          ...((d.side === 'a' || d.side === 'b') && { side: d.side }),
          // A two-way step's direction (its side column, never read out of the node id): its step's label and the side
          // deleted on.
          label: d.side !== '' ? `${stepOf(d.nodeId)?.label ?? d.nodeId} (side ${d.side.toUpperCase()})` : (stepOf(d.nodeId)?.label ?? d.nodeId),
          state: stopped ? 'stopped' : d.state === 'held' || d.state === 'applying' ? d.state : 'applied',
          candidates: d.candidates,
          targetRecords: d.targetRecords,
          allowed: d.allowed,
          applied: d.applied,
          ...(stopped && d.inFlight && { inFlight: d.inFlight }),
        };
      }),
      // "Sync and refresh": every matched record its targets rewrote with the current mapping.
      ...(opts.refresh && { remapped: steps.filter((s) => s.runId === row.id && stepRole(s.kind) === 'target').reduce((n, s) => n + s.updated, 0) }),
    });
  }
  return out;
}

/** A failed run that committed a batch resumes after its sources' committed rows: the first row it reads then (1-based). */
async function resumableFrom(db: Db, runId: string, steps: readonly StepRow[]): Promise<number | null> {
  const [committed] = await db
    .select({ n: count() })
    .from(runCheckpoints)
    .where(and(eq(runCheckpoints.runId, runId), sql`${runCheckpoints.batch} > 0`));
  if (!committed?.n) return null;
  const sources = steps.filter((s) => stepRole(s.kind) === 'source');
  return Math.min(...sources.map((s) => s.read)) + 1;
}

/** Newest first; `status` keeps runs in any of those statuses, `from`/`to` runs created in [from, to). */
export async function listRuns(db: Db, integrationId: string, opts?: { limit?: number; offset?: number } & RunFilter): Promise<{ items: RunListItem[]; total: number }> {
  const { limit, offset } = page(opts);
  const where = and(
    eq(runs.integrationId, integrationId),
    opts?.status && opts.status.length > 0 ? inArray(runs.status, [...opts.status]) : undefined,
    opts?.from ? gte(runs.createdAt, new Date(opts.from)) : undefined,
    opts?.to ? lt(runs.createdAt, new Date(opts.to)) : undefined,
  );
  const rows = await db
    .select({ run: runs, versionNumber: integrationVersions.number })
    .from(runs)
    .innerJoin(integrationVersions, eq(integrationVersions.id, runs.versionId))
    .where(where)
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(limit)
    .offset(offset);
  const [totalRow] = await db.select({ n: count() }).from(runs).where(where);
  const steps = await stepsOf(
    db,
    rows.map((r) => r.run.id),
  );
  const stepsByRun = new Map<string, StepRow[]>();
  for (const s of steps) {
    const list = stepsByRun.get(s.runId);
    if (list) list.push(s);
    else stepsByRun.set(s.runId, [s]);
  }
  const filesByRun = await runFilesOf(
    db,
    rows.map((r) => r.run.id),
  );
  const syncByRun = await syncOf(
    db,
    rows.map((r) => r.run),
    steps,
  );
  return {
    items: rows.map((r) => {
      const sync = syncByRun.get(r.run.id);
      return { ...toRun(r.run, r.versionNumber, stepsByRun.get(r.run.id) ?? []), ...(sync && { sync }), files: (filesByRun.get(r.run.id) ?? []).map(servedRunFile) };
    }),
    total: totalRow?.n ?? 0,
  };
}

/**
 * Queued -> running. Calling it again (an activity retry) keeps the first start time; a finished run stays finished.
 * False when the run has already ended (a Cancel or a failed start recorded before its workflow began): left as it is.
 */
export async function markRunStarted(db: Db, runId: string): Promise<boolean> {
  const rows = await markRunStartedStatement(db).execute({ runId });
  return rows.length > 0;
}

/** Every run's start (issue 16: built once, see built-once.ts). */
const markRunStartedStatement = builtOnce((db) =>
  db
    .update(runs)
    .set({ status: 'running', startedAt: sql`coalesce(${runs.startedAt}, now())` })
    .where(and(eq(runs.id, sql.placeholder('runId')), inArray(runs.status, ['scheduled', 'queued', 'running'])))
    .returning({ id: runs.id })
    .prepare(UNNAMED),
);

/** The Temporal workflow now running the run (its own, or a resume's): what Cancel cancels. */
export async function setRunWorkflow(db: Db, runId: string, workflowId: string): Promise<void> {
  await db.update(runs).set({ workflowId }).where(eq(runs.id, runId));
}

export async function getRunWorkflow(db: Db, runId: string): Promise<string | null> {
  const [row] = await db.select({ workflowId: runs.workflowId }).from(runs).where(eq(runs.id, runId));
  return row?.workflowId ?? null;
}

/**
 * Cancel for a run whose workflow Temporal does not have (never started yet, or gone): records it Cancelled only while
 * it is still open, in one statement (the workflow may record its end between Cancel's read and this write). False: it
 * had ended (left as it is).
 */
export async function cancelOpenRun(db: Db, runId: string, error: string): Promise<boolean> {
  const rows = await db
    .update(runs)
    .set({ status: 'cancelled', error, endedAt: sql`now()` })
    .where(and(eq(runs.id, runId), inArray(runs.status, ['scheduled', 'queued', 'running'])))
    .returning({ id: runs.id });
  return rows.length > 0;
}

/**
 * Records a run's end. Never over Cancelled, as endRun (review14b): a start or resume whose workflow failed to start
 * after a Cancel recorded the run Cancelled ("Cancelled before it started") wrote Failed over it.
 */
export async function finishRun(db: Db, runId: string, status: RunStatus, error: string | null): Promise<void> {
  await db
    .update(runs)
    .set({ status, error, endedAt: sql`now()` })
    .where(and(eq(runs.id, runId), ne(runs.status, 'cancelled')));
}

/**
 * Running sets started_at (first time only) and clears ended_at (a retried step is running again);
 * a terminal status sets ended_at. `error` is changed only when given.
 */
export async function setStepStatus(db: Db, runId: string, nodeId: string, status: StepStatus, error?: string | null): Promise<void> {
  const terminal = isTerminalStep(status);
  const updated = await db
    .update(runSteps)
    .set({
      status,
      ...(error !== undefined && { error }),
      ...(status === 'running' && { startedAt: sql`coalesce(${runSteps.startedAt}, now())`, endedAt: null }),
      ...(terminal && { endedAt: sql`now()` }),
    })
    .where(and(eq(runSteps.runId, runId), eq(runSteps.nodeId, nodeId)))
    .returning({ nodeId: runSteps.nodeId });
  if (updated.length === 0) throw new StoreNotFoundError('step', `${runId}/${nodeId}`);
}

/** setStepsStatus's statement for one shape of its SET (the status and error are filled in, as are the run and steps). */
function stepsStatusStatement(db: Db, status: StepStatus, withError: boolean) {
  const terminal = isTerminalStep(status);
  return (
    db
      .update(runSteps)
      .set({
        status: sql.placeholder('status') as unknown as string,
        ...(withError && { error: sql.placeholder('error') as unknown as string }),
        ...(status === 'running' && { startedAt: sql`coalesce(${runSteps.startedAt}, now())`, endedAt: null }),
        ...(terminal && { endedAt: sql`now()` }),
      })
      // The rows are locked in node-id order first, as commitBatch locks them (commit-batch.ts): parts of one run set
      // their steps running while their siblings commit counts to the same rows, and two orders could deadlock. The
      // steps go as one JSON parameter, so the statement is the same for any number of them.
      .where(
        and(
          eq(runSteps.runId, sql.placeholder('runId')),
          inArray(
            runSteps.nodeId,
            sql`(SELECT l.node_id FROM ${runSteps} AS l WHERE l.run_id = ${sql.placeholder('runId')}
              AND l.node_id IN (SELECT jsonb_array_elements_text(${sql.placeholder('nodeIds')}::jsonb)) ORDER BY l.node_id FOR UPDATE)`,
          ),
        ),
      )
      .returning({ nodeId: runSteps.nodeId })
      .prepare(UNNAMED)
  );
}

/** Every pipeline's start sets its steps running (issue 16: built once, see built-once.ts). */
const stepsRunningStatement = builtOnce((db) => stepsStatusStatement(db, 'running', false));

/** setStepStatus for several steps of a run in one statement (the same rules); every step must exist. */
export async function setStepsStatus(db: Db, runId: string, nodeIds: readonly string[], status: StepStatus, error?: string | null): Promise<void> {
  if (nodeIds.length === 0) return;
  const statement = status === 'running' && error === undefined ? stepsRunningStatement(db) : stepsStatusStatement(db, status, error !== undefined);
  const updated = await statement.execute({ runId, nodeIds: JSON.stringify(nodeIds), status, ...(error !== undefined && { error }) });
  const missing = nodeIds.filter((id) => !updated.some((u) => u.nodeId === id));
  if (missing.length > 0) throw new StoreNotFoundError('step', `${runId}/${missing[0]}`);
}

/**
 * Steps whose pipeline has committed every batch, to their final status from their stored counts in one statement:
 * Completed with errors when a record was rejected, else Completed (error cleared, ended now). Answers each step's
 * status and counts in the order asked; an unknown step fails the call by name.
 */
export async function completeSteps(db: Db, runId: string, nodeIds: readonly string[]): Promise<{ nodeId: string; status: 'completed' | 'completed_with_errors'; counts: Counts }[]> {
  if (nodeIds.length === 0) return [];
  const updated = await completeStepsStatement(db).execute({ runId, nodeIds: JSON.stringify(nodeIds) });
  const byNode = new Map(updated.map((u) => [u.nodeId, u]));
  return nodeIds.map((nodeId) => {
    const row = byNode.get(nodeId);
    if (!row) throw new StoreNotFoundError('step', `${runId}/${nodeId}`);
    return { nodeId, status: row.rejected > 0 ? 'completed_with_errors' : 'completed', counts: stepCounts(row) };
  });
}

/** Every pipeline's end (issue 16: built once, see built-once.ts; the steps as one JSON parameter). */
const completeStepsStatement = builtOnce((db) =>
  db
    .update(runSteps)
    .set({ status: sql`CASE WHEN ${runSteps.rejected} > 0 THEN 'completed_with_errors' ELSE 'completed' END`, error: null, endedAt: sql`now()` })
    .where(and(eq(runSteps.runId, sql.placeholder('runId')), sql`${runSteps.nodeId} IN (SELECT jsonb_array_elements_text(${sql.placeholder('nodeIds')}::jsonb))`))
    .returning()
    .prepare(UNNAMED),
);

/** Records (or, with null, clears) what a step waits for while its system is unreachable. */
export async function setStepWaiting(db: Db, runId: string, nodeId: string, waiting: StepWaiting | null): Promise<void> {
  const updated = await db
    .update(runSteps)
    .set({ waiting })
    .where(and(eq(runSteps.runId, runId), eq(runSteps.nodeId, nodeId)))
    .returning({ nodeId: runSteps.nodeId });
  if (updated.length === 0) throw new StoreNotFoundError('step', `${runId}/${nodeId}`);
}

/**
 * A failed run made ready to resume: running again, its error and end cleared, its failed steps pending. Counts,
 * checkpoints, rejected records and the start time (TODAY()/NOW()) stay. False when the run is not failed.
 */
export async function reopenRun(db: Db, runId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const reopened = await tx
      .update(runs)
      .set({ status: 'running', error: null, endedAt: null, startedAt: sql`coalesce(${runs.startedAt}, now())` })
      .where(and(eq(runs.id, runId), eq(runs.status, 'failed')))
      .returning({ id: runs.id });
    if (reopened.length === 0) return false;
    await tx
      .update(runSteps)
      .set({ status: 'pending', error: null, endedAt: null, waiting: null })
      .where(and(eq(runSteps.runId, runId), inArray(runSteps.status, ['failed', 'running', 'pending'])));
    return true;
  });
}

export async function getCheckpoint(db: Db, runId: string, pipelineId: string): Promise<{ batch: number; cursor: unknown }> {
  const [row] = await db
    .select({ batch: runCheckpoints.batch, cursor: runCheckpoints.cursor })
    .from(runCheckpoints)
    .where(and(eq(runCheckpoints.runId, runId), eq(runCheckpoints.pipelineId, pipelineId)));
  return row ? { batch: row.batch, cursor: row.cursor.value } : { batch: 0, cursor: null };
}

/** A pipeline's parts, kept once per run (see Store.keepPartitions): batch 0, so they never count as committed work. */
export async function keepPartitions(db: Db, runId: string, pipelineId: string, plan: unknown): Promise<unknown> {
  const key = partsKey(pipelineId);
  // Issue 16: kept or read back in one statement. The read sees the rows as they were when the statement began, so
  // parts another connection kept meanwhile (their insert made ours a no-op) are read again below.
  const result: unknown = await db.execute(sql`
    WITH ins AS (
      INSERT INTO ${runCheckpoints} (run_id, pipeline_id, batch, cursor) VALUES (${runId}, ${key}, 0, ${JSON.stringify({ value: plan })}::jsonb)
      ON CONFLICT DO NOTHING RETURNING cursor
    )
    SELECT cursor::text AS cursor FROM ins
    UNION ALL
    SELECT c.cursor::text FROM ${runCheckpoints} AS c WHERE c.run_id = ${runId} AND c.pipeline_id = ${key} AND NOT EXISTS (SELECT 1 FROM ins)`);
  const [kept] = (result as { rows: { cursor: string }[] }).rows;
  if (kept) return (JSON.parse(kept.cursor) as { value: unknown }).value;
  const [row] = await db.select({ cursor: runCheckpoints.cursor }).from(runCheckpoints).where(and(eq(runCheckpoints.runId, runId), eq(runCheckpoints.pipelineId, key)));
  return row?.cursor.value ?? plan;
}

/** In row order (then by step), optionally for one step. */
export async function listRejected(
  db: Db,
  runId: string,
  opts?: { limit?: number; offset?: number; nodeId?: string },
): Promise<{ items: RejectedRecord[]; total: number }> {
  const { limit, offset } = page(opts);
  const where = and(eq(rejectedRecords.runId, runId), opts?.nodeId !== undefined ? eq(rejectedRecords.nodeId, opts.nodeId) : undefined);
  const rows = await db
    .select()
    .from(rejectedRecords)
    .where(where)
    .orderBy(asc(rejectedRecords.rowNumber), asc(rejectedRecords.nodeId), asc(rejectedRecords.createdAt), asc(rejectedRecords.id))
    .limit(limit)
    .offset(offset);
  const [totalRow] = await db.select({ n: count() }).from(rejectedRecords).where(where);
  return {
    items: rows.map((r) => ({
      id: r.id,
      runId: r.runId,
      nodeId: r.nodeId,
      rowNumber: r.rowNumber,
      source: r.source,
      mapped: r.mapped,
      reason: r.reason,
      createdAt: iso(r.createdAt),
    })),
    total: totalRow?.n ?? 0,
  };
}
