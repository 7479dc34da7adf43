// Postgres types -> Weft types, and the wire-text parsers that turn Postgres values into Weft values.
import { exactNumberFast, type FieldType } from '../../../shared/graph/field-types';
import type { TypeMapper } from '../types';

/** The one table (docs/connectors.md repeats it): anything not listed is text, json included. */
const POSTGRES_TYPES: [RegExp, FieldType][] = [
  [/^(smallint|integer|bigint|int2|int4|int8|oid|real|double precision|float4|float8|numeric|decimal)(\(\d+(,\d+)?\))?$/, 'number'],
  [/^money$/, 'currency'],
  [/^date$/, 'date'],
  [/^timestamp(\(\d\))?( with(out)? time zone)?$/, 'datetime'],
  [/^timestamptz$/, 'datetime'],
  [/^boolean$/, 'boolean'],
];

export const mapPostgresType: TypeMapper = (nativeType) => POSTGRES_TYPES.find(([re]) => re.test(nativeType.toLowerCase()))?.[1] ?? 'text';

/** A timestamp Postgres printed in UTC (`2026-03-01 09:30:00.123456+00`, or without a zone): rewritten, not parsed. */
const UTC_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(\+00)?$/;

/** Postgres prints timestamps as `2026-03-01 09:30:00.123+00`; Weft keeps ISO 8601 in UTC (milliseconds, as Date does). */
export function timestampToIso(text: string, zoned: boolean): string {
  return utcTimestamp(text, zoned) ?? timestampToIsoByDate(text, zoned);
}

/** `timestampToIso` by the regular expression alone: the fast path must agree with it on every text (tested). */
export function timestampToIsoReference(text: string, zoned: boolean): string {
  const utc = UTC_TIMESTAMP.exec(text);
  if (utc && (utc[4] !== undefined) === zoned) return `${utc[1]}T${utc[2]}.${(utc[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
  return timestampToIsoByDate(text, zoned);
}

const DIGITS_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const isDigit = (c: number) => c >= 48 && c <= 57;

/** UTC_TIMESTAMP (with `+00` exactly when `zoned`) checked by character codes, no match per value; null otherwise. */
function utcTimestamp(text: string, zoned: boolean): string | null {
  const n = text.length;
  if (n < 19 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return null;
  for (const i of DIGITS_AT) if (!isDigit(text.charCodeAt(i))) return null;
  let at = 19;
  let ms = '000';
  if (at < n && text.charCodeAt(at) === 46) {
    let end = at + 1;
    while (end < n && end - at <= 6 && isDigit(text.charCodeAt(end))) end++;
    if (end === at + 1) return null;
    ms = text.slice(at + 1, end).padEnd(3, '0').slice(0, 3);
    at = end;
  }
  const zone = at === n - 3 && text.charCodeAt(at) === 43 && text.charCodeAt(at + 1) === 48 && text.charCodeAt(at + 2) === 48;
  if ((zone ? n : at) !== n || zone !== zoned) return null;
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${ms}Z`;
}

/** The ISO text being built by `timestampBytesToIso` (one string made per value, from these bytes). */
const ISO_BYTES = Buffer.from('0000-00-00T00:00:00.000Z', 'latin1');

/**
 * `timestampToIso` of the text `buf[start, end)` holds, read from the bytes (COPY's output) and made as one string,
 * for the form `utcTimestamp` rewrites; null for anything else (a byte outside ASCII, another zone, a fraction with
 * no digit), which the caller reads as text. Where it answers, it answers what `utcTimestamp` answers on the text.
 */
export function timestampBytesToIso(buf: Uint8Array, start: number, end: number, zoned: boolean): string | null {
  const n = end - start;
  if (n < 19 || buf[start + 4] !== 45 || buf[start + 7] !== 45 || buf[start + 10] !== 32 || buf[start + 13] !== 58 || buf[start + 16] !== 58) return null;
  for (const i of DIGITS_AT) if (!isDigit(buf[start + i]!)) return null;
  let at = 19;
  let digits = 0;
  if (at < n && buf[start + at] === 46) {
    let stop = at + 1;
    while (stop < n && stop - at <= 6 && isDigit(buf[start + stop]!)) stop++;
    if (stop === at + 1) return null;
    digits = stop - at - 1;
    at = stop;
  }
  const zone = at === n - 3 && buf[start + at] === 43 && buf[start + at + 1] === 48 && buf[start + at + 2] === 48;
  if ((zone ? n : at) !== n || zone !== zoned) return null;
  const iso = ISO_BYTES;
  for (let i = 0; i < 10; i++) iso[i] = buf[start + i]!;
  for (let i = 11; i < 19; i++) iso[i] = buf[start + i]!;
  // Milliseconds: the first three fraction digits, zeros after a shorter fraction (as `utcTimestamp` pads them).
  for (let i = 0; i < 3; i++) iso[20 + i] = i < digits ? buf[start + 20 + i]! : 48;
  return iso.toString('latin1', 0, 24);
}

