// probe15: one REST page of millions of tiny values, in a worker-sized heap (160 MB). The response limit counts bytes
// (32 MiB), but 9 MB of `{},{},…` is 3 million objects: JSON.parse alone ran the worker out of memory, taking every run
// on it down. A page past 1,000,000 values is now refused in words; one just under it is read within the heap. Each
// case runs in a child process, since memory is the point.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const child = resolve(import.meta.dirname, '../../../test/support/rest-page-child.ts');

function run(kind: string, count: number): { ok: boolean; rows?: number; peakMb?: number; error?: string } {
  const r = spawnSync(process.execPath, ['--max-old-space-size=160', '--import', 'tsx', child, kind, String(count)], { encoding: 'utf8', timeout: 90_000 });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  if (!line.startsWith('{')) throw new Error(`the child failed (${r.status ?? r.signal}): ${/heap out of memory/.test(r.stderr) ? 'heap out of memory' : r.stderr.slice(-500)}`);
  return JSON.parse(line) as ReturnType<typeof run>;
}

describe('a REST page of millions of values in a 160 MB heap (probe15)', () => {
  it('3,000,000 empty objects (9 MB) are refused in words, not an out-of-memory crash', () => {
    expect(run('empty', 3_000_000)).toMatchObject({ ok: false, error: expect.stringMatching(/holds more than 1,000,000 values, more than Weft reads in one response\. Ask for smaller pages/) });
  }, 90_000);

  it('a page just under the limit (990,000 numbers; 495,000 small objects) is read whole', () => {
    expect(run('zero', 990_000)).toMatchObject({ ok: true, rows: 990_000 });
    expect(run('small', 495_000)).toMatchObject({ ok: true, rows: 495_000 });
  }, 90_000);
});

describe('REST cursors remembered to see a circle, in a 160 MB heap (review14a)', () => {
  it('400 pages with new 512 KB cursors are read, the cursors not kept whole', () => {
    // Before: each cursor followed was kept (up to 10,000 of them) to see a circle: 400 x 512 KB ran the heap out.
    const r = spawnSync(process.execPath, ['--max-old-space-size=160', '--import', 'tsx', resolve(import.meta.dirname, '../../../test/support/rest-cursor-child.ts'), String(512 * 1024), '400'], { encoding: 'utf8', timeout: 110_000 });
    const line = r.stdout.trim().split('\n').at(-1) ?? '';
    expect(line.startsWith('{') ? JSON.parse(line) : (/heap out of memory/.test(r.stderr) ? 'heap out of memory' : r.stderr.slice(-500))).toEqual({ ok: true, rows: 400 });
  }, 120_000);
});
