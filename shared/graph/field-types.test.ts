import { describe, expect, it } from 'vitest';
import { convertValue, inferFieldType } from './field-types';

describe('convertValue', () => {
  it.each([
    ['42', 'number', 42],
    ['1,234.5', 'number', 1234.5],
    ['$1,234.567', 'currency', 1234.57],
    ['yes', 'boolean', true],
    ['0', 'boolean', false],
    ['2026-02-28', 'date', '2026-02-28'],
    ['2/3/2026', 'date', '2026-02-03'],
    ['2026-03-04T10:00:00Z', 'date', '2026-03-04'],
    ['2026-03-04T10:00:00Z', 'datetime', '2026-03-04T10:00:00.000Z'],
    ['2026-03-04 10:00:00+02:00', 'datetime', '2026-03-04T08:00:00.000Z'],
    ['2026-01-01 00:00:01+00', 'datetime', '2026-01-01T00:00:01.000Z'],
    ['', 'number', null],
    [' hi ', 'text', ' hi '],
  ] as const)('%s as %s', (raw, type, expected) => {
    expect(convertValue(raw, type)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['abc', 'number', '"abc" is not a number'],
    ['maybe', 'boolean', '"maybe" is not true or false'],
    ['2026-02-30', 'date', '"2026-02-30" is not a date (expected YYYY-MM-DD or MM/DD/YYYY)'],
  ] as const)('rejects %s as %s', (raw, type, reason) => {
    expect(convertValue(raw, type)).toEqual({ ok: false, reason });
  });
});

describe('inferFieldType', () => {
  it('picks the narrowest type that fits every sample', () => {
    expect(inferFieldType(['1', '2.5', ''])).toBe('number');
    expect(inferFieldType(['$10.00', '$1,200'])).toBe('currency');
    expect(inferFieldType(['true', 'FALSE'])).toBe('boolean');
    expect(inferFieldType(['2026-01-01', '12/31/2025'])).toBe('date');
    expect(inferFieldType(['2026-01-01T10:00:00Z', '2026-01-02 08:30'])).toBe('datetime');
    expect(inferFieldType(['2026-01-01 00:00:01+00', '2026-06-01 12:00:00.5+02'])).toBe('datetime');
    expect(inferFieldType(['1', 'x'])).toBe('text');
    expect(inferFieldType([])).toBe('text');
  });
});
