// A light pre-check of a query filter, only for a friendly message ("only a single SELECT"). It is not what keeps a
// filter safe: the database is (postgres/query-filter.ts, mysql/query-filter.ts send the filter so the server refuses
// a second statement, inside a READ ONLY transaction with a statement timeout). A text this check lets through that
// the server reads otherwise is refused there, with the same words.
import { ConnectorError } from './types';

export type SqlDialect = 'postgres' | 'mysql';

export const ONE_SELECT = 'A query filter is one SELECT (or WITH ... SELECT) statement.';
export const MORE_THAN_ONE = `The query has more than one statement. ${ONE_SELECT}`;

/**
 * Blanks out comments and quoted text as the dialect reads them, so keywords and `;` inside them are not seen.
 * Returns null when the text does not lex (an unclosed quote or comment): the server will then say what is wrong.
 */
function stripQuoted(sql: string, dialect: SqlDialect): string | null {
  let out = '';
  let i = 0;
  const pg = dialect === 'postgres';
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    const prev = i > 0 ? sql[i - 1]! : ' ';
    if (c === '-' && next === '-' && (pg || /[\s\x00-\x1f]/.test(sql[i + 2] ?? ' '))) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
      out += ' ';
    } else if (c === '#' && !pg) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
      out += ' ';
    } else if (c === '/' && next === '*') {
      // Postgres nests block comments; MySQL does not.
      let depth = 1;
      let j = i + 2;
      while (depth > 0) {
        if (j >= sql.length) return null;
        if (sql.startsWith('*/', j)) {
          depth -= 1;
          j += 2;
        } else if (pg && sql.startsWith('/*', j)) {
          depth += 1;
          j += 2;
        } else j += 1;
      }
      i = j;
      out += ' ';
    } else if (c === "'" || c === '"' || (c === '`' && !pg)) {
      // Backslash escapes: MySQL's quoted text; in Postgres only E'...' strings (standard_conforming_strings is on).
      const backslash = !pg ? c !== '`' : c === "'" && /[eE]/.test(prev) && !/[A-Za-z0-9_$]/.test(i > 1 ? sql[i - 2]! : ' ');
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) return null;
        if (backslash && sql[j] === '\\') j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j += 1;
      }
      i = j + 1;
      out += ' x ';
    } else if (c === '$' && pg && !/[A-Za-z0-9_$]/.test(prev)) {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        if (end === -1) return null;
        i = end + tag[0].length;
        out += ' x ';
      } else {
        out += c;
        i += 1;
      }
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/**
 * Returns the query without a trailing `;`, or throws invalid_query with a friendly message when it plainly is not one
 * SELECT/WITH statement. Passing this check proves nothing; the connectors' query-filter modules enforce it.
 */
export function checkSelectQuery(sql: string, dialect: SqlDialect = 'postgres'): string {
  const trimmed = sql.trim().replace(/;\s*$/, '').trim();
  if (trimmed === '') throw new ConnectorError('invalid_query', "The query is empty. Write one SELECT statement, e.g. SELECT * FROM orders WHERE status = 'open'.");
  const bare = stripQuoted(trimmed, dialect);
  if (bare === null) return trimmed;
  if (bare.includes(';')) throw new ConnectorError('invalid_query', MORE_THAN_ONE);
  const first = /^\s*\(*\s*([A-Za-z]+)/.exec(bare)?.[1]?.toLowerCase();
  if (first !== 'select' && first !== 'with') {
    throw new ConnectorError('invalid_query', `A query filter must be a SELECT (or WITH ... SELECT) statement; this one starts with ${first ? first.toUpperCase() : 'something else'}. Weft only reads through query filters.`);
  }
  return trimmed;
}
