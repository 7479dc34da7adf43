// JSON and NDJSON numbers a double cannot hold arrive as their exact text, and `__proto__` is a field like any other.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJsonExact, readRecordBatches } from './json';
import { sniffFile } from './formats';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-json-exact-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const RECORD = '{"id": 9007199254740993, "big": 12345678901234567890, "dec": 0.1234567890123456789, "small": 1.5, "name": "say \\"9007199254740993\\"", "__proto__": "p", "list": [1, 9007199254740993]}';
const columns = ['id', 'big', 'dec', 'small', 'name', '__proto__', 'list'].map((name) => ({ name }));

async function rowsOf(name: string, content: string, format: 'json' | 'ndjson') {
  const path = join(dir, name);
  await writeFile(path, content);
  const rows: Record<string, unknown>[] = [];
  for await (const b of readRecordBatches({ path, compression: 'none' }, { format, columns, batchSize: 10 })) rows.push(...b.rows.map((r) => ({ ...r })));
  return { rows, sniff: await sniffFile(path, name) };
}

describe('JSON numbers past a double', () => {
  for (const format of ['json', 'ndjson'] as const) {
    it(`keep their exact text in ${format}, and __proto__ is a field`, async () => {
      const { rows, sniff } = await rowsOf(`r.${format}`, format === 'json' ? `[${RECORD}]` : `${RECORD}\n`, format);
      expect(rows[0]).toEqual({
        id: '9007199254740993',
        big: '12345678901234567890',
        dec: '0.1234567890123456789',
        small: '1.5',
        name: 'say "9007199254740993"',
        ['__proto__']: 'p',
        list: '[1,"9007199254740993"]',
      });
      const types = Object.fromEntries(sniff.columns.map((c) => [c.name, c.type]));
      expect(types).toMatchObject({ id: 'text', big: 'text', dec: 'text', small: 'number', ['__proto__']: 'text' });
    });
  }

  // review15a: a number with an exponent and 16 or 17 digits was counted as one a double changes, though it is the
  // double's own text (what JSON.stringify writes for 3.0000000000000004e-7 or Number.MAX_VALUE): it arrived as text.
  it('parseJsonExact reads a double written with an exponent as that double, and keeps one it would round', () => {
    const doubles = [3.0000000000000004e-7, Number.MAX_VALUE, -5.294650534812286e-309, 1.2345678901234567e-100, 5e-324, 1e21];
    expect(parseJsonExact(JSON.stringify({ doubles }))).toEqual({ doubles });
    expect(parseJsonExact('[1.00000000000000000001e5, 3.00000000000000044e-7, 12.5e-1, 0.0e400, -0e999]')).toEqual(['1.00000000000000000001e5', '3.00000000000000044e-7', 1.25, 0, -0]);
  });

  it('parseJsonExact leaves strings and ordinary numbers alone', () => {
    expect(parseJsonExact('{"a": "12345678901234567890", "b": 12, "c": -0.5e3}')).toEqual({ a: '12345678901234567890', b: 12, c: -500 });
  });

  it('parseJsonExact keeps an exponent past a double wherever JSON puts a number, and leaves hex text alone (review14a)', () => {
    for (const [text, value] of [
      ['1e400', '1e400'],
      ['[1e400]', ['1e400']],
      ['{"a": -1E+400}', { a: '-1E+400' }],
      ['{"a":\n1e-400}', { a: '1e-400' }],
      ['[1,2.5e999]', [1, '2.5e999']],
      ['{"sha":"9e123f","n":1e400}', { sha: '9e123f', n: '1e400' }],
      ['{"id":"c9e1234a-0000-4000-8000-000000000000","n":1e300}', { id: 'c9e1234a-0000-4000-8000-000000000000', n: 1e300 }],
    ] as const) expect(parseJsonExact(text), text).toEqual(value);
  });

  it('parseJsonExact refuses what JSON.parse refuses, a long number with leading zeros or as a name included (rig15)', () => {
    for (const text of [
      '[012]',
      '[00000000000000000009007199254740993]',
      '[-00000000000000000009007199254740993]',
      '{"a": 0012345678901234567890}',
      '{12345678901234567890: 1}',
      '{"a": 1, 9007199254740993 : 2}',
      '{1e400:1}',
      '[1.]',
      '[.5]',
      '[+1]',
    ]) expect(() => parseJsonExact(text), text).toThrow(SyntaxError);
  });

  it('parseJsonExact: a number the double reads back as the same decimal is a number, a name given twice keeps its last value (rig15)', () => {
    expect(parseJsonExact('[100000000000000000000000, 1e21, 0e400, 0.0e-999, 5e-324, 2e-324]')).toEqual([1e23, 1e21, 0, 0, 5e-324, '2e-324']);
    expect(parseJsonExact('{"a": 1, "a": 9007199254740993}')).toEqual({ a: '9007199254740993' });
    expect(Object.is(parseJsonExact('-0'), -0)).toBe(true);
  });
});
