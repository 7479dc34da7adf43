import dayjs from 'dayjs';
import { describe, expect, it } from 'vitest';
import { numericFormat, readNumeric } from './dates';
import { compileFormula } from './index';
import { failure, FIELDS, problems, ROW, value } from './test-kit';
import { seededRandom } from '../util/random';

describe('TODAY and NOW read the injected clock', () => {
  it('uses env.now', () => {
    expect(value('TODAY()')).toBe('2026-03-15');
    expect(value('NOW()')).toBe('2026-03-15T09:30:00.000Z');
    const c = compileFormula('NOW()', { fields: FIELDS });
    const at = (ms: number) => (c.ok ? c.evaluate(ROW, { now: () => ms }) : null);
    expect(at(0)).toEqual({ ok: true, value: '1970-01-01T00:00:00.000Z' });
    expect(at(Date.UTC(2030, 11, 31, 23, 59, 59))).toEqual({ ok: true, value: '2030-12-31T23:59:59.000Z' });
  });

  it('is UTC: just before midnight UTC is still that day', () => {
    const c = compileFormula('TODAY()', { fields: FIELDS });
    expect(c.ok && c.evaluate(ROW, { now: () => Date.UTC(2026, 0, 1, 23, 59) })).toEqual({ ok: true, value: '2026-01-01' });
  });

  it('defaults to the real clock', () => {
    const c = compileFormula('TODAY()', { fields: FIELDS });
    expect(c.ok && c.evaluate(ROW)).toEqual({ ok: true, value: dayjs().utc().format('YYYY-MM-DD') });
  });

  it('is never folded into a constant', () => {
    const c = compileFormula('DATEDIFF(DATE(2026, 1, 1), TODAY(), "day")', { fields: FIELDS });
    expect(c.ok && c.evaluate(ROW, { now: () => Date.UTC(2026, 0, 11) })).toEqual({ ok: true, value: 10 });
    expect(c.ok && c.evaluate(ROW, { now: () => Date.UTC(2026, 0, 21) })).toEqual({ ok: true, value: 20 });
  });

  it('compares with dates', () => {
    expect(value('[Start] < TODAY()')).toBe(true);
    expect(value('[Updated] < NOW()')).toBe(true);
    expect(value('DATE(2026, 3, 15) = TODAY()')).toBe(true);
    expect(value('DATE(2026, 3, 15) < NOW()')).toBe(true);
  });
});

describe('DATE', () => {
  it('builds real dates and rolls months and days over as Excel does', () => {
    expect(value('DATE(2026, 1, 1)')).toBe('2026-01-01');
    expect(value('DATE(2024, 2, 29)')).toBe('2024-02-29');
    expect(value('DATE(1000, 1, 1)')).toBe('1000-01-01');
    expect(problems('DATE(999, 12, 31)')).toMatchObject([{ code: 'constant-error', message: '#NUM! The year must be 1000 to 9999, got 999 in DATE(999, 12, 31)' }]);
    // Issue 17 changed these from errors to Excel's rollover.
    expect(value('DATE(2026, 2, 28 + [Count] + 1)')).toBe('2026-03-01');
    expect(value('DATE(2025, 2, 29)')).toBe('2025-03-01');
    expect(value('DATE(2024, 2, 30)')).toBe('2024-03-01');
    expect(value('DATE(2026, 13, 1)')).toBe('2027-01-01');
    expect(value('DATE(2026, 3, 0)')).toBe('2026-02-28');
    expect(value('DATE(2026, 0, 1)')).toBe('2025-12-01');
    expect(value('DATE(2026, 1.5, 1)')).toBe('2026-01-01');
    expect(problems('DATE(10000, 1, 1)')).toMatchObject([{ code: 'constant-error' }]);
    expect(problems('DATE(9999, 12, 32)')).toMatchObject([{ code: 'constant-error', message: '#NUM! The date is outside the years 1000 to 9999 in DATE(9999, 12, 32)' }]);
  });
});

