import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../compiler/diagnostics';
import { inferSqlSource } from '../../compiler/infer/sql-source';
import { isPreviewCurrent, sqlPreviewHash, SqlSourceConfig, stringHash } from './sql-source';

const columns = [
  { name: 'id', type: 'number' as const },
  { name: 'customer', type: 'text' as const },
];

function infer(config: Partial<SqlSourceConfig>) {
  const found: Omit<Diagnostic, 'nodeId' | 'severity'>[] = [];
  const schema = inferSqlSource(SqlSourceConfig.parse(config), null, (d) => found.push(d), {});
  return { schema, codes: found.map((d) => d.code), messages: found.map((d) => d.message) };
}

const stamped = (c: { connectionId: string; object: string; query?: string }) => ({ ...c, preview: { loadedAt: '2026-11-21T06:00:00.000Z', hash: sqlPreviewHash(c) } });

describe('sql-source kind', () => {
  it('asks for a connection and a table first', () => {
    expect(infer({}).codes).toEqual(['no-connection', 'no-table']);
  });

  it('asks for the preview before publishing', () => {
    expect(infer({ connectionId: 'con_1', object: 'public.orders', columns }).messages).toEqual(['Load the preview before publishing']);
  });

  it('emits the previewed columns and key once the preview matches', () => {
    const r = infer({ ...stamped({ connectionId: 'con_1', object: 'public.orders', query: '' }), columns, key: ['id'] });
    expect(r.codes).toEqual([]);
    expect(r.schema).toEqual({ fields: columns, key: ['id'] });
  });

  it('asks again when the connection, table or query changed since the preview', () => {
    const base = { ...stamped({ connectionId: 'con_1', object: 'public.orders', query: '' }), columns };
    for (const change of [{ connectionId: 'con_2' }, { object: 'public.invoices' }, { query: 'SELECT * FROM orders WHERE paid' }]) {
      expect(infer({ ...base, ...change }).codes).toEqual(['preview-required']);
    }
    // Whitespace around the query does not count as a change.
    expect(isPreviewCurrent(SqlSourceConfig.parse({ ...base, query: '  \n' }))).toBe(true);
  });

  it('hashes strings stably and spreads them', () => {
    expect(stringHash('')).toBe('811c9dc5');
    expect(stringHash('a')).toBe('e40c292c');
    expect(stringHash('orders')).not.toBe(stringHash('order'));
  });
});
