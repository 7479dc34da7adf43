// Schedules: the cadences a person picks without writing cron, their time zone, and the one sentence that says them.
// The runtime turns a cadence into a Temporal ScheduleSpec (runtime/temporal/schedules.ts); nothing here knows Temporal.
import { z } from 'zod';

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export const Weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof Weekday>;
const WORKDAYS: readonly Weekday[] = WEEKDAYS.slice(0, 5);

/** The quick choices of "every N minutes"; any N from 1 to 1,440 is accepted. */
export const MINUTE_CHOICES = [5, 10, 15, 30, 60] as const;

export const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'A time as HH:MM, from 00:00 to 23:59');

/** A time zone Intl knows (IANA names such as Europe/Paris, and UTC). */
export function isTimeZone(name: string): boolean {
  if (!name || name.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
/**
 * The name as Temporal needs it. Intl takes time zone names in any case ("europe/paris", "utc"); Temporal reads Go's
 * time zone database, which does not, so such a name passed the check and then failed at Temporal (sched13). A name
 * that differs from Intl's own only in case is saved as Intl spells it; any other is kept as written.
 */
export function canonicalTimeZone(name: string): string {
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
  } catch {
    return name;
  }
}
export const TimeZone = z
  .string()
  .refine(isTimeZone, { message: 'Unknown time zone: use an IANA name such as Europe/Paris, America/New_York or UTC', abort: true })
  .overwrite(canonicalTimeZone);

const CalendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'A date as YYYY-MM-DD')
  .refine((d) => {
    const [y = 0, m = 0, day = 0] = d.split('-').map(Number);
    const at = new Date(Date.UTC(y, m - 1, day));
    return at.getUTCFullYear() === y && at.getUTCMonth() === m - 1 && at.getUTCDate() === day;
  }, 'No such date in the calendar');

/**
 * The deep check of a cron expression's five fields (croner), registered by shared/api/cron-check.ts: the API server
 * and the schedule dialog import it. The web app's first page parses stored schedules without it (the server checked
 * them when they were saved), which keeps croner (~8 KB gzipped) out of the first load.
 */
let fieldsCheck: ((fields: string) => string | null) | null = null;
/** Why valid fields name no date that exists (croner), or null: judged when an enabled schedule is saved (ScheduleInput). */
let datesCheck: ((fields: string) => string | null) | null = null;

export function registerCronCheck(check: (fields: string) => string | null, neverRuns?: (fields: string) => string | null): void {
  fieldsCheck = check;
  datesCheck = neverRuns ?? null;
}

/**
 * Why an enabled cron schedule would never run ("0 0 30 2 *"), or null. A save-time check like onceProblem, not part
 * of Cadence: a schedule stored before the rule is read back with Cadence, and must still load (review16a: the list
 * and the integration page answered 500 for a stored "0 0 30 2 *").
 */
export function cronNeverRunsProblem(cadence: Cadence): string | null {
  if (cadence.kind !== 'cron' || !datesCheck) return null;
  return datesCheck(cadence.expression.trim().split(/\s+/).join(' '));
}

/** Why a cron expression cannot run on Temporal, or null when it can (five fields: minute hour day month weekday). */
export function cronProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `A cron expression has five fields (minute hour day-of-month month day-of-week); this one has ${fields.length}`;
  // Temporal's cron has no L, W, # or ? (croner would accept them).
  if (/[LW#?]/i.test(expression.replace(/\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)\b/gi, ''))) {
    return 'L, W, # and ? are not supported; use the monthly cadence for "last day"';
  }
  return fieldsCheck ? fieldsCheck(fields.join(' ')) : null;
}
export const CronExpression = z
  .string()
  .trim()
  .min(1, 'Write a cron expression')
  .max(200)
  .superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/**
 * A whole number from `min` to `max` with one message: the range is checked first and stops there, so a number past
 * 2^53 gets the field's own words, not also zod's "expected int to be <= 9007199254740991".
 */
const wholeNumber = (min: number, max: number, message: string) =>
  z
    .number({ error: (iss) => (typeof iss.input === 'string' ? `${message} (a number, not the text ${JSON.stringify(iss.input.slice(0, 20))})` : message) })
    .min(min, { message, abort: true })
    .max(max, { message, abort: true })
    .int(message);

