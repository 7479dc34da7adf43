// The upload sample agrees with what a run reads: no padded or cut ragged rows, no bare quotes accepted, no
// giant header from a line without line breaks, and UTF-16 named as such with how to convert it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsvBatches, sniffCsvText } from './csv';
import { sniffFile } from './formats';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-sample-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runRows(csv: string) {
  const path = join(dir, `f${Math.random().toString(36).slice(2)}.csv`);
  await writeFile(path, csv);
  const sniff = sniffCsvText(Buffer.from(csv), false);
  const rows: unknown[] = [];
  const rejected: number[] = [];
  for await (const b of readCsvBatches(path, { delimiter: sniff.delimiter, hasHeader: sniff.hasHeader, columns: sniff.columns, batchSize: 100 })) {
    rows.push(...b.rows.map((r) => ({ ...r })));
    rejected.push(...b.malformed.map((m) => m.rowNumber));
  }
  return { sniff, rows, rejected };
}

describe('the upload sample agrees with the run', () => {
  it('leaves out ragged rows, which the run rejects, instead of padding or cutting them', async () => {
    const { sniff, rows, rejected } = await runRows('a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n');
    expect(rejected).toEqual([2, 3]);
    expect(sniff.sampleRows).toEqual([
      { a: '1', b: '2', c: '3' },
      { a: '10', b: '11', c: '12' },
    ]);
    expect(rows).toEqual(sniff.sampleRows);
  });

  it('leaves out a row with a bare quote, which the run rejects', async () => {
    const { sniff, rows, rejected } = await runRows('name,note\nann,fine\nbob,say "hi" now\ncat,ok\n');
    expect(rejected).toEqual([2]);
    expect(sniff.sampleRows.map((r) => r.name)).toEqual(['ann', 'cat']);
    expect(rows).toEqual(sniff.sampleRows);
  });

  it('refuses a first line of 64 KB without a line break instead of making it one column name', async () => {
    const path = join(dir, 'long.csv');
    await writeFile(path, 'x'.repeat(5 * 1024 * 1024));
    await expect(sniffFile(path, 'long.csv')).rejects.toThrow(/first line is longer than 64 KB/);
  });

  it('refuses a header name longer than 1,024 characters', () => {
    expect(() => sniffCsvText(Buffer.from(`id,${'n'.repeat(5000)}\n1,2\n`), false)).toThrow(/5,000 characters long/);
  });

  it('names UTF-16 files (both byte orders, with or without a BOM) and says how to convert them', async () => {
    const text = 'id,name\n1,Zoë\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le).swap16();
    const bare = Buffer.from(text, 'utf16le');
    for (const [name, bytes] of [['le.csv', le], ['be.csv', be], ['bare.csv', bare]] as const) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      await expect(sniffFile(path, name)).rejects.toThrow(/UTF-16 text .* Save it as UTF-8/);
    }
  });

  it('still reads a UTF-8 file with a BOM', async () => {
    const path = join(dir, 'bom.csv');
    await writeFile(path, '\ufeffid,name\n1,Zoë\n');
    const sniff = await sniffFile(path, 'bom.csv');
    expect(sniff.columns.map((c) => c.name)).toEqual(['id', 'name']);
  });
});
