import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler';
import type { Diagnostic } from '../../compiler/diagnostics';
import { inferFileSource } from '../../compiler/infer/file-source';
import { FileSourceConfig, filePreviewHash, isFilePreviewCurrent, withFilePreview } from './file-source';

const columns = [
  { name: 'id', type: 'number' as const },
  { name: 'status', type: 'text' as const },
];
const base = { fileId: 'file_1', fileName: 'orders.csv', columns };

function infer(config: Record<string, unknown>) {
  const found: Omit<Diagnostic, 'nodeId' | 'severity'>[] = [];
  const schema = inferFileSource(FileSourceConfig.parse(config), null, (d) => found.push(d), {});
  return { schema, codes: found.map((d) => d.code), found };
}

describe('file source kind: the preview gate and the field filter', () => {
  it('loads a graph saved before previews, filters, sheets and connections, and then asks for the preview', () => {
    const old = FileSourceConfig.parse({ ...base, delimiter: ';', hasHeader: true });
    expect(old).toMatchObject({ query: '', sheet: '', connectionId: '', preview: null, format: 'csv' });
    const r = infer(base);
    expect(r.found).toEqual([{ code: 'preview-required', message: 'Load the preview before publishing', path: 'query' }]);
    expect(r.schema).toEqual({ fields: columns, key: [] });
  });

  it('is satisfied by a stamp for this file, these settings and this filter', () => {
    expect(infer(withFilePreview({ ...base, query: '[id] > 2' })).codes).toEqual([]);
  });

  it('asks again when the file, a read setting or the filter changed since the preview', () => {
    const stamped = withFilePreview({ ...base, query: '[id] > 2' });
    const changes = [{ fileId: 'file_2' }, { format: 'json' }, { delimiter: ';' }, { hasHeader: false }, { recordsPath: 'data' }, { zipEntry: 'a.csv' }, { sheet: 'Orders' }, { query: '[id] > 3' }];
    for (const change of changes) {
      const r = infer({ ...stamped, ...change });
      expect(r.codes, JSON.stringify(change)).toEqual(['preview-required']);
      expect(r.found[0]?.message).toMatch(/changed: load the preview again/);
    }
    // Whitespace around the filter, the column types and the decrypting connection do not count.
    expect(isFilePreviewCurrent(FileSourceConfig.parse({ ...stamped, query: ' [id] > 2 \n' }))).toBe(true);
    expect(infer({ ...stamped, connectionId: 'con_1', columns: [columns[0], { name: 'status', type: 'date' }] }).codes).toEqual([]);
    expect(filePreviewHash(FileSourceConfig.parse(base))).toMatch(/^[0-9a-f]{8}$/);
  });

  it('checks the filter as a TRUE/FALSE formula over the columns, with its range', () => {
    const unknown = infer(withFilePreview({ ...base, query: '[amount] > 2' }));
    expect(unknown.found[0]).toMatchObject({ code: 'formula-unknown-field', path: 'query' });
    expect(unknown.found[0]?.range).toEqual({ start: 0, end: 8 });
    const notBoolean = infer(withFilePreview({ ...base, query: '[id] + 1' }));
    expect(notBoolean.found.map((d) => d.path)).toEqual(['query']);
    expect(notBoolean.found[0]?.message).toMatch(/TRUE|FALSE|true\/false|Boolean/i);
  });

  it('refuses to publish (compile errors) until the preview is loaded', () => {
    const graph = (config: Record<string, unknown>) => ({
      version: 1 as const,
      nodes: [
        { id: 's', kind: 'csv-source', position: { x: 0, y: 0 }, config },
        { id: 't', kind: 'workspace-target', position: { x: 0, y: 0 }, config: { object: 'orders', mode: 'insert' } },
      ],
      edges: [{ id: 'e', source: 's', target: 't' }],
    });
    const before = compile(graph(base));
    expect(before.plan).toBeNull();
    expect(before.diagnostics).toEqual([expect.objectContaining({ nodeId: 's', code: 'preview-required', severity: 'error' })]);
    expect(compile(graph(withFilePreview(base))).diagnostics).toEqual([]);
  });
});
