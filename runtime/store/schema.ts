// Drizzle table definitions: the typed mirror of migrations/*.ts, which remain the source of the DDL.
import type { Field, Graph, Plan, Role } from '../../shared';
import type { StepProgress, StepWaiting } from '../../shared/api/runs';
import type { MemberSource } from '../../shared/api/members';
import type { Cadence } from '../../shared/api/schedules';
import type { AlertSettings, AlertView } from '../../shared/api/operations';
import type { InboxStatus } from '../../shared/api/inbox';
import type { FileCompression, FileFormat } from '../../shared/graph/kinds/file-source';
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';

type AlertState = AlertView['state'];

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const count = (name: string) => integer(name).notNull().default(0);

export const integrations = pgTable('integrations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  graph: jsonb('graph').$type<Graph>().notNull(),
  /** sha256 of the draft graph's canonical JSON; compared with the published version's to detect unpublished changes. */
  graphHash: text('graph_hash').notNull(),
  publishedVersionId: text('published_version_id').references((): AnyPgColumn => integrationVersions.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  /** Migration 11: a deactivated integration cannot run; `disabledReason` says why when Weft deactivated it. */
  active: boolean('active').notNull().default(true),
  disabledReason: text('disabled_reason'),
  /** Alert settings (shared/api/operations AlertSettings); null: the defaults. */
  alerts: jsonb('alerts').$type<AlertSettings>(),
  webhookSecret: text('webhook_secret'),
  /** What was last alerted (ok, failing, errors, disabled), so an alert fires once per change of state. */
  alertState: text('alert_state').$type<AlertState>().notNull().default('ok'),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
});

/** Migration 11: tokens that may trigger one integration's runs (`POST /api/integrations/:id/trigger`), stored hashed. */
export const integrationTokens = pgTable('integration_tokens', {
  id: text('id').primaryKey(),
  integrationId: text('integration_id')
    .notNull()
    .references(() => integrations.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull(),
  prefix: text('prefix').notNull(),
  createdBy: text('created_by'),
  createdAt: createdAt(),
  lastUsedAt: at('last_used_at'),
});

export const integrationVersions = pgTable(
  'integration_versions',
  {
    id: text('id').primaryKey(),
    integrationId: text('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    graph: jsonb('graph').$type<Graph>().notNull(),
    graphHash: text('graph_hash').notNull(),
    plan: jsonb('plan').$type<Plan>().notNull(),
    /** The caller's hash of the published version (graph + plan), kept as given. */
    hash: text('hash').notNull(),
    createdAt: createdAt(),
  },
  (t) => [unique('integration_versions_integration_number').on(t.integrationId, t.number)],
);

export const runs = pgTable(
  'runs',
  {
    id: text('id').primaryKey(),
    integrationId: text('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    versionId: text('version_id')
      .notNull()
      .references(() => integrationVersions.id, { onDelete: 'cascade' }),
    status: text('status').notNull(),
    trigger: text('trigger').notNull(),
    /** Migration 0010: the run's name, who started it, the run it re-runs, its current Temporal workflow. */
    name: text('name').notNull().default(''),
    startedBy: text('started_by'),
    rerunOf: text('rerun_of'),
    workflowId: text('workflow_id'),
    /** Migration 0012: the set run this run is a member of (null: not started by a set). */
    setRunId: text('set_run_id'),
    /** Migration 0021: how many webhook requests the run drained (null: not a webhook run). */
    webhookRequests: integer('webhook_requests'),
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    /** Migration 0015: full sync, confirm deletes (shared/sync/options.ts). */
    syncOptions: jsonb('sync_options').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    startedAt: at('started_at'),
    endedAt: at('ended_at'),
    error: text('error'),
  },
  (t) => [index('runs_integration_created').on(t.integrationId, t.createdAt), index('runs_integration_status_created').on(t.integrationId, t.status, t.createdAt)],
);

export const runSteps = pgTable(
  'run_steps',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    nodeId: text('node_id').notNull(),
    kind: text('kind').notNull(),
    label: text('label').notNull(),
    /** Creation order, so steps are served in plan order. */
    position: integer('position').notNull(),
    status: text('status').notNull(),
    read: count('read'),
    written: count('written'),
    created: count('created'),
    updated: count('updated'),
    /** Targets only: written = created + updated + unchanged. */
    unchanged: count('unchanged'),
    rejected: count('rejected'),
    /** Migration 0015: rows a target did not write because they matched no record and new records are not allowed. */
    skipped: count('skipped'),
    /** Migration 0015: records a target deleted (or soft-deleted). */
    deleted: count('deleted'),
    startedAt: at('started_at'),
    endedAt: at('ended_at'),
    error: text('error'),
    /** While the step waits for an unreachable system (migration 8). */
    waiting: jsonb('waiting').$type<StepWaiting>(),
    progress: jsonb('progress').$type<StepProgress>(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.nodeId] })],
);

