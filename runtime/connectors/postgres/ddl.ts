// "Create this table" on Postgres: Weft types as column types, every identifier double-quoted (a quote doubled), names
// Postgres would silently cut (over 63 bytes) refused rather than created under another name.
import type { Field, FieldType } from '../../../shared/graph/field-types';
import { ConnectorError } from '../types';

/** NAMEDATALEN - 1: a longer name is truncated by Postgres, so a later write would not find the table by its name. */
const MAX_BYTES = 63;

export const POSTGRES_COLUMN_TYPES: Record<FieldType, string> = {
  text: 'text',
  number: 'numeric',
  // Unbounded numeric: exact at any size and scale (numeric(19,4) would round an amount with more decimals).
  currency: 'numeric',
  date: 'date',
  datetime: 'timestamp with time zone',
  boolean: 'boolean',
  // The referenced record's key, as text (the table holds no rows of the workspace to point a FOREIGN KEY at).
  reference: 'text',
};

export const pgIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

function checkName(name: string, what: string): void {
  if (name === '' || name.includes('\u0000')) throw new ConnectorError('invalid_config', `The ${what} name ${JSON.stringify(name)} cannot be used: it is empty or holds a NUL character.`);
  if (Buffer.byteLength(name, 'utf8') > MAX_BYTES) throw new ConnectorError('invalid_config', `The ${what} name "${name}" is longer than Postgres allows (${MAX_BYTES} bytes); shorten it.`);
}

/** The CREATE TABLE statement, one column a line, the key NOT NULL and the PRIMARY KEY. */
export function postgresTableDdl(schema: string, table: string, fields: readonly Field[], key: readonly string[]): string {
  checkName(schema, 'schema');
  // A session's temporary schema: "pg_temp" made a temporary table that vanished with the pooled connection, answered
  // "created" and left a target no run could find (probe18). Postgres' other own schemas refuse CREATE by themselves.
  if (/^pg_(toast_)?temp(_\d+)?$/.test(schema)) throw new ConnectorError('invalid_config', `Schema "${schema}" holds temporary tables, which vanish when the connection that made them closes; create the table in another schema.`);
  checkName(table, 'table');
  for (const f of fields) checkName(f.name, 'column');
  const keyed = new Set(key);
  const lines = fields.map((f) => `  ${pgIdent(f.name)} ${POSTGRES_COLUMN_TYPES[f.type]}${keyed.has(f.name) ? ' NOT NULL' : ''}`);
  if (key.length > 0) lines.push(`  PRIMARY KEY (${key.map(pgIdent).join(', ')})`);
  return `CREATE TABLE ${pgIdent(schema)}.${pgIdent(table)} (\n${lines.join(',\n')}\n)`;
}
