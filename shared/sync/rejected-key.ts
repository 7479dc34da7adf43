// Which record a rejected record is, across runs: the source values of the fields the target's key comes from. The
// inbox lists one entry per integration and key (the latest rejection, "rejected in N runs"), so a record rejected by
// every run of a schedule is one entry, and resubmitting or ignoring it settles every run's rejection of it.
import type { PlanStep } from '../compiler/plan';

/**
 * The source fields the target's key is read from, traced back through the pipeline's Maps (a key field mapped from
 * a source field) and past filters and calculated fields that do not fill it; null when the target has no key, or
 * when a key field is a formula, a constant or a member lookup (its value is not a source field's): such records
 * are each their own entry.
 */
export function rejectedKeyFields(steps: readonly PlanStep[]): string[] | null {
  if (steps.length < 2) return null;
  const target = steps[steps.length - 1]!;
  let keys = [...(target.input?.key ?? [])];
  if (keys.length === 0) return null;
  for (let i = steps.length - 2; i >= 1; i--) {
    const step = steps[i]!;
    if (step.kind === 'map') {
      const fields = Array.isArray(step.config.fields) ? (step.config.fields as { from?: string; source?: string; target?: string }[]) : [];
      const traced: string[] = [];
      for (const k of keys) {
        const f = fields.find((m) => m.target === k);
        if (!f || (f.from ?? 'field') !== 'field' || typeof f.source !== 'string' || f.source === '') return null;
        traced.push(f.source);
      }
      keys = traced;
    } else if (step.kind === 'calculated-field') {
      if (keys.includes(String(step.config.field ?? '').trim())) return null;
    } else if (step.kind !== 'filter') {
      return null;
    }
  }
  const read = new Set((steps[0]!.output?.fields ?? []).map((f) => f.name));
  return keys.every((k) => read.has(k)) ? keys : null;
}

/**
 * A rejected record's key as the inbox keeps it: the JSON of its key fields' values (text stays exact: a key past
 * 2^53 read as text is that text; JSON escapes U+0000, so the key is storable text). Null when a key value is
 * missing or empty: a record with no key is its own entry.
 */
export function rejectedRecordKey(fields: readonly string[] | null | undefined, source: Readonly<Record<string, unknown>>): string | null {
  if (!fields || fields.length === 0) return null;
  const values: unknown[] = [];
  for (const f of fields) {
    const v = Object.hasOwn(source, f) ? source[f] : undefined;
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) return null;
    values.push(typeof v === 'bigint' ? v.toString() : v);
  }
  return JSON.stringify(values);
}
