// A zod schema for records keyed by names people choose (columns, fields, node ids, value-map keys). zod's own
// `z.record` rebuilds the object into a plain `{}` by assignment, so a key `__proto__` is dropped (or, worse, swaps
// the prototype); `nameRecord` validates the same way but keeps every own key, in a null-prototype record.
import { z } from 'zod';
import { emptyRecord } from './records';

/** What `__proto__` (and any key already starting with the escape) is renamed to while zod's record parses it. */
const ESCAPE = '\u0000';
const escapeKey = (key: string) => (key === '__proto__' || key.startsWith(ESCAPE) ? ESCAPE + key : key);
const unescapeKey = (key: string) => (key.startsWith(ESCAPE) ? key.slice(1) : key);

/** Own enumerable string keys of `input` renamed so that none is `__proto__`; anything else passes through to fail as zod says. */
function escapeKeys(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const keys = Object.keys(input);
  if (!keys.some((k) => k === '__proto__' || k.startsWith(ESCAPE))) return input;
  const out = emptyRecord();
  for (const key of keys) out[escapeKey(key)] = (input as Record<string, unknown>)[key];
  return out;
}

/** The parsed record back under its own names, with no prototype (so `constructor` and `toString` are only ever data). */
function unescapeKeys<T>(parsed: Record<string, T>): Record<string, T> {
  const out = emptyRecord<T>();
  for (const key of Object.keys(parsed)) out[unescapeKey(key)] = parsed[key] as T;
  return out;
}

/**
 * `z.record(z.string(), value)` that keeps a `__proto__` key: each own key's value is validated (and transformed) by
 * `value`, and the result is a null-prototype record. Documented (OpenAPI, JSON schema of the input) as that record.
 */
export function nameRecord<V extends z.ZodType>(value: V) {
  return z.preprocess(escapeKeys, z.record(z.string(), value)).transform((parsed) => unescapeKeys(parsed as Record<string, z.output<V>>));
}
