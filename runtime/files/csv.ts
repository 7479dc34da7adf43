// CSV files: sniff an upload (delimiter, header, typed columns, samples) and stream it in resumable batches.
import { isAscii } from 'node:buffer';
import { Readable, type Transform } from 'node:stream';
import { parse, type CsvError, type Options as ParseOptions } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { inferFieldType, type Field } from '../../shared/graph/field-types';
import { openSource, type FileSource } from './source';
import { readBytes } from './storage';
import { MAX_HELD_ROWS_BYTES } from './limits';
import { emptyRecord, rowRecord } from '../../shared/util/records';

export const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

export interface CsvSniff {
  delimiter: CsvDelimiter;
  hasHeader: boolean;
  columns: Field[];
  sampleRows: Record<string, string>[];
}

export interface SniffOptions {
  /** How much of the file to look at (default 64 KB). */
  maxBytes?: number;
  /** Force a delimiter instead of detecting it. */
  delimiter?: CsvDelimiter;
  /** Force whether the first row is a header. */
  hasHeader?: boolean;
}

const SNIFF_BYTES = 64 * 1024;
const TYPE_SAMPLE_ROWS = 200;
const PREVIEW_ROWS = 10;
/** A record longer than this (characters) is malformed; it also bounds what an unclosed quote can swallow. */
const MAX_RECORD_CHARS = 256 * 1024;

/** Reads the start of a CSV file and guesses how to read the rest. Errors are worded for the person who uploaded it. */
export async function sniffCsv(path: string, opts: SniffOptions = {}): Promise<CsvSniff> {
  const maxBytes = opts.maxBytes ?? SNIFF_BYTES;
  // One byte more than the sample says whether there is more.
  const head = await readBytes(path, 0, maxBytes + 1);
  const buf = head.subarray(0, maxBytes);
  const truncated = head.length > maxBytes;
  return sniffCsvText(buf, truncated, opts);
}

/** Sniffs the first bytes of a CSV (from a file or from inside a gzip or zip). */
export function sniffCsvText(buf: Buffer, truncated: boolean, opts: SniffOptions = {}): CsvSniff {
  const utf16 = utf16Of(buf);
  if (utf16) throw new Error(utf16Message(utf16));
  if (buf.includes(0)) throw new Error('This file is not a text file (it contains binary data). Export it as CSV, JSON or NDJSON and upload it again.');
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // Lines end as the file's first one does: a lone '\r' ("CSV (Macintosh)") was one 64 KB line, refused.
  const scan = new LineEndScan();
  const eol = scan.push(buf) ?? scan.end();
  const lineEnd = eol === '\r' ? '\r' : '\n';
  if (truncated) {
    // Drop the last, probably partial, line. No line end at all in the first bytes: this is not a CSV Weft can read.
    const cut = text.lastIndexOf(lineEnd);
    if (cut > 0) text = text.slice(0, cut + 1);
    else throw new Error(`The first line is longer than ${Math.round(buf.length / 1024)} KB without a line break, so it cannot be a header. Check that this is a CSV file with one record per line.`);
  }
  if (text.trim() === '') throw new Error('The file is empty: it has no header and no rows.');

  const delimiter = opts.delimiter ?? detectDelimiter(text, lineEnd);
  // Parsed as a run parses (no relaxed quotes): a record the run rejects is not in the sample either.
  const records = (parseSync(text, {
    delimiter,
    relax_column_count: true,
    skip_records_with_error: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
  }) as string[][]).filter((r) => !isBlankRecord(r));
  const first = records[0];
  if (!first) throw new Error('The file is empty: it has no header and no rows.');

  const hasHeader = opts.hasHeader ?? !looksLikeData(first);
  if (hasHeader) {
    const long = first.findIndex((h) => h.length > MAX_HEADER_CHARS);
    if (long !== -1) {
      throw new Error(`Column ${long + 1}'s name in the first line is ${first[long]!.length.toLocaleString('en-US')} characters long; a header name has at most ${MAX_HEADER_CHARS.toLocaleString('en-US')}. Check that the first line is the header, or turn "First row is a header" off.`);
    }
  }
  const width = hasHeader ? first.length : Math.max(...records.slice(0, TYPE_SAMPLE_ROWS).map((r) => r.length));
  const names = uniqueColumnNames(hasHeader ? first : [], width);
  // Only the rows a run reads: one with more or fewer values than the header is rejected by the run, so it is
  // neither padded nor cut into the sample, nor counted when guessing the types.
  const data = (hasHeader ? records.slice(1) : records).filter((r) => r.length === width);
  const sample = data.slice(0, TYPE_SAMPLE_ROWS);
  const columns: Field[] = names.map((name, i) => ({ name, type: inferFieldType(sample.map((r) => r[i] ?? '')) }));
  const sampleRows = data.slice(0, PREVIEW_ROWS).map((r) => Object.fromEntries(names.map((n, i) => [n, r[i] ?? ''])));
  return { delimiter, hasHeader, columns, sampleRows };
}

/** The longest header name a CSV may have (characters). */
const MAX_HEADER_CHARS = 1024;

