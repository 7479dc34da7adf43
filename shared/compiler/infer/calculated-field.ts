// Compile-time checks of the calculated field: the formula's type becomes the field's.
import type { CalculatedFieldConfig } from '../../graph/kinds/calculated-field';
import { reportFormula } from './formula-report';
import type { KindInfer } from './types';

export const inferCalculatedField: KindInfer<CalculatedFieldConfig> = (config, input, report, ctx) => {
  if (!input) return null;
  const type = reportFormula(report, 'formula', config.formula, input.fields, ctx);
  if (!type) return null;
  const replaced = input.fields.some((f) => f.name === config.field);
  const fields = replaced
    ? input.fields.map((f) => (f.name === config.field ? { name: f.name, type } : f))
    : [...input.fields, { name: config.field, type }];
  return { fields, key: input.key };
};
