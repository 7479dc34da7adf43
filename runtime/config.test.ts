// Settings read from the environment by loadConfig: switches take clear on/off words only, refused by name otherwise.
import { describe, expect, it } from 'vitest';
import { loadConfig, onOff } from './config';

const HOSTILE = [' ', ' 1', '1 ', 'enabled', '2', '01', '-1', '1.0', 'tru', 'on\n', 'on\u0000', '__proto__', 'constructor', 'toString', '9007199254740993', 'y', 'x'.repeat(100_000)];

describe('WEFT_WORKFLOWS_ON_MAIN_THREAD', () => {
  it('is off when unset or empty, and takes 1/true/on/yes and 0/false/off/no in any case', () => {
    expect(loadConfig({}).workflowsOnMainThread).toBe(false);
    expect(loadConfig({ WEFT_WORKFLOWS_ON_MAIN_THREAD: '' }).workflowsOnMainThread).toBe(false);
    for (const on of ['1', 'true', 'on', 'yes', 'TRUE', 'On']) expect(loadConfig({ WEFT_WORKFLOWS_ON_MAIN_THREAD: on }).workflowsOnMainThread, on).toBe(true);
    // "0" and "false" read as on before (any value was on).
    for (const off of ['0', 'false', 'off', 'no', 'FALSE', 'Off']) expect(loadConfig({ WEFT_WORKFLOWS_ON_MAIN_THREAD: off }).workflowsOnMainThread, off).toBe(false);
  });

  it('refuses anything else with the setting name, and quotes at most 40 characters of the value', () => {
    for (const bad of HOSTILE) {
      expect(() => loadConfig({ WEFT_WORKFLOWS_ON_MAIN_THREAD: bad }), JSON.stringify(bad.slice(0, 20))).toThrow(/WEFT_WORKFLOWS_ON_MAIN_THREAD must be one of 1, true, on, yes \(on\) or 0, false, off, no \(off\)/);
    }
    const long = (() => {
      try {
        onOff('WEFT_WORKFLOWS_ON_MAIN_THREAD', 'x'.repeat(100_000));
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(long.length).toBeLessThan(200);
  });
});
