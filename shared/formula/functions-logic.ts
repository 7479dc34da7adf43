// Logic and information functions: IFERROR and IFNA catch a formula's error values, IS* ask what a value is.
import type { Compiled } from './compiled';
import { defineFunction, type CallInfo, type FunctionSpec } from './function-spec';
import { FormulaFault, type ErrorValue } from './runtime';
import { formatType, isNumeric, T, unify, type FormulaType } from './types';

function unifyBoth(c: CallInfo): FormulaType {
  const [a, b] = c.args;
  if (!a || !b) return T.Any;
  const u = unify(a.type, b.type);
  if (!u) {
    c.error(b, 'branch-types', `${c.name} gives ${formatType(a.type)} in one case and ${formatType(b.type)} in another; they must have the same type`);
    return T.Any;
  }
  return u;
}

/** A closure that gives `fallback` when `value` fails with one of the caught error values. */
function catching(value: Compiled, fallback: Compiled, only?: ErrorValue): Compiled {
  return (r, e) => {
    try {
      return value(r, e);
    } catch (err) {
      if (err instanceof FormulaFault && (only === undefined || err.code === only)) return fallback(r, e);
      throw err;
    }
  };
}

function probe(value: Compiled, test: (err: FormulaFault) => boolean): Compiled {
  return (r, e) => {
    try {
      value(r, e);
      return false;
    } catch (err) {
      if (err instanceof FormulaFault) return test(err);
      throw err;
    }
  };
}

type Kind = 'number' | 'text' | 'boolean' | 'date';
const KIND_OF = (t: FormulaType): Kind | null =>
  isNumeric(t) ? 'number' : t.kind === 'Text' ? 'text' : t.kind === 'Boolean' ? 'boolean' : t.kind === 'Date' || t.kind === 'DateTime' ? 'date' : null;

function isKind(name: string, kind: Kind, description: string, example: string, result: string): FunctionSpec {
  return defineFunction<Kind | null>({
    name,
    category: 'Logic',
    params: [{ name: 'value', kind: 'any' }],
    returns: T.Boolean,
    description,
    example,
    result,
    nulls: 'accept',
    check: (c) => ({ prep: c.args[0] ? KIND_OF(c.args[0].type) : null }),
    impl: (s, v: unknown) => s.prep === kind && v !== null && v !== undefined,
  });
}

