// Excel workbooks (.xlsx, .xlsm): the sheet list and one sheet's cells, typed the way Excel shows them, streamed
// row by row out of the zip through a SAX parser. Memory holds the shared strings and one chunk of rows, never
// the sheet.
import type { Readable } from 'node:stream';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type yauzl from 'yauzl';
import { convertValue, inferFieldType, type Field } from '../../shared/graph/field-types';
import { BatchFiller, uniqueColumnNames, type MalformedRow } from './csv';
import { fileLimits, formatChars, formatLimit, MAX_HELD_ROWS_BYTES } from './limits';
import { openZip } from './source';

export type CellValue = string | number | boolean | null;
/** `currency` marks a number shown with a currency format, so its column can be typed as currency. */
type Cell = { col: number; value: CellValue; currency?: true } | { col: number; error: string };
interface SheetRow {
  /** The row's number in the sheet, as Excel shows it. */
  rowNumber: number;
  cells: Cell[];
  /** The text of its cells plus 16 a cell, in characters: at most the record limit (probe16d). */
  bytes: number;
}

/** How a number in a given cell style reads: a plain number, an amount of money, a date, a date and time, or a time of day. */
type NumberKind = 'date' | 'datetime' | 'time' | 'currency' | null;

interface SheetRef {
  name: string;
  /** The sheet's XML inside the zip, e.g. `xl/worksheets/sheet1.xml`. */
  path: string;
  hidden: boolean;
}

interface Workbook {
  zip: yauzl.ZipFile;
  entries: Map<string, yauzl.Entry>;
  sheets: SheetRef[];
  date1904: boolean;
  sharedStrings: string[];
  /** By cell style index (`s`): how its numbers read. */
  styles: NumberKind[];
}

export interface ExcelSniff {
  sheet: string;
  sheets: string[];
  hasHeader: boolean;
  columns: Field[];
  sampleRows: Record<string, string>[];
}

export interface ExcelSniffOptions {
  /** The sheet to read, by name; the first visible one when absent. */
  sheet?: string;
  /** Force whether the first non-empty row is a header; detected when absent. */
  hasHeader?: boolean;
}

export interface ReadExcelOptions {
  sheet?: string;
  hasHeader: boolean;
  columns: readonly Pick<Field, 'name'>[];
  batchSize: number;
  /** Sheet rows already processed (Excel's own row numbers), e.g. a checkpoint's `nextRow`. */
  startRow?: number;
}

export interface ExcelBatch {
  rows: Record<string, CellValue>[];
  /** Excel's row number of each entry in `rows`, so the record inbox points at the row the person sees. */
  rowNumbers: number[];
  malformed: MalformedRow[];
  nextRow: number;
}

const TYPE_SAMPLE_ROWS = 200;
const PREVIEW_ROWS = 10;

export const LEGACY_XLS = 'This is an old Excel .xls workbook, which Weft cannot read. Open it in Excel and save it as .xlsx (Excel Workbook), then upload that.';
export const BINARY_XLSB = 'This is an Excel binary workbook (.xlsb), which Weft cannot read. Open it in Excel and save it as .xlsx (Excel Workbook), then upload that.';

/** Reads the sheet list and guesses the columns of one sheet from its first rows. */
export async function sniffExcel(path: string, opts: ExcelSniffOptions = {}): Promise<ExcelSniff> {
  const wb = await openWorkbook(path);
  try {
    const sheet = chooseSheet(wb, opts.sheet);
    const rows: SheetRow[] = [];
    const iter = sheetRows(wb, sheet);
    // The sample stops at 200 rows, or sooner once their text passes MAX_HELD_ROWS_BYTES (probe16d).
    let held = 0;
    try {
      for await (const row of iter) {
        rows.push(row);
        held += row.bytes;
        if (rows.length > TYPE_SAMPLE_ROWS || held > MAX_HELD_ROWS_BYTES) break;
      }
    } finally {
      await iter.return(undefined);
    }
    const first = rows[0];
    if (!first) throw new Error(`The sheet "${sheet.name}" is empty: it has no header and no rows.`);
    const firstTexts = displayRow(first, width([first]));
    const hasHeader = opts.hasHeader ?? !firstTexts.some((v) => v.trim() !== '' && inferFieldType([v]) !== 'text');
    const data = hasHeader ? rows.slice(1) : rows;
    const names = uniqueColumnNames(hasHeader ? firstTexts : [], hasHeader ? firstTexts.length : width(data));
    const texts = data.map((r) => displayRow(r, names.length));
    const columns: Field[] = names.map((name, i) => ({ name, type: columnType(texts.map((t) => t[i] ?? ''), data, i) }));
    const sampleRows = texts.slice(0, PREVIEW_ROWS).map((t) => Object.fromEntries(names.map((n, i) => [n, t[i] ?? ''])));
    return { sheet: sheet.name, sheets: wb.sheets.map((s) => s.name), hasHeader, columns, sampleRows };
  } finally {
    wb.zip.close();
  }
}

