// The store's contract: every read and write the API, the activities and the seeder need.
// One implementation (Drizzle) runs on two engines: embedded PGlite and a real Postgres.
import type { MigrateOptions } from './migrations/types';
import type { AuthStore } from './auth';
import type { WebhookStore } from './webhooks';
import type { StoredSchedule } from './schedules';
import type { Cadence } from '../../shared/api/schedules';
import type { OperationsStore } from './operations';
import type { InboxStore } from './inbox';
import type { SetStore } from './sets';
import type { SyncStateStore } from './sync-state';
import type { CursorValue } from '../../shared/sync/cursor';
import type { RunSyncOptions } from '../../shared/sync/options';
import type { TwoWayStore } from './two-way';
import type { MemberStore } from './members';
import type { OAuthStateStore } from './oauth';
import type { WorkspaceWritePreview } from './workspace-write';
import type {
  Counts,
  Graph,
  Integration,
  IntegrationSummary,
  IntegrationVersion,
  Plan,
  RejectedRecord,
  Run,
  RunDetail,
  RunListItem,
  RunStep,
  RunStatus,
  RunTrigger,
  StepStatus,
  StepProgress,
  StepWaiting,
  UploadedFile,
  WorkspaceObject,
  WorkspaceRecord,
  Field,
} from '../../shared';

export type { StoredSchedule } from './schedules';

/** A run as its activities read it (runtime/store/runs.ts getRunState). */
export type RunState = Run & { steps: RunStep[]; syncOptions: RunSyncOptions };

/** What a pipeline attempt reads of its run when it starts (getPipelineStart): as getRunState, getCheckpoint and listRunFiles give them. */
export interface PipelineStart {
  run: RunState | null;
  checkpoint: { batch: number; cursor: unknown };
  runFiles: RunFileRecord[];
}

export interface NewRun {
  /** A caller-chosen id (a scheduled run's is derived from its workflow, so a retried create finds the run it made). */
  id?: string;
  /** The Temporal workflow that will run it, written with the run (setRunWorkflow records another, e.g. a resume's). */
  workflowId?: string | null;
  integrationId: string;
  versionId: string;
  trigger: RunTrigger;
  /** The run's name in the history. */
  name?: string;
  /** The person or API token that started it (null: a schedule). */
  startedBy?: string | null;
  /** The run this one runs again with the same settings. */
  rerunOf?: string | null;
  /** The set run this run is a member of. */
  setRunId?: string | null;
  /** A webhook run: how many requests it drained. */
  webhookRequests?: number;
  params: Record<string, unknown>;
  /** One pending step per plan step. */
  steps: { nodeId: string; kind: string; label: string }[];
  /** The file each file source reads in this run, recorded with the run (see NewRunFile). */
  files?: NewRunFile[];
  /** Issue 14: full sync, confirm deletes. */
  syncOptions?: RunSyncOptions;
}

/** The sync history's filters: runs in any of these statuses, created from `from` (inclusive) to `to` (exclusive, ISO). */
export interface RunFilter {
  status?: readonly RunStatus[];
  from?: string;
  to?: string;
}

/** One file source's file for one run: the published file, or a replacement given for this run only. */
export interface NewRunFile {
  nodeId: string;
  fileId: string;
  replaced: boolean;
}

/** A run's file as the worker needs it: the link plus the stored file (its path and format settings). */
export interface RunFileRecord extends NewRunFile {
  /** The step's label in the run, '' if the run has no step for the node. */
  nodeLabel: string;
  file: StoredFile;
}

/** Per-record outcome of one workspace upsert batch. */
export type WriteOutcome = { outcome: 'created' | 'updated' | 'unchanged' } | { outcome: 'rejected'; reason: string } | { outcome: 'skipped'; reason: string };

export interface StoredFile extends UploadedFile {
  /** Absolute path of the bytes on disk (files live under data/files). */
  path: string;
}

export interface NewRejected {
  nodeId: string;
  rowNumber: number;
  source: Record<string, unknown>;
  mapped: Record<string, unknown> | null;
  reason: string;
}

