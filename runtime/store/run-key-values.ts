// A deleted record's key values as run_keys keeps them, to delete that record later (the delete phase reads them
// back). jsonb cannot hold U+0000, and replacing it (as the record inbox shows it) would name another record: a key
// with U+0000 in a value or a name is kept as its JSON text (a jsonb string, the character escaped in it) and read
// back exactly; any other key is kept as the object it is. A stored string is always such a text (an object before).
import { hasNul } from '../../shared/util/nul';

/** The key values as jsonb takes them, without loss. */
export function keyValuesToStore(values: Record<string, unknown>): unknown {
  const text = JSON.stringify(values);
  return hasNul(values) ? text : (JSON.parse(text) as unknown);
}

/** The key values `keyValuesToStore` kept, as they were. */
export function keyValuesFromStore(stored: unknown): Record<string, unknown> {
  if (typeof stored === 'string') return JSON.parse(stored) as Record<string, unknown>;
  return (stored ?? {}) as Record<string, unknown>;
}
