import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('ignores key order at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { y: 2, z: 1 }] }, b: 1 }));
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it('drops undefined members as jsonb does, and keeps array holes as null', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('keeps a key named __proto__ as data', () => {
    const parsed = JSON.parse('{"__proto__": "x", "a": 1}') as unknown;
    expect(canonicalJson(parsed)).toBe('{"__proto__":"x","a":1}');
    expect(canonicalJson(JSON.parse('{"__proto__": "y"}'))).not.toBe(canonicalJson(JSON.parse('{"__proto__": "x"}')));
  });

  it('writes integer-like keys first, ascending, as the hashes stored so far were computed', () => {
    expect(canonicalJson({ b: 1, 10: 'ten', 2: 'two', a: 0 })).toBe('{"2":"two","10":"ten","a":0,"b":1}');
  });

  it('writes a Date as its ISO text', () => {
    expect(canonicalJson({ when: new Date('2026-01-02T03:04:05.000Z') })).toBe('{"when":"2026-01-02T03:04:05.000Z"}');
  });
});
