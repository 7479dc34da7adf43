// The scale check's cheap path (fitsAsWritten) may only say "fits" where the exact rule (a double's 15 significant
// digits, decimal text's canonical form) says so too: checked on generated values of every shape near the edges.
import { describe, expect, it } from 'vitest';
import { canonicalDecimal, decimalText } from '../../shared/graph/field-types';
import { fitsAsWritten, scaleReason } from './sql-common';

const placesOf = (text: string) => (text.includes('.') ? text.length - text.indexOf('.') - 1 : 0);
const exactFits = (value: number | string, scale: number) => {
  const text = typeof value === 'number' ? decimalText(Number(value.toPrecision(15))) : canonicalDecimal(value.trim());
  return text === null || placesOf(text) <= scale; // text that is no decimal is the server's to refuse
};

describe('the scale check', () => {
  it('takes the cheap path only for values the exact rule lets through', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const numbers: number[] = [0.1 + 0.2, 12.3 * 3, 1234.56, 61.72800000000001, 1e-7, 1e21, 2 ** 53 + 2, -0.5, 1e15 + 0.3, 0.1 * 3, 5e-324, 1.7976931348623157e308];
    for (let i = 0; i < 5000; i++) {
      const magnitude = 10 ** Math.floor(random() * 24 - 8);
      const v = (random() - 0.5) * magnitude;
      numbers.push(v, Math.round(v * 100) / 100, Math.round(v * 10000) / 10000 * 0.05, Math.round(v));
    }
    const texts = ['1.50', ' 12.3400 ', '-0.000', '+7', '007.10', '1e3', '1.5E-2', '.5', '12345678901234567890.123456789'];
    let cheap = 0;
    for (const scale of [0, 1, 2, 4, 10, 30]) {
      for (const v of [...numbers, ...texts]) {
        if (fitsAsWritten(v, scale)) {
          cheap++;
          expect(exactFits(v, scale), `${String(v)} at scale ${scale}`).toBe(true);
        }
        // And the whole check answers as the exact rule does.
        expect(scaleReason('f', `numeric(40,${scale})`, scale, v, 'Postgres') === null, `${String(v)} at scale ${scale}`).toBe(exactFits(v, scale));
      }
    }
    expect(cheap).toBeGreaterThan(30_000);
  });
});
