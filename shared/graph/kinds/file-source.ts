// File source (id `csv-source`, kept so stored graphs need no migration): an uploaded CSV, JSON, NDJSON or Excel file, maybe
// gzipped, zipped or PGP-encrypted, its detected columns and types, an optional field filter, read in batches
// through the Files connector. A preview stamp proves the user saw what it reads, as for database sources.
import { z } from 'zod';
import { Field } from '../field-types';
import { SqlPreviewStamp, stringHash } from './sql-source';
import { defineKind } from './types';

export const FILE_FORMATS = ['csv', 'json', 'ndjson', 'excel'] as const;
export const FileFormat = z.enum(FILE_FORMATS);
export type FileFormat = z.infer<typeof FileFormat>;
export const FILE_COMPRESSIONS = ['none', 'gzip', 'zip'] as const;
export const FileCompression = z.enum(FILE_COMPRESSIONS);
export type FileCompression = z.infer<typeof FileCompression>;

export const FileSourceConfig = z.object({
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
  // Picked in the file widget from the workbook's sheets; '' = the first sheet.
  sheet: z.string().max(200).default('').meta({ title: 'Sheet', widget: 'hidden' }),
  // A Files connection holding the PGP private key; shown by the file widget when the file is encrypted.
  connectionId: z.string().default('').meta({ title: 'Decrypt with', widget: 'hidden' }),
  columns: z.array(Field).min(1, 'The file has no columns').meta({ title: 'Columns', widget: 'columns' }),
  emptyTextIsNull: z.boolean().default(true).meta({
    title: 'Empty text is null',
    description: 'Off: a quoted empty value ("") in a CSV, or "" in JSON, stays empty text; an empty CSV cell with no quotes is still null',
    visibleWhen: { format: ['csv', 'json', 'ndjson'] },
  }),
  stripNul: z.boolean().default(false).meta({
    title: 'Remove NUL characters',
    description: 'On: the character U+0000 is removed from text. Off: a record holding it is rejected by a Postgres or workspace target, which cannot store it',
  }),
  query: z.string().max(10_000).default('').meta({ title: 'Keep records where (optional)', widget: 'file-query' }),
  preview: SqlPreviewStamp.nullable().default(null).meta({ title: 'Preview', widget: 'hidden' }),
});
export type FileSourceConfig = z.infer<typeof FileSourceConfig>;

/** What a file preview stamp must match: the file, how it is read, and the filter (whitespace at the ends ignored). */
export type FileStampInput = Pick<FileSourceConfig, 'fileId' | 'format' | 'compression' | 'delimiter' | 'hasHeader' | 'recordsPath' | 'zipEntry' | 'sheet' | 'query'>;

export const filePreviewHash = (c: FileStampInput): string =>
  stringHash(JSON.stringify(['file', c.fileId, c.format, c.compression, c.delimiter, c.hasHeader, c.recordsPath, c.zipEntry, c.sheet, c.query.trim()]));

/** A stamp for this config as if its preview was just loaded: what the preview route returns, and what fixtures use. */
export const filePreviewStamp = (c: FileStampInput, now = new Date()): SqlPreviewStamp => ({ loadedAt: now.toISOString(), hash: filePreviewHash(c) });

/**
 * A file source config (as saved, defaults not yet applied) with a current preview stamp: for seeds, benchmarks
 * and test fixtures that publish a file source without a person loading its preview.
 */
export function withFilePreview<T extends Record<string, unknown>>(config: T, now = new Date()): T & { preview: SqlPreviewStamp } {
  const parsed = FileSourceConfig.parse(config);
  return { ...config, preview: filePreviewStamp(parsed, now) };
}

export const isFilePreviewCurrent = (c: FileStampInput & Pick<FileSourceConfig, 'preview'>): boolean => c.preview !== null && c.preview.hash === filePreviewHash(c);

export const fileSource = defineKind({
  kind: 'csv-source',
  label: 'Read file',
  description: 'Reads records from an uploaded CSV, JSON, NDJSON or Excel file, plain, gzipped, zipped or PGP-encrypted, optionally keeping only the records a formula is TRUE for.',
  category: 'source',
  readsUploadedFiles: true,
  inputs: 0,
  outputs: 1,
  config: FileSourceConfig,
  defaults: (): FileSourceConfig => ({
    fileId: '',
    fileName: '',
    format: 'csv',
    compression: 'none',
    recordsPath: '',
    zipEntry: '',
    delimiter: ',',
    hasHeader: true,
    sheet: '',
    connectionId: '',
    columns: [],
    query: '',
    emptyTextIsNull: true,
    stripNul: false,
    preview: null,
  }),
  // The Files connection that decrypts it (none: the file is not encrypted).
  connectionRefs: (c: { connectionId: string }) => (c.connectionId ? [{ path: 'connectionId', id: c.connectionId }] : []),
});
