// U+0000 (NUL) in text: Postgres text and jsonb cannot hold it, so a value carrying it rejects its record
// (or the source strips it, when the person chose so), and never fails the batch around it.

/** Whether the value holds U+0000 anywhere: in a string, a list item, an object's key or value. */
export const hasNul = (v: unknown): boolean => {
  if (typeof v === 'string') return v.includes('\u0000');
  if (Array.isArray(v)) return v.some(hasNul);
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) return Object.entries(v).some(([k, x]) => k.includes('\u0000') || hasNul(x));
  return false;
};

/** The first of `names` whose value holds U+0000 (also inside a list or an object), or null. */
export function fieldWithNul(values: Readonly<Record<string, unknown>>, names: Iterable<string> = Object.keys(values)): string | null {
  // Every row of every write passes here: a string is searched at once, and whether the value is the record's own
  // (never one inherited from a prototype) is asked only of a value that holds U+0000.
  for (const name of names) {
    const v = values[name];
    if (typeof v === 'string') {
      if (v.includes('\u0000') && Object.hasOwn(values, name)) return name;
    } else if (v !== null && typeof v === 'object' && Object.hasOwn(values, name) && hasNul(v)) return name;
  }
  return null;
}

/** The reason a record with U+0000 in `field` is rejected by a target that cannot store it. */
export const nulReason = (field: string, target: string) =>
  `${field} contains the character U+0000 (NUL), which ${target} cannot store. Remove it from the source, or set the source to strip it.`;

/** The value with every U+0000 removed (lists and objects too). */
export function stripNul<T>(v: T): T {
  if (typeof v === 'string') return (v.includes('\u0000') ? v.replace(/\u0000/g, '') : v) as T;
  if (Array.isArray(v)) return (v.some(hasNul) ? v.map(stripNul) : v) as T;
  if (v !== null && typeof v === 'object' && !(v instanceof Date) && hasNul(v)) {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, x] of Object.entries(v)) out[k] = stripNul(x);
    return out as T;
  }
  return v;
}

/** The value as the record inbox can store and show it: each U+0000 replaced by ␀ (U+2400). */
export function showNul<T>(v: T): T {
  if (typeof v === 'string') return (v.includes('\u0000') ? v.replace(/\u0000/g, '\u2400') : v) as T;
  if (Array.isArray(v)) return (v.some(hasNul) ? v.map(showNul) : v) as T;
  if (v !== null && typeof v === 'object' && !(v instanceof Date) && hasNul(v)) {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, x] of Object.entries(v)) out[k.replace(/\u0000/g, '\u2400')] = showNul(x);
    return out as T;
  }
  return v;
}
