// Where uploaded files' bytes live: one interface in front of a local folder (the embedded default) and an
// S3-compatible bucket (WEFT_FILES_URL=s3://bucket/prefix), both streamed both ways. A stored file records its
// location (the `path` column): an absolute path, or `s3://bucket/key`; every reader (the API's sniffing and
// previews, every worker's reads) opens bytes by location through `openRange`/`readBytes`/`sizeOf`, so a worker on
// another machine reads what the API stored as long as it has the same S3 settings.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import type * as ClientS3 from '@aws-sdk/client-s3';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type * as LibStorage from '@aws-sdk/lib-storage';

/** The AWS SDK is loaded on first use: a Weft without WEFT_FILES_URL never pays for it (memory, start time). */
let sdkLoading: Promise<{ s3: typeof ClientS3; storage: typeof LibStorage }> | null = null;
const sdk = () => (sdkLoading ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]).then(([s3, storage]) => ({ s3, storage })));

/** A byte range: `start` inclusive, `end` exclusive (absent: to the end of the file). */
export interface ByteRange {
  start: number;
  end?: number;
}

export type FileBody = Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface FileStorage {
  /** `local` or `s3`, for messages and docs. */
  readonly kind: 'local' | 's3';
  /** Where a key's bytes live, as stored with the file (an absolute path or `s3://bucket/key`). */
  location(key: string): string;
  /** Streams `body` to `key` (never buffered whole); a failed or abandoned write leaves nothing behind. */
  put(key: string, body: FileBody): Promise<{ location: string; size: number }>;
  /** The key's bytes (or a range of them) as a stream; a missing key rejects with `FileMissingError`. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** The size in bytes, or null when the key holds nothing. */
  size(key: string): Promise<number | null>;
  /** Removes the key; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** The keys under the storage's folder or prefix, sorted. */
  list(): Promise<string[]>;
  /** Throws with a plain message when the storage cannot be written (a Files connection's Test). */
  check(): Promise<void>;
}

export class FileMissingError extends Error {
  constructor(readonly location: string) {
    super(`No file is stored at ${location}`);
  }
}

/**
 * The file storage could not be used right now (a bucket's server down, failing, silent, or refusing the
 * credentials): not the file's fault, and not a missing file. The message names the storage and the reason in plain
 * words, never a secret; the API answers it with 503.
 */
export class FileStorageUnavailableError extends Error {
  constructor(
    message: string,
    /**
     * unreachable: down, silent, answering 5xx or asking to slow down (429, SlowDown: waited out); credentials: refused;
     * no_bucket: no such bucket; misconfigured: any other answer (a 3xx such as PermanentRedirect, a 4xx such as
     * InvalidBucketName): the settings are wrong, and waiting would not help.
     */
    readonly reason: 'unreachable' | 'credentials' | 'no_bucket' | 'misconfigured',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FileStorageUnavailableError';
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

/**
 * An S3 client's failure in plain words (a FileStorageUnavailableError), or the error itself when it is not the
 * storage's (an upload over its limit, a body that failed): what the server answered, or why nothing was answered.
 */
function storageFailure(err: unknown, bucket: string, timeoutMs: number): unknown {
  if (err instanceof FileMissingError || err instanceof FileStorageUnavailableError) return err;
  const e = err as { name?: string; code?: string; message?: string; Code?: string; $metadata?: { httpStatusCode?: number }; $fault?: string } | null;
  if (!e || typeof e !== 'object') return err;
  const where = `The file storage s3://${bucket}`;
  const code = e.code ?? (e as { cause?: { code?: string } }).cause?.code;
  if (e.name === 'TimeoutError' || code === 'ETIMEDOUT') return new FileStorageUnavailableError(`${where} did not answer within ${Math.round(timeoutMs / 1000)} s; check WEFT_S3_ENDPOINT and that the server is up`, 'unreachable', { cause: err });
  if (code && NETWORK_CODES.has(code)) return new FileStorageUnavailableError(`${where} cannot be reached (${code === 'ECONNREFUSED' ? 'connection refused' : code}); check WEFT_S3_ENDPOINT and that the server is up`, 'unreachable', { cause: err });
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined && !e.$fault) return err;
  // A HEAD's error has no body, so no S3 code: then the HTTP status names it.
  const name = e.Code ?? (e.name && e.name !== 'Unknown' && e.name !== 'Error' ? e.name : `HTTP ${status ?? 'error'}`);
  if (status === 401 || status === 403 || /^(InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied|ExpiredToken|InvalidToken|AuthorizationHeaderMalformed)$/.test(name)) {
    return new FileStorageUnavailableError(`${where} refused the credentials (${name}); check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the bucket's permissions`, 'credentials', { cause: err });
  }
  if (name === 'NoSuchBucket') return new FileStorageUnavailableError(`${where} does not exist; create the bucket or correct WEFT_FILES_URL`, 'no_bucket', { cause: err });
  const answered = name === `HTTP ${status}` ? name : `${status ?? 'an error'} ${name}`;
  // Only a server error or a request to slow down passes with time; any other answer is the settings' fault (review
  // of probe16: a bucket in another region, 301 PermanentRedirect, was waited out for the whole outage window).
  // (408: a proxy's request timeout; 409: on an object, OperationAborted, "a conflicting operation is in progress, try
  // again" — a HEAD's answer has no body to name it.)
  const passing = status === undefined ? e.$fault === 'server' : status >= 500 || status === 429 || status === 408 || status === 409;
  if (passing || /^(SlowDown|Throttling|ThrottlingException|RequestTimeout|RequestTimeTooSkewed|InternalError|ServiceUnavailable|OperationAborted)$/.test(name)) {
    return new FileStorageUnavailableError(`${where} cannot be used: the server answered ${answered}; try again later`, 'unreachable', { cause: err });
  }
  return new FileStorageUnavailableError(`${where} cannot be used: the server answered ${answered}; check WEFT_FILES_URL, WEFT_S3_ENDPOINT and WEFT_S3_REGION`, 'misconfigured', { cause: err });
}

/** Runs `call`, turning an S3 client failure into a FileStorageUnavailableError. */
async function guarded<T>(bucket: string, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw storageFailure(err, bucket, timeoutMs);
  }
}

