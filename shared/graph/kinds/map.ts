// Map: choose, rename and convert fields, and mark the primary key the target upserts by.
import { z } from 'zod';
import { convertValue, FieldType } from '../field-types';
import { reportFormula } from './formula-report';
import { suggest } from '../../util/suggest';
import { defineKind } from './types';

export const MapField = z.object({
  /** Where the value comes from: an upstream field, a formula over the row, or a constant. */
  from: z.enum(['field', 'formula', 'constant']).default('field').meta({ title: 'From' }),
  source: z.string().default('').meta({ title: 'Source field', widget: 'input-field' }),
  formula: z.string().max(10_000).default('').meta({ title: 'Formula', widget: 'formula' }),
  value: z.string().max(10_000).default('').meta({ title: 'Constant' }),
  target: z.string().min(1, 'Name the target field').max(120).meta({ title: 'Target field' }),
  type: FieldType.meta({ title: 'Type' }),
  key: z.boolean().default(false).meta({ title: 'Key' }),
});
export type MapField = z.infer<typeof MapField>;

export const MapConfig = z.object({
  fields: z.array(MapField).min(1, 'Map at least one field').meta({ title: 'Fields', widget: 'mapping' }),
});
export type MapConfig = z.infer<typeof MapConfig>;

export const mapKind = defineKind<MapConfig>({
  kind: 'map',
  label: 'Map fields',
  description: 'Selects, renames and converts fields; marks the primary key.',
  category: 'transform',
  inputs: 1,
  outputs: 1,
  config: MapConfig,
  defaults: () => ({ fields: [] }),
  infer(config, input, report, ctx) {
    const targets = new Set<string>();
    config.fields.forEach((f, i) => {
      if (targets.has(f.target)) report({ code: 'duplicate-field', message: `Target field "${f.target}" is mapped twice`, path: `fields.${i}.target` });
      targets.add(f.target);
      if (f.from === 'formula') {
        if (f.formula.trim() === '') report({ code: 'invalid-config', message: 'Write a formula', path: `fields.${i}.formula` });
        else if (input) reportFormula(report, `fields.${i}.formula`, f.formula, input.fields, ctx, f.type);
        return;
      }
      if (f.from === 'constant') {
        const converted = convertValue(f.value, f.type);
        if (!converted.ok) report({ code: 'mistyped-value', message: `The constant ${converted.reason}`, path: `fields.${i}.value` });
        return;
      }
      if (f.source === '') {
        report({ code: 'invalid-config', message: 'Choose a source field', path: `fields.${i}.source` });
        return;
      }
      if (input && !input.fields.some((x) => x.name === f.source)) {
        const hint = suggest(f.source, input.fields.map((x) => x.name));
        report({ code: 'unknown-field', message: `Unknown field "${f.source}"${hint ? ` — did you mean "${hint}"?` : ''}`, path: `fields.${i}.source` });
      }
      const from = input?.fields.find((x) => x.name === f.source);
      if (from && !canConvert(from.type, f.type)) {
        report({ code: 'mistyped-field', message: `"${f.source}" is ${from.type} and cannot become ${f.type}`, path: `fields.${i}.type` });
      }
    });
    return {
      fields: config.fields.map((f) => ({ name: f.target, type: f.type })),
      key: config.fields.filter((f) => f.key).map((f) => f.target),
    };
  },
});

/** Text converts to anything (checked per row); typed values only to compatible types. */
export function canConvert(from: FieldType, to: FieldType): boolean {
  if (from === to || from === 'text' || to === 'text') return true;
  const compatible = [['number', 'currency'], ['date', 'datetime']];
  return compatible.some((group) => group.includes(from) && group.includes(to));
}
