// A CSV of many short lines with a bad quote (a stray `"` inside a value, or one never closed) is read in time linear
// in its size: 800 KB of such lines kept a worker busy for two minutes. Each bad line reopened the file and read the
// next 256 KB again, and csv-parse, lost after the first quoting error of a window, made an error (a stack trace and
// a JSON copy of its state) of nearly every record after it, though only the first counts. Counted here, not timed:
// the reopens (the stored file's read position going back) and the errors csv-parse makes (Error.captureStackTrace
// called for a CsvError). The rows and rejections stay what csv-parse alone gives (csv-split.test.ts for the rest).
import { afterEach, describe, expect, it } from 'vitest';
import { scratchDir } from '../../test/support/scratch-dir';
import { readCsvBatches, type CsvBatch } from './csv';

const { file } = scratchDir('weft-csv-bad-lines-');
const columns = ['id', 'name', 'note'].map((name) => ({ name }));

const capture = Error.captureStackTrace;
afterEach(() => {
  Error.captureStackTrace = capture;
});

/** Reads the file with the given parser, counting reopens and csv-parse's errors. */
async function read(path: string, parser: 'split' | 'csv-parse', hasHeader = true) {
  let csvErrors = 0;
  Error.captureStackTrace = function (target: object, ctor?: (...a: never[]) => unknown) {
    if (ctor?.name === 'CsvError') csvErrors++;
    capture.call(Error, target, ctor);
  } as typeof Error.captureStackTrace;
  let reopens = 0;
  let last = -1;
  const batches: CsvBatch[] = [];
  const src = { path, compression: 'none' as const, onRead: (position: number) => {
    if (position <= last) reopens++;
    last = position;
  } };
  try {
    for await (const b of readCsvBatches(src, { delimiter: ',', hasHeader, columns, batchSize: 500, parser })) batches.push(b);
  } finally {
    Error.captureStackTrace = capture;
  }
  return { batches, csvErrors, reopens };
}

const lines = (n: number, bad: (i: number) => string, eol = '\n') => ['id,name,note', ...Array.from({ length: n }, (_, i) => (i % 2 === 0 ? bad(i) : `${i},ok,fine`))].join(eol) + eol;
const pad = 'x'.repeat(90);

