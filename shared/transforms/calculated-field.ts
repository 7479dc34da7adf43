// Calculated field: sets one field of each row to a formula's value; a failing row is rejected with the reason.
import { compileFormula } from '../formula';
import type { CalculatedFieldConfig } from '../graph/kinds/calculated-field';
import { TransformConfigError, type FlowRow, type RejectedRow, type Transform, type TransformEnv, type TransformStep } from './types';

export function createCalculatedFieldTransform(config: CalculatedFieldConfig, step: TransformStep, env: TransformEnv): Transform {
  const compiled = compileFormula(config.formula, { fields: step.input?.fields ?? [], valueMaps: env.valueMaps, ...(env.parameters && { params: env.parameters }) });
  if (!compiled.ok) throw new TransformConfigError(`${step.label}: the formula has errors: ${compiled.diagnostics.map((d) => d.message).join('; ')}`);
  const ctx = { now: env.now ?? Date.now, params: env.params, ...(env.members && { members: env.members }) };
  const field = config.field;
  const inPlace = env.ownsRows === true;
  const protoField = field === '__proto__';
  // A source record handed on by a Map (`handsOnSource`): the caller keeps this field out of the source's own, so
  // adding it in place leaves the source as read restorable (runtime/executors/pipeline.ts).
  const intoSource = inPlace && env.handsOnSource === true;
  return {
    apply(rows) {
      const out: FlowRow[] = [];
      const rejected: RejectedRow[] = [];
      for (const row of rows) {
        const r = compiled.evaluate(row.values, ctx);
        if (r.ok) {
          if (inPlace && (row.values !== row.source || intoSource)) {
            // A field named `__proto__` is defined, so it is stored as a value, never as the row's prototype; any
            // other name is a plain store (no descriptor object per row).
            if (protoField) Object.defineProperty(row.values, field, { value: r.value, writable: true, enumerable: true, configurable: true });
            else row.values[field] = r.value;
            out.push(row);
          } else out.push({ rowNumber: row.rowNumber, values: { ...row.values, [field]: r.value }, source: row.source });
        }
        else rejected.push({ nodeId: step.nodeId, rowNumber: row.rowNumber, source: row.source, mapped: row.values, reason: `${field}: ${r.error}` });
      }
      return { rows: out, rejected };
    },
  };
}
