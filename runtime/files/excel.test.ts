import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../../test/support/scratch-dir';
import { fromSerial, numberKind } from './excel';
import { detectFormat, readFileBatches, sniffFile, type FileBatch, type ReadFileOptions } from './formats';
import { detectCompression } from './source';
import { writeXlsx, type TestWorkbook } from '../../test/support/xlsx-test-writer';

// workbook.xlsx is written by openpyxl (test/fixtures/files/make-workbook.py): sheets Lookup (hidden), Customers,
// Orders (no header) and Empty; Customers has dates, date-times, times, booleans, currency, rich text and #N/A.
const FIXTURE = join(__dirname, '../../test/fixtures/files/workbook.xlsx');

const scratch = scratchDir('weft-excel-');

const cols = (...names: string[]) => names.map((name) => ({ name }));

async function book(wb: TestWorkbook, name = 'book.xlsx'): Promise<string> {
  const path = scratch.path(name);
  await writeXlsx(path, wb);
  return path;
}

async function readAll(path: string, opts: Partial<ReadFileOptions> & Pick<ReadFileOptions, 'columns'>): Promise<FileBatch[]> {
  const batches: FileBatch[] = [];
  for await (const b of readFileBatches(path, { format: 'excel', compression: 'none', delimiter: ',', hasHeader: true, batchSize: 100, ...opts })) batches.push(b);
  return batches;
}

/** A row of cells: `[ref, attributes, inner XML]`. */
const row = (r: number, ...cells: [string, string, string][]) => `<row r="${r}">${cells.map(([ref, attrs, inner]) => `<c r="${ref}"${attrs ? ` ${attrs}` : ''}>${inner}</c>`).join('')}</row>`;

/** Shared strings, formulas with cached results, errors, rich text with phonetic guides, custom formats. */
const handWritten: TestWorkbook = {
  sharedStrings: ['<t>sku</t>', '<t>total</t>', '<t>label</t>', '<t>when</t>', '<t>flag</t>', '<r><t>Big </t></r><r><rPr><b/></rPr><t>Box</t></r><rPh sb="0" eb="1"><t>ビッグ</t></rPh>', '<t>line_x000A_break</t>', '<t>ratio</t>'],
  numFmts: { 164: 'dd/mm/yyyy', 165: '[$-409]m/d/yy\\ h:mm\\ AM/PM;@', 166: '"Due "yyyy-mm-dd', 167: '0.00%' },
  cellXfs: [0, 164, 165, 166, 167, 14],
  sheets: [
    {
      name: 'Calc',
      rows: [
        row(1, ['A1', 't="s"', '<v>0</v>'], ['B1', 't="s"', '<v>1</v>'], ['C1', 't="s"', '<v>2</v>'], ['D1', 't="s"', '<v>3</v>'], ['E1', 't="s"', '<v>4</v>'], ['F1', 't="s"', '<v>7</v>']),
        row(2, ['A2', '', '<v>7</v>'], ['B2', '', '<f>A2*3</f><v>21</v>'], ['C2', 't="s"', '<v>5</v>'], ['D2', 's="1"', '<v>45306</v>'], ['E2', 't="b"', '<f>A2&gt;5</f><v>1</v>'], ['F2', 's="4"', '<v>0.25</v>']),
        row(3, ['A3', '', '<v>8</v>'], ['B3', 't="str"', '<f>"x"&amp;A3</f><v>x8</v>'], ['C3', 't="s"', '<v>6</v>'], ['D3', 's="2"', '<v>45306.75</v>'], ['F3', 't="e"', '<f>A3/0</f><v>#DIV/0!</v>']),
        // A formula never calculated has no cached value: it reads as empty.
        row(6, ['A6', '', '<v>9</v>'], ['B6', '', '<f>A6*3</f>'], ['C6', 't="inlineStr"', '<is><t>inline</t></is>'], ['D6', 's="3"', '<v>45307</v>'], ['G6', '', '<v>99</v>']),
        row(7),
      ],
    },
  ],
};