/**
 * Keys are file ids and output file names: letters, digits, `.`, `_` and `-`, at most 255 characters, not `.` or
 * `..`. So a key can never climb out of its folder (`../`), hide a NUL, or name a sub-folder; `__proto__` is an
 * ordinary key (nothing looks keys up in plain objects).
 */
const KEY = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/;

export function checkKey(key: string): string {
  if (typeof key !== 'string' || !KEY.test(key) || key === '.' || key === '..') {
    throw new Error(`"${String(key).replace(/[^\x20-\x7e]/g, '?').slice(0, 80)}" is not a valid file key (letters, digits, ".", "_" and "-" only)`);
  }
  return key;
}

function toReadable(body: FileBody): Readable {
  return body instanceof Readable ? body : Readable.from(body, { objectMode: false });
}

function checkRange(range: ByteRange | undefined): void {
  if (!range) return;
  const ok = Number.isSafeInteger(range.start) && range.start >= 0 && (range.end === undefined || (Number.isSafeInteger(range.end) && range.end >= range.start));
  if (!ok) throw new Error(`Invalid byte range ${JSON.stringify(range)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Local folder

export class LocalFileStorage implements FileStorage {
  readonly kind = 'local' as const;
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  location(key: string): string {
    return join(this.dir, checkKey(key));
  }

  async put(key: string, body: FileBody): Promise<{ location: string; size: number }> {
    const path = this.location(key);
    await mkdir(this.dir, { recursive: true });
    const partial = `${path}.${randomUUID()}.part`;
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(toReadable(body), counter, createWriteStream(partial, { mode: 0o600 }));
      await rename(partial, path);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
    return { location: path, size };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    return openLocal(this.location(key), range);
  }

  async size(key: string): Promise<number | null> {
    return localSize(this.location(key));
  }

  async delete(key: string): Promise<void> {
    await rm(this.location(key), { force: true });
  }

  async list(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => KEY.test(n) && !n.endsWith('.part')).sort();
  }

  async check(): Promise<void> {
    const probe = `.weft-check-${randomUUID()}`;
    try {
      await mkdir(this.dir, { recursive: true });
      await rm(join(this.dir, probe), { force: true });
      const handle = await open(join(this.dir, probe), 'wx', 0o600);
      await handle.close();
      await rm(join(this.dir, probe), { force: true });
    } catch (err) {
      throw new Error(`Weft cannot write to its files folder ${this.dir} (${(err as Error).message}). Give the server's user write access to it.`);
    }
  }
}

