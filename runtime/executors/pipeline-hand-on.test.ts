// Issue 16: a Map of same-name copies hands a database source's records on as the rows' values (no new record per
// row); a row rejected after it still records its source as read, and nothing else changes what is written.
import { describe, expect, it } from 'vitest';
import type { PlanStep } from '../../shared/compiler/plan';
import { rowRecord } from '../../shared/util/records';
import { typeSourceValues } from '../../shared/transforms/typed-rows';
import { createTransform } from '../../shared/transforms';
import type { FieldType } from '../../shared/graph/field-types';
import { seededRandom as random } from '../../shared/util/random';
import { executorDeps } from '../../test/support/connections';
import { createExecutor, type ExecutorDeps, type FlowRow, type SourceBatch } from '.';
import { buildPipeline, flowPipelineBatch, handOnFields, writePipelineBatch } from './pipeline';
import type { Executor } from './types';

const NAMES = ['id', '__proto__', 'big', 'code', 'note'];
const INPUT = { fields: [...NAMES.map((name) => ({ name, type: name === 'id' ? ('number' as const) : ('text' as const) })), { name: 'commission', type: 'number' as const }], key: ['id'] };
const step = (nodeId: string, kind: string, config: Record<string, unknown>): PlanStep => ({ nodeId, kind, label: nodeId, config, input: INPUT, output: null });
const map = (names = NAMES) => step('map', 'map', { fields: names.map((n) => ({ from: 'field', source: n, target: n, type: n === 'id' ? 'number' : 'text' })) });
const calc = (field = 'commission') => step('calc', 'calculated-field', { field, formula: '[id] * 2' });
const src = step('src', 'sql-source', { columns: INPUT.fields.slice(0, NAMES.length) });
const dst = step('dst', 'sql-target', {});

/** A record as the COPY reader makes it: a row record with the table's columns in order. */
function read(id: number, note: string): Record<string, unknown> {
  const r = rowRecord(NAMES.length);
  r.id = id;
  r.__proto__ = 'p';
  r.big = '9007199254740993';
  r.code = '007';
  r.note = note;
  return r;
}
const asData = (r: Record<string, unknown>) => Reflect.ownKeys(r).map((k) => [k, r[k as string]]);

async function pipeline(steps: PlanStep[], deps: ExecutorDeps = executorDeps()) {
  const written: FlowRow[][] = [];
  const create = async (s: PlanStep, d: ExecutorDeps): Promise<Executor> => {
    if (s.kind === 'sql-source') return { role: 'source', read: async function* () {} };
    if (s.kind === 'sql-target') {
      return {
        role: 'target',
        // As the database target answers: a value with U+0000 is rejected with the row's source and values.
        write: (rows: readonly FlowRow[]) => {
          written.push([...rows]);
          const bad = rows.filter((r) => String(r.values.note).includes('\u0000'));
          const counts = { written: rows.length - bad.length, created: rows.length - bad.length, updated: 0, unchanged: 0, rejected: bad.length };
          return Promise.resolve({ counts, rejected: bad.map((r) => ({ nodeId: s.nodeId, rowNumber: r.rowNumber, source: r.source, mapped: r.values, reason: 'U+0000' })) });
        },
      };
    }
    return createExecutor(s, d);
  };
  return { p: await buildPipeline(steps, deps, create), written };
}

