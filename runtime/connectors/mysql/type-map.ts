// MySQL/MariaDB column types -> Weft types, and how result values become Weft values.
import type { TypeCast } from 'mysql2';
import { exactNumber, type FieldType } from '../../../shared/graph/field-types';
import type { TypeMapper } from '../types';

/** The one table (docs/connectors.md repeats it). MySQL has no money type: DECIMAL is a number. */
const MYSQL_TYPES: [RegExp, FieldType][] = [
  [/^(tinyint\(1\)|bool|boolean)( unsigned)?$/, 'boolean'],
  [/^(tinyint|smallint|mediumint|int|integer|bigint|decimal|numeric|dec|fixed|float|double|double precision|real|year)\b/, 'number'],
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

/** Result values as Weft values: numbers, booleans for TINYINT(1), ISO dates, ISO UTC date-times, text for the rest. */
export const mysqlTypeCast: TypeCast = (field, next) => {
  switch (field.type) {
    case 'TINY': {
      const text = field.string();
      if (field.length === 1) return text === null ? null : text !== '0';
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
    case 'GEOMETRY':
      return next();
    default:
      return field.string('utf8');
  }
};

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
