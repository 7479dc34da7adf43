import { describe, expect, it } from 'vitest';
import { installCronCheck } from './cron-check';
import { Cadence, cadenceNote, canonicalTimeZone, clockChanges, cronProblem, describeCadence, isTimeZone, onceInstant, onceProblem, ScheduleInput, wallClock } from './schedules';

installCronCheck();
const c = (v: unknown) => Cadence.parse(v);

describe('describeCadence', () => {
  it.each([
    [{ kind: 'once', date: '2027-01-15', time: '09:30' }, 'Once on 2027-01-15 at 09:30 Europe/Paris'],
    [{ kind: 'minutes', every: 1 }, 'Every minute'],
    [{ kind: 'minutes', every: 15 }, 'Every 15 minutes'],
    [{ kind: 'hourly', minute: 5 }, 'Every hour at :05'],
    [{ kind: 'daily', time: '23:59' }, 'Every day at 23:59 Europe/Paris'],
    [{ kind: 'workdays', time: '06:00' }, 'Every weekday at 06:00 Europe/Paris'],
    [{ kind: 'weekly', days: ['friday', 'monday', 'wednesday'], time: '07:15' }, 'Every Monday, Wednesday and Friday at 07:15 Europe/Paris'],
    [{ kind: 'weekly', days: ['sunday'], time: '07:15' }, 'Every Sunday at 07:15 Europe/Paris'],
    [{ kind: 'weekly', days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], time: '06:00' }, 'Every weekday at 06:00 Europe/Paris'],
    [{ kind: 'monthly', day: 1, time: '00:00' }, 'Monthly on day 1 at 00:00 Europe/Paris'],
    [{ kind: 'monthly', day: 'last', time: '18:00' }, 'Monthly on the last day at 18:00 Europe/Paris'],
    [{ kind: 'cron', expression: '0 6 * * 1-5' }, 'Cron "0 6 * * 1-5" Europe/Paris'],
  ])('%j', (cadence, words) => {
    expect(describeCadence(c(cadence), 'Europe/Paris')).toBe(words);
  });
  it('names the zone of an hourly minute where the zone is not whole hours from UTC (probe21)', () => {
    // :30 in Asia/Kolkata is :00 in Paris or London: the sentence said only ":30".
    expect(describeCadence(c({ kind: 'hourly', minute: 30 }), 'Asia/Kolkata')).toBe('Every hour at :30 Asia/Kolkata');
    expect(describeCadence(c({ kind: 'hourly', minute: 0 }), 'Asia/Kathmandu')).toBe('Every hour at :00 Asia/Kathmandu');
    // Lord Howe moves its clocks by half an hour.
    expect(describeCadence(c({ kind: 'hourly', minute: 0 }), 'Australia/Lord_Howe')).toBe('Every hour at :00 Australia/Lord_Howe');
    expect(describeCadence(c({ kind: 'hourly', minute: 30 }), 'America/New_York')).toBe('Every hour at :30');
    expect(describeCadence(c({ kind: 'hourly', minute: 30 }), 'UTC')).toBe('Every hour at :30');
  });
});

describe('cadenceNote', () => {
  it('says where day 31 runs in shorter months, and says nothing for day 28', () => {
    expect(cadenceNote(c({ kind: 'monthly', day: 31, time: '06:00' }))).toBe('Months without a day 31 (April, June, September, November and February) run on their last day.');
    expect(cadenceNote(c({ kind: 'monthly', day: 30, time: '06:00' }))).toBe('Months without a day 30 (February) run on their last day.');
    expect(cadenceNote(c({ kind: 'monthly', day: 28, time: '06:00' }))).toBeNull();
    expect(cadenceNote(c({ kind: 'minutes', every: 15 }))).toBeNull();
    expect(cadenceNote(c({ kind: 'minutes', every: 7 }))).toMatch(/counted from midnight UTC/);
  });
});