const POWERS_OF_TEN = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14];

/**
 * `exactNumberFast` of the text `buf[start, end)` holds, read from the bytes, for the text its fast path reads with
 * Number() (PLAIN_NUMBER: `-`? 1–15 whole digits, optionally `.` and 1–14 fraction digits, 16 characters at most
 * without the sign); null for any other text, which the caller reads as text (issue 16: no string, no match per
 * value). The digits make an integer m < 10^15 (a double exactly) and the fraction's length d <= 14 (10^d a double
 * exactly), so m / 10^d is one correctly rounded division, which is what Number() answers on that decimal text.
 */
export function plainNumberBytes(buf: Uint8Array, start: number, end: number): number | null {
  let i = start;
  const neg = buf[i] === 45;
  if (neg) i++;
  const n = end - i;
  if (n < 1 || n > 16) return null;
  let m = 0;
  let whole = 0;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c < 48 || c > 57) break;
    m = m * 10 + (c - 48);
    whole++;
  }
  if (whole === 0 || whole > 15) return null;
  let frac = 0;
  if (i < end) {
    if (buf[i] !== 46) return null;
    for (i++; i < end; i++) {
      const c = buf[i]!;
      if (c < 48 || c > 57) return null;
      m = m * 10 + (c - 48);
      frac++;
    }
    if (frac === 0 || frac > 14) return null;
  }
  const v = frac === 0 ? m : m / POWERS_OF_TEN[frac]!;
  return (neg ? -v : v) + 0; // + 0: `-0` is 0, as Number(text) + 0 reads it
}

/** The bytes-first parsers of the types that have one (timestamps, integers and numeric), by type oid. */
export function postgresBytesParser(oid: number): ((buf: Uint8Array, start: number, end: number) => string | number | null) | undefined {
  if (oid === 1114) return (buf, start, end) => timestampBytesToIso(buf, start, end, false);
  if (oid === 1184) return (buf, start, end) => timestampBytesToIso(buf, start, end, true);
  if (oid === 20 || oid === 21 || oid === 23 || oid === 26 || oid === 1700) return plainNumberBytes;
  return undefined;
}

/** An offset with seconds: a zone's local mean time before it took standard time (Amsterdam before 1937: +00:19:32). */
const OFFSET_SECONDS = /([+-])(\d{2}):(\d{2}):(\d{2})$/;

function timestampToIsoByDate(text: string, zoned: boolean): string {
  let iso = text.replace(' ', 'T');
  if (!zoned) iso += 'Z';
  else if (/[+-]\d{2}$/.test(iso)) iso += ':00';
  else {
    // Date reads no seconds in an offset (fid13: such a time was kept as Postgres printed it, text in a date-time field).
    const offset = OFFSET_SECONDS.exec(iso);
    if (offset) {
      const local = Date.parse(`${iso.slice(0, offset.index)}Z`);
      const seconds = Number(offset[2]) * 3600 + Number(offset[3]) * 60 + Number(offset[4]);
      if (!Number.isNaN(local)) return new Date(local - (offset[1] === '-' ? -1 : 1) * seconds * 1000).toISOString();
    }
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

/**
 * int8 and numeric as Weft numbers: a JS number when it holds the value exactly, else the exact decimal text
 * (`9007199254740993`, `0.1234567890123456789`), never a rounded double. NaN and Infinity stay as printed.
 */
const toNumber = (text: string): number | string => exactNumberFast(text) ?? text;
/** float4/float8 are doubles already: Postgres prints the shortest text that reads back as the same double. */
const toFloat = (text: string): number | string => {
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
};

/** Money prints with the server's lc_monetary (e.g. `-$1,234.56`); keep the sign, digits and decimal point. */
const moneyToNumber = (text: string): number | string => toNumber(text.replace(/[^0-9.-]/g, ''));

const PARSERS: Record<number, (text: string) => unknown> = {
  16: (t) => t === 't',
  20: toNumber,
  21: toNumber,
  23: toNumber,
  26: toNumber,
  700: toFloat,
  701: toFloat,
  1700: toNumber,
  790: moneyToNumber,
  1082: (t) => t,
  1114: (t) => timestampToIso(t, false),
  1184: (t) => timestampToIso(t, true),
};

/** Every other type (json, uuid, arrays, intervals...) arrives as Postgres prints it: text. */
export function parsePostgresValue(oid: number): (text: string) => unknown {
  return PARSERS[oid] ?? ((t) => t);
}
