import { describe, expect, it, vi } from 'vitest';
import { sqlPreviewHash, type SourcePreview } from '../../shared';
import { cachedSqlSample, ensureSqlSamples } from './sql-samples';

const base = { connectionId: 'con_1', object: 'public.orders', query: '' };
const config = { ...base, columns: [{ name: 'id', type: 'number' }], key: ['id'], preview: { loadedAt: 'x', hash: sqlPreviewHash(base) } };

describe('sql samples for live previews', () => {
  it('reads the rows of a previewed source once, and none for a stale or unpreviewed one', async () => {
    const rows = [{ id: 1 }, { id: 2 }];
    const preview = vi.fn(async (): Promise<SourcePreview> => ({ columns: [], key: [], rows, preview: config.preview }));
    ensureSqlSamples([config, { ...config, query: 'SELECT 1' }, { ...base, preview: null }], preview);
    ensureSqlSamples([config], preview);
    await vi.waitFor(() => expect(cachedSqlSample(config)).toEqual(rows));
    expect(preview).toHaveBeenCalledTimes(1);
    expect(preview).toHaveBeenCalledWith('con_1', { object: 'public.orders' });
    expect(cachedSqlSample({ ...config, object: 'public.invoices' })).toBeNull();
  });
});
