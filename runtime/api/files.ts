// File upload: the raw body is streamed to disk under a size limit, then its format, columns and types sniffed.
import { Readable } from 'node:stream';
import { OpenAPIHono } from '@hono/zod-openapi';
import { asHttp } from './connections';
import { encryptedPlaceholder, keyProblem, previewFile, served, sniffAs, storedFrom } from './file-reads';
import { formatBytes, saveUpload, UploadTooLargeError } from '../files/upload';
import { FileMissingError, FileStorageUnavailableError, openRange, removeAt, sizeOf } from '../files/storage';
import type { ApiDeps } from './deps';
import { access, serve } from './guard';
import { HttpError, validationHook, usual } from './errors';
import { publicMessage } from '../public-message';
import * as routes from '../../shared/api/routes';

const upload = serve(routes.uploadFile, {
  ...access('run'),
  tags: ['Files'],
  summary: 'Upload a CSV, JSON or NDJSON file (optionally gzipped or zipped) as the raw request body; returns its detected format, columns and types',
  responses: { 201: 'Stored', 400: 'Not a readable file; or (needs_key, key_refused) PGP-encrypted without the right key: the file is kept, sniff it again with a connection', 413: 'Over the upload limit', 415: 'Sent as multipart; send the raw bytes' },
});

const getFile = serve(routes.getFile, {
  ...access('read'),
  tags: ['Files'],
  summary: "An uploaded file's metadata",
  responses: { 200: 'The file', 404: usual[404] },
});

const sniff = serve(routes.sniffFile, {
  ...access('run'),
  tags: ['Files'],
  summary: 'Detect a stored file\'s format, columns and types again with other settings (format, sheet, records path, zip entry) or a Files connection\'s key, and keep the result',
  responses: { 200: 'Sniffed again and stored', 400: 'Not readable with these settings, or needs_key / key_refused', 404: usual[404] },
});

const preview = serve(routes.previewFile, {
  ...access('read'),
  tags: ['Files'],
  summary: 'A file source\'s preview: the first 10 records its settings and filter read, typed as its columns say, and the stamp the node keeps',
  responses: { 200: 'The first matching records', 400: 'needs_key / key_refused: the file is encrypted and the chosen connection (if any) cannot decrypt it', 404: usual[404], 422: 'The filter is not a valid TRUE/FALSE formula, or the file cannot be read with these settings' },
});

