// Two-way sync's rules as pure functions: which way a field may flow (integration > object pair > field), how a
// value is normalised before it is hashed (so a side's own echo of Weft's write is recognised), and how one pair of
// records is settled (a field changed on one side goes to the other; changed on both is a conflict settled by a rule).
// No I/O: the executor (runtime/executors/two-way-sync.ts) reads, writes and remembers; this decides.
import { z } from 'zod';
import type { FieldType } from '../graph/field-types';

/** An object pair's direction: push A → B, pull B → A, both ways, or not at all. */
export const SyncDirection = z.enum(['push', 'pull', 'both', 'disabled']);
export type SyncDirection = z.infer<typeof SyncDirection>;

/** A field's own direction: the object's (inherit), or one that narrows it. */
export const FieldDirection = z.enum(['inherit', 'push', 'pull', 'both', 'disabled']);
export type FieldDirection = z.infer<typeof FieldDirection>;

/** How a field changed on both sides is settled. */
export const ConflictRule = z.enum(['latest', 'a-wins', 'b-wins', 'review']);
export type ConflictRule = z.infer<typeof ConflictRule>;

export const FieldConflictRule = z.enum(['inherit', 'latest', 'a-wins', 'b-wins', 'review']);
export type FieldConflictRule = z.infer<typeof FieldConflictRule>;

export const DIRECTION_LABELS: Record<SyncDirection, string> = {
  push: 'Push (A → B)',
  pull: 'Pull (B → A)',
  both: 'Both ways',
  disabled: 'Disabled',
};

export const CONFLICT_RULE_LABELS: Record<ConflictRule, string> = {
  latest: 'Most recent change wins',
  'a-wins': 'A wins',
  'b-wins': 'B wins',
  review: 'Hold for review',
};

/** What actually flows for a field after precedence: 'none' when nothing does. */
export type Flow = 'push' | 'pull' | 'both' | 'none';

export interface EffectiveDirection {
  flow: Flow;
  /** Which higher setting overrode or narrowed the field's own, if any. */
  overriddenBy: 'integration' | 'object' | null;
  /** The sentence the UI shows beside the field when a higher setting wins; null when the field's own setting holds. */
  message: string | null;
}

const WAYS: Record<Exclude<SyncDirection, 'disabled'>, readonly ['a2b' | 'b2a', ...('a2b' | 'b2a')[]]> = {
  push: ['a2b'],
  pull: ['b2a'],
  both: ['a2b', 'b2a'],
};
const flowOf = (a2b: boolean, b2a: boolean): Flow => (a2b && b2a ? 'both' : a2b ? 'push' : b2a ? 'pull' : 'none');
const FIELD_WORDS: Record<Exclude<FieldDirection, 'inherit' | 'disabled'>, string> = { push: 'pushed', pull: 'pulled', both: 'synced both ways' };
const OBJECT_WORDS: Record<SyncDirection, string> = { push: 'push only', pull: 'pull only', both: 'both ways', disabled: 'disabled' };
const FLOW_WORDS: Record<Flow, string> = { push: 'only pushed', pull: 'only pulled', both: 'synced both ways', none: 'not synced' };

/**
 * Precedence: the integration's switch, then the object pair's direction, then the field's, which may only narrow
 * the object's. The message says where a lower setting is overridden, in the words the designer shows.
 */
export function effectiveDirection(syncOn: boolean, object: SyncDirection, field: FieldDirection = 'inherit'): EffectiveDirection {
  if (!syncOn) {
    return { flow: 'none', overriddenBy: 'integration', message: field === 'inherit' || field === 'disabled' ? null : 'Sync is switched off for this integration: the field is not synced' };
  }
  if (object === 'disabled') {
    return { flow: 'none', overriddenBy: 'object', message: field === 'inherit' || field === 'disabled' ? null : `This field is ${FIELD_WORDS[field]}, but the object is disabled: the field is not synced` };
  }
  if (field === 'inherit') return { flow: object, overriddenBy: null, message: null };
  if (field === 'disabled') return { flow: 'none', overriddenBy: null, message: null };
  const objectWays = WAYS[object];
  const fieldWays = WAYS[field];
  const a2b = objectWays.includes('a2b') && fieldWays.includes('a2b');
  const b2a = objectWays.includes('b2a') && fieldWays.includes('b2a');
  const flow = flowOf(a2b, b2a);
  if (flow === field) return { flow, overriddenBy: null, message: null };
  return { flow, overriddenBy: 'object', message: `This field is ${FIELD_WORDS[field]}, but the object is set to ${OBJECT_WORDS[object]}: the field is ${FLOW_WORDS[flow]}` };
}

