// NDJSON lines split as text arrives (probe16b, probe16c): \n, \r\n and a lone \r end a line as readline's do, a line
// ending is not counted against the record limit, and a file whose lines end in \r alone is read line by line.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { boundedLines, readRecordBatches } from './json';

const lines = async (chunks: (string | Buffer)[], max: number) => {
  const out: unknown[] = [];
  for await (const l of boundedLines(Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))), max)) out.push(typeof l === 'string' ? l : { long: l.chars });
  return out;
};

const saved = process.env.WEFT_FILES_MAX_RECORD_MB;
afterEach(() => {
  if (saved === undefined) delete process.env.WEFT_FILES_MAX_RECORD_MB;
  else process.env.WEFT_FILES_MAX_RECORD_MB = saved;
});

async function readNdjson(body: string): Promise<{ rows: string[]; rejected: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-lines-'));
  try {
    const path = join(dir, 'a.ndjson');
    await writeFile(path, body);
    const rows: string[] = [];
    const rejected: string[] = [];
    for await (const b of readRecordBatches({ path, compression: 'none' }, { format: 'ndjson', columns: [{ name: 'a' }], batchSize: 100 })) {
      rows.push(...b.rows.map((r, i) => `${b.rowNumbers[i]}:${r.a}`));
      rejected.push(...b.malformed.map((m) => `${m.rowNumber}:${m.reason}`));
    }
    return { rows, rejected };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('boundedLines', () => {
  it('reads a line of exactly the limit whether it ends in \\n, \\r\\n or \\r, also when \\r\\n is split across chunks', async () => {
    expect(await lines(['abcde\nxy\n'], 5)).toEqual(['abcde', 'xy']);
    expect(await lines(['abcde\r\nxy\r\n'], 5)).toEqual(['abcde', 'xy']);
    expect(await lines(['abcde\rxy\r'], 5)).toEqual(['abcde', 'xy']);
    expect(await lines(['abc', 'de\r', '\nxy'], 5)).toEqual(['abcde', 'xy']);
    expect(await lines(['abcdef\r\nxy'], 5)).toEqual([{ long: 6 }, 'xy']);
  });

  it('splits a \\r-only text longer than the limit into its lines, as readline did', async () => {
    expect(await lines(['ab\rcd\ref\rgh\r'], 5)).toEqual(['ab', 'cd', 'ef', 'gh']);
    expect(await lines(['ab\r', '\r', 'cd\r\r\nef'], 5)).toEqual(['ab', '', 'cd', '', 'ef']);
  });

  it('decodes characters split across chunks, keeps an empty line and a last line without an ending', async () => {
    const b = Buffer.from('é€😀\n\nzz');
    expect(await lines([b.subarray(0, 1), b.subarray(1, 4), b.subarray(4, 8), b.subarray(8)], 4)).toEqual(['é€😀', '', 'zz']);
  });
});

describe('NDJSON line endings', () => {
  it('reads a \\r-only file past the record limit record by record', async () => {
    process.env.WEFT_FILES_MAX_RECORD_MB = '1';
    const body = Array.from({ length: 30_000 }, (_, i) => `{"a":${i + 1},"pad":"${'x'.repeat(40)}"}`).join('\r');
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const { rows, rejected } = await readNdjson(body);
    expect(rejected).toEqual([]);
    expect(rows.length).toBe(30_000);
    expect(rows.at(-1)).toBe('30000:30000');
  });

  it('rejects a long line by its characters and reads on, numbering lines across \\n, \\r\\n and \\r', async () => {
    process.env.WEFT_FILES_MAX_RECORD_MB = '1';
    const { rows, rejected } = await readNdjson(`{"a":1}\r{"a":"${'é'.repeat(2 * 1024 * 1024)}"}\r\n{"a":3}\n{"a":4}`);
    expect(rows).toEqual(['1:1', '3:3', '4:4']);
    expect(rejected).toEqual(['2:Line 2 has 2,097,160 characters; a line has at most 1,048,576 characters (WEFT_FILES_MAX_RECORD_MB)']);
  });
});
