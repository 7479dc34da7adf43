// The CSV reader's splitter (lines without quotes split by hand, the rest through csv-parse) against csv-parse
// reading every record: the same batches (rows, row numbers, malformed rows and their reasons, resume points) for
// thousands of generated files full of quotes, stray line ends, blank lines, NUL bytes, byte-order marks, long
// lines and unclosed quotes, small and across the reader's 64 KB chunks.
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../../test/support/scratch-dir';
import { heapFreedMb } from '../../test/support/heap';
import { readCsvBatches, type CsvBatch, type ReadCsvOptions } from './csv';
import { seededRandom } from '../../shared/util/random';

const { file } = scratchDir('weft-csv-split-');

async function readAll(path: string, opts: Omit<ReadCsvOptions, 'parser'>, parser: 'split' | 'csv-parse'): Promise<CsvBatch[] | { error: string }> {
  const batches: CsvBatch[] = [];
  try {
    for await (const b of readCsvBatches(path, { ...opts, parser })) batches.push(b);
  } catch (err) {
    return { error: String(err) };
  }
  return batches;
}

/** Both readers over the file; the split reader's batches must equal csv-parse's. */
async function same(content: string | Buffer, opts: Partial<ReadCsvOptions> = {}): Promise<CsvBatch[]> {
  const path = await file(content);
  const o = { delimiter: ',', hasHeader: true, columns: ['a', 'b', 'c'].map((name) => ({ name })), batchSize: 7, ...opts };
  const reference = await readAll(path, o, 'csv-parse');
  const split = await readAll(path, o, 'split');
  const a = JSON.stringify(split);
  const b = JSON.stringify(reference);
  if (a !== b) {
    // The first difference, short: the files are large.
    let at = 0;
    while (a[at] === b[at]) at++;
    const shown = typeof content === 'string' ? content : content.toString('latin1');
    expect.fail(`split reader differs at ${at}: split ${a.slice(Math.max(0, at - 200), at + 200)} vs csv-parse ${b.slice(Math.max(0, at - 200), at + 200)}; file ${JSON.stringify(shown.length > 400 ? `${shown.slice(0, 400)}…` : shown)}, options ${JSON.stringify(opts)}`);
  }
  expect(Array.isArray(reference)).toBe(true);
  return reference as CsvBatch[];
}

/** A small deterministic generator (mulberry32), so a failure names its seed. */
function random(seed: number) {
  const next = seededRandom(seed);
  return { next, pick: <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]! };
}

const TOKENS = ['a', 'bc', '12', '007', ' ', 'é', '€', '\0', ',', ',', ',', ';', '"', '"', '""', '\n', '\n', '\n', '\r\n', '\r', 'x y', '9007199254740993'];

