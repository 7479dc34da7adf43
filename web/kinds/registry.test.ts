import { describe, expect, it } from 'vitest';
import { draftConfig } from './draft-config';
import { nodeSummary } from './registry';
import { sqlPreviewHash } from '../../shared';

describe('nodeSummary', () => {
  it('summarises each kind in one line', () => {
    const cols = [1, 2, 3, 4, 5].map((i) => ({ name: `c${i}`, type: 'text' }));
    expect(nodeSummary({ kind: 'csv-source', config: { fileId: 'f', fileName: 'customers.csv', columns: cols } })).toBe('customers.csv · 5 columns');
    expect(nodeSummary({ kind: 'csv-source', config: {} })).toBe('No file yet');
    const sql = { connectionId: 'con_1', object: 'public.orders', query: '', columns: cols };
    expect(nodeSummary({ kind: 'sql-source', config: { ...sql, preview: { loadedAt: 'x', hash: sqlPreviewHash(sql) } } })).toBe('orders · 5 columns · previewed');
    expect(nodeSummary({ kind: 'sql-source', config: { ...sql, query: 'SELECT 1' } })).toBe('orders · filtered · 5 columns · not previewed');
    expect(nodeSummary({ kind: 'sql-source', config: {} })).toBe('Choose a connection');
    const fields = ['email', 'name', 'plan', 'mrr'].map((n) => ({ source: n, target: n, type: 'text', key: n === 'email' }));
    expect(nodeSummary({ kind: 'map', config: { fields } })).toBe('4 fields · key: email');
    expect(nodeSummary({ kind: 'map', config: { fields: [] } })).toBe('No fields mapped');
    expect(nodeSummary({ kind: 'filter', config: { conditions: [{ field: 'mrr', op: 'gt', value: '100' }] } })).toBe('mrr is greater than 100');
    expect(nodeSummary({ kind: 'filter', config: { match: 'any', conditions: [{}, {}] } })).toBe('2 conditions · match any');
    expect(nodeSummary({ kind: 'workspace-target', config: { object: 'contacts', mode: 'upsert' } })).toBe('upsert → contacts');
    expect(nodeSummary({ kind: 'workspace-target', config: { object: '' } })).toBe('Choose an object');
    expect(nodeSummary({ kind: 'sql-target', config: { connectionId: 'con_1', object: 'public.orders', mode: 'upsert' } })).toBe('upsert → public.orders');
    expect(nodeSummary({ kind: 'sql-target', config: { connectionId: 'con_1', object: 'public.orders', mode: 'update' } })).toBe('update → public.orders');
    expect(nodeSummary({ kind: 'sql-target', config: { connectionId: 'con_1', object: '' } })).toBe('Choose a table');
    expect(nodeSummary({ kind: 'sql-target', config: {} })).toBe('Choose a connection');
  });

  it('summarises formulas on one short line', () => {
    const formula = 'IF([deal_value] > 10000,\n  [deal_value] * 0.12, [deal_value] * 0.1)';
    expect(nodeSummary({ kind: 'calculated-field', config: { field: 'commission', formula } })).toBe('commission = IF([deal_value] > 10000, [dea…');
    expect(nodeSummary({ kind: 'calculated-field', config: { field: 'tax', formula: '[amount] * 0.2' } })).toBe('tax = [amount] * 0.2');
    expect(nodeSummary({ kind: 'calculated-field', config: { field: '', formula: '' } })).toBe('No formula yet');
    expect(nodeSummary({ kind: 'filter', config: { mode: 'formula', formula: '[vip] AND [deal_value] > 5000' } })).toBe('Keep where [vip] AND [deal_value] > 5000');
    expect(nodeSummary({ kind: 'filter', config: { mode: 'formula', formula: '  ' } })).toBe('No formula yet');
    expect(nodeSummary({ kind: 'filter', config: { mode: 'conditions', conditions: [] } })).toBe('No conditions');
  });
});

describe('draftConfig', () => {
  it('reads a half-filled or damaged config with the kind schema, leaving out what does not fit', () => {
    expect(draftConfig('csv-source', { fileId: 'f', fileName: 42, columns: 'none' })).toMatchObject({ fileId: 'f', fileName: '', columns: [], format: 'csv' });
    expect(nodeSummary({ kind: 'csv-source', config: { fileId: 'f', fileName: 42, columns: 'none' } })).toBe('Uploaded file · 0 columns');
    expect(draftConfig('filter', { mode: 'sideways', conditions: [{ field: 'mrr', op: 'nearly' }, null] })).toEqual({ mode: 'conditions', match: 'all', conditions: [{ field: 'mrr', value: '' }, {}], formula: '' });
    expect(nodeSummary({ kind: 'teleport', config: {} })).toBe('');
  });
});

describe('database-or-app wording follows the connection', () => {
  it('names the kind and the summary by the connector', async () => {
    const { kindLabelOf } = await import('./registry');
    expect(kindLabelOf({ kind: 'sql-source', config: { connectionId: '' } })).toBe('Read database or app');
    expect(kindLabelOf({ kind: 'sql-source', config: { connectionId: 'c', connector: 'hubspot' } })).toBe('Read HubSpot object');
    expect(kindLabelOf({ kind: 'sql-target', config: { connectionId: 'c', connector: 'salesforce' } })).toBe('Write Salesforce object');
    expect(kindLabelOf({ kind: 'sql-source', config: { connectionId: 'c', connector: 'rest' } })).toBe('Read REST endpoint');
    expect(kindLabelOf({ kind: 'sql-target', config: { connectionId: 'c', connector: 'postgres' } })).toBe('Write database table');
    expect(kindLabelOf({ kind: 'sql-source', config: { connectionId: 'c', connector: '__proto__' } })).toBe('Read __proto__ object');
    expect(nodeSummary({ kind: 'sql-target', config: { connectionId: 'c', connector: 'rest', object: '' } })).toBe('Choose an endpoint');
    expect(nodeSummary({ kind: 'sql-source', config: { connectionId: 'c', connector: 'hubspot', object: '' } })).toBe('Choose an object');
    expect(nodeSummary({ kind: 'sql-source', config: { connectionId: 'c', connector: 'hubspot', object: 'contacts', columns: [{ name: 'email', type: 'text' }] } })).toBe('contacts · 1 field · not previewed');
  });
});
