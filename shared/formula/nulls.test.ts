// NULL (blank) rules: as Excel's empty cell in arithmetic, comparisons, text and logic.
import { describe, expect, it } from 'vitest';
import { compileFormula } from './index';
import { FIELDS, ROW, value } from './test-kit';

const blankRow = Object.fromEntries(Object.keys(ROW).map((k) => [k, null]));

describe('NULL', () => {
  it('in arithmetic a blank counts as 0, as Excel', () => {
    expect(value('[Amount] + 1', blankRow)).toBe(1);
    expect(value('1 - [Amount]', blankRow)).toBe(1);
    expect(value('[Amount] - 1', blankRow)).toBe(-1);
    expect(value('[Amount] * 2', blankRow)).toBe(0);
    expect(value('[Amount] * [Count]', blankRow)).toBe(0);
    expect(value('[Amount] / 4', blankRow)).toBe(0);
    expect(value('-[Amount]', blankRow)).toBe(0);
    expect(value('[Amount] ^ 2', blankRow)).toBe(0);
    expect(value('2 ^ [Amount]', blankRow)).toBe(1);
    expect(value('1 + 2 + [Amount] + 3', blankRow)).toBe(6);
    expect(value('[Amount] + [Count] + [Amount]', blankRow)).toBe(0);
    expect(value('NULL + 1')).toBe(1);
    expect(value('[Amount] + NULL')).toBe(1234.5);
    expect(value('IF(FALSE, 1) * 3')).toBe(0);
  });

  it('dividing by a blank is #DIV/0!, as dividing by 0', () => {
    for (const f of ['1 / [Amount]', '[Amount] / [Amount]', '[Amount] / 0', '1 + 2 / [Amount]', '1 / [Amount] + 2', '[Amount] ^ -1']) {
      const c = compileFormula(f, { fields: FIELDS });
      expect(c.ok && c.evaluate(blankRow)).toMatchObject({ ok: false, error: expect.stringContaining('#DIV/0!') });
    }
    expect(value('IFERROR(1 / [Amount], -1)', blankRow)).toBe(-1);
    expect(compileFormula('1 / NULL', { fields: FIELDS })).toMatchObject({ ok: false, diagnostics: [{ code: 'constant-error' }] });
  });

  it('arithmetic on a blank keeps its type: Number or Currency, never NULL', () => {
    const c = compileFormula('[Amount] * 2', { fields: [{ name: 'Amount', type: 'currency' }], expected: 'currency' });
    expect(c.ok && c.type.kind).toBe('Currency');
    expect(c.ok && c.evaluate({ Amount: null })).toEqual({ ok: true, value: 0 });
  });

  it('& treats NULL as empty text', () => {
    expect(value('"a" & [Name] & "b"', blankRow)).toBe('ab');
    expect(value('[Name] & [Notes]', blankRow)).toBe('');
    expect(value('NULL & NULL')).toBe('');
  });

  it('in comparisons a blank is 0 beside a number, "" beside text, FALSE beside a boolean, as Excel', () => {
    const expected: Record<string, boolean[]> = {
      // [Amount] op 1, 1 op [Amount], [Amount] op 0, [Name] op "x", [Name] op "", [Active] op FALSE, [Active] op TRUE, [Start] op DATE(...), [Updated] op NOW()
      '=': [false, false, true, false, true, true, false, false, false],
      '<>': [true, true, false, true, false, false, true, true, true],
      '!=': [true, true, false, true, false, false, true, true, true],
      '<': [true, false, false, true, false, false, true, true, true],
      '<=': [true, false, true, true, true, true, true, true, true],
      '>': [false, true, false, false, false, false, false, false, false],
      '>=': [false, true, true, false, true, true, false, false, false],
    };
    for (const [op, want] of Object.entries(expected)) {
      const got = [`[Amount] ${op} 1`, `1 ${op} [Amount]`, `[Amount] ${op} 0`, `[Name] ${op} "x"`, `[Name] ${op} ""`, `[Active] ${op} FALSE`, `[Active] ${op} TRUE`, `[Start] ${op} DATE(2026, 1, 1)`, `[Updated] ${op} NOW()`].map((f) => value(f, blankRow));
      expect(got, op).toEqual(want);
    }
    expect(value('[Amount] = [Count]', blankRow)).toBe(true);
    expect(value('[Amount] < [Count]', blankRow)).toBe(false);
    expect(value('[Name] = [Notes]', blankRow)).toBe(true);
    expect(value('[Start] = [Start]', blankRow)).toBe(true);
    expect(value('[Updated] >= [Updated]', blankRow)).toBe(true);
    expect(value('[Amount] = -0.0', blankRow)).toBe(true);
    expect(value('ROUND(NULL, 1) = 0')).toBe(true);
    // A filter over a blank Status keeps the row, as Excel's filter would.
    expect(value('[Name] <> "Closed"', blankRow)).toBe(true);
    // SWITCH compares as = does.
    expect(value('SWITCH([Amount], 0, "zero", "other")', blankRow)).toBe('zero');
    expect(value('SWITCH([Name], "", "empty", "other")', blankRow)).toBe('empty');
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
    expect(value('[Amount]', {})).toBeNull();
    expect(value('[Amount]', { Amount: undefined })).toBeNull();
    expect(value('ISBLANK([Amount])', { Amount: undefined })).toBe(true);
    expect(value('[Amount] + 1', {})).toBe(1);
    expect(value('[Amount] + 1', { Amount: undefined })).toBe(1);
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
