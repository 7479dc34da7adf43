// Cutting a plain CSV/NDJSON file into parts (issue 16): every part starts on a record, and the parts read back to back
// give exactly the records, row numbers and rejections of the whole file — quoted line feeds near a cut included.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileBatches, type FileBatch } from './formats';
import { scanFilePartitions } from './partition-scan';
import { keyRanges, partitionCount } from '../../shared/sync/partitions';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-parts-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function file(body: string | Buffer): Promise<string> {
  const path = join(dir, `f${++n}`);
  await writeFile(path, body);
  return path;
}

const cols = (...names: string[]) => names.map((name) => ({ name }));

async function read(path: string, format: 'csv' | 'ndjson', range?: { start: number; end: number; firstRow: number }) {
  const out: { rows: unknown[]; rowNumbers: number[]; malformed: FileBatch['malformed'] } = { rows: [], rowNumbers: [], malformed: [] };
  for await (const b of readFileBatches(path, { format, compression: 'none', delimiter: ',', hasHeader: true, columns: cols('id', 'name'), batchSize: 7, ...(range && { range }) })) {
    out.rows.push(...b.rows);
    out.rowNumbers.push(...b.rowNumbers);
    out.malformed.push(...b.malformed);
  }
  return out;
}

/** The file read whole and in `parts` parts: the same records, numbers and rejections; and the parts' cuts. */
async function sameInParts(body: string, format: 'csv' | 'ndjson', parts: number) {
  const path = await file(body);
  const size = Buffer.byteLength(body);
  const cuts = await scanFilePartitions(path, { format, delimiter: ',', hasHeader: true, size, parts });
  expect(cuts).not.toBeNull();
  const whole = await read(path, format);
  const pieces = { rows: [] as unknown[], rowNumbers: [] as number[], malformed: [] as FileBatch['malformed'] };
  for (const c of cuts!) {
    const got = await read(path, format, c);
    pieces.rows.push(...got.rows);
    pieces.rowNumbers.push(...got.rowNumbers);
    pieces.malformed.push(...got.malformed);
  }
  expect(pieces).toEqual(whole);
  // Contiguous, covering the file, each starting right after a line feed.
  expect(cuts![0]!.start).toBe(0);
  expect(cuts![cuts!.length - 1]!.end).toBe(size);
  for (let k = 1; k < cuts!.length; k++) {
    expect(cuts![k]!.start).toBe(cuts![k - 1]!.end);
    expect(Buffer.from(body)[cuts![k]!.start - 1]).toBe(0x0a);
  }
  return { cuts: cuts!, whole };
}