/** A rejected record staged as a run goes (runtime/store/rejected-stage.ts), recorded by a commit with `staged`. */
export interface StagedRejected extends NewRejected {
  /** Unique in the run's pipeline: staging a key again replaces its row (a retried attempt holding the same record). */
  key: string;
  /** Only this attempt's commit records it (a refused write, which a retry tries again); null: whichever attempt commits. */
  attempt: string | null;
}

/** The counters a step keeps, all served (written = created + updated + unchanged). */
export type StepCounts = Counts;

/** One batch's effect, committed atomically with its checkpoint so a retried batch is never counted twice. */
export interface BatchCommit {
  runId: string;
  pipelineId: string;
  /**
   * The checkpoint this commit claims (default `pipelineId`): a whole pipeline's is `wholeKey(pipelineId)`
   * (shared/sync/partitions.ts), never a part's or the parts' key; its staged records and source read stay the pipeline's.
   */
  checkpointKey?: string;
  /** Batch number this commit completes (1-based); a commit whose number is <= the stored one is ignored. */
  batch: number;
  cursor: unknown;
  /** Count increments per step node id. */
  counts: Record<string, Partial<StepCounts>>;
  rejected: NewRejected[];
  /** Workspace writes to apply in the same transaction (the workspace target's batch). */
  workspaceWrite?: WorkspaceWrite;
  /** A source's progress after this batch, per step node id (replaces the stored one). */
  progress?: Record<string, StepProgress>;
  /** Issue 14, committed with the batch: the pipeline's source read high-water mark so far, and target keys seen/deleted. */
  sync?: BatchSync;
  /**
   * The pipeline's staged rejected records (stageRejected) that this attempt may record, recorded with this commit and
   * counted as rejected on their steps; every staged row of the pipeline is cleared (also when the batch was committed before).
   */
  staged?: { attempt: string };
  /**
   * The source fields a rejected record's key is read from (shared/sync/rejected-key.ts `rejectedKeyFields`): the
   * inbox lists one entry per integration and key, the newest rejection. Absent: each rejection is its own entry.
   */
  rejectedKey?: string[];
  /**
   * The target step the key belongs to (the pipeline's last step): the same key values written to another target are
   * another record (review14b). Absent: the key values alone.
   */
  rejectedKeyTarget?: string;
}

/** What a batch adds to the run's sync state (runtime/store/sync-state.ts), in the batch's own transaction. */
export interface BatchSync {
  /** The source read's high-water mark after this batch (cumulative: the executor keeps the maximum). */
  high?: CursorValue;
  /** Target keys (record-key text) of this batch: rows written (`seen`, full-sync comparison) and rows deleted at the source. */
  keys?: { nodeId: string; seen: string[]; deleted: RunKey[] };
}

/** A target key of a run: its record-key text (runtime/store/workspace-write.ts recordKey) and its field values. */
export interface RunKey {
  key: string;
  values: Record<string, unknown>;
}

/**
 * One batch for a workspace object. The store creates the object (or adds new fields to it), upserts
 * or inserts each row by its key, and adds the outcomes to the target step's counts itself:
 * written = created + updated + unchanged, plus created, updated and rejected. Do not also put
 * those in `BatchCommit.counts[nodeId]`, or they are counted twice. Rejected rows are kept as
 * rejected records (source = mapped = the row).
 */
export interface WorkspaceWrite extends WorkspaceBatch {
  /** The source row number of each row (same index), for rejected records. */
  rowNumbers: number[];
  /** Each row's values as the source read them (same index), so a rejected record shows what to fix at the source. */
  sources?: Record<string, unknown>[];
  /** The workspace target's node id: whose counts and rejected records these are. Defaults to the run's only target step (by its kind's category). */
  nodeId?: string;
}

/**
 * What one workspace write applies, by the batch commit or by the workspace connector (the same function,
 * runtime/store/workspace-write.ts). `update` changes existing records only; the workspace target uses upsert or insert.
 */
