// Values between Weft's types and what CRM APIs send as text or JSON, shared by the HubSpot and Salesforce
// connectors: exact numbers (decimal text past 2^53), dates and datetimes in canonical form, and "is this the value
// the record already holds" for skipping unchanged records.
import { canonicalDecimal, decimalText, exactNumber, type FieldType } from '../../../shared/graph/field-types';

const PLAIN = /^-?(?=[\d.]{1,16}$)\d{1,15}(\.\d{1,14})?$/;
const CANONICAL = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** An API's value (text, a JSON number, a boolean) as a Weft value of `type`; null for empty. */
export function fromApi(value: unknown, type: FieldType): unknown {
  if (value === null || value === undefined || value === '') return null;
  switch (type) {
    case 'number':
    case 'currency': {
      if (typeof value === 'number') return value;
      // Fast path: plain decimal text a double holds exactly (at most 15 digits); the rest through exactNumber.
      if (typeof value === 'string' && PLAIN.test(value)) return Number(value) + 0;
      const n = exactNumber(String(value));
      return n ?? String(value);
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return value === 'true' ? true : value === 'false' ? false : String(value);
    case 'date': {
      const text = String(value);
      if (/^\d+$/.test(text)) return new Date(Number(text)).toISOString().slice(0, 10);
      return /^\d{4}-\d{2}-\d{2}/.test(text) ? text.slice(0, 10) : text;
    }
    case 'datetime': {
      // Fast path: already canonical (`2026-02-01T00:01:01.007Z`, what HubSpot sends).
      if (typeof value === 'string' && value.length === 24 && CANONICAL.test(value)) return value;
      const text = String(value);
      // Salesforce writes `2026-02-01T00:01:01.007+0000`; Date.parse reads it, and toISOString keeps the milliseconds.
      const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
      return Number.isNaN(ms) ? text : new Date(ms).toISOString();
    }
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** A Weft value as the text an API stores (HubSpot's property values): null is '' (HubSpot clears a property with it). */
export function toText(value: unknown, type: FieldType): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return decimalText(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return type === 'date' ? value.toISOString().slice(0, 10) : value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Whether an outgoing value equals what the record holds, by type (so 1.50 and 1.5, or two spellings of an instant, are the same). */
export function sameValue(held: unknown, sent: unknown, type: FieldType): boolean {
  const a = held === undefined || held === '' ? null : held;
  const b = sent === undefined || sent === '' ? null : sent;
  if (a === null || b === null) return a === b;
  switch (type) {
    case 'number':
    case 'currency': {
      const x = canonicalDecimal(typeof a === 'number' ? decimalText(a) : String(a));
      const y = canonicalDecimal(typeof b === 'number' ? decimalText(b) : String(b));
      return x !== null && x === y;
    }
    case 'datetime': {
      const x = fromApi(a, 'datetime');
      const y = fromApi(b, 'datetime');
      return x === y;
    }
    case 'date':
      return fromApi(a, 'date') === fromApi(b, 'date');
    case 'boolean':
      return String(a) === String(b);
    default:
      return String(a) === String(b);
  }
}

/** A null-prototype row: field names people chose (`__proto__`, `constructor`) stay plain keys. */
export const emptyRow = (): Record<string, unknown> => Object.create(null) as Record<string, unknown>;

/** Splits rows into chunks of at most `size` in which no key value occurs twice (a batch API refuses duplicate ids). */
export function chunkUnique<T>(items: T[], size: number, keyOf: (item: T) => string | null): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let keys = new Set<string>();
  for (const item of items) {
    const key = keyOf(item);
    if (current.length >= size || (key !== null && keys.has(key))) {
      chunks.push(current);
      current = [];
      keys = new Set();
    }
    current.push(item);
    if (key !== null) keys.add(key);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
