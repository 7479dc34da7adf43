// Pieces both SQL connectors share: the resumable read cursor and how Weft values become statement parameters.
import { z } from 'zod';
import { ConnectorError, type RecordResult, type Row } from './types';
import { rowRecord } from '../../shared/util/records';
import { canonicalDecimal, decimalText } from '../../shared/graph/field-types';

/**
 * A read cursor: `after` holds the last primary-key values read (keyset: the next read asks for keys
 * greater than these, so it resumes in any session); `offset` counts rows for objects without a key.
 */
export const SqlCursor = z.union([z.object({ after: z.array(z.unknown()) }), z.object({ offset: z.number().int().min(0) })]);
export type SqlCursor = z.infer<typeof SqlCursor>;

export function parseCursor(cursor: unknown): SqlCursor | null {
  if (cursor === null || cursor === undefined) return null;
  const parsed = SqlCursor.safeParse(cursor);
  if (!parsed.success) throw new ConnectorError('invalid_config', 'The read cursor is not one this connector wrote; start the read again from the beginning.');
  return parsed.data;
}

export function nextCursor(previous: SqlCursor | null, rows: Row[], key: string[]): SqlCursor {
  if (key.length > 0) return { after: key.map((k) => rows.at(-1)![k]) };
  return { offset: (previous && 'offset' in previous ? previous.offset : 0) + rows.length };
}

/** A result row read as an array, as a null-prototype record keyed by the column names. */
export function recordOf(names: readonly string[], values: readonly unknown[]): Row {
  const row = rowRecord(names.length) as Row;
  for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
  return row;
}