export interface WorkspaceBatch {
  object: string;
  key: string[];
  fields: Field[];
  mode: 'upsert' | 'insert' | 'update';
  rows: Record<string, unknown>[];
  /** Update mode: a key with no record is rejected (default) or `skipped` ("Allow new records" off). */
  missing?: 'reject' | 'skip';
  /**
   * Issue 14, "Sync and refresh": upsert and update rewrite every matched record (`updated`) even when its values equal
   * what the row carries; insert never changes a record, with or without it.
   */
  rewrite?: boolean;
  /**
   * How a field must match the object's attribute of its name: `exact` (default: the workspace target, as the compiler
   * checks it) or `fit` (the workspace connector, written like a table: a field goes into an attribute it fits as a
   * column, fitsColumn). A field that does not is refused for every row.
   */
  attributes?: 'exact' | 'fit';
  /** The upsert made ready before the commit (`prepareUpsert` in runtime/store/workspace-write.ts); used only for these `rows`. */
  prepared?: PreparedUpsert;
}

/** An upsert's rows checked and serialized for the store's statement, ahead of the commit that writes them. */
export interface PreparedUpsert {
  /** The rows it was made from (the same array): a batch whose rows were replaced is prepared again. */
  rows: readonly Record<string, unknown>[];
  /** Per row, in order: its rejection, or null when it goes to the statement. */
  outcomes: (WriteOutcome | null)[];
  /** Rows that go to the statement. */
  count: number;
  /** Whether `json` is the rows' values alone (the key read from them) or `{k, v}` pairs. */
  keyInValues: boolean;
  json: string;
}

/** One record of a keyset page of a workspace object (`readWorkspacePage`). */
export interface WorkspacePageRecord {
  key: string;
  values: Record<string, unknown>;
  updatedAt: string;
}

/** A connection as stored: `secrets` is ciphertext (runtime/secrets), never plaintext. */
export interface StoredConnection {
  id: string;
  connector: string;
  name: string;
  config: Record<string, unknown>;
  secrets: string;
  lastTest: { status: 'ok' | 'failed'; message: string | null; at: string } | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewConnection {
  connector: string;
  name: string;
  config: Record<string, unknown>;
  /** Ciphertext. */
  secrets: string;
}

/** Connection id -> the integrations whose draft graph names it in a node's `config.connectionId`. */
export type ConnectionUsage = Record<string, { id: string; name: string }[]>;

export interface Store {
  readonly engine: 'pglite' | 'postgres';
  /** Applies the pending migrations; returns the versions it applied (none when the store was up to date). */
  migrate(options?: MigrateOptions): Promise<number[]>;
  close(): Promise<void>;

  // Integrations
  listIntegrations(): Promise<IntegrationSummary[]>;
  getIntegration(id: string): Promise<Integration | null>;
  /** The integration and its published version (null: none) in one query: what starting a run reads. */
  getIntegrationToRun(id: string): Promise<{ integration: Integration; version: IntegrationVersion | null } | null>;
  createIntegration(input: { name: string; description: string; graph: Graph }): Promise<Integration>;
  updateIntegration(id: string, patch: { name?: string; description?: string; graph?: Graph }): Promise<Integration | null>;
  deleteIntegration(id: string): Promise<boolean>;

  // Versions
  createVersion(integrationId: string, graph: Graph, plan: Plan, hash: string): Promise<IntegrationVersion>;
  getVersion(id: string): Promise<IntegrationVersion | null>;

