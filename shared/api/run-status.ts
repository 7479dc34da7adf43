// A run's and a step's statuses and their labels, without zod: the web app's first page shows them before the route
// contracts load (web/api.ts). shared/api/runs.ts builds RunStatus and StepStatus on these lists.

export const RUN_STATUSES = ['scheduled', 'queued', 'running', 'completed', 'completed_with_errors', 'failed', 'cancelled', 'skipped', 'scheduled_deleted'] as const;
type RunStatus = (typeof RUN_STATUSES)[number];

export const STEP_STATUSES = ['pending', 'running', 'completed', 'completed_with_errors', 'failed', 'skipped', 'cancelled'] as const;
type StepStatus = (typeof STEP_STATUSES)[number];

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