/** 'le' or 'be' when the bytes are UTF-16 text (a byte-order mark, or every other byte zero in ASCII text). */
export function utf16Of(buf: Buffer): 'le' | 'be' | null {
  if (buf[0] === 0xff && buf[1] === 0xfe) return 'le';
  if (buf[0] === 0xfe && buf[1] === 0xff) return 'be';
  const n = Math.min(buf.length, 512) & ~1;
  if (n < 8) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (buf[i] === 0) evenZero++;
    if (buf[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero > pairs * 0.9 && evenZero === 0) return 'le';
  if (evenZero > pairs * 0.9 && oddZero === 0) return 'be';
  return null;
}

/** What to tell the person who uploaded UTF-16 text: what it is, and how to save it as UTF-8. */
export const utf16Message = (order: 'le' | 'be') =>
  `This file is UTF-16 text (${order === 'le' ? 'little' : 'big'}-endian), which Weft does not read. Save it as UTF-8 and upload it again: in Excel, Save As > "CSV UTF-8 (Comma delimited)"; in a terminal, iconv -f UTF-16 -t UTF-8 file.csv > file-utf8.csv.`;

/** Picks the candidate that splits the most lines into the same, non-zero number of fields. */
export function detectDelimiter(text: string, lineEnd: '\n' | '\r' = '\n'): CsvDelimiter {
  const lines = quoteAwareLines(text, 50, lineEnd);
  let best: CsvDelimiter = ',';
  let bestScore = 0;
  for (const d of CSV_DELIMITERS) {
    const counts = lines.map((line) => countOutsideQuotes(line, d));
    const freq = new Map<number, number>();
    for (const c of counts) freq.set(c, (freq.get(c) ?? 0) + 1);
    let mode = 0;
    let modeFreq = 0;
    for (const [c, f] of freq) if (c > 0 && (f > modeFreq || (f === modeFreq && c > mode))) [mode, modeFreq] = [c, f];
    if (mode === 0) continue;
    // Consistency first, then the number of fields it produces.
    const score = (modeFreq / lines.length) * 1000 + Math.min(mode, 100);
    if (score > bestScore) [best, bestScore] = [d, score];
  }
  return best;
}

function quoteAwareLines(text: string, max: number, lineEnd: '\n' | '\r'): string[] {
  const lines: string[] = [];
  let inQuotes = false;
  let start = 0;
  for (let i = 0; i < text.length && lines.length < max; i++) {
    const ch = text[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === lineEnd && !inQuotes) {
      const line = text.slice(start, i).replace(/\r$/, '');
      if (line.trim() !== '') lines.push(line);
      start = i + 1;
    }
  }
  const rest = text.slice(start).replace(/\r$/, '');
  if (lines.length < max && rest.trim() !== '') lines.push(rest);
  return lines;
}

function countOutsideQuotes(line: string, d: string): number {
  let n = 0;
  let inQuotes = false;
  for (const ch of line) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === d && !inQuotes) n++;
  }
  return n;
}

/** `isBlankRecord` of the line's values split on `delimiter`, without splitting it (`trim` strips only whitespace, below '!' or above '~'). */
const isBlankLine = (line: string, delimiter: string): boolean => {
  const c = line.charCodeAt(0);
  return line.length === 0 || ((c <= 32 || c >= 0x7f) && line.trim() === '' && !line.includes(delimiter));
};

const isBlankRecord = (r: readonly (string | null)[]) => r.length <= 1 && (r[0] ?? '').trim() === '';

/** A first row with a number, date, amount or true/false in it is data, not a header. */
function looksLikeData(row: readonly string[]): boolean {
  return row.some((v) => v.trim() !== '' && inferFieldType([v]) !== 'text');
}

/** Header names made usable: trimmed, blanks named "Column N", duplicates numbered ("Email 2"). */
export function uniqueColumnNames(header: readonly string[], width: number): string[] {
  const names: string[] = [];
  const taken = new Set<string>();
  const claim = (name: string) => {
    names.push(name);
    taken.add(name.toLowerCase());
  };
  for (let i = 0; i < width; i++) {
    const raw = (header[i] ?? '').trim();
    let name = raw === '' ? `Column ${i + 1}` : raw;
    if (taken.has(name.toLowerCase())) {
      const base = raw === '' ? 'Column' : raw;
      let n = raw === '' ? i + 1 : 2;
      do name = `${base} ${n++}`;
      while (taken.has(name.toLowerCase()));
    }
    claim(name);
  }
  return names;
}

export interface ReadCsvOptions {
  delimiter: string;
  hasHeader: boolean;
  /** The columns the rows are keyed by, in file order (from the sniff or the source's config). */
  columns: readonly Pick<Field, 'name'>[];
  batchSize: number;
  /** Data rows to skip (already processed), e.g. a checkpoint's `nextRow`. */
  startRow?: number;
  /** False: a quoted empty value ("") stays empty text; an unquoted empty cell is null either way. Default true. */
  emptyTextIsNull?: boolean;
  /**
   * 'split' (the default): lines without a quote are split by the reader itself, csv-parse reads the rest;
   * 'csv-parse': csv-parse reads every record. Both give the same batches (tests compare them).
   */
  parser?: 'split' | 'csv-parse';
}

export interface MalformedRow {
  rowNumber: number;
  raw: Record<string, unknown>;
  reason: string;
}

export interface CsvBatch {
  /** Well-formed rows keyed by column name; empty values are null. */
  rows: Record<string, string | null>[];
  /** 1-based data row number (header excluded) of each entry in `rows`. */
  rowNumbers: number[];
  malformed: MalformedRow[];
  /** The `startRow` that resumes right after this batch. */
  nextRow: number;
}

/**
 * Fills a reader's batches: well-formed rows and malformed records together, up to `size`; each batch ends at
 * the record it reached, which is where a resumed read starts. One for every format's reader.
 */
export class BatchFiller<R> {
  private batch: { rows: R[]; rowNumbers: number[]; malformed: MalformedRow[]; nextRow: number };
  /** The characters of the rows in the batch, as the readers count them (probe16d). */
  private held = 0;
  constructor(
    private readonly size: number,
    start: number,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error('batchSize must be a positive integer');
    this.batch = { rows: [], rowNumbers: [], malformed: [], nextRow: start };
  }
  /** `bytes`: the row's text, when it may be large; the batch is full once they pass MAX_HELD_ROWS_BYTES. */
  row(row: R, rowNumber: number, bytes = 0): void {
    this.held += bytes;
    this.batch.rows.push(row);
    this.batch.rowNumbers.push(rowNumber);
  }
  malformed(m: MalformedRow, bytes = 0): void {
    this.held += bytes;
    this.batch.malformed.push(m);
  }
  /** The batch once it is full, ending at `reached` (a new one starts there); otherwise null. */
  full(reached: number): { rows: R[]; rowNumbers: number[]; malformed: MalformedRow[]; nextRow: number } | null {
    return this.batch.rows.length + this.batch.malformed.length >= this.size || this.held > MAX_HELD_ROWS_BYTES ? this.take(reached) : null;
  }
  /** What is left at the end of the file, ending at `reached`; null when nothing is. */
  rest(reached: number): { rows: R[]; rowNumbers: number[]; malformed: MalformedRow[]; nextRow: number } | null {
    return this.batch.rows.length + this.batch.malformed.length > 0 ? this.take(reached) : null;
  }
  private take(reached: number) {
    const done = { ...this.batch, nextRow: reached };
    this.batch = { rows: [], rowNumbers: [], malformed: [], nextRow: reached };
    this.held = 0;
    return done;
  }
}

