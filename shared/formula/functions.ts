// The function table: one entry per function. The checker, compiler, editor and docs all read it.
import { convertValue, exactNumberFast } from '../graph/field-types';
import { suggest } from '../util/suggest';
import { comparable, makeComparison } from './compare';
import type { Compiled } from './compiled';
import {
  addToDate,
  DATE_UNITS,
  DAY_OR_LONGER,
  dateFormatProblems,
  diffDates,
  formatDate,
  formatDateTime,
  formatWith,
  makeDate,
  MAX_YEAR,
  MIN_YEAR,
  nowUtc,
  parseUnit,
  numericFormat,
  ParseMemo,
  parseWithFormat,
  readNumeric,
  toDayjs,
  todayUtc,
  type DateUnit,
} from './dates';
import { DATE_FUNCTIONS } from './functions-dates';
import { LOGIC_FUNCTIONS } from './functions-logic';
import { NUMBER_FUNCTIONS } from './functions-numbers';
import { TEXT_FUNCTIONS } from './functions-text';
import { MEMBER_FUNCTIONS } from './functions-members';
import { defineFunction, type ArgInfo, type CallInfo, type FunctionSpec } from './function-spec';
import { LIMITS } from './limits';
import { formatNumber, parseNumberFormat, type NumberFormat } from './number-format';
import { parseRegex, RegexError } from './regex-syntax';
import { compileRegex, TOO_MANY_STEPS, type CompiledRegex } from './regex-vm';
import { checkNumber, checkText, clean, isBlank, roundHalfAway, show, textTooLong, toText, type Site } from './runtime';
import { formatType, isNumeric, T, unify, type FormulaType } from './types';

// ---- helpers for checks --------------------------------------------------------------------

const arg = (c: CallInfo, i: number): ArgInfo => c.args[i] as ArgInfo;

/** Currency when any of the arguments is Currency, else Number. */
const numericOf = (types: readonly FormulaType[]): FormulaType => (types.some((t) => t.kind === 'Currency') ? T.Currency : T.Number);

/** The one type of the chosen arguments (IF's branches), reporting the first that does not fit. */
function unifyArgs(c: CallInfo, indices: readonly number[]): FormulaType {
  let acc: FormulaType = T.Null;
  for (const i of indices) {
    const a = c.args[i];
    if (!a) continue;
    const u = unify(acc, a.type);
    if (!u) {
      c.error(a, 'branch-types', `${c.name} gives ${formatType(acc)} in one case and ${formatType(a.type)} in another; they must have the same type`);
      return T.Any;
    }
    acc = u;
  }
  return acc;
}

/**
 * The constant text of argument i (undefined when the optional argument is absent), or null
 * after reporting why it cannot be used.
 */
function constText(c: CallInfo, i: number, what: string, example: string): string | null | undefined {
  const a = c.args[i];
  if (!a) return undefined;
  if (!a.constant || typeof a.constant.value !== 'string') {
    c.error(a, 'constant-required', `The ${what} must be text in quotes, such as ${example}`);
    return null;
  }
  return a.constant.value;
}

function constNumber(c: CallInfo, i: number, what: string): number | null | undefined {
  const a = c.args[i];
  if (!a) return undefined;
  if (!a.constant || typeof a.constant.value !== 'number') {
    c.error(a, 'constant-required', `The ${what} must be a number written in the formula`);
    return null;
  }
  return a.constant.value;
}

function unitArg(c: CallInfo, i: number): DateUnit | null {
  const text = constText(c, i, 'unit', '"day"');
  if (typeof text !== 'string') return null;
  const unit = parseUnit(text);
  if (!unit) c.error(arg(c, i), 'bad-argument', `Unknown unit ${show(text)}; use one of ${DATE_UNITS.join(', ')}`);
  return unit;
}

function dateFormatArg(c: CallInfo, i: number, parsing: boolean, fallback?: string): string | null {
  const text = constText(c, i, 'format', '"MM/DD/YYYY"');
  if (text === null) return null;
  if (text === undefined) return fallback ?? null;
  let ok = true;
  for (const p of dateFormatProblems(text, parsing)) {
    if (p.severity === 'error') {
      ok = false;
      c.error(arg(c, i), 'bad-argument', p.message);
    } else c.warn(arg(c, i), 'format-hint', p.message);
  }
  return ok ? text : null;
}

function regexArg(c: CallInfo, i: number): CompiledRegex | null {
  const text = constText(c, i, 'pattern', '"^[A-Z]{2}\\d+$"');
  if (typeof text !== 'string') return null;
  try {
    return compileRegex(parseRegex(text));
  } catch (e) {
    if (!(e instanceof RegexError)) throw e;
    c.error(arg(c, i), e.code, e.message);
    return null;
  }
}

function regexInput(s: string, site: Site): string {
  if (s.length > LIMITS.regexInputLength) {
    site.fail(`The text is too long for a regular expression (${s.length.toLocaleString('en-US')} characters; the limit is ${LIMITS.regexInputLength.toLocaleString('en-US')})`);
  }
  return s;
}

const tooManySteps = (site: Site): never => site.fail('The regular expression needs too many steps on this text');

const int = (n: number) => Math.trunc(n);

/** FLOOR and CEILING: x rounded by `round` (down or up) to a multiple of |significance| (1 when omitted). */
function toMultiple(s: Site, x: number, significance: number | undefined, round: (q: number) => number): number {
  const m = Math.abs(significance ?? 1);
  if (m === 0) s.fail('The significance cannot be 0');
  const q = clean(x / m);
  // A significance too small to count x in (x / m past a double) is finer than x's own precision: x is a multiple.
  if (!Number.isFinite(q)) return x;
  return checkNumber(clean(round(q) * m), s);
}

/** Aggregate arguments with any lists spread out (the common case, no list, returns them as they are). */
function flat(args: unknown[]): (number | null)[] {
  for (const a of args) if (Array.isArray(a)) return args.flatMap((v) => (Array.isArray(v) ? (v as (number | null)[]) : [v as number | null]));
  return args as (number | null)[];
}

