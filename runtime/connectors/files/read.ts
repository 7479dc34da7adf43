// Reading one stored file through the connector: the format layer's batches, typed as the columns say,
// then kept or dropped by the query filter (the filter node's own formula transform), resumable by
// `{ nextRow }`. Malformed records and values that do not fit their column come back as `rejected`.
import { z } from 'zod';
import { createFilterTransform } from '../../../shared/transforms/filter';
import { typeSourceValues } from '../../../shared/transforms/typed-rows';
import { stripNul } from '../../../shared/util/nul';
import type { Transform } from '../../../shared/transforms/types';
import { readFileBatches } from '../../files/formats';
import { MAX_HELD_ROWS_BYTES } from '../../files/limits';
import type { StoredFile } from '../../store/types';
import { ConnectorError, type ReadBatch, type ReadOptions, type ReadRejected, type Row } from '../types';
import { fileProblem } from './errors';
import type { FilesSecrets } from './manifest';
import { effectiveSettings, parseSettings, type EffectiveSettings } from './settings';

/** How far a read got: records (CSV data rows, JSON array items, NDJSON lines, sheet rows) already read. */
export const FileCursor = z.object({ nextRow: z.number().int().nonnegative() });
export type FileCursor = z.infer<typeof FileCursor>;

/** The node id the typing and filter steps report under; the executor puts its own on what it records. */
const STEP = 'files';

/** The session's decryption key, if it holds one; a clear refusal when the file is encrypted and it holds none. */
export function decryptFor(file: StoredFile, secrets: FilesSecrets): { privateKey: string; passphrase?: string } | undefined {
  const privateKey = secrets.pgpPrivateKey?.trim();
  if (!privateKey) {
    if (file.encrypted) throw new ConnectorError('auth', `"${file.name}" is PGP-encrypted; choose a Files connection with its private key ("Decrypt with").`);
    return undefined;
  }
  // Given whenever the session holds a key: the format layer uses it only for a file that is encrypted.
  return { privateKey, ...(secrets.pgpPassphrase ? { passphrase: secrets.pgpPassphrase } : {}) };
}

/** A Boolean formula over the columns, compiled once; invalid_query when it does not check. */
export function compileQuery(query: string | undefined, columns: EffectiveSettings['columns']): Transform | null {
  const text = query?.trim() ?? '';
  if (text === '') return null;
  try {
    return createFilterTransform(
      { mode: 'formula', match: 'all', conditions: [], formula: text },
      { nodeId: STEP, kind: 'filter', label: 'The filter', config: {}, input: { fields: [...columns], key: [] } },
      { now: Date.now },
    );
  } catch (err) {
    const detail = err instanceof Error ? err.message.replace(/^The filter: the formula has errors: /, '') : String(err);
    throw new ConnectorError('invalid_query', `The filter is not a valid TRUE/FALSE formula over the file's columns: ${detail}`);
  }
}

