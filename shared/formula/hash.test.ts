import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, fromUtf8, sha256Hex, toBase64, utf8 } from './hash';

describe('pure-JS hashing and Base64 agree with node:crypto and Buffer', () => {
  it('SHA-256 of any text', () => {
    for (const s of ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'é漢😀']) expect(sha256Hex(utf8(s))).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => sha256Hex(utf8(s)) === createHash('sha256').update(s, 'utf8').digest('hex')));
  });
  it('UTF-8 and Base64 round trips', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const b = utf8(s);
        expect(Buffer.from(b).equals(Buffer.from(s, 'utf8'))).toBe(true);
        expect(toBase64(b)).toBe(Buffer.from(s, 'utf8').toString('base64'));
        expect(fromUtf8(fromBase64(toBase64(b)) as Uint8Array)).toBe(Buffer.from(s, 'utf8').toString('utf8'));
      }),
    );
    expect(fromBase64('not base64!')).toBeNull();
    expect(fromUtf8(Uint8Array.from([0xff]))).toBeNull();
  });
});
