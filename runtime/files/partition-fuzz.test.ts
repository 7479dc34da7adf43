// Probe16 (issue 16, partitioned reads): generated CSV and NDJSON files full of what lands a cut in the wrong place —
// a BOM, CRLF and lone CR line ends (mixed), quoted values holding line feeds and CRLFs, multibyte UTF-8 (a cut is
// at a byte offset), blank and whitespace-only lines, `""` — read whole and in 2 to 9 parts: the parts back to back
// give exactly the whole file's records, row numbers and rejections, or the file is not cut at all.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileBatches, type FileBatch } from './formats';
import { scanFilePartitions } from './partition-scan';
import { seededRandom } from '../../shared/util/random';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-parts-fuzz-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A small seeded generator (mulberry32): the same files on every run, a failing seed reproducible. */
function random(seed: number) {
  const next = seededRandom(seed);
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

const PLAIN = ['a', 'Ann', '', ' ', 'é', 'naïve', '日本語', '😀x', 'x😀😀', '12.5', '€', 'ß'];
const QUOTED = ['"a\nb"', '"a\r\nb"', '"he said ""hi"""', '""', '"\n"', '"😀\n😀"', '"x,y"', '"\r\n\r\n"', '"é\né"', '"日\n本"'];

function csvFile(seed: number, { quotes, lineEnds }: { quotes: boolean; lineEnds: readonly string[] }): Buffer {
  const r = random(seed);
  const rows: string[] = [];
  const bom = r.next() < 0.3 ? '\ufeff' : '';
  const end = () => r.pick(lineEnds);
  let text = `${bom}id,name,note${end()}`;
  const n = 20 + r.int(120);
  for (let i = 1; i <= n; i++) {
    const roll = r.next();
    if (roll < 0.05) text += end(); // a blank line
    else if (roll < 0.08) text += `  ${end()}`; // whitespace only
    const cell = () => (quotes && r.next() < 0.35 ? r.pick(QUOTED) : r.pick(PLAIN));
    const width = r.next() < 0.05 ? 2 : 3;
    const cells = [String(i), ...Array.from({ length: width - 1 }, cell)];
    rows.push(cells.join(','));
    text += cells.join(',') + (i === n && r.next() < 0.3 ? '' : end());
  }
  return Buffer.from(text, 'utf8');
}

function ndjsonFile(seed: number): Buffer {
  const r = random(seed);
  let text = '';
  const n = 20 + r.int(100);
  for (let i = 1; i <= n; i++) {
    if (r.next() < 0.05) text += '\n';
    const value = r.pick([...PLAIN, 'a\nb', 'x\r\ny', '"q"']);
    text += r.next() < 0.05 ? '{"id": broken\n' : `${JSON.stringify({ id: i, name: value, note: r.pick(PLAIN) })}${r.next() < 0.2 ? '\r\n' : '\n'}`;
  }
  return Buffer.from(text, 'utf8');
}

interface Read {
  rows: unknown[];
  rowNumbers: number[];
  malformed: FileBatch['malformed'];
}

async function read(path: string, format: 'csv' | 'ndjson', range?: { start: number; end: number; firstRow: number }): Promise<Read> {
  const out: Read = { rows: [], rowNumbers: [], malformed: [] };
  const columns = ['id', 'name', 'note'].map((name) => ({ name }));
  for await (const b of readFileBatches(path, { format, compression: 'none', delimiter: ',', hasHeader: true, columns, batchSize: 5, ...(range && { range }) })) {
    out.rows.push(...b.rows);
    out.rowNumbers.push(...b.rowNumbers);
    out.malformed.push(...b.malformed);
  }
  return out;
}

let n = 0;
async function sameInParts(body: Buffer, format: 'csv' | 'ndjson', parts: number, label: string): Promise<'cut' | 'whole'> {
  const path = join(dir, `f${++n}`);
  await writeFile(path, body);
  const cuts = await scanFilePartitions(path, { format, delimiter: ',', hasHeader: true, size: body.length, parts });
  if (cuts === null) return 'whole';
  const whole = await read(path, format);
  const pieces: Read = { rows: [], rowNumbers: [], malformed: [] };
  for (const c of cuts) {
    const got = await read(path, format, c);
    pieces.rows.push(...got.rows);
    pieces.rowNumbers.push(...got.rowNumbers);
    pieces.malformed.push(...got.malformed);
  }
  expect(pieces, `${label}: ${JSON.stringify(body.toString('utf8'))} cut at ${JSON.stringify(cuts)}`).toEqual(whole);
  return cuts.length > 1 ? 'cut' : 'whole';
}

describe('partitioned file reads on generated hostile files (probe16)', () => {
  it('CSV with LF line ends, quoted line feeds, BOMs and multibyte text: parts read as the whole', async () => {
    let cut = 0;
    for (let seed = 1; seed <= 150; seed++) if ((await sameInParts(csvFile(seed, { quotes: true, lineEnds: ['\n'] }), 'csv', 2 + (seed % 8), `seed ${seed}`)) === 'cut') cut++;
    expect(cut).toBeGreaterThan(100);
  }, 120_000);

  it('CSV with CRLF line ends (CRLF at every cut) and quoted CRLFs: parts read as the whole', async () => {
    let cut = 0;
    for (let seed = 1; seed <= 150; seed++) if ((await sameInParts(csvFile(seed, { quotes: true, lineEnds: ['\r\n'] }), 'csv', 2 + (seed % 8), `seed ${seed}`)) === 'cut') cut++;
    expect(cut).toBeGreaterThan(100);
  }, 120_000);

  it('CSV with LF and CRLF mixed, and lone CRs, with and without quotes: parts read as the whole (or it is not cut)', async () => {
    const cut = { mixed: 0, loneCr: 0 };
    for (let seed = 1; seed <= 150; seed++) {
      if ((await sameInParts(csvFile(seed, { quotes: seed % 2 === 0, lineEnds: ['\n', '\n', '\n', '\r\n'] }), 'csv', 2 + (seed % 8), `mixed seed ${seed}`)) === 'cut') cut.mixed++;
      if ((await sameInParts(csvFile(seed, { quotes: seed % 2 === 0, lineEnds: ['\n', '\n', '\n', '\r\n', '\r'] }), 'csv', 2 + (seed % 8), `lone CR seed ${seed}`)) === 'cut') cut.loneCr++;
    }
    // Mostly LF: many files still cut (where each part's first line ends as the file's first does), not refused wholesale.
    expect(cut.mixed).toBeGreaterThan(15);
    expect(cut.loneCr).toBeGreaterThan(5);
  }, 240_000);

  it('NDJSON with CRLFs, blank lines, bad lines and escaped line ends: parts read as the whole', async () => {
    for (let seed = 1; seed <= 100; seed++) await sameInParts(ndjsonFile(seed), 'ndjson', 2 + (seed % 8), `ndjson seed ${seed}`);
  }, 120_000);
});

describe('a file read only up to its last cut (probe16)', () => {
  it('is cut even when the scan stops with a quoted value open (the rest is the last part\'s own)', async () => {
    // Every line mostly one long quoted value: the read chunk after the last cut almost surely ends inside one.
    const body = Buffer.from(`id,name,note\n${Array.from({ length: 400 }, (_, i) => `${i + 1},"${'x'.repeat(990)}",n\n`).join('')}`);
    expect(await sameInParts(body, 'csv', 4, 'long quoted values')).toBe('cut');
  });
});