/** Weft values are JSON values; anything richer is written as its JSON text. */
export function toParam(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

/** Splits a batch so one statement stays under the drivers' parameter limits. */
export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function checkWriteColumns(object: string, existing: string[], fields: string[], key: string[], mode: string, generated: readonly string[] = []): void {
  const missing = fields.filter((f) => !existing.includes(f));
  if (missing.length > 0) throw new ConnectorError('not_found', `${object} has no column ${missing.map((m) => `"${m}"`).join(', ')}; create it or map the field to an existing column.`);
  // probe20: a generated column (`GENERATED ALWAYS AS (…)`, MariaDB's `AS (…) VIRTUAL/PERSISTENT`) is computed by the
  // database; writing it failed the whole batch with the server's words ("cannot insert a non-DEFAULT value…").
  const computed = fields.filter((f) => generated.includes(f));
  if (computed.length > 0) {
    const names = computed.map((m) => `"${m}"`).join(', ');
    throw new ConnectorError('invalid_config', `${names} in ${object} ${computed.length === 1 ? 'is a generated column' : 'are generated columns'}: the database computes ${computed.length === 1 ? 'its value' : 'their values'} and nothing may write ${computed.length === 1 ? 'it' : 'them'}. Remove ${names} from the fields this target writes.`);
  }
  if (mode !== 'insert') {
    if (key.length === 0) throw new ConnectorError('invalid_config', `Writing in ${mode} mode needs key fields to match records on.`);
    const notWritten = key.filter((k) => !fields.includes(k));
    if (notWritten.length > 0) throw new ConnectorError('invalid_config', `Key field ${notWritten.join(', ')} is not among the fields written.`);
  }
}

/**
 * The decimal places a number column keeps, from its native type (Postgres's or MySQL's spelling): none for the
 * integer types (and MySQL's YEAR), `s` for `numeric(p,s)`/`decimal(p,s)` (`numeric(p)`: none; a negative `s`,
 * Postgres 15+, keeps multiples of 10^-s), MariaDB's `double(m,d)`/`float(m,d)` and Postgres's money (2); null where
 * every decimal is kept (`numeric` without a modifier) or the type is approximate or not a number (floats, text).
 */
export function columnScale(nativeType: string): number | null {
  const t = nativeType.toLowerCase();
  if (t.endsWith('[]')) return null;
  if (/^(tinyint|smallint|mediumint|int|integer|bigint|int2|int4|int8|year)\b/.test(t)) return 0;
  // review16b: Postgres's money keeps two places (as lc_monetary's usual currencies do); numeric(p,-s) (Postgres 15+)
  // keeps multiples of 10^s, 123 stored as 100: a negative scale.
  if (t === 'money') return 2;
  const d = /^(?:numeric|decimal|dec|fixed)\((\d+)(?:,\s*(-?\d+))?\)/.exec(t);
  if (d) return Number(d[2] ?? 0);
  // review16b: MariaDB's FLOAT(M,D)/DOUBLE(M,D) round to D places as a DECIMAL would (FLOAT(p) alone is a precision).
  const f = /^(?:float|double|double precision|real)\(\d+,\s*(\d+)\)/.exec(t);
  return f ? Number(f[1]) : null;
}

/**
 * probe20: why a number is refused by a column that keeps fewer decimal places than it has, or null. MariaDB rounded
 * 1.5 into an INT to 2, 1.2345 into DECIMAL(10,2) to 1.23 and 1e-40 into DECIMAL(65,30) to 0, and Postgres rounds
 * numeric(p,s) alike, without a word; a value is never changed silently, so the record is rejected saying so. Only
 * numbers (and decimal text) are checked: any other value is the server's to refuse.
 */
export function scaleReason(field: string, nativeType: string, scale: number, value: unknown, system: string): string | null {
  if (typeof value !== 'number' && typeof value !== 'string') return null;
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (scale >= 0 && fitsAsWritten(value, scale)) return null;
  // A double is judged by its 15 significant digits (all a double holds reliably): a formula's `12.34 * 0.1` is
  // 1.2340000000000002, whose last digits are the arithmetic's, not the data's; 1.234 fits numeric(14,4). Decimal text
  // (exact numbers past a double) is judged exactly.
  const text = typeof value === 'number' ? decimalText(Number(value.toPrecision(15))) : canonicalDecimal(value.trim());
  if (text === null) return null;
  const dot = text.indexOf('.');
  const places = dot === -1 ? 0 : text.length - dot - 1;
  if (scale < 0 && places === 0) {
    const unit = 10 ** -scale;
    if (text.replace(/^-/, '').endsWith('0'.repeat(-scale)) || /^-?0$/.test(text)) return null;
    return `${field}: ${text} is not a multiple of ${unit}, but the column ${field} (${nativeType}) keeps only multiples of ${unit}: ${system} would store it rounded. Round it in the Map (ROUND) or widen the column.`;
  }
  if (places <= scale) return null;
  const kept = scale < 0 ? `keeps only multiples of ${10 ** -scale}` : scale === 0 ? 'keeps no decimal places' : `keeps ${scale} decimal place${scale === 1 ? '' : 's'}`;
  return `${field}: ${text} has ${places} decimal place${places === 1 ? '' : 's'}, but the column ${field} (${nativeType}) ${kept}: ${system} would store it rounded. Round it in the Map (ROUND) or widen the column.`;
}

const PLAIN_DECIMAL = /^\s*[+-]?\d+(?:\.\d+)?\s*$/;

/**
 * The common case, cheaply (a million rows of four numeric columns spent 2.2 s of CPU in the exact path): a value whose
 * places as written are within the scale fits. Never "fits" where the exact rule says otherwise (scale-fast-path.test.ts). An integer has none; a double's shortest text (`String`) has at least
 * the places of its 15 significant digits (rounding to fewer digits never adds places); plain decimal text at least
 * those of its canonical form (which only drops trailing zeros). Anything else goes the exact way.
 */
export function fitsAsWritten(value: number | string, scale: number): boolean {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && Math.abs(value) < 1e21) return true;
    // The double nearest some decimal with `scale` places (1234.56 = 123456 / 100, both correctly rounded): its shortest
    // text has no more places than that decimal.
    if (scale <= 22) {
      const unit = 10 ** scale;
      const units = Math.round(value * unit);
      if (Math.abs(units) <= Number.MAX_SAFE_INTEGER && units / unit === value) return true;
    }
    const text = String(value);
    if (!text.includes('e') && text.length - text.indexOf('.') - 1 <= scale) return true;
    // A computed double with noise (12.3 * 3 = 36.900000000000006): its 15 significant digits as `toPrecision` writes
    // them, trailing zeros cut, are the exact rule's text (a decimal of ≤ 15 digits is the shortest text of its double).
    const digits = value.toPrecision(15);
    const dot = digits.indexOf('.');
    if (digits.includes('e') || dot === -1) return false;
    let end = digits.length;
    while (end > dot + 1 && digits.charCodeAt(end - 1) === 48) end--;
    return end - dot - 1 <= scale;
  }
  if (!PLAIN_DECIMAL.test(value)) return false;
  const text = value.trim();
  const dot = text.indexOf('.');
  return dot === -1 || text.length - dot - 1 <= scale;
}