describe('validation names the field at fault', () => {
  const issues = (v: unknown) => {
    const r = ScheduleInput.safeParse(v);
    return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
  };
  it('refuses an unknown time zone and accepts IANA names', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(issues({ cadence: { kind: 'daily', time: '06:00' }, timeZone: 'Mars/Olympus' })).toEqual([['timeZone', expect.stringMatching(/^Unknown time zone/)]]);
  });
  it('refuses a cron that does not parse, with why', () => {
    expect(cronProblem('0 6 * * 1-5')).toBeNull();
    expect(cronProblem('*/5 * * * *')).toBeNull();
    expect(cronProblem('61 * * * *')).toMatch(/minute/);
    expect(cronProblem('0 6 * *')).toMatch(/five fields .* has 4/);
    expect(cronProblem('0 0 L * *')).toMatch(/not supported/);
    // Dates no calendar has: Temporal kept the schedule with no next time and never ran it (probe21). Refused when an
    // enabled schedule is saved; Cadence itself still reads one (a schedule stored before the rule loads: review16a).
    const never = 'This cron expression names no date that exists (such as 30 February or 31 April): it would never run';
    expect(issues({ cadence: { kind: 'cron', expression: '0 0 30 2 *' }, timeZone: 'UTC' })).toEqual([['cadence.expression', never]]);
    expect(issues({ cadence: { kind: 'cron', expression: ' 0 0  31 4,6 * ' }, timeZone: 'UTC' })).toEqual([['cadence.expression', never]]);
    expect(issues({ cadence: { kind: 'cron', expression: '0 0 30 2 *' }, timeZone: 'UTC', enabled: false })).toEqual([]);
    expect(cronProblem('0 0 30 2 *')).toBeNull();
    expect(Cadence.safeParse({ kind: 'cron', expression: '0 0 30 2 *' }).success).toBe(true);
    // Leap years only, and months with a 31st: they run.
    expect(issues({ cadence: { kind: 'cron', expression: '0 0 29 2 *' }, timeZone: 'UTC' })).toEqual([]);
    expect(issues({ cadence: { kind: 'cron', expression: '0 0 31 * *' }, timeZone: 'Australia/Lord_Howe' })).toEqual([]);
    expect(issues({ cadence: { kind: 'cron', expression: '0 0 30 2 1' }, timeZone: 'UTC' })).toEqual([]);
    expect(issues({ cadence: { kind: 'cron', expression: 'every day' }, timeZone: 'UTC' })).toEqual([['cadence.expression', expect.stringMatching(/five fields/)]]);
  });
  it('refuses times, days and dates that do not exist', () => {
    expect(issues({ cadence: { kind: 'daily', time: '24:00' }, timeZone: 'UTC' })[0]?.[0]).toBe('cadence.time');
    expect(issues({ cadence: { kind: 'monthly', day: 32, time: '06:00' }, timeZone: 'UTC' })[0]?.[0]).toBe('cadence.day');
    expect(issues({ cadence: { kind: 'weekly', days: [], time: '06:00' }, timeZone: 'UTC' })).toEqual([['cadence.days', 'Choose at least one day']]);
    expect(issues({ cadence: { kind: 'once', date: '2027-02-30', time: '06:00' }, timeZone: 'UTC' })).toEqual([['cadence.date', 'No such date in the calendar']]);
    expect(issues({ cadence: { kind: 'minutes', every: 0 }, timeZone: 'UTC' })[0]?.[0]).toBe('cadence.every');
  });
  it('defaults to enabled, without a run now; weekly days come back in week order', () => {
    const parsed = ScheduleInput.parse({ cadence: { kind: 'weekly', days: ['friday', 'monday'], time: '06:00' }, timeZone: 'UTC' });
    expect(parsed).toEqual({ cadence: { kind: 'weekly', days: ['monday', 'friday'], time: '06:00' }, timeZone: 'UTC', enabled: true, runNow: false });
  });
});