export const runCheckpoints = pgTable(
  'run_checkpoints',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    pipelineId: text('pipeline_id').notNull(),
    batch: integer('batch').notNull(),
    /** Wrapped as { value } so a cursor that is itself a JSON string survives Drizzle's jsonb decoding unchanged. */
    cursor: jsonb('cursor').$type<{ value: unknown }>().notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.pipelineId] })],
);

export const rejectedRecords = pgTable(
  'rejected_records',
  {
    id: text('id').primaryKey(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    nodeId: text('node_id').notNull(),
    rowNumber: integer('row_number').notNull(),
    source: jsonb('source').$type<Record<string, unknown>>().notNull(),
    mapped: jsonb('mapped').$type<Record<string, unknown>>(),
    reason: text('reason').notNull(),
    createdAt: createdAt(),
    /** Migration 11, the record inbox: where the record stands (shared/api/inbox InboxStatus) and how it got there. */
    /** `attempt`: a resubmit run's own rejection, settled onto the inbox record it retried and never listed itself. */
    inboxStatus: text('inbox_status').$type<InboxStatus | 'attempt'>().notNull().default('open'),
    edited: jsonb('edited').$type<Record<string, unknown>>(),
    latestReason: text('latest_reason'),
    outcomeRunId: text('outcome_run_id'),
    note: text('note'),
    settledAt: at('settled_at'),
    /** The reason the inbox shows and groups by: the latest when a resubmit failed again (kept by Postgres). */
    inboxReason: text('inbox_reason').generatedAlwaysAs(sql`coalesce(latest_reason, reason)`),
    /** Migration 34: the record's key (sha256 of its key fields' source values; null: no key) and, while it waits, the newer rejection of the same record that the inbox lists instead. */
    recordKey: text('record_key'),
    supersededBy: text('superseded_by'),
  },
  (t) => [index('rejected_records_run_row').on(t.runId, t.rowNumber)],
);

/** Migration 11: the records a resubmit run feeds its pipeline in place of its source's read, by row number. */
export const inboxResubmits = pgTable(
  'inbox_resubmits',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    rowNumber: integer('row_number').notNull(),
    recordId: text('record_id')
      .notNull()
      .references(() => rejectedRecords.id, { onDelete: 'cascade' }),
    sourceNodeId: text('source_node_id').notNull(),
    values: jsonb('values').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.rowNumber] })],
);

export const files = pgTable('files', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  size: bigint('size', { mode: 'number' }).notNull(),
  sha256: text('sha256').notNull(),
  columns: jsonb('columns').$type<Field[]>().notNull(),
  delimiter: text('delimiter').notNull(),
  sampleRows: jsonb('sample_rows').$type<Record<string, string>[]>().notNull(),
  format: text('format').$type<FileFormat>().notNull().default('csv'),
  compression: text('compression').$type<FileCompression>().notNull().default('none'),
  recordsPath: text('records_path'),
  zipEntry: text('zip_entry'),
  hasHeader: boolean('has_header'),
  sheet: text('sheet'),
  sheets: jsonb('sheets').$type<string[]>(),
  encrypted: boolean('encrypted').notNull().default(false),
  path: text('path').notNull(),
  createdAt: createdAt(),
});

/** The files a run read, recorded when it is created (migration 0004). */
export const runFiles = pgTable(
  'run_files',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    nodeId: text('node_id').notNull(),
    fileId: text('file_id')
      .notNull()
      .references(() => files.id, { onDelete: 'restrict' }),
    /** True when the file replaced the published one for this run only. */
    replaced: boolean('replaced').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.runId, t.nodeId] }), index('run_files_file').on(t.fileId)],
);

