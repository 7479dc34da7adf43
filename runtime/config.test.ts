// The worker's budget of pipelines read at once from the environment (issue 16): a plain whole number from 1 to 64, or
// the process refuses to start, naming the setting; never read as something else.
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

const load = (env: Record<string, string>) => loadConfig(env, '/tmp');
const HOSTILE = [' ', ' 4', '4 ', '4\n', '4\u0000', '__proto__', 'constructor', '0', '00', '04', '-1', '+4', '4.0', '4.5', '1e1', '0x10', 'Infinity', 'NaN', '65', '99', '100', '9007199254740993', '4,5', 'four'];

describe('WEFT_MAX_PIPELINES_IN_FLIGHT', () => {
  it('unset: from the heap (undefined here); a whole number from 1 to 64 is read as it is', () => {
    expect(load({}).maxPipelinesInFlight).toBeUndefined();
    for (const [text, n] of [['1', 1], ['4', 4], ['10', 10], ['64', 64]] as const) expect(load({ WEFT_MAX_PIPELINES_IN_FLIGHT: text }).maxPipelinesInFlight).toBe(n);
  });

  it('anything else is refused with the setting named, under either name', () => {
    for (const name of ['WEFT_MAX_PIPELINES_IN_FLIGHT', 'WEFT_MAX_PARTS_IN_FLIGHT']) {
      for (const bad of HOSTILE) expect(() => load({ [name]: bad }), `${name}=${JSON.stringify(bad)}`).toThrow(new RegExp(`${name}: Write a whole number from 1 to 64`));
      expect(() => load({ [name]: '9'.repeat(100_000) }), `${name}: a huge value`).toThrow(new RegExp(`${name}: Write a whole number`));
    }
  });

  it('the older name WEFT_MAX_PARTS_IN_FLIGHT is the same budget; both set to different values is refused', () => {
    expect(load({ WEFT_MAX_PARTS_IN_FLIGHT: '3' }).maxPipelinesInFlight).toBe(3);
    expect(load({ WEFT_MAX_PARTS_IN_FLIGHT: '3', WEFT_MAX_PIPELINES_IN_FLIGHT: '3' }).maxPipelinesInFlight).toBe(3);
    expect(() => load({ WEFT_MAX_PARTS_IN_FLIGHT: '3', WEFT_MAX_PIPELINES_IN_FLIGHT: '5' })).toThrow(/WEFT_MAX_PARTS_IN_FLIGHT: the older name of WEFT_MAX_PIPELINES_IN_FLIGHT/);
  });
});
