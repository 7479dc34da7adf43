// Review of probe16d (fix12a): rejected rows count towards a batch's held text, and a sibling of the records nested
// deeper than they are is no record.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsvBatches } from './csv';
import { readFileBatches } from './formats';
import { readRecordBatches } from './json';

const dir = mkdtempSync(join(tmpdir(), 'weft-held-review-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const big = 'x'.repeat(100_000);
let n = 0;

/** Each batch's row count (well-formed and malformed) for a two-column CSV with `body` under its header. */
async function csvBatchSizes(body: string, parser: 'split' | 'csv-parse' = 'split'): Promise<number[]> {
  const path = join(dir, `${++n}.csv`);
  writeFileSync(path, 'a,b\n' + body);
  const out: number[] = [];
  const opts = { delimiter: ',', hasHeader: true, columns: [{ name: 'a' }, { name: 'b' }], batchSize: 1000, parser };
  for await (const b of readCsvBatches(path, opts)) out.push(b.rows.length + b.malformed.length);
  return out;
}

describe('malformed rows count towards the held text (fix12a)', () => {
  it('well-formed rows of 100 KB are cut before 16 MB (control)', async () => {
    const s = await csvBatchSizes(Array.from({ length: 300 }, (_, k) => `${k},${big}`).join('\n'));
    expect(s[0]).toBeLessThan(300);
    expect(s.reduce((a, b) => a + b, 0)).toBe(300);
  });
  for (const parser of ['split', 'csv-parse'] as const) {
    it(`rows of 100 KB with a value too many are cut before 16 MB too (${parser})`, async () => {
      const s = await csvBatchSizes(Array.from({ length: 300 }, (_, k) => `${k},${big},x`).join('\n'), parser);
      expect(s[0]).toBeLessThan(300);
      expect(s.reduce((a, b) => a + b, 0)).toBe(300);
    });
    it(`quoted rows of 100 KB with a value too many are cut before 16 MB too (${parser})`, async () => {
      const s = await csvBatchSizes(Array.from({ length: 300 }, (_, k) => `${k},"${big}",x`).join('\n'), parser);
      expect(s[0]).toBeLessThan(300);
    });
  }
  it('JSON: records that are not objects (arrays of 100 KB text) are cut before 16 MB too', async () => {
    const path = join(dir, 'arrays.json');
    writeFileSync(path, '[' + Array.from({ length: 300 }, () => JSON.stringify([big])).join(',') + ']');
    const out: number[] = [];
    for await (const b of readRecordBatches({ path, compression: 'none' }, { format: 'json', recordsPath: '', columns: [{ name: 'a' }], batchSize: 1000 })) {
      out.push(b.rows.length + b.malformed.length);
    }
    expect(out[0]).toBeLessThan(300);
    expect(out.reduce((a, b) => a + b, 0)).toBe(300);
  });
  it('NDJSON: strings of 100 KB are cut before 16 MB too', async () => {
    const path = join(dir, 'strings.ndjson');
    writeFileSync(path, Array.from({ length: 300 }, () => JSON.stringify(big)).join('\n'));
    const out: number[] = [];
    for await (const b of readRecordBatches({ path, compression: 'none' }, { format: 'ndjson', columns: [{ name: 'a' }], batchSize: 1000 })) {
      out.push(b.rows.length + b.malformed.length);
    }
    expect(out[0]).toBeLessThan(300);
  });
});

describe('only the records are capped as records (fix12a)', () => {
  const withLimit = async (mb: string, run: () => Promise<void>) => {
    const before = process.env.WEFT_FILES_MAX_RECORD_MB;
    process.env.WEFT_FILES_MAX_RECORD_MB = mb;
    try {
      await run();
    } finally {
      if (before === undefined) delete process.env.WEFT_FILES_MAX_RECORD_MB;
      else process.env.WEFT_FILES_MAX_RECORD_MB = before;
    }
  };
  const rowsOf = async (content: string, recordsPath: string) => {
    const path = join(dir, `${++n}.json`);
    writeFileSync(path, content);
    const rows: unknown[] = [];
    const opts = { format: 'json' as const, recordsPath, compression: 'none' as const, batchSize: 10, columns: [{ name: 'id' }], hasHeader: true, delimiter: ',' };
    for await (const b of readFileBatches(path, opts)) rows.push(...b.rows);
    return rows;
  };
  const half = 'x'.repeat(512 * 1024);
  it('a sibling of the records nested deeper than they are is read past (1 MB limit)', async () => {
    await withLimit('1', async () => {
      const content = `{"meta":{"m":{"n":{"a":"${half}","b":"${half}","c":"${half}"}}},"data":{"items":[{"id":1},{"id":2}]}}`;
      expect(await rowsOf(content, 'data.items')).toEqual([{ id: '1' }, { id: '2' }]);
    });
  });
  it('a sibling after the records, and a deeper array of the same name, are read past too', async () => {
    await withLimit('1', async () => {
      const content = `{"data":{"x":{"items":[{"a":"${half}","b":"${half}","c":"${half}"}]},"items":[{"id":1}],"more":{"k":{"l":["${half}","${half}","${half}"]}}}}`;
      expect(await rowsOf(content, 'data.items')).toEqual([{ id: '1' }]);
    });
  });
  it('a record past the limit is still refused', async () => {
    await withLimit('1', async () => {
      const content = `{"meta":{},"data":{"items":[{"id":1},{"id":2,"a":"${half}","b":"${half}","c":"${half}"}]}}`;
      await expect(rowsOf(content, 'data.items')).rejects.toThrow(/a record is larger than/);
    });
  });
});
