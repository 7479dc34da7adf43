// How a stored file is read: its own sniffed settings, overridden by what a file source node chose
// (ReadOptions.settings), as one zod shape so a bad override is refused in words.
import { z } from 'zod';
import { Field } from '../../../shared/graph/field-types';
import { FileSourceConfig, FileCompression, FileFormat } from '../../../shared/graph/kinds/file-source';
import type { StoredFile } from '../../store/types';
import { ConnectorError } from '../types';

/** ReadOptions.settings for the Files connector: each one, when given, wins over the stored sniff. */
export const FileReadSettings = z
  .object({
    format: FileFormat,
    compression: FileCompression,
    delimiter: FileSourceConfig.shape.delimiter.unwrap(),
    hasHeader: z.boolean(),
    recordsPath: z.string().max(500),
    zipEntry: z.string().max(1000),
    sheet: z.string().max(200),
    /** The columns to read, with the types to read them as (the node's, maybe edited by the user). */
    columns: z.array(Field).min(1, 'Give at least one column'),
    /** CSV `""` and JSON "" are null (the default) or stay empty text. */
    emptyTextIsNull: z.boolean(),
    /** Remove U+0000 from every text value (default: keep it, and let a target that cannot store it reject the record). */
    stripNul: z.boolean(),
  })
  .partial()
  .strict();
export type FileReadSettings = z.infer<typeof FileReadSettings>;

export type EffectiveSettings = Required<Omit<FileReadSettings, 'recordsPath' | 'zipEntry' | 'sheet' | 'emptyTextIsNull' | 'stripNul'>> &
  Pick<FileReadSettings, 'recordsPath' | 'zipEntry' | 'sheet' | 'emptyTextIsNull' | 'stripNul'>;

export function parseSettings(raw: unknown): FileReadSettings {
  if (raw === undefined || raw === null) return {};
  const parsed = FileReadSettings.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => (i.code === 'unrecognized_keys' ? `unknown setting${i.keys.length > 1 ? 's' : ''} ${i.keys.join(', ')}` : `${i.path.join('.') || 'settings'}: ${i.message}`));
  throw new ConnectorError('invalid_config', `The file read settings are not valid (${issues.join('; ')})`);
}

/** The stored file's settings with the node's on top. */
export function effectiveSettings(file: StoredFile, over: FileReadSettings): EffectiveSettings {
  const recordsPath = over.recordsPath ?? file.recordsPath;
  const zipEntry = over.zipEntry ?? file.zipEntry;
  const sheet = over.sheet ?? file.sheet;
  return {
    format: over.format ?? file.format,
    compression: over.compression ?? file.compression,
    delimiter: over.delimiter ?? (isDelimiter(file.delimiter) ? file.delimiter : ','),
    hasHeader: over.hasHeader ?? file.hasHeader ?? true,
    columns: over.columns ?? file.columns,
    ...(recordsPath !== undefined ? { recordsPath } : {}),
    ...(zipEntry ? { zipEntry } : {}),
    ...(sheet ? { sheet } : {}),
    ...(over.emptyTextIsNull === false ? { emptyTextIsNull: false } : {}),
    ...(over.stripNul ? { stripNul: true } : {}),
  };
}

const DELIMITERS: readonly string[] = FileSourceConfig.shape.delimiter.unwrap().options;
const isDelimiter = (d: string): d is EffectiveSettings['delimiter'] => DELIMITERS.includes(d);
