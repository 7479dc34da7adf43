// An integration's run settings as the API receives them: the parallelism box (issue 16) takes whole numbers from 1
// to 32 only, and nothing a request adds beside the known settings reaches the stored graph.
import { describe, expect, it } from 'vitest';
import { IntegrationSettings } from './schema';

describe('IntegrationSettings.parallelism', () => {
  it('takes a whole number of parts from 1 to 32, or none', () => {
    expect(IntegrationSettings.parse({ parallelism: 1 })).toEqual({ parallelism: 1 });
    expect(IntegrationSettings.parse({ parallelism: 32 })).toEqual({ parallelism: 32 });
    expect(IntegrationSettings.parse({})).toEqual({});
  });

  it('refuses zero, negatives, fractions, past 32, past 2^53, text and a leading zero as text', () => {
    for (const bad of [0, -1, 1.5, 33, 2 ** 53 + 2, Number.NaN, Number.POSITIVE_INFINITY, '4', '04', null]) {
      expect(IntegrationSettings.safeParse({ parallelism: bad }).success, String(bad)).toBe(false);
    }
  });

  it('drops keys it does not know, __proto__ and constructor included', () => {
    const raw = JSON.parse('{"parallelism": 2, "__proto__": {"polluted": true}, "constructor": {"x": 1}, "nul\\u0000": 3}') as unknown;
    const parsed = IntegrationSettings.parse(raw);
    expect(parsed).toEqual({ parallelism: 2 });
    expect(Object.keys(parsed)).toEqual(['parallelism']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
