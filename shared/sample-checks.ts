// Design-time checks on the sample rows: a text column mapped into a number, date or TRUE/FALSE field passes
// the compiler (text converts per row) and then rejects every row at run time. Checking the rows that reach
// the Map says so before publishing: "city is text; 10 of 10 sample values are not numbers" (a warning).
import type { Diagnostic } from './compiler/diagnostics';
import { convertValue, type FieldType, type RowSchema } from './graph/field-types';
import type { FlowRow } from './transforms';
import { ownValue } from './util/records';

const WORDS: Record<Exclude<FieldType, 'text'>, string> = {
  number: 'numbers',
  currency: 'amounts',
  date: 'dates',
  datetime: 'dates with a time',
  boolean: 'TRUE or FALSE',
  reference: 'record keys',
};

interface MappedField {
  from?: unknown;
  source?: unknown;
  type?: unknown;
}

/** Warnings for the map node's fields that take a text column into another type which the sample values do not fit. */
export function mappedSampleProblems(nodeId: string, config: Record<string, unknown>, input: RowSchema | null, rows: readonly FlowRow[]): Diagnostic[] {
  if (!input || rows.length === 0 || !Array.isArray(config.fields)) return [];
  const out: Diagnostic[] = [];
  (config.fields as MappedField[]).forEach((f, i) => {
    if ((f.from ?? 'field') !== 'field' || typeof f.source !== 'string' || typeof f.type !== 'string' || f.type === 'text' || !(f.type in WORDS)) return;
    const type = f.type as Exclude<FieldType, 'text'>;
    if (input.fields.find((x) => x.name === f.source)?.type !== 'text') return;
    const values = rows.map((r) => ownValue(r.values, f.source as string)).filter((v) => v !== null && v !== undefined && v !== '');
    const bad = values.filter((v) => !convertValue(v, type).ok).length;
    if (bad === 0) return;
    out.push({
      severity: 'warning',
      code: 'sample-mistyped',
      message: `${f.source} is text; ${bad} of ${values.length} sample values are not ${WORDS[type]}`,
      nodeId,
      path: `fields.${i}.type`,
    });
  });
  return out;
}
