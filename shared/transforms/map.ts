// Map: renames, selects and converts fields, or fills them from a formula or a constant.
// A value that does not convert (or a formula that fails on this row) rejects the row, naming the field.
import { compileFormula } from '../formula';
import { convertValue } from '../graph/field-types';
import type { MapConfig } from '../graph/kinds/map';
import { TransformConfigError, type FlowRow, type RejectedRow, type Transform, type TransformEnv, type TransformStep } from './types';

/** On failure, `kept` is what the record inbox shows for the field (the raw value, for the user to fix). */
type Getter = (row: FlowRow) => { ok: true; value: unknown } | { ok: false; reason: string; kept?: unknown };

export function createMapTransform(config: MapConfig, step: TransformStep, env: TransformEnv): Transform {
  const now = env.now ?? Date.now;
  const getters: { target: string; get: Getter }[] = config.fields.map((f) => {
    if (f.from === 'constant') {
      const converted = convertValue(f.value, f.type);
      if (!converted.ok) throw new TransformConfigError(`${step.label}: the constant for "${f.target}" ${converted.reason}`);
      const value = converted.value;
      return { target: f.target, get: () => ({ ok: true, value }) };
    }
    if (f.from === 'formula') {
      const compiled = compileFormula(f.formula, { fields: step.input?.fields ?? [], valueMaps: env.valueMaps, expected: f.type });
      if (!compiled.ok) throw new TransformConfigError(`${step.label}: the formula for "${f.target}" has errors: ${compiled.diagnostics.map((d) => d.message).join('; ')}`);
      const ctx = { now };
      return {
        target: f.target,
        get: (row) => {
          const r = compiled.evaluate(row.values, ctx);
          if (!r.ok) return { ok: false, reason: `${f.target}: ${r.error}` };
          const converted = convertValue(r.value, f.type);
          return converted.ok ? converted : { ok: false, reason: `${f.target}: ${converted.reason}` };
        },
      };
    }
    return {
      target: f.target,
      get: (row) => {
        const converted = convertValue(row.values[f.source], f.type);
        return converted.ok ? converted : { ok: false, reason: `${f.source}: ${converted.reason}`, kept: row.values[f.source] ?? null };
      },
    };
  });

  return {
    apply(rows) {
      const out: FlowRow[] = [];
      const rejected: RejectedRow[] = [];
      for (const row of rows) {
        const mapped: Record<string, unknown> = {};
        let problems: string[] | null = null;
        for (const g of getters) {
          const r = g.get(row);
          if (r.ok) mapped[g.target] = r.value;
          else {
            (problems ??= []).push(r.reason);
            mapped[g.target] = r.kept ?? null;
          }
        }
        if (problems) rejected.push({ nodeId: step.nodeId, rowNumber: row.rowNumber, source: row.source, mapped, reason: problems.join('; ') });
        else out.push({ ...row, values: mapped });
      }
      return { rows: out, rejected };
    },
  };
}
