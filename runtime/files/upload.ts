// Streams an upload into the file storage (a folder or a bucket), hashing as it goes, and stops at the size limit
// without buffering.
import { createHash, randomUUID } from 'node:crypto';
import { Transform } from 'node:stream';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { LocalFileStorage, type FileStorage } from './storage';

export class UploadTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`The file is larger than the ${formatBytes(limitBytes)} upload limit`);
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
  return `${(n / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`;
}

export interface SavedUpload {
  id: string;
  /** Its location in the storage (an absolute path or s3://bucket/key), kept as the stored file's `path`. */
  path: string;
  size: number;
  sha256: string;
}

/** `files` is the storage, or (as before) a local folder. Nothing is left behind when the upload is refused. */
export async function saveUpload(body: ReadableStream<Uint8Array>, files: FileStorage | string, limitBytes: number): Promise<SavedUpload> {
  const storage = typeof files === 'string' ? new LocalFileStorage(files) : files;
  const id = `file_${randomUUID()}`;
  const hash = createHash('sha256');
  let size = 0;
  const limited = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > limitBytes) return done(new UploadTooLargeError(limitBytes));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const source = Readable.fromWeb(body as WebReadableStream<Uint8Array>);
  source.once('error', (err) => limited.destroy(err));
  source.pipe(limited);
  try {
    const { location } = await storage.put(id, limited);
    return { id, path: location, size, sha256: hash.digest('hex') };
  } catch (err) {
    source.destroy();
    await storage.delete(id).catch(() => undefined);
    throw err;
  }
}