/** The rule that settles a field: its own, else the object's. */
export const effectiveRule = (object: ConflictRule, field: FieldConflictRule = 'inherit'): ConflictRule => (field === 'inherit' ? object : field);

// ---------------------------------------------------------------------------------------------------------------------
// Normalising values, so the same value read back from a side hashes as what Weft wrote there.

/** A number's canonical text: no leading zeros, no trailing fractional zeros, `-0` is `0`; other text as it is. */
export function canonicalNumber(value: string): string {
  // Scanned by hand, as /^([+-])?(\d*)(?:\.(\d*))?$/ reads it (sign, digits, a dot and digits), so a value already canonical is returned
  // as it is and any other costs one new string: this runs for every number a two-way run hashes.
  const t = value.trim();
  const n = t.length;
  let i = 0;
  const first = t.charCodeAt(0);
  const signed = first === 43 || first === 45; // + -
  if (signed) i = 1;
  const intStart = i;
  while (i < n && isDigit(t.charCodeAt(i))) i += 1;
  const intEnd = i;
  let fracStart = -1;
  if (i < n && t.charCodeAt(i) === 46) {
    i += 1;
    fracStart = i;
    while (i < n && isDigit(t.charCodeAt(i))) i += 1;
  }
  if (i !== n) return t;
  if (intEnd === intStart && (fracStart === -1 || fracStart === n)) return t;
  let a = intStart;
  while (a < intEnd && t.charCodeAt(a) === 48) a += 1;
  let z = n;
  if (fracStart !== -1) while (z > fracStart && t.charCodeAt(z - 1) === 48) z -= 1;
  const intIsZero = a === intEnd;
  const hasFrac = fracStart !== -1 && z > fracStart;
  // Already canonical: no '+', no leading zero, a non-zero integer part, and a fraction absent or without trailing zeros.
  if (first !== 43 && a === intStart && !intIsZero && (fracStart === -1 || (hasFrac && z === n))) return t;
  const sign = first === 45 && (!intIsZero || hasFrac) ? '-' : '';
  const int = intIsZero ? '0' : t.slice(a, intEnd);
  return hasFrac ? `${sign}${int}.${t.slice(fracStart, z)}` : `${sign}${int}`;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * A value in one form per type: numbers as canonical decimal text (exact: text is never parsed into a double),
 * date-times as ISO UTC with milliseconds, dates as YYYY-MM-DD, booleans as true/false, empty text and undefined as
 * null. A value that does not parse as its type stays as its text, so a change is still seen.
 */
export function normalizeValue(value: unknown, type: FieldType | undefined): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return String(value);
    if (type === 'date') return `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
    return value.toISOString();
  }
  if (typeof value === 'string' && value === '') return null;
  switch (type) {
    case 'number':
    case 'currency':
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) return String(value);
        // A safe integer prints its digits as they are (no exponent below 2^53); a larger one goes through BigInt.
        if (Number.isSafeInteger(value)) return String(value);
        if (Number.isInteger(value)) return BigInt(value).toString();
        return canonicalNumber(String(value).includes('e') ? value.toFixed(20) : String(value));
      }
      if (typeof value === 'string') return canonicalNumber(value);
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'number') return value !== 0;
      if (typeof value === 'string') {
        const t = value.trim().toLowerCase();
        if (t === 'true' || t === '1' || t === 't') return true;
        if (t === 'false' || t === '0' || t === 'f') return false;
      }
      break;
    case 'datetime':
      if (typeof value === 'string') {
        // A zone-less date-time is UTC (as everywhere in Weft); MySQL's `2026-01-02 03:04:05` reads as that.
        const s = /[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value.replace(' ', 'T')}Z`;
        const t = Date.parse(s);
        if (!Number.isNaN(t)) return new Date(t).toISOString();
      }
      break;
    case 'date':
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
      break;
    default:
      break;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? canonicalNumber(String(value)) : String(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return typeof value === 'string' ? value : String(value as boolean);
}

