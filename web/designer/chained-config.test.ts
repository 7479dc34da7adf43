import { describe, expect, it } from 'vitest';
import type { Graph } from '../../shared';
import { chainedConfig, objectNameFrom } from './chained-config';

const graph: Graph = {
  version: 1,
  nodes: [
    { id: 'src', kind: 'csv-source', position: { x: 0, y: 0 }, config: { fileName: 'Open Orders (2026).csv' } },
    { id: 'map', kind: 'map', position: { x: 0, y: 0 }, config: { fields: [] } },
    { id: 'db', kind: 'sql-source', position: { x: 0, y: 0 }, config: { object: 'public.customers' } },
  ],
  edges: [{ id: 'e', source: 'src', target: 'map' }],
};

describe('a step chained after another', () => {
  it('names a workspace object after the file or table the flow reads', () => {
    expect(chainedConfig('workspace-target', graph, 'map', null)).toEqual({ object: 'open_orders_2026', mode: 'upsert' });
    expect(chainedConfig('workspace-target', graph, 'db', null)).toEqual({ object: 'customers', mode: 'upsert' });
    expect(objectNameFrom('orders.csv.gz')).toBe('orders');
    expect(objectNameFrom('2026 Café export.xlsx')).toBe('cafe_export');
    expect(objectNameFrom('__proto__')).toBe('proto');
    expect(objectNameFrom('123.csv')).toBeNull();
    expect(objectNameFrom('x'.repeat(80))).toHaveLength(63);
  });

  it('maps every field reaching a new Map, proposing the input key; else keeps the defaults', () => {
    const upstream = { fields: [{ name: 'id', type: 'number' as const }, { name: 'name', type: 'text' as const }], key: ['id'] };
    expect(chainedConfig('map', graph, 'src', upstream)).toEqual({
      fields: [
        { from: 'field', source: 'id', target: 'id', type: 'number', key: true },
        { from: 'field', source: 'name', target: 'name', type: 'text', key: false },
      ],
    });
    expect(chainedConfig('map', graph, 'src', { fields: [], key: [] })).toBeNull();
    expect(chainedConfig('filter', graph, 'src', upstream)).toBeNull();
    // A flow with no named source yet: the object is left for the person.
    expect(chainedConfig('workspace-target', { ...graph, nodes: [{ ...graph.nodes[0]!, config: {} }, graph.nodes[1]!] }, 'map', null)).toBeNull();
  });
});
