// A deleted record's key values as run_keys keeps them, to delete that record later (the delete phase reads them
// back). jsonb cannot hold U+0000, and replacing it (as the record inbox shows it) would name another record: a key
// with U+0000 in a value or a name is kept as its JSON text (a jsonb string, the character escaped in it) and read
// back exactly; any other key is kept as the object it is. A stored string is always such a text (an object before).
// Half a character (a lone UTF-16 surrogate) is kept the same way: jsonb refuses it too.
import { hasLoneSurrogate, hasNul, isWholeText } from '../../shared/util/nul';

/** The key values as jsonb takes them, without loss. */
export function keyValuesToStore(values: Record<string, unknown>): unknown {
  const text = JSON.stringify(values);
  return hasNul(values) || hasLoneSurrogate(values) ? text : (JSON.parse(text) as unknown);
}

/** The key values `keyValuesToStore` kept, as they were. */
export function keyValuesFromStore(stored: unknown): Record<string, unknown> {
  if (typeof stored === 'string') return JSON.parse(stored) as Record<string, unknown>;
  return (stored ?? {}) as Record<string, unknown>;
}

/**
 * A key as run_keys.key holds it. A one-field key is the value itself, and text (and the JSON parameter a page of keys
 * goes in) holds neither U+0000 nor half a character: such a key is kept as this mark and its JSON text (ASCII
 * escapes), and so is a key that starts with the mark itself, so that no two keys are ever kept alike.
 */
const KEY_MARK = '\u0001weft-key:';
export const runKeyToStore = (key: string): string => (key.startsWith(KEY_MARK) || key.includes('\u0000') || !isWholeText(key) ? KEY_MARK + JSON.stringify(key) : key);
/** The key `runKeyToStore` kept. */
export const runKeyFromStore = (stored: string): string => (stored.startsWith(KEY_MARK) ? (JSON.parse(stored.slice(KEY_MARK.length)) as string) : stored);
