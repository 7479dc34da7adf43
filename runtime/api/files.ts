// File upload: the raw body is streamed to disk under a size limit, then its format, columns and types sniffed.
import { rm } from 'node:fs/promises';
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { ApiError, UploadedFile } from '../../shared';
import { sniffFile } from '../files/formats';
import { formatBytes, saveUpload, UploadTooLargeError } from '../files/upload';
import type { ApiDeps } from './deps';
import { HttpError, validationHook } from './errors';
import { errors, IdParam, json } from './schemas';

const upload = createRoute({
  method: 'post',
  path: '/files',
  tags: ['Files'],
  summary: 'Upload a CSV, JSON or NDJSON file (optionally gzipped or zipped) as the raw request body; returns its detected format, columns and types',
  request: {
    query: z.object({
      name: z.string().min(1, 'Give the file a name: ?name=customers.csv').max(255),
      recordsPath: z.string().max(500).optional().openapi({ description: 'JSON: where the array of records is (e.g. data.items); found automatically when absent' }),
      zipEntry: z.string().max(1000).optional().openapi({ description: 'Zip: the file inside to read; the first CSV, JSON or NDJSON one when absent' }),
    }),
    // Any Content-Type is read as raw bytes (text/csv, application/json, application/gzip…); declaring JSON here would
    // make the router parse the body instead of streaming it to disk.
    body: { content: { 'text/csv': { schema: z.string() }, 'application/octet-stream': { schema: z.string() } }, required: true },
  },
  responses: {
    201: json(UploadedFile, 'Stored'),
    400: json(ApiError, 'Not a readable CSV, JSON or NDJSON file'),
    413: json(ApiError, 'Over the upload limit'),
    415: json(ApiError, 'Sent as multipart; send the raw bytes'),
  },
});

const getFile = createRoute({
  method: 'get',
  path: '/files/{id}',
  tags: ['Files'],
  summary: "An uploaded file's metadata",
  request: { params: IdParam },
  responses: { 200: json(UploadedFile, 'The file'), 404: errors[404] },
});

export function fileRoutes({ store, filesDir, maxUploadBytes }: ApiDeps) {
  return new OpenAPIHono({ defaultHook: validationHook })
    .openapi(upload, async (c) => {
      const { name, recordsPath, zipEntry } = c.req.valid('query');
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
        saved = await saveUpload(body, filesDir, maxUploadBytes);
      } catch (err) {
        if (err instanceof UploadTooLargeError) {
          throw new HttpError(413, 'file_too_large', `"${name}" is larger than the ${formatBytes(maxUploadBytes)} upload limit`);
        }
        throw err;
      }
      try {
        if (saved.size === 0) throw new Error(`"${name}" is empty`);
        const sniffed = await sniffFile(saved.path, name, { recordsPath, zipEntry });
        const file = {
          id: saved.id,
          name,
          size: saved.size,
          sha256: saved.sha256,
          columns: sniffed.columns,
          delimiter: sniffed.delimiter,
          sampleRows: sniffed.sampleRows,
          format: sniffed.format,
          compression: sniffed.compression,
          ...(sniffed.recordsPath !== undefined ? { recordsPath: sniffed.recordsPath } : {}),
          ...(sniffed.zipEntry !== undefined ? { zipEntry: sniffed.zipEntry } : {}),
          createdAt: new Date().toISOString(),
          path: saved.path,
        };
        await store.saveFile(file);
        const { path: _path, ...served } = file;
        return c.json(served, 201);
      } catch (err) {
        await rm(saved.path, { force: true });
        throw new HttpError(400, 'unreadable_file', `Could not read "${name}": ${err instanceof Error ? err.message : String(err)}`);
      }
    })
    .openapi(getFile, async (c) => {
      const { id } = c.req.valid('param');
      const file = await store.getFile(id);
      if (!file) throw new HttpError(404, 'not_found', `File "${id}" was not found`);
      const { path: _path, ...served } = file;
      return c.json(served, 200);
    });
}