export const workspaceObjects = pgTable('workspace_objects', {
  name: text('name').primaryKey(),
  label: text('label').notNull(),
  key: jsonb('key').$type<string[]>().notNull(),
  attributes: jsonb('attributes').$type<Field[]>().notNull(),
  /** Kept by the workspace write (the only place records are inserted) so listing objects never counts rows. */
  recordCount: integer('record_count').notNull().default(0),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const workspaceRecords = pgTable(
  'workspace_records',
  {
    /** The object's name (no foreign key since migration 14: delete an object's records with it). */
    objectName: text('object_name').notNull(),
    key: text('key').notNull(),
    values: jsonb('values').$type<Record<string, unknown>>().notNull(),
    writeCount: integer('write_count').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.objectName, t.key] }), index('workspace_records_object_created').on(t.objectName, t.createdAt)],
);

export const connections = pgTable(
  'connections',
  {
    id: text('id').primaryKey(),
    connector: text('connector').notNull(),
    name: text('name').notNull(),
    config: jsonb('config').$type<Record<string, unknown>>().notNull(),
    /** Ciphertext of the secrets as JSON (`v1:...`, runtime/secrets); never plaintext. */
    secrets: text('secrets').notNull(),
    lastTestStatus: text('last_test_status').$type<'ok' | 'failed'>(),
    lastTestMessage: text('last_test_message'),
    lastTestedAt: at('last_tested_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('connections_name_unique').on(t.name)],
);

export const weftMigrations = pgTable('weft_migrations', {
  version: integer('version').primaryKey(),
  name: text('name').notNull(),
  appliedAt: timestamp('applied_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

// Sign-in, roles, tokens and the audit log (migrations/0006-auth.ts).
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  role: text('role').$type<Role>().notNull(),
  passwordHash: text('password_hash'),
  inviteHash: text('invite_hash'),
  inviteExpiresAt: at('invite_expires_at'),
  lastSignInAt: at('last_sign_in_at'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const sessions = pgTable('sessions', {
  idHash: text('id_hash').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  createdAt: createdAt(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  userAgent: text('user_agent'),
});

export const apiTokens = pgTable('api_tokens', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role').$type<Role>().notNull(),
  tokenHash: text('token_hash').notNull(),
  prefix: text('prefix').notNull(),
  createdBy: text('created_by'),
  createdAt: createdAt(),
  lastUsedAt: at('last_used_at'),
});

export const auditLog = pgTable('audit_log', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  actor: text('actor').notNull(),
  actorId: text('actor_id'),
  action: text('action').notNull(),
  targetType: text('target_type'),
  targetId: text('target_id'),
  targetName: text('target_name'),
  detail: jsonb('detail').$type<Record<string, unknown>>().notNull(),
  ip: text('ip'),
});

/** An integration's schedule as saved; the live one is a Temporal Schedule (runtime/temporal/schedules.ts). */
export const schedules = pgTable('schedules', {
  integrationId: text('integration_id')
    .primaryKey()
    .references(() => integrations.id, { onDelete: 'cascade' }),
  cadence: jsonb('cadence').$type<Cadence>().notNull(),
  timeZone: text('time_zone').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  /** How many of Temporal's overlap skips sync history already shows as Skipped runs. */
  skippedRecorded: integer('skipped_recorded').notNull().default(0),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Migration 0012: integration sets, their runs and their trigger tokens. */
export interface StoredSetSchedule {
  cadence: Cadence;
  timeZone: string;
  enabled: boolean;
}
export interface StoredSetRunMember {
  integrationId: string;
  name: string;
  runId: string | null;
  error: string | null;
}

export const integrationSets = pgTable('integration_sets', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  members: jsonb('members').$type<string[]>().notNull(),
  abortOnFailure: boolean('abort_on_failure').notNull().default(true),
  schedule: jsonb('schedule').$type<StoredSetSchedule>(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const setRuns = pgTable(
  'set_runs',
  {
    id: text('id').primaryKey(),
    setId: text('set_id')
      .notNull()
      .references(() => integrationSets.id, { onDelete: 'cascade' }),
    name: text('name').notNull().default(''),
    status: text('status').notNull(),
    trigger: text('trigger').notNull(),
    startedBy: text('started_by'),
    abortOnFailure: boolean('abort_on_failure').notNull(),
    members: jsonb('members').$type<StoredSetRunMember[]>().notNull(),
    workflowId: text('workflow_id'),
    createdAt: createdAt(),
    startedAt: at('started_at'),
    endedAt: at('ended_at'),
    error: text('error'),
  },
  (t) => [index('set_runs_set_created').on(t.setId, t.createdAt)],
);

export const setTokens = pgTable('set_tokens', {
  id: text('id').primaryKey(),
  setId: text('set_id')
    .notNull()
    .references(() => integrationSets.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull(),
  prefix: text('prefix').notNull(),
  createdBy: text('created_by'),
  createdAt: createdAt(),
  lastUsedAt: at('last_used_at'),
});

/** Migration 0015: the cursor each source step of an integration keeps between runs (moved only by a committed run). */
export const syncCursors = pgTable(
  'sync_cursors',
  {
    integrationId: text('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    nodeId: text('node_id').notNull(),
    field: text('field').notNull(),
    kind: text('kind').notNull(),
    /** Wrapped as { value }, like checkpoints, so text stays text. */
    value: jsonb('value').$type<{ value: unknown }>().notNull(),
    runId: text('run_id'),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.nodeId] })],
);

/** Migration 0015: what one pipeline's source read in one run: from where (`since`) and up to what (`high`). */
export const runSourceReads = pgTable(
  'run_source_reads',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    pipelineId: text('pipeline_id').notNull(),
    nodeId: text('node_id').notNull(),
    field: text('field'),
    kind: text('kind'),
    fullRead: boolean('full_read').notNull(),
    since: jsonb('since').$type<{ value: unknown }>(),
    high: jsonb('high').$type<{ value: unknown }>(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.pipelineId] })],
);

/** Migration 0015: target keys a run saw (full-sync comparison) or found soft-deleted at the source. */
export const runKeys = pgTable(
  'run_keys',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    nodeId: text('node_id').notNull(),
    /** Migration 30: '' for a target step's keys; 'a' or 'b' for a two-way step's delete candidates to that side. */
    side: text('side').notNull().default(''),
    key: text('key').notNull(),
    deleted: boolean('deleted').notNull().default(false),
    /** A deleted key's field values as the target has them (so a soft delete writes the key exactly as it is). */
    keyValues: jsonb('key_values').$type<Record<string, unknown> | string>(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.nodeId, t.side, t.key] })],
);

/** Migration 0015: a target's delete phase in one run: applied, or held back above the threshold. */
export const runDeletes = pgTable(
  'run_deletes',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    nodeId: text('node_id').notNull(),
    state: text('state').notNull(),
    candidates: integer('candidates').notNull(),
    targetRecords: integer('target_records').notNull(),
    allowed: integer('allowed').notNull(),
    applied: integer('applied').notNull().default(0),
    /** Migration 29: the last candidate key applied while `applying`, and the delete call in flight's records found. */
    afterKey: text('after_key'),
    inFlight: integer('in_flight'),
    /** Migration 30: '' for a target step's phase; 'a' or 'b' for a two-way step's direction (the side deleted on). */
    side: text('side').notNull().default(''),
    /** Migration 32: raised by each attempt that takes the phase; its records are written only while it is the taker's. */
    fence: integer('fence').notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.nodeId, t.side] })],
);

