// Source typing with plain reads of row records and the inlined common conversions, against the typing as it was
// (`ownValue` and `coerceValue` for every field), on generated hostile records.
import { describe, expect, it } from 'vitest';
import { coerceValue, ConversionFailure, type Field, type FieldType } from '../graph/field-types';
import { seededRandom } from '../util/random';
import { ownValue, rowRecord } from '../util/records';
import { typeSourceValues } from './typed-rows';

/** `typeSourceValues` as it was before rows16f. */
function referenceTyping(nodeId: string, fields: readonly Field[], records: readonly Record<string, unknown>[]) {
  const rows: { rowNumber: number; values: Record<string, unknown>; source: Record<string, unknown> }[] = [];
  const rejected: { nodeId: string; rowNumber: number; source: Record<string, unknown>; mapped: null; reason: string }[] = [];
  for (let at = 0; at < records.length; at++) {
    const source = records[at]!;
    let values: Record<string, unknown> | null = null;
    let problems: string[] | null = null;
    for (let i = 0; i < fields.length; i++) {
      const name = fields[i]!.name;
      const before = ownValue(source, name);
      const v = coerceValue(before, fields[i]!.type);
      const failed = v instanceof ConversionFailure;
      if (failed) (problems ??= []).push(`${name}: ${v.reason}`);
      const value = failed ? (before ?? null) : v;
      if (values === null && (failed || v !== before || before === undefined)) {
        values = rowRecord();
        for (let j = 0; j < i; j++) values[fields[j]!.name] = ownValue(source, fields[j]!.name);
      }
      if (values !== null) values[name] = value;
    }
    if (problems) rejected.push({ nodeId, rowNumber: at + 1, source, mapped: null, reason: problems.join('; ') });
    else rows.push({ rowNumber: at + 1, values: values ?? source, source });
  }
  return { rows, rejected };
}

const shape = (r: Record<string, unknown>) => ({ proto: Object.getPrototypeOf(r) as unknown, own: Reflect.ownKeys(r).map((k) => [k, Object.getOwnPropertyDescriptor(r, k)]) });

const NAMES = ['id', '__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'amount', 'when', 'day', 'flag', 'note'];
const TYPES: FieldType[] = ['text', 'number', 'currency', 'date', 'datetime', 'boolean', 'reference'];
const VALUES: unknown[] = [
  null, undefined, '', ' ', '\u0000', 'a\u0000b', '007', '-0', '1e3', '9007199254740993', '123456789012345678901234567890', '0.12345678901234567', 'NaN',
  '$12.50', '2026-03-04', '2026-02-30', '2026-03-04 10:00:00+00', '2026-03-04T10:00:00.000Z', 'true', 'x'.repeat(100_000), '__proto__',
  0, -0, NaN, Infinity, 2 ** 53 + 2, 1e21, 0.1, true, false, new Date(0), { a: 1 }, [1], 10n,
];

describe('typeSourceValues fast reads (rows16f)', () => {
  it('types generated hostile records as the old typing did: row records, prototype-less and plain objects', () => {
    const rand = seededRandom(2026120616);
    const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)]!;
    for (let round = 0; round < 300; round++) {
      const pool = [...NAMES];
      const fields: Field[] = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => ({ name: pool.splice(Math.floor(rand() * pool.length), 1)[0]!, type: pick(TYPES) }));
      const records: Record<string, unknown>[] = [];
      for (let i = 0; i < 20; i++) {
        const kind = rand();
        const r: Record<string, unknown> = kind < 0.6 ? rowRecord() : kind < 0.8 ? Object.create(null) : {};
        // Usually every field, sometimes one missing (a plain object then inherits `constructor`, `toString`...), sometimes an extra one.
        for (const f of fields) if (rand() > 0.1) Object.defineProperty(r, f.name, { value: pick(VALUES), writable: true, enumerable: true, configurable: true });
        if (rand() < 0.1) r.extra = pick(VALUES);
        records.push(r);
      }
      const want = referenceTyping('src', fields, records);
      const got = typeSourceValues('src', fields, records, (i) => i + 1);
      expect(got.rows.length).toBe(want.rows.length);
      got.rows.forEach((r, i) => {
        const w = want.rows[i]!;
        expect(r.rowNumber).toBe(w.rowNumber);
        expect(r.source).toBe(w.source);
        // Handed on as the source record exactly when the old typing did.
        expect(r.values === r.source).toBe(w.values === w.source);
        expect(shape(r.values)).toEqual(shape(w.values));
      });
      expect(got.rejected.map((r) => ({ ...r, source: r.source === records[r.rowNumber - 1] }))).toEqual(want.rejected.map((r) => ({ ...r, source: true })));
    }
  });
});
