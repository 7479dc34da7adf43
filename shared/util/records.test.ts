// Rows' records keep names people choose as data, whichever way they are made.
import { describe, expect, it } from 'vitest';
import { emptyRecord, ownValue, rowRecord } from './records';

describe('rowRecord', () => {
  it('stores __proto__, constructor and toString as data and inherits nothing', () => {
    for (const make of [emptyRecord, rowRecord]) {
      const r = make();
      r['__proto__'] = 'p';
      r['constructor'] = 'c';
      r.id = 1;
      expect(Object.keys(r)).toEqual(['__proto__', 'constructor', 'id']);
      expect(Object.hasOwn(r, '__proto__')).toBe(true);
      expect(JSON.stringify(r)).toBe('{"__proto__":"p","constructor":"c","id":1}');
      expect(ownValue(make(), 'toString')).toBeUndefined();
      expect((make() as Record<string, unknown>).toString).toBeUndefined();
      expect('hasOwnProperty' in make()).toBe(false);
      // Spread and Object.assign copy the key as data too.
      expect(Object.keys({ ...r })).toEqual(['__proto__', 'constructor', 'id']);
      expect(Object.keys(Object.assign(rowRecord(), r))).toEqual(['__proto__', 'constructor', 'id']);
    }
  });

  it('cannot be polluted through its prototype', () => {
    const proto = Object.getPrototypeOf(rowRecord()) as Record<string, unknown>;
    expect(Object.isFrozen(proto)).toBe(true);
    expect(() => {
      'use strict';
      proto.polluted = true;
    }).toThrow();
    expect(ownValue(rowRecord(), 'polluted')).toBeUndefined();
  });
});
