// roundTrip (is this text exactly how JavaScript prints its number?) with its fast path (shortestDecimal, which proves
// the answer from the digits) against the test it replaces, `String(Number(text)) === text`, on generated and hostile
// texts: every answer must be the same, -0 and NaN told apart (Object.is).
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../util/random';
import { roundTrip, shortestDecimal } from './field-types';

/** The test roundTrip made before its fast path, word for word. */
const reference = (text: string): number | null => {
  const n = Number(text);
  return Number.isFinite(n) && String(n) === text ? n + 0 : null;
};

function compare(texts: Iterable<string>): { checked: number; fast: number } {
  let checked = 0;
  let fast = 0;
  const wrong: string[] = [];
  for (const t of texts) {
    checked++;
    const want = reference(t);
    const got = roundTrip(t);
    if (!Object.is(got, want)) wrong.push(`${JSON.stringify(t)}: ${String(got)} instead of ${String(want)}`);
    const proved = shortestDecimal(t);
    if (proved !== undefined) {
      fast++;
      if (!Object.is(proved, want)) wrong.push(`${JSON.stringify(t)}: fast path ${String(proved)} instead of ${String(want)}`);
    }
  }
  expect(wrong.slice(0, 20)).toEqual([]);
  return { checked, fast };
}

const rand = seededRandom(20261207);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const digits = (n: number) => Array.from({ length: n }, () => int(0, 9)).join('');
const pick = <T,>(xs: readonly T[]) => xs[int(0, xs.length - 1)]!;

/** The text with its last digit moved by one either way, a digit dropped or added: the near misses of a printed number. */
function neighbours(t: string): string[] {
  const out: string[] = [`${t}0`, `${t}1`, `${t}9`, t.slice(0, -1), `0${t}`, `+${t}`, `-${t}`, `${t}.`, `.${t}`, ` ${t}`, `${t}\u0000`];
  const m = /^(.*?)(\d)(\D*)$/.exec(t);
  if (m) {
    const [, head, last, tail] = m;
    for (const d of [-2, -1, 1, 2]) {
      const v = Number(last) + d;
      if (v >= 0 && v <= 9) out.push(`${head}${v}${tail}`);
    }
  }
  return out;
}

