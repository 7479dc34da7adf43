// The MySQL/MariaDB connector: keyset-paged reads in a READ ONLY consistent-snapshot transaction, and
// batch writes as multi-row INSERT ... ON DUPLICATE KEY UPDATE, with per-row savepoints as the fallback.
import { sqlParamNames } from '../../../shared/compiler/sql-params';
import { loneSurrogateReason } from '../../../shared/util/nul';
import { connect } from 'node:net';
import type * as MysqlModule from 'mysql2/promise';
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';

/** mysql2 (~4 MB in memory with its dependencies) is loaded by the first MySQL session, not when Weft starts. */
type Mysql = typeof MysqlModule;
import type { FieldType } from '../../../shared/graph/field-types';
import { expectProtocol } from '../net-probe';
import { checkSelectQuery } from '../sql-guard';
import { checkWriteColumns, chunk, mergeRefused, scaleRefusals, describeKey, nextCursor, parseCursor, parseSettings, isolateRecords, recordOf, superuserWarning } from '../sql-common';
import { ConnectorError, defineConnector, type ConnectorSession, type OpenOptions, type DiscoveredField, type DiscoveredObject, type ReadBatch, type ReadOptions, type RecordComparison, type RecordResult, type Row, type WriteOptions, type DeleteOptions, type DeleteResult, SKIPPED_NO_MATCH } from '../types';
import { MysqlConfig, MysqlSecrets, mysqlManifest } from './manifest';
import { describeFilter, filterSource, limitedSelect } from './query-filter';
import { mysqlTableDdl } from './ddl';
import { binaryTypeCast, mapMysqlType, mysqlTypeCast, toMysqlBytes, toMysqlValue } from './type-map';

export { MysqlConfig, MysqlSecrets, mysqlManifest } from './manifest';
export { mapMysqlType } from './type-map';

const ident = (name: string) => `\`${name.replace(/`/g, '``')}\``;
/** Below this many rows by the statistics (and 100 MB of data), a run's progress total is counted exactly. */
const SMALL_TABLE_ROWS = 100_000;
const SMALL_TABLE_BYTES = 100 * 1024 * 1024;
/** Keeps one statement's text well under max_allowed_packet for ordinary rows. */
const MAX_VALUES = 20_000;

interface Column extends DiscoveredField {
  textual: boolean;
  /** BLOB, BINARY, VARBINARY: a `\x…` hex text written there is its bytes (`toMysqlBytes`). */
  binary: boolean;
  /** BIT(n): a number past 2^53 (Weft holds it as its text) goes as that number, not as the binary string MySQL reads a string as. */
  bits: boolean;
  /**
   * A text column's character set and collation (information_schema), checked to be plain names: how the server
   * compares its values (`_ci`: letter case does not count; PAD SPACE, every MariaDB collation but `nopad` ones:
   * trailing spaces do not count). Null for other columns.
   */
  collation: { charset: string; name: string } | null;
  /** A generated column (`AS (…) VIRTUAL`, `STORED`, MariaDB's `PERSISTENT`): the server computes it, nothing writes it. */
  generated: boolean;
}

/**
 * A key column's value as the server compares it, for `classify` (twkeys14): its collation's weights, trailing spaces
 * taken off first under PAD SPACE (WEIGHT_STRING keeps them). Two keys with the same weights are one record to the
 * server, whatever their spellings.
 */
function keyWeight(c: Column, value: string): string | null {
  if (!c.collation) return null;
  const padSpace = !/nopad|_0900_|^binary$/i.test(c.collation.name);
  const text = `CONVERT(${value} USING ${c.collation.charset})`;
  return `HEX(WEIGHT_STRING(${padSpace ? `TRIM(TRAILING ' ' FROM ${text})` : text} COLLATE ${c.collation.name}))`;
}

/**
 * A sent value (Weft's utf8mb4 parameter) in the text column's own character set and collation (review14b): a latin1
 * column compared with an accented parameter was "Illegal mix of collations" (the batch failed), and its bytes were
 * compared with the parameter's utf8 bytes (the same value read as changed). Other columns: the value as it is.
 */
const asColumn = (c: Column, value: string) => (c.collation ? `CONVERT(${value} USING ${c.collation.charset}) COLLATE ${c.collation.name}` : value);

/** The join of sent rows (`weft_v`) to the table's (`weft_t`) on these key columns, each compared as its column compares. */
const keyJoin = (cols: readonly Column[]) => cols.map((c) => `weft_t.${ident(c.name)} = ${asColumn(c, `weft_v.${ident(c.name)}`)}`).join(' AND ');

/** Text byte for byte in the column's character set (`<=>` otherwise), as classify and "Test a record" compare. */
const sameValue = (c: Column) => (c.textual ? `CAST(weft_t.${ident(c.name)} AS BINARY) <=> CAST(${asColumn(c, `weft_v.${ident(c.name)}`)} AS BINARY)` : `weft_t.${ident(c.name)} <=> weft_v.${ident(c.name)}`);

/** A sent key value as the column would store it: a CHAR column drops trailing spaces (text otherwise kept as sent). */
const storedForm = (c: Column, value: string) => (/^char\b/i.test(c.nativeType) ? `TRIM(TRAILING ' ' FROM ${value})` : value);

/** The stored key (`weft_t`) is byte for byte the sent one (`weft_v`) as the column would store it, whatever its collation. */
const exactKey = (c: Column) => `CAST(weft_t.${ident(c.name)} AS BINARY) <=> CAST(${storedForm(c, asColumn(c, `weft_v.${ident(c.name)}`))} AS BINARY)`;

