// Sync history shapes: runs, their steps and rejected records, as stored and as served.
import { z } from 'zod';
import { RunSync } from '../sync/options';
import { nameRecord } from '../util/name-record';
import { FileCompression, FileFormat } from '../graph/kinds/file-source';
import { RUN_STATUSES, STEP_STATUSES } from './run-status';

export { RUN_STATUS_LABELS, STEP_STATUS_LABELS } from './run-status';
export { isCancellableRun, isTerminalRun, isTerminalStep, terminalRunStatus, TERMINAL_RUN_STATUSES, TERMINAL_STEP_STATUSES } from './run-status';

/** A run's status (the vocabulary, its labels and its rules live in ./run-status, which the workflow bundle and the web
 * app's first page import without zod). */
export const RunStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatus>;

export const StepStatus = z.enum(STEP_STATUSES);
export type StepStatus = z.infer<typeof StepStatus>;


/**
 * Who or what started a run: a person in the app, the API (an API token), a schedule, "Run again" on an earlier run,
 * "Resubmit" in the record inbox (a run over exactly the resubmitted records), or an integration set (its parent workflow).
 */
export const RunTrigger = z.enum(['manual', 'api', 'schedule', 'rerun', 'resubmit', 'set', 'webhook']);
export type RunTrigger = z.infer<typeof RunTrigger>;

export const Counts = z.object({
  read: z.number().int().nonnegative(),
  written: z.number().int().nonnegative(),
  created: z.number().int().nonnegative(),
  updated: z.number().int().nonnegative(),
  /** Written with the values the target already held: written = created + updated + unchanged (targets only). */
  unchanged: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  /** Targets: rows not written because they matched no record and the target does not allow new records (issue 14); absent when 0. */
  skipped: z.number().int().nonnegative().optional(),
  /** Targets: records deleted or soft-deleted by the run (issue 14); absent when 0. */
  deleted: z.number().int().nonnegative().optional(),
});
export type Counts = z.infer<typeof Counts>;
export const zeroCounts = (): Counts => ({ read: 0, written: 0, created: 0, updated: 0, unchanged: 0, rejected: 0 });

/** A step riding out an outage of the system it reads or writes: what it waits for and when it tries again. */
export const StepWaiting = z.object({
  /** What is unreachable, in words: "Postgres at 127.0.0.1:5432". */
  system: z.string(),
  /** The try that comes next; the try that failed first is attempt 1. */
  attempt: z.number().int().positive(),
  /** When the outage began (the first failed try). */
  since: z.string(),
  nextTryAt: z.string(),
  /** When the step gives up and fails if the system is still unreachable. */
  until: z.string(),
  /** What the last try said. */
  error: z.string(),
});
export type StepWaiting = z.infer<typeof StepWaiting>;

