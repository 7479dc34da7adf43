// File source (id `csv-source`, kept for persisted graphs): an uploaded CSV, JSON or NDJSON file, maybe
// gzipped or zipped, its detected columns and types, read in batches.
import { z } from 'zod';
import { Field } from '../field-types';
import { defineKind } from './types';

export const FILE_FORMATS = ['csv', 'json', 'ndjson'] as const;
export const FileFormat = z.enum(FILE_FORMATS);
export type FileFormat = z.infer<typeof FileFormat>;
export const FILE_COMPRESSIONS = ['none', 'gzip', 'zip'] as const;
export const FileCompression = z.enum(FILE_COMPRESSIONS);
export type FileCompression = z.infer<typeof FileCompression>;

export const CsvSourceConfig = z.object({
  fileId: z.string().min(1, 'Upload a file').meta({ title: 'File', widget: 'file' }),
  fileName: z.string().default('').meta({ title: 'File name', widget: 'hidden' }),
  // Graphs saved before JSON and NDJSON existed have no format: they are CSV.
  format: FileFormat.default('csv').meta({ title: 'Format' }),
  compression: FileCompression.default('none').meta({ title: 'Compression' }),
  recordsPath: z
    .string()
    .max(500)
    .regex(/^([^.]+(\.[^.]+)*)?$/, 'Write the path with dots between names, e.g. data.items')
    .default('')
    .meta({ title: 'Records path', description: 'Where the array of records is, e.g. data.items; empty for a top-level array', visibleWhen: { format: 'json' } }),
  zipEntry: z.string().max(1000).default('').meta({ title: 'File inside the zip', visibleWhen: { compression: 'zip' } }),
  delimiter: z.enum([',', ';', '\t', '|']).default(',').meta({ title: 'Delimiter', visibleWhen: { format: 'csv' } }),
  hasHeader: z.boolean().default(true).meta({ title: 'First row is a header', visibleWhen: { format: 'csv' } }),
  columns: z.array(Field).min(1, 'The file has no columns').meta({ title: 'Columns', widget: 'columns' }),
});
export type CsvSourceConfig = z.infer<typeof CsvSourceConfig>;

export const csvSource = defineKind<CsvSourceConfig>({
  kind: 'csv-source',
  label: 'File (CSV, JSON, NDJSON)',
  description: 'Reads records from an uploaded CSV, JSON or NDJSON file, plain, gzipped or zipped.',
  category: 'source',
  inputs: 0,
  outputs: 1,
  config: CsvSourceConfig,
  defaults: () => ({ fileId: '', fileName: '', format: 'csv', compression: 'none', recordsPath: '', zipEntry: '', delimiter: ',', hasHeader: true, columns: [] }),
  infer(config, _input, report) {
    const seen = new Set<string>();
    config.columns.forEach((c, i) => {
      if (seen.has(c.name)) report({ code: 'duplicate-column', message: `Column "${c.name}" appears twice`, path: `columns.${i}.name` });
      seen.add(c.name);
    });
    return { fields: config.columns, key: [] };
  },
});
