// A run file's format in a few words ("CSV", "NDJSON · gzip"), and what a replacement lacks in plain words
// (which columns it lacks is shared/compiler/run-files.ts's `missingColumns`, the rule the server applies).
import type { FileCompression, FileFormat } from '../../shared/graph/kinds/file-source';

const FORMAT_NAMES: Record<string, string> = { csv: 'CSV', json: 'JSON', ndjson: 'NDJSON', excel: 'Excel' };

export function formatLabel(format: FileFormat | string, compression: FileCompression | string = 'none'): string {
  const name = FORMAT_NAMES[format] ?? format.toUpperCase();
  return compression === 'none' ? name : `${name} · ${compression}`;
}

/** "has no column "Plan"" / "has no columns "Plan", "MRR"". */
export function lackingMessage(fileName: string, nodeLabel: string, missing: readonly string[]): string {
  const list = missing.map((n) => `"${n}"`).join(', ');
  return `"${fileName}" has no ${missing.length === 1 ? 'column' : 'columns'} ${list}, which ${nodeLabel} reads. Choose a file with ${missing.length === 1 ? 'that column' : 'those columns'}.`;
}
