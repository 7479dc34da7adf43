// The key a database target compares batches by (issue 16: numbers, not a text per row): equal exactly when the
// values' texts are equal, as the texts compared before.
import { describe, expect, it } from 'vitest';
import { keyPart } from './sql-target';
import { seededRandom as random } from '../../shared/util/random';

const asText = (v: unknown) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v));
const VALUES: unknown[] = [
  0, -0, 1, -1, 7, '7', '07', '007', '-0', '0', '-7', '+7', ' 7', '7 ', '7.0', 7.5, '7.5', '1e3', 1e3, '1000', 2 ** 53 - 1, String(2 ** 53 - 1),
  2 ** 53, '9007199254740992', 2 ** 53 + 2, '9007199254740993', -(2 ** 53) + 1, String(-(2 ** 53) + 1), 1e21, '1e+21', NaN, 'NaN', Infinity,
  'Infinity', '-Infinity', null, 'null', undefined, 'undefined', true, 'true', 10n, '10', 10, 2n ** 64n, '18446744073709551616', '', '\u0000',
  '7\u0000', '__proto__', 'constructor', { a: 1 }, '{"a":1}', [7], '[7]', new Date(0), '"1970-01-01T00:00:00.000Z"', { toJSON: () => 7 }, '٧',
];

describe('a database target’s batch keys', () => {
  it('are equal exactly when the values’ texts are, on hostile values', () => {
    const same = (a: unknown, b: unknown) => new Set([keyPart(a), keyPart(b)]).size === 1;
    for (const a of VALUES) for (const b of VALUES) expect([a, b, same(a, b)]).toEqual([a, b, asText(a) === asText(b)]);
    const rnd = random(7);
    for (let i = 0; i < 20_000; i++) {
      const n = Math.floor((rnd() - 0.5) * 2 ** (1 + Math.floor(rnd() * 60)));
      const forms = [n, String(n), `0${Math.abs(n)}`, `${n}.0`, n + 0.5, String(n + 0.5), `-${Math.abs(n)}`];
      const a = forms[Math.floor(rnd() * forms.length)];
      const b = forms[Math.floor(rnd() * forms.length)];
      expect(same(a, b)).toBe(asText(a) === asText(b));
    }
  });

  it('keep an integer id as the number, with no text made', () => {
    expect(keyPart(42)).toBe(42);
    expect(keyPart('42')).toBe(42);
    expect(keyPart('042')).toBe('042');
    expect(keyPart('9007199254740993')).toBe('9007199254740993');
  });
});
