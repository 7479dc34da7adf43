// Streams an upload to disk, hashing as it goes, and stops at the size limit without buffering.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';

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
  path: string;
  size: number;
  sha256: string;
}

export async function saveUpload(body: ReadableStream<Uint8Array>, dir: string, limitBytes: number): Promise<SavedUpload> {
  await mkdir(dir, { recursive: true });
  const id = `file_${randomUUID()}`;
  const path = join(dir, id);
  const partial = `${path}.part`;
  const out = createWriteStream(partial, { mode: 0o600 });
  const hash = createHash('sha256');
  let size = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limitBytes) throw new UploadTooLargeError(limitBytes);
      hash.update(value);
      if (!out.write(value)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    await rename(partial, path);
    return { id, path, size, sha256: hash.digest('hex') };
  } catch (err) {
    await reader.cancel().catch(() => undefined);
    out.destroy();
    await rm(partial, { force: true });
    throw err;
  }
}
