import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanStep } from '../../shared/compiler/plan';
import { openFilesSession } from '../connectors/files';
import { READ_AHEAD_BYTES } from '../connectors/files/read';
import type { StoredFile } from '../store/types';
import { createExecutor, type SourceBatch } from '.';
import { executorDeps, sessionsOver } from '../../test/support/connections';

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
  const file = { id: 'file_1', path, size: content.length } as StoredFile;
  const step: PlanStep = { nodeId: 'src', kind: 'csv-source', label: 'src', config: { fileId: 'file_1', fileName: 'x', ...config }, input: null, output: null };
  const e = await createExecutor(step, executorDeps({ store: { getFile: async () => file } }));
  if (e.role !== 'source') throw new Error('not a source');
  return e;
}

async function readAll(e: Awaited<ReturnType<typeof source>>, cursor: unknown, batchSize = 2): Promise<SourceBatch[]> {
  const out: SourceBatch[] = [];
  for await (const b of e.read(cursor, batchSize)) out.push(b);
  return out;
}

describe('the file source executor', () => {
  it('reports the bytes of the file read against its size with each batch, plain or gzipped, never ahead of the rows', async () => {
    // 64 KB chunks: a file of ~700 KB (random text, so its gzip is large too) gives several positions before the end.
    const lines = ['id,name', ...Array.from({ length: 20_000 }, (_, i) => `${i},${randomBytes(16).toString('hex')}`)];
    const plain = Buffer.from(lines.join('\n'));
    for (const [content, compression] of [
      [plain, 'none'],
      [gzipSync(plain), 'gzip'],
    ] as const) {
      const e = await source(content, { format: 'csv', compression, delimiter: ',', hasHeader: true, columns: [{ name: 'id', type: 'number' }, { name: 'name', type: 'text' }] });
      const all = await readAll(e, null, 1000);
      const done = all.map((b) => b.progress?.done ?? -1);
      expect(all.every((b) => b.progress?.unit === 'bytes' && b.progress.total === content.length), compression).toBe(true);
      // Never backwards, more than one position on the way, never ahead of the rows: at the end, the whole file
      // less what may still be buffered (READ_AHEAD_BYTES), so the bar does not say 100% with rows still to come.
      expect(done, compression).toEqual([...done].sort((a, b) => a - b));
      expect(new Set(done).size, compression).toBeGreaterThan(1);
      expect(done[0], compression).toBeLessThan(content.length / 2);
      expect(done.at(-1), compression).toBe(content.length - READ_AHEAD_BYTES);
      expect(all.reduce((n, b) => n + b.read, 0)).toBe(20_000);
    }
  });

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

describe('the file source executor through the Files connector', () => {
  it("keeps only the records the node's filter holds for, counting them as read", async () => {
    const e = await source(Buffer.from('id,city\n1,Oslo\n2,Lima\n3,Oslo\nx,Oslo\n'), {
      columns: [
        { name: 'id', type: 'number' },
        { name: 'city', type: 'text' },
      ],
      query: '[city] = "Oslo"',
    });
    const all = await readAll(e, null, 10);
    expect(all.flatMap((b) => b.rows.map((r) => [r.rowNumber, r.values.id]))).toEqual([
      [1, 1],
      [3, 3],
    ]);
    expect(all.flatMap((b) => b.rows.map((r) => r.source))).toEqual([
      { id: '1', city: 'Oslo' },
      { id: '3', city: 'Oslo' },
    ]);
    expect(all.flatMap((b) => b.rejected.map((r) => [r.nodeId, r.rowNumber]))).toEqual([['src', 4]]);
    expect(all.reduce((n, b) => n + b.read, 0)).toBe(3);
    expect(all.at(-1)?.cursor).toEqual({ nextRow: 4 });
  });

  it('decrypts through the chosen Files connection, and says which key is missing without one', async () => {
    const openpgp = await import('openpgp');
    const key = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'Ops', email: 'ops@weft.local' }], format: 'armored' });
    const message = await openpgp.createMessage({ text: 'id\n1\n2\n' });
    const encrypted = (await openpgp.encrypt({ message, encryptionKeys: await openpgp.readKey({ armoredKey: key.publicKey }) })) as string;
    const path = join(dir, 'encrypted');
    await writeFile(path, encrypted);
    const file = { id: 'file_2', name: 'ids.csv.gpg', path, encrypted: true } as StoredFile;
    const store = { getFile: async () => file };
    const step = (connectionId: string): PlanStep => ({ nodeId: 'src', kind: 'csv-source', label: 'IDs', config: { fileId: 'file_2', fileName: 'ids.csv.gpg', connectionId, columns: [{ name: 'id', type: 'number' }] }, input: null, output: null });
    const opened: string[] = [];
    const withKey = await createExecutor(
      step('con_key'),
      executorDeps({
        store,
        sessions: sessionsOver(store, async (id) => {
          opened.push(id);
          return openFilesSession({ pgpPrivateKey: key.privateKey }, { store });
        }),
      }),
    );
    if (withKey.role !== 'source') throw new Error('not a source');
    expect((await readAll(withKey, null, 10)).flatMap((b) => b.rows.map((r) => r.values))).toEqual([{ id: 1 }, { id: 2 }]);
    expect(opened).toEqual(['con_key']);

    const without = await createExecutor(step(''), executorDeps({ store }));
    if (without.role !== 'source') throw new Error('not a source');
    await expect(readAll(without, null)).rejects.toThrow('IDs: "ids.csv.gpg" is PGP-encrypted; choose a Files connection with its private key ("Decrypt with").');
  });
});