describe('numberKind and fromSerial', () => {
  it('tells date, date-time and time formats from number formats', () => {
    expect([14, 15, 22, 20, 46, 0, 2, 9].map((id) => numberKind(id, undefined))).toEqual(['date', 'date', 'datetime', 'time', 'time', null, null, null]);
    expect(numberKind(164, 'yyyy-mm-dd')).toBe('date');
    expect(numberKind(164, 'mmm yyyy')).toBe('date');
    expect(numberKind(164, 'yyyy-mm-dd h:mm')).toBe('datetime');
    expect(numberKind(164, '[h]:mm:ss')).toBe('time');
    expect(numberKind(164, '"$"#,##0.00')).toBe('currency');
    expect(numberKind(164, '[$€-2] #,##0.00')).toBe('currency');
    expect(numberKind(7, undefined)).toBe('currency');
    expect(numberKind(164, '[$-409]#,##0.00')).toBe(null);
    expect(numberKind(164, '[Red]#,##0;[Blue]-#,##0')).toBe(null);
    expect(numberKind(164, '0.00"days"')).toBe(null);
    expect(numberKind(164, 'General')).toBe(null);
  });

  it('counts days like Excel, in both date systems', () => {
    expect(fromSerial(45306, 'date')).toBe('2024-01-15');
    expect(fromSerial(45306.5, 'date')).toBe('2024-01-15T12:00:00.000Z');
    expect(fromSerial(45306, 'datetime')).toBe('2024-01-15T00:00:00.000Z');
    expect(fromSerial(1, 'date')).toBe('1900-01-01');
    expect(fromSerial(59, 'date')).toBe('1900-02-28');
    expect(fromSerial(61, 'date')).toBe('1900-03-01');
    expect(fromSerial(0, 'date', true)).toBe('1904-01-01');
    expect(fromSerial(43844, 'date', true)).toBe('2024-01-15');
    expect(fromSerial(0.3229166666666667, 'time')).toBe('07:45:00');
  });
});

describe('Excel detection', () => {
  it('takes an .xlsx for Excel, not for a zip of files, by its entries or its name', async () => {
    const renamed = scratch.path('export.zip');
    await copyFile(FIXTURE, renamed);
    expect(await detectCompression(renamed)).toBe('none');
    const s = await sniffFile(renamed, 'export.zip');
    expect(s).toMatchObject({ format: 'excel', compression: 'none', encrypted: false, sheet: 'Customers' });
    expect(detectFormat('report.XLSX', Buffer.from('anything'))).toBe('excel');
  });

  it('refuses .xls, .xlsb, password-protected workbooks, Excel in gzip and Excel in a zip, saying what to do', async () => {
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
    const xls = scratch.path('old.xls');
    await writeFile(xls, ole);
    await expect(sniffFile(xls, 'old.xls')).rejects.toThrow('This is an old Excel .xls workbook, which Weft cannot read. Open it in Excel and save it as .xlsx');
    await expect(sniffFile(xls, 'download')).rejects.toThrow('save it as .xlsx');
    await expect(sniffFile(xls, 'locked.xlsx')).rejects.toThrow('This Excel workbook is protected by a password');
    expect(() => detectFormat('data.xlsb', Buffer.from('PK'))).toThrow('Excel binary workbook (.xlsb)');
    const gz = scratch.path('book.xlsx.gz');
    await writeFile(gz, gzipSync(await import('node:fs/promises').then((fs) => fs.readFile(FIXTURE))));
    await expect(sniffFile(gz, 'book.xlsx.gz')).rejects.toThrow('This gzip holds an Excel workbook');
  });
});

