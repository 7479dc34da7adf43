// Weft's field types: the one vocabulary shared by files, the workspace, the compiler and the UI.
import { z } from 'zod';

import { ISO_4217_CODES } from './currency-codes';

export const FieldType = z.enum(['text', 'number', 'currency', 'date', 'datetime', 'boolean', 'reference']);
export type FieldType = z.infer<typeof FieldType>;

export const FIELD_TYPE_LABELS: Record<FieldType, string> = {
  text: 'Text',
  number: 'Number',
  currency: 'Currency',
  date: 'Date',
  datetime: 'Date & time',
  boolean: 'Boolean',
  reference: 'Reference',
};

/** A workspace object's name, as the workspace target accepts it. */
export const OBJECT_NAME = /^[a-z][a-z0-9_]*$/;

export const Field = z.object({
  name: z.string().min(1, 'Field name is required'),
  type: FieldType,
  /** Currency: the ISO 4217 code of its amounts (blank: not said). */
  currency: z.string().max(3).optional(),
  /** Reference: the workspace object whose record key the value names. */
  ref: z.string().max(63).optional(),
});
export type Field = z.infer<typeof Field>;

/**
 * Why `field` cannot be written to `object`'s attribute `attr` of the same name, or null: another type, another
 * currency code, another referenced object. The compiler reports it before publish; the workspace write refuses it at
 * run time (the object may have been made by another integration after this one was published).
 */
export function attributeMismatch(object: string, attr: Field, field: Field): string | null {
  if (attr.type !== field.type) return `"${field.name}" is ${field.type} but ${object}.${attr.name} is ${attr.type}`;
  if (attr.type === 'reference' && attr.ref && field.ref && attr.ref !== field.ref) return `"${field.name}" references ${field.ref} but ${object}.${attr.name} references ${attr.ref}`;
  if (attr.type === 'currency' && attr.currency && field.currency && attr.currency !== field.currency) return `"${field.name}" holds ${field.currency} amounts but ${object}.${attr.name} holds ${attr.currency}`;
  return null;
}

/** The shape of the rows that flow out of a node: ordered fields and, when known, the key. */
export const RowSchema = z.object({
  fields: z.array(Field),
  key: z.array(z.string()).default([]),
});
export type RowSchema = z.infer<typeof RowSchema>;

export type Row = Record<string, unknown>;

export type Converted = { ok: true; value: unknown } | { ok: false; reason: string };

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A number whose commas group its whole part in thousands: `1,234`, `-12,345,678.9`. */
const THOUSANDS = /^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$/;
/** A date followed by a time (`2026-03-04T…`, `2026-03-04 …`): read as a Date only when it is a valid Date-time. */
const DATE_THEN_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]/;
const SLASH_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

function isValidDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Why a value does not fit its type; returned (not thrown) by `coerceValue` so the hot path allocates nothing on success. */
export class ConversionFailure {
  constructor(readonly reason: string) {}
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Whether month `m` (1-12) of year `y` has a day `d`. */
const isCalendarDay = (y: number, m: number, d: number): boolean => m >= 1 && m <= 12 && d >= 1 && d <= (m === 2 && isLeap(y) ? 29 : DAYS[m - 1]!);
const digits = (s: string, from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
};
/** The positions of the digits in `YYYY-MM-DDTHH:MM:SS.sssZ`. */
const CANONICAL_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];
/**
 * `YYYY-MM-DDTHH:MM:SS.sssZ`, what `toISOString()` prints: already canonical, only its calendar needs a check. Read
 * by character codes (what `/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/` matches; tested against it).
 */
function isCanonicalDatetime(s: string): boolean {
  if (s.length !== 24 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90) return false;
  for (const i of CANONICAL_DIGITS) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const y = digits(s, 0, 4);
  const m = digits(s, 5, 7);
  const d = digits(s, 8, 10);
  if (m < 1 || m > 12 || d < 1 || d > (m === 2 && isLeap(y) ? 29 : DAYS[m - 1]!)) return false;
  return digits(s, 11, 13) < 24 && digits(s, 14, 16) < 60 && digits(s, 17, 19) < 60;
}
/**
 * Plain decimal text a double holds exactly (`-12`, `3.50`): at most 15 digits in all, so Number() reads it
 * back to the same decimal. Longer text goes through `exactNumber`.
 */
const PLAIN_NUMBER = /^-?(?=[\d.]{1,16}$)\d{1,15}(\.\d{1,14})?$/;
/** 10^0 ... 10^14, each a double exactly. */
const PLAIN_SCALE = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14];

/**
 * `PLAIN_NUMBER.test(text) ? Number(text) + 0 : undefined`, read by character codes (a CSV's ids, counts and amounts:
 * a million values a column; the expression and Number() were ~150-300 ns a value, this ~25-60). The text is `-`?,
 * 1-15 digits, then maybe `.` and 1-14 digits, 15 digits at most in all: its digits D are read exactly (D < 10^15 <
 * 2^53) and, with f fraction digits, D / 10^f is one correctly rounded division of two exact doubles, which is the
 * double nearest the decimal, as Number() reads it. `+ 0` makes `-0` 0. Exported for its test (plain-number.test.ts).
 */