/** Migration 0021: an integration's inbound webhook: its hook id (the URL), how requests authenticate, its sealed secret. */
export const webhookEndpoints = pgTable('webhook_endpoints', {
  integrationId: text('integration_id')
    .primaryKey()
    .references(() => integrations.id, { onDelete: 'cascade' }),
  hookId: text('hook_id').notNull().unique(),
  auth: text('auth').$type<'signature' | 'token'>().notNull().default('signature'),
  /** AES-256-GCM sealed (runtime/secrets), opened only by the connection service. */
  secret: text('secret').notNull(),
  secretPrefix: text('secret_prefix').notNull(),
  createdAt: createdAt(),
  rotatedAt: timestamp('rotated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** Migration 0021: requests received and not yet written; `runId` is the run that drained the request. */
export const webhookRequests = pgTable(
  'webhook_requests',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    integrationId: text('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    runId: text('run_id').references(() => runs.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    records: integer('records').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('webhook_requests_waiting').on(t.integrationId, t.seq).where(sql`run_id IS NULL`), index('webhook_requests_run').on(t.runId, t.seq)],
);

/** Migration 0021: signatures seen in the replay window, so the same signed request is taken once. */
export const webhookReplays = pgTable(
  'webhook_replays',
  {
    integrationId: text('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    digest: text('digest').notNull(),
    seenAt: timestamp('seen_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.digest] }), index('webhook_replays_seen').on(t.seenAt)],
);

/** Two-way sync's key map: a record id of side A paired with one of B, and each side's field hashes as last synced (migration 16). */
export const twoWayPairs = pgTable(
  'two_way_pairs',
  {
    integrationId: text('integration_id').notNull(),
    nodeId: text('node_id').notNull(),
    idA: text('id_a').notNull(),
    idB: text('id_b').notNull(),
    /** Migration 25: each side's hashes by field name as compact JSON text (parsed by its reader, two-way.ts). */
    hashA: text('hash_a').notNull(),
    /** Migration 24: NULL when equal to `hash_a` (read as `hash_a`). */
    hashB: text('hash_b'),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** Migration 22: the run token of the last full read of side A (B) that met this pair's record. */
    seenA: text('seen_a'),
    seenB: text('seen_b'),
  },
  (t) => [primaryKey({ columns: [t.idA, t.integrationId, t.nodeId] }), unique('two_way_pairs_b').on(t.idB, t.integrationId, t.nodeId)],
);

/** Migration 22: side B's changes staged by a running two-way sync (encoded values), paired page by page with A's. */
export const twoWayStage = pgTable(
  'two_way_stage',
  {
    integrationId: text('integration_id').notNull(),
    nodeId: text('node_id').notNull(),
    idB: text('id_b').notNull(),
    pairA: text('pair_a'),
    matchKey: text('match_key'),
    deleted: boolean('deleted').notNull().default(false),
    updatedMs: doublePrecision('updated_ms'),
    record: text('record').notNull(),
  },
  // Migration 23: record id first (see the migration), and UNLOGGED.
  (t) => [primaryKey({ columns: [t.idB, t.integrationId, t.nodeId] })],
);

/**
 * Migration 28: rejected records staged by a run as it goes (the two-way step's held conflicts and refused writes),
 * moved into rejected_records by the pipeline's commit (runtime/store/rejected-stage.ts).
 */
export const rejectedStage = pgTable(
  'rejected_stage',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    pipelineId: text('pipeline_id').notNull(),
    key: text('key').notNull(),
    attempt: text('attempt'),
    id: text('id').notNull(),
    nodeId: text('node_id').notNull(),
    rowNumber: integer('row_number').notNull(),
    source: jsonb('source').$type<Record<string, unknown>>().notNull(),
    mapped: jsonb('mapped').$type<Record<string, unknown>>(),
    reason: text('reason').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.pipelineId, t.key] })],
);

/** Two-way sync's cursors: per side, the change time read up to by a run whose writes committed (migration 16). */
export const twoWayCursors = pgTable(
  'two_way_cursors',
  {
    integrationId: text('integration_id').notNull(),
    nodeId: text('node_id').notNull(),
    side: text('side').notNull(),
    cursor: jsonb('cursor'),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.nodeId, t.side] })],
);

