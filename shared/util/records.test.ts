import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isRowRecord, rowRecord } from './records';

describe('rowRecord', () => {
  it('makes the same records at every width: prototype-less reads, __proto__ as data, keys in order', () => {
    for (const width of [undefined, 0, 1, 3, 11, 64, 65, 1000, -1, 2.5, Number.NaN]) {
      const r = rowRecord(width);
      expect(isRowRecord(r)).toBe(true);
      expect(Object.getPrototypeOf(Object.getPrototypeOf(r))).toBeNull();
      expect(Object.isFrozen(Object.getPrototypeOf(r))).toBe(true);
      expect(r.constructor).toBeUndefined();
      expect(r.toString).toBeUndefined();
      r.__proto__ = 'data';
      const constructorName: string = 'constructor';
      r[constructorName] = 1;
      r.f0 = 9007199254740993n;
      r.id = '007';
      expect(Object.keys(r)).toEqual(['__proto__', 'constructor', 'f0', 'id']);
      expect(Object.getPrototypeOf(r)).toBe(Object.getPrototypeOf(rowRecord()));
      expect({ ...r }).toEqual({ ['__proto__']: 'data', constructor: 1, f0: 9007199254740993n, id: '007' });
    }
  });

  // Without a constructor per width, V8 sized every row record by the process's first few (3 fields here): a table of
  // 30 columns then turned each of its records into a hash table (docs/benchmarks.md, rows16g).
  it('keeps a wide table’s records fast objects after the process made small ones first', async () => {
    const child = resolve(import.meta.dirname, '../../test/support/row-record-child.ts');
    const { stdout } = await promisify(execFile)(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', child], { cwd: resolve(import.meta.dirname, '../..') });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ fast11: true, fast30: true, fast64: true });
  }, 30_000);
});