export function plainNumber(text: string): number | undefined {
  const len = text.length;
  const neg = text.charCodeAt(0) === 45;
  const start = neg ? 1 : 0;
  if (len - start < 1 || len - start > 16) return undefined;
  let d = 0;
  let i = start;
  for (; i < len; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    d = d * 10 + c;
  }
  if (i === start || i - start > 15) return undefined;
  if (i < len) {
    // A point and 1-14 digits; with 16 characters at most, 15 digits at most in all.
    if (text.charCodeAt(i) !== 46 || i + 1 === len) return undefined;
    const scale = PLAIN_SCALE[len - i - 1]!;
    for (i++; i < len; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return undefined;
      d = d * 10 + c;
    }
    d /= scale;
  }
  return (neg ? -d : d) + 0;
}
const DECIMAL_TEXT = /^([-+]?)(\d*)(?:\.(\d*))?$/;
/** Decimal text with an exponent (`1e3`, `-2.5E-7`): the only other form a text number may take. */
const DECIMAL_WITH_EXPONENT = /^[-+]?(?:\d+\.?\d*|\.\d+)e[-+]?\d+$/i;

/** Decimal text in canonical form: no `+`, no leading zeros, no trailing fraction zeros, `-0` is `0`. */
export function canonicalDecimal(text: string): string | null {
  const m = DECIMAL_TEXT.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const int = (m[2] ?? '').replace(/^0+(?=\d)/, '') || '0';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const body = frac === '' ? int : `${int}.${frac}`;
  return m[1] === '-' && body !== '0' ? `-${body}` : body;
}

/** A double as plain decimal text (no exponent): what it exactly reads back as. */
function plainOfNumber(n: number): string {
  const s = String(n);
  const e = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!e) return s;
  const [, sign, lead, rest = '', expText] = e;
  const digits = lead! + rest;
  const exp = Number(expText);
  const body = exp >= 0 ? digits.padEnd(exp + 1, '0') : `0.${'0'.repeat(-exp - 1)}${digits}`;
  return `${sign}${canonicalDecimal(body)}`;
}

/**
 * A decimal's value as Weft holds a number: a JS number when it reads back as the same decimal
 * (`0.1`, `2^53`), else the canonical decimal text itself (`9007199254740993`, 30-digit decimals), so
 * nothing is rounded on the way. Null when the text is not a plain decimal.
 */
export function exactNumber(text: string): number | string | null {
  const canonical = canonicalDecimal(text);
  if (canonical === null) return null;
  const n = Number(canonical);
  if (!Number.isFinite(n)) return canonical;
  return plainOfNumber(n) === canonical ? n || 0 : canonical;
}

/**
 * `exactNumber` with the fast path `coerceValue` takes: plain decimal text of at most 15 digits is read by Number()
 * (a double holds it exactly and prints it back as its canonical text), anything else goes through `exactNumber`.
 * For drivers' number text, a million values a run (runtime/connectors/postgres/type-map.ts).
 */
export const exactNumberFast = (text: string): number | string | null => {
  if (PLAIN_NUMBER.test(text)) return Number(text) + 0;
  const n = roundTrip(text);
  return n !== null && !text.includes('e') ? n : exactNumber(text);
};

/**
 * The number `text` is when it is exactly how JavaScript prints that number (`0.12345678901234567`, a random
 * double's 17 digits, which PLAIN_NUMBER leaves out), else null. Such text has no leading zeros, no trailing
 * fraction zeros and no sign but `-`, so it is its own canonical decimal and reads back as itself: the reference
 * conversion answers the same number (tested), without its regular expressions and `plainOfNumber`.
 */
export function roundTrip(text: string): number | null {
  const fast = shortestDecimal(text);
  if (fast !== undefined) return fast;
  const n = Number(text);
  return Number.isFinite(n) && String(n) === text ? n + 0 : null;
}

