// Sync history shapes: runs, their steps and rejected records, as stored and as served.
import { z } from 'zod';
import { nameRecord } from '../util/name-record';
import { FileCompression, FileFormat } from '../graph/kinds/file-source';

/**
 * One vocabulary for a run's status everywhere (API, store, web): `scheduled` an upcoming run of a schedule,
 * `queued` recorded and waiting for a worker, `running` in progress, then one of the terminal statuses;
 * `skipped` a scheduled run that did not start (the previous one was still going), `scheduled_deleted` an upcoming
 * run whose integration was deleted or unpublished.
 */
export const RunStatus = z.enum(['scheduled', 'queued', 'running', 'completed', 'completed_with_errors', 'failed', 'cancelled', 'skipped', 'scheduled_deleted']);
export type RunStatus = z.infer<typeof RunStatus>;

export const StepStatus = z.enum(['pending', 'running', 'completed', 'completed_with_errors', 'failed', 'skipped', 'cancelled']);
export type StepStatus = z.infer<typeof StepStatus>;

/** The statuses a run ends in: nothing changes a run in one of them except a resume (from failed). */
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['completed', 'completed_with_errors', 'failed', 'cancelled', 'skipped', 'scheduled_deleted'];
export const isTerminalRun = (status: RunStatus): boolean => TERMINAL_RUN_STATUSES.includes(status);

/** The statuses a step ends in; its pipeline records nothing more on it. */
export const TERMINAL_STEP_STATUSES: readonly StepStatus[] = ['completed', 'completed_with_errors', 'failed', 'skipped', 'cancelled'];

/** A run that may still be cancelled: recorded and not yet ended. */
export const isCancellableRun = (status: RunStatus): boolean => status === 'queued' || status === 'running';
export const isTerminalStep = (status: StepStatus): boolean => TERMINAL_STEP_STATUSES.includes(status);

export const RUN_STATUS_LABELS: Record<RunStatus, string> = {
  scheduled: 'Scheduled',
  queued: 'Queued',
  running: 'In progress',
  completed: 'Completed',
  completed_with_errors: 'Completed with errors',
  failed: 'Failed',
  cancelled: 'Cancelled',
  skipped: 'Skipped',
  scheduled_deleted: 'Scheduled but deleted',
};

export const STEP_STATUS_LABELS: Record<StepStatus, string> = {
  pending: 'Pending',
  running: 'Running',
  completed: 'Completed',
  completed_with_errors: 'Completed with errors',
  failed: 'Failed',
  skipped: 'Skipped',
  cancelled: 'Cancelled',
};

/** Who or what started a run: a person in the app, the API (an API token), a schedule, or "Run again" on an earlier run. */
export const RunTrigger = z.enum(['manual', 'api', 'schedule', 'rerun']);
export type RunTrigger = z.infer<typeof RunTrigger>;

export const Counts = z.object({
  read: z.number().int().nonnegative(),
  written: z.number().int().nonnegative(),
  created: z.number().int().nonnegative(),
  updated: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
});
export type Counts = z.infer<typeof Counts>;
export const zeroCounts = (): Counts => ({ read: 0, written: 0, created: 0, updated: 0, rejected: 0 });

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
  params: z.record(z.string(), z.unknown()),
  counts: Counts,
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  error: z.string().nullable(),
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

export const RunDetail = Run.extend({
  steps: z.array(RunStep),
  integrationName: z.string(),
  files: z.array(RunFile),
  /** For a failed run that committed batches: the first source row a resume reads (1-based); absent otherwise. */
  resumeFromRow: z.number().int().positive().optional(),
});
export type RunDetail = z.infer<typeof RunDetail>;

export const RejectedRecord = z.object({
  id: z.string(),
  runId: z.string(),
  nodeId: z.string(),
  rowNumber: z.number().int(),
  source: nameRecord(z.unknown()),
  mapped: nameRecord(z.unknown()).nullable(),
  reason: z.string(),
  createdAt: z.string(),
});
export type RejectedRecord = z.infer<typeof RejectedRecord>;

/** What the workflow tells the store when a step ends; counts come from the activity's batches. */
export const terminalRunStatus = (steps: readonly { status: StepStatus }[]): RunStatus => {
  if (steps.some((s) => s.status === 'failed')) return 'failed';
  if (steps.some((s) => s.status === 'completed_with_errors')) return 'completed_with_errors';
  return 'completed';
};
