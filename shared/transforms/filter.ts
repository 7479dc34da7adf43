// Filter: keeps the rows that match conditions (compared as the field's type) or a TRUE/FALSE formula.
// Rows that do not match are dropped, not rejected; a formula that fails on a row rejects that row.
import { compileFormula } from '../formula';
import { compareNumbers, convertValue, type FieldType, type RowSchema } from '../graph/field-types';
import type { FilterCondition, FilterConfig } from '../graph/kinds/filter';
import { TransformConfigError, type FlowRow, type RejectedRow, type Transform, type TransformEnv, type TransformStep } from './types';

type Test = (values: Record<string, unknown>) => boolean;

const isEmpty = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** -1, 0 or 1, or null when the two cannot be compared as this type. */
function compare(a: unknown, b: unknown, type: FieldType): number | null {
  const x = convertValue(a, type);
  const y = convertValue(b, type);
  if (!x.ok || !y.ok || x.value === null || y.value === null) return null;
  // Exact: a number kept as decimal text (past 2^53) is compared digit by digit, never through a double.
  if (type === 'number' || type === 'currency') return compareNumbers(x.value as number | string, y.value as number | string);
  if (type === 'boolean') return x.value === y.value ? 0 : 1;
  if (type === 'text') return x.value === y.value ? 0 : String(x.value).localeCompare(String(y.value));
  // Dates (YYYY-MM-DD) and date-times (UTC ISO 8601 from toISOString) are fixed-width, so they order as text.
  return x.value === y.value ? 0 : String(x.value) < String(y.value) ? -1 : 1;
}

export function conditionTest(c: FilterCondition, input: RowSchema | null): Test {
  const type: FieldType = input?.fields.find((f) => f.name === c.field)?.type ?? 'text';
  const get = (values: Record<string, unknown>) => (Object.hasOwn(values, c.field) ? values[c.field] : undefined);
  switch (c.op) {
    case 'empty':
      return (v) => isEmpty(get(v));
    case 'not_empty':
      return (v) => !isEmpty(get(v));
    case 'contains': {
      const needle = c.value.toLowerCase();
      return (v) => !isEmpty(get(v)) && String(get(v)).toLowerCase().includes(needle);
    }
    case 'eq':
      return (v) => compare(get(v), c.value, type) === 0;
    case 'ne':
      return (v) => compare(get(v), c.value, type) !== 0;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (type === 'boolean') return () => false;
      const ok = { gt: (n: number) => n > 0, gte: (n: number) => n >= 0, lt: (n: number) => n < 0, lte: (n: number) => n <= 0 }[c.op];
      return (v) => {
        const n = compare(get(v), c.value, type);
        return n !== null && ok(n);
      };
    }
  }
}

export function createFilterTransform(config: FilterConfig, step: TransformStep, env: TransformEnv): Transform {
  if (config.mode === 'formula') {
    const compiled = compileFormula(config.formula, { fields: step.input?.fields ?? [], valueMaps: env.valueMaps, ...(env.parameters && { params: env.parameters }), ...(env.memberSystems && { memberSystems: env.memberSystems }), expected: 'boolean' });
    if (!compiled.ok) throw new TransformConfigError(`${step.label}: the formula has errors: ${compiled.diagnostics.map((d) => d.message).join('; ')}`);
    const ctx = { now: env.now ?? Date.now, params: env.params, ...(env.members && { members: env.members }) };
    return {
      apply(rows) {
        const kept: FlowRow[] = [];
        const rejected: RejectedRow[] = [];
        for (const row of rows) {
          const r = compiled.evaluate(row.values, ctx);
          if (!r.ok) rejected.push({ nodeId: step.nodeId, rowNumber: row.rowNumber, source: row.source, mapped: row.values, reason: r.error });
          else if (r.value === true) kept.push(row);
        }
        return { rows: kept, rejected };
      },
    };
  }
  const tests = config.conditions.map((c) => conditionTest(c, step.input));
  const keep: Test = config.match === 'all' ? (v) => tests.every((t) => t(v)) : (v) => tests.some((t) => t(v));
  return {
    apply(rows) {
      return { rows: rows.filter((r) => keep(r.values)), rejected: [] };
    },
  };
}
