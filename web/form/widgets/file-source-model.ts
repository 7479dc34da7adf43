// The pure part of the file source's widgets: what an upload or a new sniff writes into the node config, what a
// preview asks the server for, and whether the stored preview still matches what the node reads.
import { FileSourceConfig, filePreviewStamp, isFilePreviewCurrent, SqlPreviewStamp, type FilePreview, type FilePreviewInput, type UploadedFile } from '../../../shared';

const DELIMITERS: readonly string[] = FileSourceConfig.shape.delimiter.unwrap().options;

/** An upload or a sniff: the file's detected settings and columns; the old preview no longer proves anything. */
export function patchForFile(file: UploadedFile, path = 'fileId'): Record<string, unknown> {
  return {
    [path]: file.id,
    fileName: file.name,
    format: file.format,
    compression: file.compression,
    recordsPath: file.recordsPath ?? '',
    zipEntry: file.zipEntry ?? '',
    sheet: file.sheet ?? '',
    ...(DELIMITERS.includes(file.delimiter) ? { delimiter: file.delimiter } : {}),
    ...(file.hasHeader !== undefined ? { hasHeader: file.hasHeader } : {}),
    columns: file.columns,
  };
}

/**
 * What an upload or a sniff writes into the node: the file's settings and columns, and its preview stamp — the
 * widget shows the file's first rows as read with exactly these settings, so the upload is the preview. With a
 * field filter the rows shown are not what it keeps: that still needs "Load preview". A pinned sample row of
 * another file no longer applies.
 */
export function patchForUpload(config: Record<string, unknown>, file: UploadedFile, path = 'fileId', extra: Record<string, unknown> = {}): Record<string, unknown> {
  const patch = { ...patchForFile(file, path), ...extra, pinnedSample: null };
  const next = FileSourceConfig.safeParse({ ...config, ...patch, preview: null });
  const stamp = next.success && next.data.query.trim() === '' ? filePreviewStamp(next.data) : null;
  return { ...patch, preview: stamp };
}

/** The node's settings as a preview request; undefined when the node's config cannot be read yet. */
export function previewInput(config: Record<string, unknown>): FilePreviewInput | undefined {
  const parsed = FileSourceConfig.safeParse(config);
  if (!parsed.success) return undefined;
  const c = parsed.data;
  return {
    format: c.format,
    compression: c.compression,
    delimiter: c.delimiter,
    hasHeader: c.hasHeader,
    recordsPath: c.recordsPath,
    zipEntry: c.zipEntry,
    sheet: c.sheet,
    columns: c.columns,
    ...(c.query.trim() ? { query: c.query } : {}),
    ...(c.connectionId ? { connectionId: c.connectionId } : {}),
  };
}

export const patchForFilePreview = (preview: FilePreview) => ({ preview: preview.preview });

export type FilePreviewState = 'none' | 'current' | 'stale';

export function filePreviewState(config: Record<string, unknown>): FilePreviewState {
  const stamp = SqlPreviewStamp.safeParse(config.preview);
  if (!stamp.success) return 'none';
  const parsed = FileSourceConfig.safeParse({ ...config, preview: stamp.data });
  if (!parsed.success) return 'stale';
  return isFilePreviewCurrent(parsed.data) ? 'current' : 'stale';
}

/** Whether the node reads the file with other settings than it was last sniffed with (its columns may be old). */
export function sniffIsStale(config: Record<string, unknown>, file: UploadedFile | undefined): boolean {
  if (!file) return false;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  if (str(config.format) && config.format !== file.format) return true;
  if (file.format === 'json' && str(config.recordsPath) !== (file.recordsPath ?? '')) return true;
  if (file.compression === 'zip' && str(config.zipEntry) && str(config.zipEntry) !== (file.zipEntry ?? '')) return true;
  if (file.format === 'excel' && str(config.sheet) && str(config.sheet) !== (file.sheet ?? '')) return true;
  return false;
}