/** Migration 18: member alignment (docs/members.md). */
export const members = pgTable('members', {
  id: text('id').primaryKey(),
  name: text('name').notNull().default(''),
  email: text('email'),
  /** The email trimmed and lower-cased: what users of other systems match on. */
  emailKey: text('email_key').unique(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const memberSystems = pgTable('member_systems', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  connectionId: text('connection_id').notNull(),
  source: jsonb('source').$type<MemberSource>().notNull(),
  refreshedAt: at('refreshed_at'),
  refreshError: text('refresh_error'),
  createdAt: createdAt(),
});

export const memberAccounts = pgTable(
  'member_accounts',
  {
    systemId: text('system_id')
      .notNull()
      .references(() => memberSystems.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
    email: text('email'),
    name: text('name'),
    memberId: text('member_id').references(() => members.id, { onDelete: 'set null' }),
    matchedBy: text('matched_by').$type<'email' | 'manual'>(),
    problem: text('problem'),
  },
  (t) => [primaryKey({ columns: [t.systemId, t.externalId] }), index('member_accounts_member').on(t.memberId)],
);

/** Migration 0026: OAuth authorization requests in flight, by the SHA-256 of their state; taken once by the callback. */
export const oauthStates = pgTable(
  'oauth_states',
  {
    stateHash: text('state_hash').primaryKey(),
    connectionId: text('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    /** The PKCE code verifier, sealed (runtime/secrets). */
    verifier: text('verifier').notNull(),
    redirectUri: text('redirect_uri').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('oauth_states_expires').on(t.expiresAt)],
);
