// A filter step's name from what it keeps ("Only status open", "Only amount over 100"), read from its conditions or from
// a formula simple enough to say in words; null when it is not (the person names it). No compiler: the registry is light.
import type { FilterCondition, FilterOp } from '../../shared/graph/kinds';

const MAX = 40;

const OP_WORDS: Record<FilterOp, (field: string, value: string) => string> = {
  eq: (f, v) => `Only ${f} ${v}`,
  ne: (f, v) => `Without ${f} ${v}`,
  gt: (f, v) => `Only ${f} over ${v}`,
  gte: (f, v) => `Only ${f} ${v} or more`,
  lt: (f, v) => `Only ${f} under ${v}`,
  lte: (f, v) => `Only ${f} ${v} or less`,
  contains: (f, v) => `Only ${f} containing ${v}`,
  empty: (f) => `Only without ${f}`,
  not_empty: (f) => `Only with ${f}`,
};

const FORMULA_OPS: Record<string, FilterOp> = { '=': 'eq', '<>': 'ne', '!=': 'ne', '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' };

/** `[field]`, then a comparison, then a "text" or a number; or ISBLANK / NOT(ISBLANK(...)). Nothing else. */
const COMPARISON = /^\[([^\]\n]{1,60})\]\s*(<>|!=|>=|<=|=|>|<)\s*(?:"([^"\n]{0,40})"|(-?\d+(?:\.\d+)?))$/;
const BLANK = /^ISBLANK\(\s*\[([^\]\n]{1,60})\]\s*\)$/i;
const NOT_BLANK = /^NOT\(\s*ISBLANK\(\s*\[([^\]\n]{1,60})\]\s*\)\s*\)$/i;

function fit(name: string): string | null {
  const flat = name.replace(/\s+/g, ' ').trim();
  if (flat === '') return null;
  return flat.length > MAX ? `${flat.slice(0, MAX - 1).trimEnd()}…` : flat;
}

function fromCondition(c: Partial<FilterCondition>): string | null {
  const field = c.field?.trim();
  if (!field || !c.op || !(c.op in OP_WORDS)) return null;
  const value = (c.value ?? '').trim();
  if (value === '' && c.op !== 'empty' && c.op !== 'not_empty') return null;
  return fit(OP_WORDS[c.op](field, value));
}

/** The simple formulas a filter is often written as, in words; null for anything else. */
export function formulaFilterName(formula: string): string | null {
  const text = formula.trim();
  const cmp = COMPARISON.exec(text);
  if (cmp) return fromCondition({ field: cmp[1]!, op: FORMULA_OPS[cmp[2]!]!, value: cmp[3] ?? cmp[4] ?? '' });
  const blank = BLANK.exec(text);
  if (blank) return fromCondition({ field: blank[1]!, op: 'empty' });
  const notBlank = NOT_BLANK.exec(text);
  if (notBlank) return fromCondition({ field: notBlank[1]!, op: 'not_empty' });
  return null;
}

/** A filter's name from one condition or a simple formula; several conditions say too much for a name. */
export function filterStepName(config: { mode?: string; conditions?: Partial<FilterCondition>[]; formula?: string }): string | null {
  if (config.mode === 'formula') return formulaFilterName(config.formula ?? '');
  const conditions = config.conditions ?? [];
  return conditions.length === 1 ? fromCondition(conditions[0]!) : null;
}