type ParsedRecord = (string | null)[];
/** A record csv-parse could not read: its first line, and the reason for a row number. */
class MalformedItem {
  constructor(
    readonly raw: string,
    readonly reason: (row: number) => string,
  ) {}
}
/**
 * What the parsers hand on, one entry a record, no wrapper per row: a line without a quote as its text, not yet
 * split (the reader splits it straight into the row's record, or not at all while resuming); a record's values;
 * a malformed record.
 */
type Item = string | ParsedRecord | MalformedItem;

/**
 * Streams a CSV file in batches of `batchSize` data rows (well-formed and malformed together),
 * never holding more than a batch in memory. Malformed rows never stop the stream.
 */
export async function* readCsvBatches(path: string | FileSource, opts: ReadCsvOptions): AsyncGenerator<CsvBatch> {
  const names = opts.columns.map((c) => c.name);
  const startRow = Math.max(0, opts.startRow ?? 0);
  const filler = new BatchFiller<Record<string, string | null>>(opts.batchSize, startRow);
  const expected = opts.hasHeader ? 'the header has' : 'the file has';
  const src: FileSource = typeof path === 'string' ? { path, compression: 'none' } : path;
  // A part of the file (issue 16) after its first byte has no header, and numbers its rows on from the records before it.
  const part = src.range && src.range.start > 0 ? src.range : null;
  let dataRow = part ? part.firstRow : 0;
  let headerSeen = !opts.hasHeader || part !== null;

  const width = names.length;
  const keepQuotedEmpty = opts.emptyTextIsNull === false;
  const widthMismatch = (values: readonly (string | null)[], row: number): MalformedRow => ({
    rowNumber: row,
    raw: valuesToRecord(values, names),
    reason: `row ${row} has ${values.length} ${values.length === 1 ? 'value' : 'values'} but ${expected} ${width}`,
  });
  for await (const group of csvItems(src, opts.delimiter, opts.emptyTextIsNull === false, opts.parser ?? defaultParser())) {
    for (let k = 0; k < group.length; k++) {
      const item = group[k]!;
      if (!headerSeen) {
        headerSeen = true;
        continue;
      }
      dataRow++;
      if (dataRow <= startRow) continue; // resuming: parsed, never materialised
      if (typeof item === 'string') {
        // A line without a quote, split straight into the record: an empty value is null, whether or not a quoted
        // empty one stays text (it has no quoted value).
        const row = splitInto(item, opts.delimiter, names);
        if (row !== null) filler.row(row, dataRow, item.length);
        else {
          const values: (string | null)[] = item.split(opts.delimiter);
          if (keepQuotedEmpty) for (let i = 0; i < values.length; i++) if (values[i] === '') values[i] = null;
          filler.malformed(widthMismatch(values, dataRow), item.length);
        }
      } else if (item instanceof MalformedItem) {
        filler.malformed({ rowNumber: dataRow, raw: { line: item.raw }, reason: item.reason(dataRow) }, item.raw.length);
      } else if (item.length !== width) {
        // A rejected row keeps its values too, so it counts towards the batch's held text (fix12a).
        let bytes = 0;
        for (const v of item) bytes += v?.length ?? 0;
        filler.malformed(widthMismatch(item, dataRow), bytes);
      } else {
        const row = rowRecord<string | null>(width);
        let bytes = 0;
        for (let i = 0; i < width; i++) {
          const v = item[i]!;
          bytes += v?.length ?? 0;
          row[names[i]!] = v === '' && !keepQuotedEmpty ? null : v;
        }
        filler.row(row, dataRow, bytes);
      }
      const full = filler.full(dataRow);
      if (full) yield full;
    }
  }
  const rest = filler.rest(dataRow);
  if (rest) yield rest;
}

/**
 * A line without a quote as a row record keyed by `names`, each value the text between two delimiters and an empty
 * one null (what `line.split(delimiter)` gives, without the array); null when it has more or fewer values.
 */
function splitInto(line: string, delimiter: string, names: readonly string[]): Record<string, string | null> | null {
  const width = names.length;
  const row = rowRecord<string | null>(width);
  let from = 0;
  for (let i = 0; i < width - 1; i++) {
    const d = line.indexOf(delimiter, from);
    if (d === -1) return null;
    row[names[i]!] = d === from ? null : line.slice(from, d);
    from = d + 1;
  }
  if (width === 0 || line.indexOf(delimiter, from) !== -1) return null;
  row[names[width - 1]!] = from === line.length ? null : line.slice(from);
  return row;
}

/** The splitter, unless WEFT_CSV_PARSER=csv-parse asks for csv-parse on every record (to compare the two in a run). */
const defaultParser = (): 'split' | 'csv-parse' => (process.env.WEFT_CSV_PARSER === 'csv-parse' ? 'csv-parse' : 'split');

function valuesToRecord(values: readonly (string | null)[], names: readonly string[]): Record<string, unknown> {
  const out = emptyRecord();
  values.forEach((v, i) => {
    out[names[i] ?? `Column ${i + 1}`] = v;
  });
  return out;
}

