// Type detection and conversion never change a value: leading zeros, ids past 2^53 and long decimals stay exact.
import { describe, expect, it } from 'vitest';
import { canonicalDecimal, compareNumbers, convertValue, exactNumber, inferFieldType } from './field-types';
import { compileFormula } from '../formula';

describe('type detection keeps values as they are', () => {
  it('calls leading zeros, ids past 2^53 and long digit strings Text', () => {
    expect(inferFieldType(['00501', '02134'])).toBe('text');
    expect(inferFieldType(['9007199254740993'])).toBe('text');
    expect(inferFieldType(['12345678901234567890'])).toBe('text');
    expect(inferFieldType(['0.12345678901234567890'])).toBe('text');
    expect(inferFieldType(['15551234567', '4420712345678901'])).toBe('text');
    expect(inferFieldType(['-0012'])).toBe('text');
  });
  it('still calls ordinary numbers Number', () => {
    expect(inferFieldType(['0', '12', '-3.5', '0.25', '9007199254740992'.slice(0, 15)])).toBe('number');
  });
});

describe('numbers a double cannot hold are kept as exact decimal text', () => {
  it('converts without rounding', () => {
    expect(convertValue('9007199254740993', 'number')).toEqual({ ok: true, value: '9007199254740993' });
    expect(convertValue('12345678901234567890', 'number')).toEqual({ ok: true, value: '12345678901234567890' });
    expect(convertValue('0.1234567890123456789', 'number')).toEqual({ ok: true, value: '0.1234567890123456789' });
    expect(convertValue('123456789012345.123456789012345', 'number')).toEqual({ ok: true, value: '123456789012345.123456789012345' });
    expect(convertValue('9007199254740992', 'number')).toEqual({ ok: true, value: 9007199254740992 });
    expect(convertValue('3.50', 'number')).toEqual({ ok: true, value: 3.5 });
    expect(convertValue('$1,234.005', 'currency')).toEqual({ ok: true, value: 1234.005 });
  });
  it('canonical decimals', () => {
    expect(canonicalDecimal('+007.500')).toBe('7.5');
    expect(canonicalDecimal('-0.0')).toBe('0');
    expect(exactNumber('1e5')).toBeNull();
    expect(exactNumber('100000000000000000000001')).toBe('100000000000000000000001');
    expect(exactNumber('1000000000000000000000')).toBe(1e21);
  });
  it('a formula reading such a number rejects the record instead of rounding it', () => {
    const f = compileFormula('[id] + 1', { fields: [{ name: 'id', type: 'number' }] });
    expect(f.ok).toBe(true);
    if (!f.ok) return;
    const r = f.evaluate({ id: '9007199254740993' }, { now: () => 0 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/more digits than a formula can compute/);
    const small = f.evaluate({ id: 41 }, { now: () => 0 });
    expect(small).toMatchObject({ ok: true, value: 42 });
  });
});

describe('numbers compare exactly', () => {
  it('orders decimal text past a double digit by digit', () => {
    expect(compareNumbers('9007199254740993', 9007199254740992)).toBe(1);
    expect(compareNumbers('9007199254740993', '9007199254740993.0')).toBe(0);
    expect(compareNumbers('-12345678901234567890', '-12345678901234567891')).toBe(1);
    expect(compareNumbers('0.1234567890123456789', '0.12345678901234567891')).toBe(-1);
    expect(compareNumbers(-1, '0.00000000000000000001')).toBe(-1);
    expect(compareNumbers(2, 10)).toBe(-1);
  });
});
