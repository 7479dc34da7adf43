// Files: upload a file as the raw body, sniff and preview it again with other settings, download it as uploaded.
import { z } from 'zod';
import { FilePreview, FilePreviewInput, FileSniffInput } from '../files';
import { UploadedFile } from '../integrations';
import { hasControlCharacters } from '../../util/control-characters';
import { IdParam, json, jsonBody, route } from './define';


/**
 * Why an upload's name cannot be one, or null. The name is only shown and offered back on download (the bytes are kept
 * under an id), but a name with folders, `..`, a line break or a text-reversing mark misleads whoever reads or saves it (probe19).
 */
export function uploadNameProblem(name: string): string | null {
  // Line breaks, other control characters and the invisible marks that reorder text (U+202E shows "exe.csv" for "vsc.exe").
  if (hasControlCharacters(name, { directionMarks: true })) return 'A file name holds no line breaks, control characters or invisible direction marks';
  if (/[/\\]/.test(name)) return 'A file name without folders: customers.csv, not exports/customers.csv';
  if (name.trim() === '.' || name.trim() === '..') return `"${name.trim()}" is not a file name`;
  return null;
}

export const uploadFile = route({
  method: 'post',
  path: '/files',
  request: {
    query: z.object({
      name: z
        .string()
        .min(1, 'Give the file a name: ?name=customers.csv')
        .max(255)
        .superRefine((name, ctx) => {
          const problem = uploadNameProblem(name);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      recordsPath: z.string().max(500).optional().meta({ description: 'JSON: where the array of records is (e.g. data.items); found automatically when absent' }),
      zipEntry: z.string().max(1000).optional().meta({ description: 'Zip: the file inside to read; the first CSV, JSON or NDJSON one when absent' }),
      sheet: z.string().max(200).optional().meta({ description: 'Excel: the sheet to read; the first one when absent' }),
      connectionId: z.string().max(100).optional().meta({ description: 'A Files connection holding the PGP private key, to decrypt and sniff an encrypted upload' }),
    }),
    // Any Content-Type is read as raw bytes (text/csv, application/json, application/gzip…); declaring JSON here would
    // make the router parse the body instead of streaming it to disk.
    body: { content: { 'text/csv': { schema: z.string() }, 'application/octet-stream': { schema: z.string() } }, required: true },
  },
  responses: { 201: json(UploadedFile) },
});

export const getFile = route({
  method: 'get',
  path: '/files/{id}',
  request: { params: IdParam },
  responses: { 200: json(UploadedFile) },
});

export const sniffFile = route({
  method: 'post',
  path: '/files/{id}/sniff',
  request: { params: IdParam, body: jsonBody(FileSniffInput) },
  responses: { 200: json(UploadedFile) },
});

export const previewFile = route({
  method: 'post',
  path: '/files/{id}/preview',
  request: { params: IdParam, body: jsonBody(FilePreviewInput) },
  responses: { 200: json(FilePreview) },
});

export const downloadFile = route({
  method: 'get',
  path: '/files/{id}/download',
  request: { params: IdParam },
  responses: { 200: { content: { 'application/octet-stream': { schema: z.string().meta({ format: 'binary' }) } } } },
});
