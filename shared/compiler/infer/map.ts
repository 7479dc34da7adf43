// Compile-time checks of the map: each mapped field's source, formula or constant, and the key it marks.
import { coerceCurrency, ConversionFailure, convertValue, isCurrencyCode, OBJECT_NAME, type Field } from '../../graph/field-types';
import { canConvert, memberFormula, type MapConfig } from '../../graph/kinds/map';
import { suggest } from '../../util/suggest';
import { reportFormula } from './formula-report';
import type { KindInfer } from './types';

export const inferMap: KindInfer<MapConfig> = (config, input, report, ctx) => {
  const targets = new Set<string>();
  if (config.unmatchedMembers === 'default' && (config.defaultMember ?? '').trim() === '') {
    report({ code: 'invalid-config', message: "Name the default member's email, or reject records MEMBER() finds no one for", path: 'defaultMember' });
  }
  config.fields.forEach((f, i) => {
    if (f.type === 'currency' && f.currency !== '' && !isCurrencyCode(f.currency)) {
      report({ code: 'invalid-config', message: `"${f.currency}" is not an ISO 4217 currency code (e.g. EUR, USD, JPY)`, path: `fields.${i}.currency` });
    }
    if (f.type === 'reference') {
      if (f.ref === '') report({ code: 'invalid-config', message: `Choose the workspace object "${f.target}" references`, path: `fields.${i}.ref` });
      else if (!OBJECT_NAME.test(f.ref)) report({ code: 'invalid-config', message: `"${f.ref}" is not a workspace object name (lower-case letters, digits and _)`, path: `fields.${i}.ref` });
      else if (ctx.workspaceObjects && !Object.hasOwn(ctx.workspaceObjects, f.ref)) {
        report({ severity: 'warning', code: 'unknown-object', message: `The workspace has no object "${f.ref}" yet: every record's ${f.target} is rejected until it has one`, path: `fields.${i}.ref` });
      }
    }
    if (targets.has(f.target)) report({ code: 'duplicate-field', message: `Target field "${f.target}" is mapped twice`, path: `fields.${i}.target` });
    targets.add(f.target);
    if (f.from === 'formula') {
      if (f.formula.trim() === '') report({ code: 'invalid-config', message: 'Write a formula', path: `fields.${i}.formula` });
      else if (input) reportFormula(report, `fields.${i}.formula`, f.formula, input.fields, ctx, f.type);
      return;
    }
    if (f.from === 'member') {
      // "Align member from <system>": the same lookup as MEMBER("<system>", [<source>]), checked as that formula is.
      if (f.source === '') report({ code: 'invalid-config', message: 'Choose the field that holds the person’s id', path: `fields.${i}.source` });
      else if (input && !input.fields.some((x) => x.name === f.source)) {
        const hint = suggest(f.source, input.fields.map((x) => x.name));
        report({ code: 'unknown-field', message: `Unknown field "${f.source}"${hint ? ` — did you mean "${hint}"?` : ''}`, path: `fields.${i}.source` });
      }
      if (f.system.trim() === '') report({ code: 'invalid-config', message: 'Choose the member system the ids come from', path: `fields.${i}.system` });
      else if (f.source !== '' && input && input.fields.some((x) => x.name === f.source)) reportFormula(report, `fields.${i}.system`, memberFormula(f.system, f.source), input.fields, ctx, f.type);
      return;
    }
    if (f.from === 'constant') {
      const coded = f.type === 'currency' && isCurrencyCode(f.currency) ? coerceCurrency(f.value, f.currency) : null;
      const converted = coded instanceof ConversionFailure ? { ok: false as const, reason: coded.reason } : coded !== null ? { ok: true as const } : convertValue(f.value, f.type);
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
    fields: config.fields.map((f): Field => ({
      name: f.target,
      type: f.type,
      ...(f.type === 'currency' && f.currency !== '' && { currency: f.currency }),
      ...(f.type === 'reference' && f.ref !== '' && { ref: f.ref }),
    })),
    key: config.fields.filter((f) => f.key).map((f) => f.target),
  };
};
