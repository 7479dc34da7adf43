// The file storage contract, run against both backends: a local folder and a real S3-protocol server (moto's
// server mode, started here). Put/get/range/delete/list, hostile keys, a 100 MB upload streamed with bounded
// memory, an upload over its limit leaving nothing behind, and the readers (sniff, zip by range requests) by location.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type Moto } from '../../test/support/moto';
import { zipBuffer } from '../../test/support/zip';
import { sniffFile, readFileBatches } from './formats';
import { FileMissingError, LocalFileStorage, openRange, readBytes, removeAt, S3FileStorage, sizeOf, type FileStorage } from './storage';
import { saveUpload, UploadTooLargeError } from './upload';

const MB = 1024 * 1024;

/** A full garbage collection, without starting the test process with --expose-gc. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/** A request body as the server gets one: a pull-based web stream (cancelled when the upload stops early). */
function webBody(chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const it = (Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]()) as AsyncIterator<Uint8Array> | Iterator<Uint8Array>;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await it.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await it.return?.();
    },
  });
}

let moto: Moto;
let dir: string;
const bucket = `weft-contract-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-storage-'));
  moto = await startMoto();
  await moto.createBucket(bucket);
}, 90_000);

afterAll(async () => {
  await moto?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const backends: [string, () => FileStorage][] = [
  ['local folder', () => new LocalFileStorage(join(dir, 'files'))],
  ['S3 (moto server)', () => new S3FileStorage(`s3://${bucket}/some/prefix`, moto.settings)],
];

