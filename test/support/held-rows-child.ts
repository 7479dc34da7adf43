// Run in a worker-sized heap (--max-old-space-size=160) by runtime/files/held-rows.test.ts (probe16d): writes one
// hostile file to the given directory (small on disk: gzip or zip), sniffs or reads it, prints one JSON line
// ({ ok, rows, batches, error }). Out of memory kills the process instead.
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { readFileBatches, sniffFile } from '../../runtime/files/formats';
import { writeXlsx } from './xlsx-test-writer';

const [kind, mode, dir] = process.argv.slice(2) as [string, 'sniff' | 'read', string];
const MB = 1024 * 1024;
const big = 'x'.repeat(6 * MB);

async function gz(name: string, parts: () => Iterable<string>): Promise<string> {
  const path = join(dir, name);
  await pipeline(Readable.from(parts()), createGzip(), createWriteStream(path));
  return path;
}

async function main(): Promise<void> {
  let path: string;
  let format: 'ndjson' | 'json' | 'excel';
  const columns = [{ name: 'id' }, { name: 'note' }];
  if (kind === 'ndjson') {
    // 60 lines of 6 MB, each under the 8 MB record limit.
    format = 'ndjson';
    path = await gz('many.ndjson.gz', function* () {
      for (let i = 0; i < 60; i++) yield `${JSON.stringify({ id: i + 1, note: big })}\n`;
    });
  } else if (kind === 'json') {
    format = 'json';
    path = await gz('many.json.gz', function* () {
      yield '[';
      for (let i = 0; i < 60; i++) yield `${i ? ',' : ''}{"id":${i + 1},"note":"${big}"}`;
      yield ']';
    });
  } else if (kind === 'onerecord') {
    // One record of 30 values of 6 MB: each value is under the limit, the record is 180 MB.
    format = 'json';
    path = await gz('onerec.json.gz', function* () {
      yield '[{"id":1';
      for (let i = 0; i < 30; i++) yield `,"k${i}":"${big}"`;
      yield '}]';
    });
  } else {
    // A header, then 80 rows of one 4 MB inline cell.
    format = 'excel';
    path = join(dir, 'tall.xlsx');
    const cell = 'x'.repeat(4 * MB);
    await writeXlsx(path, {
      sheets: [
        {
          name: 'S',
          rows: (function* () {
            yield '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>note</t></is></c></row>';
            for (let r = 2; r < 82; r++) yield `<row r="${r}"><c r="A${r}"><v>${r}</v></c><c r="B${r}" t="inlineStr"><is><t>${cell}</t></is></c></row>`;
          })(),
        },
      ],
    });
  }
  const name = path.split('/').at(-1) as string;
  try {
    if (mode === 'sniff') {
      const s = await sniffFile(path, name);
      console.log(JSON.stringify({ ok: true, columns: s.columns.map((c) => c.name) }));
    } else {
      let rows = 0;
      const batches: { rows: number; nextRow: number; first: number | undefined }[] = [];
      const opts = { format, compression: format === 'excel' ? 'none' : 'gzip', batchSize: 500, columns, hasHeader: true, recordsPath: '', delimiter: ',' };
      for await (const b of readFileBatches(path, opts as Parameters<typeof readFileBatches>[1])) {
        rows += b.rows.length;
        batches.push({ rows: b.rows.length, nextRow: b.nextRow, first: b.rowNumbers[0] });
      }
      console.log(JSON.stringify({ ok: true, rows, batches }));
    }
  } catch (err) {
    console.log(JSON.stringify({ ok: false, error: (err as Error).message.slice(0, 300) }));
  }
}

void main();
