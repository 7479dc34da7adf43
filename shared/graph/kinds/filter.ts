// Filter: keeps the rows that match simple field comparisons or a TRUE/FALSE formula.
import { z } from 'zod';
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

export const FilterConfig = z
  .object({
    mode: z.enum(['conditions', 'formula']).default('conditions').meta({ title: 'Filter by', widget: 'segmented' }),
    match: z.enum(['all', 'any']).default('all').meta({ title: 'Keep rows matching', visibleWhen: { mode: 'conditions' } }),
    conditions: z.array(FilterCondition).default([]).meta({ title: 'Conditions', visibleWhen: { mode: 'conditions' } }),
    formula: z.string().max(10_000).default('').meta({ title: 'Keep rows where', widget: 'formula', visibleWhen: { mode: 'formula' } }),
  })
  .superRefine((c, ctx) => {
    if (c.mode === 'conditions' && c.conditions.length === 0) ctx.addIssue({ code: 'custom', path: ['conditions'], message: 'Add at least one condition' });
    if (c.mode === 'formula' && c.formula.trim() === '') ctx.addIssue({ code: 'custom', path: ['formula'], message: 'Write a formula that is TRUE for the rows to keep' });
  });
export type FilterConfig = z.infer<typeof FilterConfig>;

export const filterKind = defineKind({
  kind: 'filter',
  label: 'Filter rows',
  description: 'Keeps only the rows that match conditions or a TRUE/FALSE formula.',
  category: 'transform',
  inputs: 1,
  outputs: 1,
  config: FilterConfig,
  defaults: (): FilterConfig => ({ mode: 'conditions', match: 'all', conditions: [], formula: '' }),
});
