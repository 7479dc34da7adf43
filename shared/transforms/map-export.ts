// A Map step's mapping as a CSV a person reads or files: one line per target field, with where its value comes from
// and its note. Written by hand rather than with csv-stringify (which the server's CSV downloads use): its browser build
// needs Node's Buffer, and this runs in the designer. The same rules: RFC 4180 quoting, formula-like cells defused.
import { FIELD_TYPE_LABELS, type FieldType } from '../graph/field-types';
import { memberFormula } from '../graph/kinds/map';

export interface ExportedMapRow {
  from?: 'field' | 'formula' | 'constant' | 'member';
  source: string;
  /** `from: 'member'`: the member system the source field's ids belong to. */
  system?: string;
  formula?: string;
  value?: string;
  target: string;
  type: FieldType;
  key: boolean;
  currency?: string;
  ref?: string;
  note?: string;
}

export const MAPPING_CSV_HEADER = ['Step', 'Target field', 'Type', 'Currency', 'References', 'Key', 'From', 'Source field, formula or constant', 'Note'] as const;

/**
 * The CSV text (RFC 4180, CRLF, UTF-8 without BOM). Cells a spreadsheet would run as formulas (=, +, -, @ first)
 * start with ' (csv-stringify's escape_formulas), so a formula's text is shown, not run. U+0000 is shown as ␀.
 */
export function mappingCsv(step: string, rows: readonly ExportedMapRow[]): string {
  const nul = (s: string) => s.replace(/\u0000/g, '␀');
  const lines = rows.map((r) => {
    const from = r.from ?? 'field';
    const what = from === 'formula' ? (r.formula ?? '') : from === 'constant' ? (r.value ?? '') : from === 'member' ? memberFormula(r.system ?? '', r.source) : r.source;
    return [step, r.target, FIELD_TYPE_LABELS[r.type] ?? r.type, r.type === 'currency' ? (r.currency ?? '') : '', r.type === 'reference' ? (r.ref ?? '') : '', r.key ? 'yes' : '', from, what, r.note ?? ''].map(nul);
  });
  return [[...MAPPING_CSV_HEADER], ...lines].map((cells) => cells.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** One cell: a leading =, +, -, @, tab or CR gets a ' (as csv-stringify's escape_formulas); quoted when it must be. */
function csvCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
