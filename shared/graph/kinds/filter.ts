// Filter: keeps the rows that match simple field comparisons (formulas come later).
import { z } from 'zod';
import { suggest } from '../../util/suggest';
import { defineKind } from './types';

export const FilterOp = z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'empty', 'not_empty']);
export type FilterOp = z.infer<typeof FilterOp>;

export const FILTER_OP_LABELS: Record<FilterOp, string> = {
  eq: 'equals',
  ne: 'does not equal',
  gt: 'is greater than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
  contains: 'contains',
  empty: 'is empty',
  not_empty: 'is not empty',
};

export const FilterCondition = z.object({
  field: z.string().min(1, 'Choose a field').meta({ title: 'Field', widget: 'input-field' }),
  op: FilterOp.meta({ title: 'Operator' }),
  value: z.string().default('').meta({ title: 'Value' }),
});
export type FilterCondition = z.infer<typeof FilterCondition>;

export const FilterConfig = z.object({
  match: z.enum(['all', 'any']).default('all').meta({ title: 'Keep rows matching' }),
  conditions: z.array(FilterCondition).min(1, 'Add at least one condition').meta({ title: 'Conditions' }),
});
export type FilterConfig = z.infer<typeof FilterConfig>;

const ORDERED: FilterOp[] = ['gt', 'gte', 'lt', 'lte'];

export const filterKind = defineKind<FilterConfig>({
  kind: 'filter',
  label: 'Filter rows',
  description: 'Keeps only the rows that match the conditions.',
  category: 'transform',
  inputs: 1,
  outputs: 1,
  config: FilterConfig,
  defaults: () => ({ match: 'all', conditions: [] }),
  infer(config, input, report) {
    config.conditions.forEach((c, i) => {
      const field = input?.fields.find((f) => f.name === c.field);
      if (input && !field) {
        const hint = suggest(c.field, input.fields.map((f) => f.name));
        report({ code: 'unknown-field', message: `Unknown field "${c.field}"${hint ? ` — did you mean "${hint}"?` : ''}`, path: `conditions.${i}.field` });
        return;
      }
      if (!field || c.op === 'empty' || c.op === 'not_empty') return;
      if ((field.type === 'number' || field.type === 'currency') && c.value.trim() !== '' && !Number.isFinite(Number(c.value))) {
        report({ code: 'mistyped-value', message: `"${c.field}" is a number; "${c.value}" is not`, path: `conditions.${i}.value` });
      }
      if (field.type === 'boolean' && ORDERED.includes(c.op)) {
        report({ code: 'mistyped-value', message: `"${c.field}" is true/false and cannot be ordered`, path: `conditions.${i}.op` });
      }
    });
    return input;
  },
});
