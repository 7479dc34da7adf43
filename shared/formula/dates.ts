// Date handling for formulas, on dayjs in UTC: Date values are "YYYY-MM-DD", DateTime values ISO 8601.
import dayjs, { type Dayjs } from 'dayjs';
import customParseFormat from 'dayjs/plugin/customParseFormat.js';
import utc from 'dayjs/plugin/utc.js';
import type { Site } from './runtime';
import { show } from './runtime';

dayjs.extend(customParseFormat);
dayjs.extend(utc);

export type DateUnit = 'year' | 'quarter' | 'month' | 'week' | 'day' | 'hour' | 'minute' | 'second';
export const DATE_UNITS: readonly DateUnit[] = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second'];
/** Units that keep a Date a Date when added; the others make it a DateTime. */
export const DAY_OR_LONGER: ReadonlySet<DateUnit> = new Set(['year', 'quarter', 'month', 'week', 'day']);

/** "days", "Day", "DAY" -> "day". */
export function parseUnit(text: string): DateUnit | null {
  const t = text.trim().toLowerCase();
  const singular = t.endsWith('s') ? t.slice(0, -1) : t;
  return (DATE_UNITS as readonly string[]).includes(singular) ? (singular as DateUnit) : null;
}

/** A Date or DateTime value as a UTC dayjs; a value that is not a date rejects the record. */
export function toDayjs(value: string, site: Site): Dayjs {
  const d = dayjs.utc(value);
  if (!d.isValid()) site.fail(`${show(value)} is not a date`);
  return d;
}

export const formatDate = (d: Dayjs): string => d.format('YYYY-MM-DD');
export const formatDateTime = (d: Dayjs): string => d.toISOString();

/** Dates have four-digit years, so their ISO text sorts in date order. */
export const MIN_YEAR = 1000;
export const MAX_YEAR = 9999;

/** The Date "YYYY-MM-DD" for a year, month and day, or null when there is no such day. */
export function makeDate(y: number, m: number, d: number): string | null {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d) || y < MIN_YEAR || y > MAX_YEAR) return null;
  const text = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return dayjs.utc(text, 'YYYY-MM-DD', true).isValid() ? text : null;
}

/** Strict parse with an explicit format: "02/30/2026" with "MM/DD/YYYY" is not a date. */
export function parseWithFormat(text: string, format: string): Dayjs | null {
  const d = dayjs.utc(text, format, true);
  return d.isValid() ? d : null;
}

type NumericUnit = 'Y' | 'M' | 'D' | 'H' | 'm' | 's';
/** A numeric token: exactly `width` digits, or (width 1) one or two digits without a leading zero. */
type NumericPart = string | { unit: NumericUnit; width: 1 | 2 | 4 };

const NUMERIC_TOKENS: Record<string, { unit: NumericUnit; width: 1 | 2 | 4 }> = {
  YYYY: { unit: 'Y', width: 4 },
  MM: { unit: 'M', width: 2 },
  M: { unit: 'M', width: 1 },
  DD: { unit: 'D', width: 2 },
  D: { unit: 'D', width: 1 },
  HH: { unit: 'H', width: 2 },
  H: { unit: 'H', width: 1 },
  mm: { unit: 'm', width: 2 },
  m: { unit: 'm', width: 1 },
  ss: { unit: 's', width: 2 },
  s: { unit: 's', width: 1 },
};

/**
 * The numeric formats ("MM/DD/YYYY", "D.M.YYYY", "YYYY-MM-DD HH:mm") that can be read without
 * dayjs and give exactly dayjs's strict answer: numeric tokens, each unit once, separated by
 * punctuation wherever a token has a variable width. Anything else returns null (use dayjs).
 */
export function numericFormat(format: string): NumericPart[] | null {
  const parts: NumericPart[] = [];
  const seen = new Set<NumericUnit>();
  const re = /YYYY|MM|M|DD|D|HH|H|mm|m|ss|s|[-/.:, ]+|[\s\S]/g;
  for (const m of format.matchAll(re)) {
    const token = m[0];
    const numeric = NUMERIC_TOKENS[token];
    if (numeric) {
      if (seen.has(numeric.unit)) return null;
      seen.add(numeric.unit);
      const prev = parts[parts.length - 1];
      if (prev !== undefined && typeof prev !== 'string' && (prev.width === 1 || numeric.width === 1)) return null;
      parts.push(numeric);
    } else if (/^[-/.:, ]+$/.test(token)) parts.push(token);
    else return null;
  }
  return seen.has('Y') && seen.has('M') && seen.has('D') ? parts : null;
}

