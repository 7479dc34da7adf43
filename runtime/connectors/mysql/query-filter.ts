// The one way a person's SQL query filter reaches MySQL/MariaDB. Safety is the server's, never a re-reading of the
// text: the pool never allows multiple statements; the filter alone is prepared (parsed, not run) by the server,
// which refuses a second statement, and must return columns; the statements carrying it run inside a READ ONLY
// transaction, each with its own time limit, and are never passed through the client's `?` formatting; and the
// connection that ran it is never reused.
import type mysql from 'mysql2/promise';
import { ConnectorError } from '../types';

/** Prepares the filter alone (COM_STMT_PREPARE: parsed, never executed) and returns its column names. */
export async function describeFilter(conn: mysql.PoolConnection, filter: string): Promise<string[]> {
  const prepared = await conn.prepare(filter);
  try {
    const columns = (prepared as unknown as { statement: { columns?: { name: string }[] } }).statement.columns ?? [];
    if (columns.length === 0) {
      throw new ConnectorError('invalid_query', 'A query filter must be one SELECT (or WITH ... SELECT) statement that returns rows; this one returns none. Weft only reads through query filters.');
    }
    return columns.map((c) => c.name);
  } finally {
    await prepared.close();
  }
}

/** The filter as a subquery: on lines of its own, so a trailing `#` or `-- ` comment cannot swallow the parenthesis. */
export const filterSource = (filter: string) => `(\n${filter}\n) AS weft_q`;

/**
 * A SELECT of Weft's own (`rest` follows `SELECT`) with the statement's own time limit: MariaDB's
 * `SET STATEMENT max_statement_time=... FOR`, MySQL's MAX_EXECUTION_TIME hint on the top-level SELECT (the filter,
 * inside the subquery, cannot reach either).
 */
export function limitedSelect(rest: string, timeoutMs: number, mariadb: boolean): string {
  const ms = Math.max(1, Math.round(timeoutMs));
  return mariadb ? `SET STATEMENT max_statement_time = ${ms / 1000} FOR SELECT ${rest}` : `SELECT /*+ MAX_EXECUTION_TIME(${ms}) */ ${rest}`;
}
