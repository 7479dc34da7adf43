// The live preview of one formula: which input columns to show beside it, and its value on each sample row.
import { compileFormula, convertValue, tokenize, type Field, type FieldType, type FlowRow, type RunParameter } from '../../shared';

export type RowResult = { rowNumber: number; values: Record<string, unknown>; ok: true; value: unknown } | { rowNumber: number; values: Record<string, unknown>; ok: false; error: string };

/** The fields the formula reads, in order of first use (at most `max`); the first fields when it reads none. */
export function keyColumns(text: string, fields: readonly Field[], max = 3): Field[] {
  const used: Field[] = [];
  for (const t of tokenize(text)) {
    if (t.type !== 'field') continue;
    const f = fields.find((x) => x.name === t.value);
    if (f && !used.includes(f)) used.push(f);
    if (used.length === max) break;
  }
  return used.length > 0 ? used : fields.slice(0, Math.min(2, max));
}

/**
 * Evaluates the formula on each row with a fixed clock. Null when it does not compile (the editor
 * shows why). A value that does not fit the expected field type is reported per row, as a run would.
 */
export function evaluateRows(
  text: string,
  rows: readonly FlowRow[],
  ctx: { fields: readonly Field[]; valueMaps: Record<string, Record<string, unknown>>; expected?: FieldType; params?: readonly RunParameter[] },
  now: number,
): RowResult[] | null {
  if (text.trim() === '') return null;
  const compiled = compileFormula(text, { fields: [...ctx.fields], valueMaps: ctx.valueMaps, expected: ctx.expected, ...(ctx.params && { params: ctx.params }) });
  if (!compiled.ok) return null;
  // PARAM reads each parameter's default on sample rows (a run gives its own values).
  const clock = { now: () => now, params: new Map((ctx.params ?? []).filter((p) => p.default !== undefined && p.default !== null && p.default !== '').map((p) => [p.name, p.default])) };
  return rows.map((row) => {
    const r = compiled.evaluate(row.values, clock);
    if (!r.ok) return { rowNumber: row.rowNumber, values: row.values, ok: false, error: r.error };
    if (ctx.expected) {
      const c = convertValue(r.value, ctx.expected);
      return c.ok ? { rowNumber: row.rowNumber, values: row.values, ok: true, value: c.value } : { rowNumber: row.rowNumber, values: row.values, ok: false, error: c.reason };
    }
    return { rowNumber: row.rowNumber, values: row.values, ok: true, value: r.value };
  });
}
