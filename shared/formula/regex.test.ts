import { describe, expect, it } from 'vitest';
import { parseRegex, RegexError } from './regex-syntax';
import { compileRegex, TOO_MANY_STEPS } from './regex-vm';
import { seededRandom } from '../util/random';

const re = (p: string) => compileRegex(parseRegex(p));
const exec = (p: string, s: string) => re(p).exec(s);
const rejects = (p: string) => {
  try {
    parseRegex(p);
  } catch (e) {
    if (e instanceof RegexError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error(`${p} was accepted`);
};


describe('matching', () => {
  it('finds the leftmost match, preferring as JavaScript does', () => {
    expect(exec('a+', 'baaab')).toEqual(['aaa']);
    expect(exec('a+?', 'baaab')).toEqual(['a']);
    expect(exec('(a|ab)(c|bcd)(d*)', 'abcd')).toEqual(['abcd', 'a', 'bcd', '']);
    expect(exec('x*', 'abc')).toEqual(['']);
    expect(exec('colou?r', 'The colour red')).toEqual(['colour']);
    expect(exec('(\\d{3})-(\\d{4})', 'call 555-1234 now')).toEqual(['555-1234', '555', '1234']);
    expect(exec('(?<area>\\d+)-(\\d+)', '12-34')).toEqual(['12-34', '12', '34']);
    expect(exec('(a)|b', 'b')).toEqual(['b', null]);
    expect(exec('^abc$', 'abc\n')).toBeNull();
    expect(exec('\\bcat\\b', 'concat cat')).toEqual(['cat']);
    expect(exec('\\Bcat', 'concat cat')).toEqual(['cat']);
    expect(exec('a.c', 'a\nc')).toBeNull();
    expect(exec('[^\\d\\s]+', '12 ab3')).toEqual(['ab']);
    expect(exec('[\\w.-]+@[\\w-]+\\.\\w+', 'write to ada.l@example.com!')).toEqual(['ada.l@example.com']);
    expect(exec('x{2,3}', 'xxxxx')).toEqual(['xxx']);
    expect(exec('x{2,}?', 'xxxxx')).toEqual(['xx']);
    expect(exec('\\u00e9+|\\x41', 'Aéé')).toEqual(['A']);
    expect(exec('😀+', 'a😀😀b')).toEqual(['😀😀']);
    expect(exec('.', '😀')).toEqual(['😀']);
  });

  it('ignores case with a leading (?i)', () => {
    expect(re('(?i)hello').test('Say HELLO')).toBe(true);
    expect(re('hello').test('Say HELLO')).toBe(false);
    expect(exec('(?i)[a-c]+', 'xABCd')).toEqual(['ABC']);
    expect(exec('(?i)é', 'É')).toEqual(['É']);
  });

  it('keeps a repeated group\'s last match', () => {
    expect(exec('(?:(\\d)-)+', '1-2-3-')).toEqual(['1-2-3-', '3']);
  });

  it('runs in time linear in the text', () => {
    const text = 'a'.repeat(100_000);
    const t0 = performance.now();
    expect(re('.*.*.*.*.*=').test(text)).toBe(false);
    expect(re('(a|aa|aaa)*b').test(text)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('stops at the step ceiling instead of running on', () => {
    expect(re('[a-z]{0,1000}x').test('a'.repeat(100_000))).toBe(TOO_MANY_STEPS);
  });
});

describe('syntax it refuses', () => {
  it.each([
    ['(a+)+', 'regex-unsafe', 'Nested repetition'],
    ['(a*)*b', 'regex-unsafe', 'Nested repetition'],
    ['(a|b?)+', 'regex-unsafe', 'Nested repetition'],
    ['(a)\\1', 'regex-unsafe', 'Backreferences (\\1) are not supported'],
    ['(?<x>a)\\k<x>', 'regex-unsafe', 'Backreferences (\\k<name>)'],
    ['a(?=b)', 'regex-invalid', 'Lookahead and lookbehind'],
    ['(?<!a)b', 'regex-invalid', 'Lookahead and lookbehind'],
    ['a(?i)b', 'regex-invalid', '(?i) is allowed only at the very start'],
    ['\\p{L}', 'regex-invalid', 'Unicode property escapes'],
    ['\\q', 'regex-invalid', 'Unknown escape \\q'],
    ['(ab', 'regex-invalid', 'Missing ")" to close this "(" (at character 1'],
    ['ab)', 'regex-invalid', 'Unmatched ")" (at character 3'],
    ['[ab', 'regex-invalid', 'Missing "]" to close "[" (at character 1'],
    ['[]', 'regex-invalid', 'Empty character class'],
    ['[z-a]', 'regex-invalid', 'Range out of order'],
    ['*a', 'regex-invalid', 'Nothing to repeat before "*" (at character 1'],
    ['a**', 'regex-invalid', 'a repeat follows a repeat'],
    ['a{3,2}', 'regex-invalid', 'n must not be greater than m'],
    ['a{2000}', 'regex-unsafe', 'Repeat counts go up to 1000'],
    ['a{', 'regex-invalid', 'Use \\{ for a literal {'],
    ['^*', 'regex-invalid', 'An anchor (^, $, \\b) cannot be repeated'],
    ['\\', 'regex-invalid', 'lone backslash'],
    ['(((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))', 'regex-unsafe', 'Groups nest too deeply'],
    ['(abcdefghij){600}', 'regex-unsafe', 'too complex'],
    ['(a|)*', 'regex-invalid', 'can match empty text'],
    ['(?:\\b|a){0,2}', 'regex-invalid', 'can match empty text'],
  ])('%s', (pattern, code, message) => {
    const r = rejects(pattern);
    expect(r.code).toBe(code);
    expect(r.message).toContain(message);
  });

  it('accepts fixed repeats of repeats, which cannot backtrack catastrophically', () => {
    expect(re('^(\\d{1,3}\\.){3}\\d{1,3}$').test('192.168.0.1')).toBe(true);
    expect(re('(ab+){2}').test('abbab')).toBe(true);
  });
});

describe('agrees with JavaScript RegExp on random patterns', () => {
  const rnd = seededRandom(99);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

  type Gen = { src: string; variable: boolean; groupInRepeat: boolean; groups: number };
  function gen(depth: number): Gen {
    const r = rnd();
    if (depth <= 0 || r < 0.35) {
      const atom = pick(['a', 'b', '1', ' ', '.', '[ab]', '[^a]', '\\d', '\\w', '\\s', '-', '\\b', '^', '$']);
      return { src: atom, variable: false, groupInRepeat: false, groups: 0 };
    }
    if (r < 0.55) {
      const parts = [gen(depth - 1), gen(depth - 1)];
      return { src: parts.map((p) => p.src).join(''), variable: parts.some((p) => p.variable), groupInRepeat: parts.some((p) => p.groupInRepeat), groups: parts.reduce((n, p) => n + p.groups, 0) };
    }
    if (r < 0.7) {
      const parts = [gen(depth - 1), gen(depth - 1)];
      return { src: `(?:${parts.map((p) => p.src).join('|')})`, variable: parts.some((p) => p.variable), groupInRepeat: parts.some((p) => p.groupInRepeat), groups: parts.reduce((n, p) => n + p.groups, 0) };
    }
    if (r < 0.8) {
      const inner = gen(depth - 1);
      return { src: `(${inner.src})`, variable: inner.variable, groupInRepeat: inner.groupInRepeat, groups: inner.groups + 1 };
    }
    const inner = gen(depth - 1);
    if (/^[\\^$]b?$|^\^$|^\$$/.test(inner.src) || inner.src === '\\b') return inner;
    const q = inner.variable ? pick(['{2}', '{1}']) : pick(['*', '+', '?', '{2}', '{1,3}', '{0,2}', '*?', '+?', '??', '{1,}']);
    const body = inner.src.length === 1 || inner.src.startsWith('[') || inner.src.startsWith('\\') || inner.src.startsWith('(') ? inner.src : `(?:${inner.src})`;
    return { src: `${body}${q}`, variable: inner.variable || !/^\{\d+\}$/.test(q), groupInRepeat: inner.groupInRepeat || inner.groups > 0, groups: inner.groups };
  }

  it('on 3,000 pattern and text pairs', () => {
    let compared = 0;
    for (let i = 0; i < 3000; i++) {
      const g = gen(4);
      let mine;
      try {
        mine = re(g.src);
      } catch (e) {
        if (e instanceof RegexError) continue;
        throw e;
      }
      const text = Array.from({ length: Math.floor(rnd() * 12) }, () => pick(['a', 'b', '1', ' ', '-', 'A'])).join('');
      const native = new RegExp(g.src).exec(text);
      const ours = mine.exec(text);
      if (ours === TOO_MANY_STEPS) throw new Error('steps');
      const theirs = native ? [...native].map((v) => v ?? null) : null;
      const label = `${JSON.stringify(g.src)} on ${JSON.stringify(text)}`;
      expect(`${label}: ${JSON.stringify(ours?.[0] ?? null)}`).toBe(`${label}: ${JSON.stringify(theirs?.[0] ?? null)}`);
      if (!g.groupInRepeat) expect(`${label}: ${JSON.stringify(ours)}`).toBe(`${label}: ${JSON.stringify(theirs)}`);
      expect(mine.test(text)).toBe(theirs !== null);
      compared++;
    }
    expect(compared).toBeGreaterThan(1500);
  });
});