export const Cadence = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('once'), date: CalendarDate, time: ClockTime }),
  z.object({
    kind: z.literal('minutes'),
    every: z
      .number({ error: (iss) => (typeof iss.input === 'string' ? 'Every how many minutes: a number, not text' : 'Every how many minutes: a number') })
      .min(1, { message: 'At least every minute', abort: true })
      .max(1440, { message: 'At most every 1,440 minutes (a day)', abort: true })
      .int('A whole number of minutes'),
  }),
  z.object({ kind: z.literal('hourly'), minute: wholeNumber(0, 59, 'A minute from 0 to 59') }),
  z.object({ kind: z.literal('daily'), time: ClockTime }),
  z.object({ kind: z.literal('workdays'), time: ClockTime }),
  z.object({
    kind: z.literal('weekly'),
    days: z
      .array(Weekday)
      .min(1, 'Choose at least one day')
      .transform((days) => WEEKDAYS.filter((d) => days.includes(d))),
    time: ClockTime,
  }),
  z.object({ kind: z.literal('monthly'), day: z.union([wholeNumber(1, 31, 'A day from 1 to 31'), z.literal('last')], { error: 'A day from 1 to 31, or "last"' }), time: ClockTime }),
  z.object({ kind: z.literal('cron'), expression: CronExpression }),
]);
export type Cadence = z.infer<typeof Cadence>;
export type CadenceKind = Cadence['kind'];

/** "2026-12-07 15:04": the wall clock of `timeZone` at `at` (minutes), comparable as text. */
export function wallClock(timeZone: string, at: Date): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/** Temporal computes calendar times up to this year: a one-off later than it would never fire. */
export const LAST_SCHEDULE_YEAR = 2099;

/**
 * Why a one-off time can never fire, or null: it has passed in its time zone (Temporal would keep a Schedule that
 * never runs and shows no next run), or it lies past the years Temporal computes.
 */
export function onceProblem(cadence: Cadence, timeZone: string, now = new Date()): string | null {
  if (cadence?.kind !== 'once' || typeof cadence.date !== 'string' || typeof cadence.time !== 'string') return null;
  if (Number(cadence.date.slice(0, 4)) > LAST_SCHEDULE_YEAR) return `A one-off run can be scheduled up to ${LAST_SCHEDULE_YEAR}`;
  if (!isTimeZone(timeZone)) return null;
  if (`${cadence.date} ${cadence.time}` <= wallClock(timeZone, now)) return `${cadence.date} at ${cadence.time} has already passed in ${timeZone}; a one-off schedule in the past never runs`;
  // Temporal kept such a one-off with no next run and never ran it (probe21).
  if (CalendarDate.safeParse(cadence.date).success && ClockTime.safeParse(cadence.time).success && !onceInstant(cadence.date, cadence.time, timeZone)) {
    return `${cadence.time} does not exist in ${timeZone} on ${cadence.date}: the clocks go forward over it, so a one-off run then would never happen; pick a time outside the skipped hour`;
  }
  return null;
}

/**
 * The instant a one-off wall-clock time names in its zone: null when the clocks jump over it (02:30 in Europe/Paris on
 * the last Sunday of March), and the first of the two when they go back over it (01:30 in America/New_York on the first
 * Sunday of November happens at 05:30 and at 06:30 UTC). `twice` says which case. Temporal, given the wall time and the
 * zone, ran nothing in the first case and twice in the second (probe21): the schedule is given this instant instead.
 */
export function onceInstant(date: string, time: string, timeZone: string): { at: Date; twice: boolean } | null {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  const [h = 0, mi = 0] = time.split(':').map(Number);
  const asUtc = new Date(0);
  asUtc.setUTCFullYear(y, m - 1, d); // not Date.UTC, which reads years 0-99 as 1900-1999
  asUtc.setUTCHours(h, mi, 0, 0);
  const local = asUtc.getTime();
  // A zone changes its offset at most once in a day: the offsets a day either side are all the candidates.
  const offsets = new Set([-DAY_MS, -DAY_MS / 2, 0, DAY_MS / 2, DAY_MS].map((delta) => offsetMinutes(timeZone, local + delta)));
  const wanted = `${date} ${time}`;
  const hits = [...offsets]
    .map((offset) => local - offset * 60_000)
    .filter((at) => wallClock(timeZone, new Date(at)) === wanted)
    .sort((a, b) => a - b);
  return hits.length > 0 ? { at: new Date(hits[0]!), twice: hits.length > 1 } : null;
}

/** What a person saves: the cadence, its time zone, and whether it is on. */
export const ScheduleInput = z
  .object({
    cadence: Cadence,
    timeZone: TimeZone,
    /** false: "Disable scheduling" (the Temporal Schedule is paused, nothing is lost). */
    enabled: z.boolean().default(true),
    /** "Sync immediately after saving": one run now, besides the cadence. */
    runNow: z.boolean().default(false),
  })
  .superRefine((input, ctx) => {
    // Only an enabled one: a past one-off can still be saved disabled (it is kept, and says it will not run).
    const problem = input.enabled ? onceProblem(input.cadence, input.timeZone) : null;
    if (problem) ctx.addIssue({ code: 'custom', path: ['cadence', 'date'], message: problem });
    const never = input.enabled ? cronNeverRunsProblem(input.cadence) : null;
    if (never) ctx.addIssue({ code: 'custom', path: ['cadence', 'expression'], message: never });
  });