/** Why two spellings are one key to these key columns' collations, for a refusal (twkeys14). */
function collationWhy(collated: readonly Column[]): string {
  const rule = [...new Set(collated.map((c) => c.collation!.name))].join(', ');
  const loose = [/_ci(_|$)/i.test(rule) && 'letter case does not count', !/nopad|_0900_/i.test(rule) && 'trailing spaces do not count'].filter(Boolean).join(', ');
  return `to the key's collation (${rule}${loose ? `: ${loose}` : ''}) they are the same key`;
}

/** The refusal of a key the table holds under another spelling (`stored`). */
const storedElsewhere = (key: string[], row: Row, stored: Row, table: string, why: string) =>
  `Not written: ${describeKey(key, row)} and the record with ${describeKey(key, stored)} already in ${table} are two keys, but ${why}: writing it would overwrite that record.`;

/** A Weft number held as text because no double holds it: whole digits past 2^53 − 1. */
const bigWhole = (value: unknown): value is string => typeof value === 'string' && /^\d{16,}$/.test(value) && BigInt(value) > BigInt(Number.MAX_SAFE_INTEGER);

/** The result names (`weft_c<i>`, as reads and lookups alias `names`) of the table's binary columns among `names`. */
const binaryAliases = (table: Table, names: readonly string[]): Set<string> => new Set(names.flatMap((n, i) => (table.columns.find((c) => c.name === n)?.binary ? [`weft_c${i}`] : [])));

/** A value as the column takes it. */
const columnValue = (c: Column, value: unknown): unknown => (c.binary ? toMysqlBytes(value) : c.bits && bigWhole(value) ? BigInt(value) : toMysqlValue(value, c.type));
interface Table {
  table: string;
  sql: string;
  columns: Column[];
  primaryKey: string[];
}

type MysqlError = Error & { code?: string; errno?: number; sqlMessage?: string };
interface Where {
  host: string;
  port: number;
  database: string;
  user: string;
}