/** Excel's DATE rollover: month 13 is January of the next year, day 0 the last of the month before. */
export function rollDate(y: number, m: number, d: number, s: Site): string {
  const ms = Date.UTC(y, m - 1, 1) + (d - 1) * 86400000;
  const out = new Date(ms);
  const year = out.getUTCFullYear();
  if (!(year >= MIN_YEAR && year <= MAX_YEAR)) return s.failWith('#NUM!', `The date is outside the years ${MIN_YEAR} to ${MAX_YEAR}`);
  return out.toISOString().slice(0, 10);
}

/** Excel's TRIM: no spaces at either end, and runs of whitespace inside become one space. */
export function trimText(s: string): string {
  const t = s.trim();
  return /\s\s/.test(t) ? t.replace(/\s{2,}/g, ' ') : t;
}

const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** VALUE: "1,234.50", "$12", "-3", "45%" -> numbers; blank text -> NULL. */
export function parseNumberText(s: string, site: Site): number | null {
  const t = s.trim();
  if (t === '') return null;
  const percent = t.endsWith('%');
  const body = (percent ? t.slice(0, -1) : t).replace(/^([-+]?)\s*[$€£¥]\s*/, '$1').replace(/,/g, '');
  const n = NUMBER_TEXT.test(body) ? Number(body) : NaN;
  if (!Number.isFinite(n)) return site.fail(`${show(s)} is not a number`);
  // Digits a double cannot hold ("9007199254740993", an id) would be rounded silently: refuse, as a field's value is.
  if (typeof exactNumberFast(body.replace(/^\+/, '')) === 'string') {
    return site.fail(`${show(s)} has more digits than a formula can compute with exactly (about 15); keep it as text`);
  }
  return percent ? n / 100 : n;
}

function countOccurrences(s: string, find: string): number {
  let count = 0;
  for (let i = s.indexOf(find); i >= 0; i = s.indexOf(find, i + find.length)) count++;
  return count;
}

interface DateParsePrep {
  format: string;
  /** Set for numeric formats read without dayjs (same answers; see numericFormat). */
  numeric: ReturnType<typeof numericFormat>;
  memo: ParseMemo;
}

const dateParsePrep = (format: string): DateParsePrep => ({ format, numeric: numericFormat(format), memo: new ParseMemo() });

/** Strict parse: the UTC milliseconds, or null when the text does not match or is not a real date. */
function parseDateText(prep: DateParsePrep, text: string): number | null {
  if (prep.numeric) return readNumeric(prep.numeric, text);
  const d = parseWithFormat(text, prep.format);
  return d ? d.valueOf() : null;
}

/** Dates read from text must have four-digit years, like every Date. */
function inRange(iso: string, site: Site): string {
  const year = Number(iso.slice(0, 4));
  if (iso.length < 10 || iso.charCodeAt(4) !== 45 || !(year >= MIN_YEAR && year <= MAX_YEAR)) site.fail(`The date ${iso.slice(0, 10)} is outside the years ${MIN_YEAR} to ${MAX_YEAR}`);
  return iso;
}

interface LookupPrep {
  entries: Map<string, unknown>;
  /** Set when the map mixes types: every value becomes text. */
  asText: boolean;
}

type TextPrep = { kind: 'number'; format: NumberFormat } | { kind: 'date'; format: string };

// ---- the table -----------------------------------------------------------------------------