/** Whether two sides hold the same value for a field (after normalising each by its own type). */
export const sameValue = (a: unknown, aType: FieldType | undefined, b: unknown, bType: FieldType | undefined): boolean => {
  const x = normalizeValue(a, aType);
  const y = normalizeValue(b, bType);
  if (x === y) return true;
  // A number on one side and text on the other: the same number when both read as decimals.
  const isDecimal = (v: unknown): v is string => typeof v === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)$/.test(v.trim());
  return isDecimal(x) && isDecimal(y) && canonicalNumber(x) === canonicalNumber(y);
};

// ---------------------------------------------------------------------------------------------------------------------
// Settling one pair of records.

/** One mapped field, with what precedence made of it. */
export interface SettleField {
  /** The field's name on side A and on side B. */
  a: string;
  b: string;
  flow: Flow;
  rule: ConflictRule;
}

/** Field names as a set is asked (a Set, or any cheaper form of one: a run makes one per changed record). */
export type ChangedNames = Pick<ReadonlySet<string>, 'has' | 'size'>;

/** One side of a pair as this run sees it. */
export interface SideState {
  /** The record's values this run read (null: not read this run, i.e. unchanged since the cursor). */
  values: Record<string, unknown> | null;
  /** Per field (by this side's name): whether the value read differs from what was last synced (hash differs or none stored). */
  changed: ChangedNames;
  /** This side's updated-at for the record (ms since epoch), for "most recent change wins"; null when unknown. */
  updatedAt: number | null;
}

export interface HeldConflict {
  a: string;
  b: string;
  aValue: unknown;
  bValue: unknown;
}

export interface Settlement {
  /** Values to write to A / B (by that side's field names), only fields that change there. */
  toA: Record<string, unknown>;
  toB: Record<string, unknown>;
  /** Fields changed on both sides and held for a person (rule "review"). */
  held: HeldConflict[];
  /** Conflicts settled by a rule, for the run's counts. */
  conflicts: { field: string; winner: 'a' | 'b' }[];
}

/** Nothing to write: one shared, frozen, null-prototype object (a settlement's `toA`/`toB` until a value goes there). */
const NOTHING: Record<string, unknown> = Object.freeze(Object.create(null) as Record<string, unknown>);
const NO_HELD: HeldConflict[] = Object.freeze([]) as unknown as HeldConflict[];
const NO_CONFLICTS: Settlement['conflicts'] = Object.freeze([]) as unknown as Settlement['conflicts'];

/** Sets a value in a null-prototype record (a field named `__proto__` stays data); `NOTHING` is replaced by a new one. */
const write = (target: Record<string, unknown>, name: string, value: unknown): Record<string, unknown> => {
  const row = target === NOTHING ? (Object.create(null) as Record<string, unknown>) : target;
  Object.defineProperty(row, name, { value, enumerable: true, writable: true, configurable: true });
  return row;
};

/**
 * Settles one pair whose both records exist. A field changed on one side only goes to the other when its flow allows
 * that way. Changed on both: equal values need nothing; else the rule settles it when the flow is both ways (a
 * one-way field is not a conflict: its source side wins). "Most recent change wins" compares the sides' updated-at;
 * a tie, or an unknown time, goes to A. Values are only written where they differ from what the other side holds.
 */
export function settlePair(fields: readonly SettleField[], a: SideState, b: SideState, types: { a: (f: string) => FieldType | undefined; b: (f: string) => FieldType | undefined }): Settlement {
  // What a settlement writes, holds and counts is made on its first use: most pairs of an incremental run change one
  // field on one side, and none holds or settles a conflict (the empty ones are shared and frozen: read only).
  const out: Settlement = { toA: NOTHING, toB: NOTHING, held: NO_HELD, conflicts: NO_CONFLICTS };
  const aHas = a.values !== null;
  const bHas = b.values !== null;
  for (const f of fields) {
    if (f.flow === 'none') continue;
    const aChanged = aHas && a.changed.has(f.a);
    const bChanged = bHas && b.changed.has(f.b);
    // Unchanged on both sides: nothing to settle (the values are compared only for a changed field).
    if (!aChanged && !bChanged) continue;
    const aVal = aHas ? a.values![f.a] : undefined;
    const bVal = bHas ? b.values![f.b] : undefined;
    const push = f.flow === 'push' || f.flow === 'both';
    const pull = f.flow === 'pull' || f.flow === 'both';
    if (aChanged ? !push && !bChanged : !pull) continue;
    const differ = !(aHas && bHas) || !sameValue(aVal, types.a(f.a), bVal, types.b(f.b));
    if (!differ) continue;
    if (aChanged && bChanged) {
      if (push && !pull) out.toB = write(out.toB, f.b, aVal);
      else if (pull && !push) out.toA = write(out.toA, f.a, bVal);
      else {
        const winner = conflictWinner(f.rule, a.updatedAt, b.updatedAt);
        if (winner === 'review') (out.held === NO_HELD ? (out.held = []) : out.held).push({ a: f.a, b: f.b, aValue: aVal ?? null, bValue: bVal ?? null });
        else {
          (out.conflicts === NO_CONFLICTS ? (out.conflicts = []) : out.conflicts).push({ field: f.a, winner });
          if (winner === 'a') out.toB = write(out.toB, f.b, aVal);
          else out.toA = write(out.toA, f.a, bVal);
        }
      }
    } else if (aChanged) out.toB = write(out.toB, f.b, aVal);
    else out.toA = write(out.toA, f.a, bVal);
  }
  return out;
}