export function mysqlError(error: unknown, where: Where, object?: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const e = error as MysqlError;
  const at = `${where.host}:${where.port}`;
  const code = e?.code ?? '';
  const errno = e?.errno ?? 0;
  const message = e?.sqlMessage ?? e?.message ?? String(error);
  const make = (c: ConnectorError['code'], m: string) => new ConnectorError(c, m, { cause: error });
  if (errno === 1045 || code === 'ER_ACCESS_DENIED_ERROR') return make('auth', `MySQL at ${at} refused the password for user "${where.user}" (access denied). Check the user name and password.`);
  if (errno === 1049 || code === 'ER_BAD_DB_ERROR') return make('not_found', `Database "${where.database}" does not exist on the MySQL server at ${at}. Check the database name.`);
  if (errno === 1044) return make('permission', `User "${where.user}" may not use database "${where.database}" on ${at}: ${message}`);
  if (code === 'ECONNREFUSED') return make('unreachable', `Could not reach MySQL at ${at}: the connection was refused. Check the host and port, and that the server is running and accepts TCP connections.`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return make('unreachable', `Could not reach MySQL: the host name "${where.host}" could not be resolved.`);
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return make('unreachable', `Could not reach MySQL at ${at}: no answer before the connection timeout. Check the host, port and any firewall.`);
  if (/ssl|tls|certificate/i.test(message) && !errno) return make('tls', `The TLS connection to MySQL at ${at} failed: ${message}. Check the SSL mode.`);
  if (errno === 1146) return make('not_found', object ? `Table ${object} was not found in database "${where.database}": ${message}` : message);
  if (errno === 1142 || errno === 1143 || errno === 1227) return make('permission', `User "${where.user}" may not do this in database "${where.database}": ${message}`);
  if (errno === 1969 || errno === 3024 || errno === 1317) return make('timeout', `The query ran longer than the query timeout and was stopped: ${message}`);
  if (errno === 1792) return make('invalid_query', `Query filters only read; this one tries to change data: ${message}`);
  if (errno === 1054) return new ConnectorError('invalid_query', `The query is not valid: ${message}`, { cause: error, reason: message });
  if (errno === 1064 || errno === 1054 || errno === 1149 || errno === 1248 || errno === 1060) return make('invalid_query', `The query is not valid: ${message}`);
  return make('unknown', `MySQL at ${at} failed: ${message}`);
}

/** Per-record problems (null in NOT NULL, too long, bad value, duplicate, constraint) isolate one row. */
const RECORD_ERRNOS = new Set([1048, 1062, 1264, 1265, 1292, 1364, 1366, 1406, 1451, 1452, 1690, 3819, 4025]);
const isRecordError = (e: unknown) => RECORD_ERRNOS.has((e as MysqlError)?.errno ?? 0);

/** Runs `work` over the rows a utf8mb4 column can hold, and answers a rejection with its reason for the others, in order. */
async function withoutHalfCharacters<R>(rows: Row[], fields: WriteOptions['fields'], work: (clean: Row[]) => Promise<R[]>, rejected: (reason: string) => R): Promise<R[]> {
  const names = fields.map((f) => f.name);
  const refused = rows.map((r) => loneSurrogateReason(r, names, 'a MySQL column'));
  if (refused.every((r) => r === null)) return work(rows);
  const done = await work(rows.filter((_, i) => refused[i] === null));
  let next = 0;
  return rows.map((_, i) => (refused[i] === null ? done[next++]! : rejected(refused[i]!)));
}

function openSession(mysql: Mysql, config: MysqlConfig, secrets: MysqlSecrets, options: OpenOptions = {}): ConnectorSession {
  const where: Where = { host: config.host, port: config.port, database: config.database, user: config.user };
  const address = options.address;
  const pool = mysql.createPool({
    host: config.host,
    // The address the host allowlist checked: the socket goes there, while TLS keeps the host name.
    ...(address ? { stream: () => connect({ host: address, port: config.port }) } : {}),
    port: config.port,
    database: config.database,
    user: config.user,
    password: secrets.password,
    // verify-full checks the certificate and that it names the host (mysql2 checks the name only with verifyIdentity).
    ssl: config.sslMode === 'disable' ? undefined : { rejectUnauthorized: config.sslMode === 'verify-full', verifyIdentity: config.sslMode === 'verify-full' },
    connectionLimit: 4,
    connectTimeout: 10_000,
    charset: 'utf8mb4',
    typeCast: mysqlTypeCast,
    // Without FOUND_ROWS, affectedRows counts 1 per inserted row, 2 per updated row and 0 per unchanged one.
    flags: ['-FOUND_ROWS'],
    multipleStatements: false,
  });
  pool.on('connection', (c) => c.on('error', () => undefined));
  const leased = new Set<{ conn: PoolConnection; done: (destroy?: boolean) => void }>();
  let mariadb: boolean | undefined;

  /** Whether the port has been asked if it speaks MySQL: once per session, before the driver's first connection. */
  let probed: Promise<void> | null = null;

  async function lease() {
    let conn: PoolConnection;
    probed ??= expectProtocol('mysql', address ?? config.host, config.port, `${config.host}:${config.port}`);
    await probed;
    try {
      conn = await pool.getConnection();
      // Every session is UTC and strict, so date-times read back as written and nothing is silently truncated.
      await conn.query(
        "SET time_zone = '+00:00', sql_mode = IF(FIND_IN_SET('STRICT_ALL_TABLES', @@sql_mode), @@sql_mode, CONCAT_WS(',', NULLIF(@@sql_mode, ''), 'STRICT_ALL_TABLES'))",
      );
      if (mariadb === undefined) {
        const [rows] = await conn.query<RowDataPacket[]>('SELECT VERSION() AS v');
        mariadb = /mariadb/i.test(String(rows[0]?.v));
      }
    } catch (e) {
      throw mysqlError(e, where);
    }
    let released = false;
    const entry = {
      conn,
      done: (destroy = false) => {
        if (released) return;
        released = true;
        leased.delete(entry);
        if (destroy) conn.destroy();
        else conn.release();
      },
    };
    leased.add(entry);
    return entry;
  }

  async function loadTables(conn: PoolConnection, table?: string): Promise<Table[]> {
    const [columns] = await conn.query<RowDataPacket[]>(
      `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, COLUMN_TYPE AS native, DATA_TYPE AS base, IS_NULLABLE = 'YES' AS nullable,
              CHARACTER_SET_NAME AS cs, COLLATION_NAME AS coll, EXTRA AS extra
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND (? IS NULL OR TABLE_NAME = ?)
        ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      [table ?? null, table ?? null],
    );
    const [keys] = await conn.query<RowDataPacket[]>(
      `SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.KEY_COLUMN_USAGE
        WHERE TABLE_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'PRIMARY' AND (? IS NULL OR TABLE_NAME = ?)
        ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      [table ?? null, table ?? null],
    );
    const byTable = new Map<string, Table>();
    for (const c of columns) {
      const name = String(c.t);
      let t = byTable.get(name);
      if (!t) {
        t = { table: name, sql: ident(name), columns: [], primaryKey: [] };
        byTable.set(name, t);
      }
      const native = String(c.native);
      t.columns.push({ name: String(c.c), type: mapMysqlType(native), nativeType: native, nullable: Number(c.nullable) === 1, textual: /char|text|enum|set|json/i.test(String(c.base)), binary: /^(binary|varbinary|tinyblob|blob|mediumblob|longblob)$/i.test(String(c.base)), bits: /^bit$/i.test(String(c.base)), collation: collationOf(c), generated: /\b(VIRTUAL|STORED|PERSISTENT) GENERATED\b/i.test(String(c.extra ?? '')) });
    }
    for (const k of keys) byTable.get(String(k.t))?.primaryKey.push(String(k.c));
    return [...byTable.values()];
  }

  /** A text column's collation as information_schema says, when both names are plain (they are put in SQL text). */
  function collationOf(c: RowDataPacket): Column['collation'] {
    const charset = c.cs == null ? '' : String(c.cs);
    const name = c.coll == null ? '' : String(c.coll);
    return /^[A-Za-z0-9_]+$/.test(charset) && /^[A-Za-z0-9_]+$/.test(name) && /char|text/i.test(String(c.base)) ? { charset, name } : null;
  }

  const writtenColumns = (t: Table, fields: WriteOptions['fields']) => fields.map((f) => t.columns.find((c) => c.name === f.name)!);
  const generatedOf = (t: Table) => t.columns.filter((c) => c.generated).map((c) => c.name);

  async function describe(conn: PoolConnection, object: string): Promise<Table> {
    const [found] = await loadTables(conn, object);
    if (!found) throw new ConnectorError('not_found', `Table "${object}" was not found in database "${config.database}". Run discover to see the tables Weft can reach.`);
    return found;
  }

  const cursorFields = (t: Table) => {
    const integerKey = t.primaryKey.length === 1 && /^(tinyint|smallint|mediumint|int|bigint)\b/.test(t.columns.find((c) => c.name === t.primaryKey[0])?.nativeType ?? '');
    return t.columns.filter((c) => /^(datetime|timestamp)\b/.test(c.nativeType) || (integerKey && c.name === t.primaryKey[0])).map((c) => c.name);
  };

  async function* read(object: string, options: ReadOptions): AsyncGenerator<ReadBatch> {
    const batchSize = Math.max(1, Math.floor(options.batchSize));
    const query = options.query === undefined ? undefined : checkSelectQuery(options.query, 'mysql');
    // mysql2 formats values into the text on the client: not a bind parameter, so run parameters are refused here.
    if (query && sqlParamNames(query).length > 0) {
      throw new ConnectorError('invalid_query', 'Run parameters ({{name}}) in SQL filters are bound by PostgreSQL connections only; on MySQL or MariaDB write the value into the filter, or read through a Filter step with PARAM("name")');
    }
    let cursor = parseCursor(options.cursor);
    options.signal?.throwIfAborted();
    const lent = await lease();
    const { conn } = lent;
    let open = false;
    try {
      const table = await describe(conn, object);
      const ms = Math.round(config.queryTimeoutSeconds * 1000);
      await conn.query(mariadb ? `SET SESSION max_statement_time = ${ms / 1000}` : `SET SESSION max_execution_time = ${ms}`);
      await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      open = true;
      // The filter's safety is the server's (query-filter.ts): prepared alone as one statement returning columns,
      // then run only as a subquery of Weft's own SELECT, with its time limit, inside this READ ONLY transaction.
      const source = query ? filterSource(query) : table.sql;
      let key = table.primaryKey;
      let names = table.columns.map((c) => c.name);
      if (query) {
        names = await describeFilter(conn, query);
        if (!key.every((k) => names.includes(k))) key = [];
      }
      const types = new Map<string, FieldType>(table.columns.map((c) => [c.name, c.type]));
      const fixed: string[] = [];
      const fixedParams: unknown[] = [];
      if (options.incremental) {
        const field = options.incremental.field;
        if (!types.has(field)) throw new ConnectorError('not_found', `${object} has no column "${field}" to read incrementally by.`);
        fixed.push(`${ident(field)} ${options.incremental.inclusive ? '>=' : '>'} ?`);
        fixedParams.push(toMysqlValue(options.incremental.after, types.get(field)!));
      }
      // Issue 16: one part of the table by its integer key.
      if (options.partition) {
        const part = options.partition;
        if (part.kind !== 'keys' || !names.includes(part.field)) throw new ConnectorError('invalid_config', `${object} cannot be read in parts by "${part.kind === 'keys' ? part.field : 'bytes'}".`);
        for (const [bound, op] of [[part.from, '>='], [part.to, '<']] as const) {
          if (bound === null) continue;
          fixed.push(`${ident(part.field)} ${op} ?`);
          fixedParams.push(bound);
        }
      }
      // Without a key, an offset only resumes correctly over a total order: sort by every column's bytes
      // (rows that tie on all of them are identical, so which of them comes first does not matter).
      const order = ` ORDER BY ${key.length > 0 ? key.map(ident).join(', ') : names.map((n) => `CAST(${ident(n)} AS BINARY)`).join(', ')}`;
      const bytesCast = binaryTypeCast(binaryAliases(table, names));
      for (;;) {
        options.signal?.throwIfAborted();
        const conditions = [...fixed];
        const params = [...fixedParams];
        if (cursor && 'after' in cursor && key.length > 0) {
          conditions.push(`(${key.map(ident).join(', ')}) > (${key.map(() => '?').join(', ')})`);
          params.push(...cursor.after.map((v, i) => {
            const column = table.columns.find((c) => c.name === key[i]);
            return column ? columnValue(column, v) : toMysqlValue(v, 'text');
          }));
        }
        const offset = cursor && 'offset' in cursor ? ` OFFSET ${Math.floor(cursor.offset)}` : '';
        // Only Weft's own text goes through `?` formatting; the filter is joined in afterwards, as written.
        const whereSql = conditions.length > 0 ? mysql.format(` WHERE ${conditions.join(' AND ')}`, params as Parameters<typeof mysql.format>[1]) : '';
        // As arrays, then into null-prototype records: a column named `__proto__` is data like any other. Each column is
        // selected under a name of Weft's (weft_c0, weft_c1…): mysql2 refuses a result column named `__proto__` (and
        // closes the connection), even as arrays; the records take the columns' own names back.
        const list = names.map((n, i) => `${ident(n)} AS weft_c${i}`).join(', ');
        const [rows] = await conn.query<RowDataPacket[]>({ sql: limitedSelect(`${list} FROM ${source}${whereSql}${order} LIMIT ${batchSize}${offset}`, ms, mariadb === true), rowsAsArray: true, typeCast: bytesCast });
        if (rows.length === 0) break;
        const plain: Row[] = rows.map((r) => recordOf(names, r as unknown as unknown[]));
        cursor = nextCursor(cursor, plain, key);
        yield { rows: plain, cursor };
        if (rows.length < batchSize) break;
      }
      // A read has nothing to commit: rolling back discards anything that got past READ ONLY.
      await conn.query('ROLLBACK');
      open = false;
    } catch (e) {
      if (e instanceof Error && e === options.signal?.reason) throw e;
      throw mysqlError(e, where, object);
    } finally {
      if (open) await conn.query('ROLLBACK').catch(() => lent.done(true));
      await conn.query(mariadb ? 'SET SESSION max_statement_time = DEFAULT' : 'SET SESSION max_execution_time = DEFAULT').catch(() => lent.done(true));
      // A connection that ran a person's SQL is not reused.
      lent.done(query !== undefined);
    }
  }

  /** Which rows exist, and which differ from what is written (compared byte for byte for text). Locks them. */
  async function classify(conn: PoolConnection, table: Table, rows: Row[], options: WriteOptions) {
    const columns = options.fields.map((f) => table.columns.find((c) => c.name === f.name)!);
    const rest = columns.filter((c) => !options.key.includes(c.name));
    const params: unknown[] = [];
    const derived = rows
      .map((row, ord) => {
        params.push(ord, ...columns.map((c) => columnValue(c, row[c.name])));
        return `SELECT ? AS weft_ord, ${columns.map((c) => `? AS ${ident(c.name)}`).join(', ')}`;
      })
      .join(' UNION ALL ');
    const changed = rest.length === 0 ? '0' : `NOT (${rest.map(sameValue).join(' AND ')})`;
    // Keys compared by a collation (twkeys14): the key found may be another spelling ("ABC" for "abc", "x" for "x  "),
    // and two keys of the batch may be one record to the server. Their weights and the stored spelling say which.
    const keyCols = options.key.map((k) => table.columns.find((c) => c.name === k)!);
    const collated = keyCols.filter((c) => c.collation !== null);
    const extra = collated.length === 0
      ? ''
      : `, ${collated.map((c, i) => `${keyWeight(c, `weft_v.${ident(c.name)}`)} AS weft_w${i}`).join(', ')}, ` +
        `${collated.map(exactKey).join(' AND ')} AS weft_exact, ` +
        `${keyCols.map((c, i) => `weft_t.${ident(c.name)} AS weft_k${i}`).join(', ')}`;
    const [result] = await conn.query<RowDataPacket[]>(
      `SELECT weft_v.weft_ord, weft_t.${ident(options.key[0]!)} IS NOT NULL AS found, ${changed} AS changed${extra}
         FROM (${derived}) AS weft_v LEFT JOIN ${table.sql} AS weft_t ON ${keyJoin(keyCols)}
        ORDER BY weft_v.weft_ord FOR UPDATE`,
      params,
    );
    const states = result.map((r) => ({ found: Number(r.found) === 1, changed: Number(r.changed) === 1, collision: undefined as string | undefined }));
    if (collated.length === 0) return states;
    const why = collationWhy(collated);
    // Per the server's weights (and the other key columns' values): the first spelling met in the batch.
    const first = new Map<string, { ord: number; exact: string }>();
    result.forEach((r, ord) => {
      const row = rows[ord]!;
      const exact = JSON.stringify(keyCols.map((c) => (/^char\b/i.test(c.nativeType) && typeof row[c.name] === 'string' ? (row[c.name] as string).replace(/ +$/, '') : row[c.name])));
      const state = states[ord]!;
      if (state.found && Number(r.weft_exact) !== 1) {
        const stored = Object.fromEntries(keyCols.map((c, i) => [c.name, r[`weft_k${i}`] as unknown]));
        state.collision = storedElsewhere(options.key, row, stored, table.table, why);
        return;
      }
      // A key with a NULL in a column is a record of its own (a unique index takes any number of them): it shares no
      // group with another (tidy16: (NULL, 'a') was refused beside (NULL, 'A')).
      if (keyCols.some((c) => row[c.name] === null || row[c.name] === undefined)) return;
      const weight = JSON.stringify([...collated.map((_, i) => r[`weft_w${i}`] as unknown), ...keyCols.filter((c) => c.collation === null).map((c) => row[c.name])]);
      const met = first.get(weight);
      if (met === undefined) first.set(weight, { ord, exact });
      else if (met.exact !== exact) {
        state.collision = `Not written: ${describeKey(options.key, row)} and ${describeKey(options.key, rows[met.ord]!)} (in the same batch) are two keys, but ${why}: both would be written to one record.`;
      }
    });
    return states;
  }

  /**
   * "Test a record": each row's record by key and which fields differ, compared exactly as `classify` compares before a
   * write (text byte for byte, `<=>` otherwise), in a READ ONLY transaction that is rolled back, without locking.
   * Values go through the driver's escaping as in every write, never into the text by hand.
   */
  async function compareAll(object: string, rows: Row[], options: { key: string[]; fields: WriteOptions['fields'] }): Promise<RecordComparison[]> {
    if (rows.length === 0) return [];
    const lent = await lease();
    const { conn } = lent;
    let open = false;
    try {
      const table = await describe(conn, object);
      checkWriteColumns(table.table, table.columns.map((c) => c.name), options.fields.map((f) => f.name), options.key, 'upsert', generatedOf(table));
      const columns = options.fields.map((f) => table.columns.find((c) => c.name === f.name)!);
      // The write's refusal of a number its column would round (probe20), answered by "Test a record" too.
      const refused = scaleRefusals(rows, columns, mariadb ? 'MariaDB' : 'MySQL');
      if (refused.size > 0) {
        const all = rows;
        const kept = all.filter((_, i) => !refused.has(i));
        lent.done();
        const answered = kept.length > 0 ? await compareAll(object, kept, options) : [];
        return mergeRefused(all.length, refused, answered, (reason) => ({ state: 'rejected', reason }));
      }
      const keyCols = options.key.map((k) => table.columns.find((c) => c.name === k)!);
      // keys15: a record found under another spelling of the key (its collation's) answers the write's refusal.
      const collated = keyCols.filter((c) => c.collation !== null);
      const exact = collated.length === 0 ? '1' : collated.map(exactKey).join(' AND ');
      await conn.query('START TRANSACTION READ ONLY');
      open = true;
      const results: RecordComparison[] = [];
      for (const part of chunk(rows, Math.max(1, Math.floor(MAX_VALUES / Math.max(1, columns.length))))) {
        const params: unknown[] = [];
        const derived = part
          .map((row, ord) => {
            params.push(ord, ...columns.map((c) => columnValue(c, row[c.name])));
            return `SELECT ? AS weft_ord, ${columns.map((c) => `? AS ${ident(c.name)}`).join(', ')}`;
          })
          .join(' UNION ALL ');
        const [found] = await conn.query<RowDataPacket[]>({
          sql: mysql.format(
            // Every column aliased: mysql2 refuses a result column named `__proto__`, even as arrays.
            `SELECT weft_t.${ident(options.key[0]!)} IS NOT NULL AS weft_found, ${columns.map((c, i) => `NOT (${sameValue(c)}) AS weft_d${i}`).join(', ')}, ${columns.map((c, i) => `weft_t.${ident(c.name)} AS weft_c${i}`).join(', ')}, ${exact} AS weft_x
               FROM (${derived}) AS weft_v LEFT JOIN ${table.sql} AS weft_t ON ${keyJoin(keyCols)}
              ORDER BY weft_v.weft_ord`,
            params as Parameters<typeof mysql.format>[1],
          ),
          rowsAsArray: true,
          typeCast: binaryTypeCast(binaryAliases(table, columns.map((c) => c.name))),
        });
        for (const [ord, raw] of (found as unknown as unknown[][]).entries()) {
          if (Number(raw[0]) !== 1) {
            results.push({ state: 'missing' });
            continue;
          }
          const current = recordOf(columns.map((c) => c.name), raw.slice(1 + columns.length, 1 + 2 * columns.length));
          if (Number(raw[1 + 2 * columns.length]) !== 1) {
            results.push({ state: 'rejected', reason: storedElsewhere(options.key, part[ord]!, current, table.table, collationWhy(collated)) });
            continue;
          }
          results.push({
            state: 'found',
            current,
            differs: columns.filter((c, i) => !options.key.includes(c.name) && Number(raw[1 + i]) === 1).map((c) => c.name),
          });
        }
      }
      await conn.query('ROLLBACK');
      open = false;
      return results;
    } catch (e) {
      if (e instanceof ConnectorError) throw e;
      throw mysqlError(e, where, object);
    } finally {
      if (open) await conn.query('ROLLBACK').catch(() => lent.done(true));
      lent.done();
    }
  }

  async function insertRows(conn: PoolConnection, table: Table, rows: Row[], options: WriteOptions, upsert: boolean) {
    const columns = options.fields.map((f) => table.columns.find((c) => c.name === f.name)!);
    const rest = columns.filter((c) => !options.key.includes(c.name));
    const values = rows.map((row) => columns.map((c) => columnValue(c, row[c.name])));
    const update = upsert ? ` ON DUPLICATE KEY UPDATE ${(rest.length > 0 ? rest : columns.slice(0, 1)).map((c) => `${ident(c.name)} = VALUES(${ident(c.name)})`).join(', ')}` : '';
    await conn.query(`INSERT INTO ${table.sql} (${columns.map((c) => ident(c.name)).join(', ')}) VALUES ?${update}`, [values]);
  }

  /** One chunk in the open transaction; one result per row, in order. */
  async function writeChunk(conn: PoolConnection, table: Table, rows: Row[], options: WriteOptions): Promise<RecordResult[]> {
    if (options.mode === 'insert' && options.key.length === 0) {
      await insertRows(conn, table, rows, options, false);
      return rows.map(() => ({ outcome: 'created' }));
    }
    if (options.mode === 'insert') {
      // With a key, insert never changes a record: one that already exists with the same values is unchanged
      // (e.g. a batch written again after its commit failed), one with other values is a rejected duplicate.
      const state = await classify(conn, table, rows, options);
      const results: RecordResult[] = state.map((s, i) =>
        s.collision !== undefined
          ? { outcome: 'rejected', reason: s.collision }
          : !s.found
          ? { outcome: 'created' }
          : s.changed
            ? { outcome: 'rejected', reason: `A record with ${describeKey(options.key, rows[i]!)} already exists in ${table.table} with other values; insert mode does not change records.` }
            : { outcome: 'unchanged' },
      );
      const toWrite = rows.filter((_, i) => results[i]!.outcome === 'created');
      if (toWrite.length > 0) await insertRows(conn, table, toWrite, options, false);
      return results;
    }
    // affectedRows is one total for a multi-row statement (1 per created + 2 per updated + 0 per unchanged),
    // so per-row outcomes come from comparing with the current rows, locked FOR UPDATE, before writing.
    const state = await classify(conn, table, rows, options);
    const results: RecordResult[] = state.map((s, i) =>
      s.collision !== undefined
        ? { outcome: 'rejected', reason: s.collision }
        : !s.found
        ? options.mode === 'update'
          ? options.missing === 'skip'
            ? { outcome: 'skipped', reason: SKIPPED_NO_MATCH }
            : { outcome: 'rejected', reason: `No record with ${describeKey(options.key, rows[i]!)} exists in ${table.table}; update mode does not create records.` }
          : { outcome: 'created' }
        : { outcome: s.changed || (options.rewrite && options.fields.some((f) => !options.key.includes(f.name))) ? 'updated' : 'unchanged' },
    );
    const toWrite = rows.filter((_, i) => results[i]!.outcome === 'created' || results[i]!.outcome === 'updated');
    if (toWrite.length > 0) await insertRows(conn, table, toWrite, options, true);
    return results;
  }

  /**
   * Records holding half a character (a lone UTF-16 surrogate) are rejected before the batch is sent: no utf8mb4 text
   * holds it, and the driver would write U+FFFD in its place. MySQL holds U+0000, so that is written as it is.
   */
  async function write(object: string, rows: Row[], options: WriteOptions): Promise<RecordResult[]> {
    return withoutHalfCharacters(rows, options.fields, (clean) => writeAll(object, clean, options), (reason) => ({ outcome: 'rejected', reason }));
  }

  async function compareRecords(object: string, rows: Row[], options: { key: string[]; fields: WriteOptions['fields'] }): Promise<RecordComparison[]> {
    return withoutHalfCharacters(rows, options.fields, (clean) => compareAll(object, clean, options), (reason) => ({ state: 'rejected', reason }));
  }

  async function writeAll(object: string, rows: Row[], options: WriteOptions): Promise<RecordResult[]> {
    if (rows.length === 0) return [];
    const lent = await lease();
    const { conn } = lent;
    try {
      const table = await describe(conn, object);
      checkWriteColumns(table.table, table.columns.map((c) => c.name), options.fields.map((f) => f.name), options.key, options.mode, generatedOf(table));
      // A number with more decimal places than its column keeps is rejected, not rounded by the server (probe20).
      const refused = scaleRefusals(rows, writtenColumns(table, options.fields), mariadb ? 'MariaDB' : 'MySQL');
      const all = rows;
      const merged = (done: RecordResult[]): RecordResult[] => (refused.size === 0 ? done : mergeRefused(all.length, refused, done, (reason) => ({ outcome: 'rejected', reason })));
      if (refused.size > 0) rows = rows.filter((_, i) => !refused.has(i));
      if (rows.length === 0) return merged([]);
      const perChunk = Math.max(1, Math.floor(MAX_VALUES / Math.max(1, options.fields.length)));
      await conn.query('START TRANSACTION');
      try {
        const results: RecordResult[] = [];
        for (const part of chunk(rows, perChunk)) results.push(...(await writeChunk(conn, table, part, options)));
        await conn.query('COMMIT');
        return merged(results);
      } catch (e) {
        await conn.query('ROLLBACK');
        if (!isRecordError(e)) throw e;
      }
      // Some record made the batch fail: find which by halving, each part behind its own savepoint (MySQL
      // replaces a savepoint of the same name, so each depth has its own). A part that writes is one statement.
      await conn.query('START TRANSACTION');
      const results = await isolateRecords(rows.length, perChunk, {
        query: (sql) => conn.query(sql),
        writeChunk: (from, to) => writeChunk(conn, table, rows.slice(from, to), options),
        isRecordError,
        reason: (e) => (e as MysqlError).sqlMessage ?? (e as MysqlError).message,
      });
      await conn.query('COMMIT');
      return merged(results);
    } catch (e) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw mysqlError(e, where, object);
    } finally {
      lent.done();
    }
  }

  /**
   * Deletes by key in one transaction: which keys exist is read first with the rows locked (`FOR UPDATE`), then one
   * `DELETE ... WHERE (key) IN (...)` per chunk. A key not found is `missing`; so is a key holding half a character,
   * never sent (the driver would send U+FFFD in its place and delete another record), as `write` and
   * `compareRecords` refuse it.
   */
  async function deleteRecords(object: string, rows: Row[], options: DeleteOptions): Promise<DeleteResult[]> {
    if (rows.length === 0) return [];
    if (options.key.length === 0) throw new ConnectorError('invalid_config', 'Deleting records needs key fields to match them on.');
    const lent = await lease();
    const { conn } = lent;
    try {
      const table = await describe(conn, object);
      checkWriteColumns(table.table, table.columns.map((c) => c.name), options.key, options.key, 'update');
      const columns = options.key.map((k) => table.columns.find((c) => c.name === k)!);
      const results: DeleteResult[] = new Array<DeleteResult>(rows.length).fill('missing');
      const sent = rows.flatMap((row, i) => (loneSurrogateReason(row, options.key, 'a MySQL column') === null ? [i] : []));
      if (sent.length === 0) return results;
      await conn.query('START TRANSACTION');
      try {
        for (const part of chunk(sent, Math.max(1, Math.floor(MAX_VALUES / (columns.length + 1))))) {
          const keyValues = part.map((i) => columns.map((c) => columnValue(c, rows[i]![c.name])));
          const derived = part.map((_, ord) => `SELECT ${ord} AS weft_ord, ${columns.map((c) => `? AS ${ident(c.name)}`).join(', ')}`).join(' UNION ALL ');
          // keys15: the record stored with the key's own text, not one its collation calls equal (`ABC` for `abc`).
          const match = `${keyJoin(columns)}${columns.filter((c) => c.collation).map((c) => ` AND ${exactKey(c)}`).join('')}`;
          const [found] = await conn.query<RowDataPacket[]>(
            `SELECT weft_v.weft_ord, weft_t.${ident(columns[0]!.name)} IS NOT NULL AS found
               FROM (${derived}) AS weft_v LEFT JOIN ${table.sql} AS weft_t ON ${match}
              ORDER BY weft_v.weft_ord FOR UPDATE`,
            keyValues.flat(),
          );
          for (const r of found) if (Number(r.found) === 1) results[part[Number(r.weft_ord)]!] = 'deleted';
          await conn.query(`DELETE weft_t FROM ${table.sql} AS weft_t JOIN (${derived}) AS weft_v ON ${match}`, keyValues.flat());
        }
        await conn.query('COMMIT');
      } catch (e) {
        await conn.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
      return results;
    } catch (e) {
      throw mysqlError(e, where, object);
    } finally {
      lent.done();
    }
  }

  return {
    async test() {
      const lent = await lease();
      try {
        const [grants] = await lent.conn.query<RowDataPacket[]>('SHOW GRANTS FOR CURRENT_USER()');
        const global = grants.map((g) => String(Object.values(g)[0] ?? '')).filter((g) => /\bON \*\.\* TO\b/i.test(g));
        if (global.some((g) => /^GRANT\s+(.*\s)?(ALL PRIVILEGES|SUPER)\b/i.test(g))) return { warning: superuserWarning(config.user, 'a user with SUPER or ALL PRIVILEGES on every database') };
      } catch (e) {
        throw mysqlError(e, where);
      } finally {
        lent.done();
      }
    },
    async discover(): Promise<DiscoveredObject[]> {
      const lent = await lease();
      try {
        const tables = await loadTables(lent.conn);
        return tables.map((t) => ({
          name: t.table,
          label: t.table,
          fields: t.columns.map(({ name, type, nativeType, nullable }) => ({ name, type, nativeType, nullable })),
          primaryKey: t.primaryKey,
          cursorFields: cursorFields(t),
        }));
      } catch (e) {
        throw mysqlError(e, where);
      } finally {
        lent.done();
      }
    },
    async estimateRows(object) {
      const lent = await lease();
      try {
        const [stats] = await lent.conn.query<RowDataPacket[]>(
          'SELECT TABLE_ROWS AS estimate, DATA_LENGTH AS bytes FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
          [object],
        );
        const row = stats[0];
        if (!row) return null;
        const estimate = Number(row.estimate ?? -1);
        // TABLE_ROWS is InnoDB's guess (off by up to half); a small table is counted exactly.
        if (estimate >= SMALL_TABLE_ROWS) return estimate;
        if (Number(row.bytes ?? 0) > SMALL_TABLE_BYTES) return estimate > 0 ? estimate : null;
        const [counted] = await lent.conn.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${ident(object)}`);
        return Number(counted[0]?.n ?? 0);
      } catch {
        return null;
      } finally {
        lent.done();
      }
    },
    async keyRange(object) {
      const lent = await lease();
      try {
        const t = await describe(lent.conn, object);
        const field = t.primaryKey.length === 1 ? t.primaryKey[0]! : null;
        if (!field || !/^(tinyint|smallint|mediumint|int|bigint)\b/.test(t.columns.find((c) => c.name === field)?.nativeType ?? '')) return null;
        const [rows] = await lent.conn.query<RowDataPacket[]>(`SELECT CAST(MIN(${ident(field)}) AS CHAR) AS mn, CAST(MAX(${ident(field)}) AS CHAR) AS mx FROM ${t.sql}`);
        const row = rows[0];
        return { field, min: row?.mn == null ? null : String(row.mn), max: row?.mx == null ? null : String(row.mx) };
      } catch (e) {
        throw mysqlError(e, where, object);
      } finally {
        lent.done();
      }
    },
    async createTable(object, fields, key, { dryRun }) {
      const ddl = mysqlTableDdl(object, fields, key);
      if (!dryRun) {
        const lent = await lease();
        try {
          await lent.conn.query(ddl);
        } catch (e) {
          if ((e as MysqlError)?.errno === 1050) throw new ConnectorError('invalid_config', `Table "${object}" already exists in database "${config.database}"; choose it from the list instead.`, { cause: e });
          throw mysqlError(e, where, object);
        } finally {
          lent.done();
        }
      }
      return { object, ddl };
    },
    read,
    compareRecords,
    write,
    deleteRecords,
    async close() {
      for (const entry of [...leased]) entry.done(true);
      await pool.end();
    },
  };
}

export const mysqlConnector = defineConnector<MysqlConfig, MysqlSecrets>({
  manifest: mysqlManifest,
  async open(config, secrets, _context, options) {
    const settings = parseSettings('MySQL', { config: MysqlConfig, secrets: MysqlSecrets }, config, secrets);
    // A CommonJS module: its functions are on the default export under Node's ESM loader.
    const loaded = await import('mysql2/promise');
    const mysql = (loaded as Mysql & { default?: Mysql }).default ?? loaded;
    return openSession(mysql, settings.config, settings.secrets, options);
  },
});
