// JSON and NDJSON files: records streamed one at a time (stream-json for arrays, lines for NDJSON),
// nested objects flattened to dotted field names, and batched in the same shape as CSV.
import { createInterface } from 'node:readline';
import { pipeline, Transform, type Readable } from 'node:stream';
import parserStream from 'stream-json';
import pick from 'stream-json/filters/pick.js';
import streamArray from 'stream-json/streamers/stream-array.js';
import { exactNumber, inferFieldType, type Field } from '../../shared/graph/field-types';
import { BatchFiller, type CsvBatch } from './csv';
import { openSource, type FileSource } from './source';
import { emptyRecord } from '../../shared/util/records';
import { flattenRecord, parseJsonExact } from '../../shared/util/json-exact';

export { flattenRecord, parseJsonExact };

/** One record of the file: its number (array index or line number, 1-based) and its value or why it is unreadable. */
type RecordItem = { rowNumber: number; value: unknown } | { rowNumber: number; raw: Record<string, unknown>; error: string };

const TYPE_SAMPLE_ROWS = 200;
const PREVIEW_ROWS = 10;

export interface RecordsSniff {
  columns: Field[];
  sampleRows: Record<string, string>[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Columns are every field seen in the first records, in first-seen order, typed by their values. */
async function sniffRecords(items: AsyncGenerator<RecordItem>, what: string): Promise<RecordsSniff> {
  const rows: Record<string, string | null>[] = [];
  let firstProblem: string | null = null;
  try {
    for await (const item of items) {
      if ('error' in item) firstProblem ??= item.error;
      else if (isRecord(item.value)) rows.push(flattenRecord(item.value));
      else firstProblem ??= `Record ${item.rowNumber} is not an object`;
      if (rows.length >= TYPE_SAMPLE_ROWS) break;
    }
  } finally {
    await items.return(undefined);
  }
  // Some bad records are rejected when the source runs; a file with no good ones at the start is refused now.
  if (rows.length === 0) throw new Error(firstProblem ?? `The ${what} has no records`);
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (names.length === 0) throw new Error(`The ${what} records have no fields`);
  const columns = names.map((name) => ({ name, type: inferFieldType(rows.map((r) => r[name] ?? '')) }));
  const sampleRows = rows.slice(0, PREVIEW_ROWS).map((r) => Object.fromEntries(names.map((n) => [n, r[n] ?? ''])));
  return { columns, sampleRows };
}

export const sniffNdjson = (src: FileSource) => sniffRecords(ndjsonItems(src, 0), 'file');

export async function sniffJson(src: FileSource, recordsPath?: string): Promise<RecordsSniff & { recordsPath: string }> {
  const path = recordsPath ?? (await findRecordsPath(src));
  return { ...(await sniffRecords(jsonItems(src, path, 0), path === '' ? 'JSON' : `JSON at "${path}"`)), recordsPath: path };
}

export interface ReadRecordsOptions {
  format: 'json' | 'ndjson';
  /** JSON only: the dotted path of the array of records ('' for a top-level array). */
  recordsPath?: string;
  columns: readonly Pick<Field, 'name'>[];
  batchSize: number;
  /** Records (NDJSON: lines) already processed, e.g. a checkpoint's `nextRow`. */
  startRow?: number;
  /** False: "" stays empty text (default: null). */
  emptyTextIsNull?: boolean;
}

/** Streams JSON or NDJSON records in batches shaped like CSV batches, so a source reads every format in one loop. */
export async function* readRecordBatches(src: FileSource, opts: ReadRecordsOptions): AsyncGenerator<CsvBatch> {
  const names = opts.columns.map((c) => c.name);
  const startRow = Math.max(0, opts.startRow ?? 0);
  const filler = new BatchFiller<Record<string, string | null>>(opts.batchSize, startRow);
  const items = opts.format === 'ndjson' ? ndjsonItems(src, startRow) : jsonItems(src, opts.recordsPath ?? '', startRow);
  let last = startRow;
  for await (const item of items) {
    last = item.rowNumber;
    if ('error' in item) filler.malformed({ rowNumber: item.rowNumber, raw: item.raw, reason: item.error });
    else if (!isRecord(item.value)) {
      filler.malformed({ rowNumber: item.rowNumber, raw: { value: item.value }, reason: `Record ${item.rowNumber} is not an object` });
    } else {
      const flat = flattenRecord(item.value, '', undefined, opts.emptyTextIsNull !== false);
      const row = emptyRecord<string | null>();
      for (const n of names) row[n] = flat[n] ?? null;
      filler.row(row, item.rowNumber);
    }
    const full = filler.full(last);
    if (full) yield full;
  }
  const rest = filler.rest(last);
  if (rest) yield rest;
}

/** Number tokens a double cannot hold exactly become their decimal text, so the assembled record keeps them exact. */
function exactNumberTokens(): Transform {
  return new Transform({
    objectMode: true,
    transform(token: { name: string; value?: unknown }, _enc, done) {
      if (token.name === 'numberValue' && typeof token.value === 'string' && typeof exactNumber(token.value) === 'string') done(null, { name: 'stringValue', value: token.value });
      else done(null, token);
    },
  });
}

/** One record per non-blank line, numbered by line; lines up to `skip` are passed over without parsing. */
async function* ndjsonItems(src: FileSource, skip: number): AsyncGenerator<RecordItem> {
  const { stream } = await openSource(src);
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  // A part of the file (issue 16) numbers its lines on from the lines before it.
  let lineNumber = src.range?.firstRow ?? 0;
  try {
    for await (const raw of lines) {
      lineNumber++;
      if (lineNumber <= skip) continue;
      const line = lineNumber === 1 && !src.range?.start ? raw.replace(/^\ufeff/, '') : raw;
      if (line.trim() === '') continue;
      try {
        yield { rowNumber: lineNumber, value: parseJsonExact(line) };
      } catch (err) {
        const shown = line.length > 1000 ? `${line.slice(0, 1000)}…` : line;
        yield { rowNumber: lineNumber, raw: { line: shown }, error: `Line ${lineNumber} is not valid JSON: ${(err as Error).message}` };
      }
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}

/** The elements of the array at `recordsPath`, streamed; the first `skip` are parsed but never assembled. */
async function* jsonItems(src: FileSource, recordsPath: string, skip: number): AsyncGenerator<RecordItem> {
  const { stream } = await openSource(src);
  const stages: NodeJS.ReadWriteStream[] = [parserStream(), exactNumberTokens()];
  if (recordsPath !== '') stages.push(pick.asStream({ filter: recordsPath, once: true }));
  // objectFilter decides once per element, so skipped ones are never assembled; its first call is for the
  // array's own start token.
  let decisions = 0;
  const skipping = { objectFilter: () => (decisions++ === 0 ? null : decisions - 1 > skip) };
  stages.push(streamArray.asStream(skip > 0 ? skipping : {}));
  const out = pipeline([stream, ...stages] as unknown as [Readable, ...NodeJS.ReadWriteStream[]], () => undefined) as unknown as Readable;
  let index = 0;
  try {
    // Every element after `skip` is handed on, in order (the streamer's own keys miss the skipped ones).
    index = skip;
    for await (const item of out as AsyncIterable<{ value: unknown }>) yield { rowNumber: ++index, value: item.value };
  } catch (err) {
    throw new Error(jsonError(err, index));
  } finally {
    out.destroy();
    stream.destroy();
  }
}

function jsonError(err: unknown, after: number): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/top-level object should be an array/i.test(msg)) return 'The JSON has no array of records at the chosen records path';
  return `The JSON is not valid${after > 0 ? ` after record ${after}` : ''}: ${msg}`;
}

const VALUE_STARTS = new Set(['startObject', 'startArray', 'startString', 'stringValue', 'startNumber', 'numberValue', 'nullValue', 'trueValue', 'falseValue']);
/** How many values the records-path search looks at before giving up. */
const MAX_SCAN_TOKENS = 100_000;

/**
 * The dotted path of the first array whose first element is an object: '' for a top-level array,
 * `data.items` for `{ "data": { "items": [ {…} ] } }`. Reads tokens only as far as it needs.
 */
export async function findRecordsPath(src: FileSource): Promise<string> {
  const { stream } = await openSource(src);
  const tokens = pipeline(stream, parserStream({ streamValues: false }), () => undefined) as unknown as Readable;
  const stack: { array: boolean; key: string; index: number }[] = [];
  const looked: string[] = [];
  let pendingArray: number | null = null;
  let count = 0;
  const pathOf = (depth: number) => stack.slice(0, depth).map((f) => (f.array ? String(f.index) : f.key)).join('.');
  try {
    for await (const t of tokens as AsyncIterable<{ name: string; value?: unknown }>) {
      const top = stack.at(-1);
      if (t.name === 'keyValue') {
        if (top) top.key = String(t.value);
        continue;
      }
      if (t.name === 'endObject' || t.name === 'endArray') {
        stack.pop();
        continue;
      }
      if (!VALUE_STARTS.has(t.name)) continue;
      if (++count > MAX_SCAN_TOKENS) break;
      if (top?.array) top.index++;
      if (pendingArray !== null && stack.length === pendingArray) {
        if (t.name === 'startObject') return pathOf(stack.length - 1);
        pendingArray = null;
      }
      if (t.name === 'startObject' || t.name === 'startArray') {
        if (stack.length <= 2) looked.push(stack.length === 0 ? 'the top level' : pathOf(stack.length));
        stack.push({ array: t.name === 'startArray', key: '', index: -1 });
        if (t.name === 'startArray') pendingArray = stack.length;
      }
    }
  } catch (err) {
    throw new Error(jsonError(err, 0));
  } finally {
    tokens.destroy();
    stream.destroy();
  }
  const shown = looked.slice(0, 8).join(', ');
  throw new Error(`The JSON has no array of records; looked at ${shown || 'the top level'}${looked.length > 8 ? ' and more' : ''}`);
}
