import { describe, expect, it } from 'vitest';
import { compile } from './compiler';
import type { Graph } from './graph/schema';
import { mappedSampleProblems } from './sample-checks';
import { sampledPreviewAt, samplingSummary, SAMPLE_LIMITS, type SourceSample } from './sampling';

// A file of 3,000 rows whose first 2,390 are closed: a filter on open rows lets none of the first 10 through.
const graph = (pinned?: unknown): Graph => ({
  version: 1,
  nodes: [
    {
      id: 'source',
      kind: 'csv-source',
      position: { x: 0, y: 0 },
      config: {
        fileId: 'f',
        columns: [
          { name: 'n', type: 'number' },
          { name: 'status', type: 'text' },
          { name: 'city', type: 'text' },
        ],
        ...(pinned ? { pinnedSample: pinned } : {}),
      },
    },
    { id: 'filter', kind: 'filter', position: { x: 1, y: 0 }, config: { mode: 'formula', formula: '[status] = "open"' } },
    { id: 'calc', kind: 'calculated-field', position: { x: 2, y: 0 }, config: { field: 'label', formula: '"#" & [n]' } },
    { id: 'map', kind: 'map', position: { x: 3, y: 0 }, config: { fields: [{ source: 'n', target: 'n', type: 'number', key: true }, { source: 'city', target: 'city', type: 'number' }] } },
  ],
  edges: [
    { id: 'e1', source: 'source', target: 'filter' },
    { id: 'e2', source: 'filter', target: 'calc' },
    { id: 'e3', source: 'calc', target: 'map' },
  ],
});
const rows = Array.from({ length: 3000 }, (_, i) => ({ rowNumber: i + 1, values: { n: String(i + 1), status: i + 1 > 2390 ? 'open' : 'closed', city: `City ${i + 1}` } }));
const first: SourceSample = { rows: rows.slice(0, 10), scanned: 10, complete: false };
const deep: SourceSample = { rows, scanned: 3000, complete: true };

describe('sampledPreviewAt', () => {
  it('says the first rows are too few when a filter lets none of them through', () => {
    const g = graph();
    const { schemas } = compile(g);
    const p = sampledPreviewAt(g, schemas, 'calc', first);
    expect(p.input).toHaveLength(0);
    expect(p.sampling).toEqual({ reached: 0, read: 10, deep: false, short: true, pinned: null });
    expect(samplingSummary(p.sampling, 'calculated-field')).toBe('0 of the first 10 rows reach this step');
  });

  it('previews on the first rows that reach the step in a deeper sample, and says how far it read', () => {
    const g = graph();
    const { schemas } = compile(g);
    const atFilter = sampledPreviewAt(g, schemas, 'filter', deep);
    expect(atFilter.output.map((r) => r.rowNumber)).toEqual([2391, 2392, 2393, 2394, 2395, 2396, 2397, 2398, 2399, 2400]);
    expect(atFilter.input).toHaveLength(2400);
    expect(atFilter.sampling).toEqual({ reached: 10, read: 2400, deep: true, short: false, pinned: null });
    expect(samplingSummary(atFilter.sampling, 'filter')).toBe('10 of the first 2,400 rows pass');
    const atCalc = sampledPreviewAt(g, schemas, 'calc', deep);
    expect(atCalc.input).toHaveLength(SAMPLE_LIMITS.want);
    expect(atCalc.output[0]?.values.label).toBe('#2391');
    expect(samplingSummary(atCalc.sampling, 'calculated-field')).toBe('10 of the first 2,400 rows reach this step');
  });

  it('puts the pinned row first in every preview downstream of its source', () => {
    const g = graph({ rowNumber: 2999, values: { n: '2999', status: 'open', city: 'Pinned city' } });
    const { schemas } = compile(g);
    const p = sampledPreviewAt(g, schemas, 'calc', deep);
    expect(p.output[0]).toMatchObject({ rowNumber: 2999, values: { city: 'Pinned city' } });
    expect(p.output).toHaveLength(11);
    expect(p.sampling).toMatchObject({ pinned: 2999, read: 2400 });
    expect(samplingSummary(p.sampling, 'calculated-field')).toBe('10 of the first 2,400 rows reach this step · pinned row 2,999');
    // A pinned row among the first ones that get through is one of them.
    const inside = graph({ rowNumber: 2395, values: { n: '2395', status: 'open', city: 'City 2395' } });
    const q = sampledPreviewAt(inside, compile(inside).schemas, 'calc', deep);
    expect(q.output.map((r) => r.rowNumber)).toEqual([2395, 2391, 2392, 2393, 2394, 2396, 2397, 2398, 2399, 2400]);
    expect(samplingSummary(q.sampling, 'calculated-field')).toBe('10 of the first 2,400 rows reach this step · pinned row 2,395');
    // Even from the first ten rows alone, the pinned one gets through.
    expect(sampledPreviewAt(g, schemas, 'calc', first).output.map((r) => r.rowNumber)).toEqual([2999]);
  });
});

describe('mappedSampleProblems', () => {
  it('warns when the sample values of a text column do not fit the type it is mapped into', () => {
    const g = graph();
    const { schemas } = compile(g);
    const p = sampledPreviewAt(g, schemas, 'map', deep);
    expect(mappedSampleProblems('map', g.nodes[3]!.config, schemas.calc ?? null, p.input)).toEqual([
      { severity: 'warning', code: 'sample-mistyped', message: 'city is text; 10 of 10 sample values are not numbers', nodeId: 'map', path: 'fields.1.type' },
    ]);
  });

  it('says nothing when the values fit, for typed columns, or without sample rows', () => {
    const g = graph();
    const { schemas } = compile(g);
    const numeric = rows.slice(2390, 2400).map((r) => ({ rowNumber: r.rowNumber, values: { ...r.values, city: '12' }, source: r.values }));
    expect(mappedSampleProblems('map', g.nodes[3]!.config, schemas.calc ?? null, numeric)).toEqual([]);
    expect(mappedSampleProblems('map', g.nodes[3]!.config, schemas.calc ?? null, [])).toEqual([]);
    const typed = { fields: [{ source: 'n', target: 'n', type: 'number' }] };
    expect(mappedSampleProblems('map', typed, schemas.calc ?? null, numeric)).toEqual([]);
  });
});