export type ScheduleInput = z.input<typeof ScheduleInput>;

/** An integration's schedule as served: what was saved, in words, and what Temporal says about it. */
export const Schedule = z.object({
  integrationId: z.string(),
  cadence: Cadence,
  timeZone: z.string(),
  enabled: z.boolean(),
  /** "Every weekday at 06:00 Europe/Paris". */
  description: z.string(),
  /** A caveat a person should read (monthly on day 31: the last day of shorter months), or null. */
  note: z.string().nullable(),
  /** The next run times, from the Temporal Schedule's describe (empty when paused or past a one-off). */
  nextRuns: z.array(z.string()),
  /** Whether Temporal holds the schedule; false means it was lost (and saving again restores it). */
  inTemporal: z.boolean(),
  /** Runs Temporal skipped because the previous one was still in progress. */
  skippedOverlap: z.number().int().nonnegative(),
  updatedAt: z.string(),
});
export type Schedule = z.infer<typeof Schedule>;

/** What the integrations list shows of a schedule. */
export const ScheduleSummary = Schedule.pick({ description: true, enabled: true, nextRuns: true, inTemporal: true });
export type ScheduleSummary = z.infer<typeof ScheduleSummary>;

/** Temporal skips a scheduled time whose previous run still goes; sync history records it with these words. */
export const SKIPPED_OVERLAP_MESSAGE = 'Skipped: the previous run was still in progress';
/** A scheduled time missed by more than this while Temporal was down is dropped, not run late (no burst after a restart). */
export const CATCH_UP_WINDOW_MINUTES = 5;

const DAY_NAMES: Record<Weekday, string> = {
  monday: 'Monday',
  tuesday: 'Tuesday',
  wednesday: 'Wednesday',
  thursday: 'Thursday',
  friday: 'Friday',
  saturday: 'Saturday',
  sunday: 'Sunday',
};
export const weekdayName = (d: Weekday) => DAY_NAMES[d];

function list(words: string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** The cadence in words, the one sentence the card, the integration page and the editor show. */
export function describeCadence(cadence: Cadence, timeZone: string): string {
  switch (cadence.kind) {
    case 'once':
      return `Once on ${cadence.date} at ${cadence.time} ${timeZone}`;
    case 'minutes':
      return cadence.every === 1 ? 'Every minute' : `Every ${cadence.every} minutes`;
    case 'hourly':
      // ":30" is the zone's: in a zone whose offset is not whole hours (Asia/Kolkata, +05:30) it is :00 in most others,
      // so the sentence names the zone there (probe21; sched13 left it). Elsewhere the minute is the same everywhere.
      return `Every hour at :${String(cadence.minute).padStart(2, '0')}${isTimeZone(timeZone) && hasPartHourOffset(timeZone) ? ` ${timeZone}` : ''}`;
    case 'daily':
      return `Every day at ${cadence.time} ${timeZone}`;
    case 'workdays':
      return `Every weekday at ${cadence.time} ${timeZone}`;
    case 'weekly': {
      const days = WEEKDAYS.filter((d) => cadence.days.includes(d));
      if (days.length === 7) return `Every day at ${cadence.time} ${timeZone}`;
      if (days.length === 5 && WORKDAYS.every((d) => days.includes(d))) return `Every weekday at ${cadence.time} ${timeZone}`;
      return `Every ${list(days.map(weekdayName))} at ${cadence.time} ${timeZone}`;
    }
    case 'monthly':
      return cadence.day === 'last'
        ? `Monthly on the last day at ${cadence.time} ${timeZone}`
        : `Monthly on day ${cadence.day} at ${cadence.time} ${timeZone}`;
    case 'cron':
      return `Cron "${cadence.expression}" ${timeZone}`;
  }
}

/** Whether the zone's offset from UTC is not a whole number of hours now or after a clock change in the coming year. */
function hasPartHourOffset(timeZone: string, now = new Date()): boolean {
  return offsetMinutes(timeZone, now.getTime()) % 60 !== 0 || clockChanges(timeZone, now).some((c) => (c.to - c.from) % 60 !== 0);
}

/** What the cadence alone says that its sentence does not, or null. */
function cadenceOnlyNote(cadence: Cadence): string | null {
  if (cadence.kind === 'monthly' && typeof cadence.day === 'number' && cadence.day >= 29) {
    const shorter = cadence.day === 31 ? 'April, June, September, November and February' : 'February';
    return `Months without a day ${cadence.day} (${shorter}) run on their last day.`;
  }
  if (cadence.kind === 'minutes' && 1440 % cadence.every !== 0 && 60 % cadence.every !== 0) {
    return `Runs every ${cadence.every} minutes counted from midnight UTC, 1 January 1970, not from the time you save.`;
  }
  return null;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
/** The zone's offset from UTC at `at`, in minutes ("GMT+05:30" → 330). */
function offsetMinutes(timeZone: string, at: number): number {
  let format = offsetFormats.get(timeZone);
  if (!format) offsetFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })));
  const name = format.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

