import { describe, expect, it } from 'vitest';
import type { PlanStep } from '../../shared/compiler/plan';
import { KIND_IDS } from '../../shared/graph/kinds';
import { createExecutor, EXECUTORS, PlanError, processBatch, type FlowRow, type PipelineExecutors, type TransformExecutor } from '.';
import { executorDeps } from '../../test/support/connections';

const noFiles = executorDeps();

const step = (nodeId: string, kind: string, config: Record<string, unknown>, input: PlanStep['input'] = null): PlanStep => ({
  nodeId,
  kind,
  label: nodeId,
  config,
  input,
  output: null,
});

const rows = (...values: Record<string, unknown>[]): FlowRow[] => values.map((v, i) => ({ rowNumber: i + 1, values: v, source: v }));

async function transform(s: PlanStep): Promise<TransformExecutor> {
  const e = await createExecutor(s, noFiles);
  if (e.role !== 'transform') throw new Error('not a transform');
  return e;
}

describe('the executor registry', () => {
  it('has one executor per node kind', () => {
    expect(Object.keys(EXECUTORS).sort()).toEqual([...KIND_IDS].sort());
    for (const k of KIND_IDS) expect(EXECUTORS[k].kind).toBe(k);
  });

  it('refuses unknown kinds and bad config as plan errors', async () => {
    await expect(createExecutor(step('x', 'teleport', {}), noFiles)).rejects.toBeInstanceOf(PlanError);
    await expect(createExecutor(step('m', 'map', { fields: [] }), noFiles)).rejects.toThrow(/m is not configured correctly \(fields: Map at least one field\)/);
  });

  it('names the missing file of a CSV source', async () => {
    const config = { fileId: 'file_1', fileName: 'people.csv', delimiter: ',', hasHeader: true, columns: [{ name: 'a', type: 'text' }] };
    await expect(createExecutor(step('src', 'csv-source', config), noFiles)).rejects.toThrow('The file "people.csv" used by src is missing');
  });
});

describe('map', () => {
  const map = step('map', 'map', {
    fields: [
      { source: 'Email', target: 'email', type: 'text', key: true },
      { source: 'Amount', target: 'amount', type: 'currency' },
      { source: 'Since', target: 'since', type: 'date' },
      { source: 'VIP', target: 'vip', type: 'boolean' },
    ],
  });

  it('renames, selects and converts', async () => {
    const out = (await transform(map)).apply(rows({ Email: 'a@x.io', Amount: '$1,234.567', Since: '03/04/2024', VIP: 'yes', Other: 'dropped' }));
    expect(out.rejected).toEqual([]);
    // Currency keeps every digit: conversion never rounds a value silently.
    expect(out.rows[0]?.values).toEqual({ email: 'a@x.io', amount: 1234.567, since: '2024-03-04', vip: true });
    expect(out.rows[0]?.source).toMatchObject({ Other: 'dropped' });
  });

  it('rejects a row whose value does not convert, naming the field and the value', async () => {
    const input = rows({ Email: 'a@x.io', Amount: 'abc', Since: '2024-02-30', VIP: null });
    const out = (await transform(map)).apply(input);
    expect(out.rows).toEqual([]);
    expect(out.rejected).toEqual([
      {
        nodeId: 'map',
        rowNumber: 1,
        source: input[0]?.source,
        mapped: { email: 'a@x.io', amount: 'abc', since: '2024-02-30', vip: null },
        reason: 'Amount: "abc" is not a number; Since: "2024-02-30" is not a date (expected YYYY-MM-DD or MM/DD/YYYY)',
      },
    ]);
  });
});