async function openLocal(path: string, range?: ByteRange): Promise<Readable> {
  checkRange(range);
  if (range?.end !== undefined && range.end === range.start) {
    if ((await localSize(path)) === null) throw new FileMissingError(path);
    return Readable.from([]);
  }
  // Opened first, so a missing file rejects here rather than as a stream error later.
  const handle = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT' ? new FileMissingError(path) : err;
  });
  return createReadStream('', { fd: handle, start: range?.start ?? 0, ...(range?.end !== undefined ? { end: range.end - 1 } : {}), highWaterMark: 64 * 1024 });
}

async function localSize(path: string): Promise<number | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// S3-compatible bucket

/** The client settings: the AWS SDK's own defaults (AWS_REGION, AWS_ACCESS_KEY_ID, profiles…) unless given. */
export interface S3Settings {
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * How long one request may wait for the server's answer (its headers) before it is abandoned and retried
   * (WEFT_S3_TIMEOUT_SECONDS; default 60 s). Without it a server that accepts and never answers hangs the upload,
   * the preview or the run for good. A body being streamed is not limited: a slow reader is not a slow server.
   */
  timeoutMs?: number;
}

export const DEFAULT_S3_TIMEOUT_MS = 60_000;

/** From the environment: WEFT_S3_ENDPOINT (a MinIO, moto or other S3-compatible server), WEFT_S3_REGION or AWS_REGION. */
export function s3SettingsFromEnv(env: NodeJS.ProcessEnv = process.env): S3Settings {
  const endpoint = env.WEFT_S3_ENDPOINT || undefined;
  const pathStyle = env.WEFT_S3_FORCE_PATH_STYLE;
  return {
    ...(endpoint ? { endpoint } : {}),
    region: env.WEFT_S3_REGION || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    // A custom endpoint rarely has per-bucket host names: path style unless told otherwise.
    forcePathStyle: pathStyle ? pathStyle === 'true' : !!endpoint,
    ...(Number(env.WEFT_S3_TIMEOUT_SECONDS) > 0 && { timeoutMs: Number(env.WEFT_S3_TIMEOUT_SECONDS) * 1000 }),
  };
}

/** `s3://bucket/prefix` → bucket and prefix (no leading or trailing slash). */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) throw new Error(`"${url}" is not an S3 address: write s3://bucket or s3://bucket/prefix (the bucket name in lower case)`);
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((p) => p === '..' || p === '.') || prefix.includes('\0')) throw new Error(`"${url}": the prefix may not hold "." or ".." parts`);
  return { bucket: m[1] as string, prefix };
}

/**
 * Multipart parts of 5 MB (S3's smallest), two in flight: an upload holds about 30 MB (parts being sent, the part being
 * gathered and its copy) whatever the file's size — measured in storage.test.ts with a 100 MB upload.
 */
const PART_SIZE = 5 * 1024 * 1024;
const QUEUE_SIZE = 2;

/** Each bucket's storage as this process made it: readers of `s3://<bucket>/…` use its client. */
const buckets = new Map<string, S3FileStorage>();

export class S3FileStorage implements FileStorage {
  readonly kind = 's3' as const;
  readonly bucket: string;
  readonly prefix: string;
  /** The bucket's client, made when first needed. */
  readonly client: () => Promise<S3Client>;
  readonly timeoutMs: number;