/** The sheet names of a workbook, in the order Excel shows their tabs. */
export async function listSheets(path: string): Promise<string[]> {
  const wb = await openWorkbook(path);
  wb.zip.close();
  return wb.sheets.map((s) => s.name);
}

/**
 * Streams one sheet in batches shaped like CSV batches. Rows are keyed by the given columns in sheet order;
 * cells right of the last column are not read. Empty rows are skipped; a row with an error cell
 * (#DIV/0!, #N/A, …) in a read column is a malformed row. Resumes after sheet row `startRow`.
 */
export async function* readExcelBatches(path: string, opts: ReadExcelOptions): AsyncGenerator<ExcelBatch> {
  const names = opts.columns.map((c) => c.name);
  const startRow = Math.max(0, opts.startRow ?? 0);
  const filler = new BatchFiller<Record<string, CellValue>>(opts.batchSize, startRow);
  const wb = await openWorkbook(path);
  try {
    const sheet = chooseSheet(wb, opts.sheet);
    let headerSeen = !opts.hasHeader;
    let last = startRow;
    for await (const row of sheetRows(wb, sheet)) {
      if (!headerSeen) {
        headerSeen = true;
        continue;
      }
      if (row.rowNumber <= startRow) continue;
      last = row.rowNumber;
      const record: Record<string, CellValue> = Object.fromEntries(names.map((n) => [n, null]));
      const problems: string[] = [];
      for (const cell of row.cells) {
        const name = names[cell.col];
        if (name === undefined) continue;
        if ('error' in cell) {
          record[name] = cell.error;
          problems.push(`${name} shows the Excel error ${cell.error}`);
        } else record[name] = cell.value;
      }
      if (problems.length > 0) {
        filler.malformed({ rowNumber: row.rowNumber, raw: record, reason: `row ${row.rowNumber}: ${problems.join(', ')} (fix the formula or the value in the workbook)` }, row.bytes);
      } else {
        filler.row(record, row.rowNumber, row.bytes);
      }
      const full = filler.full(last);
      if (full) yield full;
    }
    const rest = filler.rest(last);
    if (rest) yield rest;
  } finally {
    wb.zip.close();
  }
}

/** Text as the sniff shows it (and as types are inferred from): numbers in full, dates in ISO. */
function display(value: CellValue): string {
  if (value === null) return '';
  return typeof value === 'string' ? value : String(value);
}

function displayRow(row: SheetRow, w: number): string[] {
  const out: string[] = Array.from({ length: w }, () => '');
  for (const c of row.cells) if (c.col < w) out[c.col] = 'error' in c ? '' : display(c.value);
  return out;
}

/** Columns up to the last non-empty cell of any of the rows. */
function width(rows: readonly SheetRow[]): number {
  // A loop, not Math.max(...cells): a spread of a few hundred thousand cells overflows the stack.
  let w = 0;
  for (const r of rows) for (const c of r.cells) if (c.col + 1 > w) w = c.col + 1;
  return w;
}

/**
 * Like CSV columns, except that numbers all shown with a currency format make a currency column, and a column
 * mixing dates with dates-and-times is a date-and-time column.
 */
function columnType(values: readonly string[], rows: readonly SheetRow[], col: number): Field['type'] {
  const type = inferFieldType(values);
  if (type === 'number') {
    const cells = rows.flatMap((r) => r.cells.filter((c) => c.col === col && 'value' in c && typeof c.value === 'number'));
    return cells.length > 0 && cells.every((c) => 'currency' in c && c.currency) ? 'currency' : 'number';
  }
  if (type !== 'text') return type;
  const filled = values.filter((v) => v.trim() !== '');
  const datey = filled.length > 0 && filled.every((v) => /^\d{4}-\d{2}-\d{2}(T|$)/.test(v) && convertValue(v, 'datetime').ok);
  return datey ? 'datetime' : 'text';
}

