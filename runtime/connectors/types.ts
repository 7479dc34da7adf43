// The connector contract: one folder per system under runtime/connectors/<id>/, each passing the
// shared contract suite (contract-suite.ts). Sources and targets of every kind reach systems only
// through this interface.
import type { Partition } from '../../shared/sync/partitions';
import type { z } from 'zod';
import type { Field, FieldType } from '../../shared/graph/field-types';
import type { AddressGuard } from '../net/address-guard';
import type { FileStorage } from '../files/storage';
import type { Store } from '../store/types';

export type Capability = 'read' | 'write' | 'incremental' | 'query' | 'discover';

export interface ConnectorManifest<C = unknown, S = unknown> {
  /** Stable id, also the folder name: 'postgres', 'mysql', 'files'. */
  id: string;
  name: string;
  /** A short icon key the web app maps to an icon. */
  icon: string;
  description: string;
  /** Non-secret settings (host, port, database, user...), shown back to the user. */
  config: z.ZodType<C>;
  /** Secret settings (password, private key...), encrypted at rest and never sent back. */
  secrets: z.ZodType<S>;
  capabilities: readonly Capability[];
  /** The write modes the connector supports (all three when absent). Files only append: ['insert']. */
  writeModes?: readonly WriteMode[];
  /** What a `query` filter is written in: SQL for databases, a Weft formula (Boolean) for files and the workspace. */
  queryLanguage?: 'sql' | 'formula';
  /** Weft's own storage (the workspace, uploaded files): usable without a saved connection, not offered as a new one. */
  builtIn?: boolean;
  /**
   * Where a connection goes over the network, for connectors that reach another host: the connection service checks
   * the host against WEFT_ALLOWED_HOSTS / WEFT_ALLOW_PRIVATE_HOSTS and passes the checked address to `open`.
   */
  endpoint?(config: C): { host: string; port: number };
  /**
   * Settings refused when a connection is saved (created, or its settings changed) but not when a saved one is opened:
   * a rule added later must not stop connections saved before it from running (their next save asks for the fix).
   */
  saveProblems?(config: C): { path: (string | number)[]; message: string }[];
  /**
   * The settings as served to people (every viewer reads them), from the stored ones: masks what a rule added later
   * refuses to save but a connection saved before it may still hold (a credential; sec16).
   */
  servedSettings?(config: Record<string, unknown>): Record<string, unknown>;
}

/** How the connection service opens a session. */
export interface OpenOptions {
  /** The address the host allowlist checked for `endpoint(config).host`: connect to it, not to a new DNS answer. */
  address?: string;
  /** The clock a formula query's TODAY()/NOW() read (a run's start, so a retried batch filters the same); Date.now by default. */
  now?: () => number;
  /**
   * Merges secrets the connector renewed (an OAuth access token, a rotated refresh token) into the stored connection,
   * sealed like the rest. Only given for a saved connection; absent while testing unsaved settings.
   */
  saveSecrets?: (patch: Record<string, string>) => Promise<void>;
  /** The outbound-address guard HTTP connectors send through (default: addressGuardFromEnv()); tests inject one. */
  guard?: AddressGuard;
}

/**
 * What a connector over Weft's own storage needs (the workspace store, the uploaded files' folder). The connection
 * service and the worker pass it to every `open`; connectors to outside systems ignore it.
 */
export interface ConnectorContext {
  store: Store;
  filesDir: string;
  /** The uploaded files' storage (WEFT_FILES_URL); absent: the folder `filesDir`. */
  files?: FileStorage;
}

export interface DiscoveredField extends Field {
  /** The system's own type name, e.g. `timestamp with time zone`. */
  nativeType: string;
  nullable: boolean;
  /**
   * The values a pick-list field allows (HubSpot enumeration options, Salesforce picklist values), with the label the
   * system shows for each: what a value map from or to this field is built on.
   */
  options?: { value: string; label: string }[];
}

export interface DiscoveredObject {
  /** What read/write take: a table name (schema-qualified where the system has schemas), a file path. */
  name: string;
  label: string;
  fields: DiscoveredField[];
  primaryKey: string[];
  /** Fields that only grow (updated_at, an id sequence): usable as an incremental cursor. */
  cursorFields: string[];
}

export type Row = Record<string, unknown>;

export type { Partition };

export interface ReadOptions {
  /** A query filter where the connector supports one: SQL `SELECT ... WHERE` for SQL systems. */
  query?: string;
  /**
   * The run's parameters, for `{{name}}` placeholders in a SQL filter: each is sent as a bind parameter, never spliced
   * into the text. Absent (a designer preview): every placeholder is bound as NULL.
   */
  queryParams?: ReadonlyMap<string, unknown>;
  /** Resume after this cursor (from a previous batch's `cursor`); null/undefined: from the start. */
  cursor?: unknown;
  /**
   * Incremental: only rows whose `field` is greater than `after`, or at least `after` with `inclusive` (the sync
   * engine's rule: records that share the high-water mark's instant are read again, never skipped; see
   * shared/sync/cursor.ts and docs/runs.md "Incremental and full syncs").
   */
  incremental?: IncrementalRead;
  batchSize: number;
  signal?: AbortSignal;
  /**
   * Issue 16, partitioned reads: only this part of the object. Key ranges (`from <= field < to`) for SQL tables whose
   * `keyRange` gave the field; byte ranges of a plain CSV/NDJSON file for Files. Other connectors refuse a part.
   */
  partition?: Partition;
  /**
   * Connector-specific read settings that win over what the connector knows of the object. Files: the node's
   * format, delimiter, hasHeader, sheet, recordsPath, zipEntry and typed columns (see docs/connectors.md).
   */
  settings?: Record<string, unknown>;
}

