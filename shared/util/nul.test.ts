import { describe, expect, it } from 'vitest';
import { fieldWithNul, hasNul } from './nul';
import { emptyRecord, rowRecord } from './records';
import { seededRandom } from './random';

/** fieldWithNul as it was before rows16e: the reference the faster scan must agree with. */
function fieldWithNulReference(values: Readonly<Record<string, unknown>>, names: Iterable<string> = Object.keys(values)): string | null {
  for (const name of names) if (Object.hasOwn(values, name) && hasNul(values[name])) return name;
  return null;
}

describe('fieldWithNul', () => {
  it('answers as the reference on 20,000 generated records (own and inherited names, nested values, __proto__)', () => {
    const rand = seededRandom(20261206);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const names = ['id', 'name', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'note', 'tags', 'doc'];
    const values = (): unknown =>
      pick<() => unknown>([
        () => null,
        () => undefined,
        () => 42,
        () => 9007199254740993n,
        () => true,
        () => 'plain',
        () => 'a\u0000b',
        () => '\u0000',
        () => '',
        () => new Date(0),
        () => ['x', 'y\u0000'],
        () => ['x', 1],
        () => ({ k: 'v' }),
        () => ({ 'k\u0000': 'v' }),
        () => ({ deep: { er: ['\u0000'] } }),
        () => () => 'function',
      ])();
    for (let i = 0; i < 20_000; i++) {
      const kind = pick(['row', 'empty', 'plain'] as const);
      const record: Record<string, unknown> = kind === 'row' ? rowRecord() : kind === 'empty' ? emptyRecord() : {};
      for (const n of names) if (rand() < 0.5) Object.defineProperty(record, n, { value: values(), enumerable: true, writable: true, configurable: true });
      const asked = rand() < 0.3 ? undefined : names.filter(() => rand() < 0.7);
      expect(fieldWithNul(record, asked), JSON.stringify(Object.keys(record))).toBe(fieldWithNulReference(record, asked));
    }
  });

  it('never takes an inherited value for the record own', () => {
    const inherited = Object.create({ note: 'a\u0000b' }) as Record<string, unknown>;
    expect(fieldWithNul(inherited, ['note'])).toBeNull();
    const own = rowRecord();
    own.__proto__ = 'x\u0000';
    expect(fieldWithNul(own, ['__proto__'])).toBe('__proto__');
  });
});