describe('a Map handing source records on', () => {
  it('is planned only for a database source, same-name copies, added fields and a database target', () => {
    const deps = executorDeps();
    expect(handOnFields([src, map(), calc(), dst], deps)).toEqual({ fields: NAMES, typed: true });
    expect(handOnFields([src, map(), step('f', 'filter', { conditions: [] }), calc(), dst], deps)).toEqual({ fields: NAMES, typed: true });
    // Typed by the source only when its columns have the Map's types (and no currency code is to be checked).
    const textId = step('src', 'sql-source', { columns: INPUT.fields.slice(0, NAMES.length).map((f) => ({ ...f, type: 'text' })) });
    expect(handOnFields([textId, map(), dst], deps)).toEqual({ fields: NAMES, typed: false });
    expect(handOnFields([step('src', 'sql-source', {}), map(), dst], deps)).toEqual({ fields: NAMES, typed: false });
    const coded = step('map', 'map', { fields: [{ source: 'id', target: 'id', type: 'currency', currency: 'EUR' }] });
    const currencySource = step('src', 'sql-source', { columns: [{ name: 'id', type: 'currency' }] });
    expect(handOnFields([currencySource, coded, dst], deps)).toEqual({ fields: ['id'], typed: false });
    // A calculated field that overwrites a source field, a renaming Map, another source or target, a soft-delete field.
    expect(handOnFields([src, map(), calc('code'), dst], deps)).toBeNull();
    expect(handOnFields([src, map(), calc('__proto__'), dst], deps)).toBeNull();
    expect(handOnFields([src, step('map', 'map', { fields: [{ source: 'a', target: 'b', type: 'text' }] }), dst], deps)).toBeNull();
    expect(handOnFields([src, step('map', 'map', { fields: [{ from: 'formula', formula: '[a]', target: 'a', type: 'text' }] }), dst], deps)).toBeNull();
    expect(handOnFields([step('src', 'csv-source', {}), map(), dst], deps)).toBeNull();
    expect(handOnFields([src, map(), step('dst', 'workspace-target', {})], deps)).toBeNull();
    expect(handOnFields([src, calc(), map(), dst], deps)).toBeNull();
    expect(handOnFields([src, map(), calc(), dst], { sync: { read: null, sourceSoftDeleteField: 'deleted', compareKeys: false } })).toBeNull();
  });

  it('writes the same rows with no new record, and records a rejected row with its source as read', async () => {
    const { p, written } = await pipeline([src, map(), calc(), dst]);
    expect(p.sourceFields).toEqual(NAMES);
    expect(p.transforms[0]!.step.kind).toBe('map');
    const records = [read(1, 'a'), read(2 ** 53 + 2, 'x\u0000y'), read(3, 'c')];
    const batch: SourceBatch = { rows: records.map((r, i) => ({ rowNumber: i + 1, values: r, source: r })), rejected: [], read: 3, cursor: null };
    const effect = await writePipelineBatch(p, flowPipelineBatch(p, batch, new Set(['src', 'map', 'calc', 'dst'])));
    // The target got the records themselves, each with the calculated field after the source's, in order.
    written[0]!.forEach((r, i) => expect(r.values).toBe(records[i]));
    expect(asData(written[0]![0]!.values)).toEqual([...asData(read(1, 'a')), ['commission', 2]]);
    expect(Object.getPrototypeOf(written[0]![0]!.values)).toBe(Object.getPrototypeOf(rowRecord()));
    // The rejected row: its source as read (no calculated field, `__proto__` kept as data), its values as written.
    expect(effect.rejected).toHaveLength(1);
    const [r] = effect.rejected;
    expect(asData(r!.source)).toEqual(asData(read(2 ** 53 + 2, 'x\u0000y')));
    expect(Object.hasOwn(r!.source, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(r!.source)).toBe(Object.getPrototypeOf(rowRecord()));
    expect(asData(r!.mapped!)).toEqual([...asData(read(2 ** 53 + 2, 'x\u0000y')), ['commission', (2 ** 53 + 2) * 2]]);
    expect(effect.counts.dst).toMatchObject({ read: 3, written: 2, rejected: 1 });
  });

  it('records the source as read for a row a calculated field rejects after the hand-on', async () => {
    const second = step('calc2', 'calculated-field', { field: 'half', formula: '[commission] / ([id] - 3)' });
    const { p } = await pipeline([src, map(), calc(), second, dst]);
    const r = read(3, 'c');
    const flowed = flowPipelineBatch(p, { rows: [{ rowNumber: 1, values: r, source: r }], rejected: [], read: 1, cursor: null }, new Set(['src', 'map', 'calc', 'calc2', 'dst']));
    expect(flowed.rejected.map((x) => x.reason)).toEqual([expect.stringMatching(/^half: #DIV\/0!/)]);
    expect(asData(flowed.rejected[0]!.source)).toEqual(asData(read(3, 'c')));
    expect(asData(flowed.rejected[0]!.mapped!)).toEqual([...asData(read(3, 'c')), ['commission', 6]]);
  });

  it('leaves a row whose value converts on a new record, its source untouched', async () => {
    // A source typing `id` as text hands '0042' on; the Map converts it to a number on a new record.
    const textId = step('src', 'sql-source', { columns: INPUT.fields.slice(0, NAMES.length).map((f) => ({ ...f, type: 'text' })) });
    const { p, written } = await pipeline([textId, map(), calc(), dst]);
    const r = read(1, 'a');
    r.id = '0042';
    const effect = await writePipelineBatch(p, flowPipelineBatch(p, { rows: [{ rowNumber: 1, values: r, source: r }], rejected: [], read: 1, cursor: null }, new Set(['map'])));
    expect(effect.rejected).toEqual([]);
    expect(written[0]![0]!.values).not.toBe(r);
    expect(written[0]![0]!.values.id).toBe(42);
    expect(r.id).toBe('0042');
    expect(Object.hasOwn(r, 'commission')).toBe(false);
  });

  it('hands on without converting only what converting again would leave as it is (source typing, then the Map)', () => {
    // The premise of `sourceTyped`: a record the source typing hands on unchanged converts to itself in the Map.
    const types: FieldType[] = ['text', 'number', 'currency', 'date', 'datetime', 'boolean', 'reference'];
    const hostile: unknown[] = ['', '\u0000', 'a\u0000b', '007', '-0', '9007199254740993', '1e3', '0.1', 'NaN', '2026-03-04', '2026-03-04T10:00:00.000Z', '2026-03-04 10:00:00+00', 'true', 'x'.repeat(1000), '__proto__', null, 0, -0, NaN, 2 ** 53 + 2, 0.1, -12.5, 1e21, true, false, 7, 0.12345678901234568];
    const rnd = random(16);
    let handed = 0;
    for (let round = 0; round < 300; round++) {
      const names = ['id', '__proto__', 'constructor', 'v'].slice(0, 1 + Math.floor(rnd() * 4));
      const columns = names.map((name) => ({ name, type: types[Math.floor(rnd() * types.length)]! }));
      const records = Array.from({ length: 20 }, () => {
        const r = rowRecord(names.length);
        for (const n of names) r[n] = hostile[Math.floor(rnd() * hostile.length)];
        return r;
      });
      const typedRows = typeSourceValues('src', columns, records, (i) => i + 1).rows;
      const mapStep = { nodeId: 'map', kind: 'map', label: 'Map', input: null, config: { fields: columns.map((c) => ({ from: 'field', source: c.name, target: c.name, type: c.type })) } };
      const converting = createTransform(mapStep).apply(typedRows);
      const handing = createTransform(mapStep, { ownsRows: true, handsOnSource: true, sourceTyped: true }).apply(typedRows.map((r) => ({ ...r })));
      expect(handing.rejected).toEqual([]);
      expect(handing.rows.map((r) => asData(r.values))).toEqual(converting.rows.map((r) => asData(r.values)));
      handed += handing.rows.filter((r) => r.values === r.source).length;
    }
    expect(handed).toBeGreaterThan(500);
  });
});
