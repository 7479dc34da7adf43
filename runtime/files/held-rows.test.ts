// probe16d: rows just under the record limit, many at once, in a worker-sized heap (160 MB). Before, the sniff held 200
// sample rows and a batch up to batchSize rows whatever their size (60 × 6 MB: out of memory), and a JSON record's
// values were capped one by one but never together. Each case runs in a child process, since memory is the point.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

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
      expect(out.error).toMatch(/a record is larger than 8 MB \(WEFT_FILES_MAX_RECORD_MB\)/);
    }
  }, 60_000);
});
