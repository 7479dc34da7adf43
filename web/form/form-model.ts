// Inspector forms generated from a kind's zod config schema: JSON Schema in, a small field tree out.
import { z } from 'zod';
import { FIELD_TYPE_LABELS, FILTER_OP_LABELS } from '../../shared';

/** Widgets a kind may ask for through `.meta({ widget })`. */
export type Widget = 'file' | 'input-field' | 'mapping' | 'workspace-object' | 'columns' | 'hidden' | 'formula' | 'segmented' | 'connection' | 'db-object' | 'sql' | 'workspace-source-object' | 'workspace-filter' | 'file-query' | 'webhook-endpoint' | 'webhook-sample' | 'two-way' | 'cursor-field' | 'soft-delete-field';
const WIDGETS = new Set<string>(['file', 'input-field', 'mapping', 'workspace-object', 'columns', 'hidden', 'formula', 'segmented', 'connection', 'db-object', 'sql', 'workspace-source-object', 'workspace-filter', 'file-query', 'webhook-endpoint', 'webhook-sample', 'two-way', 'cursor-field', 'soft-delete-field']);

/** `.meta({ visibleWhen: { mode: 'formula' } })`: show the field only while its siblings hold these values (a list means any of them). */
export type VisibleWhen = Record<string, unknown>;

interface Base {
  key: string;
  title: string;
  widget?: Widget;
  required: boolean;
  default?: unknown;
  visibleWhen?: VisibleWhen;
  /** `.meta({ capability: 'write' })` on a 'connection' field: offer only connections whose system can do this (default: read). */
  capability?: 'read' | 'write';
}
export type FormField =
  | (Base & { type: 'string'; minLength?: number; maxLength?: number; pattern?: string })
  | (Base & { type: 'enum'; options: { value: string; label: string }[] })
  | (Base & { type: 'boolean' })
  | (Base & { type: 'number' })
  | (Base & { type: 'list'; item: FormField[]; minItems?: number; itemTitle: string })
  | (Base & { type: 'unsupported' });

type JsonSchema = {
  type?: string | string[];
  title?: string;
  widget?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
  anyOf?: JsonSchema[];
  visibleWhen?: unknown;
  capability?: unknown;
};

const DELIMITER_LABELS: Record<string, string> = { ',': 'Comma  ,', ';': 'Semicolon  ;', '\t': 'Tab', '|': 'Pipe  |' };
const MATCH_LABELS: Record<string, string> = { all: 'All conditions', any: 'Any condition' };
const MODE_LABELS: Record<string, string> = { upsert: 'Update or create (upsert)', insert: 'Create only (insert)', update: 'Update existing only (update)', conditions: 'Conditions', formula: 'Formula' };
const FROM_LABELS: Record<string, string> = { field: 'Field', formula: 'Formula', constant: 'Constant' };
const FORMAT_LABELS: Record<string, string> = { csv: 'CSV', json: 'JSON', ndjson: 'NDJSON (one record per line)', excel: 'Excel (.xlsx)' };
const COMPRESSION_LABELS: Record<string, string> = { none: 'None', gzip: 'gzip (.gz)', zip: 'zip' };
const UNMATCHED_MEMBER_LABELS: Record<string, string> = { reject: 'Reject the record', default: 'Use the default member' };

/** Friendly labels for enum values, by the property that holds them. */
export function enumLabel(key: string, value: string): string {
  const table: Record<string, Record<string, string>> = {
    delimiter: DELIMITER_LABELS,
    type: FIELD_TYPE_LABELS,
    op: FILTER_OP_LABELS,
    match: MATCH_LABELS,
    mode: MODE_LABELS,
    from: FROM_LABELS,
    format: FORMAT_LABELS,
    compression: COMPRESSION_LABELS,
    unmatchedMembers: UNMATCHED_MEMBER_LABELS,
    deletes: { ignore: 'Ignore them (default)', delete: 'Delete the record', soft: 'Soft delete: set a field' },
  };
  return table[key]?.[value] ?? value;
}