describe('scanFilePartitions', () => {
  it('cuts a CSV into parts that read back as the whole file, row numbers included', async () => {
    const body = 'id,name\n' + Array.from({ length: 200 }, (_, i) => `${i + 1},name ${i + 1}`).join('\n') + '\n';
    const { cuts, whole } = await sameInParts(body, 'csv', 4);
    expect(cuts).toHaveLength(4);
    expect(whole.rows).toHaveLength(200);
    expect(cuts.map((c) => c.firstRow)).toEqual([0, ...cuts.slice(1).map((c) => Number(body.slice(c.start).split(',')[0]) - 1)]);
  });

  it('never cuts inside a quoted value, however many line feeds it holds near a cut', async () => {
    // Every record has a quoted value with line feeds, a doubled quote and CRLF endings; blank lines and a BOM too.
    const records = Array.from({ length: 120 }, (_, i) => `${i + 1},"line one\n${'x'.repeat(i % 13)}\r\n""quoted"" ${i}\n\n"`);
    const body = '\ufeffid,name\r\n' + records.join('\r\n') + '\r\n\r\n' + '121,"last, no line feed"';
    for (const parts of [2, 3, 5, 9]) {
      const { whole } = await sameInParts(body, 'csv', parts);
      expect(whole.rows).toHaveLength(121);
      expect(whole.malformed).toHaveLength(0);
    }
  });

  it('keeps rows with the wrong number of values rejected, with their own row numbers', async () => {
    const body = 'id,name\n' + Array.from({ length: 60 }, (_, i) => (i % 11 === 5 ? `${i + 1},a,extra` : `${i + 1},"n\n${i}"`)).join('\n') + '\n';
    const { whole } = await sameInParts(body, 'csv', 4);
    expect(whole.malformed.map((m) => m.rowNumber)).toEqual([6, 17, 28, 39, 50]);
  });

  it('does not cut a CSV whose quoting it cannot follow (one part)', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i + 1},name ${i + 1}`);
    const stray = 'id,name\n' + rows.slice(0, 10).join('\n') + '\n11,say "hi"\n' + rows.slice(11).join('\n') + '\n';
    expect(await scanFilePartitions(await file(stray), { format: 'csv', size: stray.length, parts: 4, hasHeader: true })).toBeNull();
    const open = 'id,name\n' + rows.slice(0, 10).join('\n') + '\n11,"never closed\n' + rows.slice(11).join('\n') + '\n';
    expect(await scanFilePartitions(await file(open), { format: 'csv', size: open.length, parts: 4, hasHeader: true })).toBeNull();
    const afterClose = 'id,name\n' + rows.slice(0, 10).join('\n') + '\n11,"closed"x\n' + rows.slice(11).join('\n') + '\n';
    expect(await scanFilePartitions(await file(afterClose), { format: 'csv', size: afterClose.length, parts: 4, hasHeader: true })).toBeNull();
  });

  it('cuts NDJSON after any line feed, numbering by line (blank lines and bad JSON included)', async () => {
    const lines = Array.from({ length: 90 }, (_, i) => (i % 17 === 3 ? '' : i % 23 === 9 ? '{"id": broken' : JSON.stringify({ id: String(i + 1), name: `a\nb ${i}` })));
    const { cuts, whole } = await sameInParts(lines.join('\n') + '\n', 'ndjson', 4);
    expect(cuts).toHaveLength(4);
    expect(whole.malformed.length).toBeGreaterThan(0);
  });

  it('gives fewer parts than asked when the file has fewer records, and one for an empty file', async () => {
    const tiny = 'id,name\n1,a\n';
    const cuts = await scanFilePartitions(await file(tiny), { format: 'csv', size: tiny.length, parts: 8, hasHeader: true });
    expect(cuts!.length).toBeLessThanOrEqual(2);
    await sameInParts(tiny, 'csv', 8);
    expect(await scanFilePartitions(await file(''), { format: 'csv', size: 0, parts: 4, hasHeader: true })).toEqual([{ kind: 'bytes', start: 0, end: 0, firstRow: 0 }]);
  });
});

describe('keyRanges and partitionCount', () => {
  it('cuts [min, max] into contiguous ranges open at both ends', () => {
    expect(keyRanges('id', 1n, 100n, 4)).toEqual([
      { kind: 'keys', field: 'id', from: null, to: '26' },
      { kind: 'keys', field: 'id', from: '26', to: '51' },
      { kind: 'keys', field: 'id', from: '51', to: '76' },
      { kind: 'keys', field: 'id', from: '76', to: null },
    ]);
    expect(keyRanges('id', 5n, 5n, 4)).toEqual([{ kind: 'keys', field: 'id', from: null, to: null }]);
    expect(keyRanges('id', 1n, 3n, 8)).toHaveLength(3);
    // Huge gaps and bigint keys beyond 2^53: every digit kept, ranges still contiguous.
    const big = keyRanges('id', -9_223_372_036_854_775_807n, 9_223_372_036_854_775_806n, 3);
    expect(big).toHaveLength(3);
    expect(big[1]!.from).toBe(big[0]!.to);
    expect(big[2]!.from).toBe(big[1]!.to);
  });

  it('uses the setting, else one part per 250,000 rows or 32 MB, at most 8', () => {
    expect(partitionCount(3, { rows: 10 })).toBe(3);
    expect(partitionCount(undefined, { rows: 10 })).toBe(1);
    expect(partitionCount(undefined, { rows: 600_000 })).toBe(3);
    expect(partitionCount(undefined, { rows: 1e9 })).toBe(8);
    expect(partitionCount(undefined, { bytes: 100 * 1024 * 1024 })).toBe(4);
    expect(partitionCount(undefined, { rows: null })).toBe(1);
  });
});