/** 10^0 ... 10^22: every one a double exactly (10^22 = 2^22 * 5^22, and 5^22 < 2^53). */
const POWERS_OF_TEN = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * `roundTrip`'s answer without printing the number (`String(n)` is most of its cost), where it can be proved from
 * the text's digits; undefined, for `roundTrip`'s own test, wherever it cannot. It only ever accepts: a text it does
 * not prove to be `String(n)` goes to the test, so the answer is the same on every input (tested against the test on
 * hundreds of thousands of generated and hostile texts).
 *
 * The text must be `-`? then digits without a leading zero (or `0.` then at most 5 zeros then the rest), an optional
 * `.` and digits ending in a non-zero digit, at most 21 whole digits: the layout in which ECMAScript's
 * Number::toString prints a number of k significant digits s and decimal point position N (k <= N <= 21: s then
 * N - k zeros; 0 < N < k: s with a point after N digits; -6 < N <= 0: `0.`, -N zeros, s). Its significant digits are
 * the integer D (k digits, the last not 0) times 10^e. When 1 < D < 2^53 and |e| <= 22, D, D - 1, D + 1 and 10^|e|
 * are doubles exactly, so one multiplication or division each rounds the decimals (D-1)*10^e, D*10^e and (D+1)*10^e
 * correctly, as Number() must (fewer than 21 significant digits, so correctly rounded). Let x be the value of D*10^e.
 * If (D-1)*10^e and (D+1)*10^e both round to another double, then every decimal that rounds to x lies strictly
 * between them (those decimals form an interval); there, as 10^(k-1) <= D-1 and D+1 <= 10^k, the only decimal of k or
 * fewer significant digits is D*10^e itself. So toString's "k as small as possible" is this k and its s is D (no other
 * choice, no tie), its N is the text's, and it prints the text exactly: the answer is x, signed (never -0, as D > 0).
 * A random double's 17 digits (D past 2^53) go to `longDecimal`. Exported for its test (round-trip.test.ts).
 */
export function shortestDecimal(text: string): number | undefined {
  const len = text.length;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  const neg = i === 1;
  const first = text.charCodeAt(i); // NaN past the end: not a digit
  if (!(first >= 48 && first <= 57)) return undefined;
  let d = 0;
  let k = 0; // significant digits read into d
  let zeros = 0; // zeros after the last non-zero digit read, not yet in d
  if (first === 48) {
    // `0.` then at most 5 zeros (N > -6) before the first significant digit.
    if (text.charCodeAt(i + 1) !== 46) return undefined;
    i += 2;
    const start = i;
    while (i < len && text.charCodeAt(i) === 48) i++;
    if (i - start > 5) return undefined;
    // 17 digits, or 16 from a 9 (mostly past 2^53): D is read by Number().
    if (len - i === 17 || (len - i === 16 && text.charCodeAt(i) === 57)) return longDecimal(text, i, len, -1, start - len, neg, len - i);
    if (len - i > 16) return undefined; // more than 17 digits, or not digits
    const fracStart = start;
    const digitsFrom = i;
    for (; i < len; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return undefined;
      if (c === 0) zeros++;
      else {
        k += zeros + 1;
        if (k > 16) return undefined;
        for (; zeros > 0; zeros--) d *= 10;
        d = d * 10 + c;
      }
    }
    if (k === 0 || zeros > 0) return undefined; // `0.`, `0.000`, trailing fraction zeros
    // 16 digits whose D±1 round to the same double (most in [0.5, 1)): the closeness test can still prove them.
    return signedExact(d, k, fracStart - len, neg) ?? (k === 16 ? longDecimal(text, digitsFrom, len, -1, fracStart - len, neg, 16) : undefined);
  }
  // More than 17 characters: more than 16 digits and a point, or an integer of more than 17 digits (left to the test:
  // those with 16 or fewer significant digits, 1000000000000000000, are rare in data); 16 digits from 9 and 17 digits
  // with a point go to longDecimal.
  if (len - i === 18 || (len - i === 17 && first === 57)) {
    const dot = text.indexOf('.', i);
    return dot > i && dot < len - 1 ? longDecimal(text, i, len, dot, dot + 1 - len, neg, len - i - 1) : undefined;
  }
  if (len - i > 17) return undefined;
  let whole = 0;
  for (; i < len; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    whole++;
    if (c === 0) zeros++;
    else {
      for (; zeros > 0; zeros--) d *= 10;
      d = d * 10 + c;
      k += zeros + 1;
      if (k > 16) return undefined;
    }
  }
  if (whole > 21) return undefined;
  if (i === len) return signedExact(d, k, zeros, neg); // an integer: its trailing zeros are e
  if (text.charCodeAt(i) !== 46 || i + 1 === len) return undefined;
  const fracStart = ++i;
  // The whole part's trailing zeros are significant now.
  for (; zeros > 0; zeros--) d *= 10;
  for (; i < len; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    if (c === 0) zeros++;
    else {
      for (; zeros > 0; zeros--) d *= 10;
      d = d * 10 + c;
    }
  }
  if (zeros > 0) return undefined; // trailing fraction zeros
  k = whole + (len - fracStart);
  if (k > 16) return undefined;
  return signedExact(d, k, fracStart - len, neg) ?? (k === 16 ? longDecimal(text, neg ? 1 : 0, len, fracStart - 1, fracStart - len, neg, 16) : undefined);
}

/** Veltkamp's splitter for binary64: 2^27 + 1. */
const SPLITTER = 134217729;

