import { describe, expect, it } from 'vitest';
import { nodeSummary } from './node-summary';

describe('nodeSummary', () => {
  it('summarises each kind in one line', () => {
    const cols = [1, 2, 3, 4, 5].map((i) => ({ name: `c${i}`, type: 'text' }));
    expect(nodeSummary({ kind: 'csv-source', config: { fileId: 'f', fileName: 'customers.csv', columns: cols } })).toBe('customers.csv · 5 columns');
    expect(nodeSummary({ kind: 'csv-source', config: {} })).toBe('No file yet');
    const fields = ['email', 'name', 'plan', 'mrr'].map((n) => ({ source: n, target: n, type: 'text', key: n === 'email' }));
    expect(nodeSummary({ kind: 'map', config: { fields } })).toBe('4 fields · key: email');
    expect(nodeSummary({ kind: 'map', config: { fields: [] } })).toBe('No fields mapped');
    expect(nodeSummary({ kind: 'filter', config: { conditions: [{ field: 'mrr', op: 'gt', value: '100' }] } })).toBe('mrr is greater than 100');
    expect(nodeSummary({ kind: 'filter', config: { match: 'any', conditions: [{}, {}] } })).toBe('2 conditions · match any');
    expect(nodeSummary({ kind: 'workspace-target', config: { object: 'contacts', mode: 'upsert' } })).toBe('upsert → contacts');
    expect(nodeSummary({ kind: 'workspace-target', config: { object: '' } })).toBe('Choose an object');
  });
});