describe('the CSV splitter reads what csv-parse reads', () => {
  it('on small generated files full of quotes and odd line ends', async () => {
    for (let seed = 1; seed <= Number(process.env.CSV_SPLIT_SEEDS ?? 600); seed++) {
      const r = random(seed);
      const length = Math.floor(r.next() * 60);
      let text = '';
      for (let i = 0; i < length; i++) text += r.pick(TOKENS);
      const bom = r.next();
      const content = bom < 0.1 ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]) : bom < 0.12 ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text)]) : text;
      await same(content, {
        hasHeader: r.next() < 0.5,
        emptyTextIsNull: r.next() < 0.7,
        batchSize: 1 + Math.floor(r.next() * 4),
        startRow: r.next() < 0.2 ? Math.floor(r.next() * 4) : 0,
        delimiter: r.next() < 0.85 ? ',' : ';',
      });
    }
  }, 300_000);

  it('on small generated files of quoted values, some of them damaged', async () => {
    const FIELDS = ['', 'a', '1', '""', '"q"', '"a ""b"" c"', '"x,y"', '"two\nlines"', '"cr\r\nlf"', '" "', '"é€"', '"\0"', 'd e'];
    for (let seed = 1; seed <= Number(process.env.CSV_SPLIT_SEEDS ?? 600); seed++) {
      const r = random(50_000 + seed);
      const eol = r.pick(['\n', '\r\n', '\r']); // a lone '\r': Excel's "CSV (Macintosh)"
      const lines: string[] = [];
      for (let l = Math.floor(r.next() * 12); l >= 0; l--) {
        const width = 1 + Math.floor(r.next() * 4);
        let line = Array.from({ length: width }, () => r.pick(FIELDS)).join(',');
        const damage = r.next();
        if (damage < 0.08 && line.length > 0) {
          const at = Math.floor(r.next() * line.length);
          line = line.slice(0, at) + line.slice(at + 1);
        } else if (damage < 0.16) {
          const at = Math.floor(r.next() * (line.length + 1));
          line = `${line.slice(0, at)}${r.pick(['"', '\r', '\n', ' '])}${line.slice(at)}`;
        }
        lines.push(line);
      }
      await same(lines.join(eol) + (r.next() < 0.5 ? eol : ''), { hasHeader: r.next() < 0.5, emptyTextIsNull: r.next() < 0.5, batchSize: 1 + Math.floor(r.next() * 5) });
    }
  }, 300_000);

  it('on files across the reader chunks: quoted line ends, long lines and a bad record here and there', async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const r = random(1000 + seed);
      const ends = r.next();
      const crlf = ends < 0.4;
      const eol = crlf ? '\r\n' : ends < 0.7 ? '\r' : '\n';
      const lines: string[] = ['id,name,note'];
      for (let i = 0; i < 4000; i++) {
        const roll = r.next();
        if (roll < 0.01) lines.push(`${i},"two${eol}lines","q ""x"""`);
        else if (roll < 0.012) lines.push(`${i},bad"quote,z`);
        else if (roll < 0.014) lines.push(`${i},"closed"after,z`);
        else if (roll < 0.016) lines.push(`${i},${'long '.repeat(15_000)},z`); // 75 KB: past the splitter's line limit
        else if (roll < 0.02) lines.push('');
        else if (roll < 0.022) lines.push(`${i},bare${eol === '\n' ? '\r' : '\n'}end,z`);
        else lines.push(`${i},name ${i},${roll < 0.5 ? '' : `note ${'é'.repeat(i % 7)}`}`);
      }
      const tail = r.next() < 0.5 ? eol : '';
      const batches = await same(lines.join(eol) + tail, { batchSize: 500, emptyTextIsNull: r.next() < 0.5 });
      expect(batches.reduce((sum, b) => sum + b.rows.length, 0)).toBeGreaterThan(3500);
    }
  }, 300_000);

  it('on megabyte files whose ASCII and non-ASCII stretches alternate (ASCII lines decoded as Latin-1)', async () => {
    // Each stretch is long enough to fill some of the splitter's buffers (256 KB at least) with ASCII only and others
    // with a byte past 0x7F, and the buffers' edges fall anywhere in a line: lines sliced from the text of an ASCII
    // buffer and lines decoded one by one must read alike, next to quoted line ends, NUL, CRLF and ragged rows.
    for (let seed = 1; seed <= Number(process.env.CSV_SPLIT_BIG_SEEDS ?? 4); seed++) {
      const r = random(7000 + seed);
      const crlf = r.next() < 0.4;
      const eol = crlf ? '\r\n' : '\n';
      const lines: string[] = [r.next() < 0.5 ? '__proto__,constructor,note' : 'id,name,note'];
      let nonAscii = r.next() < 0.5;
      for (let i = 0; i < 20_000; i++) {
        if (r.next() < 0.0006) nonAscii = !nonAscii;
        const roll = r.next();
        if (roll < 0.002) lines.push(`${i},"two${eol}lines","q ""x"""`);
        else if (roll < 0.003) lines.push(`${i},only two`);
        else if (roll < 0.004) lines.push(`${i},a,b,c`);
        else if (roll < 0.005) lines.push(`${i},nul\0here,9007199254740993`);
        else if (roll < 0.006) lines.push('');
        else if (roll < 0.007) lines.push(`${i},bad"quote,z`);
        else lines.push(`00${i},name ${i} ${'x'.repeat(i % 23)},${roll < 0.3 ? '' : nonAscii ? `note ${'é€'.repeat(1 + (i % 3))}` : `note ${i}`}`);
      }
      const batches = await same(lines.join(eol) + (r.next() < 0.5 ? eol : ''), { batchSize: 1 + Math.floor(r.next() * 3000), emptyTextIsNull: r.next() < 0.5, startRow: r.next() < 0.3 ? Math.floor(r.next() * 10_000) : 0 });
      expect(batches.length).toBeGreaterThan(0);
    }
  }, 300_000);

  it('on a line longer than the record limit, an unclosed quote before a megabyte of rows, and one at the very end', async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => `${i},name ${i},note`).join('\n');
    await same(`a,b,c\n1,${'x'.repeat(300_000)},z\n${rows}\n`, { batchSize: 1000 });
    await same(`a,b,c\n1,"never closed,z\n${rows}\n`, { batchSize: 1000 });
    await same(`a,b,c\n${rows}\n2,"open at the end,z\n`, { batchSize: 1000 });
    await same(`"a","b","c"\r\n${rows.replaceAll('\n', '\r\n')}\r\n`, { batchSize: 1000 });
    await same(`a,b,c\n${'no line end '.repeat(250_000)}`, { batchSize: 1000 }); // 2.75 MB in one line
    // A quote open for more than a megabyte (no record end in sight), twice, in LF and lone-CR files.
    for (const eol of ['\n', '\r']) {
      const more = `${rows}\n${rows}`.replaceAll('\n', eol);
      await same(['a,b,c', '1,"never closed,z', more, '2,"again', more, '3,ok,z'].join(eol), { batchSize: 1000 });
    }
  });
});

