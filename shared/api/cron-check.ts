// The deep cron check (croner) for shared/api/schedules.ts's cronProblem. Installed by the API server
// (runtime/api/app.ts) and by the schedule dialog, not by the web app's first page (see registerCronCheck). An explicit
// call, not an import for its side effect: the web build treats shared/ modules as free of side effects.
import { Cron } from 'croner';
import { registerCronCheck } from './schedules';

export function checkCronFields(fields: string): string | null {
  try {
    new Cron(fields, { paused: true });
    return null;
  } catch (err) {
    return `Not a valid cron expression: ${(err instanceof Error ? err.message : String(err)).replace(/^CronPattern: /, '')}`;
  }
}

/**
 * A pattern of dates no calendar has ("0 0 30 2 *", 31 April) was saved, and Temporal kept a schedule that never runs
 * and shows no next time (probe21): refused like a one-off in the past, when an enabled schedule is saved (not in
 * Cadence, which also reads schedules stored before the rule: review16a).
 */
export function cronNeverRuns(fields: string): string | null {
  try {
    return new Cron(fields, { paused: true }).nextRun() ? null : 'This cron expression names no date that exists (such as 30 February or 31 April): it would never run';
  } catch {
    return null; // checkCronFields says what is wrong
  }
}

export function installCronCheck(): void {
  registerCronCheck(checkCronFields, cronNeverRuns);
}