const CORE_FUNCTIONS: readonly FunctionSpec[] = [
  // Logic
  defineFunction({
    name: 'IF',
    category: 'Logic',
    params: [
      { name: 'condition', kind: 'boolean' },
      { name: 'then', kind: 'any' },
      { name: 'else', kind: 'any', optional: true },
    ],
    returns: 'the type of then and else',
    description: 'Gives `then` when the condition is TRUE, otherwise `else` (NULL when there is no else). A blank condition counts as FALSE; only the chosen branch is evaluated.',
    example: 'IF([Amount] > 1000, "large", "small")',
    result: '"large"',
    nulls: 'accept',
    check: (c) => ({ type: unifyArgs(c, [1, 2]) }),
    lazy: ({ args, arg: a, type }) => {
      const cond = a(0);
      const then = a(1, type);
      if (args.length < 3) return (r, e) => (cond(r, e) === true ? then(r, e) : null);
      const other = a(2, type);
      return (r, e) => (cond(r, e) === true ? then(r, e) : other(r, e));
    },
  }),
  defineFunction({
    name: 'IFS',
    category: 'Logic',
    params: [
      { name: 'condition', kind: 'boolean' },
      { name: 'value', kind: 'any' },
    ],
    repeat: 2,
    returns: 'the type of the values',
    description: 'Gives the value after the first TRUE condition, or NULL when none is TRUE. Write TRUE as the last condition for a default.',
    example: 'IFS([Amount] > 10000, "gold", [Amount] > 1000, "silver", TRUE, "bronze")',
    result: '"silver"',
    nulls: 'accept',
    check: (c) => {
      if (c.args.length % 2 !== 0) c.error(c, 'arg-count', `IFS needs pairs of condition and value, got ${c.args.length} arguments`);
      return { type: unifyArgs(c, c.args.map((_, i) => i).filter((i) => i % 2 === 1)) };
    },
    lazy: ({ args, arg: a, type }) => {
      const conds: Compiled[] = [];
      const values: Compiled[] = [];
      for (let i = 0; i + 1 < args.length; i += 2) {
        conds.push(a(i));
        values.push(a(i + 1, type));
      }
      return (r, e) => {
        for (let i = 0; i < conds.length; i++) if ((conds[i] as Compiled)(r, e) === true) return (values[i] as Compiled)(r, e);
        return null;
      };
    },
  }),
  defineFunction({
    name: 'SWITCH',
    category: 'Logic',
    params: [
      { name: 'value', kind: 'scalar' },
      { name: 'case', kind: 'scalar' },
      { name: 'result', kind: 'any' },
    ],
    repeat: 2,
    signature: 'SWITCH(value, case, result, …, default?) → the type of the results',
    returns: 'the type of the results',
    description: 'Compares the value with each case in turn (as = does) and gives the result of the first equal one; otherwise the default, or NULL. A NULL case matches a blank value.',
    example: 'SWITCH([Country], "US", "United States", "FR", "France", "Elsewhere")',
    result: '"France"',
    nulls: 'accept',
    check: (c) => {
      const value = arg(c, 0);
      const results: number[] = [];
      for (let i = 1; i < c.args.length; i += 2) {
        const kase = arg(c, i);
        if (i + 1 >= c.args.length) {
          results.push(i); // the default
          break;
        }
        if (!comparable(value.type, kase.type)) c.error(kase, 'compare-types', `SWITCH cannot compare ${formatType(value.type)} to ${formatType(kase.type)}`);
        results.push(i + 1);
      }
      return { type: unifyArgs(c, results) };
    },
    lazy: ({ args, types, arg: a, type, site }) => {
      const value = a(0);
      const cases: { test: Compiled; eq: (x: unknown, y: unknown) => boolean; result: Compiled }[] = [];
      let fallback: Compiled | null = null;
      for (let i = 1; i < args.length; i += 2) {
        if (i + 1 >= args.length) {
          fallback = a(i, type);
          break;
        }
        cases.push({ test: a(i), eq: makeComparison('=', types[0] as FormulaType, types[i] as FormulaType, site), result: a(i + 1, type) });
      }
      return (r, e) => {
        const v = value(r, e);
        for (const k of cases) if (k.eq(v, k.test(r, e))) return k.result(r, e);
        return fallback ? fallback(r, e) : null;
      };
    },
  }),
  defineFunction({
    name: 'AND',
    category: 'Logic',
    params: [{ name: 'condition', kind: 'boolean' }],
    repeat: 1,
    returns: T.Boolean,
    description: 'TRUE when every condition is TRUE. Blank conditions count as FALSE. Stops at the first FALSE. Also an operator: a AND b.',
    example: 'AND([Amount] > 100, [Active])',
    result: 'TRUE',
    nulls: 'accept',
    lazy: ({ args }) => (r, e) => {
      for (const c of args) if (c(r, e) !== true) return false;
      return true;
    },
  }),
  defineFunction({
    name: 'OR',
    category: 'Logic',
    params: [{ name: 'condition', kind: 'boolean' }],
    repeat: 1,
    returns: T.Boolean,
    description: 'TRUE when any condition is TRUE. Blank conditions count as FALSE. Stops at the first TRUE. Also an operator: a OR b.',
    example: 'OR([Country] = "US", [Country] = "FR")',
    result: 'TRUE',
    nulls: 'accept',
    lazy: ({ args }) => (r, e) => {
      for (const c of args) if (c(r, e) === true) return true;
      return false;
    },
  }),
  defineFunction({
    name: 'NOT',
    category: 'Logic',
    params: [{ name: 'condition', kind: 'boolean' }],
    returns: T.Boolean,
    description: 'TRUE when the condition is FALSE or blank. Also a prefix operator: NOT [Active].',
    example: 'NOT([Active])',
    result: 'FALSE',
    nulls: 'accept',
    impl: (_s, v: unknown) => v !== true,
  }),
  defineFunction({
    name: 'ISBLANK',
    category: 'Logic',
    params: [{ name: 'value', kind: 'any' }],
    returns: T.Boolean,
    description: 'TRUE when the value is NULL or empty text. The same test as value = NULL.',
    example: 'ISBLANK([Notes])',
    result: 'TRUE',
    nulls: 'accept',
    impl: (_s, v: unknown) => isBlank(v),
  }),
  defineFunction({
    name: 'COALESCE',
    category: 'Logic',
    params: [{ name: 'value', kind: 'any' }],
    repeat: 1,
    returns: 'the type of the values',
    description: 'The first value that is not blank (NULL or empty text), or NULL. Later values are evaluated only when needed.',
    example: 'COALESCE([Notes], [Name], "unknown")',
    result: '" Ada   Lovelace "',
    nulls: 'accept',
    check: (c) => ({ type: unifyArgs(c, c.args.map((_, i) => i)) }),
    lazy: ({ args, arg: a, type }) => {
      const values = args.map((_, i) => a(i, type));
      return (r, e) => {
        for (const c of values) {
          const v = c(r, e);
          if (!isBlank(v)) return v;
        }
        return null;
      };
    },
  }),

  // Text
  defineFunction({
    name: 'CONCAT',
    category: 'Text',
    params: [{ name: 'value', kind: 'scalar' }],
    repeat: 1,
    returns: T.Text,
    description: 'Joins values as text, like &. NULL counts as empty text; numbers, dates and booleans are written as & writes them.',
    example: 'CONCAT([Country], "-", [Amount])',
    result: '"FR-1234.5"',
    nulls: 'accept',
    impl: (s, values: unknown[]) => {
      let out = '';
      for (const v of values) out += toText(v);
      return checkText(out, s);
    },
  }),
  defineFunction({
    name: 'LEFT',
    category: 'Text',
    params: [
      { name: 'text', kind: 'text' },
      { name: 'count', kind: 'number', optional: true },
    ],
    returns: T.Text,
    description: 'The first `count` characters (1 when omitted).',
    example: 'LEFT("Weft formulas", 4)',
    result: '"Weft"',
    impl: (s, text: string, count?: number) => {
      const n = count === undefined ? 1 : int(count);
      if (n < 0) s.fail('The count cannot be negative');
      return text.slice(0, n);
    },
  }),
  defineFunction({
    name: 'RIGHT',
    category: 'Text',
    params: [
      { name: 'text', kind: 'text' },
      { name: 'count', kind: 'number', optional: true },
    ],
    returns: T.Text,
    description: 'The last `count` characters (1 when omitted).',
    example: 'RIGHT("INV-0042", 4)',
    result: '"0042"',
    impl: (s, text: string, count?: number) => {
      const n = count === undefined ? 1 : int(count);
      if (n < 0) s.fail('The count cannot be negative');
      return n === 0 ? '' : text.slice(Math.max(0, text.length - n));
    },
  }),
  defineFunction({
    name: 'MID',
    category: 'Text',
    params: [
      { name: 'text', kind: 'text' },
      { name: 'start', kind: 'number' },
      { name: 'length', kind: 'number' },
    ],
    returns: T.Text,
    description: '`length` characters starting at position `start` (the first character is 1).',
    example: 'MID("INV-0042", 5, 2)',
    result: '"00"',
    impl: (s, text: string, start: number, length: number) => {
      const from = int(start);
      const n = int(length);
      if (from < 1) s.fail(`The start must be 1 or more, got ${from}`);
      if (n < 0) s.fail(`The length cannot be negative, got ${n}`);
      return text.slice(from - 1, from - 1 + n);
    },
  }),
  defineFunction({
    name: 'LEN',
    category: 'Text',
    params: [{ name: 'text', kind: 'text' }],
    returns: T.Number,
    description: 'The number of characters (UTF-16 code units, as in JavaScript and Excel). Blank text has length 0.',
    example: 'LEN("Weft")',
    result: '4',
    nulls: 'accept',
    impl: (_s, text: string | null) => (text === null ? 0 : text.length),
  }),
  defineFunction({
    name: 'LOWER',
    category: 'Text',
    params: [{ name: 'text', kind: 'text' }],
    returns: T.Text,
    description: 'The text in lower case.',
    example: 'LOWER("Ada@Example.COM")',
    result: '"ada@example.com"',
    impl: (s, text: string) => checkText(text.toLowerCase(), s),
  }),
  defineFunction({
    name: 'UPPER',
    category: 'Text',
    params: [{ name: 'text', kind: 'text' }],
    returns: T.Text,
    description: 'The text in upper case.',
    example: 'UPPER([Country])',
    result: '"FR"',
    impl: (s, text: string) => checkText(text.toUpperCase(), s),
  }),
  defineFunction({
    name: 'TRIM',
    category: 'Text',
    params: [{ name: 'text', kind: 'text' }],
    returns: T.Text,
    description: 'Removes spaces at both ends and turns each run of whitespace inside into one space (as Excel does).',
    example: 'TRIM([Name])',
    result: '"Ada Lovelace"',
    impl: (_s, text: string) => trimText(text),
  }),
  defineFunction({
    name: 'SUBSTITUTE',
    category: 'Text',
    params: [
      { name: 'text', kind: 'text' },
      { name: 'old', kind: 'text' },
      { name: 'new', kind: 'text' },
      { name: 'instance', kind: 'number', optional: true },
    ],
    returns: T.Text,
    description: 'Replaces every `old` with `new`, or only the n-th one when `instance` is given. Plain text, not a pattern.',
    example: 'SUBSTITUTE("555-123-4567", "-", "")',
    result: '"5551234567"',
    impl: (s, text: string, old: string, replacement: string, instance?: number) => {
      if (old === '') return text;
      if (instance !== undefined) {
        const nth = int(instance);
        if (nth < 1) s.fail(`The instance must be 1 or more, got ${nth}`);
        let at = -1;
        for (let k = 0; k < nth; k++) {
          at = text.indexOf(old, at < 0 ? 0 : at + old.length);
          if (at < 0) return text;
        }
        return checkText(text.slice(0, at) + replacement + text.slice(at + old.length), s);
      }
      const count = countOccurrences(text, old);
      const length = text.length + count * (replacement.length - old.length);
      if (length > LIMITS.textLength) textTooLong(length, s);
      return text.split(old).join(replacement);
    },
  }),
  defineFunction({
    name: 'CONTAINS',
    category: 'Text',
    params: [
      { name: 'text', kind: 'text' },
      { name: 'search', kind: 'text' },
    ],
    returns: T.Boolean,
    description: 'TRUE when the text contains `search` (case-sensitive; use LOWER on both for a case-insensitive test). FALSE when either is blank.',
    example: 'CONTAINS([Email], "@example.")',
    result: 'TRUE',
    nulls: 'accept',
    impl: (_s, text: string | null, search: string | null) => text !== null && search !== null && text.includes(search),
  }),
  defineFunction({
    name: 'STARTSWITH',
    category: 'Text',
    params: [
      { name: 'text', kind: 'text' },
      { name: 'prefix', kind: 'text' },
    ],
    returns: T.Boolean,
    description: 'TRUE when the text starts with `prefix` (case-sensitive). FALSE when either is blank.',
    example: 'STARTSWITH("INV-0042", "INV-")',
    result: 'TRUE',
    nulls: 'accept',
    impl: (_s, text: string | null, prefix: string | null) => text !== null && prefix !== null && text.startsWith(prefix),
  }),
  defineFunction({
    name: 'ENDSWITH',
    category: 'Text',
    params: [
      { name: 'text', kind: 'text' },
      { name: 'suffix', kind: 'text' },
    ],
    returns: T.Boolean,
    description: 'TRUE when the text ends with `suffix` (case-sensitive). FALSE when either is blank.',
    example: 'ENDSWITH([Email], ".com")',
    result: 'TRUE',
    nulls: 'accept',
    impl: (_s, text: string | null, suffix: string | null) => text !== null && suffix !== null && text.endsWith(suffix),
  }),
  defineFunction<TextPrep>({
    name: 'TEXT',
    category: 'Text',
    params: [
      { name: 'value', kind: 'scalar' },
      { name: 'format', kind: 'text', constant: true },
    ],
    returns: T.Text,
    description:
      'Formats a number ("0.00", "#,##0.00", "0%", "$#,##0", "0.0#") or a date ("YYYY-MM-DD", "MM/DD/YYYY", "D MMM YYYY HH:mm"). Numbers round half away from zero; dates are written in UTC.',
    example: 'TEXT([Amount], "$#,##0.00")',
    result: '"$1,234.50"',
    check: (c) => {
      const value = arg(c, 0);
      if (value.type.kind === 'Date' || value.type.kind === 'DateTime') {
        const format = dateFormatArg(c, 1, false);
        return format === null ? {} : { prep: { kind: 'date', format } };
      }
      if (!isNumeric(value.type) && value.type.kind !== 'Null' && value.type.kind !== 'Any') {
        c.error(value, 'arg-type', `TEXT formats a Number or a Date, got ${formatType(value.type)}`);
        return {};
      }
      const text = constText(c, 1, 'format', '"#,##0.00"');
      if (typeof text !== 'string') return {};
      const format = parseNumberFormat(text);
      if (typeof format === 'string') {
        c.error(arg(c, 1), 'bad-argument', format);
        return {};
      }
      return { prep: { kind: 'number', format } };
    },
    impl: (s, value: number | string) => {
      const prep = s.prep;
      return prep.kind === 'number' ? formatNumber(value as number, prep.format) : formatWith(value as string, prep.format, s);
    },
  }),
  defineFunction({
    name: 'VALUE',
    category: 'Text',
    params: [{ name: 'text', kind: 'text' }],
    returns: T.Number,
    description: 'Reads a number from text: "1,234.50", "$12", "-3", "45%" (0.45). Blank text gives NULL; other text rejects the record.',
    example: 'VALUE("$1,234.50")',
    result: '1234.5',
    impl: (s, text: string) => parseNumberText(text, s),
  }),

  // Lists
  defineFunction({
    name: 'SPLIT',
    category: 'Lists',
    params: [
      { name: 'text', kind: 'text' },
      { name: 'separator', kind: 'text' },
    ],
    returns: T.list(T.Text),
    description: 'Splits text at each separator into a List<Text>. Use INDEX to take one item or JOIN to make text again.',
    example: 'INDEX(SPLIT("red,green,blue", ","), 2)',
    result: '"green"',
    impl: (s, text: string, separator: string) => {
      if (separator === '') s.fail('The separator cannot be empty');
      return text.split(separator);
    },
  }),
  defineFunction({
    name: 'JOIN',
    category: 'Lists',
    params: [
      { name: 'list', kind: 'list' },
      { name: 'separator', kind: 'text', optional: true },
    ],
    returns: T.Text,
    description: 'Joins the items of a list into text, with `separator` between them (", " when omitted). Blank items are skipped.',
    example: 'JOIN(SPLIT("a b c", " "), "-")',
    result: '"a-b-c"',
    impl: (s, list: unknown[], separator?: string) => {
      const sep = separator ?? ', ';
      let out = '';
      let first = true;
      for (const v of list) {
        if (isBlank(v)) continue;
        out += (first ? '' : sep) + toText(v);
        first = false;
        if (out.length > LIMITS.textLength) checkText(out, s);
      }
      return out;
    },
  }),
  defineFunction({
    name: 'INDEX',
    category: 'Lists',
    params: [
      { name: 'list', kind: 'list' },
      { name: 'position', kind: 'number' },
    ],
    returns: 'the type of the items',
    description: 'The item at `position` (the first is 1), or NULL when the list is shorter.',
    example: 'INDEX(SPLIT(TRIM([Name]), " "), 2)',
    result: '"Lovelace"',
    check: (c) => {
      const list = arg(c, 0).type;
      return { type: list.kind === 'List' ? list.of : T.Any };
    },
    impl: (s, list: unknown[], position: number) => {
      const p = int(position);
      if (p < 1) s.fail(`The position must be 1 or more, got ${p}`);
      return p <= list.length ? list[p - 1] : null;
    },
  }),

  // Numbers
  defineFunction({
    name: 'ROUND',
    category: 'Numbers',
    params: [
      { name: 'number', kind: 'number' },
      { name: 'digits', kind: 'number', optional: true },
    ],
    returns: 'Number',
    description: 'Rounds to `digits` decimal places (0 when omitted; negative rounds to tens, hundreds...), half away from zero: ROUND(2.5) is 3, ROUND(-2.5) is -3. A Currency argument gives a Currency.',
    example: 'ROUND(1234.5678, 2)',
    result: '1234.57',
    check: (c) => ({ type: numericOf([arg(c, 0).type]) }),
    impl: (_s, x: number, digits?: number) => roundHalfAway(x, digits ?? 0),
  }),
  defineFunction({
    name: 'FLOOR',
    category: 'Numbers',
    params: [
      { name: 'number', kind: 'number' },
      { name: 'significance', kind: 'number', optional: true },
    ],
    returns: 'Number',
    description: 'Rounds down (toward negative infinity) to a multiple of `significance` (1 when omitted). A Currency argument gives a Currency.',
    example: 'FLOOR(27.5, 5)',
    result: '25',
    check: (c) => ({ type: numericOf([arg(c, 0).type]) }),
    impl: (s, x: number, significance?: number) => toMultiple(s, x, significance, Math.floor),
  }),
  defineFunction({
    name: 'CEILING',
    category: 'Numbers',
    params: [
      { name: 'number', kind: 'number' },
      { name: 'significance', kind: 'number', optional: true },
    ],
    returns: 'Number',
    description: 'Rounds up (toward positive infinity) to a multiple of `significance` (1 when omitted). A Currency argument gives a Currency.',
    example: 'CEILING(1234.5, 100)',
    result: '1300',
    check: (c) => ({ type: numericOf([arg(c, 0).type]) }),
    impl: (s, x: number, significance?: number) => toMultiple(s, x, significance, Math.ceil),
  }),
  defineFunction({
    name: 'ABS',
    category: 'Numbers',
    params: [{ name: 'number', kind: 'number' }],
    returns: 'Number',
    description: 'The number without its sign. A Currency argument gives a Currency.',
    example: 'ABS(-42)',
    result: '42',
    check: (c) => ({ type: numericOf([arg(c, 0).type]) }),
    impl: (_s, x: number) => Math.abs(x),
  }),
  defineFunction({
    name: 'MIN',
    category: 'Numbers',
    params: [{ name: 'number', kind: 'numbers' }],
    repeat: 1,
    returns: 'Number',
    description: 'The smallest number. Lists (a multi-value field, SPLIT, VALUES) count item by item. Blank values are skipped; NULL when all are blank. A Currency argument gives a Currency.',
    example: 'MIN([Amount], 1000, [Discount])',
    result: '1000',
    nulls: 'accept',
    check: (c) => ({ type: numericOf(c.args.map((a) => (a.type.kind === 'List' ? a.type.of : a.type))) }),
    impl: (_s, args: unknown[]) => {
      const values = flat(args);
      let out: number | null = null;
      for (const v of values) if (v !== null && (out === null || v < out)) out = v;
      return out;
    },
  }),
  defineFunction({
    name: 'MAX',
    category: 'Numbers',
    params: [{ name: 'number', kind: 'numbers' }],
    repeat: 1,
    returns: 'Number',
    description: 'The largest number. Lists (a multi-value field, SPLIT, VALUES) count item by item. Blank values are skipped; NULL when all are blank. A Currency argument gives a Currency.',
    example: 'MAX([Amount], 5000)',
    result: '5000',
    nulls: 'accept',
    check: (c) => ({ type: numericOf(c.args.map((a) => (a.type.kind === 'List' ? a.type.of : a.type))) }),
    impl: (_s, args: unknown[]) => {
      const values = flat(args);
      let out: number | null = null;
      for (const v of values) if (v !== null && (out === null || v > out)) out = v;
      return out;
    },
  }),
  defineFunction({
    name: 'SUM',
    category: 'Numbers',
    params: [{ name: 'number', kind: 'numbers' }],
    repeat: 1,
    returns: 'Number',
    description: 'The total. Lists (a multi-value field, SPLIT, VALUES) count item by item. Blank values are skipped (count as 0), as in Excel. A Currency argument gives a Currency.',
    example: 'SUM([Amount], [Discount], 10)',
    result: '1244.5',
    nulls: 'accept',
    check: (c) => ({ type: numericOf(c.args.map((a) => (a.type.kind === 'List' ? a.type.of : a.type))) }),
    impl: (s, args: unknown[]) => {
      const values = flat(args);
      let out = 0;
      for (const v of values) if (v !== null) out += v;
      return checkNumber(out, s);
    },
  }),
  defineFunction({
    name: 'MOD',
    category: 'Numbers',
    params: [
      { name: 'number', kind: 'number' },
      { name: 'divisor', kind: 'number' },
    ],
    returns: 'Number',
    description: 'The remainder after dividing; it has the sign of the divisor, as in Excel. A divisor of 0 rejects the record. A Currency argument gives a Currency.',
    example: 'MOD(17, 5)',
    result: '2',
    check: (c) => ({ type: numericOf([arg(c, 0).type]) }),
    impl: (s, x: number, d: number) => {
      if (d === 0) s.failWith('#DIV/0!', 'Division by zero');
      const q = clean(x / d);
      if (!(Math.abs(q) < 2 ** 53)) {
        // Past 2^53 quotients x - d * q cancels to noise (MOD(-7e300, 3) was -9.5e285), or overflows: JavaScript's %
        // is the exact remainder; give it the divisor's sign.
        const exact = x % d;
        return exact !== 0 && exact < 0 !== d < 0 ? exact + d : exact;
      }
      const r = x - d * Math.floor(q);
      // 0.3 - 0.1 * 3 is -5.5e-17 in binary: a residue that small next to the divisor is 0.
      return Math.abs(r) < Math.abs(d) * 1e-12 ? 0 : clean(r);
    },
  }),
  defineFunction({
    name: 'POWER',
    category: 'Numbers',
    params: [
      { name: 'base', kind: 'number' },
      { name: 'exponent', kind: 'number' },
    ],
    returns: T.Number,
    description: 'The base raised to the exponent, like ^. A result that is not a finite number rejects the record.',
    example: 'POWER(2, 10)',
    result: '1024',
    impl: (s, base: number, exponent: number) => (base === 0 && exponent < 0 ? s.failWith('#DIV/0!', 'Division by zero') : checkNumber(base ** exponent, s)),
  }),

  // Dates
  defineFunction({
    name: 'TODAY',
    category: 'Dates',
    params: [],
    returns: T.Date,
    description: "Today's date in UTC, read from the run's clock (so a run and its tests are repeatable).",
    example: 'TODAY()',
    result: '2026-03-15',
    volatile: true,
    nulls: 'accept',
    lazy: () => (_r, e) => todayUtc(e.now()),
  }),
  defineFunction({
    name: 'NOW',
    category: 'Dates',
    params: [],
    returns: T.DateTime,
    description: 'The current date and time in UTC, read from the run\'s clock.',
    example: 'NOW()',
    result: '2026-03-15T09:30:00.000Z',
    volatile: true,
    nulls: 'accept',
    lazy: () => (_r, e) => nowUtc(e.now()),
  }),
  defineFunction({
    name: 'DATE',
    category: 'Dates',
    params: [
      { name: 'year', kind: 'number' },
      { name: 'month', kind: 'number' },
      { name: 'day', kind: 'number' },
    ],
    returns: T.Date,
    description:
      'The date with this year (1000-9999), month and day. Months and days out of range roll over as in Excel: DATE(2024, 2, 30) is 2024-03-01, DATE(2026, 13, 1) is 2027-01-01, DATE(2026, 3, 0) is 2026-02-28. Fractions are dropped.',
    example: 'DATE(2024, 2, 30)',
    result: '2024-03-01',
    impl: (s, y: number, m: number, d: number) => {
      if (!(y >= MIN_YEAR && y <= MAX_YEAR)) s.failWith('#NUM!', `The year must be ${MIN_YEAR} to ${MAX_YEAR}, got ${y}`);
      return makeDate(y, m, d) ?? rollDate(int(y), int(m), int(d), s);
    },
  }),
  defineFunction<DateParsePrep>({
    name: 'DATEVALUE',
    category: 'Dates',
    params: [
      { name: 'text', kind: 'text' },
      { name: 'format', kind: 'text', optional: true, constant: true },
    ],
    returns: T.Date,
    description:
      'Reads a date from text written in `format` (default "YYYY-MM-DD"), strictly: "02/30/2026" or "3/15/2026" with "MM/DD/YYYY" reject the record. Tokens: YYYY, YY, MM, M, MMM, MMMM, DD, D; spaces around the text are ignored.',
    example: 'DATEVALUE([Close Date], "MM/DD/YYYY")',
    result: '2026-03-15',
    check: (c) => {
      const format = dateFormatArg(c, 1, true, 'YYYY-MM-DD');
      return format === null ? {} : { prep: dateParsePrep(format) };
    },
    impl: (s, text: string) => {
      const { format } = s.prep;
      const v = s.prep.memo.get(text, (t) => {
        const ms = parseDateText(s.prep, t.trim());
        return ms === null ? null : new Date(ms).toISOString().slice(0, 10);
      });
      return v === null ? s.fail(`${show(text)} does not match the format ${format} or is not a real date`) : inRange(v, s);
    },
  }),
  defineFunction<DateParsePrep | { format: null; memo: ParseMemo }>({
    name: 'DATETIMEVALUE',
    category: 'Dates',
    params: [
      { name: 'text', kind: 'text' },
      { name: 'format', kind: 'text', optional: true, constant: true },
    ],
    returns: T.DateTime,
    description:
      'Reads a date and time from text. Without a format it takes ISO 8601 (2026-03-15T09:30:00Z, with any offset; no offset means UTC); with a format such as "MM/DD/YYYY HH:mm" it parses strictly, in UTC.',
    example: 'DATETIMEVALUE("03/15/2026 14:05", "MM/DD/YYYY HH:mm")',
    result: '2026-03-15T14:05:00.000Z',
    check: (c) => {
      if (!c.args[1]) return { prep: { format: null, memo: new ParseMemo() } };
      const format = dateFormatArg(c, 1, true);
      return format === null ? {} : { prep: dateParsePrep(format) };
    },
    impl: (s, text: string) => {
      const prep = s.prep;
      if (prep.format === null) {
        const v = prep.memo.get(text, (t) => {
          const c = convertValue(t, 'datetime');
          return c.ok ? (c.value as string) : null;
        });
        return v === null ? s.fail(`${show(text)} is not an ISO 8601 date and time`) : inRange(v, s);
      }
      const v = prep.memo.get(text, (t) => {
        const ms = parseDateText(prep, t.trim());
        return ms === null ? null : new Date(ms).toISOString();
      });
      return v === null ? s.fail(`${show(text)} does not match the format ${prep.format} or is not a real date and time`) : inRange(v, s);
    },
  }),
  defineFunction({
    name: 'YEAR',
    category: 'Dates',
    params: [{ name: 'date', kind: 'date' }],
    returns: T.Number,
    description: 'The year of a date (in UTC for a date and time).',
    example: 'YEAR([Start])',
    result: '2026',
    impl: (s, d: string) => toDayjs(d, s).year(),
  }),
  defineFunction({
    name: 'MONTH',
    category: 'Dates',
    params: [{ name: 'date', kind: 'date' }],
    returns: T.Number,
    description: 'The month of a date, 1 (January) to 12.',
    example: 'MONTH([Start])',
    result: '1',
    impl: (s, d: string) => toDayjs(d, s).month() + 1,
  }),
  defineFunction({
    name: 'DAY',
    category: 'Dates',
    params: [{ name: 'date', kind: 'date' }],
    returns: T.Number,
    description: 'The day of the month, 1 to 31.',
    example: 'DAY([Start])',
    result: '5',
    impl: (s, d: string) => toDayjs(d, s).date(),
  }),
  defineFunction<1 | 2>({
    name: 'WEEKDAY',
    category: 'Dates',
    params: [
      { name: 'date', kind: 'date' },
      { name: 'type', kind: 'number', optional: true, constant: true },
    ],
    returns: T.Number,
    description: 'The day of the week: 1 (Sunday) to 7 (Saturday), as Excel; with type 2, 1 (Monday) to 7 (Sunday).',
    example: 'WEEKDAY(DATE(2026, 3, 15))',
    result: '1',
    check: (c) => {
      const type = constNumber(c, 1, 'type');
      if (type === null) return {};
      if (type !== undefined && type !== 1 && type !== 2) {
        c.error(arg(c, 1), 'bad-argument', 'The WEEKDAY type is 1 (Sunday first) or 2 (Monday first)');
        return {};
      }
      return { prep: type === 2 ? 2 : 1 };
    },
    impl: (s, d: string) => {
      const day = toDayjs(d, s).day(); // 0 = Sunday
      return s.prep === 2 ? ((day + 6) % 7) + 1 : day + 1;
    },
  }),
  defineFunction<{ unit: DateUnit; dateTime: boolean }>({
    name: 'DATEADD',
    category: 'Dates',
    params: [
      { name: 'date', kind: 'date' },
      { name: 'count', kind: 'number' },
      { name: 'unit', kind: 'text', constant: true },
    ],
    returns: 'Date, or DateTime for hours, minutes and seconds',
    description:
      'Adds `count` units (year, quarter, month, week, day, hour, minute, second; plural and any case accepted) to a date. A fraction of a unit is dropped. Adding months keeps the day where it can: DATEADD(DATE(2026,1,31), 1, "month") is 2026-02-28.',
    example: 'DATEADD([Start], 30, "day")',
    result: '2026-02-04',
    check: (c) => {
      const unit = unitArg(c, 2);
      if (!unit) return {};
      const dateTime = arg(c, 0).type.kind === 'DateTime' || !DAY_OR_LONGER.has(unit);
      return { type: dateTime ? T.DateTime : T.Date, prep: { unit, dateTime } };
    },
    impl: (s, d: string, count: number) => {
      const out = addToDate(toDayjs(d, s), int(count), s.prep.unit);
      if (!out.isValid() || out.year() < MIN_YEAR || out.year() > MAX_YEAR) s.fail(`The resulting date is outside the years ${MIN_YEAR} to ${MAX_YEAR}`);
      return s.prep.dateTime ? formatDateTime(out) : formatDate(out);
    },
  }),
  defineFunction<DateUnit>({
    name: 'DATEDIFF',
    category: 'Dates',
    params: [
      { name: 'start', kind: 'date' },
      { name: 'end', kind: 'date' },
      { name: 'unit', kind: 'text', constant: true },
    ],
    returns: T.Number,
    description:
      'Whole units from start to end (negative when end is earlier), truncated toward zero. Units as DATEADD. Months and years follow dayjs: from one month-end to another counts as a whole month, so Jan 31 to Feb 28 is 1 month.',
    example: 'DATEDIFF([Start], DATEVALUE([Close Date], "MM/DD/YYYY"), "day")',
    result: '69',
    check: (c) => {
      const unit = unitArg(c, 2);
      return unit ? { prep: unit } : {};
    },
    impl: (s, start: string, end: string) => diffDates(start, end, s.prep, s),
  }),
  defineFunction<string>({
    name: 'FORMATDATE',
    category: 'Dates',
    params: [
      { name: 'date', kind: 'date' },
      { name: 'format', kind: 'text', constant: true },
    ],
    returns: T.Text,
    description:
      'Writes a date as text in UTC. Tokens: YYYY YY M MM MMM MMMM D DD d dd ddd dddd H HH h hh m mm s ss SSS A a Z; text in [brackets] is kept as is.',
    example: 'FORMATDATE([Start], "ddd D MMM YYYY")',
    result: '"Mon 5 Jan 2026"',
    check: (c) => {
      const format = dateFormatArg(c, 1, false);
      return format === null ? {} : { prep: format };
    },
    impl: (s, d: string) => formatWith(d, s.prep, s),
  }),

  // Lookup
  defineFunction<LookupPrep>({
    name: 'LOOKUP',
    category: 'Lookup',
    params: [
      { name: 'value', kind: 'scalar' },
      { name: 'map', kind: 'text', constant: true },
      { name: 'default', kind: 'scalar', optional: true },
    ],
    returns: 'the type of the map\'s values',
    description:
      'Looks the value up in a value map defined for this integration and gives what it maps to; the default (or NULL) when the map has no such key or the value is blank. Keys match exactly, as text (numbers as & writes them).',
    example: 'LOOKUP([Country], "countries", "Unknown")',
    result: '"France"',
    nulls: 'accept',
    check: (c) => {
      const name = constText(c, 1, 'map name', '"countries"');
      if (typeof name !== 'string') return {};
      const maps = c.valueMaps;
      if (!Object.hasOwn(maps, name)) {
        const hint = suggest(name, Object.keys(maps));
        const fix = hint ? { title: `Change to ${show(hint)}`, text: show(hint) } : undefined;
        c.error(arg(c, 1), 'unknown-map', `Unknown value map ${show(name)}.${hint ? ` Did you mean ${show(hint)}?` : Object.keys(maps).length ? '' : ' This integration has no value maps.'}`, fix);
        return {};
      }
      const map = maps[name] as Record<string, unknown>;
      let type: FormulaType = T.Null;
      let mixed = false;
      for (const key of Object.keys(map)) {
        const v = map[key];
        const t = v === null ? T.Null : typeof v === 'string' ? T.Text : typeof v === 'number' && Number.isFinite(v) ? T.Number : typeof v === 'boolean' ? T.Boolean : null;
        if (!t) {
          c.error(arg(c, 1), 'bad-value-map', `Value map ${show(name)} has a value that is not text, a number, TRUE/FALSE or blank (key ${show(key)})`);
          return {};
        }
        const u = unify(type, t);
        if (u) type = u;
        else mixed = true;
      }
      const fallback = c.args[2];
      if (fallback) {
        const u = unify(type, fallback.type);
        if (u) type = u;
        else mixed = true;
      }
      if (mixed) {
        c.warn(arg(c, 1), 'bad-value-map', `Value map ${show(name)} mixes value types${fallback ? ' (or the default does not match)' : ''}; LOOKUP gives Text`);
        type = T.Text;
      }
      const entries = new Map<string, unknown>();
      for (const key of Object.keys(map)) {
        const v = map[key];
        entries.set(key, mixed && v !== null ? toText(v) : v);
      }
      return { type: type.kind === 'Null' ? T.Text : type, prep: { entries, asText: mixed } };
    },
    impl: (s, value: unknown, _map: string, fallback?: unknown) => {
      const dflt = fallback === undefined ? null : s.prep.asText && fallback !== null ? toText(fallback) : fallback;
      if (isBlank(value)) return dflt;
      const key = toText(value);
      return s.prep.entries.has(key) ? s.prep.entries.get(key) : dflt;
    },
  }),

  // Regular expressions
  defineFunction<CompiledRegex>({
    name: 'REGEXMATCH',
    category: 'Regular expressions',
    params: [
      { name: 'text', kind: 'text' },
      { name: 'pattern', kind: 'text', constant: true },
    ],
    returns: T.Boolean,
    description:
      'TRUE when the pattern matches somewhere in the text (anchor with ^ and $). Start the pattern with (?i) to ignore case. FALSE for blank text. See "Regular expressions" for the syntax and limits.',
    example: 'REGEXMATCH([Email], "^[^@ ]+@[^@ ]+\\.[a-z]+$")',
    result: 'TRUE',
    nulls: 'accept',
    check: (c) => {
      const re = regexArg(c, 1);
      return re ? { prep: re } : {};
    },
    impl: (s, text: string | null) => {
      if (text === null) return false;
      const r = s.prep.test(regexInput(text, s));
      return r === TOO_MANY_STEPS ? tooManySteps(s) : r;
    },
  }),
  defineFunction<{ re: CompiledRegex; group: number }>({
    name: 'REGEXEXTRACT',
    category: 'Regular expressions',
    params: [
      { name: 'text', kind: 'text' },
      { name: 'pattern', kind: 'text', constant: true },
      { name: 'group', kind: 'number', optional: true, constant: true },
    ],
    returns: T.Text,
    description: 'The first match of the pattern in the text, or of its capture group number `group` (0, the whole match, when omitted); NULL when there is no match.',
    example: 'REGEXEXTRACT("Order INV-0042 shipped", "INV-(\\d+)", 1)',
    result: '"0042"',
    check: (c) => {
      const re = regexArg(c, 1);
      const group = constNumber(c, 2, 'group');
      if (!re || group === null) return {};
      const g = group ?? 0;
      if (!Number.isInteger(g) || g < 0 || g > re.groups) {
        c.error(arg(c, 2), 'bad-argument', `The pattern has ${re.groups} capture group${re.groups === 1 ? '' : 's'}; group must be 0 to ${re.groups}`);
        return {};
      }
      return { prep: { re, group: g } };
    },
    impl: (s, text: string) => {
      const m = s.prep.re.exec(regexInput(text, s));
      if (m === TOO_MANY_STEPS) return tooManySteps(s);
      return m ? (m[s.prep.group] ?? null) : null;
    },
  }),
];

export const FUNCTIONS: readonly FunctionSpec[] = [...CORE_FUNCTIONS, ...LOGIC_FUNCTIONS, ...TEXT_FUNCTIONS, ...NUMBER_FUNCTIONS, ...DATE_FUNCTIONS, ...MEMBER_FUNCTIONS];

export const FUNCTION_MAP: ReadonlyMap<string, FunctionSpec> = new Map(FUNCTIONS.map((f) => [f.name, f]));

export const lookupFunction = (name: string): FunctionSpec | undefined => FUNCTION_MAP.get(name.toUpperCase());
