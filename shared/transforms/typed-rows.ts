// Sources hand on rows typed as their schema says: text from a file is converted once, at the source,
// so every formula and comparison downstream sees the type the compiler checked against.
import { coerceValueFast, ConversionFailure, type Field } from '../graph/field-types';
import type { FlowRow, RejectedRow, TransformResult } from './types';
import { isRowRecord, ownValue, rowRecord } from '../util/records';

export function typeSourceRows(
  nodeId: string,
  fields: readonly Field[],
  raw: readonly { rowNumber: number; values: Record<string, unknown> }[],
): TransformResult {
  return typeSourceValues(
    nodeId,
    fields,
    raw.map((r) => r.values),
    (i) => raw[i]!.rowNumber,
  );
}

/**
 * `typeSourceRows` for a batch as it comes from a connector: the records, and each one's row number by its index
 * (no wrapper object per row on the way in).
 */
export function typeSourceValues(nodeId: string, fields: readonly Field[], records: readonly Record<string, unknown>[], rowNumberOf: (index: number) => number): TransformResult {
  const rows: FlowRow[] = [];
  const rejected: RejectedRow[] = [];
  const names = fields.map((f) => f.name);
  const types = fields.map((f) => f.type);
  const text = fields.map((f) => f.type === 'text');
  const width = fields.length;
  for (let at = 0; at < records.length; at++) {
    const source = records[at]!;
    // A database hands values already typed: while every one comes back as it was, no new record is made and the
    // row is used as it is (with any extra columns the source had; steps downstream read the fields they declare).
    let values: Record<string, unknown> | null = null;
    let problems: string[] | null = null;
    // A row record's prototype is empty and frozen: whatever a plain read finds is its own (`ownValue` answers the same).
    const own = isRowRecord(source);
    for (let i = 0; i < width; i++) {
      const name = names[i]!;
      const before = own ? source[name] : ownValue(source, name);
      // Null, and text for a Text column, stay as they are (coerceValueFast's first answers), without the call.
      const v = before === null || (text[i] === true && typeof before === 'string') ? before : coerceValueFast(before, types[i]!);
      const failed = v instanceof ConversionFailure;
      if (failed) (problems ??= []).push(`${name}: ${v.reason}`);
      const value = failed ? (before ?? null) : v;
      if (values === null && (failed || v !== before || before === undefined)) {
        // The first value that differs: the typed record takes the fields before it as they were.
        values = rowRecord(width);
        for (let j = 0; j < i; j++) values[names[j]!] = ownValue(source, names[j]!);
      }
      if (values !== null) values[name] = value;
    }
    if (problems) rejected.push({ nodeId, rowNumber: rowNumberOf(at), source, mapped: null, reason: problems.join('; ') });
    else rows.push({ rowNumber: rowNumberOf(at), values: values ?? source, source });
  }
  return { rows, rejected };
}