/**
 * `shortestDecimal` for k = 17 significant digits, or 16 (from a 9, past or near 2^53, so D + 1 may not be a double;
 * or whose D±1 round to the same double): the characters from `from` to `len` (a point at `dot`, or -1 for none, the
 * layout checked by the caller but for the digits themselves), D = 10 D' + c times 10^e, e < 0, D >= 10^15. Its value x
 * is read by Number() (correctly rounded: fewer than 21 digits) and proved the answer when:
 * (1) D' < 2^53 - 1 and 0 <= -e - 1 <= 22, so that D' * 10^(e+1) and (D' + 1) * 10^(e+1), the nearest decimals of
 * k - 1 or fewer significant digits below and above the text (10^(k-1) <= D), are each rounded correctly by one
 * division, and neither gives x: as in shortestDecimal, no decimal of fewer digits rounds to x, and no decimal of k
 * digits outside [10^(k-1+e), 10^(k+e)); so toString's k is this k, its s the k-digit multiple of 10^e closest to x;
 * (2) |x - D * 10^e| < 10^e / 2, so that s is D (every other multiple of 10^e is further than 10^e / 2 from x; no
 * tie). With P = 10^-e (a double exactly, -e <= 22), (2) is |x P - D| < 1/2. x P is hi + lo exactly (Dekker's product,
 * error-free in binary64 without overflow or underflow: x P is near D < 10^17). hi is within 2^-52 of D relatively,
 * so hi - 8 D' and then (hi - 8 D') - 2 D' are exact (Sterbenz: each pair within a factor of 2; D' >= 10^14), as is
 * minus c: hi >= 10^15 > 2^49 is a multiple of 1/8, so hi - 10 D' (under 32 in size) and b = hi - D are small
 * multiples of 1/8, doubles exactly. (2) is then -1/2 - b < lo < 1/2 - b, both bounds exact.
 */
function longDecimal(text: string, from: number, len: number, dot: number, e: number, neg: boolean, k: number): number | undefined {
  if (e > -1 || e < -22) return undefined;
  let d = 0;
  let count = 0;
  let c = 0;
  for (let i = from; i < len; i++) {
    if (i === dot) continue;
    const x = text.charCodeAt(i) - 48;
    if (!(x >= 0 && x <= 9)) return undefined;
    if (++count < k) d = d * 10 + x;
    else c = x;
  }
  // The first digit is not 0 (the caller's layout), the last must not be either; d < 2^53 - 1 for the digits too.
  if (count !== k || c === 0 || d >= Number.MAX_SAFE_INTEGER || d < 1e14) return undefined;
  const n = Number(text);
  const x = neg ? -n : n;
  const p1 = POWERS_OF_TEN[-e - 1]!;
  if (d / p1 === x || (d + 1) / p1 === x) return undefined;
  const p = POWERS_OF_TEN[-e]!;
  const hi = x * p;
  const xs = SPLITTER * x;
  const xh = xs - (xs - x);
  const xl = x - xh;
  const ps = SPLITTER * p;
  const ph = ps - (ps - p);
  const pl = p - ph;
  const lo = xh * ph - hi + xh * pl + xl * ph + xl * pl;
  const b = hi - 8 * d - 2 * d - c;
  return lo < 0.5 - b && lo > -0.5 - b ? n : undefined;
}

/** D * 10^e as a double when the decimals next to it (D +- 1, same e) round to other doubles (see shortestDecimal). */
function signedExact(d: number, k: number, e: number, neg: boolean): number | undefined {
  // d was built from at most 16 digits: exact while below 2^53, and at least 2^53 when the digits are (rounding is
  // monotonic), so this bound holds for the digits themselves. d > 1: 10^(k-1) <= d - 1 (d's last digit is not 0).
  if (d <= 1 || d >= Number.MAX_SAFE_INTEGER || e > 22 || e < -22 || k < 1) return undefined;
  const p = POWERS_OF_TEN[e < 0 ? -e : e]!;
  const x = e < 0 ? d / p : d * p;
  const below = e < 0 ? (d - 1) / p : (d - 1) * p;
  const above = e < 0 ? (d + 1) / p : (d + 1) * p;
  if (below === x || above === x) return undefined;
  return neg ? -x : x;
}

/** A Weft number (a JS number or exact decimal text) as canonical decimal text, for comparing values exactly. */
export const decimalText = (v: number | string): string => (typeof v === 'number' ? plainOfNumber(v) : (canonicalDecimal(v) ?? v));

/** -1, 0 or 1: two Weft numbers compared exactly, decimal text included (no rounding to a double). */
export function compareNumbers(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  const x = decimalText(a);
  const y = decimalText(b);
  if (x === y) return 0;
  const xNeg = x.startsWith('-');
  const yNeg = y.startsWith('-');
  if (xNeg !== yNeg) return xNeg ? -1 : 1;
  const [xi = '', xf = ''] = (xNeg ? x.slice(1) : x).split('.');
  const [yi = '', yf = ''] = (yNeg ? y.slice(1) : y).split('.');
  let magnitude = xi.length !== yi.length ? Math.sign(xi.length - yi.length) : xi < yi ? -1 : xi > yi ? 1 : 0;
  if (magnitude === 0) {
    const width = Math.max(xf.length, yf.length);
    const a2 = xf.padEnd(width, '0');
    const b2 = yf.padEnd(width, '0');
    magnitude = a2 < b2 ? -1 : a2 > b2 ? 1 : 0;
  }
  return xNeg ? -magnitude : magnitude;
}