/**
 * Every record of the file in order, blank lines dropped, in groups (whatever the parser has ready): one
 * await per group, not per record, which at a million records is most of the reading time. csv-parse loses
 * its place after a quoting error, so we report the first line of the bad record as malformed and start a
 * fresh parser on the line after it.
 */
async function* csvItems(src: FileSource, delimiter: string, keepQuotedEmpty: boolean, parser: 'split' | 'csv-parse'): AsyncGenerator<Item[]> {
  let offset = 0;
  const split = parser === 'split' && splittable(delimiter);
  /**
   * The file's record delimiter (its first line end outside quotes: `fileLineEnd`), which every segment after the first
   * is read with and a bad line ends at: learned by the splitter from the file's first line, else asked at the first
   * bad record. A segment that found its own from its first line after a bad one read a CRLF file's records on from a
   * stray '\r' with '\r' as their delimiter ("\n3" as the next row's id), and a lone-CR file whose first line had a
   * stray quote was read to a '\n': the whole file one rejected line.
   */
  const lineEnd: LineEnd = {};
  for (;;) {
    const segment = split ? splitSegment(src, delimiter, offset, keepQuotedEmpty, lineEnd) : parseSegment(src, delimiter, offset, keepQuotedEmpty, offset > 0 ? lineEnd.rd : undefined);
    yield* segment.items;
    const failure = segment.failure();
    if (!failure) break;
    lineEnd.rd ??= await fileLineEnd(src);
    // A bad line ends at the file's line end: in a lone-CR file, read to a '\n' it was the rest of the file.
    const line = await readLineAt(src, failure.recordStart, lineEnd.rd === '\r' ? CR : NL);
    yield [malformedLine(line, failure.code)];
    offset = line.next;
  }
}

/** The file's record delimiter, once known (see csvItems). */
interface LineEnd {
  rd?: RecordDelimiter;
}

/** Looked at for a first line end: at most this many bytes. */
const FIRST_LINE_END_BYTES = 1024 * 1024;

/**
 * The file's record delimiter: its first line end outside quotes (a quote opens or closes them, as the splitter's
 * windows count them): CRLF, LF or a lone CR. None outside quotes in the first megabyte (a first line with a stray
 * or unclosed quote, and no quote after it): the first line end of any; none at all: LF.
 */
async function fileLineEnd(src: FileSource): Promise<RecordDelimiter> {
  const { stream } = await openSource(src, 0);
  const scan = new LineEndScan();
  let seen = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const found = scan.push(chunk);
      if (found) return found;
      seen += chunk.length;
      if (seen > FIRST_LINE_END_BYTES) break;
    }
    return scan.end();
  } finally {
    stream.destroy();
  }
}

/** The record delimiter of text read in chunks (`fileLineEnd`): `push` each until one answers, else `end`. */
class LineEndScan {
  private quoted = false;
  /** The byte before was a '\r' outside quotes; the first line end of any was a '\r' (the next byte decides). */
  private crOutside = false;
  private crAny = false;
  private any: RecordDelimiter | null = null;
  push(chunk: Uint8Array): RecordDelimiter | null {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.crOutside) return c === NL ? '\r\n' : '\r';
      if (this.crAny) {
        this.any = c === NL ? '\r\n' : '\r';
        this.crAny = false;
      }
      if (c === QUOTE) this.quoted = !this.quoted;
      else if (c === NL) {
        if (!this.quoted) return '\n';
        this.any ??= '\n';
      } else if (c === CR) {
        if (!this.quoted) this.crOutside = true;
        else if (this.any === null) this.crAny = true;
      }
    }
    return null;
  }
  end(): RecordDelimiter {
    if (this.crOutside || this.crAny) return '\r';
    return this.any ?? '\n';
  }
}

