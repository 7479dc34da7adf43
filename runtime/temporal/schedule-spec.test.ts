// The cadence -> Temporal ScheduleSpec conversion, checked against what Temporal itself would compute elsewhere
// (schedules.test.ts on the dev server); here the shapes, including "last day" and February in leap years.
import { describe, expect, it } from 'vitest';
import { Cadence } from '../../shared/api/schedules';
import { scheduleSpec } from './schedules';

const spec = (v: unknown, tz = 'Europe/Paris') => scheduleSpec(Cadence.parse(v), tz);

describe('scheduleSpec', () => {
  it('turns each cadence into calendars, intervals or cron in the time zone', () => {
    expect(spec({ kind: 'minutes', every: 15 })).toEqual({ timezone: 'Europe/Paris', intervals: [{ every: '15m' }] });
    expect(spec({ kind: 'hourly', minute: 7 })).toEqual({ timezone: 'Europe/Paris', calendars: [{ minute: 7, hour: '*' }] });
    expect(spec({ kind: 'daily', time: '06:30' })).toEqual({ timezone: 'Europe/Paris', calendars: [{ hour: 6, minute: 30 }] });
    expect(spec({ kind: 'workdays', time: '06:00' }).calendars).toEqual([{ hour: 6, minute: 0, dayOfWeek: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'] }]);
    expect(spec({ kind: 'weekly', days: ['sunday', 'tuesday'], time: '23:05' }).calendars).toEqual([{ hour: 23, minute: 5, dayOfWeek: ['TUESDAY', 'SUNDAY'] }]);
    // A one-off is its instant in UTC (08:00 in Paris in March is 07:00 UTC).
    expect(spec({ kind: 'once', date: '2027-03-09', time: '08:00' })).toEqual({ timezone: 'UTC', calendars: [{ hour: 7, minute: 0, year: 2027, month: 'MARCH', dayOfMonth: 9 }] });
    expect(spec({ kind: 'cron', expression: '0 6 * * 1-5' }, 'UTC')).toEqual({ timezone: 'UTC', cronExpressions: ['0 6 * * 1-5'] });
    expect(spec({ kind: 'monthly', day: 12, time: '06:00' }).calendars).toEqual([{ hour: 6, minute: 0, dayOfMonth: 12, month: '*' }]);
  });

  it('gives a one-off in a clock change one instant: the first of a time lived twice (probe21)', () => {
    // Given 01:30 and America/New_York, Temporal listed 05:30 and 06:30 UTC on 7 Nov 2027 and ran both.
    expect(spec({ kind: 'once', date: '2027-11-07', time: '01:30' }, 'America/New_York')).toEqual({
      timezone: 'UTC',
      calendars: [{ year: 2027, month: 'NOVEMBER', dayOfMonth: 7, hour: 5, minute: 30 }],
    });
    // A day before the change, and a zone whose date differs from UTC's.
    expect(spec({ kind: 'once', date: '2027-11-06', time: '01:30' }, 'America/New_York').calendars).toEqual([{ year: 2027, month: 'NOVEMBER', dayOfMonth: 6, hour: 5, minute: 30 }]);
    expect(spec({ kind: 'once', date: '2027-01-01', time: '00:15' }, 'Asia/Kolkata').calendars).toEqual([{ year: 2026, month: 'DECEMBER', dayOfMonth: 31, hour: 18, minute: 45 }]);
  });

  it('runs day 31 and "last" on the last day of every month, February 29 only in leap years', () => {
    const last = spec({ kind: 'monthly', day: 'last', time: '06:00' }).calendars;
    expect(last).toEqual(spec({ kind: 'monthly', day: 31, time: '06:00' }).calendars);
    expect(last).toEqual([
      { hour: 6, minute: 0, dayOfMonth: 31, month: ['JANUARY', 'MARCH', 'MAY', 'JULY', 'AUGUST', 'OCTOBER', 'DECEMBER'] },
      { hour: 6, minute: 0, dayOfMonth: 30, month: ['APRIL', 'JUNE', 'SEPTEMBER', 'NOVEMBER'] },
      { hour: 6, minute: 0, dayOfMonth: 29, month: 'FEBRUARY', year: [{ start: 2024, end: 2096, step: 4 }] },
      { hour: 6, minute: 0, dayOfMonth: 28, month: 'FEBRUARY', year: [1, 2, 3].map((k) => ({ start: 2024 + k, end: 2099, step: 4 })) },
    ]);
    // Day 30: every month but February has one.
    const thirty = spec({ kind: 'monthly', day: 30, time: '06:00' }).calendars!;
    expect(thirty[0]).toMatchObject({ dayOfMonth: 30 });
    expect(thirty[0]!.month).toHaveLength(11);
    expect(thirty.slice(1).map((s) => s.dayOfMonth)).toEqual([29, 28]);
  });
});