/** `scaleReason` over rows for the written columns that keep a fixed number of decimal places: each refusal by index. */
export function scaleRefusals(rows: readonly Row[], columns: readonly { name: string; nativeType: string; scaleType?: string }[], system: string): Map<number, string> {
  const refused = new Map<number, string>();
  const checked = columns.flatMap((c) => {
    const scale = columnScale(c.scaleType ?? c.nativeType);
    return scale === null ? [] : [{ name: c.name, nativeType: c.nativeType, scale }];
  });
  if (checked.length === 0) return refused;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    let why: string | null = null; // no array per row: every written row passes here
    for (const c of checked) {
      const reason = scaleReason(c.name, c.nativeType, c.scale, Object.hasOwn(row, c.name) ? row[c.name] : null, system);
      if (reason !== null) why = why === null ? reason : `${why} ${reason}`;
    }
    if (why !== null) refused.set(i, why);
  }
  return refused;
}

/** The answers for `total` rows: the refused ones' (by index) made by `rejected`, the others' from `done`, in order. */
export function mergeRefused<R>(total: number, refused: ReadonlyMap<number, string>, done: readonly R[], rejected: (reason: string) => R): R[] {
  let next = 0;
  return Array.from({ length: total }, (_, i) => {
    const reason = refused.get(i);
    return reason === undefined ? done[next++]! : rejected(reason);
  });
}

export const describeKey = (key: string[], row: Row) => key.map((k) => `${k} = ${JSON.stringify(row[k] ?? null)}`).join(', ');

/** Parses a connector's settings, or says in one sentence which setting is wrong. */
export function parseSettings<C, S>(
  system: string,
  schemas: { config: z.ZodType<C>; secrets: z.ZodType<S> },
  config: unknown,
  secrets: unknown,
): { config: C; secrets: S } {
  const c = schemas.config.safeParse(config);
  if (!c.success) throw new ConnectorError('invalid_config', `The ${system} settings are not valid: ${c.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const s = schemas.secrets.safeParse(secrets ?? {});
  if (!s.success) throw new ConnectorError('invalid_config', `The ${system} password is not valid.`);
  return { config: c.data, secrets: s.data };
}

/** Test connection's warning for a user that can do anything: it works, but a source should read with a read-only user. */
export const superuserWarning = (user: string, what: string) =>
  `"${user}" is ${what}. Weft reads through read-only transactions, yet a least-privilege user that may only read what the integration needs is recommended for sources.`;

/**
 * The records of a failed batch found by halving, in the caller's open transaction: rows [0, n) are written in parts
 * of at most `perChunk` (one statement each), each part behind its own savepoint (one name per depth: MySQL replaces
 * a savepoint of the same name), a part that fails for a record's reason split in two until the one record is
 * rejected with `reason(error)`. Any other error is thrown as it is. One result per row, in order.
 */
export async function isolateRecords(
  n: number,
  perChunk: number,
  io: {
    query: (sql: string) => Promise<unknown>;
    writeChunk: (from: number, to: number) => Promise<RecordResult[]>;
    isRecordError: (e: unknown) => boolean;
    reason: (e: unknown) => string;
  },
): Promise<RecordResult[]> {
  const results: RecordResult[] = new Array<RecordResult>(n);
  const isolate = async (from: number, to: number, depth: number): Promise<void> => {
    if (to - from > perChunk) {
      const mid = from + Math.ceil((to - from) / 2);
      await isolate(from, mid, depth);
      await isolate(mid, to, depth);
      return;
    }
    const savepoint = `weft_part_${depth}`;
    await io.query(`SAVEPOINT ${savepoint}`);
    try {
      const written = await io.writeChunk(from, to);
      written.forEach((r, i) => (results[from + i] = r));
      await io.query(`RELEASE SAVEPOINT ${savepoint}`);
    } catch (e) {
      if (!io.isRecordError(e)) throw e;
      await io.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
      await io.query(`RELEASE SAVEPOINT ${savepoint}`);
      if (to - from === 1) {
        results[from] = { outcome: 'rejected', reason: io.reason(e) };
        return;
      }
      const mid = from + Math.ceil((to - from) / 2);
      await isolate(from, mid, depth + 1);
      await isolate(mid, to, depth + 1);
    }
  };
  await isolate(0, n, 0);
  return results;
}