describe('roundTrip', () => {
  it('answers as String(Number(text)) === text on hostile texts', () => {
    const texts = [
      '', '-', '+', '.', '-.', '0', '-0', '+0', '0.0', '-0.0', '0.', '.0', '00', '00.5', '-00.5', '0.5', '-0.5', '1', '-1', '2', '9', '10', '100',
      '1.0', '1.50', '0.1', '0.2', '0.3', '0.30000000000000004', '0.1000000000000000055511151231257827', '1e21', '1e+21', '-1e+21', '1e-7',
      '1e400', '-1e400', '1e-400', '5e-324', '-5e-324', '2.2250738585072014e-308', '2.225073858507201e-308', '1.7976931348623157e+308',
      '1.7976931348623159e+308', 'Infinity', '-Infinity', 'NaN', '0x10', '0b1', '0o7', '1_000', '١٢٣', '１２３', '1\u0000', '\u00001', ' 1', '1 ',
      '\t1', '1\n', '__proto__', 'constructor', '9007199254740991', '9007199254740992', '9007199254740993', '9007199254740994', '-9007199254740991',
      '-9007199254740992', '-9007199254740993', '4503599627370495.5', '4503599627370496.5', '4503599627370497', '900719925474099.1', '90071992547409.91',
      '0.000001', '0.0000001', '0.000001234', '0.0000001234', '0.0000012345678901234', '123456789012345678901', '1234567890123456789012',
      '100000000000000000000', '1000000000000000000000', '999999999999999999999', '99999999999999999999', '100000000000000000001',
      '1000000000000000', '1000000000000001', '9999999999999999', '999999999999999', '99999999999999.99', '0.9999999999999999',
      '0.99999999999999999', '1.0000000000000002', '1.0000000000000001', '0.1234567890123456789', '0.12345678901234567', '0.1234567890123456',
      '123456789012345.6', '1234567890123456.7', '12345678901234567', '1'.repeat(400), `0.${'0'.repeat(400)}1`, '9'.repeat(309), '-'.repeat(30),
    ];
    compare(texts);
  });

  it('answers as String(Number(text)) === text on printed doubles of every magnitude and their near misses', () => {
    const texts: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      const x = [
        () => rand(),
        () => (rand() - 0.5) * 10 ** int(-30, 30),
        () => int(0, 1_000_003) / 1_000_003,
        () => rand() * 2 ** int(-1074, 1023),
        () => int(-5, 5) + 2 ** 53 * (1 + int(-4, 4) * 2 ** -53),
        () => (rand() + 1) * 10 ** int(14, 17),
        () => Number(`${int(1, 9)}e${int(-330, -300)}`),
        () => rand() * 1e-7,
        () => int(1, 9999) / 100,
      ][int(0, 8)]!();
      const t = String(x);
      texts.push(t, ...neighbours(t));
    }
    const { checked, fast } = compare(texts);
    expect(fast).toBeGreaterThan(checked / 20);
  });

  it('answers as String(Number(text)) === text on random digit strings of 1 to 25 digits, with and without a point, sign and exponent', () => {
    const texts: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const n = int(1, 25);
      let body = digits(n);
      if (rand() < 0.5) body = body.replace(/^0+(?=\d)/, ''); // no leading zeros, often
      if (rand() < 0.6) {
        const at = int(0, body.length);
        body = `${body.slice(0, at) || (rand() < 0.8 ? '0' : '')}.${body.slice(at)}`;
        if (rand() < 0.5) body = body.replace(/0+$/, '').replace(/\.$/, rand() < 0.5 ? '' : '.');
      }
      if (rand() < 0.1) body = `${pick(['0.', '0.0', '0.00000', '0.000000', '0.0000000'])}${digits(int(1, 18)).replace(/0+$/, '')}`;
      const sign = pick(['', '', '', '-', '+']);
      const exponent = rand() < 0.1 ? `${pick(['e', 'E', 'e+', 'e-'])}${int(0, 400)}` : '';
      texts.push(`${sign}${body}${exponent}`);
    }
    compare(texts);
  });

  it('answers as String(Number(text)) === text on 17-digit texts: printed, rounded to 17 digits, and their last digit moved', () => {
    const texts: string[] = [];
    for (let i = 0; i < 40_000; i++) {
      const x = [() => rand(), () => rand() * 10 ** int(-6, 5), () => int(1, 2 ** 53) / 2 ** int(53, 70), () => -rand() * 10 ** int(-6, 3)][int(0, 3)]!();
      for (const t of [String(x), x.toPrecision(17), x.toPrecision(18).slice(0, -1)]) {
        texts.push(t);
        const m = /^(.*?)(\d)$/.exec(t);
        if (m) for (let d = -3; d <= 3; d++) if (d !== 0 && Number(m[2]) + d >= 0 && Number(m[2]) + d <= 9) texts.push(`${m[1]}${Number(m[2]) + d}`);
      }
    }
    const { checked, fast } = compare(texts);
    expect(fast).toBeGreaterThan(checked / 20);
  });

  it('answers as String(Number(text)) === text next to 2^53, powers of ten and 1e15-1e17', () => {
    const texts: string[] = [];
    for (let d = -50; d <= 50; d++) {
      texts.push(String(2 ** 53 + d), String(-(2 ** 53) + d), String(2 ** 52 + d), (BigInt(2 ** 53) + BigInt(d)).toString());
      for (let p = 0; p <= 22; p++) {
        const big = 10n ** BigInt(p);
        texts.push((big + BigInt(d)).toString(), `0.${(big + BigInt(d < 0 ? -d : d)).toString()}`);
      }
    }
    for (let e = -25; e <= 22; e++) {
      for (let i = 0; i < 200; i++) {
        const x = (1 + rand() * 9) * 10 ** e;
        const t = String(x);
        texts.push(t, ...neighbours(t), x.toFixed(Math.min(100, Math.max(0, -e + 15))), x.toPrecision(16), x.toPrecision(15), x.toPrecision(17));
      }
    }
    compare(texts);
  });
});
