// The PostgreSQL connector: keyset-resumable reads through a server-side cursor in a READ ONLY
// transaction, and batch writes as one statement per chunk with per-row savepoints as the fallback.
import { isIP } from 'node:net';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { unstorableTextReason } from '../../../shared/util/nul';
import { rowRecord } from '../../../shared/util/records';
import { expectProtocol } from '../net-probe';
import { checkSelectQuery, MORE_THAN_ONE } from '../sql-guard';
import { checkWriteColumns, chunk, scaleRefusals, describeKey, nextCursor, parseCursor, parseSettings, isolateRecords, recordOf, superuserWarning, toParam } from '../sql-common';
import { ConnectorError, defineConnector, type ConnectorSession, type OpenOptions, type DiscoveredField, type DiscoveredObject, type ReadBatch, type ReadOptions, type RecordComparison, type RecordResult, type Row, type WriteOptions, type DeleteOptions, type DeleteResult, SKIPPED_NO_MATCH } from '../types';
import { PostgresConfig, PostgresSecrets, postgresManifest } from './manifest';
import { beginReadOnly, bindFilterParams, carrying, describeFilter, filterSource, isMultipleStatements, limitTime } from './query-filter';
import { copyLiteral, CopyOutRows, copyRows } from './copy';
import { postgresTableDdl } from './ddl';
import { mapPostgresType, parsePostgresValue, postgresBytesParser } from './type-map';

export { PostgresConfig, PostgresSecrets, postgresManifest } from './manifest';
export { mapPostgresType } from './type-map';
export { copyText } from './copy';

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** Below this many rows by the statistics (and 100 MB of pages), a run's progress total is counted exactly. */
const SMALL_TABLE_ROWS = 100_000;
const SMALL_TABLE_PAGES = 12_800;
/** Keeps one statement well under Postgres' 65,535 parameters. */
const MAX_PARAMS = 30_000;

/**
 * A column's type without its modifier, for the casts of written and compared values. `format_type(oid, NULL)` names
 * `character` and `bit` for char(n) and bit(n), which a cast reads as char(1) and bit(1): `'abc'::character` is `a`,
 * cut without a word (fid13: a char(6) column was written its first character, and a delete by a char key matched
 * another record). Those get the unlimited types of the same values (bpchar, varbit, and their arrays); assigning
 * them to the column pads or refuses as Postgres does for any insert.
 */
const BASE_TYPE = `CASE a.atttypid WHEN 1042 THEN 'bpchar' WHEN 1014 THEN 'bpchar[]' WHEN 1560 THEN 'varbit' WHEN 1561 THEN 'varbit[]' ELSE format_type(a.atttypid, NULL) END`;

/**
 * The types a `pg_type` row (`t`) is made of, whose `=` its own `=` uses: a domain's base, an array's element, a
 * range's subtype, a multirange's range (Postgres 14+, read through to_jsonb), a composite type's attributes (tidy16:
 * `(tenant, code citext)` as a key type and a range of citext fold too). One row each, as `under`.
 */
const UNDER = `SELECT t.typbasetype WHERE t.typbasetype <> 0
               UNION ALL SELECT t.typelem WHERE t.typcategory = 'A' AND t.typelem <> 0
               UNION ALL SELECT r.rngsubtype FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid
               UNION ALL SELECT r.rngtypid FROM pg_catalog.pg_range r WHERE to_jsonb(r) ->> 'rngmultitypid' = t.oid::text
               UNION ALL SELECT ca.atttypid FROM pg_catalog.pg_attribute ca WHERE t.typtype = 'c' AND ca.attrelid = t.typrelid AND ca.attnum > 0 AND NOT ca.attisdropped`;

/**
 * Whether the type `bt` (no domain, no array) has a default btree operator class, whose `=` is an equality:
 * its own, or its kind's (enums, ranges, composites), or one of a type it turns into implicitly, byte for byte (varchar: text's;
 * xml's cast to text is explicit, so `xml = xml` does not exist).
 * json, xml and the geometric types have none (box's `=` compares areas).
 */
const HAS_EQUALITY = `SELECT 1 FROM pg_catalog.pg_opclass oc JOIN pg_catalog.pg_am am ON am.oid = oc.opcmethod
   WHERE am.amname = 'btree' AND oc.opcdefault
     AND (oc.opcintype = bt.oid
          OR oc.opcintype::regtype::text = CASE bt.typtype WHEN 'e' THEN 'anyenum' WHEN 'r' THEN 'anyrange' WHEN 'm' THEN 'anymultirange' WHEN 'c' THEN 'record' END
          OR EXISTS (SELECT 1 FROM pg_catalog.pg_cast ca WHERE ca.castsource = bt.oid AND ca.casttarget = oc.opcintype AND ca.castmethod = 'b' AND ca.castcontext = 'i'))`;

/** A domain's base or an array's element (`t` a `pg_type` row); 0 for none: the walk `by_text` takes (probe20). */
const DOMAIN_OR_ELEMENT = `CASE WHEN t.typbasetype <> 0 THEN t.typbasetype WHEN t.typcategory = 'A' THEN t.typelem ELSE 0 END`;

interface Column extends DiscoveredField {
  /** The type without its modifier (`character varying`, not `character varying(20)`), for casts that must not truncate. */
  baseType: string;
  /**
   * How the server's `=` on this column can hold for two spellings (keys15): a string type whose `=` is its own
   * (`citext`, or a domain over it), or a nondeterministic collation (ICU `und-u-ks-level2`, `deterministic = false`).
   * `rule` names it for a refusal; `collate` is the collation to group sent values by (qualified, SQL), or '' when
   * the type's own `=` does. Null for every column whose equal values are the same text.
   */
  loose: { rule: string; collate: string } | null;
  /** A generated column (`GENERATED ALWAYS AS (…) STORED`): the server computes it, nothing writes it. */
  generated: boolean;
  /**
   * The type has no `=` of its own (json, xml, the geometric types; through domains and arrays): written and stored
   * values are compared as their text (probe20: `IS DISTINCT FROM` on such a column failed every write to the table).
   */
  byText: boolean;
  /**
   * The type whose modifier rounds written numbers: the native type, or for a domain its base with the domain's
   * modifier (review16b: a domain over numeric(10,2) is named by its own name, and rounded silently).
   */
  scaleType: string;
}
interface Table {
  schema: string;
  table: string;
  sql: string;
  label: string;
  columns: Column[];
  primaryKey: string[];
  /**
   * The column sets of its unique indexes that take NULLs as equal (Postgres 15's NULLS NOT DISTINCT, sorted): for a
   * write keyed on one, a key with a NULL in a column is one record like any other, found again with IS NOT DISTINCT
   * FROM (review16a: tidy16 answered every such key "created", and a second insert the index turned away was lost).
   */
  nullsEqualKeys: string[][];
}

type PgError = Error & { code?: string; detail?: string; hint?: string; errno?: string };

interface Where {
  host: string;
  port: number;
  database: string;
  user: string;
}

/** The first key of Weft's advisory locks (`weft` in ASCII); the second is a table's oid. */
const WEFT_LOCK_CLASS = 0x77656674;

/** A value's text byte for byte, for a `=` that must not fold (`"C"` compares the bytes), keys15. */
const spelled = (expr: string) => `(${expr}::text COLLATE "C")`;

/** A column's value as written and stored values are compared: as its text when its type has no `=` (`byText`). */
const compared = (expr: string, c: Column) => (c.byText ? `(${expr})::text` : expr);

/** Undefined column, ambiguous column, undefined function. */
const NAME_ERRORS = ['42703', '42702', '42883'];

/** `Perhaps you meant to reference the column "orders.state".` -> `state`. */
export function meantName(hint: string | undefined): string | undefined {
  const m = /Perhaps you meant to reference the column "([^"]+)"/.exec(hint ?? '');
  return m?.[1]?.split('.').pop();
}

