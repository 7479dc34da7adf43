// The differential test: every Weft function with an Excel counterpart, run over generated
// arguments against @formulajs/formulajs (a kept JavaScript implementation of Excel's functions).
// A disagreement fails unless it is one of the deliberate differences named in counterparts.ts.
import * as formulajs from '@formulajs/formulajs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Field, FieldType } from '../graph/field-types';
import { counterpartOf, DIFFERENCES, REFERENCE_ERRATA } from './counterparts';
import { FUNCTIONS, compileFormula } from './index';

/** `nb`, `ib`, `tb`: a number, small integer or text, or a blank (null) one time in three. */
type Kind = 'n' | 'i' | 't' | 'd' | 'b' | 'dt' | 'nb' | 'ib' | 'tb';
type Ref = (...args: unknown[]) => unknown;
const lib = formulajs as unknown as Record<string, Ref & Record<string, Ref>>;

interface Case {
  /** The argument kinds; `rest` repeats the last kind 0-5 more times. */
  kinds: Kind[];
  rest?: boolean;
  /** The reference function (default: formulajs's function of the Excel name). */
  ref?: Ref;
  /** How Weft is called when not NAME(args...): `(a) => ...` gets the field references. */
  formula?: (refs: string[], args: unknown[]) => string;
  /** False for arguments in a deliberate difference (`difference`, a DIFFERENCES key) or a reference erratum (`errata`). */
  where?: (args: unknown[]) => boolean;
  difference?: string;
  errata?: string;
  /** A second erratum the `where` also skips. */
  also?: string;
}

// Numbers as data holds them: whole numbers, and amounts with a few decimals.
const num = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1e8, max: 1e8 }).map((n) => n / 1000), fc.integer({ min: -1e6, max: 1e6 }).map((n) => n / 100), fc.constantFrom(0, 0.5, 1.005, -2.5, 0.1, 0.3, 1e-7));
const smallInt = fc.integer({ min: -20, max: 40 });
const nonNegative = (a: unknown[]) => a.every((x) => typeof x !== 'number' || x >= 0);
/** x * 10^d lands (almost) on a whole number: where binary rounding differs (the 'binary rounding' erratum). */
const onBoundary = (a: unknown[]) => {
  const scaled = 2 * (a[0] as number) * 10 ** (a[1] as number);
  return Math.abs(scaled - Math.round(scaled)) < 1e-6 && Math.abs(scaled) > 0;
};
/** a / b is (almost) a whole number: where binary division differs. */
const wholeRatio = (a: unknown[]) => {
  const r = (a[0] as number) / (a[1] as number);
  return Math.abs(r) > 1e7 || Math.abs(r - Math.round(r)) < 1e-6;
};
const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('', 'a', ' Ada  Lovelace ', "o'neil and SONS", 'INV-0042', 'a-b-c', 'ABC', '1,234.5'));
const day = fc.integer({ min: Date.UTC(1901, 0, 1) / 864e5, max: Date.UTC(2099, 11, 31) / 864e5 }).map((d) => new Date(d * 864e5).toISOString().slice(0, 10));
const dayTime = fc.integer({ min: Date.UTC(1901, 0, 1) / 1000, max: Date.UTC(2099, 11, 31) / 1000 }).map((s) => new Date(s * 1000).toISOString());
const orBlank = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 3 });
const ARB: Record<Kind, fc.Arbitrary<unknown>> = { n: num, i: smallInt, t: text, d: day, b: fc.boolean(), dt: dayTime, nb: orBlank(num), ib: orBlank(smallInt), tb: orBlank(text) };
const FIELD: Record<Kind, FieldType> = { n: 'number', i: 'number', t: 'text', d: 'date', b: 'boolean', dt: 'datetime', nb: 'number', ib: 'number', tb: 'text' };

const ascii = (args: unknown[]) => args.every((a) => typeof a !== 'string' || /^[\x20-\x7e]*$/.test(a));

const DATEDIF_UNITS = ['Y', 'M', 'D'];

/** One number repeats more often than any other. */
function uniqueMode(a: unknown[]): boolean {
  const counts = new Map<unknown, number>();
  for (const x of a) counts.set(x, (counts.get(x) ?? 0) + 1);
  const sorted = [...counts.values()].sort((x, y) => y - x);
  return (sorted[0] ?? 0) > 1 && sorted[0] !== sorted[1];
}