/** A record a source could not read (a malformed line, a value that does not fit its column), with why. */
export interface ReadRejected {
  rowNumber: number;
  /** The record as the source held it. */
  source: Row;
  reason: string;
}

export interface ReadBatch {
  rows: Row[];
  /** Opaque, JSON-serialisable; passing it back as `cursor` continues after this batch. */
  cursor: unknown;
  /**
   * Optional, for sources with records of their own numbering (files): the 1-based record number of each row,
   * the record each row was typed from (for the record inbox), and the records that could not be read. A connector
   * that sets them sets them on every batch; `rowNumbers` and `sourceRows` then have one entry per row.
   */
  rowNumbers?: number[];
  sourceRows?: Row[];
  /**
   * Optional (files): the same rows as a pipeline takes them, each with its number and the record it was typed from.
   * A batch that has them may unwrap `rows`, `rowNumbers` and `sourceRows` only when they are read.
   */
  flowRows?: { rowNumber: number; values: Row; source: Row }[];
  rejected?: ReadRejected[];
  /** The workspace: each row's record's last write time (ISO, ms), same index; the `_updated_at` cursor's values. */
  updatedAt?: string[];
  /** Files: the bytes of the stored file read so far (read-ahead included) and its size, for a run's progress bar. */
  progress?: { unit: 'bytes'; done: number; total: number };
}

/** An incremental read's condition: `field > after`, or `field >= after` when `inclusive`. */
export interface IncrementalRead {
  field: string;
  after: unknown;
  inclusive?: boolean;
}

export type WriteMode = 'insert' | 'update' | 'upsert';

export interface WriteOptions {
  mode: WriteMode;
  /** Key fields, required for update and upsert. */
  key: string[];
  /** The schema of the rows, so a target can create or check its columns. */
  fields: Field[];
  /**
   * Update mode only: what a row whose key matches no record becomes. 'reject' (the default) rejects it with a
   * reason; 'skip' answers `skipped` ("Allow new records" off: update existing matches only, count the rest).
   */
  missing?: 'reject' | 'skip';
  /**
   * Upsert and update ("Sync and refresh", issue 14): rewrite every matched record and answer `updated`, even when its
   * values equal the row's; insert never changes a record, with or without it.
   */
  rewrite?: boolean;
}

export type RecordResult =
  | { outcome: 'created' | 'updated' | 'unchanged' }
  | { outcome: 'rejected'; reason: string }
  | { outcome: 'skipped'; reason: string };

/**
 * What a table holds for a row about to be written ("Test a record", issue 14): no record with its key, or the record
 * and which of the row's fields differ from it, compared exactly as `write` compares them (after the same casts); or
 * why `write` would refuse the row before it reaches the table (a value the system cannot hold).
 */
export type RecordComparison = { state: 'missing' } | { state: 'found'; current: Row; differs: string[] } | { state: 'rejected'; reason: string };

/** The reason a `skipped` outcome carries: the row matched no record and new records are not allowed. */
export const SKIPPED_NO_MATCH = 'skipped: no match';

/** One key's outcome of `deleteRecords`: removed, or there was no such record (already gone: not an error). */
export type DeleteResult = 'deleted' | 'missing';

export interface DeleteOptions {
  /** The fields the keys are made of (the target's key), in order. */
  key: string[];
}

export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  constructor(
    /** What kind of failure, so the UI can say it in the user's words. */
    readonly code: 'auth' | 'unreachable' | 'not_found' | 'tls' | 'timeout' | 'invalid_query' | 'permission' | 'invalid_config' | 'unknown',
    message: string,
    options?: { cause?: unknown; reason?: string; suggestion?: string },
  ) {
    super(message, options);
    this.reason = options?.reason;
    this.suggestion = options?.suggestion;
  }
  /**
   * The system's own words when they say by themselves what to fix in a query (`column "stat" does not exist`): the
   * designer leads with them instead of a general sentence.
   */
  readonly reason: string | undefined;
  /** The name the system (or Weft) thinks was meant, for "did you mean state?". */
  readonly suggestion: string | undefined;
}

/** What a passed test may add: what it proved, and a warning (never a failure). */
export interface TestOutcome {
  message?: string;
  warning?: string;
}