/** True when the decimal text reads back unchanged as a JS number (so detection may call it a Number). */
export const fitsNumber = (text: string): boolean => typeof exactNumber(text) === 'number';
const isDigitAt = (s: string, i: number) => {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
};
const digitsAt = (s: string, from: number, to: number) => {
  for (let i = from; i < to; i++) if (!isDigitAt(s, i)) return false;
  return true;
};

/**
 * `commonDatetime` for the form most exports print, read by character codes (no match array or capture strings per
 * value): `YYYY-MM-DD HH:MM:SS` or with `T`, up to 3 fraction digits, then nothing, `Z`, `+00`, `+00:00` or `+0000`.
 * Undefined for anything else, which the regular expression then reads; where it answers, it answers what
 * `commonDatetime`'s own UTC branch does (tested against it on generated texts).
 */
function utcDatetime(s: string): string | null | undefined {
  const len = s.length;
  if (len < 19 || len > 29) return undefined;
  if (!digitsAt(s, 0, 4) || s.charCodeAt(4) !== 45 || !digitsAt(s, 5, 7) || s.charCodeAt(7) !== 45 || !digitsAt(s, 8, 10)) return undefined;
  const sep = s.charCodeAt(10);
  if ((sep !== 84 && sep !== 32) || !digitsAt(s, 11, 13) || s.charCodeAt(13) !== 58 || !digitsAt(s, 14, 16) || s.charCodeAt(16) !== 58 || !digitsAt(s, 17, 19)) return undefined;
  let at = 19;
  let fracDigits = 0;
  if (at < len && s.charCodeAt(at) === 46) {
    let end = at + 1;
    while (end < len && end < at + 4 && isDigitAt(s, end)) end++;
    if (end === at + 1) return undefined;
    fracDigits = end - at - 1;
    at = end;
  }
  const zone = len - at;
  const utc =
    zone === 0 ||
    (zone === 1 && s.charCodeAt(at) === 90) ||
    (s.charCodeAt(at) === 43 && s.charCodeAt(at + 1) === 48 && s.charCodeAt(at + 2) === 48 && (zone === 3 || (zone === 5 && s.charCodeAt(at + 3) === 48 && s.charCodeAt(at + 4) === 48) || (zone === 6 && s.charCodeAt(at + 3) === 58 && s.charCodeAt(at + 4) === 48 && s.charCodeAt(at + 5) === 48)));
  if (!utc) return undefined;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 7);
  const day = digits(s, 8, 10);
  // Date.UTC reads years 0-99 as 1900-1999: those stay with the reference, as in commonDatetime.
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > 31 || digits(s, 11, 13) > 23 || digits(s, 14, 16) > 59 || digits(s, 17, 19) > 59) return null;
  if (day > (month === 2 && isLeap(year) ? 29 : DAYS[month - 1]!)) return undefined;
  // `${date}T${time}.${fraction padded to 3}Z` made at once from the (ASCII) characters checked above: a flat string,
  // where concatenation makes a rope that every later read (the Map's check, the COPY writer) flattens again.
  const f0 = fracDigits > 0 ? s.charCodeAt(20) : 48;
  const f1 = fracDigits > 1 ? s.charCodeAt(21) : 48;
  const f2 = fracDigits > 2 ? s.charCodeAt(22) : 48;
  return String.fromCharCode(
    s.charCodeAt(0), s.charCodeAt(1), s.charCodeAt(2), s.charCodeAt(3), 45, s.charCodeAt(5), s.charCodeAt(6), 45, s.charCodeAt(8), s.charCodeAt(9), 84,
    s.charCodeAt(11), s.charCodeAt(12), 58, s.charCodeAt(14), s.charCodeAt(15), 58, s.charCodeAt(17), s.charCodeAt(18), 46, f0, f1, f2, 90,
  );
}

