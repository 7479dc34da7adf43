// The Map's plain-field loop and its in-place conversion of a pipeline-owned record, against the Map as it was
// (a getter per field, a new record per row), on generated hostile rows.
import { describe, expect, it } from 'vitest';
import { coerceCurrency, coerceValue, ConversionFailure, type FieldType } from '../graph/field-types';
import { createTransform, type FlowRow } from '.';
import { ownValue, rowRecord } from '../util/records';
import { seededRandom as random } from '../util/random';

type PlainField = { source: string; target: string; type: FieldType; currency?: string };

/** The Map as it was before the plain-field loop: a getter per field, a new record per row. */
function referenceMap(fields: PlainField[], rows: readonly FlowRow[], nodeId: string) {
  const out: { rowNumber: number; values: Record<string, unknown>; source: Record<string, unknown> }[] = [];
  const rejected: { nodeId: string; rowNumber: number; source: Record<string, unknown>; mapped: Record<string, unknown>; reason: string }[] = [];
  for (const row of rows) {
    const mapped = rowRecord();
    let problems: string[] | null = null;
    for (const f of fields) {
      const code = f.type === 'currency' ? (f.currency ?? '') : '';
      const raw = ownValue(row.values, f.source);
      const v = code !== '' ? coerceCurrency(raw, code) : coerceValue(raw, f.type);
      if (v instanceof ConversionFailure) {
        (problems ??= []).push(`${f.source}: ${v.reason}`);
        mapped[f.target] = raw ?? null;
      } else mapped[f.target] = v;
    }
    if (problems) rejected.push({ nodeId, rowNumber: row.rowNumber, source: row.source, mapped, reason: problems.join('; ') });
    else out.push({ rowNumber: row.rowNumber, values: mapped, source: row.source });
  }
  return { rows: out, rejected };
}

/** A record as data: its prototype, and its own keys in order with their values (Object.is-comparable). */
const shape = (r: Record<string, unknown>) => ({ proto: Object.getPrototypeOf(r) as unknown, own: Reflect.ownKeys(r).map((k) => [k, Object.getOwnPropertyDescriptor(r, k)]) });

const NAMES = ['id', '__proto__', 'constructor', 'toString', 'amount', 'price', 'when', 'day', 'flag', 'ref', 'note', 'hasOwnProperty', 'valueOf'];
const TYPES: FieldType[] = ['text', 'number', 'currency', 'date', 'datetime', 'boolean', 'reference'];
const HOSTILE: unknown[] = [
  '', ' ', '\u0000', 'a\u0000b', '007', '-0', '0', '-0.0', '1e3', '1E-7', '9007199254740993', '-9007199254740993', '123456789012345678901234567890',
  '0.1', '0.10', '.5', '5.', '+5', '1,234.5', 'NaN', 'Infinity', '-Infinity', '0.12345678901234567', '$12.50', 'EUR 12.50', '12.50 USD', '€3',
  '2026-03-04', '2026-02-30', '03/04/2026', '2026-03-04 10:00:00', '2026-03-04T10:00:00.123Z', '2026-03-04 10:00:00+02', 'true', 'false', 'yes',
  'x'.repeat(100_000), '__proto__', 'constructor', null, undefined, 0, -0, NaN, Infinity, 2 ** 53 + 2, 1e21, 0.1, -12.5, true, false,
  new Date(0), { a: 1 }, [1, 2], 10n,
];

function fieldsFor(rnd: () => number): PlainField[] {
  const count = 1 + Math.floor(rnd() * 6);
  const pool = [...NAMES];
  const fields: PlainField[] = [];
  for (let i = 0; i < count; i++) {
    const name = pool.splice(Math.floor(rnd() * pool.length), 1)[0]!;
    const type = TYPES[Math.floor(rnd() * TYPES.length)]!;
    fields.push({ source: name, target: name, type, ...(type === 'currency' && rnd() < 0.5 ? { currency: rnd() < 0.5 ? 'EUR' : 'USD' } : {}) });
  }
  return fields;
}

