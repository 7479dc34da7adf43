import { describe, expect, it } from 'vitest';
import { checkFormula, compileFormula, formatType } from './index';
import { FIELDS, problems } from './test-kit';
import { T } from './types';

const typeOf = (text: string, ctx = {}) => {
  const r = checkFormula(text, { fields: FIELDS, ...ctx });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return formatType(r.type!);
};

describe('type inference', () => {
  it.each([
    ['[Amount]', 'Number'],
    ['[Price]', 'Currency'],
    ['[Name]', 'Text'],
    ['[Active]', 'Boolean'],
    ['[Start]', 'Date'],
    ['[Updated]', 'DateTime'],
    ['NULL', 'Null'],
    ['1 + 2', 'Number'],
    ['[Price] + 1', 'Currency'],
    ['[Amount] - [Price]', 'Currency'],
    ['[Price] * 2', 'Currency'],
    ['[Price] * [Price]', 'Currency'],
    ['[Price] / 2', 'Currency'],
    ['[Price] / [Price]', 'Number'],
    ['10 / [Price]', 'Number'],
    ['[Price] ^ 2', 'Number'],
    ['-[Price]', 'Currency'],
    ['[Name] & 1', 'Text'],
    ['1 = 1', 'Boolean'],
    ['INDEX(SPLIT([Name], " "), 1)', 'Text'],
    ['IF([Active], [Amount], [Price])', 'Currency'],
    ['IF([Active], [Start], [Updated])', 'DateTime'],
    ['IF([Active], 1)', 'Number'],
    ['IF([Active], NULL, "x")', 'Text'],
    ['COALESCE([Notes], [Name])', 'Text'],
    ['ROUND([Price], 1)', 'Currency'],
    ['ROUND([Amount])', 'Number'],
    ['SUM([Amount], [Price])', 'Currency'],
    ['DATEADD([Start], 1, "day")', 'Date'],
    ['DATEADD([Start], 1, "hours")', 'DateTime'],
    ['DATEADD([Updated], 1, "day")', 'DateTime'],
  ])('%s is %s', (text, expected) => {
    expect(typeOf(text)).toBe(expected);
  });

  it('types SPLIT as List<Text> (and a list result is still reported as a problem)', () => {
    const r = checkFormula('SPLIT([Name], " ")', { fields: FIELDS });
    expect(formatType(r.type!)).toBe('List<Text>');
    expect(r.fieldType).toBeNull();
  });

  it('annotates every node of the tree with its type', () => {
    const r = checkFormula('IF([Amount] > 1, "a", "b")', { fields: FIELDS });
    const ast = r.ast as { type: unknown; args: { type: unknown }[] };
    expect(ast.type).toEqual(T.Text);
    expect(ast.args.map((a) => a.type)).toEqual([T.Boolean, T.Text, T.Text]);
  });

  it('maps result types to field types for output schemas', () => {
    const ft = (text: string) => checkFormula(text, { fields: FIELDS }).fieldType;
    expect(ft('[Amount] * 2')).toBe('number');
    expect(ft('[Price] * 2')).toBe('currency');
    expect(ft('[Name]')).toBe('text');
    expect(ft('[Start]')).toBe('date');
    expect(ft('NOW()')).toBe('datetime');
    expect(ft('[Amount] > 1')).toBe('boolean');
    expect(ft('NULL')).toBe('text');
    expect(ft('[Nope]')).toBeNull();
  });

  it('takes the expected field type as the result field type when the result fits', () => {
    expect(checkFormula('[Amount] * 2', { fields: FIELDS, expected: 'currency' }).fieldType).toBe('currency');
    expect(checkFormula('[Amount] * 2', { fields: FIELDS, expected: 'text' }).fieldType).toBe('text');
    expect(checkFormula('[Start]', { fields: FIELDS, expected: 'datetime' }).fieldType).toBe('datetime');
  });
});

