// The JSON body check before any route reads a body (body-limit.ts): depth through jsonShapeProblem, and a scan for
// half of a character written as an escape. The scan is judged against JSON.parse itself: a parsed body holds a lone
// surrogate in a key or a string exactly when the scan says so.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWholeText } from '../../shared/util/nul';
import { hasLoneSurrogateEscape } from './body-limit';

/** Whether any string or key of a parsed JSON value is not whole UTF-16. */
const parsedHasHalf = (text: string): boolean => {
  let half = false;
  JSON.parse(text, function (key, value: unknown) {
    if (!isWholeText(key) || (typeof value === 'string' && !isWholeText(value))) half = true;
    return value;
  });
  return half;
};

describe('hasLoneSurrogateEscape', () => {
  it('finds half of a character anywhere a string or key can hold it, and nothing else', () => {
    for (const [text, half] of [
      ['{"a":"x\\ud800y"}', true],
      ['{"a":"\\udc00"}', true],
      ['{"\\ud800":1}', true],
      ['["\\ud83d\\ud83d\\ude00"]', true],
      ['["\\ud83d"]', true],
      ['["\\ud83d\\n\\ude00"]', true],
      ['["\\ud83d\\u0041"]', true],
      ['["\\ude00\\ud83d"]', true],
      ['["\\ud83d\\ude00"]', false],
      ['["\\\\ud800"]', false],
      ['["\\\\\\ud83d\\ude00"]', false],
      ['["\\"\\ud83d\\ude00"]', false],
      ['{"a":"\\uD83D\\uDE00","b":[1,2,{"c":"\\u00e9"}]}', false],
      ['["\ud83d\ude00"]', false],
    ] as const) {
      expect(hasLoneSurrogateEscape(text), text).toBe(half);
      expect(parsedHasHalf(text), text).toBe(half);
    }
  });

  it('agrees with JSON.parse on generated JSON full of escapes', () => {
    const unit = fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u));
    const text = fc.array(fc.oneof(unit, fc.constantFrom('\ud83d', '\ude00', '\\', '"', 'u')), { maxLength: 12 }).map((a) => a.join(''));
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(text, tie('v'), { maxKeys: 4 })),
    })).v;
    // JSON.stringify writes a lone surrogate as \udXXX and a whole pair as the character itself; both spellings tried.
    const escapedPairs = (s: string) => s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, (p) => `\\u${p.charCodeAt(0).toString(16)}\\u${p.charCodeAt(1).toString(16)}`);
    fc.assert(
      fc.property(value, fc.boolean(), (v, escapePairs) => {
        const json = escapePairs ? escapedPairs(JSON.stringify(v)) : JSON.stringify(v);
        expect(hasLoneSurrogateEscape(json)).toBe(parsedHasHalf(json));
      }),
      { numRuns: 3000 },
    );
  });
});
