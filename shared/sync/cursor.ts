// Sync cursors: what an incremental read remembers between runs (the high-water mark of a cursor field), how two
// marks compare exactly (ids past 2^53 as decimal text, date-times as instants), and the rule that reads with them.
// Pure: the worker, the store's promotion and the two-way engine share it.
import { z } from 'zod';
import type { FieldType } from '../graph/field-types';

/**
 * How a cursor field's values compare. `time`: date-times and dates (ISO text; compared as instants). `number`: ids
 * and other numbers (JSON numbers or exact decimal text; compared exactly, never through a double).
 */
export const CursorKind = z.enum(['time', 'number']);
export type CursorKind = z.infer<typeof CursorKind>;

/** The kind of a cursor field of this Weft type, or null when the type cannot be a cursor (text, boolean). */
export function cursorKindOf(type: FieldType): CursorKind | null {
  if (type === 'datetime' || type === 'date') return 'time';
  if (type === 'number' || type === 'currency') return 'number';
  return null;
}

/** A cursor value: a JSON number, or text (ISO date-time, exact decimal). Anything else is refused where it enters. */
export const CursorValue = z.union([z.number().finite(), z.string().min(1).max(64).refine((s) => !s.includes('\u0000'), 'A cursor value cannot hold U+0000')]);
export type CursorValue = z.infer<typeof CursorValue>;

/** The mark kept per integration and source step (store table `sync_cursors`, migration 0015). */
export const StoredCursor = z.object({
  integrationId: z.string(),
  nodeId: z.string(),
  field: z.string(),
  kind: CursorKind,
  value: CursorValue,
  /** The run whose committed writes moved it here. */
  runId: z.string().nullable(),
  updatedAt: z.string(),
});
export type StoredCursor = z.infer<typeof StoredCursor>;

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/** Exact comparison of two decimal numbers written as text or JSON numbers; null when either is not one. */
export function compareDecimal(a: number | string, b: number | string): number | null {
  const pa = DECIMAL.exec(typeof a === 'number' ? numberText(a) : a.trim());
  const pb = DECIMAL.exec(typeof b === 'number' ? numberText(b) : b.trim());
  if (!pa || !pb) return null;
  const norm = (m: RegExpExecArray) => {
    const int = m[2]!.replace(/^0+(?=\d)/, '');
    const frac = (m[3] ?? '').replace(/0+$/, '');
    const zero = /^0*$/.test(int) && frac === '';
    return { neg: m[1] === '-' && !zero, int, frac };
  };
  const x = norm(pa);
  const y = norm(pb);
  if (x.neg !== y.neg) return x.neg ? -1 : 1;
  const sign = x.neg ? -1 : 1;
  if (x.int.length !== y.int.length) return sign * (x.int.length < y.int.length ? -1 : 1);
  if (x.int !== y.int) return sign * (x.int < y.int ? -1 : 1);
  const len = Math.max(x.frac.length, y.frac.length);
  const fx = x.frac.padEnd(len, '0');
  const fy = y.frac.padEnd(len, '0');
  return fx === fy ? 0 : sign * (fx < fy ? -1 : 1);
}

/** A JSON number as plain decimal text (no exponent), so 1e21 compares with "1000000000000000000000". */
function numberText(n: number): string {
  if (!Number.isFinite(n)) return 'NaN';
  if (Number.isInteger(n)) return BigInt(n).toString();
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

/** Milliseconds since 1970 of an ISO date or date-time (extended years like +275760-09-13 included); null if unreadable. */
export function timeOf(value: unknown): number | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

/** Orders two cursor values of one kind exactly; a value that cannot be read sorts first (it never wins a max). */
export function compareCursor(kind: CursorKind, a: unknown, b: unknown): number {
  if (kind === 'number') {
    const ok = (v: unknown): v is number | string => typeof v === 'number' || typeof v === 'string';
    if (!ok(a)) return ok(b) ? -1 : 0;
    if (!ok(b)) return 1;
    const c = compareDecimal(a, b);
    if (c !== null) return c;
    return compareDecimal(a, '0') === null ? (compareDecimal(b, '0') === null ? 0 : -1) : 1;
  }
  const ta = timeOf(a);
  const tb = timeOf(b);
  if (ta === null) return tb === null ? 0 : -1;
  if (tb === null) return 1;
  return ta === tb ? 0 : ta < tb ? -1 : 1;
}

/** The greater of two marks (null: none yet). */
export function maxCursor(kind: CursorKind, a: CursorValue | null, b: CursorValue | null): CursorValue | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareCursor(kind, a, b) >= 0 ? a : b;
}

/** The smaller of two marks (null: none). */
export function minCursor(kind: CursorKind, a: CursorValue | null, b: CursorValue | null): CursorValue | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareCursor(kind, a, b) <= 0 ? a : b;
}

/**
 * A value read from a row as a cursor value, or null when the row has none that can order (null, text that is no
 * date or number, U+0000). Numbers past 2^53 arrive as exact decimal text from the connectors and stay text.
 */
export function cursorValueOf(kind: CursorKind, value: unknown): CursorValue | null {
  if (value === null || value === undefined) return null;
  if (kind === 'number') {
    if (typeof value === 'number') return Number.isFinite(value) ? value : null;
    if (typeof value === 'string' && DECIMAL.test(value.trim()) && value.length <= 64) return value.trim();
    return null;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'string' && value.length <= 64 && !value.includes('\u0000') && timeOf(value) !== null) return value;
  return null;
}

/**
 * The high-water mark a run may keep for a time cursor: never later than the moment the run began reading. A row
 * stamped in the future (a wrong clock, a far-future placeholder like 9999-12-31) would otherwise lift the mark past
 * every real change to come, and the changes written before that date would never be read; capped, such a row is
 * read again by each run until its time has passed, and nothing is skipped.
 */
export function capCursor(kind: CursorKind, value: CursorValue | null, readStartedAt: number): CursorValue | null {
  if (value === null || kind !== 'time') return value;
  const t = timeOf(value);
  if (t === null || t <= readStartedAt) return value;
  return new Date(readStartedAt).toISOString();
}

/**
 * The read rule, one place: records whose cursor field is AT LEAST the kept mark (`>=`), not strictly after it.
 * Records that share the mark's instant (written in the same millisecond, or in a transaction that committed after
 * the previous read saw another record of that instant) are read again rather than skipped; the targets' writes
 * are idempotent (an equal record is `unchanged`), so a re-read costs a comparison, never a duplicate.
 */
export const INCLUSIVE_READ = true;

/** The high-water mark of a batch of rows for `field` (null when no row has a value). */
export function highOfRows(kind: CursorKind, field: string, rows: readonly Record<string, unknown>[], from: CursorValue | null = null): CursorValue | null {
  let high = from;
  for (const row of rows) high = maxCursor(kind, high, cursorValueOf(kind, row[field]));
  return high;
}
