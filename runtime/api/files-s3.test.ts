// Uploads into an S3 bucket through app.request(), as a hostile user and an unlucky operator would meet them (probe16,
// issue 16): hostile file names stay names (the object key is the file's id, under the prefix), an empty upload
// leaves nothing, and a bucket that is down, answers 500, refuses the credentials or never answers gives a plain
// 503 within a bounded time — never a hang, a "file is gone, upload it again", a stored half file or the secret.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, UploadedFile } from '../../shared';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { asOwner } from '../../test/support/signed-in';
import { startMoto, type Moto } from '../../test/support/moto';
import { testConnections } from '../../test/support/connections';
import { createApi } from './app';
import { FileStorageUnavailableError, S3FileStorage, type S3Settings } from '../files/storage';
import { fileProblem } from '../connectors/files/errors';
import { filesConnector } from '../connectors/files';
import { ConnectorError } from '../connectors/types';
import { classifyFailure } from '../activities/outage';
import { createExecutor } from '../executors';
import type { PlanStep } from '../../shared/compiler/plan';
import { executorDeps } from '../../test/support/connections';

const SECRET = 'weft-probe-secret-DO-NOT-LEAK';

let store: Store;
let dir: string;
let moto: Moto;
const bucket = `weft-api-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-files-s3-'));
  store = await openStore({ dataDir: dir, memory: true });
  await store.migrate();
  moto = await startMoto();
  await moto.createBucket(bucket);
}, 90_000);
afterAll(async () => {
  await moto?.stop();
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function apiOver(settings: S3Settings, prefix = `p${randomUUID().slice(0, 6)}`) {
  const files = new S3FileStorage(`s3://${bucket}/${prefix}`, settings);
  const app = createApi({ store, launcher: { start: async () => ({ workflowId: 'x' }) }, filesDir: join(dir, 'unused'), files, maxUploadBytes: 8 * 1024 * 1024, connections: testConnections(store, { filesDir: join(dir, 'unused') }), temporalHealth: async () => true });
  return { app: await asOwner(app, store), prefix };
}

const upload = (app: Awaited<ReturnType<typeof apiOver>>['app'], name: string, body: string | Uint8Array<ArrayBuffer>) =>
  app.request(`/api/files?name=${encodeURIComponent(name)}`, { method: 'POST', body, headers: { 'content-type': 'text/csv' } });

async function keys(prefix: string): Promise<string[]> {
  const listed = await moto.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/` }));
  return (listed.Contents ?? []).map((o) => o.Key ?? '');
}

describe('uploads into a bucket: hostile names and an empty file', () => {
  it('keeps hostile names as names: the object is the file id under the prefix, the download name is the name', async () => {
    const { app, prefix } = await apiOver(moto.settings);
    const names = ['%2e%2e%2fescape.csv', '...', '__proto__', 'constructor', `${'é'.normalize('NFC')}.csv`, `${'é'.normalize('NFD')}.csv`, `${'a'.repeat(251)}.csv`, 'Set-Cookie: x=1.csv'];
    const ids: string[] = [];
    for (const name of names) {
      const res = await upload(app, name, 'id,name\n1,Ann\n');
      expect(res.status, name).toBe(201);
      const file = UploadedFile.parse(await res.json());
      expect(file.name, name).toBe(name);
      ids.push(file.id);
      const down = await app.request(`/api/files/${file.id}/download`);
      expect(down.status).toBe(200);
      expect(await down.text()).toBe('id,name\n1,Ann\n');
      // One header, no injected one.
      expect(down.headers.get('set-cookie')).toBeNull();
    }
    // NFC and NFD names are two names (as written), not one file overwriting the other.
    expect(new Set(ids).size).toBe(names.length);
    expect((await keys(prefix)).sort()).toEqual(ids.map((id) => `${prefix}/${id}`).sort());
    // Nothing outside the prefix.
    const all = await moto.client.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect((all.Contents ?? []).every((o) => (o.Key ?? '').startsWith('p'))).toBe(true);
    // A NUL, folders, `..` or a line break in the name are refused as a request fault (probe19), and leave nothing in the bucket.
    const before = await keys(prefix);
    for (const name of ['a\0b.csv', '../../escape.csv', '..', '/etc/passwd', 'a\r\nSet-Cookie: x=1.csv']) {
      const refused = await upload(app, name, 'id\n1\n');
      expect(refused.status, name).toBe(400);
    }
    expect(await keys(prefix)).toEqual(before);
  }, 60_000);

  it('refuses an empty upload and leaves nothing in the bucket', async () => {
    const { app, prefix } = await apiOver(moto.settings);
    const res = await upload(app, 'empty.csv', new Uint8Array(0));
    expect(res.status).toBe(400);
    expect(ApiError.parse(await res.json()).error.message).toMatch(/empty/);
    expect(await keys(prefix)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// A bucket that is not well.

interface Fault {
  endpoint: string;
  close(): Promise<void>;
}

/** Accepts connections and never answers. */
async function silentServer(): Promise<Fault> {
  const sockets = new Set<Socket>();
  const srv: NetServer = createNetServer((s) => {
    sockets.add(s);
    s.on('data', () => undefined);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      srv.close(() => r());
    }),
  };
}

/** Answers every request with an S3 error document. */
async function erroringServer(status: number, code: string, message: string): Promise<Fault & { requests: () => number }> {
  let requests = 0;
  const srv: HttpServer = createHttpServer((req, res) => {
    requests += 1;
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>r1</RequestId></Error>`);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  return { endpoint: `http://127.0.0.1:${port}`, requests: () => requests, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

async function closedPort(): Promise<string> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

const settingsFor = (endpoint: string, extra: Partial<S3Settings> = {}): S3Settings => ({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'AKIAPROBE', secretAccessKey: SECRET }, ...extra });

