import { describe, expect, it } from 'vitest';
import { FileSourceConfig, filePreviewStamp, type UploadedFile } from '../../../shared';
import { filePreviewState, patchForFile, patchForUpload, previewInput, sniffIsStale } from './file-source-model';

const file: UploadedFile = {
  id: 'file_1',
  name: 'book.xlsx',
  size: 10,
  sha256: 'ab',
  columns: [{ name: 'id', type: 'number' }],
  delimiter: ',',
  sampleRows: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  format: 'excel',
  compression: 'none',
  hasHeader: true,
  sheet: 'Orders',
  sheets: ['Orders', 'Notes'],
};
const config = { fileId: 'file_1', fileName: 'book.xlsx', format: 'excel', sheet: 'Orders', columns: file.columns };

describe('file source widget model', () => {
  it('takes the sniffed settings and columns from a file', () => {
    expect(patchForFile(file)).toEqual({ fileId: 'file_1', fileName: 'book.xlsx', format: 'excel', compression: 'none', recordsPath: '', zipEntry: '', sheet: 'Orders', delimiter: ',', hasHeader: true, columns: file.columns });
  });

  it('makes the upload the preview: stamped for exactly what it reads, unless a filter must be previewed', () => {
    const patch = patchForUpload({}, file);
    expect(patch).toMatchObject({ fileId: 'file_1', sheet: 'Orders', pinnedSample: null });
    expect(filePreviewState({ ...config, ...patch })).toBe('current');
    // Another delimiter or sheet later is a change the stamp no longer covers.
    expect(filePreviewState({ ...config, ...patch, sheet: 'Notes' })).toBe('stale');
    // With a field filter the uploaded rows are not what it keeps: still "Load preview".
    expect(patchForUpload({ query: '[id] > 1' }, file)).toMatchObject({ preview: null });
  });

  it('asks for the preview with the node settings, its filter and its connection', () => {
    expect(previewInput({ ...config, query: ' [id] > 1 ', connectionId: 'con_1' })).toMatchObject({ format: 'excel', sheet: 'Orders', columns: file.columns, query: ' [id] > 1 ', connectionId: 'con_1' });
    expect(previewInput({ ...config, query: '  ' })).not.toHaveProperty('query');
    expect(previewInput({ fileId: '' })).toBeUndefined();
  });

  it('tells a current stamp from a stale or missing one', () => {
    expect(filePreviewState(config)).toBe('none');
    const stamped = { ...config, preview: filePreviewStamp(FileSourceConfig.parse(config)) };
    expect(filePreviewState(stamped)).toBe('current');
    expect(filePreviewState({ ...stamped, sheet: 'Notes' })).toBe('stale');
    expect(filePreviewState({ ...stamped, query: '[id] > 2' })).toBe('stale');
  });

  it('notices settings the columns were not detected with', () => {
    expect(sniffIsStale(config, file)).toBe(false);
    expect(sniffIsStale({ ...config, sheet: 'Notes' }, file)).toBe(true);
    expect(sniffIsStale({ ...config, format: 'csv' }, file)).toBe(true);
    const json: UploadedFile = { ...file, format: 'json', recordsPath: 'data.items', sheet: undefined };
    expect(sniffIsStale({ format: 'json', recordsPath: 'data.items' }, json)).toBe(false);
    expect(sniffIsStale({ format: 'json', recordsPath: 'other' }, json)).toBe(true);
    expect(sniffIsStale(config, undefined)).toBe(false);
  });
});