describe('DATEVALUE and DATETIMEVALUE parse strictly', () => {
  it('reads dates in an explicit format', () => {
    expect(value('DATEVALUE("03/15/2026", "MM/DD/YYYY")')).toBe('2026-03-15');
    expect(value('DATEVALUE("15.03.2026", "DD.MM.YYYY")')).toBe('2026-03-15');
    expect(value('DATEVALUE("3/5/2026", "M/D/YYYY")')).toBe('2026-03-05');
    expect(value('DATEVALUE("15 Mar 2026", "D MMM YYYY")')).toBe('2026-03-15');
    expect(value('DATEVALUE("March 15, 2026", "MMMM D, YYYY")')).toBe('2026-03-15');
    expect(value('DATEVALUE("2026-03-15")')).toBe('2026-03-15');
    expect(value('DATEVALUE("  03/15/2026 ", "MM/DD/YYYY")')).toBe('2026-03-15');
    expect(value('DATEVALUE([Close Date], "MM/DD/YYYY")')).toBe('2026-03-15');
  });

  it('rejects dates that do not exist or do not match exactly', () => {
    const bad = (text: string, format = 'MM/DD/YYYY') => failure(`DATEVALUE([Name], "${format}")`, { ...ROW, Name: text });
    expect(bad('02/30/2026')).toBe('"02/30/2026" does not match the format MM/DD/YYYY or is not a real date in DATEVALUE([Name], "MM/DD/YYYY")');
    expect(bad('3/15/2026')).toContain('does not match');
    expect(bad('13/01/2026')).toContain('does not match');
    expect(bad('2026-03-15')).toContain('does not match');
    expect(bad('03/15/2026 10:00')).toContain('does not match');
    expect(bad('02/29/2025')).toContain('does not match');
    expect(bad('hello')).toContain('does not match');
    expect(bad('2026-02-30', 'YYYY-MM-DD')).toContain('does not match');
    expect(problems('DATEVALUE("02/30/2026", "MM/DD/YYYY")')).toMatchObject([{ code: 'constant-error' }]);
  });

  it('refuses formats that cannot read a whole date', () => {
    expect(problems('DATEVALUE([Close Date], "MM/YYYY")')).toMatchObject([{ code: 'bad-argument', message: 'The format needs a day (DD or D)' }]);
    expect(problems('DATEVALUE([Close Date], "mm/dd/yyyy")').map((p) => p.message)).toEqual([
      'Write the year as YYYY (upper case), not yyyy',
      '"mm" means minutes; use "MM" for the month',
      'The format needs a year (YYYY)',
      'The format needs a month (MM, M or MMM)',
      'The format needs a day (DD or D)',
    ]);
    expect(problems('DATEVALUE([Close Date], [Name])')).toMatchObject([{ code: 'constant-required' }]);
  });

  it('reads date-times: ISO 8601 with any offset, or an explicit format in UTC', () => {
    expect(value('DATETIMEVALUE("2026-03-15T09:30:00+02:00")')).toBe('2026-03-15T07:30:00.000Z');
    expect(value('DATETIMEVALUE("2026-03-15 09:30")')).toBe('2026-03-15T09:30:00.000Z');
    expect(value('DATETIMEVALUE("03/15/2026 2:05 PM", "MM/DD/YYYY h:mm A")')).toBe('2026-03-15T14:05:00.000Z');
    expect(failure('DATETIMEVALUE([Name])')).toBe('" Ada   Lovelace " is not an ISO 8601 date and time in DATETIMEVALUE([Name])');
    expect(failure('DATETIMEVALUE([Close Date], "MM/DD/YYYY HH:mm")')).toContain('does not match the format MM/DD/YYYY HH:mm');
  });

  it('keeps dates read from text to years 1000-9999', () => {
    expect(failure('DATEVALUE([Name], "MM/DD/YYYY")', { ...ROW, Name: '01/01/0999' })).toBe('The date 0999-01-01 is outside the years 1000 to 9999 in DATEVALUE([Name], "MM/DD/YYYY")');
    expect(failure('DATEVALUE([Name], "D MMM YYYY")', { ...ROW, Name: '1 Jan 0999' })).toContain('outside the years 1000 to 9999');
    expect(failure('DATETIMEVALUE([Name])', { ...ROW, Name: '0999-01-01T00:00:00Z' })).toContain('outside the years 1000 to 9999');
  });

  it('gives the same answer from its memo as without it', () => {
    const c = compileFormula('DATEVALUE([Close Date], "MM/DD/YYYY")', { fields: FIELDS });
    if (!c.ok) throw new Error('compile');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5000; i++) {
        const day = 1 + (i % 31);
        const text = `02/${String(day).padStart(2, '0')}/2024`;
        const r = c.evaluate({ 'Close Date': text });
        expect(r.ok).toBe(day <= 29);
        if (r.ok) expect(r.value).toBe(`2024-02-${String(day).padStart(2, '0')}`);
      }
    }
  });
});