/** The API's answer for a bucket that is down or failing (503 storage_unavailable), or refusing/misaddressed (502). */
async function expectUnavailable(res: Response, pattern: RegExp, as: 'down' | 'misconfigured' = 'down') {
  const text = await res.text();
  expect(res.status, text).toBe(as === 'down' ? 503 : 502);
  const { error } = ApiError.parse(JSON.parse(text));
  expect(error.code).toBe(as === 'down' ? 'storage_unavailable' : 'storage_misconfigured');
  expect(error.message).toMatch(pattern);
  expect(text).not.toContain(SECRET);
}

describe('a bucket that is down, failing, refusing or silent', () => {
  it('an endpoint nobody listens on: upload and download say the storage cannot be reached', async () => {
    const endpoint = await closedPort();
    const { app } = await apiOver(settingsFor(endpoint));
    const started = Date.now();
    await expectUnavailable(await upload(app, 'a.csv', 'id\n1\n'), /cannot be reached.*refused/i);
    expect(Date.now() - started).toBeLessThan(15_000);
    // A stored file whose bucket is down is not "gone": it is unreachable for now.
    const file = { id: `file_${randomUUID()}`, name: 'kept.csv', size: 5, sha256: 'x', path: `s3://${bucket}/elsewhere/file_x`, createdAt: new Date().toISOString() };
    await store.saveFile({ ...file, format: 'csv', compression: 'none', delimiter: ',', hasHeader: true, columns: [{ name: 'id', type: 'number' }], sampleRows: [] } as never);
    // Its location's bucket has this (down) endpoint's client in this process.
    const down = await app.request(`/api/files/${file.id}/download`);
    await expectUnavailable(down, /cannot be reached/i);
  }, 60_000);

  it('a server answering 500: a plain 503 after the retries, nothing stored', async () => {
    const fault = await erroringServer(500, 'InternalError', 'We encountered an internal error. Please try again.');
    try {
      const { app } = await apiOver(settingsFor(fault.endpoint));
      await expectUnavailable(await upload(app, 'a.csv', 'id\n1\n'), /answered 500.*InternalError/);
      expect(fault.requests()).toBeGreaterThan(1); // retried, as a transient fault should be
    } finally {
      await fault.close();
    }
  }, 60_000);

  it('wrong credentials: says the credentials were refused, and never shows the secret', async () => {
    const fault = await erroringServer(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
    try {
      const { app } = await apiOver(settingsFor(fault.endpoint));
      await expectUnavailable(await upload(app, 'a.csv', 'id\n1\n'), /refused the credentials \(SignatureDoesNotMatch\)/, 'misconfigured');
    } finally {
      await fault.close();
    }
  }, 60_000);

  it('a server that never answers: the upload fails within the configured time, it does not hang', async () => {
    const fault = await silentServer();
    try {
      const { app } = await apiOver(settingsFor(fault.endpoint, { timeoutMs: 1_000 }));
      const started = Date.now();
      await expectUnavailable(await upload(app, 'a.csv', 'id\n1\n'), /did not answer within 1 s/);
      // Three attempts of 1 s each and their back-off, not forever.
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await fault.close();
    }
  }, 60_000);

  it('the bucket answering again: the same API uploads (the client is not left broken)', async () => {
    const { app, prefix } = await apiOver(moto.settings);
    await moto.client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/unrelated`, Body: 'x' }));
    const res = await upload(app, 'ok.csv', 'id\n1\n');
    expect(res.status).toBe(201);
  });
});

describe('a run reading from a bucket that is not well (probe16)', () => {
  /** A stored file in its own bucket, whose client in this process uses `settings` (as a worker's would). */
  async function fileIn(settings: S3Settings) {
    const own = `weft-run-${randomUUID().slice(0, 8)}`;
    new S3FileStorage(`s3://${own}/p`, settings);
    const id = `file_${randomUUID()}`;
    await store.saveFile({ id, name: 'orders.csv', size: 5, sha256: '0'.repeat(64), columns: [{ name: 'id', type: 'number' }], delimiter: ',', sampleRows: [], format: 'csv', compression: 'none', path: `s3://${own}/p/${id}`, createdAt: new Date().toISOString() });
    return id;
  }
  async function readError(fileId: string): Promise<unknown> {
    const session = await filesConnector.open({}, {}, { store, filesDir: join(dir, 'unused') });
    try {
      for await (const _ of session.read(fileId, { batchSize: 10 })) return null;
      return null;
    } catch (err) {
      return err;
    } finally {
      await session.close();
    }
  }

  it('a bucket that is down is an outage to wait out, not a missing file to upload again', async () => {
    const err = await readError(await fileIn(settingsFor(await closedPort())));
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).code).toBe('unreachable');
    expect((err as Error).message).not.toMatch(/missing|upload it again/i);
    expect(classifyFailure(err, 'Orders').kind).toBe('unreachable');
  }, 60_000);

  it('the pipeline\'s file source, started while the bucket is down, waits it out as an outage (not "missing, upload it again")', async () => {
    const fileId = await fileIn(settingsFor(await closedPort()));
    const file = await store.getFile(fileId);
    const step: PlanStep = { nodeId: 'src', kind: 'csv-source', label: 'Orders', config: { fileId, fileName: 'orders.csv', format: 'csv', compression: 'none', delimiter: ',', hasHeader: true, columns: [{ name: 'id', type: 'number' }] }, input: null, output: null };
    const err = await createExecutor(step, executorDeps({ store: { getFile: async () => file } })).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as Error).message).toMatch(/cannot be reached/);
    expect(classifyFailure(err, 'Orders').kind).toBe('unreachable');
  }, 60_000);

  it('refused credentials fail the run plainly (no waiting), and never show the secret', async () => {
    const fault = await erroringServer(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
    try {
      const err = await readError(await fileIn(settingsFor(fault.endpoint)));
      expect((err as ConnectorError).code).toBe('auth');
      expect(classifyFailure(err, 'Orders').kind).toBe('permanent');
      expect((err as Error).message).toMatch(/refused the credentials \((InvalidAccessKeyId|HTTP 403)\)/);
      expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain(SECRET);
    } finally {
      await fault.close();
    }
  }, 60_000);
});

