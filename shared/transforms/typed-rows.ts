// Sources hand on rows typed as their schema says: text from a file is converted once, at the source,
// so every formula and comparison downstream sees the type the compiler checked against.
import { coerceValue, ConversionFailure, type Field } from '../graph/field-types';
import type { FlowRow, RejectedRow, TransformResult } from './types';
import { emptyRecord, ownValue } from '../util/records';

export function typeSourceRows(
  nodeId: string,
  fields: readonly Field[],
  raw: readonly { rowNumber: number; values: Record<string, unknown> }[],
): TransformResult {
  const rows: FlowRow[] = [];
  const rejected: RejectedRow[] = [];
  for (const r of raw) {
    const values = emptyRecord();
    let problems: string[] | null = null;
    // A database hands values already typed: when every one comes back as it was, the row is used as it is
    // (with any extra columns the source had; steps downstream read the fields they declare).
    let same = true;
    for (const f of fields) {
      const before = ownValue(r.values, f.name);
      const v = coerceValue(before, f.type);
      if (v instanceof ConversionFailure) {
        (problems ??= []).push(`${f.name}: ${v.reason}`);
        values[f.name] = before ?? null;
      } else {
        values[f.name] = v;
        if (v !== before) same = false;
      }
    }
    if (problems) rejected.push({ nodeId, rowNumber: r.rowNumber, source: r.values, mapped: null, reason: problems.join('; ') });
    else rows.push({ rowNumber: r.rowNumber, values: same ? r.values : values, source: r.values });
  }
  return { rows, rejected };
}