  constructor(url: string, settings: S3Settings = s3SettingsFromEnv()) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Url(url));
    this.timeoutMs = settings.timeoutMs ?? DEFAULT_S3_TIMEOUT_MS;
    const config: S3ClientConfig = {
      region: settings.region ?? 'us-east-1',
      forcePathStyle: settings.forcePathStyle ?? !!settings.endpoint,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
      // Checksums only when the operation needs one: S3-compatible servers differ on the newer defaults.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Connecting, and each request's wait for its answer, are bounded (the SDK waits forever by default); a
      // timed-out request is retried by the SDK like any transient fault, then fails with a plain message.
      requestHandler: { connectionTimeout: Math.min(this.timeoutMs, 10_000), requestTimeout: this.timeoutMs, throwOnRequestTimeout: true },
    };
    let made: Promise<S3Client> | null = null;
    this.client = () => (made ??= sdk().then(({ s3 }) => new s3.S3Client(config)));
    buckets.set(this.bucket, this);
  }

  private objectKey(key: string): string {
    return this.prefix ? `${this.prefix}/${checkKey(key)}` : checkKey(key);
  }

  location(key: string): string {
    return `s3://${this.bucket}/${this.objectKey(key)}`;
  }

  async put(key: string, body: FileBody): Promise<{ location: string; size: number }> {
    const Key = this.objectKey(key);
    const [{ storage }, client] = await Promise.all([sdk(), this.client()]);
    let size = 0;
    const source = toReadable(body);
    // Pulled by the Upload at its own pace; an error in the body (an upload over its limit) ends the Upload, which
    // then aborts the multipart upload.
    async function* counted(): AsyncGenerator<Buffer> {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        size += chunk.length;
        yield chunk;
      }
    }
    const counter = Readable.from(counted(), { objectMode: false, highWaterMark: 256 * 1024 });
    const upload = new storage.Upload({ client, params: { Bucket: this.bucket, Key, Body: counter }, partSize: PART_SIZE, queueSize: QUEUE_SIZE, leavePartsOnError: false });
    try {
      await upload.done();
    } catch (err) {
      source.destroy();
      counter.destroy();
      // A failed single-part put leaves nothing; a failed multipart upload is aborted by the Upload itself.
      throw storageFailure(err, this.bucket, this.timeoutMs);
    }
    return { location: this.location(key), size };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const Key = this.objectKey(key);
    return guarded(this.bucket, this.timeoutMs, async () => openS3(await this.client(), this.bucket, Key, range, this.timeoutMs));
  }

  async size(key: string): Promise<number | null> {
    const Key = this.objectKey(key);
    return guarded(this.bucket, this.timeoutMs, async () => s3Size(await this.client(), this.bucket, Key));
  }

  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    const { s3 } = await sdk();
    await guarded(this.bucket, this.timeoutMs, async () => (await this.client()).send(new s3.DeleteObjectCommand({ Bucket: this.bucket, Key })));
  }

  async list(): Promise<string[]> {
    const keys: string[] = [];
    const Prefix = this.prefix ? `${this.prefix}/` : '';
    const { s3 } = await sdk();
    const client = await this.client();
    let ContinuationToken: string | undefined;
    do {
      const page = await guarded(this.bucket, this.timeoutMs, () => client.send(new s3.ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken })));
      for (const o of page.Contents ?? []) {
        const rest = (o.Key ?? '').slice(Prefix.length);
        if (KEY.test(rest)) keys.push(rest);
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return keys.sort();
  }

  async check(): Promise<void> {
    const key = `.weft-check-${randomUUID()}`.slice(1);
    try {
      await this.put(key, [Buffer.from('ok')]);
      await this.delete(key);
    } catch (err) {
      throw new Error(`Weft cannot write to its files bucket s3://${this.bucket}/${this.prefix} (${(err as Error).message}). Check WEFT_S3_ENDPOINT, the region and the credentials.`);
    }
  }
}

