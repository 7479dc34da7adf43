// The first line of defence for user query filters: one SELECT/WITH statement, nothing else.
// The second line is the database itself (a READ ONLY transaction with a statement timeout).
import { ConnectorError } from './types';

/** Blanks out comments and quoted text so keywords and `;` inside them are not seen. */
function stripQuoted(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
      out += ' ';
    } else if (c === '#') {
      // MySQL line comment; harmless to treat as one elsewhere because a bare # is not valid SQL text.
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
      out += ' ';
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new ConnectorError('invalid_query', 'The query has a comment that is never closed (/* without */).');
      i = end + 2;
      out += ' ';
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new ConnectorError('invalid_query', `The query has a quote (${c}) that is never closed.`);
        if (sql[j] === '\\' && c === "'") j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j += 1;
      }
      i = j + 1;
      out += ' x ';
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        if (end === -1) throw new ConnectorError('invalid_query', `The query has a ${tag[0]} quoted text that is never closed.`);
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

/** Returns the query without a trailing `;`, or throws invalid_query when it is not one SELECT/WITH statement. */
export function checkSelectQuery(sql: string): string {
  const trimmed = sql.trim().replace(/;\s*$/, '').trim();
  if (trimmed === '') throw new ConnectorError('invalid_query', 'The query is empty. Write one SELECT statement, e.g. SELECT * FROM orders WHERE status = \'open\'.');
  const bare = stripQuoted(trimmed);
  if (bare.includes(';')) throw new ConnectorError('invalid_query', 'The query has more than one statement. A query filter is one SELECT (or WITH ... SELECT) statement.');
  const first = /^\s*\(*\s*([A-Za-z]+)/.exec(bare)?.[1]?.toLowerCase();
  if (first !== 'select' && first !== 'with') {
    throw new ConnectorError('invalid_query', `A query filter must be a SELECT (or WITH ... SELECT) statement; this one starts with ${first ? first.toUpperCase() : 'something else'}. Weft only reads through query filters.`);
  }
  return trimmed;
}