const CASES: Record<string, Case> = {
  ABS: { kinds: ['n'] },
  INT: { kinds: ['n'] },
  SIGN: { kinds: ['n'] },
  SQRT: { kinds: ['n'] },
  EXP: { kinds: ['n'], where: (a) => (a[0] as number) < 700 },
  LN: { kinds: ['n'] },
  LOG10: { kinds: ['n'] },
  EVEN: { kinds: ['n'] },
  ODD: { kinds: ['n'] },
  FACT: { kinds: ['i'] },
  DEGREES: { kinds: ['n'] },
  RADIANS: { kinds: ['n'] },
  SIN: { kinds: ['n'] },
  COS: { kinds: ['n'] },
  TAN: { kinds: ['n'] },
  ROUND: { kinds: ['n', 'i'], where: (a) => (a[1] as number) < 15 && !onBoundary(a), errata: 'binary rounding' },
  ROUNDUP: { kinds: ['n', 'i'], where: (a) => (a[1] as number) < 15 && !onBoundary(a), errata: 'binary rounding' },
  ROUNDDOWN: { kinds: ['n', 'i'], where: (a) => (a[1] as number) < 15 && !onBoundary(a), errata: 'binary rounding' },
  TRUNC: { kinds: ['n', 'i'], where: (a) => (a[1] as number) < 15 && !onBoundary(a), errata: 'binary rounding' },
  MROUND: { kinds: ['n', 'n'], where: (a) => a[1] === 0 || !wholeRatio([2 * (a[0] as number), a[1]]), difference: 'MROUND' },
  MOD: { kinds: ['n', 'n'], where: (a) => !wholeRatio(a) && (a[1] as number) > 0, errata: 'binary rounding', also: 'MOD signs' },
  POWER: { kinds: ['n', 'i'], where: (a) => a[0] !== 0 || a[1] !== 0, difference: 'POWER' },
  QUOTIENT: { kinds: ['n', 'n'], where: (a) => Math.abs((a[0] as number) / (a[1] as number)) >= 1e-6 && !wholeRatio(a), errata: 'QUOTIENT tiny' },
  LOG: { kinds: ['n', 'n'], where: (a) => a[1] !== 0, errata: 'LOG base 0' },
  ATAN2: { kinds: ['n', 'n'], ref: (x, y) => lib.ATAN2?.(y, x), where: (a) => a[0] !== 0 || a[1] !== 0, errata: 'ATAN2(0, 0)' },
  COMBIN: { kinds: ['i', 'i'] },
  FLOOR: { kinds: ['n', 'n'], ref: (x, s) => lib.FLOORMATH?.(x, Math.abs(s as number)), where: (a) => a[1] !== 0 && !wholeRatio(a), errata: 'binary rounding' },
  CEILING: { kinds: ['n', 'n'], ref: (x, s) => lib.CEILINGMATH?.(x, Math.abs(s as number)), where: (a) => a[1] !== 0 && !wholeRatio(a), errata: 'binary rounding' },
  SUM: { kinds: ['n'], rest: true },
  MIN: { kinds: ['n'], rest: true },
  MAX: { kinds: ['n'], rest: true },
  PRODUCT: { kinds: ['n'], rest: true },
  SUMSQ: { kinds: ['n'], rest: true },
  AVERAGE: { kinds: ['n'], rest: true },
  MEDIAN: { kinds: ['n'], rest: true },
  STDEV: { kinds: ['n'], rest: true, ref: (...a) => lib.STDEVS?.(...a) },
  STDEVP: { kinds: ['n'], rest: true },
  VAR: { kinds: ['n'], rest: true, ref: (...a) => lib.VARS?.(...a) },
  VARP: { kinds: ['n'], rest: true },
  GCD: { kinds: ['i'], rest: true, where: nonNegative, errata: 'GCD negative' },
  LCM: { kinds: ['i'], rest: true, where: (a) => a.every((x) => (x as number) >= 0) },
  MODE: { kinds: ['i'], rest: true, ref: (...a) => lib.MODESNGL?.(...a), where: uniqueMode, errata: 'MODE no repeat' },
  COUNT: { kinds: ['n'], rest: true },
  LARGE: { kinds: ['i', 'n', 'n', 'n'], formula: (r) => `LARGE(VALUES(${r.slice(1).join(', ')}), ${r[0]})`, ref: (k, ...xs) => lib.LARGE?.(xs, k), where: (a) => (a[0] as number) >= 1 && (a[0] as number) <= 3, errata: 'k out of range' },
  SMALL: { kinds: ['i', 'n', 'n', 'n'], formula: (r) => `SMALL(VALUES(${r.slice(1).join(', ')}), ${r[0]})`, ref: (k, ...xs) => lib.SMALL?.(xs, k), where: (a) => (a[0] as number) >= 1 && (a[0] as number) <= 3, errata: 'k out of range' },
  LEFT: { kinds: ['t', 'i'], where: nonNegative, errata: 'negative count' },
  RIGHT: { kinds: ['t', 'i'], where: nonNegative, errata: 'negative count' },
  MID: { kinds: ['t', 'i', 'i'], where: (a) => (a[1] as number) >= 1 && (a[2] as number) > 0 && a[0] !== '', errata: 'MID empty' },
  LEN: { kinds: ['t'] },
  LOWER: { kinds: ['t'], where: ascii },
  UPPER: { kinds: ['t'], where: ascii },
  TRIM: { kinds: ['t'], where: (a) => !/[\t\n\r\f\v\u00a0-\uffff]/.test(a[0] as string), difference: 'TRIM' },
  SUBSTITUTE: { kinds: ['t', 't', 't'] },
  FIND: { kinds: ['t', 't'] },
  SEARCH: { kinds: ['t', 't'], where: (a) => ascii(a) && !/[?*~]/.test(a[0] as string), difference: 'SEARCH' },
  PROPER: { kinds: ['t'], where: (a) => /^[A-Za-z ]*$/.test(a[0] as string), errata: 'PROPER separators' },
  REPT: { kinds: ['t', 'i'], where: nonNegative, errata: 'negative count' },
  REPLACE: { kinds: ['t', 'i', 'i', 't'], where: (a) => (a[1] as number) >= 1 && (a[2] as number) >= 0, errata: 'negative count' },
  EXACT: { kinds: ['t', 't'] },
  CHAR: { kinds: ['i'], where: (a) => (a[0] as number) >= 1 && !((a[0] as number) >= 128 && (a[0] as number) <= 159), difference: 'CHAR', errata: 'CHAR range' },
  CODE: { kinds: ['t'] },
  UNICHAR: { kinds: ['i'], where: (a) => (a[0] as number) >= 1, errata: 'CHAR range' },
  UNICODE: { kinds: ['t'] },
  CLEAN: { kinds: ['t'] },
  FIXED: { kinds: ['n', 'i'], where: (a) => (a[1] as number) >= 0 && (a[1] as number) < 15 && !onBoundary(a) && !((a[0] as number) < 0 && Number((a[0] as number).toFixed(a[1] as number)) === 0), errata: 'FIXED negative zero' },
  CONCAT: { kinds: ['t'], rest: true },
  T: { kinds: ['t'] },
  DATE: { kinds: ['i', 'i', 'i'], formula: (r) => `DATE(2000 + ${r[0]}, ${r[1]}, ${r[2]})`, ref: (y, m, d) => lib.DATE?.(2000 + (y as number), m, d) },
  EDATE: { kinds: ['d', 'i'] },
  EOMONTH: { kinds: ['d', 'i'] },
  NETWORKDAYS: { kinds: ['d', 'd'], where: (a) => (a[0] as string) <= (a[1] as string), errata: 'NETWORKDAYS reversed' },
  WORKDAY: { kinds: ['d', 'i'] },
  DATEDIF: {
    kinds: ['d', 'd', 'i'],
    formula: (r, a) => `DATEDIF(${r[0]}, ${r[1]}, "${DATEDIF_UNITS[Math.abs(a[2] as number) % 3]}")`,
    ref: (x, y, i) => lib.DATEDIF?.(x, y, DATEDIF_UNITS[Math.abs(i as number) % 3]),
    where: (a) => (a[0] as string) < (a[1] as string),
    errata: 'DATEDIF',
  },
  WEEKNUM: { kinds: ['d'] },
  ISOWEEKNUM: { kinds: ['d'] },
  YEAR: { kinds: ['d'] },
  MONTH: { kinds: ['d'] },
  DAY: { kinds: ['d'] },
  WEEKDAY: { kinds: ['d'] },
  DAYS: { kinds: ['d', 'd'] },
  YEARFRAC: { kinds: ['d', 'd'], where: (a) => (a[0] as string) <= (a[1] as string) && !/-02-2[89]$/.test(a[0] as string), errata: 'YEARFRAC reversed', also: 'YEARFRAC February' },
  TIME: { kinds: ['i', 'i', 'i'], where: (a) => nonNegative(a) && (a[0] as number) * 3600 + (a[1] as number) * 60 + (a[2] as number) < 86400, errata: 'TIME rollover' },
  HOUR: { kinds: ['dt'] },
  MINUTE: { kinds: ['dt'] },
  SECOND: { kinds: ['dt'] },
  AND: { kinds: ['b'], rest: true },
  OR: { kinds: ['b'], rest: true },
  XOR: { kinds: ['b'], rest: true },
  NOT: { kinds: ['b'] },
  ISEVEN: { kinds: ['n'] },
  ISODD: { kinds: ['n'] },
  ISNUMBER: { kinds: ['n'] },
  ISTEXT: { kinds: ['t'], where: (a) => a[0] !== '' },
  IF: { kinds: ['b', 'n', 'n'] },
};

