import { describe, expect, it } from 'vitest';
import { scratchDir } from '../../test/support/scratch-dir';
import { readCsvBatches, sniffCsv, uniqueColumnNames, type CsvBatch, type ReadCsvOptions } from './csv';

const { file } = scratchDir('weft-csv-');

async function readAll(path: string, opts: Partial<ReadCsvOptions> & Pick<ReadCsvOptions, 'columns'>): Promise<CsvBatch[]> {
  const batches: CsvBatch[] = [];
  for await (const b of readCsvBatches(path, { delimiter: ',', hasHeader: true, batchSize: 100, ...opts })) batches.push(b);
  return batches;
}

const cols = (...names: string[]) => names.map((name) => ({ name }));

describe('sniffCsv', () => {
  it('detects a comma file with a header, typed columns and samples', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i + 1},Person ${i},2024-01-${String((i % 28) + 1).padStart(2, '0')},$${i}.50,${i % 2 ? 'yes' : 'no'}`);
    const path = await file(`id,name,joined,amount,active\n${rows.join('\n')}\n`);
    const s = await sniffCsv(path);
    expect(s.delimiter).toBe(',');
    expect(s.hasHeader).toBe(true);
    expect(s.columns).toEqual([
      { name: 'id', type: 'number' },
      { name: 'name', type: 'text' },
      { name: 'joined', type: 'date' },
      { name: 'amount', type: 'currency' },
      { name: 'active', type: 'boolean' },
    ]);
    expect(s.sampleRows).toHaveLength(10);
    expect(s.sampleRows[0]).toEqual({ id: '1', name: 'Person 0', joined: '2024-01-01', amount: '$0.50', active: 'no' });
  });

  it('detects semicolon, tab and pipe delimiters, even with commas inside values', async () => {
    const semi = await sniffCsv(await file('name;amount;note\nAda;1,5;"a, b, c"\nBob;2,25;x, y\n'));
    expect(semi.delimiter).toBe(';');
    expect(semi.columns.map((c) => c.name)).toEqual(['name', 'amount', 'note']);
    expect((await sniffCsv(await file('a\tb\n1\t2\n3\t4\n'))).delimiter).toBe('\t');
    expect((await sniffCsv(await file('a|b|c\n1|2|3\n'))).delimiter).toBe('|');
  });

  it('sees a first row of data as data, and names the columns', async () => {
    const s = await sniffCsv(await file('1,Ada,2024-01-01\n2,Bob,2024-02-01\n'));
    expect(s.hasHeader).toBe(false);
    expect(s.columns.map((c) => c.name)).toEqual(['Column 1', 'Column 2', 'Column 3']);
    expect(s.columns[0]?.type).toBe('number');
    expect(s.sampleRows).toHaveLength(2);
  });

  it('gives blank and duplicate headers unique names', async () => {
    const s = await sniffCsv(await file('email,,Email,name,\nx,y,z,w,v\n'));
    expect(s.columns.map((c) => c.name)).toEqual(['email', 'Column 2', 'Email 2', 'name', 'Column 5']);
    expect(uniqueColumnNames(['a', 'a', 'a 2'], 3)).toEqual(['a', 'a 2', 'a 2 2']);
  });

  it('strips a BOM and reads only the start of a big file', async () => {
    const body = Array.from({ length: 20_000 }, (_, i) => `${i},name ${i}`).join('\n');
    const s = await sniffCsv(await file(`\ufeffid,name\n${body}\n`));
    expect(s.columns[0]).toEqual({ name: 'id', type: 'number' });
  });

  it("reads lines that end with a lone '\\r' (\"CSV (Macintosh)\"), small and past the sample", async () => {
    // Lines were split only at '\n': such a file past 64 KB was refused as one long line, a smaller one was one line
    // whose most frequent character became the delimiter (',' here: one column "id;name;note", no sample rows).
    for (const rows of [50, 6000]) {
      const body = Array.from({ length: rows }, (_, i) => `${i};"name\r${i}";a,b`).join('\r');
      const s = await sniffCsv(await file(`id;name;note\r${body}\r`));
      expect(s.delimiter).toBe(';');
      expect(s.columns).toEqual([{ name: 'id', type: 'number' }, { name: 'name', type: 'text' }, { name: 'note', type: 'text' }]);
      expect(s.sampleRows[1]).toEqual({ id: '1', name: 'name\r1', note: 'a,b' });
    }
  });

  it('refuses empty and binary files with a message for a person', async () => {
    await expect(sniffCsv(await file(''))).rejects.toThrow(/file is empty/);
    await expect(sniffCsv(await file('\n  \n'))).rejects.toThrow(/file is empty/);
    await expect(sniffCsv(await file(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00])))).rejects.toThrow(/not a text file/);
  });
});

describe('readCsvBatches', () => {
  it('streams rows in batches with 1-based data row numbers and a resume cursor', async () => {
    const path = await file(`id,name\n${Array.from({ length: 25 }, (_, i) => `${i + 1},n${i + 1}`).join('\n')}\n`);
    const batches = await readAll(path, { columns: cols('id', 'name'), batchSize: 10 });
    expect(batches.map((b) => b.rows.length)).toEqual([10, 10, 5]);
    expect(batches.map((b) => b.nextRow)).toEqual([10, 20, 25]);
    expect(batches[0]?.rowNumbers[0]).toBe(1);
    expect(batches[2]?.rows[4]).toEqual({ id: '25', name: 'n25' });
    expect(batches[2]?.rowNumbers[4]).toBe(25);
  });

  it('resumes from startRow', async () => {
    const path = await file(`id,name\n${Array.from({ length: 25 }, (_, i) => `${i + 1},n${i + 1}`).join('\n')}\n`);
    const batches = await readAll(path, { columns: cols('id', 'name'), batchSize: 10, startRow: 20 });
    expect(batches).toHaveLength(1);
    expect(batches[0]?.rowNumbers).toEqual([21, 22, 23, 24, 25]);
    expect(batches[0]?.nextRow).toBe(25);
    expect(await readAll(path, { columns: cols('id', 'name'), startRow: 25 })).toEqual([]);
  });

  it('turns rows with the wrong number of values into malformed entries and keeps going', async () => {
    const path = await file('a,b,c,d\n1,2,3,4\n5,6,7\n8,9,10,11,12\n13,14,15,16\n');
    const [b] = await readAll(path, { columns: cols('a', 'b', 'c', 'd') });
    expect(b?.rowNumbers).toEqual([1, 4]);
    expect(b?.malformed).toEqual([
      { rowNumber: 2, raw: { a: '5', b: '6', c: '7' }, reason: 'row 2 has 3 values but the header has 4' },
      { rowNumber: 3, raw: { a: '8', b: '9', c: '10', d: '11', 'Column 5': '12' }, reason: 'row 3 has 5 values but the header has 4' },
    ]);
  });

  it('reports an unclosed quote on its row and reads the rows after it', async () => {
    const path = await file('a,b\n1,ok\n2,"broken\n3,fine\n4,"also fine"\n');
    const [b] = await readAll(path, { columns: cols('a', 'b') });
    expect(b?.rows).toEqual([{ a: '1', b: 'ok' }, { a: '3', b: 'fine' }, { a: '4', b: 'also fine' }]);
    expect(b?.rowNumbers).toEqual([1, 3, 4]);
    expect(b?.malformed).toEqual([{ rowNumber: 2, raw: { line: '2,"broken' }, reason: 'row 2 has a quote (") that is never closed' }]);
    expect(b?.nextRow).toBe(4);
  });

  it('reports other broken quoting on its row and keeps going', async () => {
    const path = await file('a,b\n1,say "hi"\n2,"quoted" then text\n3,ok\n4,"never closed\n');
    const [b] = await readAll(path, { columns: cols('a', 'b') });
    expect(b?.rows).toEqual([{ a: '3', b: 'ok' }]);
    expect(b?.malformed.map((m) => [m.rowNumber, m.raw, m.reason])).toEqual([
      [1, { line: '1,say "hi"' }, expect.stringMatching(/^row 1 has a quote \(\"\) inside a value/)],
      [2, { line: '2,"quoted" then text' }, expect.stringMatching(/^row 2 has a quoted value with more text after its closing quote/)],
      [4, { line: '4,"never closed' }, 'row 4 has a quote (") that is never closed'],
    ]);
    expect(b?.nextRow).toBe(4);
  });

  it('recovers from an unclosed quote followed by a lot of data', async () => {
    const rest = Array.from({ length: 20_000 }, (_, i) => `${i + 3},row ${i + 3}`).join('\n');
    const path = await file(`a,b\n1,ok\n2,"unclosed\n${rest}\n`);
    const all = await readAll(path, { columns: cols('a', 'b'), batchSize: 5000 });
    expect(all.flatMap((b) => b.malformed)).toEqual([{ rowNumber: 2, raw: { line: '2,"unclosed' }, reason: 'row 2 has a quote (") that is never closed' }]);
    expect(all.reduce((n, b) => n + b.rows.length, 0)).toBe(20_001);
    expect(all.at(-1)?.rows.at(-1)).toEqual({ a: '20002', b: 'row 20002' });
  });

  it('keeps quoted fields with newlines, delimiters and escaped quotes', async () => {
    const path = await file('id,note\r\n1,"line one\r\nline two"\r\n2,"a, ""quoted"" b"\r\n\r\n3,\r\n');
    const [b] = await readAll(path, { columns: cols('id', 'note') });
    expect(b?.rows).toEqual([
      { id: '1', note: 'line one\r\nline two' },
      { id: '2', note: 'a, "quoted" b' },
      { id: '3', note: null },
    ]);
    expect(b?.rowNumbers).toEqual([1, 2, 3]);
  });

  it('strips a BOM and reads semicolon files without a header', async () => {
    const path = await file('\ufeff1;Ada;1,5\n2;Bob;2,5\n');
    const [b] = await readAll(path, { delimiter: ';', hasHeader: false, columns: cols('Column 1', 'Column 2', 'Column 3') });
    expect(b?.rows).toEqual([
      { 'Column 1': '1', 'Column 2': 'Ada', 'Column 3': '1,5' },
      { 'Column 1': '2', 'Column 2': 'Bob', 'Column 3': '2,5' },
    ]);
    const [h] = await readAll(await file('\ufeffname;n\nAda;1\n'), { delimiter: ';', columns: cols('name', 'n') });
    expect(h?.rows).toEqual([{ name: 'Ada', n: '1' }]);
  });

  it('counts malformed rows toward batches and resumes across them', async () => {
    const lines = Array.from({ length: 12 }, (_, i) => (i % 4 === 3 ? `${i + 1}` : `${i + 1},x`));
    const path = await file(`a,b\n${lines.join('\n')}\n`);
    const all = await readAll(path, { columns: cols('a', 'b'), batchSize: 5 });
    expect(all.map((b) => b.rows.length + b.malformed.length)).toEqual([5, 5, 2]);
    expect(all.flatMap((b) => b.malformed.map((m) => m.rowNumber))).toEqual([4, 8, 12]);
    const resumed = await readAll(path, { columns: cols('a', 'b'), batchSize: 5, startRow: all[0]?.nextRow ?? 0 });
    expect(resumed.flatMap((b) => b.rowNumbers)).toEqual(all.slice(1).flatMap((b) => b.rowNumbers));
  });

  it('streams a large file batch by batch', async () => {
    const count = 50_000;
    const path = await file(`id,name,amount\n${Array.from({ length: count }, (_, i) => `${i + 1},"Name, ${i}",${i}.25`).join('\n')}\n`);
    let rows = 0;
    let batches = 0;
    for await (const b of readCsvBatches(path, { delimiter: ',', hasHeader: true, columns: cols('id', 'name', 'amount'), batchSize: 5000 })) {
      rows += b.rows.length;
      batches++;
    }
    expect(rows).toBe(count);
    expect(batches).toBe(10);
  });
});
