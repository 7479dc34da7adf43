// U+0000 (NUL) in text: Postgres text and jsonb cannot hold it, so a value carrying it rejects its record
// (or the source strips it, when the person chose so), and never fails the batch around it.
// Half of a character (a lone UTF-16 surrogate, as a JSON source's "\ud83d" gives) is the same: no UTF-8 text holds
// it, so jsonb refuses it and a driver would write U+FFFD in its place; its record is rejected too.

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

/** A lone surrogate: a high one not followed by a low one, or a low one not after a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
type WellFormed = { isWellFormed?: () => boolean; toWellFormed?: () => string };

/** Whether the text is whole UTF-16 (no half of a character): String#isWellFormed where the runtime has it (Node 20). */
export const isWholeText: (s: string) => boolean =
  typeof ('' as unknown as WellFormed).isWellFormed === 'function' ? (s) => (s as unknown as Required<WellFormed>).isWellFormed() : (s) => !LONE_SURROGATE.test(s);

/** The text with each half character replaced by U+FFFD, as UTF-8 encoders write it. */
const wholeText = (s: string): string => (isWholeText(s) ? s : ((s as unknown as WellFormed).toWellFormed?.() ?? s.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\ufffd')));

/** The first half character in the value (a string, a list item, an object's key or value) as "U+D83D", or null. */
function loneSurrogateIn(v: unknown): string | null {
  if (typeof v === 'string') {
    if (isWholeText(v)) return null;
    const unit = LONE_SURROGATE.exec(v)![0].charCodeAt(0);
    return `U+${unit.toString(16).toUpperCase()}`;
  }
  if (Array.isArray(v)) {
    for (const x of v) {
      const found = loneSurrogateIn(x);
      if (found) return found;
    }
    return null;
  }
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    for (const [k, x] of Object.entries(v)) {
      const found = loneSurrogateIn(k) ?? loneSurrogateIn(x);
      if (found) return found;
    }
  }
  return null;
}

/** Whether the value holds half of a character anywhere (a string, a list item, an object's key or value). */
export const hasLoneSurrogate = (v: unknown): boolean => loneSurrogateIn(v) !== null;

/**
 * Why a record cannot be stored as text by `target` — U+0000 or half of a character in one of `names` (its own
 * values only) — or null. Every row of a Postgres or workspace write passes here.
 */
export function unstorableTextReason(values: Readonly<Record<string, unknown>>, names: readonly string[], target: string): string | null {
  // One pass, strings asked first (every row of a write passes here); a list or an object is searched only when own.
  for (const name of names) {
    const v = values[name];
    if (typeof v === 'string') {
      if (v.includes('\u0000')) {
        if (Object.hasOwn(values, name)) return nulReason(name, target);
      } else if (!isWholeText(v) && Object.hasOwn(values, name)) return halfReason(name, loneSurrogateIn(v)!, target);
    } else if (v !== null && typeof v === 'object' && Object.hasOwn(values, name)) {
      if (hasNul(v)) return nulReason(name, target);
      const unit = loneSurrogateIn(v);
      if (unit) return halfReason(name, unit, target);
    }
  }
  return null;
}

/**
 * Why one value of a record's field `name` cannot be stored as text by `target` — U+0000 or half of a character, as
 * `unstorableTextReason` says it — or null. The caller asks it only of the record's own value.
 */
export function unstorableValueReason(v: unknown, name: string, target: string): string | null {
  if (typeof v === 'string') {
    if (v.includes('\u0000')) return nulReason(name, target);
    return isWholeText(v) ? null : halfReason(name, loneSurrogateIn(v)!, target);
  }
  if (v !== null && typeof v === 'object') {
    if (hasNul(v)) return nulReason(name, target);
    const unit = loneSurrogateIn(v);
    if (unit) return halfReason(name, unit, target);
  }
  return null;
}

const halfReason = (field: string, unit: string, target: string) =>
  `${field} contains half of a character (a lone UTF-16 surrogate, ${unit}), which ${target} cannot store. Fix the source's text.`;

/** Why a record cannot be written as UTF-8 text by `target` (MySQL holds U+0000, but no half character), or null. */
export function loneSurrogateReason(values: Readonly<Record<string, unknown>>, names: readonly string[], target: string): string | null {
  for (const name of names) {
    const v = values[name];
    if (v === null || (typeof v !== 'string' && typeof v !== 'object') || !Object.hasOwn(values, name)) continue;
    const unit = loneSurrogateIn(v);
    if (unit) return halfReason(name, unit, target);
  }
  return null;
}

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

const showText = (s: string): string => wholeText(s.includes('\u0000') ? s.replace(/\u0000/g, '\u2400') : s);
const needsShowing = (v: unknown): boolean => hasNul(v) || hasLoneSurrogate(v);

/** The value as the record inbox can store and show it: each U+0000 replaced by ␀ (U+2400), each half character by U+FFFD. */
export function showNul<T>(v: T): T {
  if (typeof v === 'string') return showText(v) as T;
  if (Array.isArray(v)) return (v.some(needsShowing) ? v.map(showNul) : v) as T;
  if (v !== null && typeof v === 'object' && !(v instanceof Date) && needsShowing(v)) {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, x] of Object.entries(v)) out[showText(k)] = showNul(x);
    return out as T;
  }
  return v;
}
