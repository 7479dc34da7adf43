import { describe, expect, it } from 'vitest';
import { sqlPreviewHash } from '../../../shared';
import { cellText, patchForObject, patchForPreview, previewState } from './sql-source-model';

describe('sql-source widgets (pure parts)', () => {
  it('takes columns and key from the picked table', () => {
    const patch = patchForObject({
      name: 'public.orders',
      label: 'orders',
      fields: [
        { name: 'id', type: 'number', nativeType: 'integer', nullable: false },
        { name: 'placed_at', type: 'datetime', nativeType: 'timestamp with time zone', nullable: true },
      ],
      primaryKey: ['id'],
      cursorFields: ['id'],
    });
    expect(patch).toEqual({ object: 'public.orders', columns: [{ name: 'id', type: 'number' }, { name: 'placed_at', type: 'datetime' }], key: ['id'] });
  });

  it('knows whether the stored preview still matches the connection, table and query', () => {
    const base = { connectionId: 'con_1', object: 'public.orders', query: '' };
    const preview = { columns: [{ name: 'id', type: 'number' as const }], key: ['id'], rows: [], preview: { loadedAt: '2026-11-21T06:00:00.000Z', hash: sqlPreviewHash(base) } };
    const config = { ...base, ...patchForPreview(preview) };
    expect(previewState(base)).toBe('none');
    expect(previewState(config)).toBe('current');
    expect(previewState({ ...config, query: 'SELECT * FROM orders WHERE id > 3' })).toBe('stale');
  });

  it('shows cells as text', () => {
    expect([null, 3, true, 'x', { a: 1 }].map(cellText)).toEqual(['', '3', 'true', 'x', '{"a":1}']);
  });
});
