// Design-time checks on the sample rows: a text column mapped into a number, date or TRUE/FALSE field passes
// the compiler (text converts per row) and then rejects every row at run time. Checking the rows that reach
// the Map says so before publishing: "city is text; 10 of 10 sample values are not numbers" (a warning).
import type { Diagnostic } from './compiler/diagnostics';
import { convertValue, type FieldType, type RowSchema } from './graph/field-types';
import type { FlowRow } from './transforms';
import { ownValue } from './util/records';
import type { Node } from './formula/ast';
import { parse } from './formula/parser';
import { toText } from './formula/runtime';

const WORDS: Record<Exclude<FieldType, 'text'>, string> = {
  number: 'numbers',
  currency: 'amounts',
  date: 'dates',
  datetime: 'dates with a time',
  boolean: 'TRUE or FALSE',
  reference: 'record keys',
};

interface MappedField {
  from?: unknown;
  source?: unknown;
  type?: unknown;
}

/** Warnings for the map node's fields that take a text column into another type which the sample values do not fit. */
export function mappedSampleProblems(nodeId: string, config: Record<string, unknown>, input: RowSchema | null, rows: readonly FlowRow[]): Diagnostic[] {
  if (!input || rows.length === 0 || !Array.isArray(config.fields)) return [];
  const out: Diagnostic[] = [];
  (config.fields as MappedField[]).forEach((f, i) => {
    if ((f.from ?? 'field') !== 'field' || typeof f.source !== 'string' || typeof f.type !== 'string' || f.type === 'text' || !(f.type in WORDS)) return;
    const type = f.type as Exclude<FieldType, 'text'>;
    if (input.fields.find((x) => x.name === f.source)?.type !== 'text') return;
    const values = rows.map((r) => ownValue(r.values, f.source as string)).filter((v) => v !== null && v !== undefined && v !== '');
    const bad = values.filter((v) => !convertValue(v, type).ok).length;
    if (bad === 0) return;
    out.push({
      severity: 'warning',
      code: 'sample-mistyped',
      message: `${f.source} is text; ${bad} of ${values.length} sample values are not ${WORDS[type]}`,
      nodeId,
      path: `fields.${i}.type`,
    });
  });
  return out;
}

/** Each `LOOKUP([field], "map", …)` in a formula: the field it looks up and the value map it reads. */
export function lookupUses(formula: string): { field: string; map: string }[] {
  const { ast } = parse(formula);
  const out: { field: string; map: string }[] = [];
  const walk = (n: Node | null | undefined): void => {
    if (!n) return;
    switch (n.k) {
      case 'call': {
        const [value, map] = n.args;
        if (n.name.toUpperCase() === 'LOOKUP' && value?.k === 'field' && map?.k === 'str' && !out.some((u) => u.field === value.name && u.map === map.value)) {
          out.push({ field: value.name, map: map.value });
        }
        n.args.forEach(walk);
        return;
      }
      case 'neg':
      case 'not':
        return walk(n.operand);
      case 'chain':
        return n.operands.forEach(walk);
      case 'compare':
        walk(n.left);
        return walk(n.right);
      default:
        return;
    }
  };
  walk(ast);
  return out;
}

export interface ValueMapCoverage {
  /** Sample values a key matches only when case is ignored: LOOKUP does not match them. */
  caseOnly: { value: string; mapped: string; rows: number }[];
  /** Sample values no key covers at all (they get LOOKUP's default, or blank), most frequent first. */
  uncovered: { value: string; rows: number }[];
}

/**
 * What a value map makes of the sample values, as LOOKUP reads them (as text, exactly; blanks take the default and
 * are not counted). `entries` is the map as formulas read it (from -> to).
 */
export function valueMapCoverage(values: readonly unknown[], entries: Readonly<Record<string, unknown>>): ValueMapCoverage {
  const byLower = new Map<string, string>();
  for (const k of Object.keys(entries)) if (!byLower.has(k.toLowerCase())) byLower.set(k.toLowerCase(), k);
  const missing = new Map<string, number>();
  for (const v of values) {
    if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) continue;
    const key = toText(v);
    if (Object.hasOwn(entries, key)) continue;
    missing.set(key, (missing.get(key) ?? 0) + 1);
  }
  const caseOnly: ValueMapCoverage['caseOnly'] = [];
  const uncovered: ValueMapCoverage['uncovered'] = [];
  for (const [value, rows] of missing) {
    const mapped = byLower.get(value.toLowerCase());
    if (mapped !== undefined) caseOnly.push({ value, mapped, rows });
    else uncovered.push({ value, rows });
  }
  uncovered.sort((a, b) => b.rows - a.rows);
  return { caseOnly, uncovered };
}

const quote = (s: string) => `'${s.length > 60 ? `${s.slice(0, 60)}…` : s}'`.replace(/\u0000/g, '␀');
const rowsWord = (n: number) => `${n} ${n === 1 ? 'row' : 'rows'}`;
/** How many uncovered values a warning names before "and N more". */
const NAMED = 8;

/**
 * Warnings for the Map's formulas that LOOKUP a field in a value map, from the sample rows reaching the Map: a value
 * that differs from a mapped one only by case ("'Active' is not mapped; 'active' is — value maps are case-sensitive"),
 * and the values no entry covers.
 */
export function valueMapSampleProblems(nodeId: string, config: Record<string, unknown>, valueMaps: Readonly<Record<string, Record<string, unknown>>>, rows: readonly FlowRow[]): Diagnostic[] {
  if (rows.length === 0 || !Array.isArray(config.fields)) return [];
  const out: Diagnostic[] = [];
  (config.fields as { from?: unknown; formula?: unknown }[]).forEach((f, i) => {
    if (f.from !== 'formula' || typeof f.formula !== 'string' || !f.formula.toUpperCase().includes('LOOKUP')) return;
    for (const use of lookupUses(f.formula)) {
      if (!Object.hasOwn(valueMaps, use.map)) continue;
      const cover = valueMapCoverage(rows.map((r) => ownValue(r.values, use.field)), valueMaps[use.map]!);
      const at = `LOOKUP of ${use.field} in "${use.map}"`;
      for (const c of cover.caseOnly) {
        out.push({
          severity: 'warning',
          code: 'value-map-case',
          message: `${at}: ${quote(c.value)} is not mapped; ${quote(c.mapped)} is — value maps are case-sensitive (${rowsWord(c.rows)} of the sample)`,
          nodeId,
          path: `fields.${i}`,
        });
      }
      if (cover.uncovered.length > 0) {
        const named = cover.uncovered.slice(0, NAMED).map((u) => `${quote(u.value)} (${rowsWord(u.rows)})`);
        const more = cover.uncovered.length > NAMED ? ` and ${cover.uncovered.length - NAMED} more` : '';
        out.push({
          severity: 'warning',
          code: 'value-map-uncovered',
          message: `${at}: ${cover.uncovered.length === 1 ? '1 sample value' : `${cover.uncovered.length} sample values`} no rule covers: ${named.join(', ')}${more} — LOOKUP gives them its default, or blank`,
          nodeId,
          path: `fields.${i}`,
        });
      }
    }
  });
  return out;
}