/** A pipeline-owned typed record: usually exactly the fields in order, sometimes not (extra, missing, reordered, other prototype). */
function recordFor(rnd: () => number, fields: PlainField[]): Record<string, unknown> {
  const value = () => HOSTILE[Math.floor(rnd() * HOSTILE.length)];
  const pick = rnd();
  const names = fields.map((f) => f.source);
  if (pick < 0.05) names.reverse();
  if (pick >= 0.05 && pick < 0.1) names.push('extra');
  if (pick >= 0.1 && pick < 0.15) names.pop();
  const r: Record<string, unknown> = pick >= 0.15 && pick < 0.2 ? {} : pick >= 0.2 && pick < 0.25 ? Object.create(null) : rowRecord();
  for (const n of names) Object.defineProperty(r, n, { value: value(), writable: true, enumerable: true, configurable: true });
  return r;
}

describe('Map of plain fields', () => {
  it('answers what the getter-per-field Map answered, in place or not, on generated hostile rows', () => {
    const rnd = random(16);
    let inPlace = 0;
    let handedOn = 0;
    for (let round = 0; round < 400; round++) {
      const fields = fieldsFor(rnd);
      const step = { nodeId: 'map', kind: 'map', label: 'Map', input: null, config: { fields: fields.map((f) => ({ from: 'field', ...f })) } };
      const make = () => {
        const rows: FlowRow[] = [];
        const inner = random(round);
        for (let i = 0; i < 25; i++) {
          const values = recordFor(inner, fields);
          // Some rows are a source's own record (values === source: never changed in place).
          const source = inner() < 0.2 ? values : { raw: `row ${i}` };
          rows.push({ rowNumber: i + 1, values, source });
        }
        return rows;
      };
      const expected = referenceMap(fields, make(), 'map');
      for (const [ownsRows, handsOnSource] of [[false, false], [true, false], [true, true]] as const) {
        const rows = make();
        const before = rows.map((r) => ({ values: r.values, source: r.source, sourceShape: shape(r.source) }));
        const got = createTransform(step, { ownsRows, handsOnSource }).apply(rows);
        expect(got.rows.map((r) => ({ rowNumber: r.rowNumber, values: shape(r.values) }))).toEqual(expected.rows.map((r) => ({ rowNumber: r.rowNumber, values: shape(r.values) })));
        expect(got.rejected.map((r) => ({ ...r, source: shape(r.source), mapped: shape(r.mapped!) }))).toEqual(expected.rejected.map((r) => ({ ...r, source: shape(r.source), mapped: shape(r.mapped) })));
        // Sources are never changed; a record converted in place is the row's own, never a source.
        for (const b of before) expect(shape(b.source)).toEqual(b.sourceShape);
        for (const r of got.rows) {
          const b = before.find((x) => x.source === r.source)!;
          if (r.values === b.values && r.values === r.source) {
            // A source record handed on as it is: only when asked, and (checked above) never changed.
            expect(handsOnSource).toBe(true);
            handedOn++;
          } else if (r.values === b.values) {
            expect(ownsRows).toBe(true);
            inPlace++;
          }
        }
      }
    }
    // The in-place path was taken (and checked) many times.
    expect(inPlace).toBeGreaterThan(300);
    expect(handedOn).toBeGreaterThan(20);
  });

  it('hands a source record on only when asked, its keys are the targets in order and every value converts to itself', () => {
    const fields = [
      { from: 'field', source: 'id', target: 'id', type: 'number' },
      { from: 'field', source: '__proto__', target: '__proto__', type: 'text' },
      { from: 'field', source: 'big', target: 'big', type: 'text' },
      { from: 'field', source: 'code', target: 'code', type: 'text' },
      { from: 'field', source: 'note', target: 'note', type: 'text' },
    ];
    const step = { nodeId: 'map', kind: 'map', label: 'Map', input: null, config: { fields } };
    const record = (id: unknown) => {
      const r = rowRecord(5);
      r.id = id;
      r.__proto__ = 'p';
      r.big = '9007199254740993';
      r.code = '007';
      r.note = 'a\u0000b';
      return r;
    };
    const handing = createTransform(step, { ownsRows: true, handsOnSource: true });
    const same = record(2 ** 53 + 2);
    const [kept] = handing.apply([{ rowNumber: 1, values: same, source: same }]).rows;
    expect(kept!.values).toBe(same);
    expect(kept!.source).toBe(same);
    expect(shape(same)).toEqual(shape(record(2 ** 53 + 2)));
    // A value that converts to another (text into a number): a new record, the source as read.
    const changed = record('12');
    const [made] = handing.apply([{ rowNumber: 1, values: changed, source: changed }]).rows;
    expect(made!.values).not.toBe(changed);
    expect(made!.source).toBe(changed);
    expect(shape(changed)).toEqual(shape(record('12')));
    expect(shape(made!.values)).toEqual(shape(record(12)));
    // A value that does not convert: rejected with the source as read, on a new record.
    const bad = record('x');
    const refused = handing.apply([{ rowNumber: 1, values: bad, source: bad }]);
    expect(refused.rows).toEqual([]);
    expect(refused.rejected[0]!.source).toBe(bad);
    expect(refused.rejected[0]!.mapped).not.toBe(bad);
    expect(shape(bad)).toEqual(shape(record('x')));
    // A source that typed the rows as these fields say: handed on as it is, no value converted again.
    const typed = createTransform(step, { ownsRows: true, handsOnSource: true, sourceTyped: true });
    const asRead = record(5);
    expect(typed.apply([{ rowNumber: 1, values: asRead, source: asRead }]).rows[0]!.values).toBe(asRead);
    expect(shape(asRead)).toEqual(shape(record(5)));
    // ... but a record that is not the source's, or has other keys, is converted as before.
    const own = record('6');
    expect(typed.apply([{ rowNumber: 1, values: own, source: {} }]).rows[0]!.values.id).toBe(6);
    const extra = record(7);
    extra.more = 1;
    expect(typed.apply([{ rowNumber: 1, values: extra, source: extra }]).rows[0]!.values).not.toBe(extra);
    // Not asked, or not owned: a new record as before.
    for (const env of [{ ownsRows: true }, { handsOnSource: true }]) {
      const r = record(1);
      expect(createTransform(step, env).apply([{ rowNumber: 1, values: r, source: r }]).rows[0]!.values).not.toBe(r);
    }
  });

  it('converts a typed record in place only when its keys are exactly the targets, in order', () => {
    const step = {
      nodeId: 'map',
      kind: 'map',
      label: 'Map',
      input: null,
      config: { fields: [{ from: 'field', source: 'a', target: 'a', type: 'number' }, { from: 'field', source: '__proto__', target: '__proto__', type: 'number' }] },
    };
    const t = createTransform(step, { ownsRows: true });
    const typed = () => {
      const r = rowRecord();
      r.a = '007';
      r.__proto__ = '1e3';
      return r;
    };
    const own = typed();
    const [kept] = t.apply([{ rowNumber: 1, values: own, source: { a: '007' } }]).rows;
    expect(kept!.values).toBe(own);
    expect({ ...kept!.values }).toEqual(Object.fromEntries([['a', 7], ['__proto__', 1000]]));
    expect(Object.getPrototypeOf(kept!.values)).toBe(Object.getPrototypeOf(rowRecord()));
    // Its own source record, an extra key, another order or another prototype: a new record.
    const shared = typed();
    expect(t.apply([{ rowNumber: 1, values: shared, source: shared }]).rows[0]!.values).not.toBe(shared);
    const extra = typed();
    extra.b = 1;
    expect(t.apply([{ rowNumber: 1, values: extra, source: {} }]).rows[0]!.values).not.toBe(extra);
    const reordered = rowRecord();
    reordered.__proto__ = '1';
    reordered.a = '2';
    expect(t.apply([{ rowNumber: 1, values: reordered, source: {} }]).rows[0]!.values).not.toBe(reordered);
    const plain = Object.create(null) as Record<string, unknown>;
    plain.a = '1';
    plain.__proto__ = '2';
    expect(t.apply([{ rowNumber: 1, values: plain, source: {} }]).rows[0]!.values).not.toBe(plain);
    // Not owned (the designer's preview): never in place.
    const preview = typed();
    expect(createTransform(step).apply([{ rowNumber: 1, values: preview, source: {} }]).rows[0]!.values).not.toBe(preview);
  });

  it('keeps a renaming or formula Map on new records', () => {
    const renaming = createTransform(
      { nodeId: 'map', kind: 'map', label: 'Map', input: null, config: { fields: [{ from: 'field', source: 'a', target: 'b', type: 'text' }, { from: 'field', source: 'b', target: 'a', type: 'text' }] } },
      { ownsRows: true },
    );
    const r = rowRecord();
    r.b = 'B';
    r.a = 'A';
    const [out] = renaming.apply([{ rowNumber: 1, values: r, source: {} }]).rows;
    expect(out!.values).not.toBe(r);
    expect({ ...out!.values }).toEqual({ b: 'A', a: 'B' });
  });
});