describe('filter', () => {
  const input = {
    fields: [
      { name: 'name', type: 'text' as const },
      { name: 'amount', type: 'number' as const },
      { name: 'since', type: 'date' as const },
      { name: 'vip', type: 'boolean' as const },
    ],
    key: [],
  };
  const data = rows(
    { name: 'Ada', amount: 9, since: '2024-01-05', vip: true },
    { name: 'Bob', amount: 10, since: '2023-12-31', vip: false },
    { name: 'Cy', amount: 100, since: null, vip: null },
  );
  const keep = async (conditions: unknown[], match = 'all') =>
    (await transform(step('f', 'filter', { match, conditions }, input))).apply(data).rows.map((r) => r.values.name);

  it('compares numbers as numbers, dates as dates and booleans as booleans', async () => {
    expect(await keep([{ field: 'amount', op: 'gt', value: '9.5' }])).toEqual(['Bob', 'Cy']); // not "100" < "9.5" as text
    expect(await keep([{ field: 'amount', op: 'lte', value: '10' }])).toEqual(['Ada', 'Bob']);
    expect(await keep([{ field: 'since', op: 'gte', value: '01/01/2024' }])).toEqual(['Ada']);
    expect(await keep([{ field: 'vip', op: 'eq', value: 'yes' }])).toEqual(['Ada']);
    expect(await keep([{ field: 'vip', op: 'ne', value: 'true' }])).toEqual(['Bob', 'Cy']);
  });

  it('compares date-times across time zones', async () => {
    const seen = { fields: [{ name: 'at', type: 'datetime' as const }], key: [] };
    const times = rows({ at: '2026-03-01T09:30:00+02:00' }, { at: '2026-03-01 08:00' }, { at: 'soon' });
    const f = await transform(step('f', 'filter', { conditions: [{ field: 'at', op: 'lt', value: '2026-03-01T08:00:00Z' }] }, seen));
    expect(f.apply(times).rows.map((r) => r.values.at)).toEqual(['2026-03-01T09:30:00+02:00']); // 07:30Z
  });

  it('handles text, emptiness and any/all', async () => {
    expect(await keep([{ field: 'name', op: 'contains', value: 'B' }])).toEqual(['Bob']);
    expect(await keep([{ field: 'name', op: 'eq', value: 'ada' }])).toEqual([]);
    expect(await keep([{ field: 'since', op: 'empty', value: '' }])).toEqual(['Cy']);
    expect(await keep([{ field: 'since', op: 'not_empty', value: '' }])).toEqual(['Ada', 'Bob']);
    expect(await keep([{ field: 'name', op: 'eq', value: 'Ada' }, { field: 'amount', op: 'eq', value: '100' }], 'any')).toEqual(['Ada', 'Cy']);
    expect(await keep([{ field: 'name', op: 'eq', value: 'Ada' }, { field: 'amount', op: 'eq', value: '100' }], 'all')).toEqual([]);
  });

  it('drops rows without rejecting them', async () => {
    const out = (await transform(step('f', 'filter', { conditions: [{ field: 'vip', op: 'eq', value: 'true' }] }, input))).apply(data);
    expect(out.rejected).toEqual([]);
  });
});

describe('processBatch', () => {
  const pipeline = async (): Promise<PipelineExecutors> => {
    const schema = { fields: [{ name: 'email', type: 'text' as const }, { name: 'n', type: 'number' as const }], key: ['email'] };
    const map = step('map', 'map', { fields: [{ source: 'Email', target: 'email', type: 'text', key: true }, { source: 'N', target: 'n', type: 'number' }] });
    const filter = step('filter', 'filter', { conditions: [{ field: 'n', op: 'gt', value: '0' }] }, schema);
    const target = step('target', 'workspace-target', { object: 'things', mode: 'upsert' }, schema);
    const t = await createExecutor(target, noFiles);
    if (t.role !== 'target') throw new Error('not a target');
    return {
      source: { step: step('src', 'csv-source', {}), run: { role: 'source', read: async function* () {} } },
      transforms: [
        { step: map, run: await transform(map) },
        { step: filter, run: await transform(filter) },
      ],
      target: { step: target, run: t },
    };
  };
  const batch = {
    rows: [
      { rowNumber: 1, values: { Email: 'a@x', N: '1' }, source: { Email: 'a@x', N: '1' } },
      { rowNumber: 2, values: { Email: 'b@x', N: 'x' }, source: { Email: 'b@x', N: 'x' } },
      { rowNumber: 4, values: { Email: 'c@x', N: '-1' }, source: { Email: 'c@x', N: '-1' } },
    ],
    rejected: [{ nodeId: 'src', rowNumber: 3, source: { line: 'oops' }, mapped: null, reason: 'row 3 has 1 value but the header has 2' }],
    read: 4,
    cursor: { nextRow: 4 },
  };

  it('counts every step, keeps rejections, and hands the survivors to the target', async () => {
    const effect = processBatch(await pipeline(), batch, new Set(['src', 'map', 'filter', 'target']));
    expect(effect.counts).toEqual({
      src: { read: 4, written: 3, rejected: 1 },
      map: { read: 3, written: 2, rejected: 1 },
      filter: { read: 2, written: 1, rejected: 0 },
      target: { read: 1 },
    });
    expect(effect.rejected.map((r) => [r.nodeId, r.rowNumber])).toEqual([
      ['src', 3],
      ['map', 2],
    ]);
    expect(effect.workspaceWrite).toEqual({
      object: 'things',
      key: ['email'],
      fields: [{ name: 'email', type: 'text' }, { name: 'n', type: 'number' }],
      mode: 'upsert',
      rows: [{ email: 'a@x', n: 1 }],
      rowNumbers: [1],
      sources: [{ Email: 'a@x', N: '1' }],
      nodeId: 'target',
      // ws16: an upsert is checked and serialized in the write stage, for these rows, not in the commit.
      prepared: { rows: [{ email: 'a@x', n: 1 }], outcomes: [null], count: 1, keyInValues: true, json: '[{"email":"a@x","n":1}]' },
    });
    expect(effect.workspaceWrite?.prepared?.rows).toBe(effect.workspaceWrite?.rows);
  });

  it('leaves steps owned by another pipeline uncounted', async () => {
    const effect = processBatch(await pipeline(), batch, new Set(['map', 'filter', 'target']));
    expect(Object.keys(effect.counts)).toEqual(['map', 'filter', 'target']);
    expect(effect.rejected.map((r) => r.nodeId)).toEqual(['map']);
  });
});