describe('what a bucket answered decides whether to wait (review of probe16)', () => {
  // Only a server error or a request to slow down passes with time; a redirect to another region or a refused request
  // is the settings' fault: waiting out the whole outage window for it would only delay the plain answer.
  it.each([
    [301, 'PermanentRedirect', 'The bucket you are attempting to access must be addressed using the specified endpoint.'],
    [400, 'InvalidBucketName', 'The specified bucket is not valid.'],
    [400, 'InvalidArgument', 'Invalid argument.'],
    [405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.'],
  ])('%i %s: the run fails plainly as a setting to correct, not an outage to wait out', async (status, code, message) => {
    const fault = await erroringServer(status, code, message);
    try {
      const storage = new S3FileStorage(`s3://${`weft-cls-${randomUUID().slice(0, 8)}`}/p`, settingsFor(fault.endpoint));
      const err = await storage.size('file_1').then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(FileStorageUnavailableError);
      expect((err as FileStorageUnavailableError).reason).toBe('misconfigured');
      expect((err as Error).message).toMatch(/check WEFT_FILES_URL/);
      const asRun = fileProblem(err, { name: 'orders.csv' });
      expect((asRun as ConnectorError).code).toBe('invalid_config');
      expect(classifyFailure(asRun, 'Orders').kind).toBe('permanent');
    } finally {
      await fault.close();
    }
  }, 60_000);

  it('the API answers a misaddressed bucket 502 storage_misconfigured (not 503: trying again would not help)', async () => {
    const fault = await erroringServer(301, 'PermanentRedirect', 'The bucket you are attempting to access must be addressed using the specified endpoint.');
    try {
      const { app } = await apiOver(settingsFor(fault.endpoint));
      await expectUnavailable(await upload(app, 'a.csv', 'id\n1\n'), /answered 301 PermanentRedirect; check WEFT_FILES_URL/, 'misconfigured');
    } finally {
      await fault.close();
    }
  }, 60_000);

  it('a bucket that does not exist is said so on a read, not taken for a missing file', async () => {
    const fault = await erroringServer(404, 'NoSuchBucket', 'The specified bucket does not exist');
    try {
      const storage = new S3FileStorage(`s3://${`weft-cls-${randomUUID().slice(0, 8)}`}/p`, settingsFor(fault.endpoint));
      const err = await storage.get('file_1').then(() => null, (e: unknown) => e);
      expect((err as FileStorageUnavailableError).reason).toBe('no_bucket');
      expect((err as Error).message).toMatch(/does not exist/);
    } finally {
      await fault.close();
    }
  }, 60_000);

  it.each([
    [503, 'SlowDown', 'Please reduce your request rate.'],
    [429, 'TooManyRequests', 'Too many requests.'],
    [500, 'InternalError', 'We encountered an internal error.'],
    [408, 'RequestTimeout', 'Your socket connection to the server was not read from or written to within the timeout period.'],
    [409, 'OperationAborted', 'A conflicting conditional operation is currently in progress against this resource. Please try again.'],
  ])('%i %s: still an outage to wait out', async (status, code, message) => {
    const fault = await erroringServer(status, code, message);
    try {
      const storage = new S3FileStorage(`s3://${`weft-cls-${randomUUID().slice(0, 8)}`}/p`, settingsFor(fault.endpoint));
      const err = await storage.size('file_1').then(() => null, (e: unknown) => e);
      expect((err as FileStorageUnavailableError).reason).toBe('unreachable');
      expect(classifyFailure(fileProblem(err, { name: 'orders.csv' }), 'Orders').kind).toBe('unreachable');
    } finally {
      await fault.close();
    }
  }, 60_000);
});

describe('a bucket that stops sending mid-file (probe16)', () => {
  async function drain(stream: NodeJS.ReadableStream, pauseMs = 0): Promise<number> {
    let n = 0;
    let first = true;
    for await (const c of stream as AsyncIterable<Buffer>) {
      n += c.length;
      if (first && pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
      first = false;
    }
    return n;
  }

  it('a body that stalls fails the read within the timeout, plainly, instead of hanging it', async () => {
    const sockets = new Set<Socket>();
    const srv = createHttpServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '100000' });
      res.write(Buffer.alloc(10, 65)); // then nothing, connection open
    });
    srv.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const files = new S3FileStorage(`s3://weft-stall-${randomUUID().slice(0, 8)}/p`, settingsFor(`http://127.0.0.1:${(srv.address() as { port: number }).port}`, { timeoutMs: 1_000 }));
      const started = Date.now();
      await expect(drain(await files.get('file_x'))).rejects.toThrow(/stopped sending the file for 1 s/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  }, 30_000);

  it('a reader slower than the timeout is not a stalled server: the whole object arrives', async () => {
    const files = new S3FileStorage(`s3://${bucket}/slow`, { ...moto.settings, timeoutMs: 1_000 });
    await files.put('file_slow', [Buffer.alloc(3 * 1024 * 1024, 7)]);
    expect(await drain(await files.get('file_slow'), 2_500)).toBe(3 * 1024 * 1024);
    await files.delete('file_slow');
  }, 30_000);
});
