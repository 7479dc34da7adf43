// Compile-time checks of the filter: its conditions' fields and values, or its TRUE/FALSE formula.
import type { FilterConfig, FilterOp } from '../../graph/kinds/filter';
import { suggest } from '../../util/suggest';
import { reportFormula } from './formula-report';
import type { KindInfer } from './types';

const ORDERED: FilterOp[] = ['gt', 'gte', 'lt', 'lte'];

export const inferFilter: KindInfer<FilterConfig> = (config, input, report, ctx) => {
  if (config.mode === 'formula') {
    if (input) reportFormula(report, 'formula', config.formula, input.fields, ctx, 'boolean');
    return input;
  }
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
};