function chooseSheet(wb: Workbook, wanted: string | undefined): SheetRef {
  if (wb.sheets.length === 0) throw new Error('This Excel workbook has no worksheets.');
  if (wanted !== undefined && wanted !== '') {
    const found = wb.sheets.find((s) => s.name === wanted) ?? wb.sheets.find((s) => s.name.toLowerCase() === wanted.toLowerCase());
    if (!found) throw new Error(`This workbook has no sheet named "${wanted}" (it has ${wb.sheets.map((s) => `"${s.name}"`).join(', ')}).`);
    return found;
  }
  return wb.sheets.find((s) => !s.hidden) ?? (wb.sheets[0] as SheetRef);
}

// ---- the workbook's parts -------------------------------------------------------------------------------

async function openWorkbook(path: string): Promise<Workbook> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path);
  } catch {
    throw new Error('This Excel file cannot be opened: it is damaged or not an .xlsx workbook. Open it in Excel and save it as .xlsx again.');
  }
  try {
    const entries = await readEntries(zip);
    if (entries.has('xl/workbook.bin')) throw new Error(BINARY_XLSB);
    if (!entries.has('xl/workbook.xml')) throw new Error('This zip is not an Excel workbook (it has no xl/workbook.xml). Upload an .xlsx file saved by Excel, or a zip of CSV or JSON files.');
    const wb: Workbook = { zip, entries, sheets: [], date1904: false, sharedStrings: [], styles: [] };
    const rels = await readRels(wb, 'xl/_rels/workbook.xml.rels');
    await parseEntry(wb, 'xl/workbook.xml', (p) => {
      p.on('opentag', (tag) => {
        const name = local(tag);
        if (name === 'workbookPr') wb.date1904 = ['1', 'true'].includes(tag.attributes.date1904 ?? '');
        if (name !== 'sheet') return;
        const id = Object.entries(tag.attributes).find(([k]) => k === 'r:id' || k.endsWith(':id'))?.[1] ?? '';
        const rel = rels.get(id);
        if (rel && /\/worksheet$/.test(rel.type)) wb.sheets.push({ name: tag.attributes.name ?? '', path: rel.target, hidden: (tag.attributes.state ?? 'visible') !== 'visible' });
      });
    });
    const partOf = (type: string, fallback: string) => [...rels.values()].find((r) => r.type.endsWith(`/${type}`))?.target ?? fallback;
    const stylesPath = partOf('styles', 'xl/styles.xml');
    if (entries.has(stylesPath)) wb.styles = await readStyles(wb, stylesPath);
    const stringsPath = partOf('sharedStrings', 'xl/sharedStrings.xml');
    if (entries.has(stringsPath)) wb.sharedStrings = await readSharedStrings(wb, stringsPath);
    return wb;
  } catch (err) {
    zip.close();
    throw err;
  }
}

function readEntries(zip: yauzl.ZipFile): Promise<Map<string, yauzl.Entry>> {
  const entries = new Map<string, yauzl.Entry>();
  return new Promise((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      // Two parts of one name: which is the sheet Excel shows is unclear (probe16b).
      if (entries.has(e.fileName)) return reject(new Error(`This Excel workbook is damaged: it holds two parts named ${e.fileName}. Open it in Excel and save it again.`));
      entries.set(e.fileName, e);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', reject);
    zip.readEntry();
  });
}

/** The local name of a tag: some writers prefix the spreadsheet namespace (`x:row`). */
const local = (tag: { name: string }) => tag.name.slice(tag.name.indexOf(':') + 1);