export async function* readStoredFile(file: StoredFile, secrets: FilesSecrets, options: ReadOptions): AsyncGenerator<ReadBatch> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new ConnectorError('invalid_config', 'The batch size must be a whole number of at least 1');
  const settings = effectiveSettings(file, parseSettings(options.settings));
  const from = options.cursor === null || options.cursor === undefined ? { success: true as const, data: { nextRow: 0 } } : FileCursor.safeParse(options.cursor);
  if (!from.success) throw new ConnectorError('invalid_config', `The read position of "${file.name}" cannot be read (expected { "nextRow": n }); start from the beginning.`);
  if (options.partition && options.partition.kind !== 'bytes') throw new ConnectorError('invalid_config', `"${file.name}" is read in byte ranges, not key ranges.`);
  const filter = compileQuery(options.query, settings.columns);
  const decrypt = decryptFor(file, secrets);
  // The furthest byte of the stored file read so far (a CSV re-read after a malformed line goes back a little), less
  // what may still wait in the streams' buffers as records not yet handed on: the bar lags rather than runs ahead.
  let position = -1;
  const progress = (): Pick<ReadBatch, 'progress'> =>
    position >= 0 && file.size > 0 ? { progress: { unit: 'bytes', done: Math.max(0, Math.min(position, file.size) - READ_AHEAD_BYTES), total: file.size } } : {};
  const batches = readFileBatches(file.path, {
    format: settings.format,
    compression: settings.compression,
    delimiter: settings.delimiter,
    hasHeader: settings.hasHeader,
    columns: settings.columns,
    batchSize: options.batchSize,
    startRow: from.data.nextRow,
    ...(settings.recordsPath !== undefined ? { recordsPath: settings.recordsPath } : {}),
    ...(settings.zipEntry ? { zipEntry: settings.zipEntry } : {}),
    ...(settings.sheet ? { sheet: settings.sheet } : {}),
    ...(decrypt ? { decrypt } : {}),
    ...(settings.emptyTextIsNull === false ? { emptyTextIsNull: false } : {}),
    ...(options.partition?.kind === 'bytes' && { range: { start: options.partition.start, end: options.partition.end, firstRow: options.partition.firstRow } }),
    onRead: (at: number) => {
      if (at > position) position = at;
    },
  });
  // With a filter, batches are re-cut to `batchSize` kept rows (as a database query filter returns them), resuming
  // right after the last row given (a record's number is the `nextRow` that resumes after it). A filter that keeps
  // little still yields after SCAN_WITHOUT_YIELD records, so a caller keeps heartbeating its progress. The kept rows'
  // text is counted too, and what is pending is handed on once it passes MAX_HELD_ROWS_BYTES, so a filter never
  // reassembles the batches the reader cut by size (fix12a).
  const pending = { rows: [] as Row[], rowNumbers: [] as number[], sourceRows: [] as Row[], sizes: [] as number[], rejected: [] as ReadRejected[] };
  let held = 0;
  let scanned = 0;
  let lastNext = from.data.nextRow;
  let yieldedAt = from.data.nextRow;
  const take = (count: number, nextRow: number): ReadBatch => {
    yieldedAt = nextRow;
    const cut = (a: Row[] | number[]) => a.splice(0, count);
    for (const size of pending.sizes.splice(0, count)) held -= size;
    const rejected = pending.rejected.filter((r) => r.rowNumber <= nextRow);
    pending.rejected = pending.rejected.filter((r) => r.rowNumber > nextRow);
    scanned = 0;
    return { rows: cut(pending.rows) as Row[], rowNumbers: cut(pending.rowNumbers) as number[], sourceRows: cut(pending.sourceRows) as Row[], rejected, cursor: { nextRow } satisfies FileCursor, ...progress() };
  };
  try {
    for await (const b of batches) {
      options.signal?.throwIfAborted();
      const typed = typeSourceValues(STEP, settings.columns, settings.stripNul ? b.rows.map(stripNul) : b.rows, (i) => b.rowNumbers[i] ?? 0);
      const rejected: ReadRejected[] = b.malformed.map((m) => ({ rowNumber: m.rowNumber, source: m.raw, reason: m.reason }));
      for (const r of typed.rejected) rejected.push({ rowNumber: r.rowNumber, source: r.source, reason: r.reason });
      if (!filter) {
        yield passedOn(typed.rows, { rejected, cursor: { nextRow: b.nextRow } satisfies FileCursor, ...progress() });
        continue;
      }
      const filtered = filter.apply(typed.rows);
      for (const r of filtered.rejected) rejected.push({ rowNumber: r.rowNumber, source: r.source, reason: `The filter could not be checked: ${r.reason}` });
      const kept = unwrap(filtered.rows);
      pending.rows.push(...kept.rows);
      pending.rowNumbers.push(...kept.rowNumbers);
      pending.sourceRows.push(...kept.sourceRows);
      for (const source of kept.sourceRows) {
        const size = textOf(source);
        pending.sizes.push(size);
        held += size;
      }
      pending.rejected.push(...rejected);
      scanned += b.rows.length + b.malformed.length;
      while (pending.rows.length >= options.batchSize) yield take(options.batchSize, pending.rowNumbers[options.batchSize - 1] as number);
      if (scanned >= SCAN_WITHOUT_YIELD * options.batchSize || held > MAX_HELD_ROWS_BYTES) yield take(pending.rows.length, b.nextRow);
      lastNext = b.nextRow;
    }
    // The rest, and the cursor past records the filter dropped at the end of the file.
    if (filter && (pending.rows.length > 0 || pending.rejected.length > 0 || lastNext !== yieldedAt)) yield take(pending.rows.length, lastNext);
  } catch (err) {
    throw fileProblem(err, file);
  }
}

/**
 * How far the file's bytes can run ahead of the records handed on: the CSV splitter's buffer (256 KB read at once,
 * runtime/files/csv.ts) and a 64 KB file chunk, plus the parser's and the streams' buffers. Progress subtracts it,
 * so a file smaller than this shows 0% until its run ends.
 */
export const READ_AHEAD_BYTES = 384 * 1024;

/** A source row's text in characters (its values as read, before typing). */
function textOf(source: Row): number {
  let n = 0;
  for (const k in source) {
    const v = source[k];
    n += k.length + 16 + (typeof v === 'string' ? v.length : 0);
  }
  return n;
}

/** Records scanned (in batches' worth) without a kept row before a filtered read yields what it has. */
const SCAN_WITHOUT_YIELD = 10;

/**
 * A batch of typed rows handed on as they are (`flowRows`: the file-source executor takes them without a copy),
 * with `rows`, `rowNumbers` and `sourceRows` unwrapped from them only if a reader asks (a preview does).
 */
function passedOn(kept: { rowNumber: number; values: Row; source: Row }[], rest: Omit<ReadBatch, 'rows' | 'rowNumbers' | 'sourceRows' | 'flowRows'>): ReadBatch {
  let unwrapped: ReturnType<typeof unwrap> | null = null;
  const get = () => (unwrapped ??= unwrap(kept));
  const batch = { ...rest, flowRows: kept } as ReadBatch;
  Object.defineProperties(batch, {
    rows: { get: () => get().rows, enumerable: true },
    rowNumbers: { get: () => get().rowNumbers, enumerable: true },
    sourceRows: { get: () => get().sourceRows, enumerable: true },
  });
  return batch;
}

function unwrap(kept: readonly { rowNumber: number; values: Row; source: Row }[]): { rows: Row[]; rowNumbers: number[]; sourceRows: Row[] } {
  const rows: Row[] = new Array<Row>(kept.length);
  const rowNumbers: number[] = new Array<number>(kept.length);
  const sourceRows: Row[] = new Array<Row>(kept.length);
  for (let i = 0; i < kept.length; i++) {
    const k = kept[i] as (typeof kept)[number];
    rows[i] = k.values;
    rowNumbers[i] = k.rowNumber;
    sourceRows[i] = k.source;
  }
  return { rows, rowNumbers, sourceRows };
}
