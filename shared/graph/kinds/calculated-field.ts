// Calculated field: adds a field (or replaces one) with the value of a formula over the row.
import { z } from 'zod';
import { defineKind } from './types';
import { reportFormula } from './formula-report';

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

export const calculatedField = defineKind<CalculatedFieldConfig>({
  kind: 'calculated-field',
  label: 'Calculated field',
  description: 'Adds or replaces a field with the result of a formula.',
  category: 'transform',
  inputs: 1,
  outputs: 1,
  config: CalculatedFieldConfig,
  defaults: () => ({ field: '', formula: '' }),
  infer(config, input, report, ctx) {
    if (!input) return null;
    const type = reportFormula(report, 'formula', config.formula, input.fields, ctx);
    if (!type) return null;
    const replaced = input.fields.some((f) => f.name === config.field);
    const fields = replaced
      ? input.fields.map((f) => (f.name === config.field ? { name: f.name, type } : f))
      : [...input.fields, { name: config.field, type }];
    return { fields, key: input.key };
  },
});