/** A part's path in the zip from a relationship target (relative to `xl/`, or absolute from the root). */
function resolveTarget(target: string): string {
  const parts = (target.startsWith('/') ? target.slice(1) : `xl/${target}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/');
}

async function readRels(wb: Workbook, path: string): Promise<Map<string, { type: string; target: string }>> {
  const rels = new Map<string, { type: string; target: string }>();
  if (!wb.entries.has(path)) return rels;
  await parseEntry(wb, path, (p) => {
    p.on('opentag', (tag) => {
      if (local(tag) !== 'Relationship' || tag.attributes.TargetMode === 'External') return;
      rels.set(tag.attributes.Id ?? '', { type: tag.attributes.Type ?? '', target: resolveTarget(tag.attributes.Target ?? '') });
    });
  });
  return rels;
}

async function readStyles(wb: Workbook, path: string): Promise<NumberKind[]> {
  const formats = new Map<number, string>();
  const xfFormats: number[] = [];
  let inCellXfs = false;
  await parseEntry(wb, path, (p) => {
    p.on('opentag', (tag) => {
      const name = local(tag);
      if (name === 'numFmt') formats.set(Number(tag.attributes.numFmtId), tag.attributes.formatCode ?? '');
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) xfFormats.push(Number(tag.attributes.numFmtId ?? 0));
    });
    p.on('closetag', (tag) => {
      if (local(tag) === 'cellXfs') inCellXfs = false;
    });
  });
  return xfFormats.map((id) => numberKind(id, formats.get(id)));
}

const BUILTIN_DATES = new Set([14, 15, 16, 17, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 57, 58]);
const BUILTIN_TIMES = new Set([18, 19, 20, 21, 32, 33, 45, 46, 47, 55, 56]);
/** `$#,##0_);($#,##0)` and its kin, and the accounting formats with a symbol. */
const BUILTIN_CURRENCIES = new Set([5, 6, 7, 8, 42, 44]);
const CURRENCY_SYMBOL = /[$€£¥]/;

/** Whether a number format shows a date, a date and time, a time of day, or a plain number. */
export function numberKind(id: number, code: string | undefined): NumberKind {
  if (code === undefined || id < 164) {
    if (BUILTIN_DATES.has(id)) return 'date';
    if (BUILTIN_TIMES.has(id)) return 'time';
    if (id === 22) return 'datetime';
    if (BUILTIN_CURRENCIES.has(id)) return 'currency';
    if (code === undefined) return null;
  }
  // The positive section only, without quoted text, escapes, padding, colours and locales.
  const f = (code.split(';')[0] ?? '')
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/[_*]./g, '')
    .replace(/\[(h+|m+|s+)\]/gi, 'h')
    .replace(/\[[^\]]*\]/g, '');
  if (/^\s*general\s*$/i.test(f)) return null;
  const time = /[hs]/i.test(f) || /am\/pm|a\/p/i.test(f);
  const date = /[yd]/i.test(f) || (!time && /m/i.test(f));
  if (date || time) return date && time ? 'datetime' : date ? 'date' : 'time';
  // A symbol, quoted ("$") or as a currency tag ([$€-2]), but not a bare locale tag ([$-409]).
  return CURRENCY_SYMBOL.test((code.split(';')[0] ?? '').replace(/\[\$-[0-9A-Fa-f]+\]/g, '')) ? 'currency' : null;
}

/** Shared strings, rich text flattened to its plain text; phonetic guides are left out. */
async function readSharedStrings(wb: Workbook, path: string): Promise<string[]> {
  const strings: string[] = [];
  const { maxSharedStringsBytes, maxRecordBytes } = fileLimits();
  // Held in memory while the sheet is read: their characters and ~40 bytes each (the string and its slot).
  let held = 0;
  let current = '';
  let inText = false;
  let phonetic = 0;
  await parseEntry(wb, path, (p) => {
    p.on('opentag', (tag) => {
      const name = local(tag);
      if (name === 'si') current = '';
      else if (name === 'rPh') phonetic++;
      else if (name === 't' && phonetic === 0) inText = !tag.isSelfClosing;
    });
    const add = (t: string) => {
      if (!inText) return;
      current += t;
      if (current.length > maxRecordBytes) throw cellTooLong(path, maxRecordBytes);
    };
    p.on('text', add);
    p.on('cdata', add);
    p.on('closetag', (tag) => {
      const name = local(tag);
      if (name === 't') inText = false;
      else if (name === 'rPh') phonetic--;
      else if (name === 'si') {
        strings.push(unescapeOoxml(current));
        held += current.length + 40;
        if (held > maxSharedStringsBytes) {
          throw new Error(
            `This Excel workbook's shared text (xl/sharedStrings.xml) takes more than ${formatLimit(maxSharedStringsBytes)} of memory (${strings.length.toLocaleString('en-US')} strings so far; WEFT_FILES_MAX_SHARED_STRINGS_MB). Save the sheet as CSV and upload that.`,
          );
        }
      }
    });
  });
  return strings;
}

