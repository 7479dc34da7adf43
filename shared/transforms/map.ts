// Map: renames, selects and converts fields, or fills them from a formula or a constant.
// A value that does not convert (or a formula that fails on this row) rejects the row, naming the field.
import { compileFormula } from '../formula';
import { coerceCurrency, coerceValue, coerceValueFast, ConversionFailure, convertValue, type FieldType } from '../graph/field-types';
import { fieldFormula, type MapConfig } from '../graph/kinds/map';
import { TransformConfigError, type FlowRow, type RejectedRow, type Transform, type TransformEnv, type TransformStep } from './types';
import { isRowRecord, ownValue, rowRecord } from '../util/records';

/** A field's value for a row, or why it has none; `kept` is what the record inbox shows (the raw value, for the user to fix). */
class FieldFailure {
  constructor(
    readonly reason: string,
    readonly kept: unknown = null,
  ) {}
}
type Getter = (row: FlowRow) => unknown;

/** The conversion of one mapped field: its type's, and for a Currency with a code, one that checks a code the value carries. */
function converterOf(f: { type: FieldType; currency?: string }): (v: unknown) => unknown {
  const code = f.type === 'currency' ? (f.currency ?? '') : '';
  return code !== '' ? (v) => coerceCurrency(v, code) : (v) => coerceValue(v, f.type);
}

export function createMapTransform(config: MapConfig, step: TransformStep, env: TransformEnv): Transform {
  const now = env.now ?? Date.now;
  const members = env.members?.withFallback({ unmatched: config.unmatchedMembers ?? 'reject', defaultMember: config.defaultMember ?? '' });
  const getters: { target: string; get: Getter }[] = config.fields.map((f) => {
    if (f.from === 'constant') {
      const constant = converterOf(f)(f.value);
      const converted = constant instanceof ConversionFailure ? { ok: false as const, reason: constant.reason } : convertValue(constant, f.type);
      if (!converted.ok) throw new TransformConfigError(`${step.label}: the constant for "${f.target}" ${converted.reason}`);
      const value = converted.value;
      return { target: f.target, get: () => value };
    }
    // A formula, or a member field's MEMBER() lookup ("Align member from <system>").
    const formula = fieldFormula(f);
    if (formula !== null) {
      const compiled = compileFormula(formula, { fields: step.input?.fields ?? [], valueMaps: env.valueMaps, ...(env.parameters && { params: env.parameters }), ...(env.memberSystems && { memberSystems: env.memberSystems }), expected: f.type });
      if (!compiled.ok) throw new TransformConfigError(`${step.label}: the ${f.from === 'member' ? 'member alignment' : 'formula'} for "${f.target}" has errors: ${compiled.diagnostics.map((d) => d.message).join('; ')}`);
      const ctx = { now, params: env.params, ...(members && { members }) };
      const convert = converterOf(f);
      return {
        target: f.target,
        get: (row) => {
          const r = compiled.evaluate(row.values, ctx);
          if (!r.ok) return new FieldFailure(`${f.target}: ${r.error}`);
          const v = convert(r.value);
          return v instanceof ConversionFailure ? new FieldFailure(`${f.target}: ${v.reason}`) : v;
        },
      };
    }
    const source = f.source;
    const convert = converterOf(f);
    return {
      target: f.target,
      get: (row) => {
        const raw = ownValue(row.values, source);
        const v = convert(raw);
        return v instanceof ConversionFailure ? new FieldFailure(`${source}: ${v.reason}`, raw ?? null) : v;
      },
    };
  });

  const inPlace = env.ownsRows === true;
  // A Map of plain field copies (no formula, constant or member): its fields read and converted in one loop, with no
  // closure or FieldFailure per value (the getters above stay for the other Maps).
  const plain = config.fields.every((f) => f.from === 'field');
  const sources = config.fields.map((f) => f.source);
  const targets = config.fields.map((f) => f.target);
  const types = config.fields.map((f) => f.type);
  const codes = config.fields.map((f) => (f.type === 'currency' ? (f.currency ?? '') : ''));
  const width = targets.length;
  // Each field is read from, and written to, its own name (and the names are distinct): such a Map may convert a
  // record the pipeline owns in place when that record's keys are exactly its targets in order (a file source's typed
  // record), since each field's value is read before it is written and no other field reads it. The result is a
  // record equal to the one it would have made (same prototype, keys, order and values), one record fewer per row.
  const sameNames = plain && sources.every((s, i) => s === targets[i]) && new Set(targets).size === width;
  // Such a Map may also hand a source record on, when the caller says later steps keep its fields as read
  // (`handsOnSource`) and every value converts to itself: the row's values are then its source record, unchanged.
  const handsOn = sameNames && inPlace && env.handsOnSource === true;
  const typedSource = handsOn && env.sourceTyped === true;
  return {
    apply(rows) {
      const out: FlowRow[] = [];
      const rejected: RejectedRow[] = [];
      for (const row of rows) {
        const values = row.values;
        const isSource = values === row.source;
        // null: the source record is handed on while every value so far converted to itself (no record made yet).
        let mapped: Record<string, unknown> | null =
          sameNames && inPlace && isRowRecord(values) && (!isSource || handsOn) && keysAre(values, targets) ? (isSource ? null : values) : rowRecord(width);
        let problems: string[] | null = null;
        if (mapped === null && typedSource) {
          // Typed by the source as these fields say, each value to itself: converting again answers the same values.
          mapped = values;
        } else if (plain) {
          // A row record's prototype is empty and frozen: whatever a plain read finds is its own (`ownValue` answers the same).
          const own = isRowRecord(values);
          for (let i = 0; i < width; i++) {
            const raw = own ? values[sources[i]!] : ownValue(values, sources[i]!);
            const code = codes[i]!;
            const v = code === '' ? coerceValueFast(raw, types[i]!) : coerceCurrency(raw, code);
            if (mapped === null) {
              if (Object.is(v, raw)) continue;
              // The first value that changes: a new record, with the fields before it as they were (each its own name).
              mapped = rowRecord(width);
              for (let j = 0; j < i; j++) mapped[targets[j]!] = values[targets[j]!];
            }
            if (v instanceof ConversionFailure) {
              (problems ??= []).push(`${sources[i]!}: ${v.reason}`);
              mapped[targets[i]!] = raw ?? null;
            } else mapped[targets[i]!] = v;
          }
          mapped ??= values;
        } else {
          mapped ??= rowRecord(width);
          for (const g of getters) {
            const v = g.get(row);
            if (v instanceof FieldFailure) {
              (problems ??= []).push(v.reason);
              mapped[g.target] = v.kept;
            } else mapped[g.target] = v;
          }
        }
        if (problems) rejected.push({ nodeId: step.nodeId, rowNumber: row.rowNumber, source: row.source, mapped, reason: problems.join('; ') });
        else if (inPlace) {
          // The row is the pipeline's own: it carries its new values on (its source stays as it was).
          row.values = mapped;
          out.push(row);
        } else out.push({ rowNumber: row.rowNumber, values: mapped, source: row.source });
      }
      return { rows: out, rejected };
    },
  };
}

/** Whether the record's enumerable keys (own and inherited) are exactly `names`, in order. */
function keysAre(record: Record<string, unknown>, names: readonly string[]): boolean {
  let i = 0;
  for (const k in record) {
    if (k !== names[i]) return false;
    i++;
  }
  return i === names.length;
}