describe('sniffing a workbook', () => {
  it('reads the first visible sheet of an openpyxl workbook with typed columns and lists every sheet', async () => {
    const s = await sniffFile(FIXTURE, 'workbook.xlsx');
    expect(s).toMatchObject({ format: 'excel', compression: 'none', encrypted: false, sheet: 'Customers', sheets: ['Lookup', 'Customers', 'Orders', 'Empty'], hasHeader: true });
    expect(s.columns).toEqual([
      { name: 'id', type: 'number' },
      { name: 'name', type: 'text' },
      { name: 'joined', type: 'date' },
      { name: 'last_seen', type: 'datetime' },
      { name: 'active', type: 'boolean' },
      { name: 'mrr', type: 'currency' },
      { name: 'note', type: 'text' },
      { name: 'alarm', type: 'text' },
      { name: 'check', type: 'text' },
    ]);
    expect(s.sampleRows).toEqual([
      { id: '1', name: 'Ada', joined: '2024-01-15', last_seen: '2024-03-01T09:30:00.000Z', active: 'true', mrr: '1234.5', note: 'Very important', alarm: '07:45:00', check: 'ok' },
      { id: '2', name: 'Bob', joined: '1999-12-31', last_seen: '2024-03-02T00:00:00.000Z', active: 'false', mrr: '0.1', note: 'plain', alarm: '23:00:05', check: '' },
      { id: '3', name: '  Cy  ', joined: '', last_seen: '', active: '', mrr: '-7', note: '', alarm: '', check: '' },
    ]);
  });

  it('reads a chosen sheet, detects a missing header, and names a sheet that does not exist', async () => {
    const s = await sniffFile(FIXTURE, 'workbook.xlsx', { sheet: 'orders' });
    expect(s).toMatchObject({ sheet: 'Orders', hasHeader: false });
    expect(s.columns).toEqual([
      { name: 'Column 1', type: 'number' },
      { name: 'Column 2', type: 'number' },
      { name: 'Column 3', type: 'date' },
    ]);
    const hidden = await sniffFile(FIXTURE, 'workbook.xlsx', { sheet: 'Lookup', hasHeader: false });
    expect(hidden.sampleRows[0]).toEqual({ 'Column 1': 'code', 'Column 2': 'label' });
    await expect(sniffFile(FIXTURE, 'workbook.xlsx', { sheet: 'Sales' })).rejects.toThrow('This workbook has no sheet named "Sales" (it has "Lookup", "Customers", "Orders", "Empty").');
    await expect(sniffFile(FIXTURE, 'workbook.xlsx', { sheet: 'Empty' })).rejects.toThrow('The sheet "Empty" is empty: it has no header and no rows.');
  });

  it('gives formulas their cached results, flattens rich text and reads custom formats, with a prefixed namespace too', async () => {
    for (const prefix of [undefined, 'x']) {
      const s = await sniffFile(await book({ ...handWritten, ...(prefix ? { prefix } : {}) }), 'calc.xlsx');
      // "total" mixes a number and a text result: text, as in a CSV.
      expect(s.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['sku:number', 'total:text', 'label:text', 'when:datetime', 'flag:boolean', 'ratio:number']);
      expect(s.sampleRows).toEqual([
        { sku: '7', total: '21', label: 'Big Box', when: '2024-01-15', flag: 'true', ratio: '0.25' },
        { sku: '8', total: 'x8', label: 'line\nbreak', when: '2024-01-15T18:00:00.000Z', flag: '', ratio: '' },
        { sku: '9', total: '', label: 'inline', when: '2024-01-16', flag: '', ratio: '' },
      ]);
    }
  });
  it('counts from 1904 when the workbook says so, and reads ISO date cells', async () => {
    const path = await book({
      date1904: true,
      cellXfs: [0, 14, 22],
      sheets: [{ name: 'Mac', rows: [row(1, ['A1', 's="1"', '<v>43844</v>'], ['B1', 's="2"', '<v>43844.25</v>'], ['C1', 't="d"', '<v>2024-01-15</v>'], ['D1', 't="d"', '<v>2024-01-15T06:00:00Z</v>'])] }],
    });
    const s = await sniffFile(path, 'mac.xlsx', { hasHeader: false });
    expect(s.sampleRows).toEqual([{ 'Column 1': '2024-01-15', 'Column 2': '2024-01-15T06:00:00.000Z', 'Column 3': '2024-01-15', 'Column 4': '2024-01-15T06:00:00.000Z' }]);
    expect(s.columns.map((c) => c.type)).toEqual(['date', 'datetime', 'date', 'datetime']);
  });
});

