// The format layer: which kind of file an upload is (CSV, JSON, NDJSON, maybe gzipped or zipped),
// what its columns are, and one batch reader for all of them.
import type { Field } from '../../shared/graph/field-types';
import type { FILE_FORMATS } from '../../shared/graph/kinds/csv-source';
import { readCsvBatches, sniffCsvText, type CsvBatch, type CsvDelimiter } from './csv';
import { readRecordBatches, sniffJson, sniffNdjson } from './json';
import { detectCompression, readHead, type Compression, type FileSource } from './source';

export type FileFormat = (typeof FILE_FORMATS)[number];

export interface FileSniff {
  format: FileFormat;
  compression: Compression;
  /** JSON: where the array of records is ('' = the top level). */
  recordsPath?: string;
  /** Zip: the entry that was read. */
  zipEntry?: string;
  /** CSV only; ',' for the others so old readers of the shape keep working. */
  delimiter: CsvDelimiter;
  hasHeader: boolean;
  columns: Field[];
  sampleRows: Record<string, string>[];
}

export interface SniffFileOptions {
  recordsPath?: string;
  zipEntry?: string;
}

const SNIFF_BYTES = 64 * 1024;

/** Detects compression from the magic bytes, format from the name and the first bytes, then sniffs the records. */
export async function sniffFile(path: string, name: string, opts: SniffFileOptions = {}): Promise<FileSniff> {
  const compression = await detectCompression(path);
  const src: FileSource = { path, compression, zipEntry: opts.zipEntry };
  const head = await readHead(src, SNIFF_BYTES);
  const zipEntry = compression === 'zip' ? head.entryName : undefined;
  const innerName = zipEntry ?? name.replace(/\.gz$/i, '');
  const format = detectFormat(innerName, head.buf);
  const base = { compression, ...(zipEntry ? { zipEntry } : {}) };
  if (format === 'csv') return { format, ...base, ...sniffCsvText(head.buf, head.truncated) };
  const records = format === 'json' ? await sniffJson({ ...src, zipEntry }, opts.recordsPath) : await sniffNdjson({ ...src, zipEntry });
  return { format, ...base, delimiter: ',', hasHeader: true, ...records };
}

/** The name's extension decides when it is telling; otherwise the first character (`[` or `{`) does. */
export function detectFormat(name: string, head: Buffer): FileFormat {
  if (/\.(ndjson|jsonl)$/i.test(name)) return 'ndjson';
  if (/\.json$/i.test(name)) return 'json';
  if (/\.(csv|tsv)$/i.test(name)) return 'csv';
  const text = head.toString('utf8').replace(/^\ufeff/, '').trimStart();
  if (text.startsWith('[')) return 'json';
  if (text.startsWith('{')) {
    // Several objects, one per line, is NDJSON; one object spanning lines is JSON.
    const lines = text.split('\n', 3).filter((l) => l.trim() !== '');
    return lines.length > 1 && lines.slice(0, -1).every((l) => l.trim().startsWith('{') && l.trim().endsWith('}')) ? 'ndjson' : 'json';
  }
  return 'csv';
}

export interface ReadFileOptions {
  format: FileFormat;
  compression: Compression;
  zipEntry?: string;
  recordsPath?: string;
  delimiter: string;
  hasHeader: boolean;
  columns: readonly Pick<Field, 'name'>[];
  batchSize: number;
  startRow?: number;
}

/** Batches of any supported file, all shaped like CSV batches (rows, rowNumbers, malformed, nextRow). */
export function readFileBatches(path: string, opts: ReadFileOptions): AsyncGenerator<CsvBatch> {
  const src: FileSource = { path, compression: opts.compression, ...(opts.zipEntry ? { zipEntry: opts.zipEntry } : {}) };
  if (opts.format === 'csv') return readCsvBatches(src, opts);
  return readRecordBatches(src, { ...opts, format: opts.format });
}
