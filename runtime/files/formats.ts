// The format layer: which kind of file an upload is (CSV, JSON, NDJSON, Excel, maybe gzipped or zipped, maybe
// PGP-encrypted), what its columns are, and one batch reader for all of them.
import type { Field } from '../../shared/graph/field-types';
import type { FILE_FORMATS } from '../../shared/graph/kinds/file-source';
import { readCsvBatches, sniffCsvText, utf16Message, utf16Of, type CsvBatch, type CsvDelimiter } from './csv';
import { BINARY_XLSB, LEGACY_XLS, readExcelBatches, sniffExcel } from './excel';
import { readRecordBatches, sniffJson, sniffNdjson } from './json';
import { decryptToTempFile, FileNeedsKeyError, isPgpFile, verifyPgpFile, type PgpDecrypt } from './pgp';
import { compressionOf, detectCompression, readHead, refuseDuplicateEntries, type Compression, type FileSource } from './source';

export { checkPgpKey, FileNeedsKeyError, PgpError, type PgpDecrypt, type PgpProblem } from './pgp';

export type FileFormat = (typeof FILE_FORMATS)[number];

export interface FileSniff {
  format: FileFormat;
  /** The compression of the records' bytes (after decryption when the file is encrypted). */
  compression: Compression;
  /** Whether the file is PGP-encrypted (it was decrypted with the given key to sniff it). */
  encrypted: boolean;
  /** JSON: where the array of records is ('' = the top level). */
  recordsPath?: string;
  /** Zip: the entry that was read. */
  zipEntry?: string;
  /** Excel: the sheet that was read. */
  sheet?: string;
  /** Excel: every worksheet's name, in tab order. */
  sheets?: string[];
  /** CSV only; ',' for the others so old readers of the shape keep working. */
  delimiter: CsvDelimiter;
  hasHeader: boolean;
  columns: Field[];
  sampleRows: Record<string, string>[];
}

export interface SniffFileOptions {
  recordsPath?: string;
  zipEntry?: string;
  /** Excel: the sheet to read by name; the first visible one when absent. */
  sheet?: string;
  /** CSV and Excel: force whether the first row is a header; detected when absent. */
  hasHeader?: boolean;
  /** The key for a PGP-encrypted file; without it such a file throws `FileNeedsKeyError`. */
  decrypt?: PgpDecrypt;
}

const SNIFF_BYTES = 64 * 1024;

/** Compound File (OLE2) magic: old .xls workbooks, and password-protected .xlsx ones. */
const OLE2_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * Decrypts when the file is PGP-encrypted (checking its integrity first), detects compression from the magic
 * bytes, format from the name and the first bytes, then sniffs the records.
 */
export async function sniffFile(path: string, name: string, opts: SniffFileOptions = {}): Promise<FileSniff> {
  const decrypt = await keyFor(path, opts.decrypt);
  const encrypted = decrypt !== undefined;
  const plainName = encrypted ? name.replace(/\.(gpg|pgp|asc)$/i, '') : name;
  const compression = encrypted ? compressionOf((await readHead({ path, compression: 'none', decrypt }, 4)).buf) : await detectCompression(path);
  if (decrypt && compression === 'zip') {
    // A zip (or a workbook) must seek to its directory at the end: it is read from a private decrypted copy.
    const copy = await decryptToTempFile(path, decrypt);
    try {
      return { ...(await sniffFile(copy.path, plainName, { ...opts, decrypt: undefined })), encrypted: true };
    } finally {
      await copy.remove();
    }
  }
  if (compression === 'zip') await refuseDuplicateEntries(path);
  const src: FileSource = { path, compression, zipEntry: opts.zipEntry, ...(decrypt ? { decrypt } : {}) };
  const head = await readHead(src, SNIFF_BYTES);
  // UTF-16 (Excel's "Unicode text", PowerShell's default) looks like binary to every format: say what it is.
  const utf16 = utf16Of(head.buf);
  if (utf16) throw new Error(utf16Message(utf16));
  const zipEntry = compression === 'zip' ? head.entryName : undefined;
  const innerName = zipEntry ?? plainName.replace(/\.gz$/i, '');
  const format = detectFormat(innerName, head.buf);
  const base = { compression, encrypted, ...(zipEntry ? { zipEntry } : {}) };
  if (format === 'excel') {
    if (compression === 'gzip') throw new Error('This gzip holds an Excel workbook. Unzip it and upload the .xlsx itself (an .xlsx is already compressed).');
    const excel = await sniffExcel(path, { sheet: opts.sheet, hasHeader: opts.hasHeader });
    return { format, ...base, delimiter: ',', ...excel };
  }
  if (format === 'csv') return { format, ...base, ...sniffCsvText(head.buf, head.truncated, opts.hasHeader === undefined ? {} : { hasHeader: opts.hasHeader }) };
  const records = format === 'json' ? await sniffJson({ ...src, zipEntry }, opts.recordsPath) : await sniffNdjson({ ...src, zipEntry });
  return { format, ...base, delimiter: ',', hasHeader: true, ...records };
}

