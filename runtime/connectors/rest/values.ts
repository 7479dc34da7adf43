// Records as Weft rows and back: nested objects flattened to dotted names (typed leaves kept as they came, arrays as
// JSON text), field types inferred from sampled values, and write bodies built from a template with numbers kept exact.
import { exactNumber, inferFieldType, type FieldType } from '../../../shared/graph/field-types';
import { ConnectorError, type DiscoveredField, type Row } from '../types';
import { parsePath } from './records-path';
import { dottedName, FlatNamesTooLong, nameBudget, type NameBudget } from '../../../shared/util/json-exact';

export type NativeType = 'string' | 'number' | 'boolean' | 'array' | 'null';

/**
 * A record's fields by dotted name (null-prototype: `__proto__` is a field name like any other). `budget`: the names
 * it may make, shared by a page's records (shared/util/json-exact.ts; past it, a ConnectorError in words).
 */
export function flattenRecord(record: Record<string, unknown>, natives?: Map<string, Set<NativeType>>, budget: NameBudget = nameBudget()): Row {
  const out = Object.create(null) as Row;
  const walk = (v: Record<string, unknown>, prefix: string) => {
    for (const [k, child] of Object.entries(v)) {
      const name = dottedName(prefix, k, budget);
      if (child !== null && typeof child === 'object' && !Array.isArray(child)) {
        walk(child as Record<string, unknown>, name);
        continue;
      }
      let native: NativeType;
      if (Array.isArray(child)) {
        out[name] = JSON.stringify(child);
        native = 'array';
      } else {
        out[name] = child ?? null;
        native = child === null || child === undefined ? 'null' : typeof child === 'number' ? 'number' : typeof child === 'boolean' ? 'boolean' : 'string';
      }
      if (natives) {
        let set = natives.get(name);
        if (!set) natives.set(name, (set = new Set()));
        set.add(native);
      }
    }
  };
  try {
    walk(record, '');
  } catch (e) {
    if (e instanceof FlatNamesTooLong) throw new ConnectorError('unknown', `A record of the response: ${e.message}.`);
    throw e;
  }
  return out;
}

/** A number a double cannot hold, which the exact JSON parser handed over as its decimal text. */
const isExactNumberText = (v: string) => /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/.test(v) && typeof exactNumber(v) === 'string';

/** The Weft type of one field from its sampled values and the JSON types they came as. */
export function inferType(values: unknown[], natives: Set<NativeType>): { type: FieldType; nativeType: string } {
  const kinds = [...natives].filter((n) => n !== 'null');
  const present = values.filter((v) => v !== null && v !== undefined);
  if (kinds.length === 0) return { type: 'text', nativeType: 'null' };
  if (kinds.length === 1 && kinds[0] === 'boolean') return { type: 'boolean', nativeType: 'boolean' };
  if (kinds.length === 1 && kinds[0] === 'number') return { type: 'number', nativeType: 'number' };
  if (kinds.length === 1 && kinds[0] === 'array') return { type: 'text', nativeType: 'array' };
  if (kinds.every((k) => k === 'string' || k === 'number') && present.every((v) => typeof v === 'number' || isExactNumberText(String(v)))) {
    // Big numbers arrive as exact text; strings that only look like them ("00501", "12") stay text below.
    if (kinds.includes('number')) return { type: 'number', nativeType: 'number' };
  }
  if (kinds.length === 1 && kinds[0] === 'string') {
    const strings = present.map(String);
    if (strings.every(isExactNumberText)) return { type: 'number', nativeType: 'number (exact text)' };
    const t = inferFieldType(strings);
    // A JSON string stays text unless it is a date or a time: "123" as a string is an identifier more often than not.
    return { type: t === 'date' || t === 'datetime' ? t : 'text', nativeType: 'string' };
  }
  return { type: 'text', nativeType: kinds.join(' | ') };
}

/** Fields in first-seen order, typed from every sampled record; only the key is not nullable. */
export function inferFields(records: Record<string, unknown>[], primaryKey: string): DiscoveredField[] {
  const natives = new Map<string, Set<NativeType>>();
  const rows = records.map((r) => flattenRecord(r, natives));
  return [...natives.keys()].map((name) => {
    const { type, nativeType } = inferType(
      rows.map((r) => r[name]),
      natives.get(name)!,
    );
    return { name, type, nativeType, nullable: name !== primaryKey };
  });
}

/** A number written as its exact decimal text (no rounding through a double). */
class Raw {
  constructor(readonly text: string) {}
}

