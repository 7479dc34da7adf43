// CSV file source: an uploaded file, its detected header and column types, read in batches.
import { z } from 'zod';
import { Field } from '../field-types';
import { defineKind } from './types';

export const CsvSourceConfig = z.object({
  fileId: z.string().min(1, 'Upload a CSV file').meta({ title: 'File', widget: 'file' }),
  fileName: z.string().default('').meta({ title: 'File name', widget: 'hidden' }),
  delimiter: z.enum([',', ';', '\t', '|']).default(',').meta({ title: 'Delimiter' }),
  hasHeader: z.boolean().default(true).meta({ title: 'First row is a header' }),
  columns: z.array(Field).min(1, 'The file has no columns').meta({ title: 'Columns', widget: 'columns' }),
});
export type CsvSourceConfig = z.infer<typeof CsvSourceConfig>;

export const csvSource = defineKind<CsvSourceConfig>({
  kind: 'csv-source',
  label: 'CSV file',
  description: 'Reads rows from an uploaded CSV file.',
  category: 'source',
  inputs: 0,
  outputs: 1,
  config: CsvSourceConfig,
  defaults: () => ({ fileId: '', fileName: '', delimiter: ',', hasHeader: true, columns: [] }),
  infer(config, _input, report) {
    const seen = new Set<string>();
    config.columns.forEach((c, i) => {
      if (seen.has(c.name)) report({ code: 'duplicate-column', message: `Column "${c.name}" appears twice`, path: `columns.${i}.name` });
      seen.add(c.name);
    });
    return { fields: config.columns, key: [] };
  },
});
