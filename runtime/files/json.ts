// JSON and NDJSON files: records streamed one at a time (stream-json for arrays, lines for NDJSON),
// nested objects flattened to dotted field names, and batched in the same shape as CSV.
import { pipeline, Transform, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import parserStream from 'stream-json';
import pick from 'stream-json/filters/pick.js';
import streamArray from 'stream-json/streamers/stream-array.js';
import { exactNumber, inferFieldType, type Field } from '../../shared/graph/field-types';
import { BatchFiller, type CsvBatch } from './csv';
import { openSource, type FileSource } from './source';
import { emptyRecord } from '../../shared/util/records';
import { FlatNamesTooLong, flattenRecord, parseJsonExact } from '../../shared/util/json-exact';
import { FileLimitError, fileLimits, formatChars, MAX_HELD_ROWS_BYTES } from './limits';
import { jsonShapeProblem } from '../net/json-shape';

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

/** A flattened row's text: its names and values, in characters (what the held rows are counted in, probe16d). */
function rowBytes(row: Record<string, string | null>): number {
  let n = 0;
  for (const k in row) n += k.length + (row[k]?.length ?? 0) + 16;
  return n;
}

/** A value's text, counted as guardedTokens counts a record's: its strings, keys and numbers plus 8 a value (no recursion). */
function valueBytes(value: unknown): number {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    n += 8;
    if (typeof v === 'string') n += v.length;
    else if (typeof v === 'number') n += 24;
    else if (Array.isArray(v)) for (const e of v) stack.push(e);
    else if (v !== null && typeof v === 'object') {
      for (const k in v) {
        n += k.length;
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
  }
  return n;
}
const rawBytes = (raw: Record<string, unknown>): number => (typeof raw.line === 'string' ? raw.line.length : 0);

/** Columns are every field seen in the first records, in first-seen order, typed by their values. */
async function sniffRecords(items: AsyncGenerator<RecordItem>, what: string): Promise<RecordsSniff> {
  const rows: Record<string, string | null>[] = [];
  let firstProblem: string | null = null;
  // The sample stops at 200 rows, or sooner once their text passes MAX_HELD_ROWS_BYTES (probe16d).
  let held = 0;
  try {
    for await (const item of items) {
      if ('error' in item) firstProblem ??= item.error;
      else if (!isRecord(item.value)) firstProblem ??= `Record ${item.rowNumber} is not an object`;
      else {
        try {
          const row = flatten(item.value);
          rows.push(row);
          held += rowBytes(row);
        } catch (err) {
          if (!(err instanceof FileLimitError)) throw err;
          firstProblem ??= `Record ${item.rowNumber} ${err.message}`;
        }
      }
      if (rows.length >= TYPE_SAMPLE_ROWS || held > MAX_HELD_ROWS_BYTES) break;
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
    if ('error' in item) filler.malformed({ rowNumber: item.rowNumber, raw: item.raw, reason: item.error }, rawBytes(item.raw));
    else if (!isRecord(item.value)) {
      // It keeps its whole value, so that counts towards the batch's held text (fix12a).
      filler.malformed({ rowNumber: item.rowNumber, raw: { value: item.value }, reason: `Record ${item.rowNumber} is not an object` }, valueBytes(item.value));
    } else {
      let flat: Record<string, string | null>;
      try {
        flat = flatten(item.value, opts.emptyTextIsNull !== false);
      } catch (err) {
        if (!(err instanceof FileLimitError)) throw err;
        filler.malformed({ rowNumber: item.rowNumber, raw: {}, reason: `Record ${item.rowNumber} ${err.message}` });
        const full = filler.full(last);
        if (full) yield full;
        continue;
      }
      const row = emptyRecord<string | null>();
      for (const n of names) row[n] = flat[n] ?? null;
      filler.row(row, item.rowNumber, rowBytes(row));
    }
    const full = filler.full(last);
    if (full) yield full;
  }
  const rest = filler.rest(last);
  if (rest) yield rest;
}

/**
 * Number tokens a double cannot hold exactly become their decimal text, so the assembled record keeps them exact.
 * It also keeps the parser bounded (probe16b): a string, key or number longer than the record limit, or objects and
 * arrays nested past the depth limit, stop the read with the limit's name before they are assembled. `dropStreamed`
 * passes on only the packed values (the parser streams every value's chunks as well).
 *
 * `recordsPath`: the dotted path of the array of records ('' for a top-level array, as pick reads it). Then a
 * record's whole text is counted too (probe16d): its strings, keys and numbers plus 8 a value, each added as it ends,
 * and a record past the record limit stops the read before it is assembled (at most twice the limit is built: the
 * record so far and one value). Only the elements of the first array at that path are records: the containers and
 * keys above are tracked, so a sibling nested deeper than the records is no record (fix12a).
 */
function guardedTokens(dropStreamed = false, recordsPath?: string): Transform {
  const { maxRecordBytes, maxJsonDepth } = fileLimits();
  let depth = 0;
  let length = 0;
  let record = 0;
  // The open containers (each one's current key, or index for an array) while the records' array is looked for.
  const stack: { array: boolean; key: string; index: number }[] = [];
  // How deep the records' array is while it is open (0 otherwise); `seen` once it has closed (pick takes the first).
  let recordsDepth = 0;
  let seen = recordsPath === undefined;
  const pathHere = () => stack.map((f) => (f.array ? String(f.index) : f.key)).join('.');
  const recordTooLarge = () => new FileLimitError(`a record is larger than ${formatChars(maxRecordBytes)} (WEFT_FILES_MAX_RECORD_MB)`);
  return new Transform({
    objectMode: true,
    transform(token: { name: string; value?: unknown }, _enc, done) {
      if (VALUE_STARTS.has(token.name)) {
        if (recordsDepth > 0) {
          // A value starting right inside the records' array is a new record.
          if (depth === recordsDepth) record = 0;
          else if ((record += 8) > maxRecordBytes) return done(recordTooLarge());
        } else if (!seen) {
          const top = stack.at(-1);
          if (top?.array) top.index++;
        }
      }
      switch (token.name) {
        case 'startObject':
        case 'startArray':
          if (++depth > maxJsonDepth) return done(new FileLimitError(`objects or arrays are nested more than ${maxJsonDepth} levels deep (WEFT_FILES_MAX_JSON_DEPTH)`));
          if (recordsDepth === 0 && !seen) {
            if (token.name === 'startArray' && pathHere() === recordsPath) recordsDepth = depth;
            stack.push({ array: token.name === 'startArray', key: '', index: -1 });
          }
          break;
        case 'endObject':
        case 'endArray':
          if (depth === recordsDepth) {
            recordsDepth = 0;
            seen = true;
          } else if (recordsDepth === 0 && !seen) stack.pop();
          depth--;
          break;
        case 'keyValue':
          if (recordsDepth === 0 && !seen) {
            const top = stack.at(-1);
            if (top) top.key = String(token.value);
          }
          break;
        case 'startString':
        case 'startKey':
        case 'startNumber':
          length = 0;
          return dropStreamed ? done() : done(null, token);
        case 'stringChunk':
        case 'keyChunk':
        case 'numberChunk':
          length += (token.value as string).length;
          if (length > maxRecordBytes) return done(new FileLimitError(`a value is longer than ${formatChars(maxRecordBytes)} (WEFT_FILES_MAX_RECORD_MB)`));
          return dropStreamed ? done() : done(null, token);
        case 'endString':
        case 'endKey':
        case 'endNumber':
          // A value is added to its record once it ends, so one long value is reported as itself.
          if (recordsDepth > 0 && depth > recordsDepth && (record += length) > maxRecordBytes) return done(recordTooLarge());
          return dropStreamed ? done() : done(null, token);
        case 'numberValue':
          if (typeof token.value === 'string' && typeof exactNumber(token.value) === 'string') return done(null, { name: 'stringValue', value: token.value });
      }
      done(null, token);
    },
  });
}

/** A record flattened, or why it cannot be: nested past the depth limit (flattening and JSON.stringify recurse). */
function flatten(value: Record<string, unknown>, emptyTextIsNull = true): Record<string, string | null> {
  try {
    return flattenRecord(value, '', undefined, emptyTextIsNull);
  } catch (err) {
    if (err instanceof RangeError) throw tooDeep(fileLimits().maxJsonDepth);
    if (err instanceof FlatNamesTooLong) throw new FileLimitError(err.message);
    throw err;
  }
}

/** One record per non-blank line, numbered by line; lines up to `skip` are passed over without parsing. */
async function* ndjsonItems(src: FileSource, skip: number): AsyncGenerator<RecordItem> {
  const { stream } = await openSource(src);
  const { maxRecordBytes, maxJsonDepth } = fileLimits();
  // A part of the file (issue 16) numbers its lines on from the lines before it.
  let lineNumber = src.range?.firstRow ?? 0;
  try {
    for await (const raw of boundedLines(stream, maxRecordBytes)) {
      lineNumber++;
      if (lineNumber <= skip) continue;
      if (typeof raw !== 'string') {
        // Never held whole (probe16b): a line past the limit is a rejected record, and the next line is read.
        yield { rowNumber: lineNumber, raw: { line: `${raw.head}…` }, error: `Line ${lineNumber} has ${formatChars(raw.chars)}; a line has at most ${formatChars(maxRecordBytes)} (WEFT_FILES_MAX_RECORD_MB)` };
        continue;
      }
      const line = lineNumber === 1 && !src.range?.start ? raw.replace(/^\ufeff/, '') : raw;
      if (line.trim() === '') continue;
      try {
        yield { rowNumber: lineNumber, value: parseLine(line, maxJsonDepth) };
      } catch (err) {
        const shown = line.length > 1000 ? `${line.slice(0, 1000)}…` : line;
        const why = err instanceof FileLimitError ? err.message : `is not valid JSON: ${(err as Error).message}`;
        yield { rowNumber: lineNumber, raw: { line: shown }, error: `Line ${lineNumber} ${why}` };
      }
    }
  } finally {
    stream.destroy();
  }
}

/**
 * One line's JSON. A long line is checked for depth before it is parsed (JSON.parse builds any depth, ~50 bytes a
 * level); a short one cannot hold enough levels to hurt, and is checked as it is flattened (flattenRecord).
 */
function parseLine(line: string, maxDepth: number): unknown {
  if (line.length > 65_536 && jsonShapeProblem(line, { maxDepth, maxValues: Infinity }) !== null) throw tooDeep(maxDepth);
  return parseJsonExact(line);
}

const tooDeep = (max: number) => new FileLimitError(`nests objects or arrays more than ${max} levels deep (WEFT_FILES_MAX_JSON_DEPTH)`);

type LongLine = { chars: number; head: string };

/**
 * The stream's lines (split at \n, \r\n and a lone \r, as readline does), decoded as UTF-8; a line longer than
 * `max` characters (its ending not counted) is never assembled: its first 1,000 characters and length so far stand
 * in for it, the rest is skipped. Chunks are decoded whole and split as text as they arrive (a decode per line cost
 * a fifth more CPU); a file whose lines end in \r alone is read line by line too (probe16c).
 */
export async function* boundedLines(stream: Readable, max: number): AsyncGenerator<string | LongLine> {
  const decoder = new StringDecoder('utf8');
  let held = '';
  let long: LongLine | null = null;
  // The last text ended with \r: a \n at the start of the next is the same line ending.
  let afterCr = false;
  const take = (piece: string): void => {
    if (long) long.chars += piece.length;
    else if (held.length + piece.length > max) {
      long = { chars: held.length + piece.length, head: (held + piece.slice(0, 1000)).slice(0, 1000) };
      held = '';
    } else held = held === '' ? piece : held + piece;
  };
  const end = (): string | LongLine => {
    const line = long ?? held;
    held = '';
    long = null;
    return line;
  };
  // The decoded text, chunk by chunk; the lines are split in this generator's own loop (a nested generator's
  // yield* per line cost a third more CPU).
  async function* texts(): AsyncGenerator<string> {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const text = decoder.write(chunk);
      if (text !== '') yield text;
    }
    const rest = decoder.end();
    if (rest !== '') yield rest;
  }
  for await (const text of texts()) {
    let from = 0;
    if (afterCr) {
      afterCr = false;
      if (text.charCodeAt(0) === 10) from = 1;
    }
    // Most files have no \r: one search per chunk finds none.
    let nl = text.indexOf('\n', from);
    let cr = text.indexOf('\r', from);
    while (nl !== -1 || cr !== -1) {
      const at = cr !== -1 && (nl === -1 || cr < nl) ? cr : nl;
      if (held === '' && !long && at - from <= max) yield text.slice(from, at);
      else {
        take(text.slice(from, at));
        yield end();
      }
      from = at + 1;
      if (at === cr) {
        if (from === text.length) afterCr = true;
        else if (text.charCodeAt(from) === 10) from++;
        cr = text.indexOf('\r', from);
      }
      if (nl !== -1 && nl < from) nl = text.indexOf('\n', from);
    }
    if (from < text.length) take(text.slice(from));
  }
  if (held !== '' || long) yield end();
}

/** The elements of the array at `recordsPath`, streamed; the first `skip` are parsed but never assembled. */
async function* jsonItems(src: FileSource, recordsPath: string, skip: number): AsyncGenerator<RecordItem> {
  const { stream } = await openSource(src);
  // The records' array is one level below the top for each part of the path (a dotted path, as pick reads it).
  const stages: NodeJS.ReadWriteStream[] = [parserStream(), guardedTokens(false, recordsPath)];
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
  if (err instanceof FileLimitError) return `The JSON cannot be read${after > 0 ? ` after record ${after}` : ''}: ${msg}`;
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
  const tokens = pipeline(stream, parserStream(), guardedTokens(true), () => undefined) as unknown as Readable;
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