  // Runs and steps
  createRun(run: NewRun): Promise<Run>;
  getRun(id: string): Promise<RunDetail | null>;
  /** What a run's activities read of it, in two queries: the run, its steps and its sync options (no files, no sync report). */
  getRunState(id: string): Promise<RunState | null>;
  listRuns(integrationId: string, opts?: { limit?: number; offset?: number } & RunFilter): Promise<{ items: RunListItem[]; total: number }>;
  /** Records the Temporal workflow running the run (a resume starts another): what Cancel cancels. */
  setRunWorkflow(runId: string, workflowId: string): Promise<void>;
  getRunWorkflow(runId: string): Promise<string | null>;
  /** False (nothing changed) when the run has already ended: a Cancel or a failed start recorded before its workflow began. */
  markRunStarted(runId: string): Promise<boolean>;
  /** Records a run's end; a run already Cancelled stays so (review14b: a failed start after Cancel wrote Failed over it). */
  finishRun(runId: string, status: RunStatus, error: string | null): Promise<void>;
  /** Records a queued or running run Cancelled (Cancel with no workflow to cancel); false when it had ended (unchanged). */
  cancelOpenRun(runId: string, error: string): Promise<boolean>;
  /**
   * finishRun, answering the run as recorded (getRunState's shape; null: no such run, or one already Cancelled, which
   * stays so), in one statement (issue 16).
   */
  endRun(runId: string, status: RunStatus, error: string | null): Promise<RunState | null>;
  setStepStatus(runId: string, nodeId: string, status: StepStatus, error?: string | null): Promise<void>;
  /** setStepStatus for several steps of a run at once, in one statement. */
  setStepsStatus(runId: string, nodeIds: readonly string[], status: StepStatus, error?: string | null): Promise<void>;
  /** Steps whose batches are all committed, to Completed or Completed with errors from their stored counts, in one statement (issue 16). */
  completeSteps(runId: string, nodeIds: readonly string[]): Promise<{ nodeId: string; status: 'completed' | 'completed_with_errors'; counts: Counts }[]>;
  /** Records (or, with null, clears) what a step waits for while the system it reads or writes is unreachable. */
  setStepWaiting(runId: string, nodeId: string, waiting: StepWaiting | null): Promise<void>;
  /** A failed run made ready to resume from its checkpoints: false when it is not failed. */
  reopenRun(runId: string): Promise<boolean>;
  /** Issue 16: getRunState, getCheckpoint(runId, checkpointKey) and listRunFiles in one statement, for a pipeline attempt's start. */
  getPipelineStart(runId: string, checkpointKey: string): Promise<PipelineStart>;
  /** Returns the last committed batch number for a pipeline (0 if none) and its cursor. */
  getCheckpoint(runId: string, pipelineId: string): Promise<{ batch: number; cursor: unknown }>;
  /**
   * Issue 16: a pipeline's parts in this run, kept the first time they are planned (a checkpoint row of batch 0 under
   * `<pipeline>#parts`), so a retried planning or a resumed run reads the same parts and every part's checkpoint
   * still means what it meant. Returns what is kept: the given plan, or the one an earlier call kept.
   */
  keepPartitions(runId: string, pipelineId: string, plan: unknown): Promise<unknown>;
  /** Applies one batch atomically: workspace writes, counts, rejected records, checkpoint. Returns per-row outcomes. */
  commitBatch(commit: BatchCommit): Promise<{ applied: boolean; outcomes: WriteOutcome[] }>;
  /** Stages rejected records for the pipeline's commit (`BatchCommit.staged`); a key staged again replaces its row. */
  stageRejected(runId: string, pipelineId: string, records: readonly StagedRejected[]): Promise<void>;
  /** Drops the staged rows only this attempt's commit could record (the attempt failed). */
  dropStagedRejected(runId: string, pipelineId: string, attempt: string): Promise<void>;
  /** Drops the staged held rows (no attempt) of these keys: a retried attempt settled their pairs without holding them. */
  unstageRejected(runId: string, pipelineId: string, keys: readonly string[]): Promise<void>;
  /**
   * An attempt's start: whether earlier attempts left held rows staged, and the highest row number of the step's
   * rejected records in the run (staged or recorded; 0 when none), which the attempt numbers after.
   */
  rejectedStageStart(runId: string, pipelineId: string, nodeId: string): Promise<{ held: boolean; lastRowNumber: number }>;
  /**
   * A run that ended failed or cancelled: records the staged held rows its pipelines never committed (counted as
   * rejected on their steps) and clears the run's stage; staged refusals are dropped. Returns how many were recorded.
   */
  recordLeftStaged(runId: string): Promise<number>;
  /** In row order; `nodeId` narrows to one step's rejections. */
  listRejected(runId: string, opts?: { limit?: number; offset?: number; nodeId?: string }): Promise<{ items: RejectedRecord[]; total: number }>;

  // Files
  saveFile(file: StoredFile): Promise<void>;
  getFile(id: string): Promise<StoredFile | null>;
  /** Every stored file, newest first. */
  listFiles(): Promise<StoredFile[]>;

  // Run files (which file each file source of a run read; recorded once, never changed)
  /** Records a run's files; a node already recorded keeps its file. Unknown run or file: StoreNotFoundError. */
  recordRunFiles(runId: string, files: NewRunFile[]): Promise<void>;
  /** In the run's step order, each with its stored file. */
  listRunFiles(runId: string): Promise<RunFileRecord[]>;

