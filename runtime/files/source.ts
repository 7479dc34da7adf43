// The bytes inside an uploaded file: plain, gunzipped, or one entry of a zip, always as a stream.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import yauzl from 'yauzl';
import type { FILE_COMPRESSIONS } from '../../shared/graph/kinds/csv-source';

export type Compression = (typeof FILE_COMPRESSIONS)[number];

/** Where the records are: the file, and for a zip the entry inside it. */
export interface FileSource {
  path: string;
  compression: Compression;
  /** The zip entry to read; the first readable one when absent. */
  zipEntry?: string;
}

const READABLE_ENTRY = /\.(csv|tsv|txt|json|ndjson|jsonl)$/i;

/** gzip and zip announce themselves in their first bytes. */
export async function detectCompression(path: string): Promise<Compression> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && head.equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return 'zip';
    return 'none';
  } finally {
    await handle.close();
  }
}

/** The decompressed bytes from offset `start` on (skipping is cheap only for plain files). */
export async function openSource(src: FileSource, start = 0): Promise<{ stream: Readable; entryName?: string }> {
  if (src.compression === 'none') return { stream: createReadStream(src.path, { start, highWaterMark: 64 * 1024 }) };
  const inner = src.compression === 'gzip' ? { stream: chain(createReadStream(src.path, { highWaterMark: 64 * 1024 }), createGunzip()) } : await openZipEntry(src.path, src.zipEntry);
  return { ...inner, stream: start > 0 ? chain(inner.stream, skipBytes(start)) : inner.stream };
}

/** `a | b` where an error anywhere reaches the reader of `b`, and destroying `b` (stopping early) closes `a`. */
function chain(from: Readable, to: Transform): Readable {
  return pipeline(from, to, () => undefined);
}

/** Reads up to `max` bytes from the start of the source; `truncated` says whether there was more. */
export async function readHead(src: FileSource, max: number): Promise<{ buf: Buffer; truncated: boolean; entryName?: string }> {
  const { stream, entryName } = await openSource(src);
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= max) {
        truncated = true;
        break;
      }
    }
  } catch (err) {
    throw new Error(src.compression === 'gzip' ? `This gzip file is damaged (${(err as Error).message})` : (err as Error).message);
  } finally {
    stream.destroy();
  }
  const all = Buffer.concat(chunks);
  return { buf: all.subarray(0, max), truncated: truncated || all.length > max, entryName };
}

function skipBytes(n: number): Transform {
  let left = n;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (left >= chunk.length) {
        left -= chunk.length;
        return done();
      }
      const rest = chunk.subarray(left);
      left = 0;
      done(null, rest);
    },
  });
}

async function openZipEntry(path: string, wanted: string | undefined): Promise<{ stream: Readable; entryName: string }> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, z) => (err || !z ? reject(new Error(`This zip file cannot be opened (${err?.message ?? 'unknown error'})`)) : resolve(z))),
  );
  const names: string[] = [];
  const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      const isFile = !e.fileName.endsWith('/') && !e.fileName.startsWith('__MACOSX/');
      if (isFile) names.push(e.fileName);
      if (isFile && (wanted ? e.fileName === wanted : READABLE_ENTRY.test(e.fileName))) resolve(e);
      else zip.readEntry();
    });
    zip.on('end', () => resolve(null));
    zip.on('error', reject);
    zip.readEntry();
  });
  if (!entry) {
    zip.close();
    if (wanted) throw new Error(`This zip has no file named "${wanted}" inside${names.length ? ` (it has ${names.slice(0, 5).join(', ')})` : ''}`);
    throw new Error('This zip has no CSV, JSON or NDJSON file inside');
  }
  const stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (err, s) => (err || !s ? reject(err ?? new Error('unreadable entry')) : resolve(s))));
  stream.once('close', () => zip.close());
  return { stream, entryName: entry.fileName };
}
