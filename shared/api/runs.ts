// Sync history shapes: runs, their steps and rejected records, as stored and as served.
import { z } from 'zod';

export const RunStatus = z.enum(['scheduled', 'running', 'completed', 'completed_with_errors', 'failed']);
export type RunStatus = z.infer<typeof RunStatus>;

export const StepStatus = z.enum(['pending', 'running', 'completed', 'completed_with_errors', 'failed', 'skipped']);
export type StepStatus = z.infer<typeof StepStatus>;

export const RUN_STATUS_LABELS: Record<RunStatus, string> = {
  scheduled: 'Scheduled',
  running: 'In progress',
  completed: 'Completed',
  completed_with_errors: 'Completed with errors',
  failed: 'Failed',
};

export const STEP_STATUS_LABELS: Record<StepStatus, string> = {
  pending: 'Pending',
  running: 'Running',
  completed: 'Completed',
  completed_with_errors: 'Completed with errors',
  failed: 'Failed',
  skipped: 'Skipped',
};

export const RunTrigger = z.enum(['manual', 'api', 'schedule']);
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

export const RunStep = z.object({
  nodeId: z.string(),
  kind: z.string(),
  label: z.string(),
  status: StepStatus,
  counts: Counts,
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type RunStep = z.infer<typeof RunStep>;

export const Run = z.object({
  id: z.string(),
  integrationId: z.string(),
  versionId: z.string(),
  versionNumber: z.number().int(),
  status: RunStatus,
  trigger: RunTrigger,
  params: z.record(z.string(), z.unknown()),
  counts: Counts,
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type Run = z.infer<typeof Run>;

export const RunDetail = Run.extend({ steps: z.array(RunStep), integrationName: z.string() });
export type RunDetail = z.infer<typeof RunDetail>;

export const RejectedRecord = z.object({
  id: z.string(),
  runId: z.string(),
  nodeId: z.string(),
  rowNumber: z.number().int(),
  source: z.record(z.string(), z.unknown()),
  mapped: z.record(z.string(), z.unknown()).nullable(),
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
