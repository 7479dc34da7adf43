import { describe, expect, it } from 'vitest';
import type { GraphNode } from '../../shared';
import { configChangeOps, defaultStepName } from './step-names';

const node = (kind: string, config: Record<string, unknown>, label?: string): GraphNode => ({ id: 'n1', kind, position: { x: 0, y: 0 }, config, ...(label !== undefined ? { label } : {}) });

describe('step names', () => {
  it('names a step after its file, table or object', () => {
    expect(defaultStepName(node('csv-source', { fileName: 'orders.csv' }))).toBe('orders.csv');
    expect(defaultStepName(node('sql-source', { object: 'public.customers' }))).toBe('customers');
    expect(defaultStepName(node('sql-target', { object: 'orders' }))).toBe('orders');
    expect(defaultStepName(node('workspace-target', { object: 'contacts' }))).toBe('contacts');
    expect(defaultStepName(node('csv-source', { fileName: '' }))).toBeNull();
    expect(defaultStepName(node('map', { fields: [] }))).toBeNull();
  });

  it('renames an unnamed step, and one still carrying its old automatic name, in the same edit', () => {
    expect(configChangeOps(node('csv-source', { fileName: '' }), { fileName: 'orders.csv' })).toEqual([
      { type: 'updateConfig', id: 'n1', config: { fileName: 'orders.csv' } },
      { type: 'renameNode', id: 'n1', label: 'orders.csv' },
    ]);
    const replaced = configChangeOps(node('csv-source', { fileName: 'orders.csv' }, 'orders.csv'), { fileName: 'march.csv' });
    expect(replaced[1]).toEqual({ type: 'renameNode', id: 'n1', label: 'march.csv' });
  });

  it('never replaces a name the person typed', () => {
    expect(configChangeOps(node('csv-source', { fileName: 'orders.csv' }, 'Open orders'), { fileName: 'march.csv' })).toHaveLength(1);
    expect(configChangeOps(node('map', {}), { fields: [] })).toHaveLength(1);
  });
});