/** "Waiting for Postgres at 127.0.0.1:5432 — attempt 4, next try in 32 s". */
export function waitingMessage(w: StepWaiting, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((Date.parse(w.nextTryAt) - now) / 1000));
  const next = seconds === 0 ? 'trying now' : `next try in ${seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`}`;
  return `Waiting for ${w.system} — attempt ${w.attempt}, ${next}`;
}

/**
 * How far a source is through what it reads, when the total is known: bytes of a file read against its size
 * (`done` given), or a table's estimated row count (`done` is the step's rows read). Drives the run page's bar.
 */
export const StepProgress = z.object({
  unit: z.enum(['bytes', 'rows']),
  total: z.number().positive(),
  done: z.number().nonnegative().optional(),
});
export type StepProgress = z.infer<typeof StepProgress>;

export const RunStep = z.object({
  nodeId: z.string(),
  kind: z.string(),
  label: z.string(),
  status: StepStatus,
  counts: Counts,
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  error: z.string().nullable(),
  /** Present while the step waits for an unreachable system. */
  waiting: StepWaiting.optional(),
  /** A source's progress against a known total (file size, row estimate); absent when the total is unknown. */
  progress: StepProgress.optional(),
});
export type RunStep = z.infer<typeof RunStep>;

export const Run = z.object({
  id: z.string(),
  integrationId: z.string(),
  versionId: z.string(),
  versionNumber: z.number().int(),
  status: RunStatus,
  trigger: RunTrigger,
  /** What the person called the run ("Manual run, 6 Dec 2026 01:40"); '' for runs recorded before names existed. */
  name: z.string(),
  /** The person (their name, else email) or API token (`token:<name>`) that started it; null for a schedule. */
  startedBy: z.string().nullable(),
  /** The run this one runs again with the same settings ("Run again"); null otherwise. */
  rerunOf: z.string().nullable(),
  /** The set run this run is a member of (its startedBy is the set's name); null when no set started it. */
  setRunId: z.string().nullable(),
  params: z.record(z.string(), z.unknown()),
  counts: Counts,
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  error: z.string().nullable(),
  /** Issue 14: how the run synced (full or incremental per source, deletes applied or held back); absent for runs with no source that can sync. */
  sync: RunSync.optional(),
  /** A webhook run (trigger `webhook`): how many inbound requests it drained. */
  webhookRequests: z.number().int().nonnegative().optional(),
});
export type Run = z.infer<typeof Run>;

/** A file a run read: the published one, or the replacement given for that file source when the run started. */
export const RunFile = z.object({
  nodeId: z.string(),
  nodeLabel: z.string(),
  fileId: z.string(),
  name: z.string(),
  size: z.number().int().nonnegative(),
  format: FileFormat,
  compression: FileCompression,
  /** True when this file replaced the published one for this run only. */
  replaced: z.boolean(),
});
export type RunFile = z.infer<typeof RunFile>;

/** A file source of the published version: what a run reads unless told otherwise, and the columns a replacement needs. */
export const RunFileSource = z.object({
  nodeId: z.string(),
  nodeLabel: z.string(),
  /** Every column the node reads, by name: a replacement must have them all (in any order, with extras). */
  columns: z.array(z.string()),
  /** The published file; null when it is no longer stored. */
  file: z.object({ id: z.string(), name: z.string(), size: z.number().int().nonnegative(), format: FileFormat, compression: FileCompression }).nullable(),
});
export type RunFileSource = z.infer<typeof RunFileSource>;

/** Replacements when starting a run: file source node id -> uploaded file id. */
export const RunFilesInput = z
  .record(z.string().min(1, 'Name the file source node'), z.string().min(1, 'Give the id of an uploaded file'))
  .default({})
  .meta({ description: 'Replace file sources\' files for this run only: { "<node id>": "<file id>" }' });

/** A run in the sync history: its summary plus the files it read (empty when it read none). */
export const RunListItem = Run.extend({ files: z.array(RunFile) });
export type RunListItem = z.infer<typeof RunListItem>;

export const RunDetail = Run.extend({
  steps: z.array(RunStep),
  integrationName: z.string(),
  files: z.array(RunFile),
  /** For a failed run that committed batches: the first source row a resume reads (1-based); absent otherwise. */
  resumeFromRow: z.number().int().positive().optional(),
  /** A resubmit run: the runs whose rejected records it resubmitted (oldest first). */
  resubmitOf: z.array(z.string()).optional(),
});
export type RunDetail = z.infer<typeof RunDetail>;

export const RejectedRecord = z.object({
  id: z.string(),
  runId: z.string(),
  nodeId: z.string(),
  rowNumber: z.number().int(),
  /**
   * Where a spreadsheet user finds the row in the file the run read: the sheet row or line, header counted
   * (row 1 of a CSV with a header is line 2). Absent when the source is not a file, or a JSON array.
   */
  line: z.number().int().positive().optional(),
  source: nameRecord(z.unknown()),
  mapped: nameRecord(z.unknown()).nullable(),
  reason: z.string(),
  createdAt: z.string(),
});
export type RejectedRecord = z.infer<typeof RejectedRecord>;

/** How a file source's record numbers (1-based, header not counted) become the line a person finds in the file. */
export interface FileLineSource {
  kind: string;
  config: Record<string, unknown>;
}

/**
 * The line (or sheet row) of record `rowNumber` in the file a source read, header counted, as a spreadsheet shows
 * it; undefined for a source that is not a file, or a JSON array (records, not lines). A CSV with quoted line breaks
 * counts records, as a spreadsheet's rows do.
 */
export function fileLine(source: FileLineSource, rowNumber: number): number | undefined {
  if (source.kind !== 'csv-source' || rowNumber < 1) return undefined;
  const format = typeof source.config.format === 'string' ? source.config.format : 'csv';
  if (format === 'excel') return rowNumber + 1;
  if (format === 'ndjson') return rowNumber;
  if (format === 'csv') return rowNumber + (source.config.hasHeader === false ? 0 : 1);
  return undefined;
}

/**
 * What the targets did, in words, zeros left out: "3,400 unchanged", "12 created, 3 updated, 3,385 unchanged, 2
 * rejected". "Nothing written" when no target wrote or rejected anything.
 */
export function outcomeSummary(c: Pick<Counts, 'created' | 'updated' | 'unchanged' | 'rejected'>): string {
  const n = new Intl.NumberFormat('en');
  const parts = (['created', 'updated', 'unchanged', 'rejected'] as const).filter((k) => c[k] > 0).map((k) => `${n.format(c[k])} ${k}`);
  return parts.length > 0 ? parts.join(', ') : 'Nothing written';
}

/**
 * How many rows a running run will read, when that is known: the rows an earlier finished run (completed, with or
 * without errors) read from exactly the same files. Null for a run that reads no file or new files.
 */
export function expectedRows(run: Pick<RunListItem, 'id' | 'files'>, earlier: readonly Pick<RunListItem, 'id' | 'status' | 'files' | 'counts'>[]): number | null {
  if (run.files.length === 0) return null;
  const key = (files: readonly Pick<RunFile, 'nodeId' | 'fileId'>[]) => files.map((f) => `${f.nodeId}=${f.fileId}`).sort().join('\n');
  const same = earlier.find((r) => r.id !== run.id && (r.status === 'completed' || r.status === 'completed_with_errors') && key(r.files) === key(run.files));
  return same && same.counts.read > 0 ? same.counts.read : null;
}

/** Progress of a running run against a known total: fraction done (0..1) and seconds left at the rate so far. */
export function runProgress(read: number, total: number, rowsPerSecond: number | null): { fraction: number; secondsLeft: number | null } {
  const fraction = Math.min(1, Math.max(0, read / total));
  const secondsLeft = rowsPerSecond && rowsPerSecond > 0 ? Math.max(0, (total - read) / rowsPerSecond) : null;
  return { fraction, secondsLeft };
}