const DAY_MS = 86_400_000;
/**
 * The daylight-saving changes of the zone in the year from `now`: when, and the local clock times skipped (forward)
 * or lived twice (back), as minutes of the local day.
 */
type ClockChange = { date: string; forward: boolean; from: number; to: number };
const changesByZoneAndDay = new Map<string, ClockChange[]>();
export function clockChanges(timeZone: string, now = new Date()): ClockChange[] {
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  // Once per zone and day (a list of schedules reads it for each): a year of days is ~370 offset reads.
  const key = `${timeZone}|${start}`;
  const known = changesByZoneAndDay.get(key);
  if (known) return known;
  if (changesByZoneAndDay.size > 500) changesByZoneAndDay.clear();
  const out: ClockChange[] = [];
  changesByZoneAndDay.set(key, out);
  let before = offsetMinutes(timeZone, start);
  for (let day = 1; day <= 366; day++) {
    const at = start + day * DAY_MS;
    const after = offsetMinutes(timeZone, at);
    if (after === before) continue;
    // The change lies in the last day: find its minute.
    let lo = at - DAY_MS;
    let hi = at;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (offsetMinutes(timeZone, mid) === before) lo = mid;
      else hi = mid;
    }
    const localBefore = hi + before * 60_000;
    const d = new Date(localBefore);
    const minuteOfDay = d.getUTCHours() * 60 + d.getUTCMinutes();
    const forward = after > before;
    const span = Math.abs(after - before);
    out.push({
      date: d.toISOString().slice(0, 10),
      forward,
      from: forward ? minuteOfDay : minuteOfDay - span,
      to: forward ? minuteOfDay + span : minuteOfDay,
    });
    before = after;
  }
  return out;
}

/**
 * A clock time in the hour a daylight-saving change skips or repeats: Temporal runs nothing on the day the clocks go
 * forward past it (a daily 02:30 in Europe/Paris misses the last Sunday of March), and may run twice on the day they go
 * back (a daily 01:30 in America/New_York ran at 05:30 and 06:30 UTC on 7 Nov 2027, on the dev server). Said, or null.
 */
export function clockChangeNote(cadence: Cadence, timeZone: string, now = new Date()): string | null {
  if (cadence.kind === 'once') {
    const once = isTimeZone(timeZone) ? onceInstant(cadence.date, cadence.time, timeZone) : null;
    return once?.twice
      ? `${cadence.time} happens twice in ${timeZone} on ${cadence.date}, when the clocks go back: it runs once, the first time (${once.at.toISOString().slice(11, 16)} UTC).`
      : null;
  }
  if (!('time' in cadence) || !isTimeZone(timeZone)) return null;
  const minute = Number(cadence.time.slice(0, 2)) * 60 + Number(cadence.time.slice(3, 5));
  const hits = clockChanges(timeZone, now).filter((c) => minute >= c.from && minute < c.to && firesOn(cadence, c.date));
  const skipped = hits.find((c) => c.forward);
  const twice = hits.find((c) => !c.forward);
  const words: string[] = [];
  if (skipped) words.push(`${cadence.time} does not exist in ${timeZone} on ${skipped.date}, when the clocks go forward: that day has no run.`);
  if (twice) words.push(`${cadence.time} happens twice in ${timeZone} on ${twice.date}, when the clocks go back: it may run twice that day.`);
  return words.length > 0 ? words.join(' ') : null;
}

/** Whether a calendar cadence has a time on `date` (YYYY-MM-DD). */
function firesOn(cadence: Cadence, date: string): boolean {
  const at = new Date(`${date}T00:00:00Z`);
  const weekday = WEEKDAYS[(at.getUTCDay() + 6) % 7]!;
  switch (cadence.kind) {
    case 'daily':
      return true;
    case 'workdays':
      return WORKDAYS.includes(weekday);
    case 'weekly':
      return cadence.days.includes(weekday);
    case 'monthly': {
      const last = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 0)).getUTCDate();
      const day = cadence.day === 'last' ? last : Math.min(cadence.day, last);
      return at.getUTCDate() === day;
    }
    default:
      return false;
  }
}

/** What a person should know about a cadence that the sentence does not say, or null. */
export function cadenceNote(cadence: Cadence, timeZone?: string, now = new Date()): string | null {
  const notes = [cadenceOnlyNote(cadence), timeZone ? clockChangeNote(cadence, timeZone, now) : null].filter((n): n is string => n !== null);
  return notes.length > 0 ? notes.join(' ') : null;
}
