import { describe, expect, it } from 'vitest';
import { UploadedFile } from '../../../shared';
import { describeFile } from './file-description';

const base = { id: 'f', name: 'x', size: 1, sha256: '', columns: [], delimiter: ',', sampleRows: [], createdAt: '' };

describe('describeFile', () => {
  it('names the detected format, its settings and the compression', () => {
    // A response from before formats existed reads as plain CSV.
    expect(describeFile(UploadedFile.parse({ ...base, delimiter: ';' }))).toBe('CSV, semicolon-separated');
    expect(describeFile(UploadedFile.parse({ ...base, format: 'json', recordsPath: 'data.items', compression: 'gzip' }))).toBe('JSON, records at data.items, gzip');
    expect(describeFile(UploadedFile.parse({ ...base, format: 'json', recordsPath: '' }))).toBe('JSON, top-level array');
    expect(describeFile(UploadedFile.parse({ ...base, format: 'ndjson', compression: 'zip', zipEntry: 'out/events.ndjson' }))).toBe('NDJSON, out/events.ndjson in zip');
    expect(describeFile(UploadedFile.parse({ ...base, format: 'excel', sheet: 'Orders', sheets: ['Summary', 'Orders'] }))).toBe('Excel, sheet Orders');
  });
});
