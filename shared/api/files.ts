// Request and response shapes of the file routes beyond the upload itself: sniffing a stored file again with
// other settings (or a key), and a file source's preview (the first matching records and the stamp it keeps).
import { z } from 'zod';
import { nameRecord } from '../util/name-record';
import { Field } from '../graph/field-types';
import { FileCompression, FileFormat, FileSourceConfig } from '../graph/kinds/file-source';
import { SqlPreviewStamp } from '../graph/kinds/sql-source';
import { SAMPLE_LIMITS } from '../sample-limits';

/** Sniff a stored file again: each setting given wins over detection; `connectionId` names a Files connection with the PGP key. */
export const FileSniffInput = z
  .object({
    format: FileFormat.optional().meta({ description: 'Read as this format instead of the detected one' }),
    hasHeader: z.boolean().optional().meta({ description: 'CSV and Excel: whether the first row is the header; detected when absent' }),
    sheet: z.string().max(200).optional().meta({ description: 'Excel: the sheet to read; the first one when absent' }),
    recordsPath: z.string().max(500).optional().meta({ description: 'JSON: where the array of records is, e.g. data.items' }),
    zipEntry: z.string().max(1000).optional().meta({ description: 'Zip: the file inside to read' }),
    connectionId: z.string().max(100).optional().meta({ description: 'A Files connection holding the private key, for a PGP-encrypted file' }),
  })
  .strict();
export type FileSniffInput = z.infer<typeof FileSniffInput>;

/** A file source's preview: the node's read settings (each defaults to the stored file's), its filter and its key. */
export const FilePreviewInput = z
  .object({
    format: FileFormat.optional(),
    compression: FileCompression.optional(),
    delimiter: FileSourceConfig.shape.delimiter.unwrap().optional(),
    hasHeader: z.boolean().optional(),
    recordsPath: z.string().max(500).optional(),
    zipEntry: z.string().max(1000).optional(),
    sheet: z.string().max(200).optional(),
    /** The node's columns, with the types to read them as. */
    columns: z.array(Field).min(1).optional(),
    /** A TRUE/FALSE Weft formula over the columns: only matching records are shown. */
    query: z.string().max(10_000).optional(),
    connectionId: z.string().max(100).optional(),
    /**
     * How many records to answer with (10 when absent): the designer asks for more when a filter further down lets
     * none of the first ones through (shared/sampling.ts). Reading stops at this many, or after 2 seconds.
     */
    limit: z.number().int().min(1).max(SAMPLE_LIMITS.maxRows).optional(),
  })
  .strict();
export type FilePreviewInput = z.infer<typeof FilePreviewInput>;

export const FilePreview = z.object({
  columns: z.array(Field),
  /** Up to 10 (or `limit`) records the filter keeps, typed as the columns say. */
  rows: z.array(nameRecord(z.unknown())),
  /** Each row's record number in the file (1-based, header not counted), and the record as read, before typing. */
  rowNumbers: z.array(z.number().int()).optional(),
  sourceRows: z.array(nameRecord(z.unknown())).optional(),
  /** Reading stopped at the time bound before `limit` rows were found or the file ended. */
  timedOut: z.boolean().optional(),
  /** Records among those scanned that cannot be read (malformed, a value that does not fit its column), first ones only. */
  rejected: z.array(z.object({ rowNumber: z.number().int(), reason: z.string() })),
  /** Records read to find the rows (all of them when the filter keeps fewer than 10). */
  scanned: z.number().int().nonnegative(),
  /** The stamp the node keeps: proof the preview was loaded for exactly these settings and this filter. */
  preview: SqlPreviewStamp,
});
export type FilePreview = z.infer<typeof FilePreview>;