/** OOXML writes characters XML cannot hold as `_xHHHH_`. */
const unescapeOoxml = (s: string) => (s.includes('_x') ? s.replace(/_x([0-9a-fA-F]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : s);

/** Runs a SAX parser over one part of the zip, start to end. */
async function parseEntry(wb: Workbook, path: string, setup: (p: SaxesParser) => void): Promise<void> {
  const parser = new SaxesParser();
  setup(parser);
  const stream = await openEntry(wb, path);
  const guard = xmlGuard(parser, path);
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      parser.write(chunk);
      guard();
    }
    parser.close();
  } catch (err) {
    throw damagedPart(path, err);
  } finally {
    stream.destroy();
  }
}

async function openEntry(wb: Workbook, path: string): Promise<Readable> {
  const entry = wb.entries.get(path);
  if (!entry) throw new Error(`This Excel workbook is damaged: it lists ${path} but does not contain it. Open it in Excel and save it again.`);
  const stream = await new Promise<Readable>((resolve, reject) =>
    wb.zip.openReadStream(entry, (err, s) => (err || !s ? reject(damagedPart(path, err)) : resolve(s))),
  );
  stream.setEncoding('utf8');
  return stream;
}

const cellTooLong = (path: string, max: number) =>
  new Error(`This Excel workbook has a text in ${path} longer than ${formatChars(max)} (WEFT_FILES_MAX_RECORD_MB; a cell holds at most 32,767 characters in Excel). Save the sheet as CSV and upload that.`);

/** Excel's last column is XFD (16,384 columns); a reference past it is not Excel's, and would size arrays by it. */
const MAX_COLUMNS = 16_384;
/** Elements nest a handful of levels in a workbook's parts. */
const MAX_XML_DEPTH = 256;

/**
 * After each chunk: what the SAX parser holds for the markup it has not finished (a text node, a comment, a name, an
 * attribute list, open elements) stays under the limits, or the part is refused. saxes keeps these in private
 * fields and emits a text node only at its end, so a 2 GB comment or cell would otherwise be held whole.
 */
function xmlGuard(parser: SaxesParser, path: string): () => void {
  const { maxRecordBytes } = fileLimits();
  const held = parser as unknown as Record<string, unknown>;
  const long = (v: unknown) => typeof v === 'string' && v.length > maxRecordBytes;
  return () => {
    if (long(held.text) || long(held.name) || long(held.piTarget) || long(held.entity) || long(held.doctype)) throw cellTooLong(path, maxRecordBytes);
    const attributes = held.attribList;
    const tags = held.tags;
    if ((Array.isArray(attributes) && attributes.length > MAX_COLUMNS) || (Array.isArray(tags) && tags.length > MAX_XML_DEPTH)) {
      throw new Error(`This Excel workbook is damaged: ${path} nests elements or lists attributes far past what Excel writes. Open it in Excel and save it again.`);
    }
  };
}

function damagedPart(path: string, err: unknown): Error {
  if (err instanceof Error && err.message.startsWith('This Excel')) return err;
  const why = err instanceof Error ? err.message : String(err);
  return new Error(`This Excel workbook is damaged (${path}: ${why}). Open it in Excel and save it again.`);
}

// ---- one sheet, row by row ------------------------------------------------------------------------------

