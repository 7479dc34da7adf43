// Files: upload a file as the raw body, sniff and preview it again with other settings, download it as uploaded.
import { z } from 'zod';
import { FilePreview, FilePreviewInput, FileSniffInput } from '../files';
import { ApiError, UploadedFile } from '../integrations';
import { access, errors, IdParam, json, route } from './define';

export const uploadFile = route({
  ...access('run'),
  method: 'post',
  path: '/files',
  tags: ['Files'],
  summary: 'Upload a CSV, JSON or NDJSON file (optionally gzipped or zipped) as the raw request body; returns its detected format, columns and types',
  request: {
    query: z.object({
      name: z.string().min(1, 'Give the file a name: ?name=customers.csv').max(255),
      recordsPath: z.string().max(500).optional().meta({ description: 'JSON: where the array of records is (e.g. data.items); found automatically when absent' }),
      zipEntry: z.string().max(1000).optional().meta({ description: 'Zip: the file inside to read; the first CSV, JSON or NDJSON one when absent' }),
      sheet: z.string().max(200).optional().meta({ description: 'Excel: the sheet to read; the first one when absent' }),
      connectionId: z.string().max(100).optional().meta({ description: 'A Files connection holding the PGP private key, to decrypt and sniff an encrypted upload' }),
    }),
    // Any Content-Type is read as raw bytes (text/csv, application/json, application/gzip…); declaring JSON here would
    // make the router parse the body instead of streaming it to disk.
    body: { content: { 'text/csv': { schema: z.string() }, 'application/octet-stream': { schema: z.string() } }, required: true },
  },
  responses: {
    201: json(UploadedFile, 'Stored'),
    400: json(ApiError, 'Not a readable file; or (needs_key, key_refused) PGP-encrypted without the right key: the file is kept, sniff it again with a connection'),
    413: json(ApiError, 'Over the upload limit'),
    415: json(ApiError, 'Sent as multipart; send the raw bytes'),
  },
});

export const getFile = route({
  ...access('read'),
  method: 'get',
  path: '/files/{id}',
  tags: ['Files'],
  summary: "An uploaded file's metadata",
  request: { params: IdParam },
  responses: { 200: json(UploadedFile, 'The file'), 404: errors[404] },
});

export const sniffFile = route({
  ...access('run'),
  method: 'post',
  path: '/files/{id}/sniff',
  tags: ['Files'],
  summary: 'Detect a stored file\'s format, columns and types again with other settings (format, sheet, records path, zip entry) or a Files connection\'s key, and keep the result',
  request: { params: IdParam, body: { content: { 'application/json': { schema: FileSniffInput } }, required: true } },
  responses: {
    200: json(UploadedFile, 'Sniffed again and stored'),
    400: json(ApiError, 'Not readable with these settings, or needs_key / key_refused'),
    404: errors[404],
  },
});

export const previewFile = route({
  ...access('read'),
  method: 'post',
  path: '/files/{id}/preview',
  tags: ['Files'],
  summary: 'A file source\'s preview: the first 10 records its settings and filter read, typed as its columns say, and the stamp the node keeps',
  request: { params: IdParam, body: { content: { 'application/json': { schema: FilePreviewInput } }, required: true } },
  responses: {
    200: json(FilePreview, 'The first matching records'),
    400: json(ApiError, 'needs_key / key_refused: the file is encrypted and the chosen connection (if any) cannot decrypt it'),
    404: errors[404],
    422: json(ApiError, 'The filter is not a valid TRUE/FALSE formula, or the file cannot be read with these settings'),
  },
});

export const downloadFile = route({
  ...access('read'),
  method: 'get',
  path: '/files/{id}/download',
  tags: ['Files'],
  summary: 'The stored bytes of an upload, exactly as uploaded, as an attachment under its original name',
  request: { params: IdParam },
  responses: {
    200: { content: { 'application/octet-stream': { schema: z.string().meta({ format: 'binary' }) } }, description: 'The file' },
    404: errors[404],
  },
});

