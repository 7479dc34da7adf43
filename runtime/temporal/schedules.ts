// Integration schedules as Temporal Schedules: a cadence becomes a ScheduleSpec, and Temporal fires, skips, pauses and
// keeps it (across restarts of Weft and of the dev server, whose history is in data/temporal.db). No timer of our own.
import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type CalendarSpec,
  type Client,
  type DayOfWeek,
  type Month,
  type ScheduleOptionsAction,
  type ScheduleSpec,
} from '@temporalio/client';
import { CATCH_UP_WINDOW_MINUTES, onceInstant, WEEKDAYS, type Cadence, type Weekday } from '../../shared/api/schedules';
import type { ScheduledSyncInput } from '../../workflows/scheduled-sync';
import { DEFAULT_TASK_QUEUE } from './client';

export const scheduleIdFor = (integrationId: string) => `schedule-${integrationId}`;

const DAY: Record<Weekday, DayOfWeek> = {
  monday: 'MONDAY',
  tuesday: 'TUESDAY',
  wednesday: 'WEDNESDAY',
  thursday: 'THURSDAY',
  friday: 'FRIDAY',
  saturday: 'SATURDAY',
  sunday: 'SUNDAY',
};
const MONTHS_31: Month[] = ['JANUARY', 'MARCH', 'MAY', 'JULY', 'AUGUST', 'OCTOBER', 'DECEMBER'];
const MONTHS_30: Month[] = ['APRIL', 'JUNE', 'SEPTEMBER', 'NOVEMBER'];
const MONTH_NAMES: Month[] = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'];
/** Temporal's calendar has no "last day of the month": February's is the 29th in leap years (to 2096) and the 28th otherwise. */
const LEAP_YEARS = [{ start: 2024, end: 2096, step: 4 }];
const COMMON_YEARS = [1, 2, 3].map((offset) => ({ start: 2024 + offset, end: 2099, step: 4 }));

const clock = (time: string) => ({ hour: Number(time.slice(0, 2)), minute: Number(time.slice(3, 5)) });

/** Day D of every month, or its last day in a month without a day D ("last" is D = 31). */
function monthly(day: number, at: { hour: number; minute: number }): CalendarSpec[] {
  if (day <= 28) return [{ ...at, dayOfMonth: day, month: '*' }];
  const specs: CalendarSpec[] = [{ ...at, dayOfMonth: day, month: day === 31 ? MONTHS_31 : [...MONTHS_31, ...MONTHS_30] }];
  if (day === 31) specs.push({ ...at, dayOfMonth: 30, month: MONTHS_30 });
  // February: day 29 in leap years for D >= 29, day 28 in the others.
  specs.push({ ...at, dayOfMonth: 29, month: 'FEBRUARY', year: LEAP_YEARS });
  specs.push({ ...at, dayOfMonth: 28, month: 'FEBRUARY', year: COMMON_YEARS });
  return specs;
}

/** The Temporal ScheduleSpec of a cadence in a time zone. */
export function scheduleSpec(cadence: Cadence, timeZone: string): ScheduleSpec {
  const base = { timezone: timeZone };
  switch (cadence.kind) {
    case 'once': {
      // The instant, in UTC: given the wall time and the zone, Temporal ran nothing at a time the clocks jump over and
      // ran twice at one they go back over (probe21). The first of two; one that does not exist is refused before
      // (onceProblem), and is kept as written if it reaches here (a disabled schedule saved so).
      const once = onceInstant(cadence.date, cadence.time, timeZone);
      if (once) {
        const at = once.at;
        return {
          timezone: 'UTC',
          calendars: [{ year: at.getUTCFullYear(), month: MONTH_NAMES[at.getUTCMonth()], dayOfMonth: at.getUTCDate(), hour: at.getUTCHours(), minute: at.getUTCMinutes() }],
        };
      }
      const [year, month, day] = [0, 5, 8].map((at, i) => Number(cadence.date.slice(at, i === 0 ? 4 : at + 2)));
      return { ...base, calendars: [{ ...clock(cadence.time), year, month: MONTH_NAMES[(month ?? 1) - 1], dayOfMonth: day }] };
    }
    case 'minutes':
      return { ...base, intervals: [{ every: `${cadence.every}m` }] };
    case 'hourly':
      return { ...base, calendars: [{ minute: cadence.minute, hour: '*' }] };
    case 'daily':
      return { ...base, calendars: [{ ...clock(cadence.time) }] };
    case 'workdays':
      return { ...base, calendars: [{ ...clock(cadence.time), dayOfWeek: WEEKDAYS.slice(0, 5).map((d) => DAY[d]) }] };
    case 'weekly':
      return { ...base, calendars: [{ ...clock(cadence.time), dayOfWeek: cadence.days.map((d) => DAY[d]) }] };
    case 'monthly':
      return { ...base, calendars: monthly(cadence.day === 'last' ? 31 : cadence.day, clock(cadence.time)) };
    case 'cron':
      return { ...base, cronExpressions: [cadence.expression] };
  }
}

