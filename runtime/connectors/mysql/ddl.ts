// "Create this table" on MySQL/MariaDB: Weft types as column types, identifiers in backticks (a backtick doubled),
// utf8mb4 with a binary collation so keys match exactly as Weft compares them ('a' and 'A' are two records).
import type { Field, FieldType } from '../../../shared/graph/field-types';
import { ConnectorError } from '../types';

/** MySQL's identifier limit, in characters. */
const MAX_CHARS = 64;

/** A key column cannot be TEXT (an index needs a length): key text columns are VARCHAR(255). */
export const MYSQL_COLUMN_TYPES: Record<FieldType, string> = {
  text: 'TEXT',
  // MySQL's widest exact decimal: 35 integer digits and 30 decimals (DECIMAL(19,4) would round more decimals). A number
  // too (fid13): DECIMAL(38,10) rounded an 11th decimal without a word (strict mode refuses only integer digits).
  number: 'DECIMAL(65,30)',
  currency: 'DECIMAL(65,30)',
  date: 'DATE',
  datetime: 'DATETIME(3)',
  boolean: 'BOOLEAN',
  reference: 'TEXT',
};

export const myIdent = (name: string) => `\`${name.replace(/`/g, '``')}\``;

function checkName(name: string, what: string): void {
  if (name === '' || name.includes('\u0000')) throw new ConnectorError('invalid_config', `The ${what} name ${JSON.stringify(name)} cannot be used: it is empty or holds a NUL character.`);
  if ([...name].length > MAX_CHARS) throw new ConnectorError('invalid_config', `The ${what} name "${name}" is longer than MySQL allows (${MAX_CHARS} characters); shorten it.`);
  if (name.endsWith(' ')) throw new ConnectorError('invalid_config', `The ${what} name "${name}" ends with a space, which MySQL does not allow.`);
  // Quoted identifiers take the Basic Multilingual Plane only: an emoji would be refused as "Invalid utf8mb4 character string".
  const outside = [...name].find((ch) => ch.codePointAt(0)! > 0xffff);
  if (outside) throw new ConnectorError('invalid_config', `The ${what} name "${name}" holds a character MySQL does not allow in names (${outside}); rename it.`);
}

/** MySQL names columns ignoring case (`Ä` and `ä` are one; `é` and `e` two): two names that differ only so are one column. */
function checkColumnsDistinct(fields: readonly Field[]): void {
  const seen = new Map<string, string>();
  for (const f of fields) {
    const folded = f.name.toLowerCase();
    const earlier = seen.get(folded);
    if (earlier !== undefined) throw new ConnectorError('invalid_config', `The column names "${earlier}" and "${f.name}" differ only by case, and MySQL names columns ignoring case; rename one of them.`);
    seen.set(folded, f.name);
  }
}

export function mysqlTableDdl(table: string, fields: readonly Field[], key: readonly string[]): string {
  checkName(table, 'table');
  for (const f of fields) checkName(f.name, 'column');
  checkColumnsDistinct(fields);
  const keyed = new Set(key);
  const lines = fields.map((f) => {
    const type = keyed.has(f.name) && (f.type === 'text' || f.type === 'reference') ? 'VARCHAR(255)' : MYSQL_COLUMN_TYPES[f.type];
    return `  ${myIdent(f.name)} ${type}${keyed.has(f.name) ? ' NOT NULL' : ' NULL'}`;
  });
  if (key.length > 0) lines.push(`  PRIMARY KEY (${key.map(myIdent).join(', ')})`);
  return `CREATE TABLE ${myIdent(table)} (\n${lines.join(',\n')}\n) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`;
}