/** An open connection to one system with one config and its secrets. */
export interface ConnectorSession {
  /**
   * Proves the credentials and reachability; throws ConnectorError with a specific, human message. May
   * answer what it proved, in the user's words (which key it unlocked), for the "Test connection" result,
   * and a warning about a connection that works but should not be used as it is (a superuser).
   */
  test(): Promise<void | string | TestOutcome>;
  discover(): Promise<DiscoveredObject[]>;
  /**
   * Roughly how many rows `object` holds, for a run's progress bar: the system's statistics (Postgres
   * pg_class.reltuples, MySQL information_schema TABLE_ROWS), counted exactly when the statistics say it is small or
   * have none; null when unknown. Never a failure: a run reads on without a total.
   */
  estimateRows?(object: string): Promise<number | null>;
  /**
   * Issue 16: the object's single-column integer primary key and its smallest and largest values (text: a bigint keeps
   * every digit), or null when it has no such key; min/max null when it is empty. Read parts by `ReadOptions.partition`.
   */
  keyRange?(object: string): Promise<{ field: string; min: string | null; max: string | null } | null>;
  read(object: string, options: ReadOptions): AsyncIterable<ReadBatch>;
  /**
   * "Create this table", for systems with tables: the CREATE TABLE for `fields` (Weft types in the system's types,
   * identifiers quoted by its rules) with `key` as the primary key; run unless `dryRun`. Throws ConnectorError
   * (invalid_config) for a name the system cannot hold and when the table exists already.
   */
  createTable?(object: string, fields: Field[], key: string[], options: { dryRun: boolean }): Promise<{ object: string; ddl: string }>;
  /**
   * HTTP connectors: "Send a test request" for an object being described (the REST connector's TestRequestInput and
   * TestRequestResult): what the server answered, secrets masked.
   */
  sendTestRequest?(input: unknown): Promise<unknown>;
  /**
   * The system's users (HubSpot owners, Salesforce users), for member alignment (docs/members.md): each with the
   * system's own id and, where it has them, an email and a name. Optional: systems without a user list of their own
   * (databases) leave it out and a person names a table instead.
   */
  listMembers?(session: ConnectorSession): AsyncIterable<{ id: string; email: string | null; name: string | null }>;
  /**
   * Read only, never writing: for each row, the record with the row's `key` values and which of `fields` differ, as
   * `write` would see them ("Test a record": create, update which fields, unchanged). In a read-only transaction, every
   * value a bind parameter. Optional: connectors without it show the values and say the target's answer is unknown.
   */
  compareRecords?(object: string, rows: Row[], options: { key: string[]; fields: Field[] }): Promise<RecordComparison[]>;
  /** One batch; one result per row, in order. A batch is atomic where the system allows. */
  write(object: string, rows: Row[], options: WriteOptions): Promise<RecordResult[]>;
  /**
   * How many sessions of this connection may write to the system at once, each a batch on its own connection (known
   * after the session's first write; default 1). The database target then writes batches side by side.
   */
  readonly concurrentWrites?: number;
  /**
   * Deletes the records whose key fields equal each row's (`rows` hold at least the key fields), in one transaction;
   * one result per row, in order. A key with no record is `missing`, never an error, so a repeated delete is safe.
   * A soft delete is a `write` in update mode of the key plus the flag field (missing: 'skip').
   */
  deleteRecords?(object: string, rows: Row[], options: DeleteOptions): Promise<DeleteResult[]>;
  /**
   * Read only: how many of `rows`' keys have a record (the delete phase counts a delete call's keys before it, so a
   * retry of a call whose outcome was lost counts exactly). Optional: SQL connectors answer it with `compareRecords`.
   */
  countRecords?(object: string, rows: Row[], options: DeleteOptions): Promise<number>;
  close(): Promise<void>;
}

/**
 * A connector whose connections can be authorized in the browser (OAuth 2.0 authorization code with PKCE): the
 * connection service keeps the state and the verifier, the connector knows the provider's addresses and token answer.
 */
export interface ConnectorOAuth<C = unknown, S = unknown> {
  /** Why this connection cannot start the flow (not the authorization-code type, no authorization URL…), or null. */
  unready(config: C): string | null;
  /** The provider's authorization URL with the request's parameters (RFC 6749 4.1.1, RFC 7636 4.3). */
  authorizeUrl(config: C, params: { state: string; codeChallenge: string; redirectUri: string }): string;
  /** Exchanges the code at the token URL through the outbound-address guard; answers the secrets to merge and who approved. */
  exchange(config: C, secrets: S, input: { code: string; redirectUri: string; verifier: string }, options: { guard?: AddressGuard }): Promise<{ secrets: Partial<S>; account: string | null }>;
}

export interface Connector<C = unknown, S = unknown> {
  manifest: ConnectorManifest<C, S>;
  open(config: C, secrets: S, context?: ConnectorContext, options?: OpenOptions): Promise<ConnectorSession>;
  oauth?: ConnectorOAuth<C, S>;
}

export const defineConnector = <C, S>(c: Connector<C, S>): Connector<C, S> => c;

/** How each system's types map to Weft's (documented in docs/connectors.md). */
export type TypeMapper = (nativeType: string) => FieldType;