/**
 * The operators with blank operands, against @formulajs functions that model an empty cell as
 * Excel's operators do (as 0 in arithmetic, "" in text): SUM for +, SUMPRODUCT for * (and for the
 * sign of - and prefix -), POWER for ^, CONCAT for &. @formulajs has no function for / or the
 * comparisons that takes blanks; those are checked by example in nulls.test.ts.
 */
const neg = (x: unknown) => lib.SUMPRODUCT?.([[-1]], [[x]]);
const OPERATOR_CASES: Record<string, Case> = {
  '+': { kinds: ['nb', 'nb'], formula: (r) => `${r[0]} + ${r[1]}`, ref: (a, b) => lib.SUM?.(a, b) },
  '-': { kinds: ['nb', 'nb'], formula: (r) => `${r[0]} - ${r[1]}`, ref: (a, b) => lib.SUM?.(a, neg(b)) },
  '*': { kinds: ['nb', 'nb'], formula: (r) => `${r[0]} * ${r[1]}`, ref: (a, b) => lib.SUMPRODUCT?.([[a]], [[b]]) },
  'prefix -': { kinds: ['nb'], formula: (r) => `-${r[0]}`, ref: neg },
  '^': { kinds: ['nb', 'ib'], formula: (r) => `${r[0]} ^ ${r[1]}`, ref: (a, b) => lib.POWER?.(a, b), where: (a) => (a[0] ?? 0) !== 0 || (a[1] ?? 0) !== 0, difference: 'POWER' },
  'a chain': { kinds: ['nb', 'nb', 'nb'], formula: (r) => `${r[0]} + ${r[1]} * ${r[2]}`, ref: (a, b, c) => lib.SUM?.(a, lib.SUMPRODUCT?.([[b]], [[c]])) },
  '&': { kinds: ['tb', 'tb'], formula: (r) => `${r[0]} & ${r[1]}`, ref: (a, b) => lib.CONCAT?.(a, b) },
};