describe('the CSV splitter', () => {
  it('reads plain lines itself: values, empty cells as null, a quoted empty value kept as text', async () => {
    const batches = await same('a,b,c\r\n1,,x\r\n2,"",y\r\n\r\n3,"q, r",z\r\n', { emptyTextIsNull: false });
    expect(batches.flatMap((b) => b.rows)).toEqual([
      { a: '1', b: null, c: 'x' },
      { a: '2', b: '', c: 'y' },
      { a: '3', b: 'q, r', c: 'z' },
    ]);
  });
});

describe('values kept past their batch (review of csv16d)', () => {
  it("keep no 256 KB read buffer's text alive: only their own characters", async () => {
    // V8 makes a slice of 13+ characters a view on the whole text it was cut from; a line sliced from one text of the
    // splitter's 256 KB buffer made every value kept past its batch (a cursor, a key remembered) hold ~262 KB.
    const lines = ['id,name,note'];
    for (let i = 0; i < 150_000; i++) lines.push(`${i},customer-name-${i}-xxxxxxxx,note ${i} ${'y'.repeat(40)}`);
    const path = await file(`${lines.join('\n')}\n`);
    lines.length = 0;
    const kept: unknown[] = [];
    for await (const b of readCsvBatches(path, { delimiter: ',', hasHeader: true, columns: ['id', 'name', 'note'].map((name) => ({ name })), batchSize: 2_500, parser: 'split' })) {
      kept.push((b.rows[0] as Record<string, unknown>).name);
    }
    expect(kept.length).toBe(60);
    expect(kept[1]).toBe('customer-name-2500-xxxxxxxx');
    // 60 strings of ~27 characters: a few KB. Views would keep one 256 KB text each (~15 MB).
    expect(heapFreedMb(() => (kept.length = 0))).toBeLessThan(3);
  });
});