/** The objects an object-mode stream has ready, a group at a time; ends with the stream, throws its error. */
export async function* readyGroups<T>(stream: Readable): AsyncGenerator<T[]> {
  let error: unknown = null;
  let ended = false;
  let wake: (() => void) | null = null;
  const onReadable = () => wake?.();
  const onEnd = () => {
    ended = true;
    wake?.();
  };
  const onError = (e: unknown) => {
    error = e;
    wake?.();
  };
  stream.on('readable', onReadable);
  stream.on('end', onEnd);
  stream.on('error', onError);
  try {
    for (;;) {
      if (error) throw error;
      const group: T[] = [];
      for (let item = stream.read() as T | null; item !== null; item = stream.read() as T | null) group.push(item);
      if (group.length > 0) {
        yield group;
        continue;
      }
      if (ended || stream.readableEnded) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  } finally {
    stream.off('readable', onReadable);
    stream.off('end', onEnd);
    stream.off('error', onError);
  }
}

interface SegmentFailure {
  /** Byte offset where the record csv-parse could not read starts. */
  recordStart: number;
  code: string;
}

function describeFailure(row: number, code: string, line: string, cut = false): string {
  // Only the line's first 4,000 bytes are at hand when it is longer: its quotes cannot be counted (probe16b: a closed
  // 200 MB value was called "a quote that is never closed"); a line that long is too long whatever its quotes.
  const unbalanced = !cut && (line.match(/"/g) ?? []).length % 2 === 1;
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `row ${row} has a quote (") that is never closed`;
    case 'CSV_INVALID_CLOSING_QUOTE':
      if (unbalanced) return `row ${row} has a quote (") that is never closed`;
      return `row ${row} has a quoted value with more text after its closing quote (write a quote inside a value as "")`;
    case 'INVALID_OPENING_QUOTE':
      return `row ${row} has a quote (") inside a value that does not start with one (quote the whole value and write the quote as "")`;
    case 'CSV_MAX_RECORD_SIZE':
      return unbalanced
        ? `row ${row} has a quote (") that is never closed`
        : `row ${row} is longer than ${MAX_RECORD_CHARS / 1024} KB`;
    default:
      return `row ${row} could not be read (${code})`;
  }
}

/** Keeps `""` as empty text and makes an unquoted empty cell null (csv-parse's `quoting` tells them apart). */
const quotedEmptyCast = (value: string, context: { quoting: boolean }): string | null => (value === '' && !context.quoting ? null : value);

/** csv-parse's options for one segment; `info` adds each record's byte count (costly: only to find where a failure starts). */
function parseOptions(delimiter: string, start: number, keepQuotedEmpty: boolean, info: boolean, onSkip?: (err: CsvError | undefined) => undefined, recordDelimiter?: RecordDelimiter): ParseOptions {
  return {
    delimiter,
    ...(recordDelimiter && { record_delimiter: recordDelimiter }),
    bom: start === 0,
    info,
    relax_column_count: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_CHARS,
    ...(keepQuotedEmpty ? { cast: quotedEmptyCast as NonNullable<ParseOptions['cast']> } : {}),
    ...(onSkip && { on_skip: onSkip }),
  } satisfies ParseOptions;
}

/**
 * The byte offset where record `count` + 1 of the segment starts: the segment parsed again with each record's byte
 * count, up to there. Only for a segment that failed, so the records read at full speed carry no byte counts.
 */
async function offsetAfter(src: FileSource, delimiter: string, start: number, count: number, keepQuotedEmpty: boolean, recordDelimiter?: RecordDelimiter): Promise<number> {
  if (count <= 0) return start;
  const parser = parse(streamed(parseOptions(delimiter, start, keepQuotedEmpty, true, () => undefined, recordDelimiter)));
  const { stream: source } = await openSource(src, start);
  pipeSliced(source, parser);
  let seen = 0;
  let end = start;
  try {
    for await (const ready of readyGroups<{ info: { bytes: number } }>(parser)) {
      for (const parsed of ready) {
        end = start + parsed.info.bytes;
        if (++seen === count) return end;
      }
    }
    return end;
  } finally {
    source.destroy();
    parser.destroy();
  }
}

/**
 * What csv-parse is given at a time when it reads a stream: it parses a whole chunk before it looks at what was
 * read, and after a quoting error it makes an error (a stack, a JSON copy of its state) of nearly every record left
 * in the chunk. A file of many short bad records is read again from each one (csvItems), so a smaller chunk bounds
 * what each costs: 64 KB chunks made 4,000 lines with a stray quote, each ending in a lone '\r', take four minutes.
 */
const PARSE_CHUNK_BYTES = 1024;

/** A stream parser's options: it takes in no more than a slice (PARSE_CHUNK_BYTES) ahead of what was read from it. */
const streamed = (options: ParseOptions): ParseOptions => ({ ...options, writableHighWaterMark: PARSE_CHUNK_BYTES }) as ParseOptions;

/**
 * `source` into `parser` in chunks of at most PARSE_CHUNK_BYTES, each read only when the parser asks for it (so what
 * it is given ahead of what was read from it stays small), none after `stopped()`; the source's errors end the parser.
 */
function pipeSliced(source: Readable, parser: Transform, stopped: () => boolean = () => false): void {
  async function* slices(): AsyncGenerator<Buffer> {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      for (let i = 0; i < chunk.length; i += PARSE_CHUNK_BYTES) {
        if (stopped()) return;
        yield chunk.subarray(i, i + PARSE_CHUNK_BYTES);
      }
    }
  }
  const sliced = Readable.from(slices(), { objectMode: false, highWaterMark: PARSE_CHUNK_BYTES });
  sliced.on('error', (e) => parser.destroy(e));
  sliced.pipe(parser);
}

type Segment = { items: AsyncGenerator<Item[]>; failure(): SegmentFailure | null };

/** csv-parse over the file from `start` to its end or its first error; `recordDelimiter` when the segment's is already known. */
function parseSegment(src: FileSource, delimiter: string, start: number, keepQuotedEmpty = false, recordDelimiter?: RecordDelimiter): Segment {
  let skip: { before: number; code: string } | null = null;
  let failure: SegmentFailure | null = null;
  async function* items(): AsyncGenerator<Item[]> {
    const parser = parse(
      streamed(
        parseOptions(delimiter, start, keepQuotedEmpty, false, (err: CsvError | undefined) => {
          // Only the first error counts: the parser's state after it is not to be trusted.
          if (err && !skip) skip = { before: typeof err.records === 'number' ? err.records : 0, code: err.code };
          return undefined;
        }, recordDelimiter),
      ),
    );
    const { stream: source } = await openSource(src, start);
    // Nothing past the first error is given to csv-parse, which would make an error of nearly every record after it.
    pipeSliced(source, parser, () => skip !== null);

    let records = 0;
    let failedAt: { records: number; code: string } | null = null;
    // on_skip fires while parsing, ahead of what we have consumed: stop at the record where it happened.
    const failed = (upTo: number): boolean => {
      const s: { before: number; code: string } | null = skip;
      if (!s || s.before >= upTo) return false;
      failedAt = { records: records - 1, code: s.code };
      return true;
    };
    try {
      stream: for await (const ready of readyGroups<ParsedRecord>(parser)) {
        const out: Item[] = [];
        for (const record of ready) {
          if (failed(++records)) {
            if (out.length > 0) yield out;
            break stream;
          }
          if (isBlankRecord(record)) continue;
          out.push(record);
        }
        if (out.length > 0) yield out;
      }
      if (!failedAt) {
        records += 1;
        failed(Number.POSITIVE_INFINITY);
      }
    } finally {
      source.destroy();
      parser.destroy();
    }
    const f = failedAt as { records: number; code: string } | null;
    // The bad record starts where the last good one (blank ones included) ended.
    if (f) failure = { recordStart: await offsetAfter(src, delimiter, start, f.records, keepQuotedEmpty, recordDelimiter), code: f.code };
  }
  return { items: items(), failure: () => failure };
}

/** A file's record delimiter, as csv-parse finds it first (outside quotes). */
type RecordDelimiter = '\n' | '\r\n' | '\r';

const NL = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
/** A line longer than this (bytes) goes to csv-parse: well under `MAX_RECORD_CHARS`, which csv-parse counts in bytes. */
const SPLIT_LINE_BYTES = 64 * 1024;
/** Lines given to csv-parse at once: a window is cut at the last record end before this many bytes. */
const WINDOW_BYTES = 64 * 1024;
/** A window's reach after one that failed (doubling back to WINDOW_BYTES). */
const MIN_WINDOW_BYTES = 1024;
/** Thrown by a window's on_skip: csv-parse stops at the first error. */
const FIRST_ERROR = new Error('the first error of a window');
/**
 * The splitter reads at least this many bytes at a time (a gunzip or a bucket hands on small chunks): one ASCII check
 * (`lineAt`) and one concatenation per 256 KB instead of per chunk.
 */
const COALESCE_BYTES = 256 * 1024;
/** A quoted value still open after this many bytes: csv-parse reads the rest of the segment as a stream. */
const OPEN_QUOTE_BYTES = 1024 * 1024;

/** A one-character ASCII delimiter that is not a quote or a line end: the only kind the splitter reads. */
const splittable = (delimiter: string): boolean => delimiter.length === 1 && delimiter.charCodeAt(0) < 0x80 && !'"\r\n'.includes(delimiter);

/**
 * A line whose quoted values all close on it, split as csv-parse reads it ('""' inside quotes is a quote; a quoted
 * empty value is empty text, an unquoted one null when `keepQuotedEmpty`); null for anything else (a quote inside an
 * unquoted value, text after a closing quote, a quote still open at the line's end), which csv-parse then reads.
 */
function splitQuoted(line: string, delimiter: string, keepQuotedEmpty: boolean): (string | null)[] | null {
  const values: (string | null)[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === QUOTE) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = line.indexOf('"', from);
        if (q === -1) return null;
        if (line.charCodeAt(q + 1) === QUOTE) {
          value += line.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += line.slice(from, q);
        i = q + 1;
        break;
      }
      values.push(value);
      if (i === n) return values;
      if (line[i] !== delimiter) return null;
      i++;
    } else {
      const d = line.indexOf(delimiter, i);
      const value = line.slice(i, d === -1 ? n : d);
      if (value.includes('"')) return null;
      values.push(keepQuotedEmpty && value === '' ? null : value);
      if (d === -1) return values;
      i = d + 1;
    }
  }
}

