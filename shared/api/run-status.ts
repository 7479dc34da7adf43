// A run's and a step's status, their labels and the rules over them, without zod: the workflow bundle imports this module
// (every module in that bundle is evaluated again for each new workflow, issue 16) and the web app's first page shows
// the labels before the route contracts load (web/api.ts). shared/api/runs.ts builds the zod enums from these lists.

/**
 * One vocabulary for a run's status everywhere (API, store, web): `scheduled` an upcoming run of a schedule,
 * `queued` recorded and waiting for a worker, `running` in progress, then one of the terminal statuses;
 * `skipped` a scheduled run that did not start (the previous one was still going), `scheduled_deleted` an upcoming
 * run whose integration was deleted or unpublished.
 */
export const RUN_STATUSES = ['scheduled', 'queued', 'running', 'completed', 'completed_with_errors', 'failed', 'cancelled', 'skipped', 'scheduled_deleted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const STEP_STATUSES = ['pending', 'running', 'completed', 'completed_with_errors', 'failed', 'skipped', 'cancelled'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** The statuses a run ends in: nothing changes a run in one of them except a resume (from failed). */
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['completed', 'completed_with_errors', 'failed', 'cancelled', 'skipped', 'scheduled_deleted'];
export const isTerminalRun = (status: RunStatus): boolean => TERMINAL_RUN_STATUSES.includes(status);

/** The statuses a step ends in; its pipeline records nothing more on it. */
export const TERMINAL_STEP_STATUSES: readonly StepStatus[] = ['completed', 'completed_with_errors', 'failed', 'skipped', 'cancelled'];

/** A run that may still be cancelled: recorded and not yet ended. */
export const isCancellableRun = (status: RunStatus): boolean => status === 'queued' || status === 'running';
export const isTerminalStep = (status: StepStatus): boolean => TERMINAL_STEP_STATUSES.includes(status);

/** What the workflow tells the store when a step ends; counts come from the activity's batches. */
export const terminalRunStatus = (steps: readonly { status: StepStatus }[]): RunStatus => {
  if (steps.some((s) => s.status === 'failed')) return 'failed';
  if (steps.some((s) => s.status === 'completed_with_errors')) return 'completed_with_errors';
  return 'completed';
};

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
