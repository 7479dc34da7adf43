// What the file routes do besides storing bytes: sniff a stored file (again) into its stored record, and preview a
// file source through a Files session the connection service opened (with a Files connection's PGP key, if chosen).
import { SAMPLE_LIMITS, type FilePreview, type FilePreviewInput, type FileSniffInput, type UploadedFile } from '../../shared';
import { filePreviewStamp } from '../../shared/graph/kinds/file-source';
import { ConnectorError, type ConnectorSession } from '../connections';
import { FileNeedsKeyError, PgpError, sniffFile, type FileSniff, type PgpDecrypt } from '../files/formats';
import type { StoredFile } from '../store/types';
import { HttpError } from './errors';
import { publicMessage } from '../public-message';

export const PREVIEW_ROWS = 10;
/** Records a preview reads at most looking for 10 that match: a filter that keeps almost nothing stops here. */
export const PREVIEW_SCAN_LIMIT = 100_000;

export const NEEDS_KEY = 'This file is PGP-encrypted; choose a Files connection with its private key';

const EXTENSIONS = { csv: 'csv', json: 'json', ndjson: 'ndjson', excel: 'xlsx' } as Record<string, string>;

/** Sniffs the file at `path`; a chosen format is honoured by sniffing it under a name with that extension. */
export async function sniffAs(path: string, name: string, input: FileSniffInput, decrypt: PgpDecrypt | undefined): Promise<FileSniff> {
  const plain = name.replace(/\.(gpg|pgp|asc)$/i, '').replace(/\.gz$/i, '');
  const sniffName = input.format ? `${plain.replace(/\.[^.]*$/, '')}.${EXTENSIONS[input.format] ?? input.format}` : name;
  return sniffFile(path, sniffName, {
    ...(input.recordsPath !== undefined ? { recordsPath: input.recordsPath } : {}),
    ...(input.zipEntry ? { zipEntry: input.zipEntry } : {}),
    ...(input.sheet ? { sheet: input.sheet } : {}),
    ...(input.hasHeader !== undefined ? { hasHeader: input.hasHeader } : {}),
    ...(decrypt ? { decrypt } : {}),
  });
}

/** The stored record for a sniffed file. */
export function storedFrom(base: Pick<StoredFile, 'id' | 'name' | 'size' | 'sha256' | 'path' | 'createdAt'>, sniffed: FileSniff): StoredFile {
  return {
    ...base,
    columns: sniffed.columns,
    delimiter: sniffed.delimiter,
    sampleRows: sniffed.sampleRows,
    format: sniffed.format,
    compression: sniffed.compression,
    hasHeader: sniffed.hasHeader,
    ...(sniffed.recordsPath !== undefined ? { recordsPath: sniffed.recordsPath } : {}),
    ...(sniffed.zipEntry !== undefined ? { zipEntry: sniffed.zipEntry } : {}),
    ...(sniffed.sheet !== undefined ? { sheet: sniffed.sheet } : {}),
    ...(sniffed.sheets !== undefined ? { sheets: sniffed.sheets } : {}),
    ...(sniffed.encrypted ? { encrypted: true } : {}),
  };
}

/** A file that could not be sniffed for want of the right key: kept, marked encrypted, so it can be sniffed again. */
export function encryptedPlaceholder(base: Pick<StoredFile, 'id' | 'name' | 'size' | 'sha256' | 'path' | 'createdAt'>): StoredFile {
  return { ...base, columns: [], delimiter: ',', sampleRows: [], format: 'csv', compression: 'none', encrypted: true };
}

/** A key problem as the 400 the client acts on (choose a connection), naming the file to sniff again. */
export function keyProblem(err: unknown, fileId: string): HttpError | null {
  if (err instanceof FileNeedsKeyError) return new HttpError(400, 'needs_key', NEEDS_KEY, { fileId });
  if (err instanceof PgpError && err.code !== 'damaged') return new HttpError(400, 'key_refused', err.message, { fileId });
  return null;
}

export const served = (file: StoredFile): UploadedFile => {
  const { path: _path, ...rest } = file;
  return rest;
};

/** The first records a file source with these settings and filter reads, and the stamp for them. */
export async function previewFile(session: ConnectorSession, file: StoredFile, input: FilePreviewInput, now = new Date()): Promise<FilePreview> {
  const { connectionId: _c, query: rawQuery, limit: asked, ...settings } = input;
  const query = rawQuery?.trim() ?? '';
  const limit = asked ?? PREVIEW_ROWS;
  // A deeper sample (the designer's, for steps a filter starves) is bounded in time as well as in rows.
  const deadline = limit > PREVIEW_ROWS ? Date.now() + SAMPLE_LIMITS.maxMs : Number.POSITIVE_INFINITY;
  const rows: Record<string, unknown>[] = [];
  const rowNumbers: number[] = [];
  const sourceRows: Record<string, unknown>[] = [];
  const rejected: FilePreview['rejected'] = [];
  let scanned = 0;
  let timedOut = false;
  try {
    for await (const b of session.read(file.id, { batchSize: limit > PREVIEW_ROWS ? 2_000 : 1_000, settings, ...(query ? { query } : {}) })) {
      for (const r of b.rejected ?? []) if (rejected.length < PREVIEW_ROWS) rejected.push({ rowNumber: r.rowNumber, reason: r.reason });
      const take = limit - rows.length;
      rows.push(...b.rows.slice(0, take));
      if (b.rowNumbers) rowNumbers.push(...b.rowNumbers.slice(0, take));
      if (b.sourceRows) sourceRows.push(...b.sourceRows.slice(0, take));
      scanned = (b.cursor as { nextRow: number }).nextRow;
      if (rows.length >= limit || scanned >= PREVIEW_SCAN_LIMIT) break;
      if (Date.now() > deadline) {
        timedOut = true;
        break;
      }
    }
  } catch (err) {
    throw previewProblem(err, file);
  }
  const stamp = filePreviewStamp(
    {
      fileId: file.id,
      format: settings.format ?? file.format,
      compression: settings.compression ?? file.compression,
      delimiter: settings.delimiter ?? (file.delimiter as FilePreviewInput['delimiter'] & string),
      hasHeader: settings.hasHeader ?? file.hasHeader ?? true,
      recordsPath: settings.recordsPath ?? file.recordsPath ?? '',
      zipEntry: settings.zipEntry ?? file.zipEntry ?? '',
      sheet: settings.sheet ?? file.sheet ?? '',
      query,
    },
    now,
  );
  return {
    columns: settings.columns ?? file.columns,
    rows,
    ...(rowNumbers.length === rows.length ? { rowNumbers } : {}),
    ...(sourceRows.length === rows.length ? { sourceRows } : {}),
    ...(timedOut ? { timedOut } : {}),
    rejected,
    scanned,
    preview: stamp,
  };
}

function previewProblem(err: unknown, file: StoredFile): unknown {
  if (!(err instanceof ConnectorError)) return new HttpError(422, 'unreadable_file', `Could not read "${file.name}": ${publicMessage(err)}`);
  switch (err.code) {
    case 'auth':
      return /PGP-encrypted; choose/.test(err.message) ? new HttpError(400, 'needs_key', NEEDS_KEY, { fileId: file.id }) : new HttpError(400, 'key_refused', err.message, { fileId: file.id });
    case 'not_found':
      return new HttpError(404, 'not_found', err.message);
    case 'invalid_query':
      return new HttpError(422, 'invalid_query', err.message);
    default:
      return new HttpError(422, err.code, err.message);
  }
}
