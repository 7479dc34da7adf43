// Calculated field: adds a field (or replaces one) with the value of a formula over the row.
import { z } from 'zod';
import { defineKind } from './types';

export const CalculatedFieldConfig = z.object({
  field: z
    .string()
    .trim()
    .min(1, 'Name the field this formula fills')
    .max(120)
    .meta({ title: 'Field name', description: 'A new field, or an existing one to replace' }),
  formula: z.string().min(1, 'Write a formula, e.g. [Amount] * 0.1').max(10_000).meta({ title: 'Formula', widget: 'formula' }),
});
export type CalculatedFieldConfig = z.infer<typeof CalculatedFieldConfig>;

export const calculatedField = defineKind({
  kind: 'calculated-field',
  label: 'Calculated field',
  description: 'Adds or replaces a field with the result of a formula.',
  category: 'transform',
  inputs: 1,
  outputs: 1,
  config: CalculatedFieldConfig,
  defaults: (): CalculatedFieldConfig => ({ field: '', formula: '' }),
});