describe('a CSV of many short lines with a bad quote', () => {
  for (const [kind, bad] of [
    ['a quote inside an unquoted value', (i: number) => `${i},a"${pad}"b,c`],
    ['a quote never closed', (i: number) => `${i},"${pad}`],
  ] as const) {
    // Lines that end with a lone '\r' ("CSV (Macintosh)") are split as the others: csv-parse alone read them, from
    // each bad line again (three opens of the file a bad line; 4,000 lines with a quote never closed took 290 s).
    for (const [ends, eol] of [['\\n', '\n'], ["a lone '\\r'", '\r']] as const) it(`${kind}, lines ending with ${ends}: 8,000 lines, read once, one csv-parse error a bad line`, async () => {
      const path = await file(lines(8000, bad, eol));
      const { batches, csvErrors, reopens } = await read(path, 'split');
      const rows = batches.flatMap((b) => b.rows);
      const malformed = batches.flatMap((b) => b.malformed);
      expect(rows).toHaveLength(4000);
      expect(rows[0]).toEqual({ id: '1', name: 'ok', note: 'fine' });
      expect(malformed).toHaveLength(4000);
      expect(malformed.map((m) => m.rowNumber).slice(0, 3)).toEqual([1, 3, 5]);
      expect(malformed[1]!.raw).toEqual({ line: bad(2) });
      expect(malformed[0]!.reason).toMatch(/^row 1 has a quote/);
      expect(malformed.at(-1)!.rowNumber).toBe(7999);
      expect(rows.at(-1)).toEqual({ id: '7999', name: 'ok', note: 'fine' });
      // Before: a reopen per bad line (4,000; 12,000 with lone '\r' line ends) and ~1.3 million errors made.
      expect(reopens).toBe(0);
      expect(csvErrors).toBeLessThanOrEqual(4000);
    }, 120_000);

    it(`${kind}: the same rows and rejections as csv-parse alone`, async () => {
      const path = await file(lines(600, bad));
      const split = await read(path, 'split');
      const reference = await read(path, 'csv-parse');
      expect(JSON.stringify(split.batches)).toBe(JSON.stringify(reference.batches));
      expect(split.batches.flatMap((b) => b.malformed)).toHaveLength(300);
      // csv-parse alone (WEFT_CSV_PARSER=csv-parse) reads the file again from each bad line: it is given nothing past
      // the first error, so ~50 errors a bad line (74,306 before the thirteenth session). A quote never closed still
      // costs it a read to the end of the file from each bad line (docs/backlog.md, lead, thirteenth session).
      if (kind === 'a quote inside an unquoted value') expect(reference.csvErrors).toBeLessThanOrEqual(100 * 300);
    }, 120_000);
  }


  // Lines that end with a lone '\r' ("CSV (Macintosh)"), by both readers: the bad line was read to a '\n', so the
  // rest of the file became one rejected line (1 rejected, 0 rows after it).
  it("lines ending with a lone '\\r': each bad line rejected alone and the rows after it read", async () => {
    const bad = (i: number) => `${i},a"${pad}"b,c`;
    for (const parser of ['split', 'csv-parse'] as const) {
      const path = await file(lines(400, bad, '\r'));
      const { batches, csvErrors } = await read(path, parser);
      const rows = batches.flatMap((b) => b.rows);
      const malformed = batches.flatMap((b) => b.malformed);
      expect(rows).toHaveLength(200);
      expect(rows.at(-1)).toEqual({ id: '399', name: 'ok', note: 'fine' });
      expect(malformed).toHaveLength(200);
      expect(malformed[100]!.raw).toEqual({ line: bad(200) });
      expect(malformed[100]!.rowNumber).toBe(201);
      expect(csvErrors).toBeLessThanOrEqual(100 * 200);
    }
  }, 120_000);

  it("a quoted line break in the first line does not make a file's lines end with '\\r'", async () => {
    const path = await file('id,name,note\r\n1,"two\rlines",x\r\n2,a"b"c,y\r\n3,ok,z\r\n');
    const { batches } = await read(path, 'split');
    expect(batches.flatMap((b) => b.rows)).toEqual([{ id: '1', name: 'two\rlines', note: 'x' }, { id: '3', name: 'ok', note: 'z' }]);
    expect(batches.flatMap((b) => b.malformed).map((m) => m.raw)).toEqual([{ line: '2,a"b"c,y' }]);
  });

  // The file's record delimiter is its first line end; a segment read after a bad line found its own from its first
  // line: a lone '\r' outside quotes there made the rest of a CRLF file's records end at a '\r' ("\n4" as an id).
  it("a CRLF file with a lone '\\r' inside a quoted value and outside one, after a bad line: values kept", async () => {
    const text = 'id,name,note\r\n1,"a\rb",x\r\n2,a"b,c\r\n3,x\ry,z\r\n4,ok,fine\r\n5,"c\rd",e\r\n6,bad"again,f\r\n7,"g\rh\r\n8,ok,fine\r\n';
    const path = await file(text);
    const { batches, reopens } = await read(path, 'split');
    expect(batches.flatMap((b) => b.rows)).toEqual([
      { id: '1', name: 'a\rb', note: 'x' },
      { id: '3', name: 'x\ry', note: 'z' },
      { id: '4', name: 'ok', note: 'fine' },
      { id: '5', name: 'c\rd', note: 'e' },
      { id: '8', name: 'ok', note: 'fine' },
    ]);
    expect(batches.flatMap((b) => b.rowNumbers)).toEqual([1, 3, 4, 5, 8]);
    expect(batches.flatMap((b) => b.malformed).map((m) => [m.rowNumber, m.raw])).toEqual([
      [2, { line: '2,a"b,c' }],
      [6, { line: '6,bad"again,f' }],
      [7, { line: '7,"g\rh' }],
    ]);
    expect(reopens).toBe(0);
    expect(JSON.stringify((await read(path, 'csv-parse')).batches)).toBe(JSON.stringify(batches));
  });

  // A first line with a stray or unclosed quote has no line end outside quotes: the file's lines ended at a '\n', so
  // the whole lone-CR file was one rejected line (0 rows).
  for (const [kind, first] of [
    ['a quote inside an unquoted value', '0,a"b,c'],
    ['a quote never closed', '0,"never closed'],
  ] as const) {
    it(`lines ending with a lone '\\r', the first one bad (${kind}): rejected alone, the rest read`, async () => {
      const body = Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? `${i + 1},ok,fine` : `${i + 1},a"${pad}"b,c`));
      const path = await file(`${[first, ...body].join('\r')}\r`);
      const { batches, csvErrors, reopens } = await read(path, 'split', false);
      const rows = batches.flatMap((b) => b.rows);
      const malformed = batches.flatMap((b) => b.malformed);
      expect(rows).toHaveLength(1000);
      expect(rows[0]).toEqual({ id: '1', name: 'ok', note: 'fine' });
      expect(batches.flatMap((b) => b.rowNumbers).slice(0, 2)).toEqual([2, 4]);
      expect(malformed).toHaveLength(1001);
      expect(malformed[0]).toMatchObject({ rowNumber: 1, raw: { line: first } });
      expect(malformed[1]).toMatchObject({ rowNumber: 3, raw: { line: body[1] } });
      expect(malformed.at(-1)!.rowNumber).toBe(2001);
      // The first line's end is asked once (the file opened again for it and for that line), not per bad line.
      expect(reopens).toBeLessThanOrEqual(3);
      expect(csvErrors).toBeLessThanOrEqual(2 * 1001);
      const small = await file(`${[first, ...body.slice(0, 40)].join('\r')}\r`);
      const split = await read(small, 'split', false);
      expect(JSON.stringify((await read(small, 'csv-parse', false)).batches)).toBe(JSON.stringify(split.batches));
    }, 120_000);
  }

  // A quote open for more than a megabyte is a record past the limit: rejected once, by its first line, and reading
  // goes on from the next line (csv-parse alone read it, the file opened twice more for each).
  it('a quote open for more than a megabyte, three times, in LF and lone-CR files: each rejected once, no reopen', async () => {
    for (const eol of ['\n', '\r']) {
      const block = (k: number) => Array.from({ length: 60_000 }, (_, i) => `${k * 100_000 + i},name ${i},note`).join(eol); // 1.3 MB
      const path = await file(['id,name,note', '1,"never closed', block(1), '2,"again', block(2), '3,"third,x', block(3)].join(eol) + eol);
      const { batches, reopens, csvErrors } = await read(path, 'split');
      expect(batches.reduce((n, b) => n + b.rows.length, 0)).toBe(180_000);
      expect(batches.flatMap((b) => b.malformed).map((m) => [m.rowNumber, m.raw, m.reason])).toEqual([
        [1, { line: '1,"never closed' }, 'row 1 has a quote (") that is never closed'],
        [60_002, { line: '2,"again' }, 'row 60002 has a quote (") that is never closed'],
        [120_003, { line: '3,"third,x' }, 'row 120003 has a quote (") that is never closed'],
      ]);
      expect(batches.at(-1)!.rows.at(-1)).toEqual({ id: '359999', name: 'name 59999', note: 'note' });
      expect(reopens).toBe(0);
      expect(csvErrors).toBeLessThanOrEqual(3);
    }
  }, 120_000);
});