describe('numeric formats are read without dayjs, with exactly dayjs\'s strict answers', () => {

  it('knows which formats it can read', () => {
    expect(numericFormat('MM/DD/YYYY')).not.toBeNull();
    expect(numericFormat('YYYYMMDD')).not.toBeNull();
    expect(numericFormat('D.M.YYYY HH:mm:ss')).not.toBeNull();
    expect(numericFormat('MD YYYY')).toBeNull(); // M then D with nothing between: ambiguous widths
    expect(numericFormat('D MMM YYYY')).toBeNull();
    expect(numericFormat('MM/DD/YY')).toBeNull();
    expect(numericFormat('MM/YYYY')).toBeNull();
    expect(numericFormat('[on] MM/DD/YYYY')).toBeNull();
  });

  it('on 20,000 random formats and texts', () => {
    const rnd = seededRandom(2026);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const seps = ['/', '-', '.', ' ', ':', ', ', ''];
    let valid = 0;
    let compared = 0;
    for (let i = 0; i < 20_000; i++) {
      const date = [pick(['YYYY']), pick(['MM', 'M']), pick(['DD', 'D'])];
      const order = pick([[0, 1, 2], [1, 2, 0], [2, 1, 0]]);
      let format = order.map((k) => date[k]).join(pick(seps));
      if (rnd() < 0.4) format += ` ${pick(['HH', 'H'])}:${pick(['mm', 'm'])}${rnd() < 0.5 ? `:${pick(['ss', 's'])}` : ''}`;
      const parts = numericFormat(format);
      if (!parts) continue;
      // A real date written in the format, then often damaged.
      const ms = Date.UTC(1000 + Math.floor(rnd() * 9000), 0, 1) + Math.floor(rnd() * 366) * 86_400_000 + Math.floor(rnd() * 86_400) * 1000;
      let text = dayjs.utc(ms).format(format);
      const r = rnd();
      if (r < 0.15) text = text.replace(/\d/, String(Math.floor(rnd() * 10)));
      else if (r < 0.3) text = text.replace(/(\D|^)(\d)(?=\D|$)/, `$10$2`);
      else if (r < 0.4) text = text.replace(/0(\d)/, '$1');
      else if (r < 0.5) text = text.replace(/(\d\d)(?=\D|$)/, () => String(28 + Math.floor(rnd() * 5)));
      else if (r < 0.55) text += pick(['0', ' ', '/']);
      else if (r < 0.6) text = text.slice(1);
      const ref = dayjs.utc(text, format, true);
      const mine = readNumeric(parts, text);
      expect(`${format} ${text}: ${mine === null ? 'invalid' : new Date(mine).toISOString()}`).toBe(`${format} ${text}: ${ref.isValid() ? ref.toISOString() : 'invalid'}`);
      if (mine !== null) valid++;
      compared++;
    }
    expect(compared).toBeGreaterThan(15_000);
    expect(valid).toBeGreaterThan(5_000);
    expect(compared - valid).toBeGreaterThan(3_000);
  });
});

describe('YEAR, MONTH, DAY, WEEKDAY', () => {
  it('read dates and date-times in UTC', () => {
    expect(value('YEAR([Start])')).toBe(2026);
    expect(value('MONTH([Start])')).toBe(1);
    expect(value('DAY([Start])')).toBe(5);
    expect(value('YEAR(DATETIMEVALUE("2026-12-31T23:30:00-02:00"))')).toBe(2027);
    expect(value('WEEKDAY([Start])')).toBe(2); // a Monday, Sunday first
    expect(value('WEEKDAY([Start], 2)')).toBe(1); // Monday first
    expect(value('WEEKDAY(DATE(2026, 3, 15), 2)')).toBe(7);
  });

  it('reject a date value that is not a date', () => {
    expect(failure('YEAR([Start])', { ...ROW, Start: '2026-13-45' })).toBe('The value "2026-13-45" is not a valid Date ("2026-13-45" is not a date (expected YYYY-MM-DD or MM/DD/YYYY)) in [Start]');
    expect(failure('YEAR([Start])', { ...ROW, Start: '2026-02-30' })).toContain('is not a valid Date');
    expect(value('DAY([Start])', { ...ROW, Start: '2024-02-29' })).toBe(29);
    expect(value('DAY([Start])', { ...ROW, Start: '2026-01-31' })).toBe(31);
  });
});

