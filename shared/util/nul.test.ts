import { describe, expect, it } from 'vitest';
import { fieldWithNul, hasLoneSurrogate, hasNul, isWholeText, loneSurrogateReason, showNul, unstorableTextReason } from './nul';
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

describe('half a character (a lone UTF-16 surrogate)', () => {
  it('tells whole text from text with half a character, wherever it sits', () => {
    expect(isWholeText('😀 é ß')).toBe(true);
    for (const bad of ['\ud83d', 'a\ud83db', '\ude00x', '😀\ude00', '\ud83d\ud83d']) expect(isWholeText(bad), JSON.stringify(bad)).toBe(false);
    expect(hasLoneSurrogate({ ok: ['x', { deep: 'y' }] })).toBe(false);
    expect(hasLoneSurrogate({ ok: ['x', { deep: 'y\ud800' }] })).toBe(true);
    expect(hasLoneSurrogate({ ['k\udc00']: 1 })).toBe(true);
    expect(hasLoneSurrogate(new Date(0))).toBe(false);
  });

  it('names the field and the half character, own values only, NUL first', () => {
    const row = rowRecord();
    row.__proto__ = 'half \ud83d';
    expect(unstorableTextReason(row, ['__proto__'], 'the workspace')).toBe("__proto__ contains half of a character (a lone UTF-16 surrogate, U+D83D), which the workspace cannot store. Fix the source's text.");
    expect(unstorableTextReason({ a: 'x\u0000', b: '\udc00' }, ['a', 'b'], 'T')).toMatch(/^a contains the character U\+0000/);
    expect(loneSurrogateReason({ a: 'x\u0000', b: ['\udc00'] }, ['a', 'b'], 'T')).toMatch(/^b contains half of a character \(a lone UTF-16 surrogate, U\+DC00\)/);
    const inherited = Object.create({ note: '\ud83d' }) as Record<string, unknown>;
    expect(unstorableTextReason(inherited, ['note'], 'T')).toBeNull();
    expect(unstorableTextReason({ n: 9007199254740993n, d: new Date(0), s: '😀' }, ['n', 'd', 's'], 'T')).toBeNull();
  });

  it('is shown as U+FFFD where a rejected record is kept (U+0000 as ␀), keys included', () => {
    expect(showNul('a\ud83d\u0000')).toBe('a\ufffd\u2400');
    expect(showNul({ ['k\udc00']: ['\ud83d', 'ok'], n: 1 })).toEqual({ ['k\ufffd']: ['\ufffd', 'ok'], n: 1 });
    const whole = { a: '😀' };
    expect(showNul(whole)).toBe(whole);
  });
});
