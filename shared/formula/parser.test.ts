import { describe, expect, it } from 'vitest';
import type { Node } from './ast';
import { parse } from './parser';
import { shape } from './test-kit';

const tree = (text: string) => {
  const r = parse(text);
  if (!r.ast) throw new Error(`${text}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return shape(r.ast);
};

const error = (text: string) => {
  const r = parse(text);
  expect(r.ast).toBeNull();
  expect(r.diagnostics).toHaveLength(1);
  const d = r.diagnostics[0]!;
  return { code: d.code, message: d.message, at: text.slice(d.start, d.end), start: d.start, end: d.end };
};

describe('literals', () => {
  it('reads numbers in their forms', () => {
    expect(tree('123')).toBe('123');
    expect(tree('1.5')).toBe('1.5');
    expect(tree('1e3')).toBe('1000');
    expect(tree('2.5E-2')).toBe('0.025');
    expect(tree('.5')).toBe('0.5');
  });

  it('reads text with "" as an escaped quote', () => {
    expect(tree('"say ""hi"""')).toBe(JSON.stringify('say "hi"'));
    expect(tree('""')).toBe('""');
    expect(tree('"a\nb"')).toBe(JSON.stringify('a\nb'));
  });

  it('reads TRUE, FALSE and NULL in any case', () => {
    expect(tree('true')).toBe('TRUE');
    expect(tree('False')).toBe('FALSE');
    expect(tree('null')).toBe('NULL');
  });
});

describe('field references', () => {
  it('allows spaces, dots and any character but ] in names', () => {
    expect(tree('[Close Date]')).toBe('[Close Date]');
    expect(tree('[a.b c]')).toBe('[a.b c]');
    expect(tree('[émoji 🎉 (x), "y"]')).toBe('[émoji 🎉 (x), "y"]');
  });

  it('reads ]] as a ] inside the name', () => {
    const r = parse('[odd]]name] & [x]]]');
    const chain = r.ast as Extract<Node, { k: 'chain' }>;
    expect(chain.operands.map((o) => (o as Extract<Node, { k: 'field' }>).name)).toEqual(['odd]name', 'x]']);
  });

  it('records exact ranges', () => {
    const r = parse('1 + [My Field]');
    const chain = r.ast as Extract<Node, { k: 'chain' }>;
    expect(chain.operands[1]).toMatchObject({ k: 'field', start: 4, end: 14 });
  });
});

describe('precedence and associativity', () => {
  it.each([
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['(1 + 2) * 3', '((1 + 2) * 3)'],
    ['1 - 2 - 3', '((1 - 2) - 3)'],
    ['8 / 4 / 2', '((8 / 4) / 2)'],
    ['2 ^ 3 ^ 2', '((2 ^ 3) ^ 2)'], // left-associative, as in Excel
    ['-2 ^ 2', '((-2) ^ 2)'], // prefix minus binds tighter than ^, as in Excel
    ['2 * 3 ^ 2', '(2 * (3 ^ 2))'],
    ['1 + 2 & "x"', '((1 + 2) & "x")'],
    ['"a" & "b" = "ab"', '(("a" & "b") = "ab")'],
    ['1 < 2 AND 3 > 2', '((1 < 2) AND (3 > 2))'],
    ['TRUE OR FALSE AND FALSE', '(TRUE OR (FALSE AND FALSE))'],
    ['NOT TRUE AND FALSE', '((NOT TRUE) AND FALSE)'],
    ['NOT 1 = 2', '(NOT (1 = 2))'],
    ['a OR b', '(a OR b)'],
    ['--1', '(-(-1))'],
    ['+[Amount]', '(+[Amount])'],
    ['1 <> 2', '(1 <> 2)'],
    ['1 != 2', '(1 != 2)'],
    ['1 <= 2', '(1 <= 2)'],
    ['1 >= 2', '(1 >= 2)'],
  ])('%s', (text, expected) => {
    expect(tree(text)).toBe(expected);
  });

  it('reads keywords case-insensitively', () => {
    expect(tree('true and not false or false')).toBe('((TRUE AND (NOT FALSE)) OR FALSE)');
  });

  it('reads AND, OR and NOT before "(" as function calls where a value is due', () => {
    expect(tree('AND(TRUE, FALSE)')).toBe('AND(TRUE, FALSE)');
    expect(tree('or(TRUE)')).toBe('OR(TRUE)');
    expect(tree('NOT(TRUE) AND FALSE')).toBe('(NOT(TRUE) AND FALSE)');
    expect(tree('TRUE AND (FALSE)')).toBe('(TRUE AND FALSE)');
  });

  it('parses calls with any case and nested arguments', () => {
    expect(tree('round(1.5, 0)')).toBe('ROUND(1.5, 0)');
    expect(tree('IF([A] > 1, MAX(1, 2), -3)')).toBe('IF(([A] > 1), MAX(1, 2), (-3))');
    expect(tree('TODAY()')).toBe('TODAY()');
  });

  it('keeps a long flat chain flat (no deep recursion)', () => {
    const text = Array.from({ length: 3000 }, () => '1').join('+');
    const r = parse(text);
    expect(r.ast).toMatchObject({ k: 'chain', level: 'add' });
    expect((r.ast as Extract<Node, { k: 'chain' }>).operands).toHaveLength(3000);
  });
});

describe('syntax errors, with positions', () => {
  it('reports an empty formula', () => {
    expect(error('   ')).toMatchObject({ code: 'empty', message: 'The formula is empty' });
  });

  it('reports an unclosed string from its quote to the end', () => {
    expect(error('1 & "abc')).toEqual({ code: 'unclosed-string', message: 'Text is missing its closing quote (")', at: '"abc', start: 4, end: 8 });
  });

  it('reports an unclosed field from its bracket to the end', () => {
    expect(error('[Amount + 1')).toEqual({ code: 'unclosed-field', message: 'Field name is missing its closing "]"', at: '[Amount + 1', start: 0, end: 11 });
  });

  it('reports an unclosed parenthesis at the opening one', () => {
    expect(error('(1 + (2 * 3)')).toEqual({ code: 'unclosed-paren', message: 'This "(" is never closed: add ")"', at: '(', start: 0, end: 1 });
    expect(error('ROUND(1.5, 2')).toEqual({ code: 'unclosed-paren', message: 'This "(" of ROUND is never closed: add ")"', at: '(', start: 5, end: 6 });
  });

  it('reports a missing value after an operator, at the operator', () => {
    expect(error('1 +')).toEqual({ code: 'unexpected-token', message: 'Expected a value after "+"', at: '+', start: 2, end: 3 });
    expect(error('[A] AND')).toMatchObject({ message: 'Expected a value after "AND"', at: 'AND' });
    expect(error('1 + * 2')).toMatchObject({ message: 'Expected a value after "+" but found "*"', at: '*' });
  });

  it('reports a stray closing parenthesis or comma', () => {
    expect(error('1 + 2)')).toMatchObject({ code: 'unexpected-token', message: 'Unexpected ")": there is no "(" to close', at: ')', start: 5 });
    expect(error('1, 2')).toMatchObject({ message: 'Unexpected ",": commas separate the arguments of a function call', at: ',' });
  });

  it('reports a missing operator between values', () => {
    expect(error('1 2')).toMatchObject({ message: 'Missing an operator before number 2', at: '2', start: 2 });
    expect(error('[A] [B]')).toMatchObject({ message: 'Missing an operator before field [B]', at: '[B]' });
    expect(error('(1 2)')).toMatchObject({ message: 'Missing an operator or ")" before number 2', at: '2' });
  });

  it('reports missing arguments and separators in calls', () => {
    expect(error('IF(TRUE,, 2)')).toMatchObject({ message: 'Missing an argument after argument 1 of IF', at: ',' });
    expect(error('MAX(1, )')).toMatchObject({ message: 'Missing an argument after argument 1 of MAX', at: ')' });
    expect(error('MAX(, 1)')).toMatchObject({ message: 'Missing an argument before the first "," of MAX', at: ',' });
    expect(error('MAX(1 2)')).toMatchObject({ message: 'Expected "," or ")" after argument 1 of MAX but found number 2', at: '2' });
  });

  it('refuses chained comparisons', () => {
    expect(error('1 < 2 < 3')).toMatchObject({ code: 'chained-comparison', at: '<', start: 6 });
  });

  it('gives hints for characters from other languages', () => {
    expect(error("'text'")).toMatchObject({ code: 'bad-character', message: 'Text goes in double quotes ("), not single quotes', at: "'" });
    expect(error('1 == 1')).toMatchObject({ message: 'Use = to compare (not ==)', at: '==' });
    expect(error('TRUE && FALSE')).toMatchObject({ message: 'Use AND to combine conditions (not &&); & joins text', at: '&&' });
    expect(error('TRUE || FALSE')).toMatchObject({ message: 'Use OR to combine conditions (not ||)' });
    expect(error('!TRUE')).toMatchObject({ message: 'Use NOT(...) to negate a condition (not !)' });
    expect(error('MAX(1; 2)')).toMatchObject({ message: 'Separate arguments with a comma (,), not a semicolon' });
    expect(error('1 # 2')).toMatchObject({ message: 'Unexpected character "#"', at: '#' });
  });

  it('refuses empty parentheses and empty field names', () => {
    expect(error('()')).toMatchObject({ message: 'Empty parentheses: put a value inside', at: '()' });
    expect(error('[]')).toMatchObject({ code: 'unknown-field', message: 'Empty field name: write [Field name]', at: '[]' });
  });

  it('refuses a number too large to represent', () => {
    expect(error('1e999')).toMatchObject({ code: 'bad-number', at: '1e999' });
  });

  it('points into later lines with offsets', () => {
    const text = 'IF([A] > 1,\n  "x",\n  "y"';
    expect(error(text)).toMatchObject({ code: 'unclosed-paren', start: 2 });
  });
});

describe('limits', () => {
  it('refuses a formula over the length limit without parsing it', () => {
    const text = `1${'+1'.repeat(6000)}`;
    expect(error(text)).toMatchObject({ code: 'too-long', start: 10_000, end: text.length });
  });

  it('refuses nesting deeper than 64 levels, at the first level too deep', () => {
    const ok = `${'('.repeat(64)}1${')'.repeat(64)}`;
    expect(parse(ok).ast).not.toBeNull();
    const deep = `${'('.repeat(65)}1${')'.repeat(65)}`;
    expect(error(deep)).toMatchObject({ code: 'too-deep', message: 'The formula nests too deeply (more than 64 levels)', start: 64, end: 65 });
  });

  it('does not blow the stack on thousands of open parentheses, calls or minus signs', () => {
    expect(error('('.repeat(9999))).toMatchObject({ code: 'too-deep', start: 64 });
    expect(error('ABS('.repeat(2000))).toMatchObject({ code: 'too-deep' });
    expect(error(`${'-'.repeat(9000)}1`)).toMatchObject({ code: 'too-deep' });
    expect(error(`${'NOT '.repeat(2000)}TRUE`)).toMatchObject({ code: 'too-deep' });
  });

  it('reports 100,000 open parentheses as too long, quickly', () => {
    const t0 = performance.now();
    expect(error('('.repeat(100_000))).toMatchObject({ code: 'too-long' });
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
