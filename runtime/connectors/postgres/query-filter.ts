// The one way a person's SQL query filter reaches Postgres. Safety is the server's, never a re-reading of the text:
// the filter alone is parsed by the server through the extended protocol (which refuses more than one statement) and
// must return rows; every statement carrying it is sent the same way, inside a READ ONLY transaction with its own
// statement timeout; and the connection that ran it is never reused (a filter may change session settings).
import type pg from 'pg';
import { bindSqlParams, SqlParamError, sqlParamNames } from '../../../shared/compiler/sql-params';
import { ConnectorError } from '../types';

/** What the server said about the filter alone: the columns it returns, in order. */
export interface FilterShape {
  names: string[];
}

/**
 * A submittable that sends Parse + Describe + Sync for the unnamed statement: the server parses the text and says
 * what it returns, and nothing is executed (no Bind, no Execute).
 */
class ParseOnly {
  private fields: { name: string }[] | null = null;
  private settled = false;
  constructor(
    private readonly text: string,
    private readonly done: (error: Error | null, fields: { name: string }[] | null) => void,
  ) {}
  submit(connection: { parse(q: { text: string; types: unknown[] }): void; describe(m: { type: string; name?: string }): void; sync(): void }) {
    connection.parse({ text: this.text, types: [] });
    connection.describe({ type: 'S', name: '' });
    connection.sync();
  }
  handleRowDescription(msg: { fields: { name: string }[] }) {
    this.fields = msg.fields;
  }
  private settle(error: Error | null, fields: { name: string }[] | null) {
    if (this.settled) return;
    this.settled = true;
    this.done(error, fields);
  }
  // pg forgets the active submittable when the server answers an error, so its ReadyForQuery never reaches this one:
  // the error settles it here (the client still waits for that ReadyForQuery before sending the next statement).
  // Waiting for ReadyForQuery instead left every filter the server refuses (a typo, an unknown table) hanging forever.
  handleError(error: Error) {
    this.settle(error, null);
  }
  handleReadyForQuery() {
    this.settle(null, this.fields);
  }
  // Not sent for a statement that is only parsed and described; present so a surprise is not a crash.
  handleDataRow() {}
  handleCommandComplete() {}
  handleEmptyQuery() {}
  handlePortalSuspended() {}
  handleCopyInResponse() {}
  handleCopyData() {}
}

/** Parses the filter alone on the server, without running it; throws invalid_query when it is not one statement returning rows. */
export function describeFilter(client: pg.PoolClient, filter: string): Promise<FilterShape> {
  return new Promise((resolve, reject) => {
    const submittable = new ParseOnly(filter, (error, fields) => {
      if (error) reject(error);
      else if (!fields) reject(new ConnectorError('invalid_query', 'A query filter must be one SELECT (or WITH ... SELECT) statement that returns rows; this one returns none. Weft only reads through query filters.'));
      else resolve({ names: fields.map((f) => f.name) });
    });
    (client as unknown as { query(s: ParseOnly): unknown }).query(submittable);
  });
}

/** The filter as a subquery: on lines of its own, so a trailing `--` comment cannot swallow the closing parenthesis. */
export const filterSource = (filter: string) => `(\n${filter}\n) AS weft_q`;

/** Statements that carry the filter's text: always the extended protocol, so the server refuses a second statement. */
export const carrying = (text: string, values: unknown[] = []): pg.QueryConfig => ({ text, values, queryMode: 'extended' }) as pg.QueryConfig;

/** The transaction every read runs in: read only and time-limited, enforced by the server. */
export async function beginReadOnly(client: pg.PoolClient, timeoutMs: number): Promise<void> {
  // Dates and times as ISO 8601 whatever the server's DateStyle (fid13: under `SQL, DMY` a date read as `01/03/2026`,
  // which a target reading month first took for 3 January). Only the output style: the input order (DMY, MDY) a
  // filter's own literals are read with stays the server's.
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL DateStyle = ISO');
  await limitTime(client, timeoutMs);
}

/**
 * Sets the statement timeout for the rest of the transaction. Called again before every FETCH: a filter can call
 * set_config('statement_timeout', '0', false), which would otherwise lift the limit for the statements after it.
 */
export async function limitTime(client: pg.PoolClient, timeoutMs: number): Promise<void> {
  await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
}

/** The server's refusal of a second statement, in the friendly words of the filter check. */
export function isMultipleStatements(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '42601' && /multiple commands/i.test(e.message ?? '');
}

/**
 * The filter with its `{{name}}` run parameters as bind parameters $1, $2… and their values (shared/compiler/sql-params).
 * Without run parameters (a designer preview) every placeholder is bound as NULL, so the filter still parses and
 * describes its columns.
 */
export function bindFilterParams(filter: string, params: ReadonlyMap<string, unknown> | undefined): { text: string; values: unknown[] } {
  const given = params ?? new Map(sqlParamNames(filter).map((n) => [n, null]));
  try {
    return bindSqlParams(filter, given);
  } catch (e) {
    if (e instanceof SqlParamError) throw new ConnectorError('invalid_query', e.message);
    throw e;
  }
}
