import { describe, expect, it } from 'vitest';
import { durationBetween, formatBytes, formatCell, formatDuration, relativeTime } from './format';

const now = Date.parse('2024-06-01T12:00:00Z');
const ago = (s: number) => new Date(now - s * 1000).toISOString();

describe('format', () => {
  it('says how long ago', () => {
    expect(relativeTime(ago(10), now)).toBe('just now');
    expect(relativeTime(ago(120), now)).toBe('2 minutes ago');
    expect(relativeTime(ago(3 * 3600), now)).toBe('3 hours ago');
    expect(relativeTime(ago(26 * 3600), now)).toBe('yesterday');
    expect(relativeTime(null, now)).toBe('—');
  });
  it('formats durations and sizes', () => {
    expect(formatDuration(420)).toBe('0.4 s');
    expect(formatDuration(12_000)).toBe('12 s');
    expect(formatDuration(184_000)).toBe('3 min 4 s');
    expect(formatDuration(3_720_000)).toBe('1 h 2 min');
    expect(formatDuration(null)).toBe('—');
    expect(durationBetween(ago(5), ago(2), now)).toBe(3000);
    expect(durationBetween(ago(5), null, now)).toBe(5000);
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2_500)).toBe('2.4 KB');
    expect(formatBytes(52_428_800)).toBe('50 MB');
  });
  it('formats typed cells', () => {
    expect(formatCell(true, 'boolean')).toBe('✓');
    expect(formatCell(false, 'boolean')).toBe('—');
    expect(formatCell(1234.5, 'currency')).toBe('1,234.50');
    expect(formatCell(1234.5, 'number')).toBe('1,234.5');
    // Decimal text (past 2^53, many decimals) is shown digit for digit, with the currency's code.
    expect(formatCell('12345678901234567890.123456789', 'currency', 'EUR')).toBe('12,345,678,901,234,567,890.123456789 EUR');
    expect(formatCell('-9007199254740993', 'currency')).toBe('-9,007,199,254,740,993.00');
    expect(formatCell('9007199254740993', 'number')).toBe('9,007,199,254,740,993');
    expect(formatCell(12.5, 'currency', 'JPY')).toBe('12.50 JPY');
    expect(formatCell('2024-03-05', 'date')).toBe('Mar 5, 2024');
    expect(formatCell(null, 'text')).toBeNull();
  });
});