export function fileRoutes({ store, filesDir, files, maxUploadBytes, connections }: ApiDeps) {
  return new OpenAPIHono({ defaultHook: validationHook })
    .openapi(upload, async (c) => {
      const { name, recordsPath, zipEntry, sheet, connectionId } = c.req.valid('query');
      // Before the bytes are taken: a wrong connection is refused without storing anything.
      const decrypt = await connections.filesKey(connectionId).catch(asHttp);
      if ((c.req.header('content-type') ?? '').startsWith('multipart/')) {
        throw new HttpError(415, 'unsupported_media_type', 'Send the file as the raw request body (Content-Type: text/csv), not as a multipart form');
      }
      const declared = Number(c.req.header('content-length') ?? NaN);
      if (Number.isFinite(declared) && declared > maxUploadBytes) {
        throw new HttpError(413, 'file_too_large', `"${name}" is ${formatBytes(declared)}; the upload limit is ${formatBytes(maxUploadBytes)}`);
      }
      const body = c.req.raw.body;
      if (!body) throw new HttpError(400, 'empty_file', `"${name}" is empty`);
      let saved;
      try {
        saved = await saveUpload(body, files ?? filesDir, maxUploadBytes);
      } catch (err) {
        if (err instanceof UploadTooLargeError) {
          throw new HttpError(413, 'file_too_large', `"${name}" is larger than the ${formatBytes(maxUploadBytes)} upload limit`);
        }
        throw err;
      }
      const base = { id: saved.id, name, size: saved.size, sha256: saved.sha256, path: saved.path, createdAt: new Date().toISOString() };
      try {
        if (saved.size === 0) throw new Error(`"${name}" is empty`);
        const file = storedFrom(base, await sniffAs(saved.path, name, { recordsPath, zipEntry, sheet }, decrypt));
        await store.saveFile(file);
        // Answered as stored (a U+0000 in the sample shows as ␀), so the upload and a later read agree.
        return c.json(served((await store.getFile(file.id)) ?? file), 201);
      } catch (err) {
        // The storage failing while the file was sniffed: not the file's fault (503), and not a reason to keep it.
        if (err instanceof FileStorageUnavailableError) {
          await removeAt(saved.path).catch(() => undefined);
          throw err;
        }
        // Encrypted without the right key: the file is kept, so the client can sniff it again with a connection.
        const needsKey = keyProblem(err, saved.id);
        if (needsKey) {
          await store.saveFile(encryptedPlaceholder(base));
          throw needsKey;
        }
        await removeAt(saved.path).catch(() => undefined);
        throw new HttpError(400, 'unreadable_file', `Could not read "${name}": ${publicMessage(err)}`);
      }
    })
    .openapi(getFile, async (c) => {
      const { id } = c.req.valid('param');
      const file = await store.getFile(id);
      if (!file) throw new HttpError(404, 'not_found', `File "${id}" was not found`);
      return c.json(served(file), 200);
    })
    .openapi(sniff, async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const file = await store.getFile(id);
      if (!file) throw new HttpError(404, 'not_found', `File "${id}" was not found`);
      const decrypt = await connections.filesKey(input.connectionId).catch(asHttp);
      let sniffed;
      try {
        sniffed = await sniffAs(file.path, file.name, input, decrypt);
      } catch (err) {
        if (err instanceof FileStorageUnavailableError) throw err;
        throw keyProblem(err, id) ?? new HttpError(400, 'unreadable_file', `Could not read "${file.name}" this way: ${publicMessage(err)}`);
      }
      const updated = storedFrom({ id, name: file.name, size: file.size, sha256: file.sha256, path: file.path, createdAt: file.createdAt }, sniffed);
      await store.saveFile(updated);
      return c.json(served((await store.getFile(id)) ?? updated), 200);
    })
    .openapi(preview, async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const file = await store.getFile(id);
      if (!file) throw new HttpError(404, 'not_found', `File "${id}" was not found`);
      const session = await connections.openFiles(input.connectionId).catch(asHttp);
      try {
        return c.json(await previewFile(session, file, input), 200);
      } finally {
        await session.close().catch(() => undefined);
      }
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Download (files kept with runs): the stored bytes exactly as uploaded, for a run's page and for the API.

const download = serve(routes.downloadFile, {
  ...access('read'),
  tags: ['Files'],
  summary: 'The stored bytes of an upload, exactly as uploaded, as an attachment under its original name',
  responses: { 200: 'The file', 404: usual[404] },
});

/** RFC 6266: a plain ASCII fallback name for old clients, and the exact name percent-encoded as UTF-8. */
export function attachmentHeader(name: string): string {
  // A name kept before uploads refused folders (probe19) is offered without them: a client that saves under the
  // header's name writes one file in its own folder, never `../../…` or `/etc/…`.
  const base = name.replace(/[/\\]/g, '_');
  const fallback = base.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(base).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export function fileDownloadRoutes({ store }: ApiDeps) {
  return new OpenAPIHono({ defaultHook: validationHook }).openapi(download, async (c) => {
    const { id } = c.req.valid('param');
    const file = await store.getFile(id);
    if (!file) throw new HttpError(404, 'not_found', `File "${id}" was not found`);
    const gone = () => new HttpError(404, 'not_found', `The contents of "${file.name}" are no longer in the server's file storage; upload it again`);
    // Missing is null; a storage that cannot be reached is not "gone" (it answers 503, the file is still there).
    const size = await sizeOf(file.path);
    if (size === null) throw gone();
    const stream = await openRange(file.path).catch((err: unknown) => {
      throw err instanceof FileMissingError ? gone() : err;
    });
    const body = Readable.toWeb(stream) as ReadableStream<Uint8Array>;
    return c.body(body, 200, {
      'content-type': 'application/octet-stream',
      'content-length': String(size),
      'content-disposition': attachmentHeader(file.name),
      etag: `"${file.sha256}"`,
      'cache-control': 'private, max-age=0, must-revalidate',
    }) as never;
  });
}