/**
 * The name's extension decides when it is telling; otherwise the first bytes do: a zip's magic (only an Excel
 * workbook reaches here as an uncompressed zip), `[` or `{` for JSON, else CSV. Old Excel formats are refused;
 * text saved under an .xls name (a common "Excel export") is read as CSV.
 */
export function detectFormat(name: string, head: Buffer): FileFormat {
  if (head.subarray(0, 8).equals(OLE2_MAGIC)) {
    if (/\.xlsx$/i.test(name)) throw new Error('This Excel workbook is protected by a password, which Weft cannot open. Remove the password in Excel (File > Info > Protect Workbook), save it as .xlsx and upload it again.');
    throw new Error(LEGACY_XLS);
  }
  if (/\.xlsb$/i.test(name)) throw new Error(BINARY_XLSB);
  if (/\.xls$/i.test(name) && !head.subarray(0, 4).equals(ZIP_MAGIC)) {
    // Many systems export tab-separated text or an HTML table under an .xls name; the text is read as CSV.
    const start = head.subarray(0, 512).toString('utf8').replace(/^\ufeff/, '').trimStart();
    if (start.startsWith('<')) throw new Error('This .xls file is a web page (HTML) with an .xls name, which Weft cannot read. Open it in Excel and save it as .xlsx or CSV, then upload that.');
    if (head.includes(0)) throw new Error(LEGACY_XLS);
    return 'csv';
  }
  if (/\.(xlsx|xlsm)$/i.test(name) || head.subarray(0, 4).equals(ZIP_MAGIC)) return 'excel';
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
  /** Excel: the sheet to read by name; the first visible one when absent. */
  sheet?: string;
  delimiter: string;
  hasHeader: boolean;
  columns: readonly Pick<Field, 'name'>[];
  batchSize: number;
  startRow?: number;
  /** The key for a PGP-encrypted file; without it such a file throws `FileNeedsKeyError`. */
  decrypt?: PgpDecrypt;
  /** CSV and JSON: false keeps a quoted empty value ("") as empty text; an unquoted empty CSV cell is null either way. */
  emptyTextIsNull?: boolean;
  /** Plain and gzip CSV/JSON/NDJSON: told the position in the stored file as it is read (see FileSource.onRead). */
  onRead?: (position: number) => void;
  /** Issue 16: a part of a plain CSV/NDJSON file (see FileSource.range). */
  range?: { start: number; end: number; firstRow: number };
}

/**
 * A batch of any format, shaped like a CSV batch. CSV, JSON and NDJSON values are text (or null); Excel cells
 * keep their type (numbers, booleans; dates as ISO text). `nextRow` resumes right after the batch: CSV data
 * rows, JSON array items, NDJSON line numbers, Excel sheet row numbers.
 */
export type FileBatch = Omit<CsvBatch, 'rows'> & { rows: Record<string, unknown>[] };

/** Batches of any supported file, all shaped like CSV batches (rows, rowNumbers, malformed, nextRow). */
export async function* readFileBatches(path: string, opts: ReadFileOptions): AsyncGenerator<FileBatch> {
  const decrypt = await keyFor(path, opts.decrypt);
  if (decrypt && (opts.format === 'excel' || opts.compression === 'zip')) {
    const copy = await decryptToTempFile(path, decrypt);
    try {
      yield* readFileBatches(copy.path, { ...opts, decrypt: undefined });
    } finally {
      await copy.remove();
    }
    return;
  }
  if (opts.format === 'excel') {
    if (opts.compression === 'gzip') throw new Error('This gzip holds an Excel workbook. Unzip it and upload the .xlsx itself.');
    yield* readExcelBatches(path, { sheet: opts.sheet, hasHeader: opts.hasHeader, columns: opts.columns, batchSize: opts.batchSize, startRow: opts.startRow });
    return;
  }
  const src: FileSource = { path, compression: opts.compression, ...(opts.zipEntry ? { zipEntry: opts.zipEntry } : {}), ...(decrypt ? { decrypt } : {}), ...(opts.onRead && !decrypt ? { onRead: opts.onRead } : {}), ...(opts.range && { range: opts.range }) };
  if (opts.range && (opts.format === 'json' || decrypt || opts.compression !== 'none')) throw new Error('Only a plain CSV or NDJSON file can be read in parts.');
  if (opts.format === 'csv') yield* readCsvBatches(src, opts);
  else yield* readRecordBatches(src, { ...opts, format: opts.format });
}

/** The key to decrypt with when the file is encrypted (after checking the whole message), else undefined. */
async function keyFor(path: string, decrypt: PgpDecrypt | undefined): Promise<PgpDecrypt | undefined> {
  if (!(await isPgpFile(path))) return undefined;
  if (!decrypt) throw new FileNeedsKeyError();
  await verifyPgpFile(path, decrypt);
  return decrypt;
}