describe('DATEADD', () => {
  it('adds calendar and clock units', () => {
    expect(value('DATEADD(DATE(2026, 1, 31), 1, "month")')).toBe('2026-02-28');
    expect(value('DATEADD(DATE(2024, 2, 29), 1, "year")')).toBe('2025-02-28');
    expect(value('DATEADD(DATE(2026, 1, 1), 1, "quarter")')).toBe('2026-04-01');
    expect(value('DATEADD(DATE(2026, 1, 1), -1, "days")')).toBe('2025-12-31');
    expect(value('DATEADD(DATE(2026, 1, 1), 2, "Weeks")')).toBe('2026-01-15');
    expect(value('DATEADD(DATE(2026, 1, 1), 1.9, "day")')).toBe('2026-01-02');
    expect(value('DATEADD(DATE(2026, 1, 1), 36, "hour")')).toBe('2026-01-02T12:00:00.000Z');
    expect(value('DATEADD([Updated], 90, "minutes")')).toBe('2026-03-01T13:30:00.000Z');
    expect(value('DATEADD([Updated], 1, "month")')).toBe('2026-04-01T12:00:00.000Z');
    expect(value('DATEADD([Updated], -30, "second")')).toBe('2026-03-01T11:59:30.000Z');
  });

  it('rejects dates out of range', () => {
    expect(failure('DATEADD([Start], 10000 + [Count], "year")')).toBe('The resulting date is outside the years 1000 to 9999 in DATEADD([Start], 10000 + [Count], "year")');
    expect(failure('DATEADD([Start], -2000 + [Count], "year")')).toContain('outside the years 1000 to 9999');
  });
});

describe('DATEDIFF', () => {
  it('counts whole units, truncated toward zero', () => {
    expect(value('DATEDIFF(DATE(2026, 1, 1), DATE(2026, 3, 1), "day")')).toBe(59);
    expect(value('DATEDIFF(DATE(2026, 3, 1), DATE(2026, 1, 1), "day")')).toBe(-59);
    // dayjs counts month-end to month-end as a whole month (Excel's DATEDIF says 0 here).
    expect(value('DATEDIFF(DATE(2026, 1, 31), DATE(2026, 2, 28), "month")')).toBe(1);
    expect(value('DATEDIFF(DATE(2026, 1, 30), DATE(2026, 2, 27), "month")')).toBe(0);
    expect(value('DATEDIFF(DATE(2026, 1, 15), DATE(2026, 3, 15), "month")')).toBe(2);
    expect(value('DATEDIFF(DATE(2026, 1, 15), DATE(2026, 12, 31), "quarter")')).toBe(3);
    expect(value('DATEDIFF(DATE(2020, 2, 29), DATE(2026, 2, 28), "year")')).toBe(6); // month-end rule again
    expect(value('DATEDIFF(DATE(2020, 3, 1), DATE(2026, 2, 28), "year")')).toBe(5);
    expect(value('DATEDIFF(DATE(2026, 1, 1), DATE(2026, 1, 20), "week")')).toBe(2);
    expect(value('DATEDIFF([Start], [Updated], "hour")')).toBe(1332);
    expect(value('DATEDIFF(NOW(), [Updated], "minute")')).toBe(-20010);
    expect(value('DATEDIFF([Updated], DATEADD([Updated], 59, "second"), "minute")')).toBe(0);
    expect(value('DATEDIFF(DATE(2026, 1, 2), DATE(2026, 1, 1), "week")')).toBe(0);
  });

  it('agrees with dayjs for the fixed-length units', () => {
    const starts = ['2024-02-29', '2025-12-31T23:59:59.000Z', '2026-03-29T01:30:00.000Z', '1999-01-01'];
    const ends = ['2026-03-15', '2026-03-29T03:00:00.000Z', '2000-02-29', '2025-01-01T00:00:01.000Z'];
    for (const s of starts) {
      for (const e of ends) {
        for (const unit of ['week', 'day', 'hour', 'minute', 'second'] as const) {
          const field = (v: string) => (v.length === 10 ? `DATE(${v.slice(0, 4)}, ${Number(v.slice(5, 7))}, ${Number(v.slice(8, 10))})` : `DATETIMEVALUE("${v}")`);
          expect(value(`DATEDIFF(${field(s)}, ${field(e)}, "${unit}")`)).toBe(dayjs.utc(e).diff(dayjs.utc(s), unit));
        }
      }
    }
  });
});

describe('FORMATDATE', () => {
  it('writes dates in UTC with dayjs tokens', () => {
    expect(value('FORMATDATE([Start], "YYYY-MM-DD")')).toBe('2026-01-05');
    expect(value('FORMATDATE([Start], "DD/MM/YY")')).toBe('05/01/26');
    expect(value('FORMATDATE([Start], "dddd, MMMM D")')).toBe('Monday, January 5');
    expect(value('FORMATDATE([Updated], "h:mm A [on] D MMM")')).toBe('12:00 PM on 1 Mar');
    expect(value('FORMATDATE([Updated], "YYYY-MM-DDTHH:mm:ssZ")')).toBe('2026-03-01T12:00:00+00:00');
  });
});
