// MySQL/MariaDB column types -> Weft types, and how result values become Weft values.
import { isUtf8 } from 'node:buffer';
import type { TypeCast } from 'mysql2';
import { exactNumber, type FieldType } from '../../../shared/graph/field-types';
import type { TypeMapper } from '../types';

/** The one table (docs/connectors.md repeats it). MySQL has no money type: DECIMAL is a number. */
const MYSQL_TYPES: [RegExp, FieldType][] = [
  [/^(tinyint\(1\)|bool|boolean)( unsigned)?$|^bit\(1\)$/, 'boolean'],
  [/^(tinyint|smallint|mediumint|int|integer|bigint|decimal|numeric|dec|fixed|float|double|double precision|real|year|bit)\b/, 'number'],
  [/^date$/, 'date'],
  [/^(datetime|timestamp)\b/, 'datetime'],
];

export const mapMysqlType: TypeMapper = (nativeType) => MYSQL_TYPES.find(([re]) => re.test(nativeType.toLowerCase()))?.[1] ?? 'text';

/** BIGINT and DECIMAL as Weft numbers: a JS number when exact, else the exact decimal text (never rounded). */
const toNumber = (text: string | null): number | string | null => {
  if (text === null) return null;
  const exact = exactNumber(text);
  if (exact !== null) return exact;
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
};

/** A typeCast function (mysql2's `TypeCast` also admits a boolean). */
type CastFunction = Exclude<TypeCast, boolean>;

/** Result values as Weft values: numbers, booleans for TINYINT(1), ISO dates, ISO UTC date-times, text for the rest. */
export const mysqlTypeCast: CastFunction = (field, next) => {
  switch (field.type) {
    case 'TINY': {
      const text = field.string();
      // TINYINT(1) is MySQL's BOOLEAN: 0 and 1 are false and true. It holds -128..127 all the same, and an application
      // may keep 2 there: that stays the number it is (fid13: it read as true and went on as 1).
      if (field.length === 1 && (text === '0' || text === '1')) return text === '1';
      return toNumber(text);
    }
    case 'SHORT':
    case 'LONG':
    case 'INT24':
    case 'LONGLONG':
    case 'YEAR':
    case 'DECIMAL':
    case 'NEWDECIMAL':
    case 'FLOAT':
    case 'DOUBLE':
      return toNumber(field.string());
    case 'DATE':
    case 'NEWDATE':
      return field.string();
    case 'DATETIME':
    case 'DATETIME2':
    case 'TIMESTAMP':
    case 'TIMESTAMP2': {
      // The session runs in UTC (time_zone = '+00:00'), so a DATETIME is read as UTC too.
      const text = field.string();
      if (text === null) return null;
      const date = new Date(`${text.replace(' ', 'T')}Z`);
      return Number.isNaN(date.getTime()) ? text : date.toISOString();
    }
    case 'BIT':
      return bitsValue(field.buffer(), field.length);
    case 'GEOMETRY':
      return next();
    default:
      return field.string('utf8');
  }
};

/** The result types a binary column (BLOB, BINARY, VARBINARY) comes as (text columns come as them too). */
const BYTES_TYPES = new Set(['TINY_BLOB', 'MEDIUM_BLOB', 'LONG_BLOB', 'BLOB', 'VAR_STRING', 'STRING']);

/**
 * `mysqlTypeCast` for a query whose result columns named in `binary` are binary columns (the protocol's field does not
 * say which are: the table's description does): their bytes as `bytesAsText` gives them.
 */
export function binaryTypeCast(binary: ReadonlySet<string>): CastFunction {
  if (binary.size === 0) return mysqlTypeCast;
  return (field, next) => (binary.has(field.name) && BYTES_TYPES.has(field.type) ? bytesAsText(field.buffer()) : mysqlTypeCast(field, next));
}

/**
 * A BIT(n) column's bytes (big-endian): BIT(1) as a boolean (MySQL's other boolean), wider as the unsigned number they
 * make, as `b + 0` reads it. fid13: they came as a Node Buffer, which went on as `{"type":"Buffer","data":[1]}`.
 */
export function bitsValue(bytes: Buffer | null, length: number): boolean | number | string | null {
  if (bytes === null) return null;
  if (length === 1) return bytes.length > 0 && bytes[bytes.length - 1] === 1;
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}

/**
 * A binary column's bytes (BLOB, BINARY, VARBINARY): UTF-8 text as the text it is (an application keeping text there);
 * anything else — bytes that are no UTF-8 (an image, a hash, a key), a NUL (BINARY(n) pads with them), text with a
 * backslash (a leading `\x` would read as hex; any other, a bytea target reads as an escape) — as `\x` and their hex
 * digits, the text Postgres gives a bytea and takes back, which `toMysqlBytes` turns back into those bytes. fid13: they were decoded as UTF-8 regardless, each invalid byte becoming U+FFFD, so the bytes
 * were lost on the way to any target (and back into the same BLOB).
 */
export function bytesAsText(bytes: Buffer | null): string | null {
  if (bytes === null) return null;
  const text = isUtf8(bytes) && !bytes.includes(0) ? bytes.toString('utf8') : null;
  // A backslash anywhere, not only a leading `\x` (review13a): Postgres reads text cast to bytea in its escape format,
  // so `a\101b` became the bytes of `aAb` and `C:\dir` was refused; hex is exact in every target.
  return text !== null && !text.includes('\\') ? text : `\\x${bytes.toString('hex')}`;
}

const HEX_BYTES = /^\\x(?:[0-9a-fA-F]{2})*$/;

/** A value for a binary column (BLOB, BINARY, VARBINARY): `\x` and hex digits (a Postgres bytea, `bytesAsText`) are those bytes. */
export function toMysqlBytes(value: unknown): unknown {
  return typeof value === 'string' && HEX_BYTES.test(value) ? Buffer.from(value.slice(2), 'hex') : toMysqlValue(value, 'text');
}

/** Weft values as MySQL accepts them: ISO date-times without the zone (UTC), booleans as 1/0. */
export function toMysqlValue(value: unknown, type: FieldType): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (type === 'datetime' && (typeof value === 'string' || value instanceof Date)) {
    const date = value instanceof Date ? value : new Date(value);
    if (!Number.isNaN(date.getTime())) return date.toISOString().replace('T', ' ').replace('Z', '');
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}
