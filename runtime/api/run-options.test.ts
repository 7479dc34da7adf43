// The Run now dialog's "Run full sync" is offered for the sources that read only what changed: incrementalSources.
import { describe, expect, it } from 'vitest';
import { incrementalSources } from './runs';

describe('incrementalSources', () => {
  it('lists the nodes with a cursor field, named by their label or id, and nothing else', () => {
    const nodes = [
      { id: 'sql-source-1', kind: 'sql-source', label: 'Customers', config: { cursorField: 'updated_at' } },
      { id: 'workspace-source-2', kind: 'workspace-source', config: { cursorField: '_updated_at' } },
      { id: 'sql-source-3', kind: 'sql-source', label: '  ', config: { cursorField: '' } },
      { id: 'map-4', kind: 'map', config: { fields: [] } },
      { id: 'odd-5', kind: 'csv-source', config: null },
      { id: '__proto__', kind: 'sql-source', label: 'constructor', config: { cursorField: 42 } },
    ];
    expect(incrementalSources(nodes)).toEqual([
      { nodeId: 'sql-source-1', label: 'Customers', cursorField: 'updated_at' },
      { nodeId: 'workspace-source-2', label: 'workspace-source-2', cursorField: '_updated_at' },
    ]);
  });
});
