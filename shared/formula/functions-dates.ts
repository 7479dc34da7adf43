// Date and time functions spreadsheet users know (EDATE, EOMONTH, NETWORKDAYS, DATEDIF...) and time-zone-aware ones.
import { dateFormatProblems, MAX_YEAR, MIN_YEAR, parseWithFormat, toDayjs } from './dates';
import { defineFunction, type CallInfo, type FunctionSpec } from './function-spec';
import { show, type Site } from './runtime';
import { T } from './types';

const DAY = 86400000;
const int = Math.trunc;

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil): integer arithmetic, no Date objects. */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The inverse of daysFromCivil. */
function civilFromDays(z: number): { y: number; m: number; d: number } {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

const digit = (v: string, i: number) => v.charCodeAt(i) - 48;

/** Days since 1970-01-01 of a Date ("YYYY-MM-DD") or DateTime (its UTC day). */
export function dayNumber(v: string, s: Site): number {
  if (v.length === 10) {
    const y = digit(v, 0) * 1000 + digit(v, 1) * 100 + digit(v, 2) * 10 + digit(v, 3);
    const m = digit(v, 5) * 10 + digit(v, 6);
    const d = digit(v, 8) * 10 + digit(v, 9);
    if (y >= 0 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31) return daysFromCivil(y, m, d);
  }
  const ms = Date.parse(v);
  return ms === ms ? Math.floor(ms / DAY) : s.failWith('#VALUE!', `${show(v)} is not a date`);
}

const msOf = (v: string, s: Site): number => {
  const ms = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
  return ms === ms ? ms : s.failWith('#VALUE!', `${show(v)} is not a date`);
};

/** The Date of a day number, failing outside the years Weft's dates cover. */
export function dateOf(day: number, s: Site): string {
  const hit = DATE_TEXT.get(day);
  if (hit !== undefined) return hit;
  const { y, m, d } = civilFromDays(day);
  if (!(y >= MIN_YEAR && y <= MAX_YEAR)) s.failWith('#NUM!', `The date is outside the years ${MIN_YEAR} to ${MAX_YEAR}`);
  const text = `${y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
  // Flattened once (a built string is a rope; the next function reads it by character).
  if (DATE_TEXT.size >= 20_000) DATE_TEXT.clear();
  DATE_TEXT.set(day, text);
  return text;
}

/** Day number -> "YYYY-MM-DD": date columns repeat a few thousand days, and every date function ends here. */
const DATE_TEXT = new Map<number, string>();

const ymd = civilFromDays;
const leapYear = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysIn = (y: number, m: number) => (m === 2 && leapYear(y) ? 29 : (MONTH_DAYS[m - 1] as number));
/** The day number of y-m-d, where m and d may roll over (month 13, day 0) as in Date.UTC. */
const dayOf = (y: number, m: number, d: number) => {
  const total = y * 12 + (m - 1);
  return daysFromCivil(Math.floor(total / 12), (((total % 12) + 12) % 12) + 1, 1) + d - 1;
};

/** The parts of a Date or DateTime (its UTC day), read straight from "YYYY-MM-DD..." text. Reused: read it at once. */
const PARTS = { y: 0, m: 0, d: 0 };
function partsOf(v: string, s: Site): typeof PARTS {
  const y = digit(v, 0) * 1000 + digit(v, 1) * 100 + digit(v, 2) * 10 + digit(v, 3);
  const m = digit(v, 5) * 10 + digit(v, 6);
  const d = digit(v, 8) * 10 + digit(v, 9);
  if (v.length >= 10 && y >= 0 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
    PARTS.y = y;
    PARTS.m = m;
    PARTS.d = d;
    return PARTS;
  }
  const c = civilFromDays(dayNumber(v, s));
  PARTS.y = c.y;
  PARTS.m = c.m;
  PARTS.d = c.d;
  return PARTS;
}

/** "YYYY-MM-DD" of a real date, remembered (date columns repeat a few thousand days). */
function ymdText(y: number, m: number, d: number, s: Site): string {
  const key = y * 10000 + m * 100 + d;
  const hit = YMD_TEXT.get(key);
  if (hit !== undefined) return hit;
  if (!(y >= MIN_YEAR && y <= MAX_YEAR)) s.failWith('#NUM!', `The date is outside the years ${MIN_YEAR} to ${MAX_YEAR}`);
  const text = `${y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
  if (YMD_TEXT.size >= 20_000) YMD_TEXT.clear();
  YMD_TEXT.set(key, text);
  return text;
}
const YMD_TEXT = new Map<number, string>();

/** Months added, the day kept where the month has it, else the month's last day (Excel's EDATE). */
function edate(v: string, months: number, s: Site): string {
  const p = partsOf(v, s);
  const total = p.y * 12 + (p.m - 1) + int(months);
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  return ymdText(ny, nm, Math.min(p.d, daysIn(ny, nm)), s);
}

function eomonth(v: string, months: number, s: Site): string {
  const p = partsOf(v, s);
  const total = p.y * 12 + (p.m - 1) + int(months);
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  return ymdText(ny, nm, daysIn(ny, nm), s);
}

const isWeekend = (day: number) => {
  const w = (((day + 4) % 7) + 7) % 7; // 0 = Sunday
  return w === 0 || w === 6;
};

const NO_HOLIDAYS: ReadonlySet<number> = new Set();

function holidaySet(list: unknown, s: Site): ReadonlySet<number> {
  if (!Array.isArray(list) || list.length === 0) return NO_HOLIDAYS;
  const set = new Set<number>();
  if (Array.isArray(list)) for (const v of list) if (typeof v === 'string') set.add(dayNumber(v, s));
  return set;
}

function networkDays(a: number, b: number, holidays: ReadonlySet<number>): number {
  const sign = b < a ? -1 : 1;
  const [lo, hi] = b < a ? [b, a] : [a, b];
  // Whole weeks at once, then the rest day by day (at most 6), then the holidays.
  const span = hi - lo + 1;
  let n = Math.floor(span / 7) * 5;
  for (let d = lo + Math.floor(span / 7) * 7; d <= hi; d++) if (!isWeekend(d)) n++;
  for (const h of holidays) if (h >= lo && h <= hi && !isWeekend(h)) n--;
  return sign * n;
}

function isoWeek(day: number): number {
  const w = (((day + 3) % 7) + 7) % 7; // 0 = Monday
  const thursday = day - w + 3;
  const y = ymd(thursday).y;
  return Math.floor((thursday - dayOf(y, 1, 1)) / 7) + 1;
}

/** YEARFRAC as Excel computes it for each day-count basis. */
export function yearFrac(a: number, b: number, basis: number): number {
  if (a > b) [a, b] = [b, a];
  const s = ymd(a);
  const e = ymd(b);
  switch (basis) {
    case 0: {
      let sd = s.d;
      let ed = e.d;
      const lastFeb = (p: { y: number; m: number; d: number }) => p.m === 2 && p.d === daysIn(p.y, 2);
      if (lastFeb(s) && lastFeb(e)) ed = 30;
      if (lastFeb(s)) sd = 30;
      if (ed === 31 && sd >= 30) ed = 30;
      if (sd === 31) sd = 30;
      return (ed + e.m * 30 + e.y * 360 - (sd + s.m * 30 + s.y * 360)) / 360;
    }
    case 1: {
      const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
      const sameOrWithinYear = e.y === s.y || (e.y === s.y + 1 && (s.m > e.m || (s.m === e.m && s.d >= e.d)));
      if (sameOrWithinYear) {
        let ylen = 365;
        if (s.y === e.y && leap(s.y)) ylen = 366;
        else if (e.y !== s.y) {
          const feb29 = (y: number) => dayOf(y, 2, 29);
          if ((leap(s.y) && a <= feb29(s.y) && b >= feb29(s.y)) || (leap(e.y) && b >= feb29(e.y) && a <= feb29(e.y))) ylen = 366;
        }
        return (b - a) / ylen;
      }
      const years = e.y - s.y + 1;
      const days = dayOf(e.y + 1, 1, 1) - dayOf(s.y, 1, 1);
      return (b - a) / (days / years);
    }
    case 2:
      return (b - a) / 360;
    case 3:
      return (b - a) / 365;
    default: {
      const sd = Math.min(s.d, 30);
      const ed = Math.min(e.d, 30);
      return (ed + e.m * 30 + e.y * 360 - (sd + s.m * 30 + s.y * 360)) / 360;
    }
  }
}

interface ZonePrep {
  zone: string;
  format: string;
  parts: Intl.DateTimeFormat;
}

/** The zone's offset from UTC at this instant, in milliseconds (Intl: the browser's, Node's and the sandbox's own tz data). */
function offsetAt(prep: ZonePrep, ms: number): number {
  let y = 0;
  let mo = 0;
  let d = 0;
  let h = 0;
  let mi = 0;
  let sec = 0;
  for (const p of prep.parts.formatToParts(ms)) {
    const n = Number(p.value);
    if (p.type === 'year') y = n;
    else if (p.type === 'month') mo = n;
    else if (p.type === 'day') d = n;
    else if (p.type === 'hour') h = n % 24;
    else if (p.type === 'minute') mi = n;
    else if (p.type === 'second') sec = n;
  }
  return Date.UTC(y, mo - 1, d, h, mi, sec) - (ms - (((ms % 1000) + 1000) % 1000));
}

function zoneArgs(c: CallInfo, parsing: boolean): ZonePrep | null {
  const f = c.args[1];
  const z = c.args[2];
  if (!f || !z) return null;
  if (!f.constant || typeof f.constant.value !== 'string') {
    c.error(f, 'constant-required', 'The format must be text in quotes, such as "YYYY-MM-DD HH:mm"');
    return null;
  }
  if (!z.constant || typeof z.constant.value !== 'string') {
    c.error(z, 'constant-required', 'The time zone must be text in quotes, such as "Europe/Paris"');
    return null;
  }
  const format = f.constant.value;
  let ok = true;
  for (const p of dateFormatProblems(format, parsing)) {
    if (p.severity === 'error') {
      ok = false;
      c.error(f, 'bad-argument', p.message);
    } else c.warn(f, 'format-hint', p.message);
  }
  if (/(^|[^[])Z/.test(format.replace(/\[[^\]]*\]/g, ''))) {
    ok = false;
    c.error(f, 'bad-argument', 'The time zone is given as an argument; leave Z out of the format');
  }
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: z.constant.value, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    return ok ? { zone: z.constant.value, format, parts } : null;
  } catch {
    c.error(z, 'bad-argument', `Unknown time zone ${show(z.constant.value)}; use an IANA name such as "Europe/Paris", "America/New_York" or "UTC"`);
    return null;
  }
}

function unitOf(c: CallInfo, i: number, allowed: readonly string[], what: string): string | null | undefined {
  const a = c.args[i];
  if (!a) return undefined;
  if (!a.constant || typeof a.constant.value !== 'string' || !allowed.includes(a.constant.value.toUpperCase())) {
    c.error(a, 'bad-argument', `The ${what} is one of ${allowed.map((u) => `"${u}"`).join(', ')}, written in the formula`);
    return null;
  }
  return a.constant.value.toUpperCase();
}

const date1 = (name: string, description: string, example: string, result: string, f: (v: string, s: Site) => number): FunctionSpec =>
  defineFunction({ name, category: 'Dates', params: [{ name: 'date', kind: 'date' }], returns: T.Number, description, example, result, impl: (s, v: string) => f(v, s) });

export const DATE_FUNCTIONS: readonly FunctionSpec[] = [
  defineFunction({
    name: 'EDATE',
    category: 'Dates',
    params: [
      { name: 'date', kind: 'date' },
      { name: 'months', kind: 'number' },
    ],
    returns: T.Date,
    description: 'The date `months` months later (earlier when negative); a day the month lacks becomes its last day, as in Excel: EDATE(DATE(2026, 1, 31), 1) is 2026-02-28.',
    example: 'EDATE(DATE(2026, 1, 31), 1)',
    result: '2026-02-28',
    impl: (s, d: string, months: number) => edate(d, months, s),
  }),
  defineFunction({
    name: 'EOMONTH',
    category: 'Dates',
    params: [
      { name: 'date', kind: 'date' },
      { name: 'months', kind: 'number' },
    ],
    returns: T.Date,
    description: 'The last day of the month `months` months from the date (0 for its own month).',
    example: 'EOMONTH([Start], 1)',
    result: '2026-02-28',
    impl: (s, d: string, months: number) => eomonth(d, months, s),
  }),
  defineFunction({
    name: 'NETWORKDAYS',
    category: 'Dates',
    params: [
      { name: 'start', kind: 'date' },
      { name: 'end', kind: 'date' },
      { name: 'holidays', kind: 'list', optional: true },
    ],
    returns: T.Number,
    description: 'Working days (Monday to Friday) from start to end, both included, less any holidays in the list (a List of Dates). Negative when end is earlier.',
    example: 'NETWORKDAYS(DATE(2026, 3, 2), DATE(2026, 3, 13))',
    result: '10',
    impl: (s, a: string, b: string, holidays?: unknown) => networkDays(dayNumber(a, s), dayNumber(b, s), holidaySet(holidays, s)),
  }),
  defineFunction({
    name: 'WORKDAY',
    category: 'Dates',
    params: [
      { name: 'start', kind: 'date' },
      { name: 'days', kind: 'number' },
      { name: 'holidays', kind: 'list', optional: true },
    ],
    returns: T.Date,
    description: 'The working day (Monday to Friday, not a holiday) `days` working days after start (before, when negative).',
    example: 'WORKDAY(DATE(2026, 3, 13), 1)',
    result: '2026-03-16',
    impl: (s, a: string, days: number, holidays?: unknown) => {
      const hs = holidaySet(holidays, s);
      let d = dayNumber(a, s);
      let left = int(days);
      const step = left < 0 ? -1 : 1;
      if (Math.abs(left) > 3_000_000) s.failWith('#NUM!', `Too many working days: ${left}`);
      while (left !== 0) {
        d += step;
        if (!isWeekend(d) && !hs.has(d)) left -= step;
      }
      return dateOf(d, s);
    },
  }),
  defineFunction<string>({
    name: 'DATEDIF',
    category: 'Dates',
    params: [
      { name: 'start', kind: 'date' },
      { name: 'end', kind: 'date' },
      { name: 'unit', kind: 'text', constant: true },
    ],
    returns: T.Number,
    description:
      'Whole years ("Y"), months ("M") or days ("D") from start to end, as Excel; "YM" months and "MD" days left over after whole years / months, "YD" days ignoring years. An end before the start is #NUM!. DATEDIFF counts in more units and allows negative spans.',
    example: 'DATEDIF(DATE(2024, 5, 15), DATE(2026, 3, 14), "M")',
    result: '21',
    check: (c) => {
      const u = unitOf(c, 2, ['Y', 'M', 'D', 'MD', 'YM', 'YD'], 'unit');
      return u ? { prep: u } : {};
    },
    impl: (s, a: string, b: string) => {
      const da = dayNumber(a, s);
      const db = dayNumber(b, s);
      if (db < da) s.failWith('#NUM!', 'The end is before the start');
      const x = ymd(da);
      const y = ymd(db);
      const months = (y.y - x.y) * 12 + (y.m - x.m) - (y.d < x.d ? 1 : 0);
      switch (s.prep) {
        case 'Y':
          return Math.floor(months / 12);
        case 'M':
          return months;
        case 'D':
          return db - da;
        case 'YM':
          return months % 12;
        case 'MD':
          return y.d >= x.d ? y.d - x.d : db - dayOf(y.y, y.m - 1, x.d);
        default: {
          // YD: days from start to end as if in the same year (the end's year, or the next when earlier).
          let from = dayOf(y.y, x.m, x.d);
          if (from > db) from = dayOf(y.y - 1, x.m, x.d);
          return db - from;
        }
      }
    },
  }),
  defineFunction<1 | 2>({
    name: 'WEEKNUM',
    category: 'Dates',
    params: [
      { name: 'date', kind: 'date' },
      { name: 'type', kind: 'number', optional: true, constant: true },
    ],
    returns: T.Number,
    description: 'The week of the year: week 1 holds January 1; weeks start on Sunday (type 1, the default) or Monday (type 2). ISOWEEKNUM gives ISO weeks.',
    example: 'WEEKNUM(DATE(2026, 3, 15))',
    result: '12',
    check: (c) => {
      const a = c.args[1];
      if (!a) return { prep: 1 };
      if (!a.constant || (a.constant.value !== 1 && a.constant.value !== 2)) {
        c.error(a, 'bad-argument', 'The WEEKNUM type is 1 (weeks start on Sunday) or 2 (Monday)');
        return {};
      }
      return { prep: a.constant.value as 1 | 2 };
    },
    impl: (s, d: string) => {
      const day = dayNumber(d, s);
      const jan1 = dayOf(ymd(day).y, 1, 1);
      const wd = (((jan1 + 4) % 7) + 7) % 7; // 0 = Sunday
      const offset = s.prep === 2 ? (wd + 6) % 7 : wd;
      return Math.floor((day - jan1 + offset) / 7) + 1;
    },
  }),
  date1('ISOWEEKNUM', 'The ISO 8601 week number (weeks start on Monday; week 1 holds the year\'s first Thursday).', 'ISOWEEKNUM(DATE(2027, 1, 1))', '53', (v, s) => isoWeek(dayNumber(v, s))),
  date1('QUARTER', 'The quarter of the year, 1 to 4.', 'QUARTER([Start])', '1', (v, s) => Math.ceil(partsOf(v, s).m / 3)),
  date1('HOUR', 'The hour, 0 to 23, in UTC (0 for a Date).', 'HOUR(DATETIMEVALUE("2026-03-15T14:05:09Z"))', '14', (v, s) => new Date(msOf(v, s)).getUTCHours()),
  date1('MINUTE', 'The minute, 0 to 59.', 'MINUTE(DATETIMEVALUE("2026-03-15T14:05:09Z"))', '5', (v, s) => new Date(msOf(v, s)).getUTCMinutes()),
  date1('SECOND', 'The second, 0 to 59.', 'SECOND(DATETIMEVALUE("2026-03-15T14:05:09Z"))', '9', (v, s) => new Date(msOf(v, s)).getUTCSeconds()),
  date1('UNIXTIME', 'Seconds since 1970-01-01T00:00:00Z (for APIs that take epoch times).', 'UNIXTIME(DATE(2026, 1, 1))', '1767225600', (v, s) => msOf(v, s) / 1000),
  defineFunction({
    name: 'FROMUNIXTIME',
    category: 'Dates',
    params: [{ name: 'seconds', kind: 'number' }],
    returns: T.DateTime,
    description: 'The date and time `seconds` after 1970-01-01T00:00:00Z (milliseconds kept).',
    example: 'FROMUNIXTIME(1767225600)',
    result: '2026-01-01T00:00:00.000Z',
    impl: (s, secs: number) => {
      const d = new Date(Math.round(secs * 1000));
      const y = d.getUTCFullYear();
      return y >= MIN_YEAR && y <= MAX_YEAR ? d.toISOString() : s.failWith('#NUM!', `${secs} seconds is outside the years ${MIN_YEAR} to ${MAX_YEAR}`);
    },
  }),
  defineFunction({
    name: 'DAYS',
    category: 'Dates',
    params: [
      { name: 'end', kind: 'date' },
      { name: 'start', kind: 'date' },
    ],
    returns: T.Number,
    description: 'The days from start to end (end first, as in Excel); times of day are ignored.',
    example: 'DAYS(DATE(2026, 3, 15), [Start])',
    result: '69',
    impl: (s, b: string, a: string) => dayNumber(b, s) - dayNumber(a, s),
  }),
  defineFunction({
    name: 'TIME',
    category: 'Dates',
    params: [
      { name: 'hour', kind: 'number' },
      { name: 'minute', kind: 'number' },
      { name: 'second', kind: 'number' },
    ],
    returns: T.Number,
    description: 'The time of day as a fraction of a day (0.5 is noon), as Excel; whole parts, rolling over past 24 hours. Add it to a date with DATETIME or DATEADD.',
    example: 'TIME(12, 0, 0)',
    result: '0.5',
    impl: (s, h: number, m: number, sec: number) => {
      const total = int(h) * 3600 + int(m) * 60 + int(sec);
      if (total < 0) s.failWith('#NUM!', 'The time is negative');
      // Past 2^53 seconds the remainder below is noise (TIME(1e300, 0, 0) would give some fraction), or NaN past a double.
      if (!Number.isSafeInteger(total)) s.failWith('#NUM!', 'The time is too large');
      return (total % 86400) / 86400;
    },
  }),
  defineFunction({
    name: 'DATETIME',
    category: 'Dates',
    params: [
      { name: 'year', kind: 'number' },
      { name: 'month', kind: 'number' },
      { name: 'day', kind: 'number' },
      { name: 'hour', kind: 'number', optional: true },
      { name: 'minute', kind: 'number', optional: true },
      { name: 'second', kind: 'number', optional: true },
    ],
    returns: T.DateTime,
    description: 'The date and time (UTC) with these parts; every part rolls over as in DATE.',
    example: 'DATETIME(2026, 3, 15, 25, 0)',
    result: '2026-03-16T01:00:00.000Z',
    impl: (s, y: number, mo: number, d: number, h?: number, mi?: number, sec?: number) => {
      const ms = Date.UTC(int(y), int(mo) - 1, 1) + (int(d) - 1) * DAY + int(h ?? 0) * 3600000 + int(mi ?? 0) * 60000 + int(sec ?? 0) * 1000;
      const out = new Date(ms);
      const yy = out.getUTCFullYear();
      return yy >= MIN_YEAR && yy <= MAX_YEAR ? out.toISOString() : s.failWith('#NUM!', `The date is outside the years ${MIN_YEAR} to ${MAX_YEAR}`);
    },
  }),
  defineFunction<number>({
    name: 'YEARFRAC',
    category: 'Dates',
    params: [
      { name: 'start', kind: 'date' },
      { name: 'end', kind: 'date' },
      { name: 'basis', kind: 'number', optional: true, constant: true },
    ],
    returns: T.Number,
    description: 'The fraction of a year between two dates, by day-count basis: 0 US 30/360 (default), 1 actual/actual, 2 actual/360, 3 actual/365, 4 European 30/360.',
    example: 'YEARFRAC(DATE(2026, 1, 1), DATE(2026, 7, 1))',
    result: '0.5',
    check: (c) => {
      const a = c.args[2];
      if (!a) return { prep: 0 };
      const b = a.constant?.value;
      if (typeof b !== 'number' || ![0, 1, 2, 3, 4].includes(b)) {
        c.error(a, 'bad-argument', 'The basis is 0, 1, 2, 3 or 4, written in the formula');
        return {};
      }
      return { prep: b };
    },
    impl: (s, a: string, b: string) => yearFrac(dayNumber(a, s), dayNumber(b, s), s.prep),
  }),
  defineFunction<ZonePrep>({
    name: 'FORMATDATETZ',
    category: 'Dates',
    params: [
      { name: 'date', kind: 'date' },
      { name: 'format', kind: 'text', constant: true },
      { name: 'zone', kind: 'text', constant: true },
    ],
    returns: T.Text,
    description: 'Writes a date and time as the wall-clock time in a time zone (an IANA name such as "Europe/Paris"), daylight saving included. Tokens as FORMATDATE (without Z).',
    example: 'FORMATDATETZ(DATETIMEVALUE("2026-07-01T12:00:00Z"), "YYYY-MM-DD HH:mm", "Europe/Paris")',
    result: '"2026-07-01 14:00"',
    check: (c) => {
      const prep = zoneArgs(c, false);
      return prep ? { prep } : {};
    },
    impl: (s, d: string) => {
      const ms = msOf(d, s);
      return toDayjs(new Date(ms + offsetAt(s.prep, ms)).toISOString(), s).format(s.prep.format);
    },
  }),
  defineFunction<ZonePrep>({
    name: 'DATETIMEVALUETZ',
    category: 'Dates',
    params: [
      { name: 'text', kind: 'text' },
      { name: 'format', kind: 'text', constant: true },
      { name: 'zone', kind: 'text', constant: true },
    ],
    returns: T.DateTime,
    description:
      'Reads a wall-clock date and time in a time zone and gives the instant (UTC). A time skipped by daylight saving moves forward by the gap; a repeated one takes the first (earlier) instant.',
    example: 'DATETIMEVALUETZ("2026-01-15 09:00", "YYYY-MM-DD HH:mm", "America/New_York")',
    result: '2026-01-15T14:00:00.000Z',
    check: (c) => {
      const prep = zoneArgs(c, true);
      return prep ? { prep } : {};
    },
    impl: (s, t: string) => {
      const d = parseWithFormat(t.trim(), s.prep.format);
      if (!d) return s.failWith('#VALUE!', `${show(t)} does not match the format ${s.prep.format} or is not a real date and time`);
      const wall = d.valueOf();
      // Try the offset from half a day before; if the wall time does not hold at it, the offset after a change.
      const before = offsetAt(s.prep, wall - 12 * 3600000);
      let ms = wall - before;
      const at = offsetAt(s.prep, ms);
      if (at !== before && offsetAt(s.prep, wall - at) === at) ms = wall - at;
      const y = new Date(ms).getUTCFullYear();
      return y >= MIN_YEAR && y <= MAX_YEAR ? new Date(ms).toISOString() : s.failWith('#NUM!', 'The date is outside the supported years');
    },
  }),
];
