import { describe, expect, it } from 'vitest';
import { editDistance, editDistanceWithin, suggest } from './suggest';

/** The textbook full table, to compare the banded one against. */
function reference(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length] as number;
}

describe('suggest', () => {
  it('gives the same distances as the full table, within the bound', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const word = () => Array.from({ length: rnd(12) }, () => 'abc'[rnd(3)]).join('');
    for (let k = 0; k < 20_000; k++) {
      const [a, b, max] = [word(), word(), rnd(8)];
      const d = reference(a, b);
      expect(editDistanceWithin(a, b, max), `${a} ${b} ${max}`).toBe(d <= max ? d : max + 1);
    }
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('finds the nearest name', () => {
    expect(suggest('Emial', ['Name', 'Email'])).toBe('Email');
    expect(suggest('amuont', ['Amount', 'Count'])).toBe('Amount');
    expect(suggest('zzzzzz', ['Amount'])).toBeUndefined();
  });

  it('takes milliseconds for long names against thousands of candidates', () => {
    // Before: a full |a| x |b| table per candidate; a 10,000-character unknown field name against 5,000 field names
    // took about a minute, in the browser's main thread as the person typed.
    const names = Array.from({ length: 5000 }, (_, i) => `Customer field number ${i} with a fairly long descriptive name`);
    const t0 = performance.now();
    expect(suggest('x'.repeat(9990), names)).toBeUndefined();
    expect(suggest('y'.repeat(60), names)).toBeUndefined();
    expect(suggest(`${'z'.repeat(500)}a`, [`${'z'.repeat(500)}b`, 'z'.repeat(490)])).toBe(`${'z'.repeat(500)}b`);
    // Past the budget (names of thousands of characters, close in length) there is no suggestion rather than a wait.
    expect(suggest(`${'z'.repeat(9000)}a`, Array.from({ length: 50 }, (_, i) => `${'z'.repeat(9000)}${i}`))).toBeUndefined();
    expect(suggest('Customer field numbr 4321 with a fairly long descriptive name', names)).toBe('Customer field number 4321 with a fairly long descriptive name');
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('finds a name far down a long list of long names unlike each other (review14a)', () => {
    // Before: each candidate of the right length was charged its whole band against the budget, so 3,000 names of 60
    // characters used it up by the 800th and a one-letter typo of the 2,500th got no suggestion.
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const names = Array.from({ length: 3000 }, () => Array.from({ length: 60 }, () => 'abcdefghijklmnopqrstuvwxyz '[Math.floor(rnd() * 27)]).join(''));
    const wanted = names[2500] as string;
    const t0 = performance.now();
    expect(suggest(`${wanted.slice(0, 30)}${wanted[30] === 'x' ? 'y' : 'x'}${wanted.slice(31)}`, names)).toBe(wanted);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});
