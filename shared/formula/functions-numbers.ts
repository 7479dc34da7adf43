// Math and aggregate functions that spreadsheet users reach for (INT, ROUNDUP, AVERAGE, MEDIAN...).
import { defineFunction, type CallInfo, type FunctionSpec } from './function-spec';
import { checkNumber, clean, roundHalfAway, type Site } from './runtime';
import { T, type FormulaType } from './types';

const numericOf = (types: readonly FormulaType[]): FormulaType =>
  types.some((t) => t.kind === 'Currency' || (t.kind === 'List' && t.of.kind === 'Currency')) ? T.Currency : T.Number;
const sameAsFirst = (c: CallInfo) => ({ type: numericOf([c.args[0]?.type ?? T.Number]) });

/** The numbers of aggregate arguments: single values and list items, blanks skipped. */
export function numbersOf(values: readonly unknown[]): number[] {
  const out: number[] = [];
  for (const v of values) {
    if (typeof v === 'number') out.push(v);
    else if (Array.isArray(v)) for (const x of v) if (typeof x === 'number') out.push(x);
  }
  return out;
}

const num = (site: Site, n: number) => checkNumber(n, site);
const domain = (site: Site, ok: boolean, what: string): void => {
  if (!ok) site.failWith('#NUM!', what);
};

/** A function of one number; `same` keeps Currency as Currency. */
function math1(name: string, description: string, example: string, result: string, f: (x: number, s: Site) => number, same = false, extra: Partial<FunctionSpec> = {}): FunctionSpec {
  return defineFunction({
    name,
    category: 'Numbers',
    params: [{ name: 'number', kind: 'number' }],
    returns: same ? 'Number' : T.Number,
    description,
    example,
    result,
    ...(same ? { check: sameAsFirst } : {}),
    impl: (s, x: number) => num(s, f(x, s)),
    ...(extra as object),
  });
}

function rounding(name: string, description: string, example: string, result: string, f: (x: number, m: number) => number): FunctionSpec {
  return defineFunction({
    name,
    category: 'Numbers',
    params: [
      { name: 'number', kind: 'number' },
      { name: 'digits', kind: 'number', optional: true },
    ],
    returns: 'Number',
    description,
    example,
    result,
    check: sameAsFirst,
    impl: (s, x: number, digits?: number) => {
      const d = Math.trunc(digits ?? 0);
      if (d < 0) {
        const p = -d;
        // Past 10^308 every double is below one unit of 10^p (but not 0 unless x is): ROUNDUP makes it 10^p, too large.
        const scaled = p > 308 ? (x === 0 ? 0 : 0.5) : clean(Math.abs(x) / 10 ** p);
        const r = f(scaled, 1);
        return r === 0 ? 0 : num(s, clean(Math.sign(x) * r * 10 ** p));
      }
      const m = 10 ** Math.min(d, 308);
      const scaled = clean(Math.abs(x) * m);
      // Past a double's range the places asked for are finer than x's own precision: x is already there.
      if (!Number.isFinite(scaled)) return x;
      return num(s, clean((Math.sign(x) * f(scaled, 1)) / m) || 0);
    },
  });
}