function stringifyExact(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(stringifyExact).join(',')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, c]) => `${JSON.stringify(k)}:${stringifyExact(c)}`).join(',')}}`;
  return JSON.stringify(v);
}

/** A row's value for the body: numbers of number fields that came as exact text are written as numbers, exactly. */
function bodyValue(value: unknown, type: FieldType | undefined): unknown {
  if ((type === 'number' || type === 'currency') && typeof value === 'string' && /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/.test(value)) return new Raw(value);
  return value ?? null;
}

/** Dotted names become nested objects again (`address.city`), as they were read. */
function unflatten(row: Row, types: Map<string, FieldType>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [name, value] of Object.entries(row)) {
    const steps = name.split('.');
    let at = out;
    for (const step of steps.slice(0, -1)) {
      const next = at[step];
      if (next === null || typeof next !== 'object' || next instanceof Raw) at[step] = Object.create(null) as Record<string, unknown>;
      at = at[step] as Record<string, unknown>;
    }
    at[steps.at(-1)!] = bodyValue(value, types.get(name));
  }
  return out;
}

const WHOLE = /^\{\{\s*([^{}]+?)\s*\}\}$/;
const INSIDE = /\{\{\s*([^{}]+?)\s*\}\}/g;

/** Checks a body template once: valid JSON whose placeholders sit inside strings. */
export function parseTemplate(template: string): unknown {
  if (template.trim() === '') return null;
  try {
    return JSON.parse(template) as unknown;
  } catch (e) {
    throw new ConnectorError('invalid_config', `The body template is not valid JSON (${(e as Error).message}). Put placeholders inside quotes: {"email": "{{email}}"}.`);
  }
}

/** The request body for one row: the template with "{{field}}" replaced by the typed value, or the row itself. */
export function renderBody(template: unknown, row: Row, fields: readonly { name: string; type: FieldType }[]): string {
  const types = new Map(fields.map((f) => [f.name, f.type]));
  if (template === null) return stringifyExact(unflatten(row, types));
  const has = (name: string) => Object.hasOwn(row, name);
  const fill = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = WHOLE.exec(v);
      if (whole) return has(whole[1]!) ? bodyValue(row[whole[1]!], types.get(whole[1]!)) : null;
      return v.replace(INSIDE, (_, name: string) => (has(name) && row[name] !== null && row[name] !== undefined ? String(row[name]) : ''));
    }
    if (Array.isArray(v)) return v.map(fill);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, c]) => [k, fill(c)]));
    return v;
  };
  return stringifyExact(fill(template));
}

/**
 * The write path for one row, each {field} URL-encoded; throws a reason when a field it needs is empty, or when a path
 * segment holding a field's value comes out `.` or `..` (`{id}`, `{a}{b}`, `{id}.`): URLs resolve those (`/contacts/..`
 * is `/`, `%2e` too), so the record would be written to another endpoint of the API.
 */
export function renderPath(path: string, row: Row): string {
  let out = '';
  let segment = '';
  const names: string[] = [];
  let inPath = true;
  const endSegment = () => {
    if (names.length > 0 && /^(?:\.|%2e){1,2}$/i.test(segment)) {
      const what = names.length === 1 && String(row[names[0] as string]) === segment ? `${names[0]} is "${segment}"` : `${names.join(' and ')} make the path segment "${segment}"`;
      throw new RecordProblem(`This record's ${what}, which would change the write path (${path}) instead of naming a record.`);
    }
    segment = '';
    names.length = 0;
  };
  const literal = (text: string) => {
    out += text;
    for (const c of text) {
      if (!inPath) return;
      if (c === '/') endSegment();
      else if (c === '?' || c === '#') {
        endSegment();
        inPath = false;
      } else segment += c;
    }
  };
  let from = 0;
  for (const m of path.matchAll(/\{([^{}]+)\}/g)) {
    literal(path.slice(from, m.index));
    from = m.index + m[0].length;
    const name = m[1] as string;
    const v = Object.hasOwn(row, name) ? row[name] : undefined;
    if (v === null || v === undefined || v === '') throw new RecordProblem(`The write path needs {${name}}, and this record's ${name} is empty.`);
    const encoded = encodeURIComponent(String(v));
    out += encoded;
    if (inPath) {
      segment += encoded;
      names.push(name);
    }
  }
  literal(path.slice(from));
  if (inPath) endSegment();
  return out;
}

export class RecordProblem extends Error {}

/** "200, 204" as a set of numbers. */
export const statusSet = (text: string): Set<number> =>
  new Set(
    text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map(Number),
  );

/** Validates a path for the picker; throws the parser's sentence. */
export const checkPath = (path: string) => void parsePath(path);