/** Column index (0-based) from a cell reference such as `AB12`. */
function columnOf(ref: string): number {
  let n = 0;
  for (const ch of ref) {
    const c = ch.charCodeAt(0);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

/** The sheet's non-empty rows in order, parsed one zip chunk at a time. */
async function* sheetRows(wb: Workbook, sheet: SheetRef): AsyncGenerator<SheetRow> {
  const parser = new SaxesParser();
  const ready: SheetRow[] = [];
  let row: SheetRow | null = null;
  let lastRow = 0;
  let col = -1;
  let type = 'n';
  let style = 0;
  let text = '';
  let inValue = false;
  let phonetic = 0;
  parser.on('opentag', (tag: SaxesTagPlain) => {
    switch (local(tag)) {
      case 'row': {
        const r = Number(tag.attributes.r);
        lastRow = Number.isInteger(r) && r > 0 ? r : lastRow + 1;
        row = { rowNumber: lastRow, cells: [], bytes: 0 };
        col = -1;
        break;
      }
      case 'c': {
        const ref = tag.attributes.r;
        col = ref ? columnOf(ref) : col + 1;
        if (col >= MAX_COLUMNS) throw new Error(`This Excel workbook is damaged: ${sheet.path} has a cell (${ref ?? `number ${col + 1} in row ${lastRow}`}) past column XFD, Excel's last. Open it in Excel and save it again.`);
        type = tag.attributes.t ?? 'n';
        style = Number(tag.attributes.s ?? 0);
        text = '';
        break;
      }
      case 'v':
        inValue = !tag.isSelfClosing;
        break;
      case 'rPh':
        phonetic++;
        break;
      case 't':
        // Inline strings; their phonetic guides are left out.
        inValue = phonetic === 0 && !tag.isSelfClosing;
        break;
    }
  });
  const { maxRecordBytes } = fileLimits();
  const onText = (t: string) => {
    if (!inValue) return;
    text += t;
    if (text.length > maxRecordBytes) throw cellTooLong(sheet.path, maxRecordBytes);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', (tag: SaxesTagPlain) => {
    switch (local(tag)) {
      case 'v':
      case 't':
        inValue = false;
        break;
      case 'rPh':
        phonetic--;
        break;
      case 'c': {
        const current = row as SheetRow | null;
        if (!current || col < 0) break;
        const cell = cellOf(wb, col, type, style, text);
        if (cell) {
          current.cells.push(cell);
          // A shared string is held once, but each row that shows it carries a copy on from here.
          current.bytes += 16 + ('value' in cell && typeof cell.value === 'string' ? cell.value.length : 0);
          if (current.bytes > maxRecordBytes) {
            throw new Error(`This Excel workbook has a row (${current.rowNumber} in ${sheet.path}) whose cells hold more than ${formatChars(maxRecordBytes)} of text (WEFT_FILES_MAX_RECORD_MB). Save the sheet as CSV and upload that.`);
          }
        }
        break;
      }
      case 'row': {
        const done = row as SheetRow | null;
        if (done && done.cells.length > 0) ready.push(done);
        row = null;
        break;
      }
    }
  });
  const stream = await openEntry(wb, sheet.path);
  const guard = xmlGuard(parser, sheet.path);
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      try {
        parser.write(chunk);
        guard();
      } catch (err) {
        throw damagedPart(sheet.path, err);
      }
      while (ready.length > 0) yield ready.shift() as SheetRow;
    }
    parser.close();
    while (ready.length > 0) yield ready.shift() as SheetRow;
  } finally {
    stream.destroy();
  }
}

/** One cell's value as Excel shows it, or null for a cell that holds nothing. */
function cellOf(wb: Workbook, col: number, type: string, style: number, raw: string): Cell | null {
  const value = (v: CellValue): Cell | null => (v === null || v === '' ? null : { col, value: v });
  switch (type) {
    case 's':
      return value(raw.trim() === '' ? null : (wb.sharedStrings[Number(raw)] ?? null));
    case 'inlineStr':
    case 'str':
      return value(unescapeOoxml(raw));
    case 'b':
      return raw === '' ? null : { col, value: raw.trim() === '1' || raw.trim().toLowerCase() === 'true' };
    case 'e':
      return raw === '' ? null : { col, error: raw.trim() };
    case 'd':
      return value(isoFromText(raw.trim()));
    default: {
      if (raw.trim() === '') return null;
      const n = Number(raw);
      if (!Number.isFinite(n)) return value(raw);
      const kind = wb.styles[style] ?? null;
      if (kind === 'currency') return { col, value: n, currency: true };
      return value(kind ? fromSerial(n, kind, wb.date1904) : n);
    }
  }
}

const DAY_MS = 86_400_000;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * A date serial as ISO text. Excel counts days from 1899-12-30 (with its phantom 1900-02-29, so serials
 * before 60 are a day off) or from 1904-01-01. Time-of-day formats give `HH:MM:SS`; a date format gives
 * `YYYY-MM-DD` unless the value has a time of day, then, like date-and-time formats, an ISO date-time in UTC.
 */
export function fromSerial(serial: number, kind: 'date' | 'datetime' | 'time', date1904 = false): string {
  if (kind === 'time') {
    const seconds = Math.round((serial - Math.floor(serial)) * 86_400) % 86_400;
    const hours = Math.floor(serial) * 24 + Math.floor(seconds / 3600);
    return `${pad(hours)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
  }
  const days = !date1904 && serial < 60 ? serial + 1 : serial;
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  const ms = epoch + Math.round(days * DAY_MS);
  const iso = new Date(ms).toISOString();
  return kind === 'date' && ms % DAY_MS === 0 ? iso.slice(0, 10) : iso;
}

/** `t="d"` cells hold ISO text already. */
function isoFromText(text: string): string | null {
  if (text === '') return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return text;
  const c = convertValue(text, 'datetime');
  if (!c.ok) return text;
  const iso = String(c.value);
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}
