// Checks a formula held in a node's config and reports its problems at that config path, with ranges.
import type { Report } from '../diagnostics';
import { checkFormula, type FormulaContext } from '../../formula';
import type { Field, FieldType } from '../../graph/field-types';
import type { CompileContext } from '../../graph/kinds/types';

export function reportFormula(
  report: Report,
  path: string,
  text: string,
  fields: readonly Field[],
  ctx: CompileContext,
  expected?: FormulaContext['expected'],
): FieldType | null {
  const result = checkFormula(text, { fields: [...fields], valueMaps: ctx.valueMaps, ...(ctx.params && { params: ctx.params }), ...(ctx.memberSystems && { memberSystems: ctx.memberSystems }), expected });
  for (const d of result.diagnostics) {
    report({ severity: d.severity, code: `formula-${d.code}`, message: d.message, path, range: { start: d.start, end: d.end } });
  }
  return result.diagnostics.some((d) => d.severity === 'error') ? null : result.fieldType;
}