function aggregate(name: string, description: string, example: string, result: string, f: (xs: number[], s: Site) => number | null, keepCurrency = true): FunctionSpec {
  return defineFunction({
    name,
    category: 'Lists',
    params: [{ name: 'numbers', kind: 'numbers' }],
    repeat: 1,
    returns: keepCurrency ? 'Number' : T.Number,
    description,
    example,
    result,
    nulls: 'accept',
    ...(keepCurrency ? { check: (c: CallInfo) => ({ type: numericOf(c.args.map((a) => a.type)) }) } : {}),
    impl: (s, values: unknown[]) => {
      const r = f(numbersOf(values), s);
      return r === null ? null : num(s, r);
    },
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function variance(xs: number[], s: Site, sample: boolean): number {
  const n = xs.length;
  if (n < (sample ? 2 : 1)) s.failWith('#DIV/0!', `Needs at least ${sample ? 2 : 1} number${sample ? 's' : ''}`);
  const m = mean(xs);
  let acc = 0;
  for (const x of xs) acc += (x - m) ** 2;
  return acc / (sample ? n - 1 : n);
}

function kth(name: string, largest: boolean): FunctionSpec {
  return defineFunction({
    name,
    category: 'Lists',
    params: [
      { name: 'numbers', kind: 'numbers' },
      { name: 'k', kind: 'number' },
    ],
    returns: 'Number',
    description: `The k-th ${largest ? 'largest' : 'smallest'} number (k = 1 is the ${largest ? 'largest' : 'smallest'}). Blanks are skipped; a k beyond the count is #NUM!.`,
    example: `${name}(VALUES(3, 1, 2), 1)`,
    result: largest ? '3' : '1',
    check: (c) => ({ type: numericOf([c.args[0]?.type ?? T.Number]) }),
    impl: (s, list: unknown, k: number) => {
      const xs = numbersOf([list]).sort((a, b) => (largest ? b - a : a - b));
      const i = Math.ceil(k);
      if (i < 1 || i > xs.length) s.failWith('#NUM!', `k must be 1 to ${xs.length}, got ${k}`);
      return xs[i - 1] as number;
    },
  });
}

const gcd2 = (a: number, b: number): number => (b === 0 ? a : gcd2(b, a % b));

function intsOf(values: unknown[], s: Site): number[] {
  const xs = numbersOf(values).map(Math.trunc);
  for (const x of xs) domain(s, x >= 0, `The numbers must not be negative, got ${x}`);
  return xs;
}

export const NUMBER_FUNCTIONS: readonly FunctionSpec[] = [
  math1('INT', 'Rounds down to the nearest whole number (toward negative infinity): INT(-2.5) is -3.', 'INT(-2.5)', '-3', (x) => Math.floor(clean(x)) || 0, true),
  rounding('TRUNC', 'Drops the digits after `digits` decimal places (0 when omitted), toward zero: TRUNC(-2.7) is -2.', 'TRUNC(3.14159, 2)', '3.14', (x) => Math.floor(x)),
  rounding('ROUNDUP', 'Rounds away from zero to `digits` decimal places (0 when omitted).', 'ROUNDUP(3.141, 2)', '3.15', (x) => Math.ceil(x)),
  rounding('ROUNDDOWN', 'Rounds toward zero to `digits` decimal places (0 when omitted).', 'ROUNDDOWN(-3.149, 2)', '-3.14', (x) => Math.floor(x)),
  defineFunction({
    name: 'MROUND',
    category: 'Numbers',
    params: [
      { name: 'number', kind: 'number' },
      { name: 'multiple', kind: 'number' },
    ],
    returns: 'Number',
    description: 'Rounds to the nearest multiple, halves away from zero. Number and multiple of different signs are #NUM!; a multiple of 0 gives 0.',
    example: 'MROUND(17, 5)',
    result: '15',
    check: sameAsFirst,
    impl: (s, x: number, m: number) => {
      if (m === 0) return 0;
      domain(s, x === 0 || Math.sign(x) === Math.sign(m), 'The number and the multiple must have the same sign');
      const q = clean(x / m);
      // A multiple too small to count x in (x / m past a double) is finer than x's own precision: x is a multiple.
      if (!Number.isFinite(q)) return x;
      return num(s, clean(roundHalfAway(q, 0) * m));
    },
  }),
  math1('SIGN', '1 for a positive number, -1 for a negative one, 0 for zero.', 'SIGN(-12.5)', '-1', (x) => Math.sign(x) || 0),
  math1('SQRT', 'The square root. A negative number is #NUM!.', 'SQRT(16)', '4', (x, s) => (domain(s, x >= 0, `Cannot take the square root of ${x}`), Math.sqrt(x))),
  math1('EXP', 'e raised to the number.', 'ROUND(EXP(1), 6)', '2.718282', (x) => Math.exp(x)),
  math1('LN', 'The natural logarithm. Zero or a negative number is #NUM!.', 'LN(1)', '0', (x, s) => (domain(s, x > 0, `Cannot take the logarithm of ${x}`), Math.log(x))),
  math1('LOG10', 'The base-10 logarithm. Zero or a negative number is #NUM!.', 'LOG10(1000)', '3', (x, s) => (domain(s, x > 0, `Cannot take the logarithm of ${x}`), Math.log10(x))),
  defineFunction({
    name: 'LOG',
    category: 'Numbers',
    params: [
      { name: 'number', kind: 'number' },
      { name: 'base', kind: 'number', optional: true },
    ],
    returns: T.Number,
    description: 'The logarithm in `base` (10 when omitted).',
    example: 'LOG(8, 2)',
    result: '3',
    impl: (s, x: number, base?: number) => {
      const b = base ?? 10;
      domain(s, x > 0 && b > 0, `Cannot take the logarithm of ${x} in base ${b}`);
      if (b === 1) s.failWith('#DIV/0!', 'A logarithm in base 1 divides by zero');
      return num(s, clean(Math.log(x) / Math.log(b)));
    },
  }),
  defineFunction({ name: 'PI', category: 'Numbers', params: [], returns: T.Number, description: 'π to 15 digits.', example: 'ROUND(PI(), 4)', result: '3.1416', impl: () => Math.PI }),
  defineFunction({
    name: 'QUOTIENT',
    category: 'Numbers',
    params: [
      { name: 'numerator', kind: 'number' },
      { name: 'denominator', kind: 'number' },
    ],
    returns: T.Number,
    description: 'The whole part of a division, toward zero. A denominator of 0 is #DIV/0!.',
    example: 'QUOTIENT(17, 5)',
    result: '3',
    impl: (s, a: number, b: number) => (b === 0 ? s.failWith('#DIV/0!', 'Division by zero') : num(s, Math.trunc(clean(a / b)) || 0)),
  }),
  math1('EVEN', 'Rounds away from zero to the nearest even whole number.', 'EVEN(3.2)', '4', (x) => Math.sign(x) * Math.ceil(clean(Math.abs(x)) / 2) * 2 || 0),
  math1('ODD', 'Rounds away from zero to the nearest odd whole number.', 'ODD(2)', '3', (x) => {
    const a = Math.ceil(clean(Math.abs(x)));
    return (Math.sign(x) || 1) * (a % 2 === 1 ? a : a + 1);
  }),
  math1('FACT', 'The factorial of the whole part of the number. A negative number is #NUM!.', 'FACT(5)', '120', (x, s) => {
    domain(s, x >= 0, `The factorial of ${x} does not exist`);
    // 171! is past a double: say so at once rather than multiply up to x (FACT(1e15) would run for days).
    if (x >= 171) return s.fail('The result is too large');
    let r = 1;
    for (let i = 2; i <= Math.trunc(x); i++) r *= i;
    return r;
  }),
  defineFunction({
    name: 'GCD',
    category: 'Numbers',
    params: [{ name: 'numbers', kind: 'numbers' }],
    repeat: 1,
    returns: T.Number,
    description: 'The greatest common divisor of the whole parts of the numbers.',
    example: 'GCD(24, 36)',
    result: '12',
    impl: (s, values: unknown[]) => intsOf(values, s).reduce((a, b) => gcd2(a, b), 0),
  }),
  defineFunction({
    name: 'LCM',
    category: 'Numbers',
    params: [{ name: 'numbers', kind: 'numbers' }],
    repeat: 1,
    returns: T.Number,
    description: 'The least common multiple of the whole parts of the numbers.',
    example: 'LCM(4, 6)',
    result: '12',
    impl: (s, values: unknown[]) => num(s, intsOf(values, s).reduce((a, b) => (a === 0 || b === 0 ? 0 : (a / gcd2(a, b)) * b), 1)),
  }),
  math1('DEGREES', 'Radians to degrees.', 'DEGREES(PI())', '180', (x) => clean((x * 180) / Math.PI)),
  math1('RADIANS', 'Degrees to radians.', 'ROUND(RADIANS(180), 5)', '3.14159', (x) => (x * Math.PI) / 180),
  math1('SIN', 'The sine of an angle in radians.', 'SIN(0)', '0', (x) => Math.sin(x)),
  math1('COS', 'The cosine of an angle in radians.', 'COS(0)', '1', (x) => Math.cos(x)),
  math1('TAN', 'The tangent of an angle in radians.', 'TAN(0)', '0', (x) => Math.tan(x)),
  defineFunction({
    name: 'ATAN2',
    category: 'Numbers',
    params: [
      { name: 'x', kind: 'number' },
      { name: 'y', kind: 'number' },
    ],
    returns: T.Number,
    description: 'The angle of the point (x, y) from the x axis, in radians (Excel argument order: x first). (0, 0) is #DIV/0!.',
    example: 'ROUND(ATAN2(1, 1), 4)',
    result: '0.7854',
    impl: (s, x: number, y: number) => (x === 0 && y === 0 ? s.failWith('#DIV/0!', 'The angle of (0, 0) is undefined') : Math.atan2(y, x)),
  }),
  defineFunction({
    name: 'COMBIN',
    category: 'Numbers',
    params: [
      { name: 'n', kind: 'number' },
      { name: 'k', kind: 'number' },
    ],
    returns: T.Number,
    description: 'The number of ways to choose k items from n (whole parts).',
    example: 'COMBIN(5, 2)',
    result: '10',
    impl: (s, n0: number, k0: number) => {
      const n = Math.trunc(n0);
      const k = Math.trunc(k0);
      domain(s, n >= 0 && k >= 0 && k <= n, `Cannot choose ${k} from ${n}`);
      let r = 1;
      // r only grows (each step multiplies by (n - i + 1) / i >= 1), so it passes a double within ~1,000 steps
      // when it ever will: stop there rather than loop up to k (COMBIN(1e15, 5e14) would run for days).
      for (let i = 1; i <= Math.min(k, n - k) && r - r === 0; i++) r = (r * (n - i + 1)) / i;
      return num(s, Math.round(r));
    },
  }),

  // Aggregates: each argument a number or a list of numbers (a multi-value field, SPLIT, VALUES).
  defineFunction({
    name: 'VALUES',
    category: 'Lists',
    params: [{ name: 'value', kind: 'scalar' }],
    repeat: 1,
    returns: 'a List of the values\' type',
    description: 'Makes a list of the values (blanks kept), for the list functions: MEDIAN(VALUES([Q1], [Q2], [Q3])).',
    example: 'JOIN(VALUES("a", "b", "c"), "-")',
    result: '"a-b-c"',
    nulls: 'accept',
    check: (c) => {
      let t: FormulaType = T.Null;
      for (const a of c.args) {
        if (t.kind === 'Null') t = a.type;
        else if (a.type.kind !== 'Null' && a.type.kind !== t.kind) {
          const numeric = (k: string) => k === 'Number' || k === 'Currency';
          if (numeric(a.type.kind) && numeric(t.kind)) t = T.Currency;
          else {
            c.error(a, 'branch-types', `VALUES needs items of one type, got ${t.kind} and ${a.type.kind}`);
            return { type: T.list(T.Any) };
          }
        }
      }
      return { type: T.list(t) };
    },
    impl: (_s, values: unknown[]) => values.slice(),
  }),
  aggregate('PRODUCT', 'The numbers multiplied together. Blanks are skipped; 0 when all are blank.', 'PRODUCT(2, 3, 4)', '24', (xs) => (xs.length ? xs.reduce((a, b) => a * b, 1) : 0)),
  aggregate('SUMSQ', 'The sum of the squares.', 'SUMSQ(3, 4)', '25', (xs) => xs.reduce((a, b) => a + b * b, 0), false),
  aggregate('AVERAGE', 'The mean of the numbers, blanks skipped. No numbers at all is #DIV/0!.', 'AVERAGE(VALUES(1, 2, 3, 6))', '3', (xs, s) => (xs.length ? clean(mean(xs)) : s.failWith('#DIV/0!', 'There are no numbers to average'))),
  aggregate('MEDIAN', 'The middle number (the mean of the two middle ones for an even count), blanks skipped. No numbers is #NUM!.', 'MEDIAN(VALUES(3, 1, 4, 1, 5))', '3', (xs, s) => {
    if (!xs.length) s.failWith('#NUM!', 'There are no numbers');
    const sorted = xs.slice().sort((a, b) => a - b);
    const m = sorted.length >> 1;
    return sorted.length % 2 ? (sorted[m] as number) : ((sorted[m - 1] as number) + (sorted[m] as number)) / 2;
  }),
  aggregate('MODE', 'The most frequent number (the first to reach the top count); #N/A when no number repeats.', 'MODE(VALUES(1, 2, 2, 3))', '2', (xs, s) => {
    const counts = new Map<number, number>();
    let best: number | null = null;
    let top = 1;
    for (const x of xs) {
      const c = (counts.get(x) ?? 0) + 1;
      counts.set(x, c);
      if (c > top || (c === top && c > 1 && best !== null && xs.indexOf(x) < xs.indexOf(best))) {
        top = c;
        best = x;
      }
    }
    return best ?? s.failWith('#N/A', 'No number repeats');
  }),
  aggregate('STDEV', 'The sample standard deviation (n - 1). Fewer than 2 numbers is #DIV/0!.', 'ROUND(STDEV(VALUES(2, 4, 4, 4, 5, 5, 7, 9)), 4)', '2.1381', (xs, s) => Math.sqrt(variance(xs, s, true)), false),
  aggregate('STDEVP', 'The population standard deviation (n).', 'STDEVP(VALUES(2, 4, 4, 4, 5, 5, 7, 9))', '2', (xs, s) => Math.sqrt(variance(xs, s, false)), false),
  aggregate('VAR', 'The sample variance (n - 1). Fewer than 2 numbers is #DIV/0!.', 'ROUND(VAR(VALUES(2, 4, 4, 4, 5, 5, 7, 9)), 4)', '4.5714', (xs, s) => variance(xs, s, true), false),
  aggregate('VARP', 'The population variance (n).', 'VARP(VALUES(2, 4, 4, 4, 5, 5, 7, 9))', '4', (xs, s) => variance(xs, s, false), false),
  kth('LARGE', true),
  kth('SMALL', false),
  defineFunction({
    name: 'COUNT',
    category: 'Lists',
    params: [{ name: 'values', kind: 'any' }],
    repeat: 1,
    returns: T.Number,
    description: 'How many of the values (and list items) are numbers.',
    example: 'COUNT(VALUES(1, NULL, 3))',
    result: '2',
    nulls: 'accept',
    impl: (_s, values: unknown[]) => numbersOf(values).length,
  }),
  defineFunction({
    name: 'COUNTA',
    category: 'Lists',
    params: [{ name: 'values', kind: 'any' }],
    repeat: 1,
    returns: T.Number,
    description: 'How many of the values (and list items) are not blank. Empty text counts as blank (Excel counts it).',
    example: 'COUNTA([Name], [Notes], [Email])',
    result: '2',
    nulls: 'accept',
    impl: (_s, values: unknown[]) => {
      let n = 0;
      for (const v of values) {
        if (Array.isArray(v)) for (const x of v) n += x === null || x === '' ? 0 : 1;
        else n += v === null || v === '' ? 0 : 1;
      }
      return n;
    },
  }),
  defineFunction({
    name: 'COUNTBLANK',
    category: 'Lists',
    params: [{ name: 'values', kind: 'any' }],
    repeat: 1,
    returns: T.Number,
    description: 'How many of the values (and list items) are blank (NULL or empty text).',
    example: 'COUNTBLANK([Name], [Notes], [Discount])',
    result: '2',
    nulls: 'accept',
    impl: (_s, values: unknown[]) => {
      let n = 0;
      for (const v of values) {
        if (Array.isArray(v)) for (const x of v) n += x === null || x === '' ? 1 : 0;
        else n += v === null || v === '' ? 1 : 0;
      }
      return n;
    },
  }),
  defineFunction({
    name: 'UNIQUE',
    category: 'Lists',
    params: [{ name: 'list', kind: 'list' }],
    returns: 'the same List type',
    description: 'The list without repeated items (the first of each kept, in order).',
    example: 'JOIN(UNIQUE(SPLIT("a,b,a,c,b", ",")), ",")',
    result: '"a,b,c"',
    check: (c) => ({ type: c.args[0]?.type ?? T.list(T.Any) }),
    impl: (_s, list: unknown[]) => [...new Set(list)],
  }),
  defineFunction({
    name: 'SORT',
    category: 'Lists',
    params: [
      { name: 'list', kind: 'list' },
      { name: 'descending', kind: 'boolean', optional: true },
    ],
    returns: 'the same List type',
    description: 'The list sorted ascending (numbers by value, text by character code), or descending when the second argument is TRUE. Blanks go last.',
    example: 'JOIN(SORT(SPLIT("b,c,a", ",")), ",")',
    result: '"a,b,c"',
    check: (c) => ({ type: c.args[0]?.type ?? T.list(T.Any) }),
    impl: (_s, list: unknown[], descending?: boolean) => {
      const dir = descending === true ? -1 : 1;
      return list.slice().sort((a, b) => (a === null ? 1 : b === null ? -1 : (a as number) < (b as number) ? -dir : (a as number) > (b as number) ? dir : 0));
    },
  }),
];