describe('a one-off time that can never fire (sched13)', () => {
  // Temporal keeps a Schedule whose only time has passed: it never runs and shows no next run, and the API said 200.
  const now = new Date('2026-12-07T15:00:00Z');
  const once = (date: string, time: string) => c({ kind: 'once', date, time });
  it('is past in its own time zone, not in UTC', () => {
    // 15:30 in Paris is 14:30 UTC: already past at 15:00 UTC; 15:30 UTC is still to come.
    expect(onceProblem(once('2026-12-07', '15:30'), 'Europe/Paris', now)).toBe('2026-12-07 at 15:30 has already passed in Europe/Paris; a one-off schedule in the past never runs');
    expect(onceProblem(once('2026-12-07', '15:30'), 'UTC', now)).toBeNull();
    expect(onceProblem(once('2026-12-07', '15:00'), 'UTC', now)).toMatch(/already passed/);
    expect(onceProblem(once('2020-01-01', '06:00'), 'America/New_York', now)).toMatch(/already passed/);
    expect(onceProblem(c({ kind: 'daily', time: '06:00' }), 'UTC', now)).toBeNull();
  });
  it('lies past the years Temporal computes', () => {
    expect(onceProblem(once('2099-12-31', '23:59'), 'UTC', now)).toBeNull();
    expect(onceProblem(once('2100-01-01', '00:00'), 'UTC', now)).toBe('A one-off run can be scheduled up to 2099');
    expect(onceProblem(once('9999-12-31', '06:00'), 'UTC', now)).toBe('A one-off run can be scheduled up to 2099');
  });
  it('is refused at cadence.date when enabled, and may be saved disabled', () => {
    const input = { cadence: { kind: 'once', date: '2020-01-01', time: '06:00' }, timeZone: 'UTC' };
    expect(ScheduleInput.safeParse(input).error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['cadence.date', '2020-01-01 at 06:00 has already passed in UTC; a one-off schedule in the past never runs']]);
    expect(ScheduleInput.safeParse({ ...input, enabled: false }).success).toBe(true);
  });
  it('does not exist in its zone: the clocks go forward over it (probe21: saved, no next run, never ran)', () => {
    expect(onceProblem(once('2027-03-28', '02:30'), 'Europe/Paris', now)).toBe(
      '02:30 does not exist in Europe/Paris on 2027-03-28: the clocks go forward over it, so a one-off run then would never happen; pick a time outside the skipped hour',
    );
    expect(onceProblem(once('2027-03-14', '02:00'), 'America/New_York', now)).toMatch(/^02:00 does not exist/);
    expect(onceProblem(once('2027-03-28', '03:00'), 'Europe/Paris', now)).toBeNull();
    expect(onceProblem(once('2027-03-28', '01:59'), 'Europe/Paris', now)).toBeNull();
    expect(ScheduleInput.safeParse({ cadence: { kind: 'once', date: '2027-03-28', time: '02:30' }, timeZone: 'Europe/Paris' }).error?.issues[0]?.path).toEqual(['cadence', 'date']);
  });
  it('is lived twice: the first one, said in the note (probe21: Temporal ran it twice)', () => {
    expect(onceInstant('2027-11-07', '01:30', 'America/New_York')).toEqual({ at: new Date('2027-11-07T05:30:00Z'), twice: true });
    expect(onceInstant('2027-11-07', '02:30', 'America/New_York')).toEqual({ at: new Date('2027-11-07T07:30:00Z'), twice: false });
    expect(onceInstant('2027-03-28', '02:30', 'Europe/Paris')).toBeNull();
    expect(onceInstant('2027-06-01', '00:00', 'Pacific/Kiritimati')).toEqual({ at: new Date('2027-05-31T10:00:00Z'), twice: false });
    expect(cadenceNote(once('2027-11-07', '01:30'), 'America/New_York', now)).toBe('01:30 happens twice in America/New_York on 2027-11-07, when the clocks go back: it runs once, the first time (05:30 UTC).');
    expect(cadenceNote(once('2027-11-08', '01:30'), 'America/New_York', now)).toBeNull();
  });
  it('reads the wall clock of a zone as text that compares in order', () => {
    expect(wallClock('Asia/Kolkata', now)).toBe('2026-12-07 20:30');
    expect(wallClock('Pacific/Kiritimati', now)).toBe('2026-12-08 05:00');
    expect(wallClock('UTC', new Date('2026-12-07T23:59:59Z'))).toBe('2026-12-07 23:59');
  });
});

