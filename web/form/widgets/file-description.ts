// What Weft detected about an uploaded file, in a few words for the file card.
import type { UploadedFile } from '../../../shared';

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

/** "CSV, comma-separated", "JSON, records at data.items, gzip", "Excel, sheet Orders": what Weft detected, in a few words. */
export function describeFile(file: UploadedFile): string {
  const parts =
    file.format === 'json'
      ? ['JSON', file.recordsPath ? `records at ${file.recordsPath}` : 'top-level array']
      : file.format === 'ndjson'
        ? ['NDJSON']
        : file.format === 'excel'
          ? ['Excel', ...(file.sheet ? [`sheet ${file.sheet}`] : [])]
          : ['CSV', `${DELIMITER_NAMES[file.delimiter] ?? file.delimiter}-separated`];
  if (file.compression === 'gzip') parts.push('gzip');
  if (file.compression === 'zip') parts.push(file.zipEntry ? `${file.zipEntry} in zip` : 'zip');
  return parts.join(', ');
}
