// Canonical JSON: equal data gives equal text whatever order its keys came in (a jsonb column does not keep
// it). The one definition behind the store's graph hashes, the published version's hash, the workspace's
// "unchanged" check and the designer's draft comparisons.

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  // A value with its own JSON form (a Date) is left to JSON.stringify, which uses it.
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    // Null prototype: a key named `__proto__` is data like any other (names people choose are keys here).
    const out = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/**
 * JSON with object keys sorted at every depth and undefined members dropped, as jsonb would store it. Keys come
 * in the order JavaScript keeps them in an object built in sorted order: integer-like keys ("2", "10") first,
 * ascending, then the others by UTF-16 code unit. Stored hashes depend on this exact text: do not change it.
 */
export const canonicalJson = (value: unknown): string => JSON.stringify(sortKeys(value)) ?? 'null';