describe('reading a workbook', () => {
  it('keeps numbers and booleans typed, dates as ISO text, skips empty rows and rejects rows with error cells', async () => {
    const columns = cols('id', 'name', 'joined', 'last_seen', 'active', 'mrr', 'note', 'alarm', 'check');
    const [b, more] = await readAll(FIXTURE, { columns });
    expect(more).toBeUndefined();
    expect(b?.rows).toEqual([
      { id: 1, name: 'Ada', joined: '2024-01-15', last_seen: '2024-03-01T09:30:00.000Z', active: true, mrr: 1234.5, note: 'Very important', alarm: '07:45:00', check: 'ok' },
      { id: 3, name: '  Cy  ', joined: null, last_seen: null, active: null, mrr: -7, note: null, alarm: null, check: null },
    ]);
    // Excel's own row numbers: row 3 is empty, row 4 has #N/A.
    expect(b?.rowNumbers).toEqual([2, 5]);
    expect(b?.malformed).toEqual([
      {
        rowNumber: 4,
        raw: { id: 2, name: 'Bob', joined: '1999-12-31', last_seen: '2024-03-02T00:00:00.000Z', active: false, mrr: 0.1, note: 'plain', alarm: '23:00:05', check: '#N/A' },
        reason: 'row 4: check shows the Excel error #N/A (fix the formula or the value in the workbook)',
      },
    ]);
    expect(b?.nextRow).toBe(5);
  });

  it('reads without a header, a chosen sheet, and leaves cells right of the last column out', async () => {
    const [b] = await readAll(FIXTURE, { sheet: 'Orders', hasHeader: false, columns: cols('order', 'amount') });
    expect(b?.rows).toEqual([
      { order: 1001, amount: 19.99 },
      { order: 1002, amount: 5 },
    ]);
    expect(b?.rowNumbers).toEqual([1, 2]);
    expect(await readAll(FIXTURE, { sheet: 'Empty', columns: cols('a') })).toEqual([]);
  });

  it('rejects an error from a formula and reads an uncalculated formula as empty', async () => {
    const [b] = await readAll(await book(handWritten), { columns: cols('sku', 'total', 'label', 'when', 'flag', 'ratio') });
    expect(b?.rows.map((r) => [r.sku, r.total, r.flag])).toEqual([
      [7, 21, true],
      [9, null, null],
    ]);
    expect(b?.malformed.map((m) => m.reason)).toEqual(['row 3: ratio shows the Excel error #DIV/0! (fix the formula or the value in the workbook)']);
  });

  it('resumes after a sheet row, in batches whose nextRow is the last row read', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => row(i + 2, [`A${i + 2}`, '', `<v>${i + 1}</v>`], [`B${i + 2}`, 't="inlineStr"', `<is><t>n${i + 1}</t></is>`]));
    const path = await book({ sheets: [{ name: 'S', rows: [row(1, ['A1', 't="inlineStr"', '<is><t>id</t></is>'], ['B1', 't="inlineStr"', '<is><t>name</t></is>']), ...rows] }] });
    const all = await readAll(path, { columns: cols('id', 'name'), batchSize: 10 });
    expect(all.map((b) => b.nextRow)).toEqual([11, 21, 26]);
    const resumed = await readAll(path, { columns: cols('id', 'name'), batchSize: 10, startRow: all[1]?.nextRow ?? -1 });
    // Sheet row 21 holds id 20: the resume starts at row 22.
    expect(resumed.flatMap((b) => b.rows.map((r) => r.id))).toEqual([21, 22, 23, 24, 25]);
    expect(resumed.flatMap((b) => b.rowNumbers)).toEqual([22, 23, 24, 25, 26]);
  });

  it('says plainly when the workbook is damaged', async () => {
    const broken = await book({ sheets: [{ name: 'S', rows: ['<row r="1"><c r="A1"><v>1</v></c>', '</oops>'] }] });
    await expect(readAll(broken, { columns: cols('a'), hasHeader: false })).rejects.toThrow(/^This Excel workbook is damaged \(xl\/worksheets\/sheet1\.xml: /);
  });

  it('streams a large sheet without the heap growing with it', { timeout: 120_000 }, async () => {
    const count = 150_000;
    const filler = 'y'.repeat(120);
    let xmlBytes = 0;
    function* rows(): Generator<string> {
      for (let i = 2; i <= count + 1; i++) {
        const r = row(i, [`A${i}`, '', `<v>${i}</v>`], [`B${i}`, 't="s"', `<v>${i % 3}</v>`], [`C${i}`, 's="1"', `<v>${45000 + (i % 400)}</v>`], [`D${i}`, 't="inlineStr"', `<is><t>${filler}${i}</t></is>`]);
        xmlBytes += r.length;
        yield r;
      }
    }
    const path = await book({
      sharedStrings: ['<t>a</t>', '<t>b</t>', '<t>c</t>', '<t>id</t>', '<t>kind</t>', '<t>day</t>', '<t>note</t>'],
      cellXfs: [0, 14],
      sheets: [{ name: 'Big', rows: (function* () {
        yield row(1, ['A1', 't="s"', '<v>3</v>'], ['B1', 't="s"', '<v>4</v>'], ['C1', 't="s"', '<v>5</v>'], ['D1', 't="s"', '<v>6</v>']);
        yield* rows();
      })() }],
    });
    expect(xmlBytes).toBeGreaterThan(30 * 1024 * 1024);

    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    let retained = 0;
    let read = 0;
    let batches = 0;
    let lastDay: unknown = null;
    for await (const b of readFileBatches(path, { format: 'excel', compression: 'none', delimiter: ',', hasHeader: true, columns: cols('id', 'kind', 'day', 'note'), batchSize: 5000 })) {
      read += b.rows.length;
      lastDay = b.rows.at(-1)?.day;
      // What survives a full collection is what the reader holds on to; garbage between collections is not growth.
      if (++batches % 5 === 0) {
        gc();
        retained = Math.max(retained, process.memoryUsage().heapUsed - before);
      }
    }
    expect(read).toBe(count);
    expect(lastDay).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Holding the rows read so far would keep tens of MB (the XML is over 30 MB); streaming keeps about one
    // batch and one chunk (measured: under 3 MB at 150,000 and at 600,000 rows).
    expect(retained).toBeLessThan(16 * 1024 * 1024);
    expect(batches).toBe(30);
  });
});
