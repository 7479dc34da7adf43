// Settings read from the environment by loadConfig: switches take clear on/off words only, and the worker's budget of
// pipelines read at once (issue 16) a plain whole number from 1 to 64; anything else is refused by name.
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

const load = (env: Record<string, string>) => loadConfig(env, '/tmp');
const HOSTILE_CAPS = [' ', ' 4', '4 ', '4\n', '4\u0000', '__proto__', 'constructor', '0', '00', '04', '-1', '+4', '4.0', '4.5', '1e1', '0x10', 'Infinity', 'NaN', '65', '99', '100', '9007199254740993', '4,5', 'four'];

describe('WEFT_MAX_PIPELINES_IN_FLIGHT', () => {
  it('unset: from the heap (undefined here); a whole number from 1 to 64 is read as it is', () => {
    expect(load({}).maxPipelinesInFlight).toBeUndefined();
    for (const [text, n] of [['1', 1], ['4', 4], ['10', 10], ['64', 64]] as const) expect(load({ WEFT_MAX_PIPELINES_IN_FLIGHT: text }).maxPipelinesInFlight).toBe(n);
  });

  it('anything else is refused with the setting named, under either name', () => {
    for (const name of ['WEFT_MAX_PIPELINES_IN_FLIGHT', 'WEFT_MAX_PARTS_IN_FLIGHT']) {
      for (const bad of HOSTILE_CAPS) expect(() => load({ [name]: bad }), `${name}=${JSON.stringify(bad)}`).toThrow(new RegExp(`${name}: Write a whole number from 1 to 64`));
      expect(() => load({ [name]: '9'.repeat(100_000) }), `${name}: a huge value`).toThrow(new RegExp(`${name}: Write a whole number`));
    }
  });

  it('the older name WEFT_MAX_PARTS_IN_FLIGHT is the same budget; both set to different values is refused', () => {
    expect(load({ WEFT_MAX_PARTS_IN_FLIGHT: '3' }).maxPipelinesInFlight).toBe(3);
    expect(load({ WEFT_MAX_PARTS_IN_FLIGHT: '3', WEFT_MAX_PIPELINES_IN_FLIGHT: '3' }).maxPipelinesInFlight).toBe(3);
    expect(() => load({ WEFT_MAX_PARTS_IN_FLIGHT: '3', WEFT_MAX_PIPELINES_IN_FLIGHT: '5' })).toThrow(/WEFT_MAX_PARTS_IN_FLIGHT: the older name of WEFT_MAX_PIPELINES_IN_FLIGHT/);
  });
});

describe('WEFT_S3_TIMEOUT_SECONDS (probe16)', () => {
  it('bounds a bucket request: seconds in, milliseconds to the storage; unset leaves the default; nonsense refused', () => {
    expect(loadConfig({ WEFT_S3_TIMEOUT_SECONDS: '5' }, '/tmp').s3.timeoutMs).toBe(5_000);
    expect(loadConfig({}, '/tmp').s3.timeoutMs).toBeUndefined();
    for (const bad of ['0', '-1', 'soon']) expect(() => loadConfig({ WEFT_S3_TIMEOUT_SECONDS: bad }, '/tmp'), bad).toThrow(/WEFT_S3_TIMEOUT_SECONDS/);
  });
});

describe('the file limits (probe16c)', () => {
  it('are checked at start: a value that is not a positive number, or rounds to less than 1, stops it with its name', () => {
    expect(() => loadConfig({ WEFT_FILES_MAX_RECORD_MB: '0.5', WEFT_FILES_MAX_JSON_DEPTH: '100', WEFT_FILES_MAX_DECRYPTED_MB: '1e6' }, '/tmp')).not.toThrow();
    const bad: [string, string, RegExp][] = [
      ['WEFT_FILES_MAX_RECORD_MB', '0.0000001', /WEFT_FILES_MAX_RECORD_MB is less than 1 character \(it is "0\.0000001"\)/],
      ['WEFT_FILES_MAX_JSON_DEPTH', '0.5', /WEFT_FILES_MAX_JSON_DEPTH is less than 1 level \(it is "0\.5"\)/],
      ['WEFT_FILES_MAX_SHARED_STRINGS_MB', 'lots', /WEFT_FILES_MAX_SHARED_STRINGS_MB must be a positive number \(it is "lots"\)/],
      ['WEFT_FILES_MAX_DECRYPTED_MB', '1e400', /WEFT_FILES_MAX_DECRYPTED_MB must be a positive number/],
      ['WEFT_FILES_MAX_RECORD_MB', '-1', /WEFT_FILES_MAX_RECORD_MB must be a positive number/],
      ['WEFT_FILES_MAX_JSON_DEPTH', '0', /WEFT_FILES_MAX_JSON_DEPTH must be a positive number/],
    ];
    for (const [name, value, message] of bad) expect(() => loadConfig({ [name]: value }, '/tmp'), `${name}=${value}`).toThrow(message);
    expect(() => loadConfig({ WEFT_FILES_MAX_JSON_DEPTH: '0.5' }, '/tmp')).toThrow(/^Invalid environment:\n {2}WEFT_FILES_MAX_JSON_DEPTH/);
  });
});