describe('did-you-mean as a fix the editor offers', () => {
  const fixes = (text: string) => checkFormula(text, { fields: FIELDS, valueMaps: { countries: { FR: 'France' } } }).diagnostics.map((d) => d.fix ?? null);
  it('replaces the range with the name meant', () => {
    expect(fixes('[Amout] * 2')).toEqual([{ title: 'Change to [Amount]', text: '[Amount]' }]);
    expect(fixes('1 + ROUDN([Amount], 2)')).toEqual([{ title: 'Change to ROUND', text: 'ROUND' }]);
    expect(fixes('Amount * 2')).toEqual([{ title: 'Change to [Amount]', text: '[Amount]' }]);
    expect(fixes('LOOKUP([Name], "contries")')).toEqual([{ title: 'Change to "countries"', text: '"countries"' }]);
  });
  it('offers none without a close name, or for a function known by meaning', () => {
    expect(fixes('[Zzzzzzzz]')).toEqual([null]);
    expect(fixes('FROBNICATE(1)')).toEqual([null]);
    // "LENGTH — Weft's LEN(text) does this" is said in words, not offered as a spelling fix.
    expect(fixes('LENGTH("a")')).toEqual([null]);
  });
});

describe('errors with exact ranges and messages', () => {
  it('unknown field, with did-you-mean', () => {
    expect(problems('[Amout] * 2')).toEqual([{ code: 'unknown-field', message: 'Unknown field [Amout]. Did you mean [Amount]?', at: '[Amout]', start: 0, end: 7, severity: 'error' }]);
    expect(problems('1 + [close date]')).toMatchObject([{ message: 'Unknown field [close date]. Did you mean [Close Date]?', at: '[close date]' }]);
    expect(problems('[Zzzzzzzz]')).toMatchObject([{ message: 'Unknown field [Zzzzzzzz].' }]);
    expect(problems('[x]', { fields: [] })).toMatchObject([{ message: 'Unknown field [x]. This step has no input fields.' }]);
  });

  it('unknown function, with did-you-mean, on the name only', () => {
    expect(problems('1 + ROUDN([Amount], 2)')).toEqual([{ code: 'unknown-function', message: 'Unknown function ROUDN. Did you mean ROUND?', at: 'ROUDN', start: 4, end: 9, severity: 'error' }]);
    expect(problems('FROBNICATE(1)')).toMatchObject([{ message: 'Unknown function FROBNICATE.' }]);
  });

  it('bare words: a field without brackets, a function without parentheses, anything else', () => {
    expect(problems('Amount * 2')).toMatchObject([{ code: 'unknown-name', message: 'Amount is not a function or keyword; field names go in square brackets: [Amount]', at: 'Amount' }]);
    expect(problems('1 + today')).toMatchObject([{ code: 'unknown-name', message: 'TODAY is a function: write TODAY(...)', at: 'today' }]);
    expect(problems('hello')).toMatchObject([{ code: 'unknown-name', message: 'Unknown name hello. Text goes in double quotes; field names in square brackets.' }]);
  });

  it('wrong argument count', () => {
    expect(problems('ROUND(1, 2, 3)')).toEqual([{ code: 'arg-count', message: 'ROUND expects 1 to 2 arguments, got 3', at: '3', start: 12, end: 13, severity: 'error' }]);
    expect(problems('MID("abc", 1)')).toMatchObject([{ message: 'MID expects 3 arguments, got 2', at: 'MID("abc", 1)' }]);
    expect(problems('TODAY(1, 2)')).toMatchObject([{ message: 'TODAY expects 0 arguments, got 2', at: '1, 2' }]);
    expect(problems('SUM()')).toMatchObject([{ message: 'SUM expects at least 1 argument, got 0' }]);
    expect(problems('IFS(TRUE, 1, FALSE)')).toMatchObject([{ code: 'arg-count', message: 'IFS needs pairs of condition and value, got 3 arguments' }]);
  });

  it('wrong argument type', () => {
    expect(problems('ROUND([Name], 2)')).toEqual([
      { code: 'arg-type', message: 'ROUND expects a Number as argument 1, got Text; convert text with VALUE(...)', at: '[Name]', start: 6, end: 12, severity: 'error' },
    ]);
    expect(problems('LEFT([Amount], 2)')).toMatchObject([{ message: 'LEFT expects Text as argument 1, got Number; convert it with TEXT(...) or join it with &', at: '[Amount]' }]);
    expect(problems('YEAR([Close Date])')).toMatchObject([{ message: 'YEAR expects a Date as argument 1, got Text; convert text with DATEVALUE(text, "MM/DD/YYYY")' }]);
    expect(problems('IF([Amount], 1, 2)')).toMatchObject([{ message: 'IF expects a Boolean (TRUE or FALSE) as argument 1, got Number', at: '[Amount]' }]);
    expect(problems('UPPER(SPLIT([Name], " "))')).toMatchObject([{ message: 'UPPER expects Text as argument 1, got List<Text>; pick an item with INDEX(list, n) or join with JOIN(list, ", ")' }]);
    expect(problems('SUM(1, 2, "3")')).toMatchObject([{ message: 'SUM expects a Number or a List of Numbers as argument 3, got Text; convert text with VALUE(...)', at: '"3"' }]);
  });

  it('comparing Text to Number, over the whole comparison', () => {
    expect(problems('IF([Name] > 5, 1, 2)')).toEqual([
      { code: 'compare-types', message: 'Cannot compare Text to Number; convert with VALUE(...) or TEXT(...)', at: '[Name] > 5', start: 3, end: 13, severity: 'error' },
    ]);
    expect(problems('[Close Date] < [Start]')).toMatchObject([{ message: 'Cannot compare Text to Date; read the text as a date with DATEVALUE(text, "MM/DD/YYYY")' }]);
    expect(problems('[Active] = 1')).toMatchObject([{ message: 'Cannot compare Boolean to Number' }]);
    expect(problems('[Amount] < NULL')).toMatchObject([{ code: 'compare-types', message: 'Only = and <> compare with NULL (they ask whether a value is blank); use ISBLANK(...), or compare with 0 or ""' }]);
  });

  it('operators on the wrong types, with hints', () => {
    expect(problems('[Name] + 1')).toEqual([{ code: 'operand-type', message: '+ expects a Number, got Text; join text with &', at: '[Name]', start: 0, end: 6, severity: 'error' }]);
    expect(problems('[Start] + 7')).toMatchObject([{ message: '+ expects a Number, got Date; to add to a date use DATEADD(date, 7, "day")', at: '[Start]' }]);
    expect(problems('[Start] - [Start]')).toHaveLength(2);
    expect(problems('1 * "2"')).toMatchObject([{ message: '* expects a Number, got Text; convert text with VALUE(...)', at: '"2"' }]);
    expect(problems('-[Name]')).toMatchObject([{ message: '- expects a Number, got Text', at: '[Name]' }]);
    expect(problems('NOT [Amount]')).toMatchObject([{ message: 'NOT expects a Boolean (TRUE or FALSE), got Number' }]);
    expect(problems('[Active] AND 1')).toMatchObject([{ message: 'AND expects Boolean values (TRUE or FALSE), got Number', at: '1' }]);
    expect(problems('SPLIT([Name], " ") & "x"')).toMatchObject([{ message: '& cannot join a List<Text>; use JOIN(list, ", ")' }]);
  });

  it('branches of different types', () => {
    expect(problems('IF([Active], 1, "one")')).toEqual([
      { code: 'branch-types', message: 'IF gives Number in one case and Text in another; they must have the same type', at: '"one"', start: 16, end: 21, severity: 'error' },
    ]);
    expect(problems('COALESCE([Amount], [Name])')).toMatchObject([{ code: 'branch-types', at: '[Name]' }]);
    expect(problems('SWITCH([Amount], 1, "a", "b", "c")')).toMatchObject([{ code: 'compare-types', message: 'SWITCH cannot compare Number to Text', at: '"b"' }]);
  });

  it('a result type the target cannot take', () => {
    expect(problems('[Amount] + 1', { expected: 'boolean' })).toEqual([
      { code: 'result-type', message: 'This formula must give a Boolean (TRUE or FALSE), but it gives Number.', at: '[Amount] + 1', start: 0, end: 12, severity: 'error' },
    ]);
    expect(problems('UPPER([Name])', { expected: 'number' })).toMatchObject([
      { code: 'result-type', message: 'The target field is Number but this formula gives Text. Convert text with VALUE(...).', at: 'UPPER([Name])' },
    ]);
    expect(problems('[Close Date]', { expected: 'date' })).toMatchObject([{ message: 'The target field is Date but this formula gives Text. Read the text as a date with DATEVALUE(text, "MM/DD/YYYY").' }]);
    expect(problems('NOW()', { expected: 'date' })).toMatchObject([{ code: 'result-type' }]);
    expect(problems('[Amount] > 1', { expected: 'number' })).toMatchObject([{ code: 'result-type' }]);
  });

  it('accepts results that fit: numbers in currency, dates in date-times, anything in text, NULL anywhere', () => {
    expect(problems('[Amount] * 2', { expected: 'currency' })).toEqual([]);
    expect(problems('[Price]', { expected: 'number' })).toEqual([]);
    expect(problems('[Start]', { expected: 'datetime' })).toEqual([]);
    expect(problems('[Amount]', { expected: 'text' })).toEqual([]);
    expect(problems('NULL', { expected: 'boolean' })).toEqual([]);
  });

  it('a list result, which no field can hold', () => {
    expect(problems('SPLIT([Name], " ")')).toMatchObject([{ code: 'list-result', message: 'The formula gives a List<Text>; a field cannot hold a list (use JOIN or INDEX)' }]);
  });

  it('constants a function needs written in the formula', () => {
    expect(problems('DATEADD([Start], 1, [Name])')).toMatchObject([{ code: 'constant-required', message: 'The unit must be text in quotes, such as "day"', at: '[Name]' }]);
    expect(problems('DATEADD([Start], 1, "fortnight")')).toMatchObject([{ code: 'bad-argument', message: 'Unknown unit "fortnight"; use one of year, quarter, month, week, day, hour, minute, second' }]);
    expect(problems('TEXT([Amount], [Name])')).toMatchObject([{ code: 'constant-required', message: 'The format must be text in quotes, such as "#,##0.00"' }]);
    expect(problems('REGEXMATCH([Name], [Email])')).toMatchObject([{ code: 'constant-required', at: '[Email]' }]);
    expect(problems('WEEKDAY([Start], 3)')).toMatchObject([{ code: 'bad-argument', message: 'The WEEKDAY type is 1 (Sunday first) or 2 (Monday first)', at: '3' }]);
  });

  it('a constant part that always fails is caught when checking', () => {
    expect(problems('[Amount] + 1/0')).toEqual([{ code: 'constant-error', message: '#DIV/0! Division by zero in 1/0', at: '1/0', start: 11, end: 14, severity: 'error' }]);
    // DATE rolls over as Excel does now (DATE(2026, 2, 30) is 2026-03-02); a year out of range still fails.
    expect(problems('DATE(999, 2, 30)')).toMatchObject([{ code: 'constant-error', message: '#NUM! The year must be 1000 to 9999, got 999 in DATE(999, 2, 30)' }]);
    expect(problems('DATEVALUE("02/30/2026", "MM/DD/YYYY")')).toMatchObject([{ code: 'constant-error' }]);
    expect(problems('MID("abc", 1, -1)')).toMatchObject([{ code: 'constant-error', message: 'The length cannot be negative, got -1 in MID("abc", 1, -1)' }]);
  });

  it('reports several independent problems, in order, without cascades', () => {
    const ps = problems('IF([Nope] > 1, ROUDN(2), [Name] + 1)');
    expect(ps.map((p) => [p.code, p.at])).toEqual([
      ['unknown-field', '[Nope]'],
      ['unknown-function', 'ROUDN'],
      ['operand-type', '[Name]'],
    ]);
  });

  it('warns about likely date format mistakes without refusing', () => {
    const ps = problems('FORMATDATE([Start], "YYYY-mm-DD")');
    expect(ps).toMatchObject([{ code: 'format-hint', severity: 'warning', message: '"mm" means minutes; use "MM" for the month', at: '"YYYY-mm-DD"' }]);
    expect(compileFormula('FORMATDATE([Start], "YYYY-mm-DD")', { fields: FIELDS }).ok).toBe(true);
    expect(problems('FORMATDATE([Start], "yyyy-MM-dd")')).toMatchObject([{ code: 'bad-argument', message: 'Write the year as YYYY (upper case), not yyyy' }]);
  });

  it('never throws on any input', () => {
    for (const text of ['', ')', '(((', '[', '"', 'IF(', 'IF(,', '1 +', ',', 'NOT', 'AND', '[a]]', '"a""', 'x(', '#', '\u0000', '\uD800']) {
      expect(() => checkFormula(text, { fields: FIELDS })).not.toThrow();
      expect(checkFormula(text, { fields: FIELDS }).diagnostics.length).toBeGreaterThan(0);
    }
  });

  it('refuses to compile with errors, and compiles with warnings', () => {
    const bad = compileFormula('[Nope]', { fields: FIELDS });
    expect(bad.ok).toBe(false);
    expect(bad.ok ? [] : bad.diagnostics.map((d) => d.code)).toEqual(['unknown-field']);
  });
});