/**
 * Whether every field a conflict could be held on (flowing both ways, rule "review") holds the same value on both sides
 * once the settlement is written: a conflict held earlier on the pair is then settled. False when a side was not read
 * (its values are not known).
 */
export function reviewFieldsAgree(fields: readonly SettleField[], a: SideState, b: SideState, settled: Settlement, types: { a: (f: string) => FieldType | undefined; b: (f: string) => FieldType | undefined }): boolean {
  if (a.values === null || b.values === null) return false;
  for (const f of fields) {
    if (f.flow !== 'both' || f.rule !== 'review') continue;
    const aVal = Object.hasOwn(settled.toA, f.a) ? settled.toA[f.a] : a.values[f.a];
    const bVal = Object.hasOwn(settled.toB, f.b) ? settled.toB[f.b] : b.values[f.b];
    if (!sameValue(aVal, types.a(f.a), bVal, types.b(f.b))) return false;
  }
  return true;
}

/** Who wins a conflict by the rule; "latest" by updated-at, a tie or an unknown time to A. */
export function conflictWinner(rule: ConflictRule, aUpdatedAt: number | null, bUpdatedAt: number | null): 'a' | 'b' | 'review' {
  switch (rule) {
    case 'a-wins':
      return 'a';
    case 'b-wins':
      return 'b';
    case 'review':
      return 'review';
    case 'latest':
      if (aUpdatedAt === null || bUpdatedAt === null) return aUpdatedAt === null && bUpdatedAt !== null ? 'b' : 'a';
      return bUpdatedAt > aUpdatedAt ? 'b' : 'a';
  }
}

/**
 * A record on one side only (no pair yet): the fields to create it with on the other side, those whose flow goes
 * that way; null when none does (nothing is created).
 */
export function creationFor(fields: readonly SettleField[], from: 'a' | 'b', values: Record<string, unknown>): Record<string, unknown> | null {
  const row = Object.create(null) as Record<string, unknown>;
  let any = false;
  for (const f of fields) {
    const goes = from === 'a' ? f.flow === 'push' || f.flow === 'both' : f.flow === 'pull' || f.flow === 'both';
    if (!goes) continue;
    write(row, from === 'a' ? f.b : f.a, values[from === 'a' ? f.a : f.b] ?? null);
    any = true;
  }
  return any ? row : null;
}

/** A time read from a side's updated-at field, in ms; null when it is not one. */
export function timeOf(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') {
    const n = normalizeValue(value, 'datetime');
    const t = typeof n === 'string' ? Date.parse(n) : NaN;
    if (!Number.isNaN(t)) return t;
    const num = Number(value);
    return Number.isFinite(num) ? num : null;
  }
  return null;
}

/** The text a record id (its primary key values) is remembered by: the JSON array of its normalised values. */
export const recordId = (values: readonly unknown[]): string =>
  // One key value (the common case): the same text without the array of normalised values.
  values.length === 1 ? `[${JSON.stringify(normalizeValue(values[0], undefined)) ?? 'null'}]` : JSON.stringify(values.map((v) => normalizeValue(v, undefined)));

/** The same hashes (same field names, same texts), as jsonb equality has it. */
export function sameHashes(x: Record<string, string>, y: Record<string, string>): boolean {
  let n = 0;
  for (const k in x) {
    if (!Object.hasOwn(x, k)) continue;
    if (!Object.hasOwn(y, k) || x[k] !== y[k]) return false;
    n += 1;
  }
  for (const k in y) if (Object.hasOwn(y, k)) n -= 1;
  return n === 0;
}
