// Coloured status pills for runs and steps: green done, amber partial, red failed, blue moving.
import type { RunStatus, StepStatus } from '../../shared';
import { RUN_STATUS_LABELS, STEP_STATUS_LABELS } from '../../shared/api/run-status';
import { IconAlert, IconCheck, IconClock, IconSkip, IconX, Spinner } from './icons';

type Tone = 'green' | 'amber' | 'red' | 'blue' | 'gray';

const TONE: Record<StepStatus | RunStatus, Tone> = {
  scheduled: 'gray',
  queued: 'gray',
  scheduled_deleted: 'gray',
  cancelled: 'gray',
  pending: 'gray',
  skipped: 'gray',
  running: 'blue',
  completed: 'green',
  completed_with_errors: 'amber',
  failed: 'red',
};

export const statusTone = (s: StepStatus | RunStatus): Tone => TONE[s];

export function StatusIcon({ status, size = 14 }: { status: StepStatus | RunStatus; size?: number }) {
  switch (status) {
    case 'running':
      return <Spinner size={size} />;
    case 'completed':
      return <IconCheck size={size} strokeWidth={2.5} />;
    case 'completed_with_errors':
      return <IconAlert size={size} strokeWidth={2.25} />;
    case 'failed':
      return <IconX size={size} strokeWidth={2.5} />;
    case 'skipped':
    case 'cancelled':
    case 'scheduled_deleted':
      return <IconSkip size={size} />;
    default:
      return <IconClock size={size} />;
  }
}

export function RunStatusBadge({ status, testId }: { status: RunStatus; testId?: string }) {
  return (
    <span className={`badge badge--${statusTone(status)}`} data-status={status} data-testid={testId}>
      <StatusIcon status={status} size={12} />
      {RUN_STATUS_LABELS[status]}
    </span>
  );
}

export function StepStatusBadge({ status }: { status: StepStatus }) {
  return (
    <span className={`badge badge--${statusTone(status)}`} data-status={status}>
      <StatusIcon status={status} size={12} />
      {STEP_STATUS_LABELS[status]}
    </span>
  );
}
