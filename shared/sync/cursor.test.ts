import { describe, expect, it } from 'vitest';
import { capCursor, compareCursor, compareDecimal, cursorValueOf, highOfRows, maxCursor, minCursor } from './cursor';

describe('cursor values', () => {
  it('compares decimals exactly past 2^53, with leading zeros, signs and fractions', () => {
    expect(compareDecimal('9007199254740993', '9007199254740992')).toBe(1);
    expect(compareDecimal(9007199254740992, '9007199254740993')).toBe(-1);
    expect(compareDecimal('007', 7)).toBe(0);
    expect(compareDecimal('-5', '3')).toBe(-1);
    expect(compareDecimal('-5', '-30')).toBe(1);
    expect(compareDecimal('1.50', '1.5')).toBe(0);
    expect(compareDecimal(1e21, '1000000000000000000001')).toBe(-1);
    expect(compareDecimal('abc', 1)).toBeNull();
  });

  it('compares times as instants, extended years included; unreadable values never win a max', () => {
    expect(compareCursor('time', '2026-12-01T06:00:03.000Z', '2026-12-01T07:00:03.000+01:00')).toBe(0);
    expect(compareCursor('time', '+275760-09-13T00:00:00.000Z', '9999-12-31T23:59:59.999Z')).toBe(1);
    expect(maxCursor('time', 'not a date', '2026-01-01T00:00:00Z')).toBe('2026-01-01T00:00:00Z');
    expect(minCursor('number', '9007199254740993', '9007199254740992')).toBe('9007199254740992');
  });

  it('takes a row value only when it can order, and never one holding NUL', () => {
    expect(cursorValueOf('time', '2026-12-01T06:00:03Z\u0000')).toBeNull();
    expect(cursorValueOf('number', '12\u0000')).toBeNull();
    expect(cursorValueOf('number', '9007199254740993')).toBe('9007199254740993');
    expect(cursorValueOf('time', null)).toBeNull();
    expect(highOfRows('number', 'id', [{ id: 5 }, { id: '9007199254740993' }, { id: null }])).toBe('9007199254740993');
  });

  it('caps a time mark at the read start, so a far-future row cannot lift it past changes to come', () => {
    const start = Date.parse('2026-12-06T08:00:00Z');
    expect(capCursor('time', '9999-12-31T23:59:59.999Z', start)).toBe('2026-12-06T08:00:00.000Z');
    expect(capCursor('time', '2026-12-06T07:59:59.000Z', start)).toBe('2026-12-06T07:59:59.000Z');
    expect(capCursor('number', '9007199254740993', start)).toBe('9007199254740993');
  });
});