/** Date-times as databases and spreadsheets print them: `2026-03-04 10:00:00`, `...T10:00:00.123+02`, `...Z`. */
const COMMON_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
/** A common date-time to its ISO form in UTC by arithmetic, or null to leave it to the reference conversion. */
function commonDatetime(s: string): string | null {
  const utc = utcDatetime(s);
  if (utc !== undefined) return utc;
  const m = COMMON_DATETIME.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, se, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(se);
  // Date.UTC reads years 0-99 as 1900-1999: those stay with the reference.
  if (Number(y) < 100 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  // No such calendar day (February 30th, April 31st): Date.UTC would roll it into the next month without a word; the
  // reference conversion says why not (probe18).
  if (day > (month === 2 && isLeap(Number(y)) ? 29 : DAYS[month - 1]!)) return null;
  // Already in UTC with a real calendar day: rewritten, without a Date (most exports print this way).
  if ((zone === undefined || zone === 'Z' || zone === '+00' || zone === '+00:00' || zone === '+0000') && day <= (month === 2 && isLeap(Number(y)) ? 29 : DAYS[month - 1]!)) {
    return `${y}-${mo}-${d}T${h}:${mi}:${se}.${frac ? frac.padEnd(3, '0') : '000'}Z`;
  }
  let offset = 0;
  if (zone && zone !== 'Z') {
    const sign = zone.charCodeAt(0) === 45 ? -1 : 1;
    const digitsOnly = zone.slice(1).replace(':', '');
    const zoneHours = Number(digitsOnly.slice(0, 2));
    const zoneMinutes = digitsOnly.length > 2 ? Number(digitsOnly.slice(2, 4)) : 0;
    // No such offset (+14:60, +99:99): the arithmetic would move the instant by it; the reference says why not.
    if (zoneHours > 23 || zoneMinutes > 59) return null;
    offset = sign * (zoneHours * 60 + zoneMinutes);
  }
  const ms = frac ? Number(frac.padEnd(3, '0')) : 0;
  const time = Date.UTC(Number(y), month - 1, day, hour, minute, second, ms) - offset * 60_000;
  const date = new Date(time);
  const year = date.getUTCFullYear();
  return year < 1 || year > 9999 ? null : date.toISOString();
}

/** `YYYY-MM-DD` with a real calendar day. */
function isCanonicalDate(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || !ISO_DATE.test(s)) return false;
  const y = digits(s, 0, 4);
  const m = digits(s, 5, 7);
  const d = digits(s, 8, 10);
  return m >= 1 && m <= 12 && d >= 1 && d <= (m === 2 && isLeap(y) ? 29 : DAYS[m - 1]!);
}
/** Every whitespace character is <= U+0020 or non-ASCII, so only such a first character needs the trim. */
const isBlank = (s: string) => s.length === 0 || ((s.charCodeAt(0) <= 32 || s.charCodeAt(0) >= 0x80) && s.trim() === '');

/**
 * The value converted to a field type, or a ConversionFailure saying why not. Blank text becomes null, except as Text.
 * Dates are kept as ISO `YYYY-MM-DD` strings and date-times as ISO strings in UTC, so they survive JSON unchanged.
 * Values already in their canonical form (a finite number, an ISO string) come back as they are, without allocating:
 * every row of every batch passes through here.
 */
export function coerceValue(value: unknown, type: FieldType): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    // Text is kept as it is, empty or blank too ('' and NULL are different values; sources decide which they read).
    if (type === 'text') return value;
    if (isBlank(value)) return null;
    if (type === 'reference') return value;
    if (type === 'number') {
      const plain = plainNumber(value); // what PLAIN_NUMBER reads, without the expression; "-0" is 0, as the reference reads it
      if (plain !== undefined) return plain;
      const n = roundTrip(value);
      if (n !== null) return n;
    }
    if (type === 'datetime') {
      if (isCanonicalDatetime(value)) return value;
      const common = commonDatetime(value);
      if (common !== null) return common;
    }
    if (type === 'date' && isCanonicalDate(value)) return value;
  } else if (typeof value === 'number' && (type === 'number' || type === 'currency') && Number.isFinite(value)) {
    return value;
  } else if (typeof value === 'boolean' && type === 'boolean') return value;
  const c = convertValueReference(value, type);
  return c.ok ? c.value : new ConversionFailure(c.reason);
}

/**
 * `coerceValue`, its commonest answers first: null for null, text as text, a finite number as a number or currency.
 * Small enough for the optimizer to inline into the row loops (source typing, the Map); every other value goes to
 * `coerceValue`, so the answer is the same for every input.
 */
export const coerceValueFast = (value: unknown, type: FieldType): unknown =>
  value === null || value === undefined
    ? null
    : typeof value === 'string' && type === 'text'
      ? value
      : typeof value === 'number' && (type === 'number' || type === 'currency') && Number.isFinite(value)
        ? value
        : coerceValue(value, type);

/** Converts a raw value (usually text from a file) to a field type. Empty text becomes null. */
export function convertValue(value: unknown, type: FieldType): Converted {
  const v = coerceValue(value, type);
  return v instanceof ConversionFailure ? { ok: false, reason: v.reason } : { ok: true, value: v };
}