/** Functions with an Excel counterpart not run here, and why (the reason is checked to be non-empty). */
const NOT_COMPARED: Record<string, string> = {
  TODAY: 'reads the run clock',
  NOW: 'reads the run clock',
  TEXT: 'format tokens differ by design (DIFFERENCES.TEXT)',
  FORMATDATE: 'format tokens differ by design',
  DATEVALUE: 'takes a format argument; Excel reads locale text',
  VALUE: 'Excel reads locale-dependent text; Weft reads a fixed grammar (tests in functions.test.ts)',
  NUMBERVALUE: '@formulajs has no separator arguments',
  LOOKUP: 'reads a value map, not a range (Excel: VLOOKUP)',
  INDEX: 'over a List, not a range',
  SPLIT: 'Excel TEXTSPLIT gives an array spill',
  JOIN: 'Excel TEXTJOIN has a skip-blanks argument; TEXTJOIN is compared instead',
  TEXTJOIN: '@formulajs TEXTJOIN treats booleans as text differently; tested by examples',
  UNIQUE: 'array spill in Excel',
  SORT: 'array spill in Excel',
  IFS: 'lazy evaluation; tested by examples',
  SWITCH: 'lazy evaluation; tested by examples',
  IFERROR: 'catches Weft failures, tested in errors.test.ts',
  IFNA: 'catches Weft failures, tested in errors.test.ts',
  ISERROR: 'tested in errors.test.ts',
  ISNA: 'tested in errors.test.ts',
  NA: 'tested in errors.test.ts',
  ISBLANK: 'empty text counts as blank by design (DIFFERENCES.ISBLANK)',
  COUNTA: 'empty text counts as blank by design',
  COUNTBLANK: 'empty text counts as blank by design',
  ISLOGICAL: 'typed: a Boolean argument is TRUE unless blank',
  ISNONTEXT: 'typed: tested by examples',
  N: 'dates give 0 by design',
  DOLLAR: 'negative amounts by design',
  PI: 'no arguments: tested by example',
  POWER: 'compared above',
  TEXTBEFORE: '@formulajs has no TEXTBEFORE',
  TEXTAFTER: '@formulajs has no TEXTAFTER',
  ENCODEURL: '@formulajs has no ENCODEURL; tested against encodeURIComponent by example',
  REGEXMATCH: 'Sheets only',
  REGEXEXTRACT: 'Sheets only',
  CONTAINS: 'no Excel counterpart',
};