describe.each(backends)('file storage contract: %s', (_name, make) => {
  let files: FileStorage;
  beforeAll(() => {
    files = make();
  });

  it('puts, gets, sizes, lists and deletes', async () => {
    const key = `file_${randomUUID()}`;
    const { location, size } = await files.put(key, [Buffer.from('id,name\n1,Ann\n'), Buffer.from('2,Bob\n')]);
    expect(size).toBe(20);
    expect(location).toBe(files.location(key));
    expect(await text(await files.get(key))).toBe('id,name\n1,Ann\n2,Bob\n');
    expect(await files.size(key)).toBe(20);
    expect(await files.list()).toContain(key);
    // By location, as every reader opens it (the API, a worker on another machine).
    expect(await sizeOf(location)).toBe(20);
    expect(await text(await openRange(location))).toBe('id,name\n1,Ann\n2,Bob\n');
    await files.delete(key);
    expect(await files.size(key)).toBeNull();
    expect(await sizeOf(location)).toBeNull();
    expect(await files.list()).not.toContain(key);
    await files.delete(key); // deleting twice is fine
    await expect(files.get(key)).rejects.toBeInstanceOf(FileMissingError);
    await expect(openRange(location)).rejects.toBeInstanceOf(FileMissingError);
  });

  it('reads byte ranges (as a partitioned read and a zip directory need)', async () => {
    const key = `file_${randomUUID()}`;
    const { location } = await files.put(key, [Buffer.from('0123456789abcdef')]);
    expect(await text(await files.get(key, { start: 3, end: 7 }))).toBe('3456');
    expect(await text(await files.get(key, { start: 10 }))).toBe('abcdef');
    expect(await text(await files.get(key, { start: 5, end: 5 }))).toBe('');
    expect(await text(await files.get(key, { start: 14, end: 100 }))).toBe('ef');
    expect(await text(await files.get(key, { start: 16 }))).toBe('');
    expect((await readBytes(location, 2, 4)).toString()).toBe('2345');
    expect((await readBytes(location, 12, 100)).toString()).toBe('cdef');
    await expect(files.get(key, { start: -1 })).rejects.toThrow(/Invalid byte range/);
    await expect(files.get(key, { start: 5, end: 2 })).rejects.toThrow(/Invalid byte range/);
    await files.delete(key);
  });

  it('refuses hostile keys everywhere and keeps __proto__ an ordinary key', async () => {
    for (const bad of ['../escape', '..', '.', 'a/b', '/etc/passwd', 'x\0y', '', 'sp ace', '..\\win', 'ü', 'a'.repeat(256)]) {
      await expect(files.put(bad, [Buffer.from('x')]), JSON.stringify(bad)).rejects.toThrow(/not a valid file key/);
      await expect(files.get(bad)).rejects.toThrow(/not a valid file key/);
      await expect(files.delete(bad)).rejects.toThrow(/not a valid file key/);
      expect(() => files.location(bad)).toThrow(/not a valid file key/);
    }
    for (const key of ['__proto__', 'constructor', 'toString']) {
      await files.put(key, [Buffer.from(`I am ${key}`)]);
      expect(await text(await files.get(key))).toBe(`I am ${key}`);
      expect(await files.list()).toContain(key);
      await files.delete(key);
      expect(await files.size(key)).toBeNull();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Nothing escaped the folder or the prefix.
    if (files instanceof LocalFileStorage) expect((await readdir(dir)).sort()).toEqual(['files']);
    // A NUL or a relative path is never a location.
    await expect(openRange('relative/path')).rejects.toThrow(/not a stored file's location/);
    await expect(openRange(`${dir}/files/x\0y`)).rejects.toThrow(/not a stored file's location/);
  });

  it('streams a 100 MB upload with bounded memory and reads it back intact', async () => {
    const key = `big_${randomUUID()}`;
    const expected = createHash('sha256');
    // What is held, not garbage not yet collected: measured right after a full collection, every 5 MB.
    const gc = collector();
    let peak = 0;
    gc();
    const base = process.memoryUsage();
    const baseline = base.heapUsed + base.arrayBuffers;
    let n = 0;
    const sample = () => {
      if (++n % 5 !== 0) return;
      gc();
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed + m.arrayBuffers - baseline);
    };
    async function* body(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 100; i++) {
        const chunk = Buffer.alloc(MB, i % 251);
        chunk.write(`chunk ${i}\n`);
        expected.update(chunk);
        sample();
        yield chunk;
      }
    }
    try {
      const saved = await saveUpload(webBody(body()), files, 200 * MB);
      expect(saved.size).toBe(100 * MB);
      expect(saved.sha256).toBe(expected.digest('hex'));
      // Read back as a stream, hashed on the way: the same bytes, still without holding the file.
      const back = createHash('sha256');
      let size = 0;
        for await (const c of (await openRange(saved.path)) as AsyncIterable<Buffer>) {
        back.update(c);
        size += c.length;
        if (Math.floor((size - c.length) / MB) !== Math.floor(size / MB)) sample();
      }
      expect(size).toBe(100 * MB);
      expect(back.digest('hex')).toBe(saved.sha256);
      await removeAt(saved.path);
      expect(await sizeOf(saved.path)).toBeNull();
    } finally {
      await files.delete(key);
    }
    // 100 MB went through; a few parts (5 MB, two in flight) are held at once, never the file: buffering it would hold 100 MB.
    console.log(`[storage] ${files.kind}: 100 MB upload + read back, most held at once (heap + buffers, after GC) ${(peak / MB).toFixed(1)} MB`);
    expect(peak).toBeLessThan(48 * MB);
  }, 300_000);

  it('leaves nothing behind when an upload goes over its limit mid-stream', async () => {
    const before = await files.list();
    async function* body(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 30; i++) yield Buffer.alloc(MB, 7);
    }
    await expect(saveUpload(webBody(body()), files, 20 * MB)).rejects.toBeInstanceOf(UploadTooLargeError);
    expect(await files.list()).toEqual(before);
    if (files instanceof S3FileStorage) {
      // The multipart upload it had begun (20 MB > one 5 MB part) was aborted, not left to cost storage.
      const pending = await moto.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      expect(pending.Uploads ?? []).toEqual([]);
    } else {
      expect((await readdir(join(dir, 'files'))).filter((n) => n.endsWith('.part'))).toEqual([]);
    }
  }, 120_000);

  it('sniffs and reads CSV, gzip-less zip entries and NDJSON by location', async () => {
    const csv = await saveUpload(webBody([Buffer.from('id,name,amount\n1,Ann,10.5\n2,"Bob, Jr.",3\n')]), files, MB);
    const sniff = await sniffFile(csv.path, 'people.csv');
    expect(sniff.format).toBe('csv');
    expect(sniff.columns.map((c) => c.name)).toEqual(['id', 'name', 'amount']);
    // A zip: yauzl reads its central directory and the entry by range requests, never the whole object.
    const zip = await saveUpload(webBody([zipBuffer({ 'readme.txt': 'no', 'data/people.csv': 'id,name\n1,Ann\n2,Bob\n3,Cy\n' })]), files, MB);
    const zipSniff = await sniffFile(zip.path, 'people.zip', { zipEntry: 'data/people.csv' });
    expect(zipSniff.compression).toBe('zip');
    const rows: unknown[] = [];
    for await (const b of readFileBatches(zip.path, { format: 'csv', compression: 'zip', zipEntry: 'data/people.csv', delimiter: ',', hasHeader: true, columns: zipSniff.columns, batchSize: 2 })) rows.push(...b.rows);
    expect(rows).toEqual([
      { id: '1', name: 'Ann' },
      { id: '2', name: 'Bob' },
      { id: '3', name: 'Cy' },
    ]);
    // A resumed read starts from its checkpoint.
    const ndjson = await saveUpload(webBody([Buffer.from('{"id":1}\n{"id":2}\n{"id":3}\n')]), files, MB);
    const later: unknown[] = [];
    for await (const b of readFileBatches(ndjson.path, { format: 'ndjson', compression: 'none', delimiter: ',', hasHeader: true, columns: [{ name: 'id' }], batchSize: 10, startRow: 2 })) later.push(...b.rows);
    expect(later).toEqual([{ id: '3' }]);
    for (const f of [csv, zip, ndjson]) await removeAt(f.path);
  }, 60_000);
});

describe('S3 settings', () => {
  it('refuses malformed bucket addresses', async () => {
    const { parseS3Url } = await import('./storage');
    expect(parseS3Url('s3://my-bucket/a/b/')).toEqual({ bucket: 'my-bucket', prefix: 'a/b' });
    expect(parseS3Url('s3://my-bucket')).toEqual({ bucket: 'my-bucket', prefix: '' });
    for (const bad of ['s3://', 's3://UPPER/x', 'http://bucket/x', 's3://b/../x', 's3://ok-bucket/a/./b']) expect(() => parseS3Url(bad), bad).toThrow();
  });

  it('a missing object in a bucket reads as missing, with the real server', async () => {
    expect(await sizeOf(`s3://${bucket}/nope/file_x`)).toBeNull();
    await expect(readBytes(`s3://${bucket}/nope/file_x`, 0, 4)).rejects.toBeInstanceOf(FileMissingError);
  });
});