describe('time zone names Temporal reads (sched13)', () => {
  it('saves a name written in another case as Intl spells it, and keeps other names as written', () => {
    expect(canonicalTimeZone('europe/paris')).toBe('Europe/Paris');
    expect(canonicalTimeZone('AMERICA/NEW_YORK')).toBe('America/New_York');
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('Europe/Paris')).toBe('Europe/Paris');
    // Aliases stay as written (Temporal knows them): only the case is mended.
    expect(canonicalTimeZone('US/Pacific')).toBe('US/Pacific');
    expect(canonicalTimeZone('Europe/Kyiv')).toBe('Europe/Kyiv');
    expect(ScheduleInput.parse({ cadence: { kind: 'daily', time: '06:00' }, timeZone: 'europe/paris' }).timeZone).toBe('Europe/Paris');
  });
});

describe('clock changes (sched13: Temporal skips a time the clocks jump over, and may run twice one they repeat)', () => {
  const now = new Date('2026-12-07T15:00:00Z');
  it('finds the changes of the coming year and the local times they skip or repeat', () => {
    expect(clockChanges('Europe/Paris', now)).toEqual([
      { date: '2027-03-28', forward: true, from: 120, to: 180 },
      { date: '2027-10-31', forward: false, from: 120, to: 180 },
    ]);
    expect(clockChanges('America/New_York', now)).toEqual([
      { date: '2027-03-14', forward: true, from: 120, to: 180 },
      { date: '2027-11-07', forward: false, from: 60, to: 120 },
    ]);
    expect(clockChanges('Asia/Kolkata', now)).toEqual([]);
    expect(clockChanges('UTC', now)).toEqual([]);
  });
  it('says so for a time in the skipped or repeated hour, and nothing for other times or zones', () => {
    const daily = (time: string) => c({ kind: 'daily', time });
    expect(cadenceNote(daily('02:30'), 'Europe/Paris', now)).toBe(
      '02:30 does not exist in Europe/Paris on 2027-03-28, when the clocks go forward: that day has no run. 02:30 happens twice in Europe/Paris on 2027-10-31, when the clocks go back: it may run twice that day.',
    );
    expect(cadenceNote(daily('01:30'), 'America/New_York', now)).toBe('01:30 happens twice in America/New_York on 2027-11-07, when the clocks go back: it may run twice that day.');
    expect(cadenceNote(c({ kind: 'weekly', days: ['sunday'], time: '02:00' }), 'America/New_York', now)).toMatch(/^02:00 does not exist in America\/New_York on 2027-03-14/);
    // Only cadences with a time on the day of the change (both changes fall on a Sunday here).
    expect(cadenceNote(c({ kind: 'workdays', time: '02:00' }), 'America/New_York', now)).toBeNull();
    expect(cadenceNote(c({ kind: 'monthly', day: 28, time: '02:15' }), 'Europe/Paris', now)).toMatch(/^02:15 does not exist in Europe\/Paris on 2027-03-28/);
    expect(cadenceNote(c({ kind: 'monthly', day: 'last', time: '02:15' }), 'Europe/Paris', now)).toMatch(/^02:15 happens twice in Europe\/Paris on 2027-10-31/);
    expect(cadenceNote(daily('03:00'), 'Europe/Paris', now)).toBeNull();
    expect(cadenceNote(daily('02:30'), 'Asia/Kolkata', now)).toBeNull();
    expect(cadenceNote(c({ kind: 'hourly', minute: 30 }), 'Europe/Paris', now)).toBeNull();
    // Both notes when both apply.
    expect(cadenceNote(c({ kind: 'monthly', day: 31, time: '02:15' }), 'Europe/Paris', now)).toBe(
      'Months without a day 31 (April, June, September, November and February) run on their last day. 02:15 happens twice in Europe/Paris on 2027-10-31, when the clocks go back: it may run twice that day.',
    );
  });
});