export const LOGIC_FUNCTIONS: readonly FunctionSpec[] = [
  defineFunction({
    name: 'IFERROR',
    category: 'Logic',
    params: [
      { name: 'value', kind: 'any' },
      { name: 'fallback', kind: 'any' },
    ],
    returns: 'the type of value and fallback',
    description: 'The value, or `fallback` when computing it fails with an error value (#DIV/0!, #VALUE!, #N/A, #NUM!) that would otherwise reject the record.',
    example: 'IFERROR(FIND("x", [Country]), 0)',
    result: '0',
    nulls: 'accept',
    catches: true,
    check: (c) => ({ type: unifyBoth(c) }),
    lazy: ({ arg: a, type }) => catching(a(0, type), a(1, type)),
  }),
  defineFunction({
    name: 'IFNA',
    category: 'Logic',
    params: [
      { name: 'value', kind: 'any' },
      { name: 'fallback', kind: 'any' },
    ],
    returns: 'the type of value and fallback',
    description: 'The value, or `fallback` when computing it fails with #N/A (nothing found: TEXTBEFORE without the delimiter, MODE without repeats, NA()). Other errors still reject the record.',
    example: 'IFNA(TEXTBEFORE("no at sign", "@"), "none")',
    result: '"none"',
    nulls: 'accept',
    catches: true,
    check: (c) => ({ type: unifyBoth(c) }),
    lazy: ({ arg: a, type }) => catching(a(0, type), a(1, type), '#N/A'),
  }),
  defineFunction({
    name: 'ISERROR',
    category: 'Logic',
    params: [{ name: 'value', kind: 'any' }],
    returns: T.Boolean,
    description: 'TRUE when computing the value fails with any error value.',
    example: 'ISERROR(FIND("x", "abc"))',
    result: 'TRUE',
    nulls: 'accept',
    catches: true,
    lazy: ({ args }) => probe(args[0] as Compiled, () => true),
  }),
  defineFunction({
    name: 'ISNA',
    category: 'Logic',
    params: [{ name: 'value', kind: 'any' }],
    returns: T.Boolean,
    description: 'TRUE when computing the value fails with #N/A.',
    example: 'ISNA(NA())',
    result: 'TRUE',
    nulls: 'accept',
    catches: true,
    lazy: ({ args }) => probe(args[0] as Compiled, (err) => err.code === '#N/A'),
  }),
  defineFunction({
    name: 'NA',
    category: 'Logic',
    params: [],
    returns: T.Null,
    description: 'The #N/A error value: rejects the record unless IFNA or IFERROR catches it.',
    example: 'IFNA(NA(), "caught")',
    result: '"caught"',
    nulls: 'accept',
    impl: (s) => s.failWith('#N/A', 'NA() was reached'),
  }),
  defineFunction({
    name: 'XOR',
    category: 'Logic',
    params: [{ name: 'condition', kind: 'boolean' }],
    repeat: 1,
    returns: T.Boolean,
    description: 'TRUE when an odd number of the conditions are TRUE. Blanks count as FALSE.',
    example: 'XOR(TRUE, FALSE, TRUE)',
    result: 'FALSE',
    nulls: 'accept',
    impl: (_s, values: unknown[]) => {
      let odd = false;
      for (const v of values) if (v === true) odd = !odd;
      return odd;
    },
  }),
  isKind('ISNUMBER', 'number', 'TRUE when the value is a number (Number or Currency) and not blank.', 'ISNUMBER([Amount])', 'TRUE'),
  isKind('ISTEXT', 'text', 'TRUE when the value is text and not blank.', 'ISTEXT([Notes])', 'FALSE'),
  isKind('ISLOGICAL', 'boolean', 'TRUE when the value is TRUE or FALSE (not blank).', 'ISLOGICAL([Active])', 'TRUE'),
  isKind('ISDATE', 'date', 'TRUE when the value is a Date or a Date & time and not blank.', 'ISDATE([Start])', 'TRUE'),
  defineFunction({
    name: 'ISNONTEXT',
    category: 'Logic',
    params: [{ name: 'value', kind: 'any' }],
    returns: T.Boolean,
    description: 'TRUE when the value is not text (blank counts as not text).',
    example: 'ISNONTEXT([Amount])',
    result: 'TRUE',
    nulls: 'accept',
    impl: (_s, v: unknown) => typeof v !== 'string' || v === '',
  }),
  defineFunction({
    name: 'ISEVEN',
    category: 'Logic',
    params: [{ name: 'number', kind: 'number' }],
    returns: T.Boolean,
    description: 'TRUE when the whole part of the number is even.',
    example: 'ISEVEN(4)',
    result: 'TRUE',
    impl: (_s, x: number) => Math.trunc(x) % 2 === 0,
  }),
  defineFunction({
    name: 'ISODD',
    category: 'Logic',
    params: [{ name: 'number', kind: 'number' }],
    returns: T.Boolean,
    description: 'TRUE when the whole part of the number is odd.',
    example: 'ISODD(3)',
    result: 'TRUE',
    impl: (_s, x: number) => Math.abs(Math.trunc(x) % 2) === 1,
  }),
  defineFunction({
    name: 'N',
    category: 'Logic',
    params: [{ name: 'value', kind: 'scalar' }],
    returns: T.Number,
    description: 'The value as a number, as Excel: a number stays, TRUE is 1, anything else (blank, text, FALSE) is 0. N([Amount]) is 0 for a blank Amount, where [Amount] alone stays blank (operators count a blank as 0 already).',
    example: 'N([Discount]) + 1',
    result: '1',
    nulls: 'accept',
    impl: (_s, v: unknown) => (typeof v === 'number' ? v : v === true ? 1 : 0),
  }),
  defineFunction({
    name: 'T',
    category: 'Logic',
    params: [{ name: 'value', kind: 'scalar' }],
    returns: T.Text,
    description: 'The value if it is text, else empty text.',
    example: 'T([Country])',
    result: '"FR"',
    nulls: 'accept',
    impl: (_s, v: unknown) => (typeof v === 'string' ? v : ''),
  }),
];