/** Turns a driver or server error into one the user can act on. */
export function postgresError(error: unknown, where: Where, object?: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const e = error as PgError;
  const at = `${where.host}:${where.port}`;
  const code = e?.code ?? '';
  const message = e?.message ?? String(error);
  const make = (c: ConnectorError['code'], m: string) => new ConnectorError(c, m, { cause: error });
  if (code === '28P01' || (code === '28000' && /password/i.test(message))) return make('auth', `Postgres at ${at} refused the password for user "${where.user}". Check the user name and password.`);
  if (code === '28000') return make('auth', `Postgres at ${at} does not allow user "${where.user}" to connect to database "${where.database}" (pg_hba.conf): ${message}`);
  if (code === '3D000') return make('not_found', `Database "${where.database}" does not exist on the Postgres server at ${at}. Check the database name.`);
  if (code === 'ECONNREFUSED') return make('unreachable', `Could not reach Postgres at ${at}: the connection was refused. Check the host and port, and that the server is running and accepts TCP connections.`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return make('unreachable', `Could not reach Postgres: the host name "${where.host}" could not be resolved.`);
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || /connection timeout|timeout expired/i.test(message)) return make('unreachable', `Could not reach Postgres at ${at}: no answer before the connection timeout. Check the host, port and any firewall.`);
  // The server went away mid-session (stopped, restarted, failed over, network cut): a retry can heal that.
  if (
    ['ECONNRESET', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006'].includes(code) ||
    /connection terminated|server closed the connection|connection (?:was )?closed|client has encountered a connection error|not queryable/i.test(message)
  ) {
    return make('unreachable', `Lost the connection to Postgres at ${at}: ${message}`);
  }
  if (/ssl|certificate|self[- ]signed/i.test(message)) return make('tls', `The TLS connection to Postgres at ${at} failed: ${message}. Check the SSL mode.`);
  if (code === '42P01') return make('not_found', object ? `Table ${object} was not found in database "${where.database}": ${message}` : message);
  if (code === '42501') return make('permission', `User "${where.user}" may not do this in database "${where.database}": ${message}`);
  if (code === '57014') return make('timeout', `The query ran longer than the query timeout and was stopped: ${message}`);
  if (isMultipleStatements(e)) return make('invalid_query', MORE_THAN_ONE);
  if (code === '25006') return make('invalid_query', `Query filters only read; this one tries to change data: ${message}`);
  // An unknown or ambiguous column or function: the server's words say what to fix, and its hint what was meant.
  if (NAME_ERRORS.includes(code)) return new ConnectorError('invalid_query', `The query is not valid: ${message}`, { cause: error, reason: message, suggestion: meantName(e.hint) });
  if (code.startsWith('42') || code === '0A000' || code === '21000') return make('invalid_query', `The query is not valid: ${message}`);
  return make('unknown', `Postgres at ${at} failed: ${message}`);
}

/** Why Postgres refused one record, in words for the person: the server's message and detail, never the statement. */
const recordReason = (e: PgError): string => (e.detail ? `${e.message} (${e.detail})` : e.message);

/** Per-record problems (bad value, constraint) isolate one row; anything else fails the batch. */
const isRecordError = (e: unknown) => /^(21|22|23)|^42804$/.test((e as PgError)?.code ?? '');

/** Shared, frozen outcomes: a batch of thousands of rows answers with references, not thousands of objects. */
const CREATED: RecordResult = Object.freeze({ outcome: 'created' });
const UPDATED: RecordResult = Object.freeze({ outcome: 'updated' });
const UNCHANGED: RecordResult = Object.freeze({ outcome: 'unchanged' });

/**
 * The rows as a VALUES list of bind parameters, each row `(ordinal, column…)` cast to the column's type; the values
 * are appended to `params`. Shared by the batch write and the read-only comparison of Test a record.
 */
function valuesList(rows: readonly Row[], columns: readonly { name: string; baseType: string }[], params: unknown[]): string {
  return rows
    .map((row, ord) => {
      params.push(ord);
      const marks = [`$${params.length}::int`];
      for (const c of columns) {
        params.push(toParam(row[c.name]));
        marks.push(`$${params.length}::${c.baseType}`);
      }
      return `(${marks.join(', ')})`;
    })
    .join(', ');
}

function openSession(config: PostgresConfig, secrets: PostgresSecrets, options: OpenOptions = {}): ConnectorSession {
  const where: Where = { host: config.host, port: config.port, database: config.database, user: config.user };
  // The address the host allowlist checked, when there is one; TLS still verifies the certificate against the name.
  const address = options.address ?? config.host;
  const pool = new pg.Pool({
    host: address,
    port: config.port,
    database: config.database,
    user: config.user,
    password: secrets.password,
    ssl: config.sslMode === 'disable' ? false : { rejectUnauthorized: config.sslMode === 'verify-full', ...(isIP(config.host) ? {} : { servername: config.host }) },
    max: 4,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 10_000,
    types: { getTypeParser: ((oid: number) => parsePostgresValue(oid)) as unknown as pg.CustomTypesConfig['getTypeParser'] },
  });
  pool.on('error', () => undefined); // an idle client that dies is replaced by the pool; the next call reports it
  const leased = new Set<{ client: pg.PoolClient; done: (destroy?: boolean) => void }>();
  const guarded = new WeakSet<pg.PoolClient>();

  /** Whether the port has been asked if it speaks Postgres: once per session, before the driver's first connection. */
  let probed: Promise<void> | null = null;

  async function lease() {
    let client: pg.PoolClient;
    probed ??= expectProtocol('postgres', address, config.port, `${config.host}:${config.port}`);
    await probed;
    try {
      client = await pool.connect();
    } catch (e) {
      throw postgresError(e, where);
    }
    if (!guarded.has(client)) {
      // A connection that dies while checked out must not crash the process; the pending query reports it.
      client.on('error', () => undefined);
      guarded.add(client);
    }
    let released = false;
    const entry = {
      client,
      done: (destroy = false) => {
        if (released) return;
        released = true;
        leased.delete(entry);
        client.release(destroy);
      },
    };
    leased.add(entry);
    return entry;
  }

  /** Whether the server is PGlite (served over the wire protocol), which COPY is not used with; asked once per session. */
  let pglite: Promise<boolean> | null = null;
  const isPglite = (client: pg.PoolClient): Promise<boolean> =>
    (pglite ??= client.query<{ v: string }>('SELECT version() AS v').then(
      (r) => /PGlite/i.test(r.rows[0]?.v ?? ''),
      (e: unknown) => {
        pglite = null;
        throw e;
      },
    ));

  const splitName = (object: string) => {
    const dot = object.indexOf('.');
    return dot === -1 ? { schema: config.schema, table: object } : { schema: object.slice(0, dot), table: object.slice(dot + 1) };
  };

  async function loadTables(client: pg.PoolClient, schema: string, table?: string): Promise<Table[]> {
    // keys15: whether `=` on the column can hold for two spellings: a string type (or domains, arrays, ranges or
    // composite types over one, review15a and tidy16: their `=` is their parts') with an `=` of its own (citext's; text, varchar, char and name use
    // the built-in ones), or a nondeterministic collation (read through to_jsonb: the column is missing before
    // Postgres 12, where every collation is deterministic).
    const columns = await client.query<{ table: string; column: string; native: string; base: string; nullable: boolean; own_eq: string | null; nd_collation: string | null; generated: boolean; by_text: boolean | null; under_domain: string | null; nd_part: string | null; domain_native: string | null }>(
      `SELECT cl.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS native,
              ${BASE_TYPE} AS base, NOT a.attnotnull AS nullable,
              (WITH RECURSIVE weft_d (oid) AS (
                  SELECT a.atttypid
                  UNION SELECT u.under FROM weft_d JOIN pg_catalog.pg_type t ON t.oid = weft_d.oid CROSS JOIN LATERAL (${UNDER}) AS u (under))
               SELECT min(format_type(bt.oid, NULL)) FROM weft_d JOIN pg_catalog.pg_type bt ON bt.oid = weft_d.oid
                WHERE bt.typtype = 'b' AND bt.typcategory = 'S' AND EXISTS (
                  SELECT 1 FROM pg_catalog.pg_operator o WHERE o.oprname = '=' AND o.oprleft = bt.oid AND o.oprright = bt.oid
                     AND o.oprcode NOT IN ('pg_catalog.texteq'::regproc, 'pg_catalog.bpchareq'::regproc, 'pg_catalog.nameeq'::regproc))) AS own_eq,
              (SELECT format('%I.%I', cn.nspname, co.collname) FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
                WHERE co.oid = a.attcollation AND to_jsonb(co) ->> 'collisdeterministic' = 'false') AS nd_collation,
              COALESCE(to_jsonb(a) ->> 'attgenerated', '') <> '' AS generated,
              (WITH RECURSIVE weft_b (oid, base) AS (
                  SELECT t.oid, t.typbasetype FROM pg_catalog.pg_type t WHERE t.oid = a.atttypid
                  UNION ALL SELECT t.oid, t.typbasetype FROM pg_catalog.pg_type t JOIN weft_b ON t.oid = weft_b.base)
               SELECT format_type(weft_b.oid, NULL) FROM weft_b WHERE weft_b.base = 0) AS under_domain,
              (WITH RECURSIVE weft_m (oid, base, mod) AS (
                  SELECT t.oid, t.typbasetype, t.typtypmod FROM pg_catalog.pg_type t WHERE t.oid = a.atttypid AND t.typtype = 'd'
                  UNION ALL SELECT t.oid, t.typbasetype, t.typtypmod FROM pg_catalog.pg_type t JOIN weft_m ON t.oid = weft_m.base)
               SELECT format_type(weft_m.base, weft_m.mod) FROM weft_m JOIN pg_catalog.pg_type bt ON bt.oid = weft_m.base
                WHERE bt.typbasetype = 0) AS domain_native,
              (WITH RECURSIVE weft_d (oid, base) AS (
                  SELECT t.oid, ${DOMAIN_OR_ELEMENT} FROM pg_catalog.pg_type t WHERE t.oid = a.atttypid
                  UNION ALL SELECT t.oid, ${DOMAIN_OR_ELEMENT} FROM pg_catalog.pg_type t JOIN weft_d ON t.oid = weft_d.base)
               SELECT bool_or(NOT EXISTS (${HAS_EQUALITY})) FROM weft_d JOIN pg_catalog.pg_type bt ON bt.oid = weft_d.oid WHERE weft_d.base = 0) AS by_text,
              (WITH RECURSIVE weft_d (oid) AS (
                  SELECT a.atttypid
                  UNION SELECT u.under FROM weft_d JOIN pg_catalog.pg_type t ON t.oid = weft_d.oid CROSS JOIN LATERAL (${UNDER}) AS u (under)),
                weft_c (coll) AS (
                  SELECT ca.attcollation FROM weft_d JOIN pg_catalog.pg_type t ON t.oid = weft_d.oid
                    JOIN pg_catalog.pg_attribute ca ON t.typtype = 'c' AND ca.attrelid = t.typrelid AND ca.attnum > 0 AND NOT ca.attisdropped
                  UNION ALL SELECT r.rngcollation FROM weft_d JOIN pg_catalog.pg_range r ON r.rngtypid = weft_d.oid)
               SELECT min(format('%I.%I', cn.nspname, co.collname)) FROM weft_c JOIN pg_catalog.pg_collation co ON co.oid = weft_c.coll
                 JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
                WHERE to_jsonb(co) ->> 'collisdeterministic' = 'false') AS nd_part
         FROM pg_catalog.pg_class cl
         JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace
         JOIN pg_catalog.pg_attribute a ON a.attrelid = cl.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE n.nspname = $1 AND cl.relkind IN ('r', 'p', 'v', 'm', 'f') AND ($2::text IS NULL OR cl.relname = $2)
        ORDER BY cl.relname, a.attnum`,
      [schema, table ?? null],
    );
    const keys = await client.query<{ table: string; column: string }>(
      `SELECT cl.relname AS table, a.attname AS column
         FROM pg_catalog.pg_index i
         JOIN pg_catalog.pg_class cl ON cl.oid = i.indrelid
         JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace
         JOIN pg_catalog.pg_attribute a ON a.attrelid = cl.oid AND a.attnum = ANY (i.indkey::int2[])
        WHERE i.indisprimary AND n.nspname = $1 AND ($2::text IS NULL OR cl.relname = $2)
        ORDER BY cl.relname, array_position(i.indkey::int2[], a.attnum)`,
      [schema, table ?? null],
    );
    // indnullsnotdistinct is read through to_jsonb: the column is missing before Postgres 15 (where NULLs always differ).
    const nullsEqual = await client.query<{ table: string; columns: string }>(
      `SELECT cl.relname AS table, to_json(array_agg(a.attname::text ORDER BY a.attname::text))::text AS columns
         FROM pg_catalog.pg_index i
         JOIN pg_catalog.pg_class cl ON cl.oid = i.indrelid
         JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace
         JOIN pg_catalog.pg_attribute a ON a.attrelid = cl.oid AND a.attnum = ANY (i.indkey::int2[])
        WHERE i.indisunique AND i.indpred IS NULL AND to_jsonb(i) ->> 'indnullsnotdistinct' = 'true'
          AND n.nspname = $1 AND ($2::text IS NULL OR cl.relname = $2)
        GROUP BY cl.relname, i.indexrelid`,
      [schema, table ?? null],
    );
    const byTable = new Map<string, Table>();
    for (const c of columns.rows) {
      let t = byTable.get(c.table);
      if (!t) {
        t = { schema, table: c.table, sql: `${ident(schema)}.${ident(c.table)}`, label: c.table, columns: [], primaryKey: [], nullsEqualKeys: [] };
        byTable.set(c.table, t);
      }
      // review16a: a composite type's or a range's `=` compares its parts under their collations: a nondeterministic one
      // there folds the key too (`(ABC,1)` = `(abc,1)` for `(code text COLLATE ci, n int)`); no COLLATE applies to the column.
      const rules = [c.own_eq && `type (${c.own_eq})`, c.nd_collation && `collation (${c.nd_collation}, nondeterministic)`, !c.nd_collation && c.nd_part && `collation (${c.nd_part}, nondeterministic, of its parts)`].filter(Boolean);
      const loose = rules.length > 0 ? { rule: rules.join(' and '), collate: c.nd_collation ? ` COLLATE ${c.nd_collation}` : '' } : null;
      // A domain's values are its base type's (probe20: `CREATE DOMAIN posint AS int …` read as Text, its numbers turned into text).
      t.columns.push({ name: c.column, type: mapPostgresType(c.under_domain ?? c.native), nativeType: c.native, baseType: c.base, nullable: c.nullable, loose, generated: c.generated, byText: c.by_text === true, scaleType: c.domain_native ?? c.native });
    }
    for (const k of keys.rows) byTable.get(k.table)?.primaryKey.push(k.column);
    for (const u of nullsEqual.rows) byTable.get(u.table)?.nullsEqualKeys.push((JSON.parse(u.columns) as string[]).sort());
    return [...byTable.values()];
  }

  async function describe(client: pg.PoolClient, object: string): Promise<Table> {
    const { schema, table } = splitName(object);
    const [found] = await loadTables(client, schema, table);
    if (!found) throw new ConnectorError('not_found', `Table "${table}" was not found in schema "${schema}" of database "${config.database}". Run discover to see the tables Weft can reach.`);
    return found;
  }

  function cursorFields(t: Table): string[] {
    const integerKey = t.primaryKey.length === 1 && /^(smallint|integer|bigint)$/.test(t.columns.find((c) => c.name === t.primaryKey[0])?.nativeType ?? '');
    return t.columns.filter((c) => c.nativeType.startsWith('timestamp') || (integerKey && c.name === t.primaryKey[0])).map((c) => c.name);
  }

  async function* read(object: string, options: ReadOptions): AsyncGenerator<ReadBatch> {
    const batchSize = Math.max(1, Math.floor(options.batchSize));
    const query = options.query === undefined ? undefined : checkSelectQuery(options.query, 'postgres');
    let cursor = parseCursor(options.cursor);
    options.signal?.throwIfAborted();
    const lent = await lease();
    const { client } = lent;
    let open = false;
    const timeoutMs = config.queryTimeoutSeconds * 1000;
    try {
      const table = await describe(client, object).catch((e: unknown) => {
        throw postgresError(e, where, object);
      });
      await beginReadOnly(client, timeoutMs);
      open = true;
      // The filter's safety is the server's (query-filter.ts): parsed alone as one statement returning rows, then
      // carried only through the extended protocol, inside this READ ONLY transaction with its statement timeout.
      // {{name}} placeholders become $1, $2…: the values travel apart from the text (sql-params.ts).
      const bound = query ? bindFilterParams(query, options.queryParams) : null;
      const source = bound ? filterSource(bound.text) : table.sql;
      let key = table.primaryKey;
      let names = table.columns.map((c) => c.name);
      if (bound) {
        names = (await describeFilter(client, bound.text)).names;
        if (!key.every((k) => names.includes(k))) key = [];
      }
      // A table read in key order (no filter) comes through `COPY (SELECT …) TO STDOUT`, a batch per statement after
      // the last key read: no driver message, field list or row array per row (issue 16). COPY takes no bind
      // parameters, so its bounds go in as quoted literals, which Postgres types from context as it types `$n`.
      const copyOut = !bound && key.length > 0 && !(cursor && 'offset' in cursor) && !(await isPglite(client));
      if (copyOut) await client.query('SET LOCAL standard_conforming_strings = on');
      const params: unknown[] = [...(bound?.values ?? [])];
      const mark = (value: unknown): string => {
        if (copyOut) return copyLiteral(value);
        params.push(value);
        return `$${params.length}`;
      };
      const conditions: string[] = [];
      if (options.incremental) {
        const field = options.incremental.field;
        if (!table.columns.some((c) => c.name === field)) throw new ConnectorError('not_found', `${object} has no column "${field}" to read incrementally by.`);
        conditions.push(`${ident(field)} ${options.incremental.inclusive ? '>=' : '>'} ${mark(toParam(options.incremental.after))}`);
      }
      // Issue 16: one part of the table by its integer key; the bounds go as untyped values, so the key's own type
      // (and its index) decides the comparison.
      if (options.partition) {
        const part = options.partition;
        if (part.kind !== 'keys' || !names.includes(part.field)) throw new ConnectorError('invalid_config', `${object} cannot be read in parts by "${part.kind === 'keys' ? part.field : 'bytes'}".`);
        for (const [bound, op] of [[part.from, '>='], [part.to, '<']] as const) {
          if (bound === null) continue;
          conditions.push(`${ident(part.field)} ${op} ${mark(bound)}`);
        }
      }
      const afterKey = (after: readonly unknown[]) => `(${key.map(ident).join(', ')}) > (${after.map((v) => mark(toParam(v))).join(', ')})`;
      if (copyOut) {
        const { fields } = await client.query<unknown[]>({ text: `SELECT * FROM ${source} LIMIT 0`, rowMode: 'array' });
        const columnNames = fields.map((f) => f.name);
        const parsers = fields.map((f) => parsePostgresValue(f.dataTypeID));
        const byteParsers = fields.map((f) => postgresBytesParser(f.dataTypeID));
        let after = cursor && 'after' in cursor ? cursor.after : null;
        for (;;) {
          options.signal?.throwIfAborted();
          const where = [...conditions, ...(after ? [afterKey(after)] : [])];
          const sql = `COPY (SELECT * FROM ${source}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${key.map(ident).join(', ')} LIMIT ${batchSize}) TO STDOUT`;
          const out = new CopyOutRows(columnNames, parsers, () => rowRecord(columnNames.length), byteParsers);
          for await (const chunk of client.query(copyTo(sql)) as AsyncIterable<Buffer>) out.push(chunk);
          out.end();
          const rows = out.rows;
          if (rows.length === 0) break;
          cursor = nextCursor(cursor, rows, key);
          after = 'after' in cursor ? cursor.after : null;
          yield { rows, cursor };
          if (rows.length < batchSize) break;
        }
        await client.query('ROLLBACK');
        open = false;
        return;
      }
      if (cursor && 'after' in cursor && key.length > 0) conditions.push(afterKey(cursor.after));
      const offset = cursor && 'offset' in cursor ? ` OFFSET ${Math.floor(cursor.offset)}` : '';
      // Without a key, an offset only resumes correctly over a total order: sort by every column's text
      // (rows that tie on all of them are identical, so which of them comes first does not matter).
      const order = ` ORDER BY ${key.length > 0 ? key.map(ident).join(', ') : names.map((n) => `${ident(n)}::text COLLATE "C"`).join(', ')}`;
      const whereSql = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
      await client.query(carrying(`DECLARE weft_read NO SCROLL CURSOR FOR SELECT * FROM ${source}${whereSql}${order}${offset}`, params));
      for (;;) {
        options.signal?.throwIfAborted();
        if (query) await limitTime(client, timeoutMs);
        // As arrays, then into null-prototype records: a column named `__proto__` is data like any other.
        const result = await client.query<unknown[]>({ text: `FETCH FORWARD ${batchSize} FROM weft_read`, rowMode: 'array' });
        if (result.rows.length === 0) break;
        const columnNames = result.fields.map((f) => f.name);
        const rows = result.rows.map((values) => recordOf(columnNames, values));
        cursor = nextCursor(cursor, rows, key);
        yield { rows, cursor };
        if (result.rows.length < batchSize) break;
      }
      // A read has nothing to commit, and READ ONLY does not stop everything: large objects (lo_from_bytea,
      // lo_create) and pg_notify get through it. Rolling back discards them.
      await client.query('ROLLBACK');
      open = false;
    } catch (e) {
      if (e instanceof Error && e === options.signal?.reason) throw e;
      throw postgresError(e, where, object);
    } finally {
      if (open) await client.query('ROLLBACK').catch(() => lent.done(true));
      // A filter may have changed session settings (set_config(..., false)): its connection is not reused.
      lent.done(query !== undefined);
    }
  }

  /** Whether the table's unique index on exactly these columns takes NULLs as equal (NULLS NOT DISTINCT). */
  const nullsEqualFor = (table: Table, key: readonly string[]) => {
    const sorted = [...key].sort().join('\u0000');
    return table.nullsEqualKeys.some((k) => k.join('\u0000') === sorted);
  };
  /**
   * SQL true when a key column of `alias`'s row is NULL (such a key is a record of its own: NULLS DISTINCT), or
   * `false` when the key's index takes NULLs as equal (NULLS NOT DISTINCT: such a key is like any other).
   */
  const nullInKey = (table: Table, key: readonly string[], alias: string) =>
    nullsEqualFor(table, key) ? 'false' : `(${key.map((k) => `${alias}.${ident(k)} IS NULL`).join(' OR ')})`;
  /** The key columns of `a` and `b` equal: `=`, or also both NULL under NULLS NOT DISTINCT. */
  const keyEquals = (table: Table, key: readonly string[], a: string, b: string) =>
    key.map((k) => (nullsEqualFor(table, key) ? `(${a}.${ident(k)} = ${b}.${ident(k)} OR (${a}.${ident(k)} IS NULL AND ${b}.${ident(k)} IS NULL))` : `${a}.${ident(k)} = ${b}.${ident(k)}`)).join(' AND ');

  /**
   * One chunk of rows written; returns one result per row, in order. The rows come either as parameters (a VALUES
   * list) or, on the fast path, from a staging table a COPY has just filled (`stage`). A key whose `=` can hold for
   * two spellings (citext, a nondeterministic collation) is first asked of the server (`keyCollisions`, keys15): a
   * record it would merge with another is rejected, left out of the statement (and out of the staging table).
   */
  async function writeChunk(client: pg.PoolClient, table: Table, rows: Row[], options: WriteOptions, stage?: string): Promise<RecordResult[]> {
    const keyColumns = options.key.map((k) => table.columns.find((c) => c.name === k)!);
    // A number with more decimal places than its column keeps (numeric(p,s), an integer) is rejected, not rounded (probe20).
    const refused = scaleRefusals(rows, options.fields.map((f) => table.columns.find((c) => c.name === f.name)!), 'Postgres');
    if (keyColumns.some((c) => c.loose)) {
      const params: unknown[] = [];
      const input = stage ? `weft_in AS (SELECT * FROM ${stage})` : `weft_in (weft_ord, ${options.key.map(ident).join(', ')}) AS (VALUES ${valuesList(rows, keyColumns, params)})`;
      // Weft's writers of this table take turns from here to their commit: two batches of a run written side by side
      // (`concurrentWrites`) with `ABC` and `abc` would each find no other spelling, and the second upsert would wait
      // for the first's row and then overwrite it. The lock is the transaction's ('weft', the table's oid).
      await client.query(`SELECT pg_advisory_xact_lock(${WEFT_LOCK_CLASS}, ($1::regclass::oid::bigint - 2147483648)::int)`, [table.sql]);
      for (const [i, reason] of await keyCollisions(client, table, rows, keyColumns, input, params)) if (!refused.has(i)) refused.set(i, reason);
    }
    if (refused.size === 0) return writeStatement(client, table, rows, options, stage);
    if (stage) {
      // The staging table keeps the rows written, numbered from 0 again as the statement's outcomes are read.
      await client.query(`DELETE FROM ${stage} WHERE weft_ord = ANY ($1::int[])`, [[...refused.keys()]]);
      await client.query(
        `UPDATE ${stage} AS weft_s SET weft_ord = weft_n.weft_new
           FROM (SELECT weft_ord, (row_number() OVER (ORDER BY weft_ord) - 1)::int AS weft_new FROM ${stage}) AS weft_n
          WHERE weft_s.weft_ord = weft_n.weft_ord`,
      );
    }
    const kept = rows.filter((_, i) => !refused.has(i));
    const written = kept.length > 0 ? await writeStatement(client, table, kept, options, stage) : [];
    let next = 0;
    return rows.map((_, i): RecordResult => {
      const reason = refused.get(i);
      return reason === undefined ? written[next++]! : { outcome: 'rejected', reason };
    });
  }

  /**
   * keys15: the rows whose key the table holds under another spelling, or that repeat a key met earlier in the rows
   * under another spelling, where `=` on a key column can hold for two spellings (citext `ABC` = `abc`, a
   * nondeterministic collation): each one's refusal, by index. The server decides, in one statement: its own `=` joins
   * the rows to the table and groups them (the column's collation named), and the stored and sent texts are compared
   * byte for byte (`COLLATE "C"`). Weft folds nothing itself. `input` is the CTE `weft_in (weft_ord, key columns…)`
   * over the rows, `params` its values. The first spelling of a key in the rows is written, unless the table holds
   * another; later ones are refused naming it (as MariaDB's `classify` does).
   */
  async function keyCollisions(client: pg.PoolClient, table: Table, rows: readonly Row[], keyColumns: readonly Column[], input: string, params: unknown[]): Promise<Map<number, string>> {
    const key = keyColumns.map((c) => c.name);
    const loose = keyColumns.filter((c) => c.loose);
    const group = keyColumns.map((c) => `weft_in.${ident(c.name)}${c.loose?.collate ?? ''}`).join(', ');
    const exact = loose.map((c) => `${spelled(`weft_t.${ident(c.name)}`)} = ${spelled(`weft_g.${ident(c.name)}`)}`).join(' AND ');
    const stored = `weft_t.${ident(key[0]!)} IS NOT NULL AND NOT (${exact})`;
    // A key with a NULL in a column is a record of its own (a unique index's NULLS DISTINCT, the default): never one
    // group with another (PARTITION BY groups NULLs), and never matched in the table (`=` on NULL is not true).
    const alone = nullInKey(table, key, 'weft_in');
    const result = await client.query<unknown[]>({
      text: `WITH ${input}, weft_g AS (
               SELECT weft_in.*, CASE WHEN ${alone} THEN weft_in.weft_ord ELSE min(weft_in.weft_ord) OVER weft_w END AS weft_group,
                      NOT (${alone}) AND (${loose.map((c) => `min(${spelled(`weft_in.${ident(c.name)}`)}) OVER weft_w IS DISTINCT FROM max(${spelled(`weft_in.${ident(c.name)}`)}) OVER weft_w`).join(' OR ')}) AS weft_mixed
                 FROM weft_in WINDOW weft_w AS (PARTITION BY ${group}))
             SELECT weft_g.weft_ord, weft_g.weft_group, ${stored} AS weft_stored,
                    ${loose.map((c) => spelled(`weft_g.${ident(c.name)}`)).join(', ')}, ${key.map((k) => `weft_t.${ident(k)}`).join(', ')}
               FROM weft_g LEFT JOIN ${table.sql} AS weft_t ON ${keyEquals(table, key, 'weft_t', 'weft_g')}
              WHERE weft_g.weft_mixed OR (${stored})
              ORDER BY weft_g.weft_ord`,
      values: params,
      rowMode: 'array',
    });
    const refused = new Map<number, string>();
    if (result.rows.length === 0) return refused;
    const why = `to the key's ${loose.map((c) => `${c.loose!.rule}${keyColumns.length > 1 ? ` of ${c.name}` : ''}`).join(' and ')} they are the same key`;
    // Per group of keys the server calls equal: the first spelling met that the table does not refuse.
    const first = new Map<number, { ord: number; spelling: string }>();
    for (const r of result.rows) {
      const ord = Number(r[0]);
      const row = rows[ord]!;
      if (r[2] === true) {
        const storedKey = recordOf(key, r.slice(3 + loose.length));
        refused.set(ord, `Not written: ${describeKey(key, row)} and the record with ${describeKey(key, storedKey)} already in ${table.label} are two keys, but ${why}: writing it would overwrite that record.`);
        continue;
      }
      const spelling = JSON.stringify(r.slice(3, 3 + loose.length));
      const met = first.get(Number(r[1]));
      if (met === undefined) first.set(Number(r[1]), { ord, spelling });
      else if (met.spelling !== spelling) {
        refused.set(ord, `Not written: ${describeKey(key, row)} and ${describeKey(key, rows[met.ord]!)} (in the same batch) are two keys, but ${why}: both would be written to one record.`);
      }
    }
    return refused;
  }

  /** One statement for a chunk of rows (`writeChunk` without the key check); returns one result per row, in order. */
  async function writeStatement(client: pg.PoolClient, table: Table, rows: Row[], options: WriteOptions, stage?: string): Promise<RecordResult[]> {
    const names = options.fields.map((f) => f.name);
    const columns = names.map((n) => table.columns.find((c) => c.name === n)!);
    const params: unknown[] = [];
    let input: string;
    if (stage) input = `weft_in AS (SELECT * FROM ${stage})`;
    else {
      input = `weft_in (weft_ord, ${names.map(ident).join(', ')}) AS (VALUES ${valuesList(rows, columns, params)})`;
    }
    const list = names.map(ident).join(', ');
    const key = options.key;
    const rest = names.filter((n) => !key.includes(n));
    const keyJoin = (a: string, b: string) => keyEquals(table, key, a, b);
    const distinct = (a: string, b: string) => `(${rest.map((n) => compared(`${a}.${ident(n)}`, columns[names.indexOf(n)]!)).join(', ')}) IS DISTINCT FROM (${rest.map((n) => compared(`${b}.${ident(n)}`, columns[names.indexOf(n)]!)).join(', ')})`;
    // The new rows are found again by their key with `=`, which is never true of NULL: a row with a NULL in a key column
    // was inserted (it conflicts with nothing under a unique index's NULLS DISTINCT) and is answered so (tidy16: insert
    // answered "already exists with other values", upsert "unchanged", for rows they had just written).

    if (options.mode === 'insert' && key.length === 0) {
      await client.query(`WITH ${input} INSERT INTO ${table.sql} (${list}) SELECT ${list} FROM weft_in ORDER BY weft_ord`, params);
      return rows.map(() => CREATED);
    }
    if (options.mode === 'insert') {
      // With a key, insert never changes a record: one that already exists with the same values is unchanged
      // (e.g. a batch written again after its commit failed), one with other values is a rejected duplicate.
      const same = rest.length === 0 ? 'true' : `NOT ${distinct('weft_e', 'weft_in')}`;
      const result = await client.query<{ inserted: boolean; same: boolean | null }>(
        `WITH ${input}, weft_w AS (
           INSERT INTO ${table.sql} AS weft_t (${list}) SELECT ${list} FROM weft_in ORDER BY weft_ord
           ON CONFLICT (${key.map(ident).join(', ')}) DO NOTHING
           RETURNING ${key.map((k) => `weft_t.${ident(k)}`).join(', ')})
         SELECT ${nullInKey(table, key, 'weft_in')} OR EXISTS (SELECT 1 FROM weft_w WHERE ${keyJoin('weft_w', 'weft_in')}) AS inserted,
                (SELECT ${same} FROM ${table.sql} AS weft_e WHERE ${keyJoin('weft_e', 'weft_in')}) AS same
           FROM weft_in ORDER BY weft_in.weft_ord`,
        params,
      );
      // The outer SELECT sees the table as it was before the statement: `same` compares with the existing record.
      return result.rows.map((r, i) =>
        r.inserted
          ? { outcome: 'created' }
          : r.same
            ? { outcome: 'unchanged' }
            : { outcome: 'rejected', reason: `A record with ${describeKey(key, rows[i]!)} already exists in ${table.label} with other values; insert mode does not change records.` },
      );
    }
    if (options.mode === 'upsert') {
      // "Sync and refresh" (options.rewrite) updates every matched record, equal values or not.
      const onConflict = rest.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${rest.map((n) => `${ident(n)} = EXCLUDED.${ident(n)}`).join(', ')}${options.rewrite ? '' : ` WHERE ${distinct('weft_t', 'EXCLUDED')}`}`;
      const insert = `INSERT INTO ${table.sql} AS weft_t (${list}) SELECT ${list} FROM weft_in ON CONFLICT (${key.map(ident).join(', ')}) ${onConflict}`;
      // No ORDER BY on the insert (it costs Postgres a sort of the batch, ~15% of the statement): keys are unique
      // within a batch (a repeated key fails the statement, and the row-by-row fallback writes in order).
      const returning = `RETURNING ${key.map((k) => `weft_t.${ident(k)}`).join(', ')}, (weft_t.xmax = 0) AS weft_inserted`;
      if (stage) {
        // Each record's outcome as one letter in staging order, all in one text value (c created, p updated, u
        // unchanged: not returned, ON CONFLICT's WHERE skipped it): the worker parses no row per record and matches
        // no keys (issue 16); the join by key is Postgres's, so a key it normalizes (`007` into a bigint) still matches.
        const result = await client.query<unknown[]>({
          text: `WITH ${input}, weft_w AS (${insert} ${returning})
                 SELECT string_agg(CASE WHEN ${nullInKey(table, key, 'weft_in')} THEN 'c' WHEN weft_w.weft_inserted IS NULL THEN 'u' WHEN weft_w.weft_inserted THEN 'c' ELSE 'p' END, '' ORDER BY weft_in.weft_ord)
                   FROM weft_in LEFT JOIN weft_w ON ${keyJoin('weft_in', 'weft_w')}`,
          rowMode: 'array',
        });
        const letters = String(result.rows[0]?.[0] ?? '');
        if (letters.length !== rows.length) throw new Error(`The upsert answered ${letters.length} outcomes for ${rows.length} records.`);
        const results = new Array<RecordResult>(rows.length);
        for (let i = 0; i < rows.length; i++) {
          const c = letters.charCodeAt(i);
          results[i] = c === 99 ? CREATED : c === 112 ? UPDATED : UNCHANGED;
        }
        return results;
      }
      const result = await client.query<{ weft_inserted: boolean | null }>(
        `WITH ${input}, weft_w AS (${insert} ${returning})
         SELECT CASE WHEN ${nullInKey(table, key, 'weft_in')} THEN true ELSE weft_w.weft_inserted END AS weft_inserted
           FROM weft_in LEFT JOIN weft_w ON ${keyJoin('weft_in', 'weft_w')} ORDER BY weft_in.weft_ord`,
        params,
      );
      // Not returned: the row existed and every value was already equal, so ON CONFLICT's WHERE skipped it.
      return result.rows.map((r) => (r.weft_inserted === null ? UNCHANGED : r.weft_inserted ? CREATED : UPDATED));
    }
    const update =
      rest.length === 0
        ? 'weft_w AS (SELECT NULL::int AS weft_ord WHERE false)'
        : `weft_w AS (UPDATE ${table.sql} AS weft_t SET ${rest.map((n) => `${ident(n)} = weft_in.${ident(n)}`).join(', ')}
             FROM weft_in WHERE ${keyJoin('weft_t', 'weft_in')}${options.rewrite ? '' : ` AND ${distinct('weft_t', 'weft_in')}`} RETURNING weft_in.weft_ord)`;
    // Only the rows the UPDATE did not change come back (an incremental write changes nearly all it sends), each
    // with whether its record exists: EXISTS sees the table as it was before this statement.
    const result = await client.query<{ weft_ord: number; found: boolean }>(
      `WITH ${input}, ${update}
       SELECT weft_in.weft_ord, EXISTS (SELECT 1 FROM ${table.sql} AS weft_e WHERE ${keyJoin('weft_e', 'weft_in')}) AS found
         FROM weft_in LEFT JOIN weft_w ON weft_w.weft_ord = weft_in.weft_ord WHERE weft_w.weft_ord IS NULL`,
      params,
    );
    const results = new Array<RecordResult>(rows.length).fill(UPDATED);
    for (const r of result.rows) {
      const i = Number(r.weft_ord);
      results[i] = r.found
        ? UNCHANGED
        : options.missing === 'skip'
          ? { outcome: 'skipped', reason: SKIPPED_NO_MATCH }
          : { outcome: 'rejected', reason: `No record with ${describeKey(key, rows[i]!)} exists in ${table.label}; update mode does not create records.` };
    }
    return results;
  }

  /**
   * The session's writer: one connection kept for every write of the session (a run writes hundreds of
   * batches), with the tables it has described and the staging tables it has made on that connection.
   */
  let writer: { lent: Awaited<ReturnType<typeof lease>>; tables: Map<string, Table>; stages: Map<string, string> } | null = null;
  /** COPY from the client; off for the rest of the session once a server will not take it (PGlite over the wire). */
  let copySupported = true;

  async function writerFor(): Promise<NonNullable<typeof writer>> {
    if (!writer) {
      const lent = await lease();
      // PGlite served over the wire protocol stalls on COPY FROM STDIN: it gets parameters from the start.
      if (copySupported) {
        const { rows } = await lent.client.query<{ v: string }>('SELECT version() AS v').catch((e: unknown) => {
          lent.done(true);
          throw e;
        });
        if (/PGlite/i.test(rows[0]?.v ?? '')) copySupported = false;
      }
      // No JIT for the writer: a batch's statement (5,000 rows joined to the table by key) is costed past
      // jit_above_cost, and compiling it took ~0.6 s against ~0.1 s of work (seen at 1,000,000 rows, two-way bench).
      // Ignored where the setting does not exist.
      await lent.client.query('SET jit = off').catch(() => undefined);
      writer = { lent, tables: new Map(), stages: new Map() };
    }
    return writer;
  }

  function dropWriter(destroy: boolean) {
    writer?.lent.done(destroy);
    writer = null;
  }

  /**
   * A temporary table shaped like the written columns (their base types, so COPY parses values exactly as the
   * casts of the VALUES path would), emptied at every commit. Made once per table and field list per session.
   */
  async function stageFor(w: NonNullable<typeof writer>, table: Table, names: string[]): Promise<string> {
    const signature = `${table.sql}\0${names.join('\0')}`;
    let stage = w.stages.get(signature);
    if (!stage) {
      stage = `weft_stage_${w.stages.size + 1}`;
      const columns = names.map((n) => `${ident(n)} ${table.columns.find((c) => c.name === n)!.baseType}`);
      await w.lent.client.query(`CREATE TEMPORARY TABLE ${stage} (weft_ord int, ${columns.join(', ')}) ON COMMIT DELETE ROWS`);
      w.stages.set(signature, stage);
    }
    return stage;
  }

  /** Fills the staging table with one COPY: Postgres parses text rows far faster than thousands of parameters. */
  async function copyInto(client: pg.PoolClient, stage: string, names: string[], rows: Row[], copied?: readonly Buffer[]): Promise<void> {
    const stream = client.query(copyFrom(`COPY ${stage} (weft_ord, ${names.map(ident).join(', ')}) FROM STDIN`));
    const done = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
    });
    if (copied) for (const chunk of copied) stream.write(chunk);
    else copyRows(rows, names, (chunk) => stream.write(chunk));
    stream.end();
    await done;
  }

  async function writeBatch(w: NonNullable<typeof writer>, object: string, rows: Row[], options: WriteOptions, fresh: boolean, copied?: readonly Buffer[]): Promise<RecordResult[]> {
    const { client } = w.lent;
    let table = fresh ? undefined : w.tables.get(object);
    if (!table) {
      table = await describe(client, object);
      w.tables.set(object, table);
    }
    checkWriteColumns(table.label, table.columns.map((c) => c.name), options.fields.map((f) => f.name), options.key, options.mode, table.columns.filter((c) => c.generated).map((c) => c.name));
    const names = options.fields.map((f) => f.name);
    // Made outside the batch's transaction, so a batch that rolls back does not take the staging table with it.
    const stage = copySupported ? await stageFor(w, table, names) : null;
    await client.query('BEGIN');
    try {
      let results: RecordResult[];
      if (stage) {
        await copyInto(client, stage, names, rows, copied);
        results = await writeChunk(client, table, rows, options, stage);
      } else {
        const perChunk = Math.max(1, Math.floor(MAX_PARAMS / (options.fields.length + 1)));
        results = [];
        for (const part of chunk(rows, perChunk)) results.push(...(await writeChunk(client, table, part, options)));
      }
      await client.query('COMMIT');
      return results;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  /**
   * "Test a record": each row's record by key and which fields differ, compared as `writeChunk` compares (the row's
   * values cast to the columns' types, IS DISTINCT FROM), in a READ ONLY transaction that is rolled back; every value a
   * bind parameter. A row `write` would refuse (U+0000, a value its column cannot take) answers `rejected` with the
   * same reason.
   */
  async function compareRecords(object: string, rows: Row[], options: { key: string[]; fields: WriteOptions['fields'] }): Promise<RecordComparison[]> {
    if (rows.length === 0) return [];
    const names = options.fields.map((f) => f.name);
    const lent = await lease();
    const { client } = lent;
    let open = false;
    try {
      const table = await describe(client, object).catch((e: unknown) => {
        throw postgresError(e, where, object);
      });
      checkWriteColumns(table.label, table.columns.map((c) => c.name), names, options.key, 'upsert', table.columns.filter((c) => c.generated).map((c) => c.name));
      const columns = names.map((n) => table.columns.find((c) => c.name === n)!);
      const key = options.key;
      const keyColumns = key.map((k) => table.columns.find((c) => c.name === k)!);
      const compareChunk = async (part: Row[]): Promise<RecordComparison[]> => {
        const params: unknown[] = [];
        const values = valuesList(part, columns, params);
        const differs = columns.map((c) => `(${compared(`weft_t.${ident(c.name)}`, c)} IS DISTINCT FROM ${compared(`weft_in.${ident(c.name)}`, c)})`);
        const current = columns.map((c) => `weft_t.${ident(c.name)}`);
        const input = `weft_in (weft_ord, ${names.map(ident).join(', ')}) AS (VALUES ${values})`;
        // A key the write would refuse as another spelling of a record (keys15) answers that refusal.
        const refused = keyColumns.some((c) => c.loose) ? await keyCollisions(client, table, part, keyColumns, input, params) : null;
        const result = await client.query<unknown[]>({
          text: `WITH ${input}
                 SELECT weft_t.${ident(key[0]!)} IS NOT NULL, ${[...differs, ...current].join(', ')}
                   FROM weft_in LEFT JOIN ${table.sql} AS weft_t ON ${key.map((k) => `weft_t.${ident(k)} = weft_in.${ident(k)}`).join(' AND ')}
                  ORDER BY weft_in.weft_ord`,
          values: params,
          rowMode: 'array',
        });
        return result.rows.map((r, i): RecordComparison => {
          const reason = refused?.get(i);
          if (reason !== undefined) return { state: 'rejected', reason };
          if (r[0] !== true) return { state: 'missing' };
          return {
            state: 'found',
            current: recordOf(names, r.slice(1 + columns.length)),
            differs: names.filter((n, i) => !key.includes(n) && r[1 + i] === true),
          };
        });
      };
      // One row at a time once a row fails its casts, so the others still answer (and the failing one says why).
      const compare = async (part: Row[]): Promise<RecordComparison[]> => {
        await client.query('SAVEPOINT weft_compare');
        try {
          const answered = await compareChunk(part);
          await client.query('RELEASE SAVEPOINT weft_compare');
          return answered;
        } catch (e) {
          await client.query('ROLLBACK TO SAVEPOINT weft_compare');
          if (!isRecordError(e)) throw e;
          if (part.length === 1) return [{ state: 'rejected', reason: recordReason(e as PgError) }];
          const out: RecordComparison[] = [];
          for (const row of part) out.push(...(await compare([row])));
          return out;
        }
      };
      await beginReadOnly(client, config.queryTimeoutSeconds * 1000);
      open = true;
      // The write's refusals before anything is sent: text no Postgres text holds, a number its column would round (probe20).
      const rounded = scaleRefusals(rows, columns, 'Postgres');
      const refused = rows.map((r, i) => unstorableTextReason(r, names, 'a Postgres column') ?? rounded.get(i) ?? null);
      const results: RecordComparison[] = [];
      const perChunk = Math.max(1, Math.floor(MAX_PARAMS / (names.length + 1)));
      for (const part of chunk(rows.map((row, i) => ({ row, i })), perChunk)) {
        const clean = part.filter(({ i }) => refused[i] === null);
        const answered = clean.length > 0 ? await compare(clean.map(({ row }) => row)) : [];
        let next = 0;
        for (const { i } of part) results.push(refused[i] === null ? answered[next++]! : { state: 'rejected', reason: refused[i]! });
      }
      await client.query('ROLLBACK');
      open = false;
      return results;
    } catch (e) {
      if (e instanceof ConnectorError) throw e;
      throw postgresError(e, where, object);
    } finally {
      if (open) await client.query('ROLLBACK').catch(() => lent.done(true));
      lent.done();
    }
  }

  /**
   * Records holding U+0000 or half a character are rejected before the batch is sent (Postgres text cannot hold
   * them); the rest are written. Where the server takes COPY, the batch's COPY text is written first, and leaves
   * those records out in the same pass (`copyRows`, no scan of its own per value); its bytes are then sent as they are.
   */
  async function write(object: string, rows: Row[], options: WriteOptions): Promise<RecordResult[]> {
    const names = options.fields.map((f) => f.name);
    let copied: Buffer[] | undefined;
    let refused: (string | null)[] | null;
    if (copySupported) {
      copied = [];
      refused = copyRows(rows, names, (chunk) => copied!.push(chunk), undefined, 'a Postgres column');
    } else {
      const reasons = rows.map((r) => unstorableTextReason(r, names, 'a Postgres column'));
      refused = reasons.every((n) => n === null) ? null : reasons;
    }
    if (refused === null) return writeRows(object, rows, options, copied);
    const reasons = refused;
    const written = await writeRows(object, rows.filter((_, i) => reasons[i] === null), options, copied);
    let next = 0;
    return rows.map((_, i) => (reasons[i] === null ? written[next++]! : { outcome: 'rejected', reason: reasons[i]! }));
  }

  /** `copied`: the rows' COPY text (`copyRows`'s chunks), sent when the batch goes by COPY. */
  async function writeRows(object: string, rows: Row[], options: WriteOptions, copied?: readonly Buffer[]): Promise<RecordResult[]> {
    if (rows.length === 0) return [];
    let w = await writerFor().catch((e: unknown) => {
      throw postgresError(e, where, object);
    });
    try {
      try {
        return await writeBatch(w, object, rows, options, false, copied);
      } catch (e) {
        if (isRecordError(e)) throw e;
        if (e instanceof ConnectorError && e.code !== 'not_found') throw e;
        // The table may have changed since this session described it: describe it again and try once more.
        // An error without a server code broke the connection: if it broke during a COPY, this server does
        // not take COPY from a client (PGlite over the wire protocol), so the retry sends parameters instead.
        if (!(e instanceof ConnectorError) && !(e as PgError)?.code?.match(/^[0-9A-Z]{5}$/)) {
          copySupported = false;
          dropWriter(true);
          w = await writerFor();
        }
        return await writeBatch(w, object, rows, options, true, copied);
      }
    } catch (e) {
      if (!isRecordError(e)) {
        dropWriter(true);
        throw postgresError(e, where, object);
      }
    }
    // The batch statement failed on some record: find which by halving, each part behind a savepoint. A part
    // that writes is done in one statement, so k bad records in n cost about 2k·log2(n) statements, not n.
    w = await writerFor();
    const { client } = w.lent;
    try {
      const table = await describe(client, object);
      w.tables.set(object, table);
      await client.query('BEGIN');
      const perChunk = Math.max(1, Math.floor(MAX_PARAMS / (options.fields.length + 1)));
      const results = await isolateRecords(rows.length, perChunk, {
        query: (sql) => client.query(sql),
        writeChunk: (from, to) => writeChunk(client, table, rows.slice(from, to), options),
        isRecordError,
        reason: (e) => recordReason(e as PgError),
      });
      await client.query('COMMIT');
      return results;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      dropWriter(true);
      throw postgresError(e, where, object);
    }
  }

  /**
   * Deletes by key in one transaction on the session's writer connection: `DELETE ... USING (VALUES ...) RETURNING ord`,
   * keys cast to their columns' types, in chunks under the parameter limit. A key not found is `missing`; so is a key
   * no Postgres text can hold (U+0000, half a character), never sent: the driver would send U+FFFD for the half
   * character (deleting another record) and Postgres refuses U+0000 (failing the call every attempt), as `write` and
   * `compareRecords` refuse them. A key column whose `=` folds (citext, a nondeterministic collation) matches only the
   * record stored with the key's exact text (keys15): a delete of `abc` removed `ABC`.
   */
  async function deleteRecords(object: string, rows: Row[], options: DeleteOptions): Promise<DeleteResult[]> {
    if (rows.length === 0) return [];
    if (options.key.length === 0) throw new ConnectorError('invalid_config', 'Deleting records needs key fields to match them on.');
    const w = await writerFor().catch((e: unknown) => {
      throw postgresError(e, where, object);
    });
    const { client } = w.lent;
    try {
      const table = await describe(client, object);
      checkWriteColumns(table.label, table.columns.map((c) => c.name), options.key, options.key, 'update');
      const keyColumns = options.key.map((k) => table.columns.find((c) => c.name === k)!);
      const types = keyColumns.map((c) => c.baseType);
      const results: DeleteResult[] = new Array<DeleteResult>(rows.length).fill('missing');
      const sent = rows.flatMap((row, i) => (unstorableTextReason(row, options.key, 'a Postgres column') === null ? [i] : []));
      if (sent.length === 0) return results;
      const perChunk = Math.max(1, Math.floor(MAX_PARAMS / (options.key.length + 1)));
      await client.query('BEGIN');
      for (let start = 0; start < sent.length; start += perChunk) {
        const part = sent.slice(start, start + perChunk);
        const params: unknown[] = [];
        const values = part.map((ord) => {
          const row = rows[ord]!;
          params.push(ord);
          const cells = options.key.map((k, j) => {
            params.push(toParam(row[k]));
            return `$${params.length}::${types[j]}`;
          });
          return `($${params.length - options.key.length}::int, ${cells.join(', ')})`;
        });
        const cols = options.key.map((_, j) => `weft_k${j}`);
        const { rows: gone } = await client.query<{ weft_ord: number }>(
          `DELETE FROM ${table.sql} AS weft_t USING (VALUES ${values.join(', ')}) AS weft_d (weft_ord, ${cols.join(', ')})
            WHERE ${keyColumns.map((c, j) => `weft_t.${ident(c.name)} = weft_d.${cols[j]}${c.loose ? ` AND ${spelled(`weft_t.${ident(c.name)}`)} = ${spelled(`weft_d.${cols[j]}`)}` : ''}`).join(' AND ')}
            RETURNING weft_d.weft_ord`,
          params,
        );
        for (const g of gone) results[g.weft_ord] = 'deleted';
      }
      await client.query('COMMIT');
      return results;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      dropWriter(true);
      throw postgresError(e, where, object);
    }
  }

  return {
    async test() {
      const lent = await lease();
      try {
        const { rows } = await lent.client.query<{ superuser: boolean | null }>('SELECT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) AS superuser');
        if (rows[0]?.superuser) return { warning: superuserWarning(config.user, 'a Postgres superuser') };
      } catch (e) {
        throw postgresError(e, where);
      } finally {
        lent.done();
      }
    },
    async discover(): Promise<DiscoveredObject[]> {
      const lent = await lease();
      try {
        const tables = await loadTables(lent.client, config.schema);
        return tables.map((t) => ({
          name: `${t.schema}.${t.table}`,
          label: t.label,
          fields: t.columns.map(({ name, type, nativeType, nullable }) => ({ name, type, nativeType, nullable })),
          primaryKey: t.primaryKey,
          cursorFields: cursorFields(t),
        }));
      } catch (e) {
        throw postgresError(e, where);
      } finally {
        lent.done();
      }
    },
    async estimateRows(object) {
      const { schema, table } = splitName(object);
      const lent = await lease();
      try {
        const stats = await lent.client.query<{ reltuples: number; relpages: number }>(
          `SELECT c.reltuples::float8 AS reltuples, c.relpages::int AS relpages
             FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2`,
          [schema, table],
        );
        const row = stats.rows[0];
        if (!row) return null;
        // Statistics are good enough for a big table; a small one (or one never analyzed: -1) is counted exactly.
        if (row.reltuples >= SMALL_TABLE_ROWS) return Math.round(row.reltuples);
        if (row.relpages > SMALL_TABLE_PAGES) return row.reltuples > 0 ? Math.round(row.reltuples) : null;
        const counted = await lent.client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${ident(schema)}.${ident(table)}`);
        return Number(counted.rows[0]?.n ?? 0);
      } catch {
        return null;
      } finally {
        lent.done();
      }
    },
    async keyRange(object) {
      const lent = await lease();
      try {
        const t = await describe(lent.client, object);
        const field = t.primaryKey.length === 1 ? t.primaryKey[0]! : null;
        if (!field || !/^(smallint|integer|bigint)$/.test(t.columns.find((c) => c.name === field)?.nativeType ?? '')) return null;
        const { rows } = await lent.client.query<{ min: string | null; max: string | null }>(`SELECT min(${ident(field)})::text AS min, max(${ident(field)})::text AS max FROM ${t.sql}`);
        return { field, min: rows[0]?.min ?? null, max: rows[0]?.max ?? null };
      } catch (e) {
        throw postgresError(e, where, object);
      } finally {
        lent.done();
      }
    },
    async createTable(object, fields, key, { dryRun }) {
      const { schema, table } = splitName(object);
      const ddl = postgresTableDdl(schema, table, fields, key);
      if (!dryRun) {
        const lent = await lease();
        try {
          await lent.client.query(ddl);
        } catch (e) {
          if ((e as PgError)?.code === '42P07') throw new ConnectorError('invalid_config', `Table "${table}" already exists in schema "${schema}"; choose it from the list instead.`, { cause: e });
          if ((e as PgError)?.code === '3F000') throw new ConnectorError('not_found', `Schema "${schema}" does not exist in database "${config.database}".`, { cause: e });
          throw postgresError(e, where, object);
        } finally {
          lent.done();
        }
      }
      return { object: `${schema}.${table}`, ddl };
    },
    read,
    compareRecords,
    write,
    deleteRecords,
    /** Known after the first write: a Postgres server takes batches side by side; PGlite over the wire serves one connection at a time. */
    get concurrentWrites() {
      return writer !== null && copySupported ? 2 : 1;
    },
    async close() {
      dropWriter(false);
      // Readers abandoned mid-way still hold a connection in a transaction: drop those connections.
      for (const entry of [...leased]) entry.done(true);
      await pool.end();
    },
  };
}

export const postgresConnector = defineConnector<PostgresConfig, PostgresSecrets>({
  manifest: postgresManifest,
  async open(config, secrets, _context, options) {
    const settings = parseSettings('Postgres', { config: PostgresConfig, secrets: PostgresSecrets }, config, secrets);
    return openSession(settings.config, settings.secrets, options);
  },
});
