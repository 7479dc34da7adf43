// The bytes inside an uploaded file: plain, gunzipped, or one entry of a zip, maybe PGP-decrypted first,
// always as a stream.
import { PassThrough, pipeline, Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import yauzl from 'yauzl';
import type { FILE_COMPRESSIONS } from '../../shared/graph/kinds/file-source';
import { openDecrypted, type PgpDecrypt } from './pgp';
import { isS3Location, openRange, readBytes, sizeOf } from './storage';

export type Compression = (typeof FILE_COMPRESSIONS)[number];

/** Where the records are: the file, and for a zip the entry inside it. */
export interface FileSource {
  path: string;
  compression: Compression;
  /** The zip entry to read; the first readable one when absent. */
  zipEntry?: string;
  /** Set when the file is PGP-encrypted: the bytes are decrypted first, then decompressed. */
  decrypt?: PgpDecrypt;
  /**
   * Told the position in the stored file (its own bytes, compressed or not) as a plain or gzip file is read, for a
   * run's progress against the file's size; zip entries and encrypted files do not report.
   */
  onRead?: (position: number) => void;
  /**
   * Issue 16, a part of a plain file: only bytes [start, end) are read, offsets are relative to `start`, and its first
   * record is data record `firstRow` + 1 of the whole file (runtime/files/partition-scan.ts found the cut).
   */
  range?: { start: number; end: number; firstRow: number };
}

const READABLE_ENTRY = /\.(csv|tsv|txt|json|ndjson|jsonl)$/i;

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** gzip and zip announce themselves in their first bytes. */
export function compressionOf(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.subarray(0, 4).equals(ZIP_MAGIC)) return 'zip';
  return 'none';
}

/**
 * The file's compression from its first bytes. An Excel workbook is a zip too, but one that is read as a
 * whole (it holds `xl/workbook.xml`): that is the `excel` format, not a zip of files, so it says 'none'.
 */
export async function detectCompression(path: string): Promise<Compression> {
  const head = await readBytes(path, 0, 4);
  const compression = compressionOf(head);
  if (compression === 'zip' && (await isWorkbookZip(path))) return 'none';
  return compression;
}

/** Whether a zip is an Office workbook (.xlsx, .xlsm, or the binary .xlsb), judged by its entries. */
export async function isWorkbookZip(path: string): Promise<boolean> {
  const names = await zipEntryNames(path).catch(() => []);
  return names.some((n) => n === 'xl/workbook.xml' || n === 'xl/workbook.bin');
}

/** The names of a zip's entries, read from its central directory only. */
export async function zipEntryNames(path: string): Promise<string[]> {
  const zip = await openZip(path);
  const names: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', (err: Error) => reject(new Error(zipProblem(err))));
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return names;
}

/** The decompressed bytes from offset `start` on (skipping is cheap only for plain files). */
export async function openSource(src: FileSource, start = 0): Promise<{ stream: Readable; entryName?: string }> {
  if (src.range) {
    // Parts are planned only for plain, unencrypted files (runtime/activities/partitions.ts).
    if (src.decrypt || src.compression !== 'none') throw new Error('Only a plain file can be read in parts.');
    const from = src.range.start + start;
    return { stream: counted(await openRange(src.path, { start: Math.min(from, src.range.end), end: src.range.end }), from, src.onRead) };
  }
  if (src.decrypt) return openDecryptedSource(src, src.decrypt, start);
  if (src.compression === 'none') return { stream: counted(await openRange(src.path, { start }), start, src.onRead) };
  const inner = src.compression === 'gzip' ? { stream: chain(counted(await openRange(src.path), 0, src.onRead), createGunzip()) } : await openZipEntry(src.path, src.zipEntry);
  return { ...inner, stream: start > 0 ? chain(inner.stream, skipBytes(start)) : inner.stream };
}

/** Decrypted, then gunzipped; a zip needs to seek to its directory at the end, which a decrypting stream cannot. */
async function openDecryptedSource(src: FileSource, decrypt: PgpDecrypt, start: number): Promise<{ stream: Readable }> {
  if (src.compression === 'zip') throw new Error(ENCRYPTED_ZIP);
  const plain = await openDecrypted(src.path, decrypt);
  const inner = src.compression === 'gzip' ? chain(plain, createGunzip()) : plain;
  return { stream: start > 0 ? chain(inner, skipBytes(start)) : inner };
}

export const ENCRYPTED_ZIP =
  'This PGP-encrypted file holds a zip (or an Excel workbook), which cannot be read while it is being decrypted. Ask the sender to encrypt the CSV, JSON or NDJSON file itself (gzipped is fine).';

/** `a | b` where an error anywhere reaches the reader of `b`, and destroying `b` (stopping early) closes `a`. */
/** The file's bytes as they are read, each chunk telling `onRead` the position after it. */
function counted(file: Readable, start: number, onRead: ((position: number) => void) | undefined): Readable {
  if (!onRead) return file;
  let position = start;
  return chain(
    file,
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        position += chunk.length;
        onRead(position);
        done(null, chunk);
      },
    }),
  );
}

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