  // Workspace
  listWorkspaceObjects(): Promise<WorkspaceObject[]>;
  getWorkspaceObject(name: string): Promise<WorkspaceObject | null>;
  /** `search`: case-insensitive substring of the record's values (as JSON text). Ordered by key unless `order` says 'created'. */
  listWorkspaceRecords(
    name: string,
    opts?: { limit?: number; offset?: number; search?: string; order?: 'key' | 'created' },
  ): Promise<{ items: WorkspaceRecord[]; total: number }>;
  /**
   * Up to `limit` records ordered by key (as text), after the key `after` (null: from the first), for reads that
   * resume exactly; `updatedAfter` (ISO date-time) keeps only records written later than that.
   */
  readWorkspacePage(name: string, opts: { after: string | null; limit: number; updatedAfter?: string; updatedFrom?: string }): Promise<WorkspacePageRecord[]>;
  /** Deletes records of an object by their stored keys (the text `recordKey` makes), in one transaction; one result per key. */
  deleteWorkspaceRecords(name: string, keys: readonly string[]): Promise<('deleted' | 'missing')[]>;
  /** Applies one workspace batch in its own transaction (the workspace connector's write); one outcome per row. */
  writeWorkspace(write: WorkspaceBatch): Promise<WriteOutcome[]>;
  /** What `writeWorkspace` would do, without writing: outcomes, and each row's record before and after (test a record). */
  previewWorkspaceWrite(write: WorkspaceBatch): Promise<WorkspaceWritePreview>;

  // Connections (names are unique: a clash throws StoreConflictError)
  listConnections(): Promise<StoredConnection[]>;
  getConnection(id: string): Promise<StoredConnection | null>;
  createConnection(input: NewConnection): Promise<StoredConnection>;
  /** Changing config or secrets clears the last test result. */
  updateConnection(id: string, patch: { name?: string; config?: Record<string, unknown>; secrets?: string }): Promise<StoredConnection | null>;
  deleteConnection(id: string): Promise<boolean>;
  recordConnectionTest(id: string, result: { status: 'ok' | 'failed'; message: string | null }): Promise<StoredConnection | null>;
  listConnectionUsage(): Promise<ConnectionUsage>;

  // Schedules (one per integration; the live one is a Temporal Schedule)
  getSchedule(integrationId: string): Promise<StoredSchedule | null>;
  listSchedules(): Promise<StoredSchedule[]>;
  /** Creates or replaces the integration's schedule. */
  saveSchedule(input: { integrationId: string; cadence: Cadence; timeZone: string; enabled: boolean }): Promise<StoredSchedule>;
  /** Moves the count of overlap skips shown in sync history from `from` to `to`; false when it was not `from`. */
  setScheduleSkipsRecorded(integrationId: string, from: number, to: number): Promise<boolean>;
  deleteSchedule(integrationId: string): Promise<boolean>;

  // People, sessions, API tokens and the audit log (runtime/store/auth.ts)
  readonly auth: AuthStore;

  // Trigger tokens, activation, alert settings and state, duplicate and delete summaries (runtime/store/operations.ts)
  readonly ops: OperationsStore;

  // The record inbox: rejected records across runs, resubmitted or ignored (runtime/store/inbox.ts)
  readonly inbox: InboxStore;
  /** Integration sets, their runs and trigger tokens (runtime/store/sets.ts). */
  readonly sets: SetStore;
  /** Sync cursors, each run's source reads, seen/deleted keys and delete phases (runtime/store/sync-state.ts, issue 14). */
  readonly sync: SyncStateStore;
  /** Inbound webhooks: endpoints, the request queue runs drain, replay digests (runtime/store/webhooks.ts). */
  readonly webhooks: WebhookStore;
  /** Two-way sync's key map and cursors (runtime/store/two-way.ts). */
  readonly twoWay: TwoWayStore;
  /** Member alignment: members, member systems and their accounts (runtime/store/members.ts, docs/members.md). */
  readonly members: MemberStore;
  /** OAuth authorization requests in flight, taken once by the callback (runtime/store/oauth.ts). */
  readonly oauth: OAuthStateStore;
}
