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
async function read(path: string, parser: 'split' | 'csv-parse') {
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
    for await (const b of readCsvBatches(src, { delimiter: ',', hasHeader: true, columns, batchSize: 500, parser })) batches.push(b);
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
    it(`${kind}: 8,000 lines, read once, one csv-parse error a bad line`, async () => {
      const path = await file(lines(8000, bad));
      const { batches, csvErrors, reopens } = await read(path, 'split');
      const rows = batches.flatMap((b) => b.rows);
      const malformed = batches.flatMap((b) => b.malformed);
      expect(rows).toHaveLength(4000);
      expect(rows[0]).toEqual({ id: '1', name: 'ok', note: 'fine' });
      expect(malformed).toHaveLength(4000);
      expect(malformed.map((m) => m.rowNumber).slice(0, 3)).toEqual([1, 3, 5]);
      expect(malformed[1]!.raw).toEqual({ line: bad(2) });
      expect(malformed[0]!.reason).toMatch(/^row 1 has a quote/);
      // Before: a reopen per bad line (4,000) and ~1.3 million errors made.
      expect(reopens).toBe(0);
      expect(csvErrors).toBeLessThanOrEqual(4000);
    }, 120_000);

    it(`${kind}: the same rows and rejections as csv-parse alone`, async () => {
      const path = await file(lines(600, bad));
      const split = await read(path, 'split');
      const reference = await read(path, 'csv-parse');
      expect(JSON.stringify(split.batches)).toBe(JSON.stringify(reference.batches));
      expect(split.batches.flatMap((b) => b.malformed)).toHaveLength(300);
      // csv-parse alone (as for lines ending with a lone '\r') reads the file again from each bad line: it is now
      // given nothing past the first error, so ~50 errors a bad line (74,306 before). A quote never closed still
      // costs csv-parse a read to the end of the file from each bad line (docs/backlog.md, lead, thirteenth session).
      if (kind === 'a quote inside an unquoted value') expect(reference.csvErrors).toBeLessThanOrEqual(100 * 300);
    }, 120_000);
  }


  // Lines that end with a lone '\r' ("CSV (Macintosh)"), read by csv-parse: the bad line was read to a '\n', so the
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
});