/**
 * The same records and the same first failure as `parseSegment`, faster: a line without a quote (or a stray '\r',
 * or too long) is split on the delimiter by hand, which is all csv-parse would do with it; the lines that have one
 * go to csv-parse, as a window that ends where a record ends (an even number of quotes since the window's start,
 * at the segment's record delimiter: a quoted value's quotes come in pairs). csv-parse is a left-to-right parser,
 * so a window it reads from a record start gives what the whole segment would there, its errors included; the
 * record delimiter csv-parse would have found on the file's first line is given to each window. Lines that end with
 * a lone '\r' are split at their '\r' as the others at their '\n' (a '\n' in one goes to csv-parse, as a stray '\r'
 * in the others). Anything the splitter is unsure of (a UTF-16 byte-order mark, a quote open for a megabyte) goes to
 * `parseSegment` from the record it reached.
 */
function splitSegment(src: FileSource, delimiter: string, fileStart: number, keepQuotedEmpty: boolean, lineEnd: LineEnd): Segment {
  let failure: SegmentFailure | null = null;
  async function* items(): AsyncGenerator<Item[]> {
    /** Where the records read as one segment start: the file's start, or the line after a record rejected here. */
    let start = fileStart;
    const { stream } = await openSource(src, start);
    const chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    /** Unread bytes: `buf[pos]` is the start of a record, at file offset `base + pos`. */
    let buf: Buffer = Buffer.alloc(0);
    let pos = 0;
    let base = start;
    let eof = false;
    /** The record delimiter: the file's (`lineEnd`), found on the first line when the segment is the file's start. */
    let rd: RecordDelimiter | null = fileStart > 0 ? (lineEnd.rd ?? null) : null;
    /** The first line end found at the file's start is the file's (`fileLineEnd` finds the same one). */
    const found = (d: RecordDelimiter) => {
      rd = d;
      if (fileStart === 0) lineEnd.rd ??= d;
    };
    /** How far a window reaches: WINDOW_BYTES, from MIN_WINDOW_BYTES again (doubling) after a window that failed. */
    let windowBytes = WINDOW_BYTES;
    /** Every byte of `buf` is ASCII (its lines decode as Latin-1, the cheaper decoder); undefined until a line asks. */
    let ascii: boolean | undefined;
    /**
     * Appends the next chunks, at least COALESCE_BYTES of them while the file has them (a gunzip or a bucket hands on
     * small chunks), dropping what was read before `pos` (so `pos` becomes 0); false at the end.
     */
    const more = async (): Promise<boolean> => {
      if (eof) return false;
      const parts: Buffer[] = [];
      let size = 0;
      while (size < COALESCE_BYTES) {
        const next = await chunks.next();
        if (next.done) {
          eof = true;
          break;
        }
        parts.push(next.value);
        size += next.value.length;
      }
      if (parts.length === 0) return false;
      if (pos < buf.length) parts.unshift(buf.subarray(pos));
      buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      ascii = undefined;
      base += pos;
      pos = 0;
      return true;
    };
    /**
     * The line [from, to) of `buf` as a string of its own: decoded as Latin-1 (a byte is a character) when `buf` is all
     * ASCII, else as UTF-8. Not a slice of one text of the whole buffer (csv16d's first form): V8 makes a slice of 13+
     * characters a view that keeps the whole 256 KB text alive, so every value kept past its batch would have held one
     * (the review measured ~262 KB per value kept).
     */
    const lineAt = (from: number, to: number): string => {
      if (ascii === undefined) ascii = isAscii(buf);
      return buf.toString(ascii ? 'latin1' : 'utf8', from, to);
    };
    /** The rest of the segment through csv-parse, from the record at `pos` (from the segment's start while `rd` is unknown). */
    async function* rest(): AsyncGenerator<Item[]> {
      stream.destroy();
      const from = rd === null ? start : base + pos;
      const segment = parseSegment(src, delimiter, from, keepQuotedEmpty, rd ?? undefined);
      yield* segment.items;
      failure = segment.failure();
    }
    /** A line without a quote, handed on as its text (the reader splits it); a blank line is dropped, as csv-parse drops it. */
    const split = (from: number, to: number, out: Item[]) => {
      const line = lineAt(from, to);
      if (isBlankLine(line, delimiter)) return;
      out.push(line);
    };
    /**
     * The lines of a file whose lines end with a lone '\r', split as the others are at their '\n': true when a line is
     * csv-parse's (a '\n' in it, a quote the splitter cannot read, too long), at `pos`.
     */
    const splitCrLines = (out: Item[]): boolean => {
      let quoteAt = buf.indexOf(QUOTE, pos);
      const nlAt = buf.indexOf(NL, pos);
      for (let cr = buf.indexOf(CR, pos); cr !== -1; cr = buf.indexOf(CR, pos)) {
        if ((nlAt !== -1 && nlAt < cr) || cr - pos > SPLIT_LINE_BYTES) return true;
        const quoted = quoteAt !== -1 && quoteAt < cr;
        if (!quoted) split(pos, cr, out);
        else {
          const values = splitQuoted(lineAt(pos, cr), delimiter, keepQuotedEmpty);
          if (!values) return true;
          if (!isBlankRecord(values)) out.push(values);
        }
        pos = cr + 1;
        if (quoted) quoteAt = buf.indexOf(QUOTE, pos);
      }
      return false;
    };
    try {
      while (buf.length < 3 && (await more()));
      if (start === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
      else if (start === 0 && buf[0] === 0xff && buf[1] === 0xfe) return yield* rest(); // csv-parse reads it as UTF-16
      for (;;) {
        const out: Item[] = [];
        let quoteAt = buf.indexOf(QUOTE, pos);
        let window = false;
        if (rd === null) {
          // A lone '\r' ends the first line, with no quote before it: the file's lines end with a lone '\r'.
          const cr = buf.indexOf(CR, pos);
          if (cr !== -1 && (quoteAt === -1 || quoteAt > cr) && (cr + 1 < buf.length || eof) && buf[cr + 1] !== NL) {
            const nl = buf.indexOf(NL, pos);
            if (nl === -1 || nl > cr) found('\r');
          }
        }
        if (rd === '\r') window = splitCrLines(out);
        let crAt = rd === '\r' ? -1 : buf.indexOf(CR, pos);
        for (let nl = rd === '\r' ? -1 : buf.indexOf(NL, pos); nl !== -1; nl = buf.indexOf(NL, pos)) {
          const quoted = quoteAt !== -1 && quoteAt < nl;
          // A '\r' before the line's last byte, or as its last byte: csv-parse's record delimiter decides.
          const strayCr = crAt !== -1 && crAt < nl - 1;
          const endsCr = !strayCr && crAt !== -1 && crAt === nl - 1;
          // The first line's end is the segment's record delimiter once the line is read whole (no quote open at its end).
          const lineRd: RecordDelimiter = rd ?? (endsCr ? '\r\n' : '\n');
          const end = lineRd === '\r\n' ? nl - 1 : nl;
          if (strayCr || (lineRd === '\r\n') !== endsCr || end - pos > SPLIT_LINE_BYTES) {
            window = true;
            break;
          }
          if (!quoted) split(pos, end, out);
          else {
            const values = splitQuoted(lineAt(pos, end), delimiter, keepQuotedEmpty);
            if (!values) {
              window = true;
              break;
            }
            if (!isBlankRecord(values)) out.push(values);
          }
          if (rd === null) found(lineRd);
          pos = nl + 1;
          if (crAt !== -1 && crAt < pos) crAt = buf.indexOf(CR, pos);
          if (quoted) quoteAt = buf.indexOf(QUOTE, pos);
        }
        // A line longer than a split line with no end in sight yet: csv-parse's window (and its stream past a megabyte)
        // reads it, so the buffer never holds more than that.
        if (!window && buf.length - pos > SPLIT_LINE_BYTES) window = true;
        if (window) {
          if (out.length > 0) yield out;
          const read = await readWindow();
          if (read === 'rest') return yield* rest();
          if (read.items.length > 0) yield read.items;
          if (read.failure) {
            const bad = rejectFirstLine(read.failure);
            if (!bad) return;
            yield [bad];
          }
          continue;
        }
        if (out.length > 0) yield out;
        if (await more()) continue;
        // The end: a last line without a line end.
        if (pos < buf.length) {
          if (buf.indexOf(QUOTE, pos) !== -1 || buf.indexOf(rd === '\r' ? NL : CR, pos) !== -1 || buf.length - pos > SPLIT_LINE_BYTES) {
            const read = await readWindow();
            if (read === 'rest') return yield* rest();
            if (read.items.length > 0) yield read.items;
            if (!read.failure) return;
            const bad = rejectFirstLine(read.failure);
            if (!bad) return;
            yield [bad];
            continue;
          }
          const last: Item[] = [];
          split(pos, buf.length, last);
          pos = buf.length;
          yield last;
        }
        return;
      }
    } finally {
      stream.destroy();
    }

    /**
     * A window's failed record, rejected by its first line, and the records after that line read as a segment of their
     * own, from this buffer: what csvItems does by opening the file again at that line, which for a file of many
     * such records read the next COALESCE_BYTES again for each (800 KB of one-line records with a stray quote took
     * two minutes). The failed record starts inside the window, and its first line ends where the window's records
     * do, at the file's line end, so it is in `buf`. Null, `failure` set, when the file's line end is not known yet
     * (a first line with a quote never closed) or the line ends past `buf` (a segment's first line end not the
     * file's): csvItems reads that line.
     */
    function rejectFirstLine(f: SegmentFailure): MalformedItem | null {
      const from = f.recordStart - base;
      const endByte = lineEnd.rd === undefined ? -1 : buf.indexOf(lineEnd.rd === '\r' ? CR : NL, from);
      if (lineEnd.rd === undefined || (endByte === -1 && !eof)) {
        failure = f;
        return null;
      }
      const to = endByte === -1 ? buf.length : endByte;
      const line = lineShown(buf.subarray(from, Math.min(to, from + LINE_HEAD_BYTES)), to - from, endByte !== -1, f.recordStart);
      pos = line.next - base;
      start = line.next;
      rd = lineEnd.rd;
      return malformedLine(line, f.code);
    }

    /**
     * csv-parse over the lines from `pos` to the last record end before WINDOW_BYTES (or the first one after, or
     * the end of the segment); moves `pos` past them. A record with no end within OPEN_QUOTE_BYTES (a quote open for a
     * megabyte) is past the record limit: csv-parse reads that much of it, which is where it fails, so it is rejected
     * here and reading goes on from its next line (csv-parse alone read it from there, and the file was opened again
     * twice for it). 'rest' if csv-parse did read it.
     */
    async function readWindow(): Promise<'rest' | { items: Item[]; failure: SegmentFailure | null }> {
      let quotes = 0;
      let i = pos;
      let end = -1;
      let open = false;
      for (;;) {
        if (i >= buf.length) {
          const shift = pos;
          if (!(await more())) {
            end = buf.length;
            break;
          }
          i -= shift;
          if (end !== -1) end -= shift;
        }
        if (end === -1 && i - pos > OPEN_QUOTE_BYTES) {
          end = i;
          open = true;
          break;
        }
        if (end !== -1 && i - pos > windowBytes) break;
        const c = buf[i]!;
        if (c === QUOTE) quotes++;
        else if ((quotes & 1) === 0 && (c === NL || c === CR)) {
          if (rd === null) {
            if (c === CR && i + 1 >= buf.length && !eof) {
              const shift = pos;
              if (await more()) {
                i -= shift;
                continue;
              }
            }
            found(c === NL ? '\n' : buf[i + 1] === NL ? '\r\n' : '\r');
          }
          if (rd === '\r' ? c === CR : c === NL && (rd === '\n' || (i > pos && buf[i - 1] === CR))) end = i + 1;
        }
        i++;
      }
      const from = pos;
      const window = buf.subarray(from, end);
      let skipped: { before: number; code: string } | null = null;
      const options = (info: boolean, to?: number) => ({
        ...parseOptions(
          delimiter,
          1, // never the file's start: no byte-order mark here
          keepQuotedEmpty,
          info,
          (err: CsvError | undefined) => {
            if (err && !skipped) skipped = { before: typeof err.records === 'number' ? err.records : 0, code: err.code };
            // Only the first error counts, so the parse stops there: csv-parse went on through the window, lost after a
            // quoting error, and made an error (a stack and a JSON copy of its state) of nearly every record after it.
            throw FIRST_ERROR;
          },
          rd ?? undefined,
        ),
        ...(to !== undefined && { to }),
      });
      let parsed: ParsedRecord[] = [];
      try {
        parsed = parseSync(window, options(false)) as ParsedRecord[];
      } catch (e) {
        if (e !== FIRST_ERROR) throw e;
      }
      const s = skipped as { before: number; code: string } | null;
      if (open && !s) return 'rest';
      pos = end;
      if (!s) {
        windowBytes = Math.min(WINDOW_BYTES, windowBytes * 2);
        return { items: parsed.filter((record) => !isBlankRecord(record)), failure: null };
      }
      // After a failure the next window starts small: in a file of many bad lines, each window is read to its end
      // before the records after the first bad one are read again.
      windowBytes = MIN_WINDOW_BYTES;
      // The records before the bad one, with each one's byte count: where the bad record starts.
      const good = s.before;
      const counted = good > 0 ? (parseSync(window, options(true, good)) as unknown as { record: ParsedRecord; info: { bytes: number } }[]) : [];
      const items: Item[] = [];
      for (const { record } of counted) if (!isBlankRecord(record)) items.push(record);
      return { items, failure: { recordStart: base + from + (counted.length > 0 ? counted[counted.length - 1]!.info.bytes : 0), code: s.code } };
    }
  }
  return { items: items(), failure: () => failure };
}

interface BadLine {
  text: string;
  /** The file offset of the line after it. */
  next: number;
  /** Only the line's first bytes were read. */
  cut: boolean;
}

/** The first line of a record that failed, rejected with the failure's reason. */
const malformedLine = (line: BadLine, code: string): MalformedItem => new MalformedItem(line.text, (n) => describeFailure(n, code, line.text, line.cut));

/** A line as a rejected row shows it: its first LINE_HEAD_BYTES (`head`) of `length`, at most 1,000 characters. */
function lineShown(head: Buffer, length: number, found: boolean, from: number): BadLine {
  let text = head.toString('utf8').replace(/\r$/, '').replace(/^\ufeff/, '');
  if (length > head.length || text.length > 1000) text = `${text.slice(0, 1000)}…`;
  return { text, next: from + length + (found ? 1 : 0), cut: length > head.length };
}
const LINE_HEAD_BYTES = 4000;

/** The line starting at `from` (shortened for display) and the offset of the next one; `end`: the line end byte. */
async function readLineAt(src: FileSource, from: number, end: number = NL): Promise<BadLine> {
  const { stream } = await openSource(src, from);
  let head: Buffer = Buffer.alloc(0);
  let length = 0;
  let found = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const nl = chunk.indexOf(end);
      const part = nl >= 0 ? chunk.subarray(0, nl) : chunk;
      if (head.length < LINE_HEAD_BYTES) head = Buffer.concat([head, part.subarray(0, LINE_HEAD_BYTES - head.length)]);
      length += part.length;
      if (nl >= 0) {
        found = true;
        break;
      }
    }
  } finally {
    stream.destroy();
  }
  return lineShown(head, length, found, from);
}
