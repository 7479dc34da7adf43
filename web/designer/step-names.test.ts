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

  it('names a filter after what it keeps, from one condition or a simple formula', () => {
    const formula = (f: string) => defaultStepName(node('filter', { mode: 'formula', formula: f }));
    expect(formula('[status] = "open"')).toBe('Only status open');
    expect(formula('  [Amount]>100 ')).toBe('Only Amount over 100');
    expect(formula('[country] <> "FR"')).toBe('Without country FR');
    expect(formula('[score] <= -2.5')).toBe('Only score -2.5 or less');
    expect(formula('NOT(ISBLANK([email]))')).toBe('Only with email');
    expect(formula('isblank([phone])')).toBe('Only without phone');
    // Anything more than one comparison is left for the person to name.
    expect(formula('AND([a] = 1, [b] = 2)')).toBeNull();
    expect(formula('[status] = "open" & "x"')).toBeNull();
    expect(formula('')).toBeNull();
    // Hostile field names and values stay text, cut to fit.
    expect(formula('[__proto__] = "x"')).toBe('Only __proto__ x');
    expect(formula(`[note] = "${'a'.repeat(40)}"`)).toHaveLength(40);
    const one = (c: Record<string, unknown>) => defaultStepName(node('filter', { mode: 'conditions', conditions: [c] }));
    expect(one({ field: 'status', op: 'eq', value: 'open' })).toBe('Only status open');
    expect(one({ field: 'total', op: 'gte', value: '10' })).toBe('Only total 10 or more');
    expect(one({ field: 'email', op: 'not_empty', value: '' })).toBe('Only with email');
    expect(one({ field: 'status', op: 'eq', value: '' })).toBeNull();
    expect(one({ field: '', op: 'eq', value: 'x' })).toBeNull();
    expect(defaultStepName(node('filter', { mode: 'conditions', conditions: [{ field: 'a', op: 'eq', value: '1' }, { field: 'b', op: 'eq', value: '2' }] }))).toBeNull();
  });

  it('names a calculated field after the field it adds', () => {
    expect(defaultStepName(node('calculated-field', { field: 'full_name', formula: '' }))).toBe('Add full_name');
    expect(defaultStepName(node('calculated-field', { field: '  ', formula: '1' }))).toBeNull();
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