/** Weft's value vs the reference's, as one comparable form: numbers at 12 significant digits, dates as YYYY-MM-DD. */
function norm(v: unknown): unknown {
  if (v instanceof Error || v === undefined) return 'error';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'error' : v.toISOString().slice(0, 10);
  if (typeof v === 'number') return Number.isFinite(v) ? Number(v.toPrecision(12)) || 0 : 'error';
  return v;
}

function toRef(kind: Kind, v: unknown): unknown {
  return kind === 'd' || kind === 'dt' ? new Date(v as string) : v;
}

describe('differential: Weft against @formulajs/formulajs', () => {
  it('runs every function with an Excel counterpart, or says why not', () => {
    const missing: string[] = [];
    for (const f of FUNCTIONS) {
      const c = counterpartOf(f.name);
      if (!c?.excel) continue;
      if (!CASES[f.name] && !NOT_COMPARED[f.name]) missing.push(f.name);
    }
    expect(missing).toEqual([]);
    for (const c of [...Object.values(CASES), ...Object.values(OPERATOR_CASES)]) {
      if (c.difference) expect(DIFFERENCES[c.difference], c.difference).toBeTruthy();
      if (c.errata) expect(REFERENCE_ERRATA[c.errata], c.errata).toBeTruthy();
      if (c.also) expect(REFERENCE_ERRATA[c.also], c.also).toBeTruthy();
    }
  });

  const cases = [...Object.entries(CASES), ...Object.entries(OPERATOR_CASES).map(([op, c]): [string, Case] => [`operator ${op} with blanks`, c])];
  for (const [name, c] of cases) {
    it(`${name} agrees on generated arguments`, () => {
      const arbs = c.kinds.map((k) => ARB[k]);
      const gen = c.rest ? fc.tuple(fc.tuple(...arbs), fc.array(ARB[c.kinds[c.kinds.length - 1] as Kind], { maxLength: 5 })).map(([a, b]) => [...a, ...b]) : fc.tuple(...arbs);
      const ref: Ref | undefined = c.ref ?? (lib[name] as Ref | undefined);
      expect(ref, `@formulajs has ${name}`).toBeTypeOf('function');
      fc.assert(
        fc.property(gen, (args: unknown[]) => {
          if (c.where && !c.where(args)) return;
          const kinds = args.map((_, i) => c.kinds[Math.min(i, c.kinds.length - 1)] as Kind);
          const fields: Field[] = args.map((_, i) => ({ name: `a${i}`, type: FIELD[kinds[i] as Kind] }));
          const refs = fields.map((f) => `[${f.name}]`);
          const formula = c.formula ? c.formula(refs, args) : `${name}(${refs.join(', ')})`;
          const compiled = compileFormula(formula, { fields });
          if (!compiled.ok) throw new Error(`${formula}: ${compiled.diagnostics.map((d) => d.message).join('; ')}`);
          const row = Object.fromEntries(args.map((v, i) => [`a${i}`, v]));
          const r = compiled.evaluate(row, { now: () => 0 });
          const weft = r.ok ? norm(r.value) : 'error';
          let expected: unknown;
          try {
            expected = norm((ref as Ref)(...args.map((v, i) => toRef(kinds[i] as Kind, v))));
          } catch {
            expected = 'error';
          }
          if (weft !== expected && !(typeof weft === 'number' && typeof expected === 'number' && Math.abs(weft - expected) <= 1e-9 * Math.max(1, Math.abs(expected)))) {
            throw new Error(`${formula} with ${JSON.stringify(args)}: Weft ${JSON.stringify(weft)}${r.ok ? '' : ` (${r.error})`}, Excel (@formulajs) ${JSON.stringify(expected)}`);
          }
        }),
        { numRuns: 300 },
      );
    });
  }
});