export interface ScheduleState {
  paused: boolean;
  nextRuns: string[];
  skippedOverlap: number;
}

/** What the API needs of Temporal's schedules; tests and runtime/wiring.ts build it over a client. */
export interface ScheduleKeeper {
  /** Creates the integration's Schedule, or replaces its spec and state when it exists. */
  save(input: { integrationId: string; cadence: Cadence; timeZone: string; enabled: boolean }): Promise<void>;
  /** Deletes it; false when Temporal had none. */
  remove(integrationId: string): Promise<boolean>;
  /** What Temporal says now; null when it holds no such Schedule. */
  describe(integrationId: string): Promise<ScheduleState | null>;
  /** One run now (overlap policy SKIP, like the cadence's). */
  trigger(integrationId: string): Promise<void>;
  /** Pauses it with a note Temporal keeps (auto-disable, deactivation); false when Temporal had none. */
  pause(integrationId: string, note: string): Promise<boolean>;
}

/**
 * What Weft does with one Temporal Schedule, whatever it starts (an integration's run or a set's): create or update it
 * (overlap SKIP, a small catch-up window, paused with a note when disabled), delete, describe, trigger now. The
 * integration keeper below and the set engine (runtime/temporal/sets.ts) both use it.
 */
export function scheduleOperations(client: Client, deadlineMs?: number) {
  const bounded = <T>(fn: () => Promise<T>): Promise<T> => (deadlineMs ? client.withDeadline(Date.now() + deadlineMs, fn) : fn());
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: `${CATCH_UP_WINDOW_MINUTES} minutes` } as const;
  return {
    bounded,
    async save(scheduleId: string, input: { cadence: Cadence; timeZone: string; enabled: boolean; action: ScheduleOptionsAction }) {
      const spec = scheduleSpec(input.cadence, input.timeZone);
      const state = { paused: !input.enabled, note: input.enabled ? '' : 'Scheduling disabled in Weft' };
      try {
        await bounded(() => client.schedule.getHandle(scheduleId).update(() => ({ spec, action: input.action, policies, state })));
      } catch (err) {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
        await bounded(() => client.schedule.create({ scheduleId, spec, action: input.action, policies, state }));
      }
    },
    async remove(scheduleId: string): Promise<boolean> {
      try {
        await bounded(() => client.schedule.getHandle(scheduleId).delete());
        return true;
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) return false;
        throw err;
      }
    },
    async describe(scheduleId: string): Promise<ScheduleState | null> {
      try {
        const d = await bounded(() => client.schedule.getHandle(scheduleId).describe());
        return {
          paused: d.state.paused,
          nextRuns: d.state.paused ? [] : d.info.nextActionTimes.map((t) => t.toISOString()),
          skippedOverlap: d.info.numActionsSkippedOverlap,
        };
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) return null;
        throw err;
      }
    },
    async trigger(scheduleId: string) {
      await bounded(() => client.schedule.getHandle(scheduleId).trigger(ScheduleOverlapPolicy.SKIP));
    },
  };
}

export function createScheduleKeeper(opts: {
  client: Client;
  taskQueue?: string;
  /** Pipeline retry tuning passed to every scheduled run (tests shorten heartbeats). */
  pipeline?: ScheduledSyncInput['pipeline'];
  /** Give up on Temporal after this long, so a request never hangs while it is down. */
  deadlineMs?: number;
}): ScheduleKeeper {
  const { client } = opts;
  const taskQueue = opts.taskQueue ?? DEFAULT_TASK_QUEUE;
  const ops = scheduleOperations(client, opts.deadlineMs);
  const { bounded } = ops;
  const action = (integrationId: string): ScheduleOptionsAction => ({
    type: 'startWorkflow',
    workflowType: 'scheduledSync',
    // Temporal appends the scheduled time to this id, one workflow per firing.
    workflowId: `scheduled-${integrationId}`,
    taskQueue,
    args: [{ integrationId, ...(opts.pipeline && { pipeline: opts.pipeline }) } satisfies ScheduledSyncInput],
  });

  return {
    async save({ integrationId, cadence, timeZone, enabled }) {
      await ops.save(scheduleIdFor(integrationId), { cadence, timeZone, enabled, action: action(integrationId) });
    },
    remove: (integrationId) => ops.remove(scheduleIdFor(integrationId)),
    describe: (integrationId) => ops.describe(scheduleIdFor(integrationId)),
    trigger: (integrationId) => ops.trigger(scheduleIdFor(integrationId)),
    async pause(integrationId, why) {
      try {
        await bounded(() => client.schedule.getHandle(scheduleIdFor(integrationId)).pause(why));
        return true;
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) return false;
        throw err;
      }
    },
  };
}
