// The CSV reader alone: `readCsvBatches` with its splitter (lines without a quote split by hand, the rest through
// csv-parse) against csv-parse reading every record, and csv-parse's own stream with nothing after it, on a file
// shaped like bench/move-rows.ts's (10 columns, ids, text, numbers, timestamps, empty cells), once plain and once
// with every value quoted (as some exporters write them); and the reader with source typing after it (the bench's
// column types: numbers, date-times, text; what the Files connector does to every batch), the CSV side of a
// CSV -> Postgres run. `npm run bench:csv-read`; BENCH_ROWS sets the size (default 200,000; about 40 s at that size
// on a quiet 2-core machine), BENCH_REPEAT the runs per case (best kept).
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { readCsvBatches } from '../runtime/files/csv';
import type { Field } from '../shared/graph/field-types';
import { typeSourceValues } from '../shared/transforms/typed-rows';

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const NAMES = ['id', 'uuid', 'name', 'email', 'amount', 'quantity', 'score', 'created_at', 'updated_at', 'note'];
/** The columns' types as bench/move-rows.ts declares them for its CSV source. */
const TYPES: Field['type'][] = ['number', 'text', 'text', 'text', 'number', 'number', 'number', 'datetime', 'datetime', 'text'];

function line(i: number, quoted: boolean): string {
  const values = [
    String(i),
    (i * 2654435761).toString(16).padStart(32, '0').slice(0, 32),
    `Customer ${i}`,
    `user${i}@example.com`,
    ((i * 7919) % 1_000_000 / 100).toFixed(2),
    String(i % 100),
    String(((i * 15485863) % 1_000_003) / 1_000_003),
    new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString().replace('T', ' ').replace('.000Z', '+00'),
    i % 3 === 0 ? '' : new Date(Date.UTC(2026, 5, 1) + i * 1000).toISOString().replace('T', ' ').replace('.000Z', '+00'),
    i % 5 === 0 ? '' : `note ${i}`,
  ];
  return quoted ? values.map((v) => (v === '' ? v : `"${v}"`)).join(',') : values.join(',');
}

async function timed(work: () => Promise<number>): Promise<{ ms: number; cpuMs: number; rows: number }> {
  let best = { ms: Infinity, cpuMs: Infinity, rows: 0 };
  for (let r = 0; r < REPEAT; r++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const rows = await work();
    const ms = performance.now() - start;
    const used = process.cpuUsage(cpu);
    if (ms < best.ms) best = { ms, cpuMs: (used.user + used.system) / 1000, rows };
  }
  return best;
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'weft-bench-csv-'));
  try {
    const columns = NAMES.map((name) => ({ name }));
    const results: { file: string; reader: string; ms: number; cpuMs: number; rows: number }[] = [];
    for (const quoted of [false, true]) {
      const path = join(dir, quoted ? 'quoted.csv' : 'plain.csv');
      const lines = [NAMES.join(',')];
      for (let i = 1; i <= ROWS; i++) lines.push(line(i, quoted));
      await writeFile(path, `${lines.join('\n')}\n`);
      const file = `${quoted ? 'every value quoted' : 'plain'} (${((await readFile(path)).length / 1e6).toFixed(1)} MB)`;
      const viaReader = (parser: 'split' | 'csv-parse') => async () => {
        let rows = 0;
        for await (const b of readCsvBatches(path, { delimiter: ',', hasHeader: true, columns, batchSize: 5000, parser })) rows += b.rows.length;
        return rows;
      };
      // Typed as the Files connector types each batch; the last five batches kept alive, as a run's stages keep them.
      const fields = NAMES.map((name, i) => ({ name, type: TYPES[i]! })) as Field[];
      const readAndType = async () => {
        let rows = 0;
        const alive: unknown[] = [];
        for await (const b of readCsvBatches(path, { delimiter: ',', hasHeader: true, columns, batchSize: 5000 })) {
          const typed = typeSourceValues('src', fields, b.rows, (i) => b.rowNumbers[i] ?? 0);
          if (typed.rejected.length > 0) throw new Error(`row ${typed.rejected[0]!.rowNumber} rejected: ${typed.rejected[0]!.reason}`);
          rows += typed.rows.length;
          alive.push(typed);
          if (alive.length > 5) alive.shift();
        }
        return rows;
      };
      const rawCsvParse = async () => {
        let rows = -1;
        for await (const record of createReadStream(path, { highWaterMark: 64 * 1024 }).pipe(parse({ relax_column_count: true }))) if (record) rows++;
        return rows;
      };
      for (const [reader, work] of [
        ['readCsvBatches, splitter (the default)', viaReader('split')],
        ['readCsvBatches + source typing (the CSV side)', readAndType],
        ['readCsvBatches, csv-parse for every record', viaReader('csv-parse')],
        ['csv-parse stream alone (records, nothing else)', rawCsvParse],
      ] as const) {
        const r = await timed(work);
        results.push({ file, reader, ...r });
        console.log(`[bench] ${file}: ${reader}: ${(r.ms / 1000).toFixed(2)} s, CPU ${(r.cpuMs / 1000).toFixed(2)} s, ${r.rows} rows`);
      }
    }
    const load = (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
    console.log(`\nReading ${ROWS.toLocaleString('en-US')} CSV rows of 10 columns in 5,000-row batches, best of ${REPEAT}; load average ${load}.\n`);
    console.log(`${'file'.padEnd(32)}${'reader'.padEnd(52)}${'time'.padStart(9)}${'CPU'.padStart(9)}${'rows/s'.padStart(12)}`);
    for (const r of results) {
      console.log(`${r.file.padEnd(32)}${r.reader.padEnd(52)}${`${(r.ms / 1000).toFixed(2)} s`.padStart(9)}${`${(r.cpuMs / 1000).toFixed(2)} s`.padStart(9)}${Math.round(r.rows / (r.ms / 1000)).toLocaleString('en-US').padStart(12)}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