/** The reference conversion, without fast paths: `coerceValue` must agree with it on every input (tested). */
export function convertValueReference(value: unknown, type: FieldType): Converted {
  if (value === null || value === undefined) return { ok: true, value: null };
  if (typeof value === 'string' && type === 'text') return { ok: true, value };
  if (typeof value === 'string' && value.trim() === '') return { ok: true, value: null };
  switch (type) {
    case 'text':
      return { ok: true, value: typeof value === 'string' ? value : String(value) };
    case 'reference': {
      // A reference holds the referenced record's key as text; an exact number is its decimal text.
      if (typeof value === 'string') return { ok: true, value };
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value: decimalText(value) };
      if (typeof value === 'bigint') return { ok: true, value: value.toString() };
      return { ok: false, reason: `${typeof value === 'boolean' ? String(value) : 'the value'} is not a record key` };
    }
    case 'number':
    case 'currency': {
      if (typeof value === 'number') {
        return Number.isFinite(value) ? { ok: true, value } : { ok: false, reason: `${String(value)} is not a finite number` };
      }
      if (typeof value === 'boolean') return { ok: false, reason: `${String(value)} is not a number` };
      const text = String(value).trim();
      const unsigned = type === 'currency' ? text.replace(/^[-+]?[$€£¥]/, (m) => m.replace(/[$€£¥]/, '')) : text;
      // A comma separates thousands (1,234.5), nothing else: "12,50" (a decimal comma) read as 1250 and "1.234,56" as
      // 1.23456, a wrong amount without a word (probe18).
      // The mantissa of a number with an exponent too: a European export's "1,5E+02" (150) was read as 15E+02 (1500).
      const mantissa = unsigned.replace(/e[-+]?\d+$/i, '');
      if (unsigned.includes(',') && /^[-+]?[\d.,]+$/.test(mantissa) && !THOUSANDS.test(mantissa)) return { ok: false, reason: `"${text}" is not a number: a comma may only separate thousands (1,234.5)` };
      const cleaned = unsigned.replace(/,/g, '');
      // Plain decimals are kept exact (decimal text when a double cannot hold them); other forms (1e3) as Number reads them.
      const exact = exactNumber(cleaned);
      if (exact !== null) return { ok: true, value: exact };
      // Only decimal text is a number: JavaScript's Number() also reads 0x10 (16), 0b11 (3) and 0o17 (15), so a column
      // of hex codes mapped as Number changed without a word (review15b). Refused naming the value (tidy16).
      if (!DECIMAL_WITH_EXPONENT.test(cleaned)) {
        const radix = /^[-+]?0([xbo])/i.exec(cleaned)?.[1]?.toLowerCase();
        const why = radix ? `: Weft reads decimal numbers only, not ${radix === 'x' ? 'hexadecimal' : radix === 'b' ? 'binary' : 'octal'} (map the column as Text, or convert it in a formula)` : '';
        return { ok: false, reason: `"${text}" is not a number${why}` };
      }
      const n = Number(cleaned);
      if (!Number.isFinite(n)) return { ok: false, reason: `"${text}" is too large for a number (at most about 1.8e308)` };
      // 1e-400 is 0 to a double: refused rather than written as 0 (a plain decimal that small is kept as exact text).
      if (n === 0 && /[1-9]/.test(cleaned.replace(/e.*$/i, ''))) return { ok: false, reason: `"${text}" is too close to 0 for a number (at least about 5e-324 apart from it)` };
      return { ok: true, value: n };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      const text = String(value).trim().toLowerCase();
      if (['true', 'yes', 'y', '1'].includes(text)) return { ok: true, value: true };
      if (['false', 'no', 'n', '0'].includes(text)) return { ok: true, value: false };
      return { ok: false, reason: `"${String(value)}" is not true or false` };
    }
    case 'datetime': {
      // RFC 3339 (5.6) lets the "T" and the "Z" be lower case: "2024-02-29t12:00:00z" is the same instant (review16a).
      const text = String(value).trim().replace(/^(\d{4}-\d{2}-\d{2})t(?=\d)/, '$1T').replace(/(\d)z$/, '$1Z');
      // A date-time without a zone is taken as UTC, so the browser and the server agree.
      // Postgres writes a whole-hour zone as "+00": JavaScript wants "+00:00".
      const hourZone = /[+-]\d{2}$/.test(text) && /[T ]\d{2}:\d{2}/.test(text) ? `${text}:00` : text;
      const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(hourZone) ? hourZone : `${hourZone.replace(' ', 'T')}Z`;
      // A day the month does not have is refused, not rolled into the next month (JavaScript reads 2026-02-30 as March 2nd).
      const ymd = ISO_DATE.exec(text.slice(0, 10));
      if (!(value instanceof Date) && ymd && (ISO_DATETIME.test(text) || ISO_DATE.test(text)) && !isCalendarDay(Number(ymd[1]), Number(ymd[2]), Number(ymd[3]))) {
        return { ok: false, reason: `"${String(value)}" is not a date and time: the calendar has no day ${ymd[1]}-${ymd[2]}-${ymd[3]}` };
      }
      const date = value instanceof Date ? value : ISO_DATETIME.test(text) ? new Date(zoned.replace(' ', 'T')) : ISO_DATE.test(text) ? new Date(`${text}T00:00:00Z`) : null;
      if (!date || Number.isNaN(date.getTime())) return { ok: false, reason: `"${String(value)}" is not a date and time (expected ISO 8601, e.g. 2026-03-01T09:30:00Z)${beyondCalendar(text)}` };
      return { ok: true, value: date.toISOString() };
    }
    case 'date': {
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) return { ok: false, reason: 'invalid date' };
        return { ok: true, value: value.toISOString().slice(0, 10) };
      }
      const text = String(value).trim();
      // A date-time text gives its date as written only when it is a date-time by the Date-time type's rules: the date
      // part of any text was read, so a leap second (23:59:60), an offset no zone has (+99:99) or text after the date
      // made a Date where Date-time refused the same value (review15b, tidy16).
      // A day the calendar here cannot hold (BC, `infinity`, past 9999) is said as such below (probe20).
      if (DATE_THEN_TIME.test(text) && beyondCalendar(text) === '') {
        const asDatetime = convertValueReference(text, 'datetime');
        if (!asDatetime.ok) return { ok: false, reason: `"${text}" is not a date: a date with a time must be a valid date and time${asDatetime.reason.slice(`"${text}" is not a date and time`.length)}` };
        return { ok: true, value: text.slice(0, 10) };
      }
      const iso = ISO_DATE.exec(text);
      if (iso) {
        const [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
        if (isValidDate(y, m, d)) return { ok: true, value: `${pad(y, 4)}-${pad(m)}-${pad(d)}` };
      }
      const us = SLASH_DATE.exec(text);
      if (us) {
        const [m, d, y] = [Number(us[1]), Number(us[2]), Number(us[3])];
        if (isValidDate(y, m, d)) return { ok: true, value: `${pad(y, 4)}-${pad(m)}-${pad(d)}` };
      }
      return { ok: false, reason: `"${text}" is not a date (expected YYYY-MM-DD or MM/DD/YYYY)${beyondCalendar(text)}` };
    }
  }
}

