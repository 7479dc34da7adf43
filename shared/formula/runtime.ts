// What compiled formulas share at run time: failure sites, blank rules, text conversion, caps.
import { LIMITS } from './limits';

/** Thrown inside a compiled formula and caught once per evaluation: rejects that record. */
export class FormulaFault {
  constructor(
    readonly message: string,
    readonly start: number,
    readonly end: number,
    /** The spreadsheet error value this failure is (#VALUE! when the failure names none). */
    readonly code: ErrorValue = '#VALUE!',
  ) {}
}

/** The spreadsheet error values a failure can be; IFERROR catches them all, IFNA only #N/A. */
export type ErrorValue = '#DIV/0!' | '#VALUE!' | '#N/A' | '#NUM!';

/**
 * One place in the formula that can fail, created once when compiling. Its `fail` names the
 * formula text so a rejected record says what went wrong where. `prep` holds what a function
 * prepared from its constant arguments (a parsed format, a compiled pattern, a value map).
 */
export class Site<P = unknown> {
  constructor(
    readonly start: number,
    readonly end: number,
    readonly snippet: string,
    readonly prep: P,
  ) {}

  fail(reason: string): never {
    throw new FormulaFault(`${reason} in ${this.snippet}`, this.start, this.end);
  }

  /** Fails with a named error value: "#DIV/0! Division by zero in [A] / [B]". */
  failWith(code: ErrorValue, reason: string): never {
    throw new FormulaFault(`${code} ${reason} in ${this.snippet}`, this.start, this.end, code);
  }
}

export function snippetOf(text: string, start: number, end: number): string {
  const s = text.slice(start, end).replace(/\s+/g, ' ');
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** A value for an error message: quoted text, cut short. */
export function show(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return String(v);
}

/** Blank: NULL or empty text (an empty list too). ISBLANK, = NULL and COALESCE use this. */
export const isBlank = (v: unknown): boolean => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/** Numbers as text: up to 15 significant digits, as Excel shows them (0.1 + 0.2 is "0.3"). */
export function numberToText(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  return String(Number(n.toPrecision(15)));
}

/** The text form of any single value, used by &, CONCAT and text targets. NULL is "". */
export function toText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return numberToText(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return String(v);
}

export function textTooLong(length: number, site: Site): never {
  return site.fail(`Text result is too long (${length.toLocaleString('en-US')} characters; the limit is ${LIMITS.textLength.toLocaleString('en-US')})`);
}

export function checkText(s: string, site: Site): string {
  if (s.length > LIMITS.textLength) textTooLong(s.length, site);
  return s;
}

export function checkNumber(n: number, site: Site): number {
  if (n - n !== 0) site.fail(Number.isNaN(n) ? 'The result is not a number' : 'The result is too large');
  return n;
}

/** Rounds half away from zero (Excel), correcting binary noise: ROUND(1.005, 2) is 1.01. */
export function roundHalfAway(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const d = Math.trunc(digits);
  if (d >= 0) {
    const m = 10 ** Math.min(d, 100);
    const scaled = Number((Math.abs(x) * m).toPrecision(15));
    if (!Number.isFinite(scaled)) return x;
    return Number(((Math.sign(x) * Math.round(scaled)) / m).toPrecision(15)) || 0;
  }
  // Every double is below half of 10^309: rounded to that many places, it is 0.
  if (-d > 308) return 0;
  const m = 10 ** -d;
  const scaled = Number((Math.abs(x) / m).toPrecision(15));
  return Math.sign(x) * Math.round(scaled) * m || 0;
}

/** Removes binary noise from a computed multiple: 2.7/0.1 is 27, not 27.000000000000004. */
export const clean = (x: number): number => Number(x.toPrecision(15)) || 0;

/**
 * Excel's comparison at 15 significant digits: -1, 0 or 1. Rounding can only matter when the two
 * numbers are within a few units of the 15th digit of each other, so only those pay for it.
 */
export function cmp15(a: number, b: number): number {
  if (a === b) return 0;
  const d = a - b;
  if (Math.abs(d) > 1e-13 * Math.max(Math.abs(a), Math.abs(b)) || d !== d) return d < 0 ? -1 : 1;
  const x = Number(a.toPrecision(15));
  const y = Number(b.toPrecision(15));
  return x === y ? 0 : x < y ? -1 : 1;
}
