// NULL (blank) rules: SQL-like for arithmetic and comparisons, Excel-like for text and logic.
import { describe, expect, it } from 'vitest';
import { compileFormula } from './index';
import { FIELDS, ROW, value } from './test-kit';

const blankRow = Object.fromEntries(Object.keys(ROW).map((k) => [k, null]));

describe('NULL', () => {
  it('arithmetic with a NULL gives NULL', () => {
    expect(value('[Amount] + 1', blankRow)).toBeNull();
    expect(value('1 - [Amount]', blankRow)).toBeNull();
    expect(value('[Amount] * 0', blankRow)).toBeNull();
    expect(value('[Amount] / 0', blankRow)).toBeNull();
    expect(value('-[Amount]', blankRow)).toBeNull();
    expect(value('[Amount] ^ 2', blankRow)).toBeNull();
    expect(value('1 + 2 + [Amount] + 3', blankRow)).toBeNull();
    expect(value('NULL + 1')).toBeNull();
  });

  it('& treats NULL as empty text', () => {
    expect(value('"a" & [Name] & "b"', blankRow)).toBe('ab');
    expect(value('[Name] & [Notes]', blankRow)).toBe('');
    expect(value('NULL & NULL')).toBe('');
  });

  it('comparisons with a NULL value are FALSE, both ways', () => {
    for (const op of ['=', '<>', '!=', '<', '<=', '>', '>=']) {
      expect(value(`[Amount] ${op} 1`, blankRow)).toBe(false);
      expect(value(`1 ${op} [Amount]`, blankRow)).toBe(false);
      expect(value(`[Name] ${op} "x"`, blankRow)).toBe(false);
      expect(value(`[Start] ${op} DATE(2026, 1, 1)`, blankRow)).toBe(false);
      expect(value(`[Updated] ${op} NOW()`, blankRow)).toBe(false);
    }
    expect(value('[Amount] = [Count]', blankRow)).toBe(false);
  });

  it('= NULL and <> NULL ask whether a value is blank (as ISBLANK)', () => {
    expect(value('[Amount] = NULL', blankRow)).toBe(true);
    expect(value('NULL = [Amount]', blankRow)).toBe(true);
    expect(value('[Amount] <> NULL', blankRow)).toBe(false);
    expect(value('[Amount] = NULL')).toBe(false);
    expect(value('[Amount] != NULL')).toBe(true);
    expect(value('"" = NULL')).toBe(true);
    expect(value('NULL = NULL')).toBe(true);
    expect(value('ISBLANK([Amount])', blankRow)).toBe(true);
  });

  it('in logic, a blank counts as FALSE', () => {
    expect(value('IF([Active], "yes", "no")', blankRow)).toBe('no');
    expect(value('[Active] AND TRUE', blankRow)).toBe(false);
    expect(value('[Active] OR TRUE', blankRow)).toBe(true);
    expect(value('NOT [Active]', blankRow)).toBe(true);
  });

  it('most functions give NULL for a NULL argument', () => {
    for (const f of ['UPPER([Name])', 'LEFT([Name], 2)', 'ROUND([Amount], 1)', 'YEAR([Start])', 'DATEADD([Start], 1, "day")', 'TEXT([Amount], "0.00")', 'VALUE([Name])', 'DATEVALUE([Close Date], "MM/DD/YYYY")', 'SUBSTITUTE([Name], "a", "b")', 'REGEXEXTRACT([Name], "a")', 'ROUND(1.5, [Count])']) {
      expect(value(f, blankRow)).toBeNull();
    }
  });

  it('some functions are made for blanks', () => {
    expect(value('LEN([Name])', blankRow)).toBe(0);
    expect(value('CONTAINS([Name], "a")', blankRow)).toBe(false);
    expect(value('REGEXMATCH([Name], "a")', blankRow)).toBe(false);
    expect(value('COALESCE([Name], "none")', blankRow)).toBe('none');
    expect(value('SUM([Amount], 1)', blankRow)).toBe(1);
    expect(value('MAX([Amount], [Count])', blankRow)).toBeNull();
  });

  it('a field missing from the row, or undefined, is NULL', () => {
    expect(value('[Amount] + 1', {})).toBeNull();
    expect(value('[Amount] + 1', { Amount: undefined })).toBeNull();
    expect(value('[Amount]', {})).toBeNull();
  });

  it('a NULL result stays NULL whatever the target type', () => {
    for (const expected of ['text', 'number', 'currency', 'date', 'datetime', 'boolean'] as const) {
      const c = compileFormula('IF(FALSE, [Start])', { fields: FIELDS, expected: expected === 'date' || expected === 'datetime' || expected === 'text' ? expected : undefined });
      expect(c.ok && c.evaluate(ROW)).toEqual({ ok: true, value: null });
    }
  });
});

describe('values of the wrong shape in a row', () => {
  it('converts them as the field type says, or rejects the record', () => {
    expect(value('[Amount] + 1', { Amount: '1,234.5' })).toBe(1235.5);
    expect(value('[Active] AND TRUE', { Active: 'yes' })).toBe(true);
    expect(value('YEAR([Start])', { Start: '03/15/2024' })).toBe(2024);
    expect(value('[Updated]', { Updated: '2026-03-01 10:00' })).toBe('2026-03-01T10:00:00.000Z');
    expect(value('[Name] & ""', { Name: 42 })).toBe('42');
    const c = compileFormula('[Amount] + 1', { fields: FIELDS });
    expect(c.ok && c.evaluate({ Amount: 'abc' })).toEqual({ ok: false, error: 'The value "abc" is not a valid Number ("abc" is not a number) in [Amount]', start: 0, end: 8 });
    expect(c.ok && c.evaluate({ Amount: Number.NaN })).toMatchObject({ ok: false });
    expect(c.ok && c.evaluate({ Amount: {} })).toMatchObject({ ok: false });
  });
});

describe('results stored in a target of another type', () => {
  const evalAs = (text: string, expected: 'text' | 'datetime' | 'currency') => {
    const c = compileFormula(text, { fields: FIELDS, expected });
    if (!c.ok) throw new Error(c.diagnostics[0]?.message);
    return { fieldType: c.fieldType, result: c.evaluate(ROW) };
  };

  it('writes numbers, booleans and dates as text for a text field', () => {
    expect(evalAs('[Amount] * 2', 'text')).toEqual({ fieldType: 'text', result: { ok: true, value: '2469' } });
    expect(evalAs('[Active]', 'text').result).toEqual({ ok: true, value: 'TRUE' });
    expect(evalAs('[Start]', 'text').result).toEqual({ ok: true, value: '2026-01-05' });
  });

  it('stores a Date in a Date & time field at midnight UTC, and a Number in a Currency field', () => {
    expect(evalAs('[Start]', 'datetime')).toEqual({ fieldType: 'datetime', result: { ok: true, value: '2026-01-05T00:00:00.000Z' } });
    expect(evalAs('[Amount]', 'currency')).toEqual({ fieldType: 'currency', result: { ok: true, value: 1234.5 } });
  });
});
