import { describe, expect, it } from 'vitest';
import type { PlanStep } from './plan';
import { FileSourceConfig } from '../graph/kinds/file-source';
import { applyRunFiles, fileSourceColumns, fileSources, isFileSource, missingColumns, type RunFileSettings } from './run-files';

const published = FileSourceConfig.parse({
  fileId: 'file_published',
  fileName: 'customers.csv',
  delimiter: ';',
  hasHeader: true,
  columns: [
    { name: 'Email', type: 'text' },
    { name: 'MRR', type: 'number' },
  ],
});

const steps: PlanStep[] = [
  { nodeId: 'source', kind: 'csv-source', label: 'Customers', config: published, input: null, output: null },
  { nodeId: 'map', kind: 'map', label: 'Map fields', config: { fields: [] }, input: null, output: null },
  { nodeId: 'target', kind: 'workspace-target', label: 'Contacts', config: { object: 'contacts', mode: 'upsert' }, input: null, output: null },
];

const file = (over: Partial<RunFileSettings>): RunFileSettings => ({
  name: 'other.csv',
  columns: [],
  format: 'csv',
  compression: 'none',
  delimiter: ',',
  ...over,
});

describe('applyRunFiles', () => {
  it('points a file source at a CSV replacement, read by position with the published types', () => {
    const replacement = file({
      name: 'march.csv',
      delimiter: '|',
      columns: [
        { name: 'Notes', type: 'text' },
        { name: 'MRR', type: 'text' },
        { name: 'Email', type: 'text' },
      ],
    });
    const out = applyRunFiles(steps, [{ nodeId: 'source', fileId: 'file_march', file: replacement }]);
    expect(out[0]?.config).toMatchObject({
      fileId: 'file_march',
      fileName: 'march.csv',
      format: 'csv',
      delimiter: '|',
      hasHeader: true,
      columns: [
        { name: 'Notes', type: 'text' },
        { name: 'MRR', type: 'number' },
        { name: 'Email', type: 'text' },
      ],
    });
    // Only the file source changes, and the input is not mutated.
    expect(out.slice(1)).toEqual(steps.slice(1));
    expect(steps[0]?.config).toEqual(published);
  });

  it('takes a JSON replacement’s format, compression, records path and zip entry, keeping the published columns', () => {
    const replacement = file({
      name: 'export.zip',
      format: 'json',
      compression: 'zip',
      recordsPath: 'data.items',
      zipEntry: 'export/customers.json',
      delimiter: ',',
      columns: [
        { name: 'Email', type: 'text' },
        { name: 'MRR', type: 'number' },
        { name: 'address.city', type: 'text' },
      ],
    });
    const [source] = applyRunFiles(steps, [{ nodeId: 'source', fileId: 'file_json', file: replacement }]);
    expect(source?.config).toMatchObject({
      fileId: 'file_json',
      fileName: 'export.zip',
      format: 'json',
      compression: 'zip',
      recordsPath: 'data.items',
      zipEntry: 'export/customers.json',
      // The published delimiter stays for a non-CSV file (it is not used).
      delimiter: ';',
      columns: published.columns,
    });
  });

  it('drops a records path and zip entry that do not apply to the replacement', () => {
    const jsonSource = { ...steps[0]!, config: { ...published, format: 'json', compression: 'zip', recordsPath: 'rows', zipEntry: 'a.json' } };
    const [source] = applyRunFiles([jsonSource], [{ nodeId: 'source', fileId: 'file_ndjson', file: file({ format: 'ndjson', compression: 'gzip' }) }]);
    expect(source?.config).toMatchObject({ format: 'ndjson', compression: 'gzip', recordsPath: '', zipEntry: '' });
  });

  it('uses the header choice the upload recorded, else keeps the published one for CSV', () => {
    const noHeader = { ...steps[0]!, config: { ...published, hasHeader: false } };
    const csv = file({ columns: [{ name: 'Email', type: 'text' }] });
    expect(applyRunFiles([noHeader], [{ nodeId: 'source', fileId: 'f2', file: csv }])[0]?.config.hasHeader).toBe(false);
    expect(applyRunFiles([noHeader], [{ nodeId: 'source', fileId: 'f2', file: { ...csv, hasHeader: true } }])[0]?.config.hasHeader).toBe(true);
  });

  it('changes nothing for the published file, for unknown nodes or for steps that are not file sources', () => {
    const replacement = file({ columns: [{ name: 'x', type: 'text' }] });
    expect(applyRunFiles(steps, [{ nodeId: 'source', fileId: 'file_published', file: replacement }])).toEqual(steps);
    expect(applyRunFiles(steps, [{ nodeId: 'ghost', fileId: 'file_x', file: replacement }])).toEqual(steps);
    expect(applyRunFiles(steps, [{ nodeId: 'map', fileId: 'file_x', file: replacement }])).toEqual(steps);
    expect(applyRunFiles(steps, [])).toEqual(steps);
  });

  it('without the stored file, changes only the file id (the executor then reports a missing file)', () => {
    const [source] = applyRunFiles(steps, [{ nodeId: 'source', fileId: 'file_gone', file: null }]);
    expect(source?.config).toEqual({ ...published, fileId: 'file_gone' });
  });
});

describe('missingColumns', () => {
  it('names the published columns a file lacks, by exact name', () => {
    expect(missingColumns(['Email', 'MRR', 'Plan'], [{ name: 'email' }, { name: 'MRR' }])).toEqual(['Email', 'Plan']);
    expect(missingColumns(['Email'], [{ name: 'Email' }, { name: 'Extra' }])).toEqual([]);
    const file = [{ name: 'email' }, { name: 'Name' }, { name: 'Extra' }];
    expect(missingColumns(['Email', 'Name', 'Plan'], file)).toEqual(['Email', 'Plan']);
    expect(missingColumns(['Name'], file)).toEqual([]);
  });
});

describe('file sources', () => {
  it('are the steps whose kind declares readsUploadedFiles, in plan order', () => {
    const withSql: PlanStep[] = [...steps, { nodeId: 'db', kind: 'sql-source', label: 'Orders', config: {}, input: null, output: null }];
    expect(withSql.map((s) => [s.nodeId, isFileSource(s)])).toEqual([
      ['source', true],
      ['map', false],
      ['target', false],
      ['db', false],
    ]);
    expect(isFileSource({ kind: 'no-such-kind' })).toBe(false);
    expect(fileSources({ steps: withSql }).map((s) => s.nodeId)).toEqual(['source']);
  });

  it('read the published columns by name, ignoring what is not a column', () => {
    expect(fileSourceColumns(steps[0]!)).toEqual(['Email', 'MRR']);
    expect(fileSourceColumns({ ...steps[0]!, config: { columns: [{ name: 'a' }, 'b', null, { type: 'text' }] } })).toEqual(['a']);
    expect(fileSourceColumns(steps[1]!)).toEqual([]);
  });
});
