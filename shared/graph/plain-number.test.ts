// plainNumber (coerceValue's reader of short plain decimals by character codes) against what it replaced: the
// expression PLAIN_NUMBER and Number(), on hostile and generated texts (Object.is: -0 and NaN count).
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../util/random';
import { coerceValue, plainNumber } from './field-types';

/** The test coerceValue made before, word for word. */
const PLAIN_NUMBER = /^-?(?=[\d.]{1,16}$)\d{1,15}(\.\d{1,14})?$/;
const reference = (t: string): number | undefined => (PLAIN_NUMBER.test(t) ? Number(t) + 0 : undefined);

const random = seededRandom;

const differences = (texts: Iterable<string>): string[] => {
  const out: string[] = [];
  for (const t of texts) {
    const got = plainNumber(t);
    const want = reference(t);
    if (!Object.is(got, want)) out.push(`${JSON.stringify(t)}: ${String(got)} vs ${String(want)}`);
  }
  return out;
};

describe('plainNumber reads what PLAIN_NUMBER and Number() read', () => {
  it('on hostile texts', () => {
    const texts = ['', '-', '.', '-.', '0', '-0', '00', '-00.0', '007', '0.5', '.5', '5.', '-5.', '1.2.3', '1e5', '1E5', '+1', ' 1', '1 ', '1\n', '\n1', '1\0', '\0',
      '١٢', '１２', '0x1A', 'Infinity', 'NaN', '__proto__', '9'.repeat(15), '9'.repeat(16), `-${'9'.repeat(15)}`, `${'9'.repeat(15)}.9`, `${'1'.repeat(14)}.5`,
      `0.${'0'.repeat(13)}1`, `0.${'0'.repeat(14)}1`, `0.${'9'.repeat(14)}`, `${'9'.repeat(8)}.${'9'.repeat(7)}`, `-${'9'.repeat(8)}.${'9'.repeat(7)}`, '999999999999999',
      '9007199254740993', '123456789012345.', '1,5', '1_000', '٫5', '1..2', '--1', '-+1', '0.1', '0.3', '2.675', '1.005', '1234.565', '-0.0', '-0.00000000000001'];
    expect(differences(texts)).toEqual([]);
  });

  it('on 400,000 generated texts of digits, points and signs', () => {
    const next = random(16);
    const alphabet = '0123456789012345678901234567890123456789.-';
    const texts: string[] = [];
    for (let n = 0; n < 200_000; n++) {
      const length = Math.floor(next() * 19);
      let t = '';
      for (let i = 0; i < length; i++) t += alphabet[Math.floor(next() * alphabet.length)];
      texts.push(t);
    }
    // Well-formed ones near the limits: 1-16 whole digits, 0-15 fraction digits, a sign, leading and trailing zeros.
    for (let n = 0; n < 200_000; n++) {
      const whole = 1 + Math.floor(next() * 16);
      const frac = Math.floor(next() * 16);
      let t = next() < 0.3 ? '-' : '';
      for (let i = 0; i < whole; i++) t += next() < 0.2 ? '0' : String(Math.floor(next() * 10));
      if (frac > 0) {
        t += '.';
        for (let i = 0; i < frac; i++) t += next() < 0.2 ? '0' : String(Math.floor(next() * 10));
      }
      texts.push(t);
    }
    expect(differences(texts)).toEqual([]);
    // The commonest answers (a CSV's ids and amounts) and coerceValue's answer on them unchanged.
    expect(coerceValue('-0', 'number')).toBe(0);
    expect(Object.is(coerceValue('-0.00', 'number'), 0)).toBe(true);
    expect(coerceValue('007', 'number')).toBe(7);
    expect(coerceValue('1343.64', 'number')).toBe(1343.64);
    expect(coerceValue('9007199254740993', 'number')).toBe('9007199254740993');
  });
});