/** "fileName" -> "File name", used when a field has no title. */
export const humanize = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .replace(/^./, (c) => c.toUpperCase());

const singular = (title: string) => (title.endsWith('s') && !title.endsWith('ss') ? title.slice(0, -1) : title).toLowerCase();

function fieldFrom(key: string, s: JsonSchema, required: boolean): FormField {
  const inner = s.anyOf?.find((x) => x.type !== 'null') ?? s;
  const base: Base = {
    key,
    title: s.title ?? inner.title ?? humanize(key),
    required,
    ...(WIDGETS.has(String(s.widget ?? inner.widget)) ? { widget: (s.widget ?? inner.widget) as Widget } : {}),
    ...('default' in s ? { default: s.default } : {}),
    ...(isRecord(s.visibleWhen ?? inner.visibleWhen) ? { visibleWhen: (s.visibleWhen ?? inner.visibleWhen) as VisibleWhen } : {}),
    ...(capabilityOf(s.capability ?? inner.capability) ? { capability: capabilityOf(s.capability ?? inner.capability) } : {}),
  };
  const type = Array.isArray(inner.type) ? inner.type.find((t) => t !== 'null') : inner.type;
  if (inner.enum) {
    return { ...base, type: 'enum', options: inner.enum.map((v) => ({ value: String(v), label: enumLabel(key, String(v)) })) };
  }
  switch (type) {
    case 'string':
      return { ...base, type: 'string', minLength: inner.minLength, maxLength: inner.maxLength, pattern: inner.pattern };
    case 'boolean':
      return { ...base, type: 'boolean' };
    case 'number':
    case 'integer':
      return { ...base, type: 'number' };
    case 'array': {
      const items = inner.items ?? {};
      const item = items.type === 'object' ? objectFields(items) : [fieldFrom('value', items, true)];
      return { ...base, type: 'list', item, minItems: inner.minItems, itemTitle: singular(base.title) };
    }
    default:
      return { ...base, type: 'unsupported' };
  }
}

const capabilityOf = (v: unknown): 'read' | 'write' | undefined => (v === 'read' || v === 'write' ? v : undefined);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function objectFields(s: JsonSchema): FormField[] {
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties ?? {}).map(([key, prop]) => fieldFrom(key, prop, required.has(key)));
}

/** The form for a config schema: one entry per property, in declaration order. */
export function buildForm(schema: z.ZodType): FormField[] {
  return formFromJsonSchema(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
}

/** The same form from a JSON Schema the server sent (a connector's settings, GET /api/connectors). */
export function formFromJsonSchema(json: Record<string, unknown>): FormField[] {
  return objectFields(json as JsonSchema);
}

/**
 * Whether a field shows for this config: every sibling named in its `visibleWhen` holds the wanted
 * value (or one of a list). A sibling not set yet counts as its default, so old configs keep working.
 */
export function isVisible(field: FormField, config: Record<string, unknown>, siblings: readonly FormField[]): boolean {
  if (field.widget === 'hidden') return false;
  if (!field.visibleWhen) return true;
  return Object.entries(field.visibleWhen).every(([key, want]) => {
    const actual = config[key] ?? siblings.find((f) => f.key === key)?.default;
    return Array.isArray(want) ? want.includes(actual) : actual === want;
  });
}

/** The fields to render for this config, in order. */
export const visibleFields = (fields: readonly FormField[], config: Record<string, unknown>) => fields.filter((f) => isVisible(f, config, fields));

/** A fresh item for a list field, from the item fields' defaults (first enum option when none). */
export function emptyItem(fields: FormField[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.default !== undefined) out[f.key] = f.default;
    else if (f.type === 'enum') out[f.key] = f.options[0]?.value ?? '';
    else if (f.type === 'boolean') out[f.key] = false;
    else if (f.type === 'list') out[f.key] = [];
    else if (f.type === 'string') out[f.key] = '';
  }
  return out;
}