function isMissing(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  // A 404 for the bucket itself is not a missing file: storageFailure says the bucket does not exist.
  if (e?.name === 'NoSuchBucket' || e?.Code === 'NoSuchBucket') return false;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

async function openS3(client: S3Client, bucket: string, key: string, range: ByteRange | undefined, timeoutMs: number): Promise<Readable> {
  checkRange(range);
  const location = `s3://${bucket}/${key}`;
  if (range?.end !== undefined && range.end === range.start) {
    if ((await s3Size(client, bucket, key)) === null) throw new FileMissingError(location);
    return Readable.from([]);
  }
  const Range = range && (range.start > 0 || range.end !== undefined) ? `bytes=${range.start}-${range.end !== undefined ? range.end - 1 : ''}` : undefined;
  try {
    const { s3 } = await sdk();
    const out = await client.send(new s3.GetObjectCommand({ Bucket: bucket, Key: key, ...(Range ? { Range } : {}) }));
    return stallWatched(out.Body as Readable, timeoutMs, bucket);
  } catch (err) {
    if (isMissing(err)) throw new FileMissingError(location);
    // A range starting at or past the end: no bytes (as a local read past the end gives).
    if ((err as { name?: string }).name === 'InvalidRange' || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416) return Readable.from([]);
    throw err;
  }
}

/**
 * An object's body that fails (FileStorageUnavailableError) when the server stops sending for `timeoutMs` while the
 * reader is waiting for bytes. Only then: a reader that is slow to take them (a part waiting on its target) pauses
 * the clock, so a slow consumer is never mistaken for a silent server (a socket idle timeout would be).
 */
function stallWatched(body: Readable, timeoutMs: number, bucket: string): Readable {
  let timer: NodeJS.Timeout | null = null;
  const disarm = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  const out = new Readable({
    highWaterMark: 64 * 1024,
    read() {
      if (!timer) {
        timer = setTimeout(() => {
          timer = null;
          const err = new FileStorageUnavailableError(`The file storage s3://${bucket} stopped sending the file for ${Math.round(timeoutMs / 1000)} s; check that the server is up`, 'unreachable');
          body.destroy();
          out.destroy(err);
        }, timeoutMs);
        timer.unref?.();
      }
      body.resume();
    },
    destroy(err, done) {
      disarm();
      body.destroy();
      done(err);
    },
  });
  body.on('data', (chunk: Buffer) => {
    disarm();
    if (!out.push(chunk)) body.pause();
  });
  body.once('end', () => {
    disarm();
    out.push(null);
  });
  body.once('error', (err) => {
    disarm();
    out.destroy(storageFailure(err, bucket, timeoutMs) as Error);
  });
  body.pause();
  return out;
}

async function s3Size(client: S3Client, bucket: string, key: string): Promise<number | null> {
  try {
    const { s3 } = await sdk();
    const head = await client.send(new s3.HeadObjectCommand({ Bucket: bucket, Key: key }));
    return head.ContentLength ?? 0;
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// By location: what readers use, whichever storage wrote the file.

async function s3Location(location: string): Promise<{ client: S3Client; bucket: string; key: string; timeoutMs: number }> {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  if (!m) throw new Error(`"${location}" is not an S3 location`);
  const bucket = m[1] as string;
  // A process that never made a storage for this bucket: the environment's settings.
  const storage = buckets.get(bucket) ?? new S3FileStorage(`s3://${bucket}`);
  return { client: await storage.client(), bucket, key: m[2] as string, timeoutMs: storage.timeoutMs };
}

export const isS3Location = (location: string) => location.startsWith('s3://');

function localPath(location: string): string {
  if (!isAbsolute(location) || location.includes('\0')) throw new Error(`"${location}" is not a stored file's location`);
  return location;
}

/** The bytes at a location (or a range of them) as a stream. */
export async function openRange(location: string, range?: ByteRange): Promise<Readable> {
  if (isS3Location(location)) {
    const { client, bucket, key, timeoutMs } = await s3Location(location);
    return guarded(bucket, timeoutMs, () => openS3(client, bucket, key, range, timeoutMs));
  }
  return openLocal(localPath(location), range);
}

/** Up to `length` bytes from `start`: fewer when the file ends first. */
export async function readBytes(location: string, start: number, length: number): Promise<Buffer> {
  if (length <= 0) return Buffer.alloc(0);
  if (!isS3Location(location)) {
    const handle = await open(localPath(location), 'r').catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT' ? new FileMissingError(location) : err;
    });
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, start);
      return buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of await openRange(location, { start, end: start + length }) as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).subarray(0, length);
}

/** The size in bytes at a location, or null when nothing is there. */
export async function sizeOf(location: string): Promise<number | null> {
  if (isS3Location(location)) {
    const { client, bucket, key, timeoutMs } = await s3Location(location);
    return guarded(bucket, timeoutMs, () => s3Size(client, bucket, key));
  }
  return localSize(localPath(location));
}

export async function removeAt(location: string): Promise<void> {
  if (isS3Location(location)) {
    const { client, bucket, key, timeoutMs } = await s3Location(location);
    const { s3 } = await sdk();
    await guarded(bucket, timeoutMs, () => client.send(new s3.DeleteObjectCommand({ Bucket: bucket, Key: key })));
    return;
  }
  await rm(localPath(location), { force: true });
}

/** The storage of a setting: `s3://bucket/prefix` or a local folder. */
export function fileStorageFor(url: string | undefined, localDir: string, settings?: S3Settings): FileStorage {
  if (url && url.startsWith('s3://')) return new S3FileStorage(url, settings);
  if (url) {
    const dir = url.startsWith('file://') ? new URL(url).pathname : url;
    return new LocalFileStorage(dir);
  }
  return new LocalFileStorage(localDir);
}