/**
 * Why a database's date that Weft's dates cannot hold was refused, said after the usual reason (probe20): Postgres
 * prints `infinity`/`-infinity`, days before the year 1 with ` BC`, and years past 9999 with five or more digits.
 */
function beyondCalendar(text: string): string {
  if (/^[-+]?infinity$/i.test(text)) return `: "${text}" is a database's endless date, which a Date or Date-time field cannot hold`;
  if (/\sBC$/i.test(text)) return ': it is a day before the year 1 (BC), which a Date or Date-time field cannot hold';
  if (/^\d{5,}-/.test(text)) return ': its year is past 9999, which a Date or Date-time field cannot hold';
  return '';
}

/** Guesses the narrowest field type that fits every non-empty sample value. */
export function inferFieldType(samples: readonly string[]): FieldType {
  const values = samples.map((s) => s.trim()).filter((s) => s !== '');
  if (values.length === 0) return 'text';
  const all = (re: RegExp) => values.every((v) => re.test(v));
  if (all(/^(true|false|yes|no)$/i)) return 'boolean';
  // Only numbers that read back unchanged: leading zeros (`00501`), ids past 2^53 and long digit strings stay text.
  const plainNumber = (v: string) => /^-?\d+(\.\d+)?$/.test(v) && !/^-?0\d/.test(v) && fitsNumber(v) && v.replace(/\D/g, '').length <= 15;
  if (values.every(plainNumber)) return 'number';
  if (all(/^-?[$€£¥]\s?-?[\d,]+(\.\d{1,2})?$/) && values.every((v) => fitsNumber(v.replace(/[^\d.-]/g, '')) && convertValue(v, 'currency').ok)) return 'currency';
  if (all(/^(\d{4}-\d{2}-\d{2}|\d{1,2}\/\d{1,2}\/\d{4})$/) && values.every((v) => convertValue(v, 'date').ok)) return 'date';
  if (all(ISO_DATETIME) && values.every((v) => convertValue(v, 'datetime').ok)) return 'datetime';
  return 'text';
}

/** Whether `code` is an ISO 4217 currency code in use (upper case, as the standard writes it). */
export const isCurrencyCode = (code: string): boolean => ISO_4217_CODES.has(code);

/** `EUR 12.50`, `12.50 EUR`, `-12.50eur`: an amount with its code, the code's case ignored. */
const CODED_AMOUNT = /^\s*(?:([A-Za-z]{3})\s*([-+]?[\d.,]+)|([-+]?[\d.,]+)\s*([A-Za-z]{3}))\s*$/;

/**
 * A value for a Currency field whose code is `code`: the amount, kept exact (a JS number only when it reads back as
 * the same decimal, else canonical decimal text, as every Weft number), or why not. Text may carry the code
 * (`EUR 12.50`, `12.50 EUR`): the same code is dropped, another one rejects the value, since converting between
 * currencies is not a type conversion.
 */
export function coerceCurrency(value: unknown, code: string): unknown {
  if (code !== '' && typeof value === 'string') {
    const m = CODED_AMOUNT.exec(value);
    if (m) {
      const given = (m[1] ?? m[4] ?? '').toUpperCase();
      if (given !== code) return new ConversionFailure(`"${value}" is in ${given}, but the field holds ${code} amounts`);
      return coerceValue(m[2] ?? m[3] ?? '', 'currency');
    }
  }
  return coerceValue(value, 'currency');
}
