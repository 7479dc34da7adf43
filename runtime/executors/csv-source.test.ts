import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanStep } from '../../shared/compiler/plan';
import type { StoredFile } from '../store/types';
import { createExecutor, type SourceBatch } from '.';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-file-source-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function source(content: Buffer, config: Record<string, unknown>) {
  const path = join(dir, 'upload');
  await writeFile(path, content);
  const file = { id: 'file_1', path } as StoredFile;
  const step: PlanStep = { nodeId: 'src', kind: 'csv-source', label: 'src', config: { fileId: 'file_1', fileName: 'x', ...config }, input: null, output: null };
  const e = await createExecutor(step, { store: { getFile: async () => file } });
  if (e.role !== 'source') throw new Error('not a source');
  return e;
}

async function readAll(e: Awaited<ReturnType<typeof source>>, cursor: unknown, batchSize = 2): Promise<SourceBatch[]> {
  const out: SourceBatch[] = [];
  for await (const b of e.read(cursor, batchSize)) out.push(b);
  return out;
}

describe('the file source executor', () => {
  it('reads a gzipped NDJSON file typed as its columns, rejecting bad lines and values, resuming from the cursor', async () => {
    const lines = ['{"id":1,"who":{"name":"Ada"}}', 'not json', '{"id":"x","who":{"name":"Bob"}}', '{"id":4,"who":{"name":"Cy"}}'];
    const e = await source(gzipSync(lines.join('\n')), {
      format: 'ndjson',
      compression: 'gzip',
      columns: [
        { name: 'id', type: 'number' },
        { name: 'who.name', type: 'text' },
      ],
    });
    const all = await readAll(e, null);
    expect(all.map((b) => b.cursor)).toEqual([{ nextRow: 2 }, { nextRow: 4 }]);
    expect(all.flatMap((b) => b.rows.map((r) => r.values))).toEqual([
      { id: 1, 'who.name': 'Ada' },
      { id: 4, 'who.name': 'Cy' },
    ]);
    expect(all.flatMap((b) => b.rejected.map((r) => [r.rowNumber, r.reason.split(':')[0]]))).toEqual([
      [2, 'Line 2 is not valid JSON'],
      [3, 'id'],
    ]);
    const resumed = await readAll(e, { nextRow: 2 });
    expect(resumed.flatMap((b) => b.rows.map((r) => r.rowNumber))).toEqual([4]);
  });

  it('reads JSON under a records path; a graph without a format is CSV', async () => {
    const json = await source(Buffer.from(JSON.stringify({ data: { items: [{ a: 1 }, { a: 2 }] } })), {
      format: 'json',
      recordsPath: 'data.items',
      columns: [{ name: 'a', type: 'number' }],
    });
    expect((await readAll(json, null, 10))[0]?.rows.map((r) => r.values)).toEqual([{ a: 1 }, { a: 2 }]);
    const csv = await source(Buffer.from('a\n1\n'), { delimiter: ',', hasHeader: true, columns: [{ name: 'a', type: 'number' }] });
    expect((await readAll(csv, null))[0]?.rows.map((r) => r.values)).toEqual([{ a: 1 }]);
  });
});