/** Reads text in a numeric format; the UTC milliseconds of a real date and time, or null. */
export function readNumeric(parts: readonly NumericPart[], text: string): number | null {
  const v = { Y: 0, M: 0, D: 0, H: 0, m: 0, s: 0 };
  let i = 0;
  for (const part of parts) {
    if (typeof part === 'string') {
      if (!text.startsWith(part, i)) return null;
      i += part.length;
      continue;
    }
    let n = 0;
    let len = 0;
    const max = part.width === 1 ? 2 : part.width;
    while (len < max) {
      const c = text.charCodeAt(i + len) - 48;
      if (!(c >= 0 && c <= 9)) break;
      n = n * 10 + c;
      len++;
    }
    // Fixed widths need every digit; a one-or-two digit token is written without a leading zero.
    if (part.width === 1 ? len === 0 || (len === 2 && text.charCodeAt(i) === 48) : len !== part.width) return null;
    v[part.unit] = n;
    i += len;
  }
  if (i !== text.length) return null;
  if (v.Y < 100 || v.M < 1 || v.M > 12 || v.D < 1 || v.H > 23 || v.m > 59 || v.s > 59) return null;
  const ms = Date.UTC(v.Y, v.M - 1, v.D, v.H, v.m, v.s);
  const d = new Date(ms);
  return d.getUTCDate() === v.D && d.getUTCMonth() === v.M - 1 ? ms : null;
}

export function addToDate(d: Dayjs, n: number, unit: DateUnit): Dayjs {
  return unit === 'quarter' ? d.add(n * 3, 'month') : d.add(n, unit);
}

const UNIT_MS: Partial<Record<DateUnit, number>> = { week: 604_800_000, day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1000 };

/**
 * Whole units from start to end, truncated toward zero (negative when end is earlier). Calendar
 * units (month, quarter, year) go through dayjs; fixed-length ones are a difference of UTC
 * milliseconds divided by the unit, which is what dayjs computes in UTC, without building objects.
 */
export function diffDates(start: string, end: string, unit: DateUnit, site: Site): number {
  const ms = UNIT_MS[unit];
  if (ms !== undefined) {
    const a = Date.parse(start);
    const b = Date.parse(end);
    if (a - a !== 0) site.fail(`${show(start)} is not a date`);
    if (b - b !== 0) site.fail(`${show(end)} is not a date`);
    return Math.trunc((b - a) / ms) || 0;
  }
  const from = toDayjs(start, site);
  const to = toDayjs(end, site);
  if (unit === 'quarter') return Math.trunc(to.diff(from, 'month') / 3) || 0;
  return to.diff(from, unit) || 0;
}

/**
 * A bounded memo for parsing text with one format: date columns repeat the same few thousand
 * values, and a strict dayjs parse costs microseconds. Cleared when full; values are plain text.
 */
export class ParseMemo {
  private readonly map = new Map<string, string | null>();
  constructor(private readonly max = 4096) {}

  get(text: string, parse: (text: string) => string | null): string | null {
    const hit = this.map.get(text);
    if (hit !== undefined) return hit;
    const value = parse(text);
    if (this.map.size >= this.max) this.map.clear();
    this.map.set(text, value);
    return value;
  }
}

export const todayUtc = (ms: number): string => dayjs.utc(ms).format('YYYY-MM-DD');
/** NOW() asks for the run's clock on every row: the text of the last instant is kept, so a run formats it once. */
let lastNow: { ms: number; text: string } | null = null;
export const nowUtc = (ms: number): string => {
  if (lastNow?.ms !== ms) lastNow = { ms, text: dayjs.utc(ms).toISOString() };
  return lastNow.text;
};
export const formatWith = (value: string, format: string, site: Site): string => toDayjs(value, site).format(format);

/** Date to DateTime: midnight UTC. */
export const dateToDateTime = (v: string): string => `${v}T00:00:00.000Z`;

/** Warnings about date formats written Excel-style ("yyyy-mm-dd"). */
export function dateFormatProblems(format: string, parsing: boolean): { severity: 'error' | 'warning'; message: string }[] {
  const out: { severity: 'error' | 'warning'; message: string }[] = [];
  const bare = format.replace(/\[[^\]]*\]/g, '');
  if (/y/.test(bare)) out.push({ severity: 'error', message: 'Write the year as YYYY (upper case), not yyyy' });
  if (/mm/.test(bare) && !/[Hh]/.test(bare)) out.push({ severity: 'warning', message: '"mm" means minutes; use "MM" for the month' });
  if (/D{3,}/.test(bare) || /Do/.test(bare)) out.push({ severity: 'error', message: 'Use D or DD for the day of the month' });
  if (parsing && !/Y/.test(bare)) out.push({ severity: 'error', message: 'The format needs a year (YYYY)' });
  if (parsing && !/M/.test(bare)) out.push({ severity: 'error', message: 'The format needs a month (MM, M or MMM)' });
  if (parsing && !/D/.test(bare)) out.push({ severity: 'error', message: 'The format needs a day (DD or D)' });
  if (parsing && /Z/.test(bare)) out.push({ severity: 'error', message: 'Formats with a time zone (Z) are not supported here; DATETIMEVALUE without a format reads ISO 8601 with any offset' });
  return out;
}
