// probe16d: rows just under the record limit, many at once, in a worker-sized heap (160 MB). Before, the sniff held 200
// sample rows and a batch up to batchSize rows whatever their size (60 × 6 MB: out of memory), and a JSON record's
// values were capped one by one but never together. Each case runs in a child process, since memory is the point.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeXlsx } from '../../test/support/xlsx-test-writer';
import { readFileBatches, sniffFile } from './formats';

const dir = mkdtempSync(join(tmpdir(), 'weft-held-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const child = resolve(import.meta.dirname, '../../test/support/held-rows-child.ts');

function run(kind: string, mode: 'sniff' | 'read'): { ok: boolean; error?: string; rows?: number; columns?: string[]; batches?: { rows: number; nextRow: number; first: number }[] } {
  const r = spawnSync(process.execPath, ['--max-old-space-size=160', '--import', 'tsx', child, kind, mode, dir], { encoding: 'utf8', timeout: 60_000 });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  if (!line.startsWith('{')) throw new Error(`the child failed (${r.status ?? r.signal}): ${/heap out of memory/.test(r.stderr) ? 'heap out of memory' : r.stderr.slice(-500)}`);
  return JSON.parse(line) as ReturnType<typeof run>;
}

describe('rows held at once are bounded by bytes (probe16d)', () => {
  for (const kind of ['ndjson', 'json', 'excel']) {
    it(`${kind}: a sniff of many rows just under the record limit fits a 160 MB heap`, () => {
      const out = run(kind, 'sniff');
      expect(out).toMatchObject({ ok: true });
      expect(out.columns).toEqual(['id', 'note']);
    }, 60_000);

    it(`${kind}: a read cuts its batches short by bytes, rows and checkpoints exact`, () => {
      const out = run(kind, 'read');
      expect(out).toMatchObject({ ok: true });
      const batches = out.batches ?? [];
      const total = kind === 'excel' ? 80 : 60;
      expect(out.rows).toBe(total);
      expect(batches.length).toBeGreaterThan(1);
      // Each batch starts right after the one before it ended, and the last ends at the last row.
      const first = kind === 'excel' ? 2 : 1;
      let next = first - 1;
      for (const b of batches) {
        expect(b.first).toBe(next + 1);
        next = b.nextRow;
        expect(b.nextRow).toBe(b.first + b.rows - 1);
      }
      expect(next).toBe(first + total - 1);
    }, 60_000);
  }

  it('json: one record whose values are each under the limit but together over it is refused before it is assembled', () => {
    for (const mode of ['sniff', 'read'] as const) {
      const out = run('onerecord', mode);
      expect(out.ok).toBe(false);
      expect(out.error).toMatch(/a record is larger than 8,388,608 characters \(WEFT_FILES_MAX_RECORD_MB\)/);
    }
  }, 60_000);
});

describe('a record is capped whole (probe16d)', () => {
  const MB = 1024 * 1024;
  const half = 'x'.repeat(MB / 2);
  const before = process.env.WEFT_FILES_MAX_RECORD_MB;
  afterAll(() => {
    if (before === undefined) delete process.env.WEFT_FILES_MAX_RECORD_MB;
    else process.env.WEFT_FILES_MAX_RECORD_MB = before;
  });

  it('json at a records path: three values of 0.5 MB under a 1 MB limit stop the read after the records before', async () => {
    process.env.WEFT_FILES_MAX_RECORD_MB = '1';
    const path = join(dir, 'path.json');
    writeFileSync(path, `{"meta":{"a":"${half}","b":"${half}","c":"${half}"},"data":{"items":[{"id":1,"a":"${half}"},{"id":2,"a":"${half}","b":"${half}","c":"${half}"}]}}`);
    const read = async () => {
      const opts = { format: 'json' as const, recordsPath: 'data.items', compression: 'none' as const, batchSize: 10, columns: [{ name: 'id' }], hasHeader: true, delimiter: ',' };
      for await (const b of readFileBatches(path, opts)) expect(b.rows).toEqual([{ id: '1' }]);
    };
    await expect(read()).rejects.toThrow('The JSON cannot be read after record 1: a record is larger than 1,048,576 characters (WEFT_FILES_MAX_RECORD_MB)');
  });

  it('excel: a row whose cells together pass the limit is refused', async () => {
    process.env.WEFT_FILES_MAX_RECORD_MB = '1';
    const path = join(dir, 'wide-row.xlsx');
    const cells = ['A', 'B', 'C'].map((c) => `<c r="${c}2" t="inlineStr"><is><t>${half}</t></is></c>`).join('');
    await writeXlsx(path, { sheets: [{ name: 'S', rows: ['<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>', `<row r="2">${cells}</row>`] }] });
    await expect(sniffFile(path, 'wide-row.xlsx')).rejects.toThrow(/row \(2 in xl\/worksheets\/sheet1\.xml\) whose cells hold more than 1,048,576 characters of text \(WEFT_FILES_MAX_RECORD_MB\)/);
  });
});
