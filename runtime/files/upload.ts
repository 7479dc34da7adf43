// Streams an upload into the file storage (a folder or a bucket), hashing as it goes, and stops at the size limit
// without buffering.
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { FileStorageUnavailableError, LocalFileStorage, type FileStorage } from './storage';

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
  const source = Readable.fromWeb(body as WebReadableStream<Uint8Array>);
  // Pulled by the storage at its own pace (nothing flows before it reads); going over the limit ends the write.
  async function* limited(): AsyncGenerator<Buffer> {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limitBytes) throw new UploadTooLargeError(limitBytes);
      hash.update(chunk);
      yield chunk;
    }
  }
  try {
    const { location } = await storage.put(id, limited());
    return { id, path: location, size, sha256: hash.digest('hex') };
  } catch (err) {
    source.destroy();
    // A storage that cannot be reached wrote nothing visible (an object appears whole or not at all), and asking it
    // to delete would only wait out its timeouts again.
    if (!(err instanceof FileStorageUnavailableError)) await storage.delete(id).catch(() => undefined);
    throw err;
  }
}
