// Canonical JSON (sorted keys) for comparing and hashing values whose key order the database does not keep.
import { createHash } from 'node:crypto';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** JSON with object keys sorted at every depth and undefined members dropped, as jsonb would store it. */
export const canonicalJson = (value: unknown): string => JSON.stringify(sortKeys(value)) ?? 'null';

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

export const canonicalHash = (value: unknown): string => sha256Hex(canonicalJson(value));
