// Compile-time checks of the map: each mapped field's source, formula or constant, and the key it marks.
import { convertValue } from '../../graph/field-types';
import { canConvert, type MapConfig } from '../../graph/kinds/map';
import { suggest } from '../../util/suggest';
import { reportFormula } from './formula-report';
import type { KindInfer } from './types';

export const inferMap: KindInfer<MapConfig> = (config, input, report, ctx) => {
  const targets = new Set<string>();
  if (config.unmatchedMembers === 'default' && (config.defaultMember ?? '').trim() === '') {
    report({ code: 'invalid-config', message: "Name the default member's email, or reject records MEMBER() finds no one for", path: 'defaultMember' });
  }
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
};