/** Opens a zip for reading entries one at a time (lazily) and closing it ourselves; in a bucket, by range requests. */
export async function openZip(path: string): Promise<yauzl.ZipFile> {
  const opened = (resolve: (z: yauzl.ZipFile) => void, reject: (e: Error) => void) => (err: Error | null, z?: yauzl.ZipFile) =>
    err || !z ? reject(new Error(`This zip file cannot be opened (${err?.message ?? 'unknown error'})`)) : resolve(z);
  if (!isS3Location(path)) return new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.open(path, { lazyEntries: true, autoClose: false }, opened(resolve, reject)));
  const size = await sizeOf(path);
  if (size === null) throw new Error('This zip file cannot be opened (it is no longer stored)');
  const reader = new RangeReader(path);
  return new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.fromRandomAccessReader(reader, size, { lazyEntries: true, autoClose: false }, opened(resolve, reject)));
}

/** yauzl's random access over ranged GETs: the central directory, then each entry's bytes, never the whole object. */
class RangeReader extends yauzl.RandomAccessReader {
  constructor(private readonly location: string) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const out = new PassThrough();
    openRange(this.location, { start, end }).then(
      (s) => pipeline(s, out, () => undefined),
      (err: Error) => out.destroy(err),
    );
    return out;
  }
}

const WORKBOOK_ENTRY = /\.(xlsx|xlsm|xlsb|xls)$/i;

async function openZipEntry(path: string, wanted: string | undefined): Promise<{ stream: Readable; entryName: string }> {
  if (wanted && WORKBOOK_ENTRY.test(wanted)) throw new Error(workbookInZip(wanted));
  const zip = await openZip(path);
  const names: string[] = [];
  // The first match (sniffFile refuses a zip holding two files of one name, so there is no other).
  let entry: yauzl.Entry | null = null;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        const isFile = !e.fileName.endsWith('/') && !e.fileName.startsWith('__MACOSX/');
        if (isFile) names.push(e.fileName);
        if (isFile && (wanted ? e.fileName === wanted : READABLE_ENTRY.test(e.fileName))) {
          entry = e;
          return resolve();
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', (err: Error) => reject(new Error(zipProblem(err))));
      zip.readEntry();
    });
  } catch (err) {
    zip.close();
    throw err;
  }
  const found = entry as yauzl.Entry | null;
  if (!found) {
    zip.close();
    if (wanted) throw new Error(`This zip has no file named "${wanted}" inside${names.length ? ` (it has ${names.slice(0, 5).join(', ')})` : ''}`);
    const workbook = names.find((n) => WORKBOOK_ENTRY.test(n));
    if (workbook) throw new Error(workbookInZip(workbook));
    throw new Error('This zip has no CSV, JSON or NDJSON file inside');
  }
  const stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(found, (err, s) => (err || !s ? reject(new Error(zipProblem(err ?? new Error('unreadable entry'), found.fileName))) : resolve(s))));
  // yauzl's own words ("too many bytes in the stream") said as what they mean, before any reader sees them.
  stream.once('error', (err: Error) => {
    err.message = zipProblem(err, found.fileName);
  });
  stream.once('close', () => zip.close());
  return { stream, entryName: found.fileName };
}

/**
 * A zip holding two files under one name (zip tools allow it): only the first could ever be read, the other's records
 * lost without a word, so such a zip is refused when it is sniffed (probe16b). Folders and __MACOSX/ are not files.
 */
export async function refuseDuplicateEntries(path: string): Promise<void> {
  const seen = new Set<string>();
  for (const name of await zipEntryNames(path)) {
    if (name.endsWith('/') || name.startsWith('__MACOSX/')) continue;
    if (seen.has(name)) throw new Error(`This zip holds two files named "${name}", so which one to read is unclear. Rename one of them and zip the files again.`);
    seen.add(name);
  }
}

/** yauzl's errors in words a person can act on; the entry named when known. */
export function zipProblem(err: Error, entryName?: string): string {
  const msg = err.message;
  if (msg.startsWith('This zip')) return msg;
  const entry = entryName ? ` "${entryName}"` : '';
  if (/^(invalid relative path|absolute path|invalid characters in fileName)/.test(msg)) return `This zip has an entry with an unsafe name (${msg}); Weft reads no zip with such names. Zip the files again without folders that climb out (../) or start at the root.`;
  if (/too many bytes in the stream|not enough bytes in the stream/.test(msg)) return `This zip is damaged or forged: its entry${entry} does not hold the size its header declares (${msg}). Zip the files again.`;
  return `This zip cannot be read${entry ? ` (entry${entry})` : ''}: ${msg}`;
}

const workbookInZip = (name: string) => `This zip holds an Excel workbook (${name}). Unzip it and upload the workbook itself.`;
