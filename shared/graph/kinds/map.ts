// Map: choose, rename and convert fields, and mark the primary key the target upserts by.
import { z } from 'zod';
import { FieldType } from '../field-types';
import { defineKind } from './types';

export const MapField = z.object({
  /**
   * Where the value comes from: an upstream field, a formula over the row, a constant, or `member`: the person whose id
   * in `system` the source field holds, aligned to the target's system ("Align member from <system>"; the same lookup as
   * the formula `MEMBER("<system>", [<source>])`, with the Map's reject-or-default-member setting).
   */
  from: z.enum(['field', 'formula', 'constant', 'member']).default('field').meta({ title: 'From' }),
  source: z.string().default('').meta({ title: 'Source field', widget: 'input-field' }),
  formula: z.string().max(10_000).default('').meta({ title: 'Formula', widget: 'formula' }),
  value: z.string().max(10_000).default('').meta({ title: 'Constant' }),
  /** `from: 'member'`: the member system the source field's ids belong to (Members page), e.g. "hubspot". */
  system: z.string().max(40).default('').meta({ title: 'Align member from' }),
  target: z.string().min(1, 'Name the target field').max(120).meta({ title: 'Target field' }),
  type: FieldType.meta({ title: 'Type' }),
  key: z.boolean().default(false).meta({ title: 'Key' }),
  /** Currency: the ISO 4217 code of the amounts (EUR, USD…). */
  currency: z.string().max(3).default('').meta({ title: 'Currency code' }),
  /** Reference: the workspace object whose records this field points at (by their key). */
  ref: z.string().max(63).default('').meta({ title: 'References' }),
  /** Why this field is mapped this way, for the next person: shown on hover and in the mapping's export. */
  note: z.string().max(2000).default('').meta({ title: 'Note' }),
});
export type MapField = z.infer<typeof MapField>;

export const MapConfig = z.object({
  fields: z.array(MapField).min(1, 'Map at least one field').meta({ title: 'Fields', widget: 'mapping' }),
  /** MEMBER(...) in this Map: a person with no id in the target system rejects the record, or gets the default member's. */
  unmatchedMembers: z
    .enum(['reject', 'default'])
    .default('reject')
    .meta({ title: 'When MEMBER() finds no one', widget: 'segmented' }),
  defaultMember: z.string().trim().max(320).default('').meta({ title: 'Default member (email)', description: "A member's email (Members page): their id in the target system is used when MEMBER() finds no one", visibleWhen: { unmatchedMembers: 'default' } }),
});
export type MapConfig = z.infer<typeof MapConfig>;

export const mapKind = defineKind({
  kind: 'map',
  label: 'Map fields',
  description: 'Selects, renames and converts fields; marks the primary key.',
  category: 'transform',
  inputs: 1,
  outputs: 1,
  config: MapConfig,
  defaults: (): MapConfig => ({ fields: [], unmatchedMembers: 'reject', defaultMember: '' }),
});

/** The formula a "member" field runs: `MEMBER("hubspot", [owner_id])` (names quoted as formulas quote them). */
export function memberFormula(system: string, source: string): string {
  return `MEMBER("${system.replace(/"/g, '""')}", [${source.replace(/]/g, ']]')}])`;
}

/** The formula a mapped field runs: its own, or a member field's MEMBER() call; null for fields and constants. */
export function fieldFormula(f: Pick<MapField, 'from' | 'formula' | 'system' | 'source'>): string | null {
  if (f.from === 'formula') return f.formula;
  if (f.from === 'member') return memberFormula(f.system, f.source);
  return null;
}

/** Text converts to anything (checked per row); typed values only to compatible types. */
export function canConvert(from: FieldType, to: FieldType): boolean {
  if (from === to || from === 'text' || to === 'text') return true;
  const compatible = [['number', 'currency'], ['date', 'datetime'], ['number', 'reference']];
  return compatible.some((group) => group.includes(from) && group.includes(to));
}
