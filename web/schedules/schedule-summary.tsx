// What a schedule looks like wherever it is shown: its cadence in words and the next run (from Temporal's describe).
import type { Schedule } from '../../shared';
import { IconClock } from '../components/icons';
import { relativeTime } from '../lib/format';

/** "Mon 7 Dec, 06:00" in the schedule's own time zone (the zone the sentence names). */
export function formatInZone(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

type Shown = Pick<Schedule, 'description' | 'enabled' | 'nextRuns' | 'inTemporal' | 'timeZone'>;

export function nextRunText(schedule: Shown, now: number): string {
  if (!schedule.inTemporal) return 'Not in the engine: save the schedule again';
  if (!schedule.enabled) return 'Scheduling disabled';
  const next = schedule.nextRuns[0];
  if (!next) return 'No upcoming run';
  return `Next run ${formatInZone(next, schedule.timeZone)} (${relativeTime(next, now)})`;
}

export function ScheduleSummary({ schedule, now, onEdit, canEdit }: { schedule: Shown | null; now: number; onEdit?: () => void; canEdit: boolean }) {
  if (!schedule) {
    return (
      <div className="schedule-summary is-empty" data-testid="schedule-summary">
        <IconClock size={14} />
        <span className="muted">Not scheduled</span>
        {canEdit && onEdit ? (
          <button type="button" className="link-btn" onClick={onEdit} data-testid="schedule-edit">
            Add a schedule
          </button>
        ) : null}
      </div>
    );
  }
  return (
    <div className={`schedule-summary${schedule.enabled ? '' : ' is-off'}`} data-testid="schedule-summary">
      <IconClock size={14} />
      <div className="schedule-summary__text">
        <span className="schedule-summary__words" data-testid="schedule-words">
          {schedule.description}
        </span>
        <span className="muted small" data-testid="schedule-next" title={schedule.nextRuns[0] ?? undefined}>
          {nextRunText(schedule, now)}
        </span>
      </div>
      {canEdit && onEdit ? (
        <button type="button" className="link-btn" onClick={onEdit} data-testid="schedule-edit">
          Edit
        </button>
      ) : null}
    </div>
  );
}
