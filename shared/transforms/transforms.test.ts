import { describe, expect, it } from 'vitest';
import { compile } from '../compiler';
import type { Graph } from '../graph/schema';
import { withFilePreview } from '../graph/kinds/file-source';
import { createTransform, type FlowRow } from '.';

const input = {
  fields: [
    { name: 'Amount', type: 'number' as const },
    { name: 'Count', type: 'number' as const },
    { name: 'Stage', type: 'text' as const },
    { name: 'Close Date', type: 'date' as const },
  ],
  key: [],
};
const row = (n: number, values: Record<string, unknown>): FlowRow => ({ rowNumber: n, values, source: values });
const rows = [
  row(1, { Amount: 20000, Count: 4, Stage: 'Closed Won', 'Close Date': '2026-03-01' }),
  row(2, { Amount: 500, Count: 0, Stage: 'Open', 'Close Date': '2025-12-30' }),
];
const step = (kind: string, config: Record<string, unknown>) => ({ nodeId: 'n', kind, label: 'Step', config, input });

describe('calculated field', () => {
  it('adds the formula value, and rejects just the row a runtime error hits', () => {
    const t = createTransform(step('calculated-field', { field: 'Per Unit', formula: '[Amount] / [Count]' }));
    const result = t.apply(rows);
    expect(result.rows.map((r) => r.values['Per Unit'])).toEqual([5000]);
    expect(result.rejected).toEqual([expect.objectContaining({ rowNumber: 2, reason: expect.stringMatching(/^Per Unit: #DIV\/0! Division by zero/) })]);
  });

  it('in place (a pipeline owns its rows) writes what the copying path writes, `__proto__` as data, the source untouched', () => {
    for (const field of ['Per Unit', '__proto__', 'constructor', 'toString', 'Amount']) {
      const config = { field, formula: '[Amount] / [Count]' };
      const copied = createTransform(step('calculated-field', config)).apply(rows);
      const mapped = (r: FlowRow): FlowRow => ({ ...r, values: { ...r.values } }); // a Map's record of its own, plain prototype
      const owned = rows.map(mapped);
      const inPlace = createTransform(step('calculated-field', config), { ownsRows: true }).apply(owned);
      const own = (v: Record<string, unknown>) => Object.getOwnPropertyNames(v).map((k) => [k, v[k]]);
      expect(inPlace.rows.map((r) => own(r.values))).toEqual(copied.rows.map((r) => own(r.values)));
      expect(inPlace.rows.every((r) => Object.getPrototypeOf(r.values) === Object.prototype)).toBe(true);
      expect(inPlace.rejected.map((r) => r.reason)).toEqual(copied.rejected.map((r) => r.reason));
      expect(owned.map((r) => r.source)).toEqual(rows.map((r) => r.source));
    }
    expect(rows[0]!.values).toEqual({ Amount: 20000, Count: 4, Stage: 'Closed Won', 'Close Date': '2026-03-01' });
  });

  it('replaces an existing field', () => {
    const t = createTransform(step('calculated-field', { field: 'Amount', formula: 'IF([Amount] > 10000, [Amount] * 0.12, [Amount] * 0.1)' }));
    expect(t.apply(rows).rows.map((r) => r.values.Amount)).toEqual([2400, 50]);
  });

  it('reads the run clock for TODAY(), so retries agree', () => {
    const now = () => Date.UTC(2026, 2, 11, 15, 0, 0);
    const t = createTransform(step('calculated-field', { field: 'Age', formula: 'DATEDIFF([Close Date], TODAY(), "day")' }), { now });
    expect(t.apply(rows).rows.map((r) => r.values.Age)).toEqual([10, 71]);
  });

  it('reads the run parameters for PARAM(name), blank without them', () => {
    const formula = 'COALESCE(PARAM("region"), "all") & "-" & [Stage]';
    const t = createTransform(step('calculated-field', { field: 'Key', formula }), { params: new Map([['region', 'EU']]) });
    expect(t.apply(rows).rows.map((r) => r.values.Key)).toEqual(['EU-Closed Won', 'EU-Open']);
    expect(createTransform(step('calculated-field', { field: 'Key', formula })).apply(rows).rows.map((r) => r.values.Key)).toEqual(['all-Closed Won', 'all-Open']);
    const f = createTransform(step('filter', { mode: 'formula', formula: '[Stage] = PARAM("stage")', conditions: [], match: 'all' }), { params: new Map([['stage', 'Open']]) });
    expect(f.apply(rows).rows.map((r) => r.rowNumber)).toEqual([2]);
  });

  it('computes with a missing value as Excel does: 0 in arithmetic, "" in text; a bare field stays blank', () => {
    const blanks = [row(3, { Stage: null, 'Close Date': null }), row(4, { Amount: null, Count: 3 })];
    const calc = (formula: string) => createTransform(step('calculated-field', { field: 'X', formula })).apply(blanks);
    expect(calc('[Amount] * 0.1 + [Count]').rows.map((r) => r.values.X)).toEqual([0, 3]);
    expect(calc('[Stage] & "-" & [Amount]').rows.map((r) => r.values.X)).toEqual(['-', '-']);
    expect(calc('[Amount]').rows.map((r) => r.values.X)).toEqual([null, null]);
    expect(calc('IF(ISBLANK([Amount]), NULL, [Amount] * 2)').rows.map((r) => r.values.X)).toEqual([null, null]);
    const divided = calc('[Count] / [Amount]');
    expect(divided.rows).toEqual([]);
    expect(divided.rejected.map((r) => r.reason)).toEqual([expect.stringMatching(/^X: #DIV\/0!/), expect.stringMatching(/^X: #DIV\/0!/)]);
    const filter = (formula: string) => createTransform(step('filter', { mode: 'formula', formula, conditions: [], match: 'all' })).apply(blanks).rows.map((r) => r.rowNumber);
    expect(filter('[Amount] < 100')).toEqual([3, 4]);
    expect(filter('[Stage] <> "Closed Won"')).toEqual([3, 4]);
    expect(filter('AND(NOT ISBLANK([Amount]), [Amount] < 100)')).toEqual([]);
  });

  it('refuses a formula with errors at build time', () => {
    expect(() => createTransform(step('calculated-field', { field: 'X', formula: '[Amout] * 2' }))).toThrow("Unknown field [Amout]. Did you mean [Amount]?");
  });
});

describe('filter by formula', () => {
  it('keeps the rows where the formula is TRUE', () => {
    const t = createTransform(step('filter', { mode: 'formula', formula: '[Stage] = "Closed Won" AND [Close Date] >= DATE(2026, 1, 1)', conditions: [], match: 'all' }));
    expect(t.apply(rows).rows.map((r) => r.rowNumber)).toEqual([1]);
  });
});

describe('map from formulas, constants and value maps', () => {
  it('fills fields from each kind of source, converting to the field type', () => {
    const t = createTransform(
      step('map', {
        fields: [
          { from: 'field', source: 'Amount', target: 'amount', type: 'currency', key: false },
          { from: 'formula', formula: 'LOOKUP([Stage], "stages", "Unknown")', target: 'stage', type: 'text', key: false },
          { from: 'constant', value: 'CSV import', target: 'origin', type: 'text', key: false },
          { from: 'formula', formula: '[Amount] * 2', target: 'double', type: 'number', key: true },
        ],
      }),
      { valueMaps: { stages: { 'Closed Won': 'won', Open: 'open' } } },
    );
    expect(t.apply(rows).rows.map((r) => r.values)).toEqual([
      { amount: 20000, stage: 'won', origin: 'CSV import', double: 40000 },
      { amount: 500, stage: 'open', origin: 'CSV import', double: 1000 },
    ]);
  });
});

describe('compiling formulas in the graph', () => {
  const graph = (formula: string): Graph => ({
    version: 1,
    nodes: [
      { id: 's', kind: 'csv-source', position: { x: 0, y: 0 }, config: withFilePreview({ fileId: 'f', fileName: 'f.csv', delimiter: ',', hasHeader: true, columns: input.fields }) },
      { id: 'c', kind: 'calculated-field', position: { x: 0, y: 0 }, config: { field: 'Commission', formula } },
      { id: 'f', kind: 'filter', position: { x: 0, y: 0 }, config: { mode: 'formula', formula: '[Commission] > 100' } },
      { id: 't', kind: 'workspace-target', position: { x: 0, y: 0 }, config: { object: 'deals', mode: 'insert' } },
    ],
    edges: [
      { id: 'e1', source: 's', target: 'c' },
      { id: 'e2', source: 'c', target: 'f' },
      { id: 'e3', source: 'f', target: 't' },
    ],
    valueMaps: [{ name: 'stages', entries: [{ from: 'Open', to: 'open' }] }],
  });

  it('infers the calculated field type into the schema downstream', () => {
    const { diagnostics, schemas, plan } = compile(graph('[Amount] * 0.1'));
    expect(diagnostics).toEqual([]);
    expect(schemas.c?.fields.at(-1)).toEqual({ name: 'Commission', type: 'number' });
    expect(plan?.valueMaps).toEqual({ stages: { Open: 'open' } });
  });

  it('reports formula errors on the node with the config path and the exact range', () => {
    const text = '[Amount] * [Rate]';
    const d = compile(graph(text)).diagnostics.find((x) => x.nodeId === 'c');
    expect(d).toMatchObject({ path: 'formula', range: { start: 11, end: 17 } });
    expect(text.slice(d?.range?.start, d?.range?.end)).toBe('[Rate]');
  });

  it('requires a Boolean for a filter formula', () => {
    const g = graph('[Amount] * 0.1');
    g.nodes[2]!.config = { mode: 'formula', formula: '[Commission] * 2' };
    expect(compile(g).diagnostics).toContainEqual(expect.objectContaining({ nodeId: 'f', path: 'formula', code: expect.stringMatching(/^formula-/) }));
  });

  it('reports an unknown value map in LOOKUP', () => {
    const d = compile(graph('LOOKUP([Stage], "stagez")')).diagnostics;
    expect(d).toContainEqual(expect.objectContaining({ nodeId: 'c', path: 'formula' }));
  });
});
