// The one test suite every connector passes (like hono's runTest({ newRouter })): a connector's own
// test file supplies a session config and a fixture adapter that makes objects in its system; the
// suite only speaks the connector interface, so it is the same for Postgres, MySQL, the workspace and files.
//
// Capability-driven: the manifest decides which cases run; a case that does not apply to a connector is not
// registered for it at all (it is not a skipped test), and the suite prints once which cases it left out and why.
// - `capabilities`: no 'query' -> no filter cases; no 'incremental' -> no incremental case and no cursor
//   fields expected from discover; no 'discover' -> no discover case; no 'write' -> no write cases.
//   'read' is required (every write case reads its result back).
// - `queryLanguage` ('sql' when absent and 'query' is there): SQL connectors also run the SQL-only cases
//   (WITH queries, refusing statements that are not one SELECT, the query timeout, a query without the key
//   columns read by offset); 'formula' connectors run "refuses a query that is not a valid Boolean formula".
// - `writeModes` (all three when absent): insert -> insert and read back; insert + keys -> writing a keyed
//   record again (identical: unchanged, different: rejected); upsert -> created/updated/unchanged;
//   update -> a missing key rejected. Unicode, nulls and wide rows write with upsert when the connector has
//   it and keys, else with insert (an insert-only connector appends).
//
// Fixture hooks (ContractFixture), all optional except createObject/dropObject:
// - `queries`: the query text of each filter case (required with 'query'): SQL fixtures give SELECTs
//   (`sqlQueries` below), formula fixtures Weft formulas such as `[amount] > 0 AND [active]`.
// - `keys: false`: the system keeps no primary key (files): discover expects none and keyed cases do not run.
// - `keyOrder: 'text'`: keyed rows come ordered by the key as text ("10" before "2": the workspace), not by
//   its value; the suite then expects that order.
// - `constraints: false`: the system keeps no NOT NULL or length limits; discover expects only key fields to
//   be non-nullable, and `rejectedRows` must say what the system does reject.
// - `rejectedRows`: rows the system rejects one by one, each with the reason expected (default: a null in the
//   NOT NULL `name` and a 21-character `name`), or `{ skip: reason }` when it rejects nothing per record.
// - `exactTypes`: the Weft types read back exactly as written (default: all); a value of another type reads
//   back as its text (`String(value)`, null stays null), e.g. a CSV file before its columns are typed.
//   `readBack(value, type)` replaces that rule entirely when a system reads values back another way.
// - `discoveredAs`: a Weft type the system has no exact column for comes back as another.
// - `slowQuery`: for the SQL query timeout.
// ContractEnv's `wrongPassword`, `unreachable` and `missingDatabase` may be omitted for a built-in connector
// (`manifest.builtIn`: no server, password or database to get wrong); those cases are not registered for it.
import { afterAll, beforeAll, describe, expect, it, type TestFunction } from 'vitest';
import type { FieldType } from '../../shared/graph/field-types';
import { ConnectorError, type Connector, type ConnectorContext, type ConnectorSession, type ReadBatch, type ReadOptions, type Row, type WriteMode, type WriteOptions, type Capability } from './types';

export interface FixtureColumn {
  name: string;
  type: FieldType;
  /** A whole number (an integer column) rather than a decimal one. */
  integer?: boolean;
  notNull?: boolean;
  /** For text: a bounded column (varchar(n)), so a longer value is refused. */
  maxLength?: number;
}

/** The query text of each filter case, in the connector's query language, for an object name. */
export interface FixtureQueries {
  /** Rows whose `amount` is greater than 0 and whose `active` is true. */
  positiveActive(object: string): string;
  /** Rows whose `note` equals `text` exactly. */
  noteEquals(object: string, text: string): string;
}

/** The filter cases in SQL, for database fixtures. */
export const sqlQueries: FixtureQueries = {
  positiveActive: (object) => `SELECT * FROM ${object} WHERE amount > 0 AND active = true`,
  noteEquals: (object, text) => `SELECT * FROM ${object} WHERE note = '${text.replace(/'/g, "''")}'`,
};

/** Makes and drops objects in the system under test; the suite never writes the system's own language itself. */
export interface ContractFixture {
  /** Creates the object (replacing one of the same name) with these rows; returns the object name read/write take. */
  createObject(name: string, columns: FixtureColumn[], key: string[], rows: Row[]): Promise<string>;
  dropObject(name: string): Promise<void>;
  /** A Weft type the system has no exact column for comes back as another (MySQL: currency -> number). */
  discoveredAs?: Partial<Record<FieldType, FieldType>>;
  /** A SELECT that runs longer than `timeoutConfig`'s query timeout, to prove the timeout; or why that cannot be proven here. */
  slowQuery?: string | { skip: string };
  /** Query text per filter case; required when the manifest has the 'query' capability. */
  queries?: FixtureQueries;
  /** false: the system keeps no primary key (files). Default true. */
  keys?: boolean;
  /** How keyed rows are ordered: by the key's value (default) or by the key as text (the workspace). */
  keyOrder?: 'value' | 'text';
  /** false: the system keeps no NOT NULL or length limits on columns. Default true. */
  constraints?: boolean;
  /** Rows the system rejects one by one, with the reason expected; or why it rejects nothing per record. */
  rejectedRows?: { row: Row; reason: RegExp }[] | { skip: string };
  /** The Weft types read back exactly as written (default: all); the others read back as text. */
  exactTypes?: readonly FieldType[];
  /** How a written value reads back, when neither "exactly" nor "as its text" says it. */
  readBack?(value: unknown, type: FieldType): unknown;
  /** Types the system never leaves empty (Salesforce checkboxes: false, never null): discover reports them non-nullable. */
  neverNull?: readonly FieldType[];
}

export type FailureCase<C, S> = { config: C; secrets: S } | { skip: string };

export interface ContractEnv<C, S> {
  config: C;
  secrets: S;
  fixture: ContractFixture;
  /** A real account with a wrong password (code 'auth'). Omitted only for built-in connectors. */
  wrongPassword?: FailureCase<C, S>;
  /** A host/port where nothing listens (code 'unreachable'). Omitted only for built-in connectors. */
  unreachable?: FailureCase<C, S>;
  /** A database that does not exist (code 'not_found'). Omitted only for built-in connectors. */
  missingDatabase?: FailureCase<C, S>;
  /** The same session config with a 1-second query timeout. */
  timeoutConfig?: C;
  /** Passed to every `open` (what a built-in connector needs: the store, the files folder). */
  context?: ConnectorContext;
}

export interface ContractSuiteOptions<C, S> {
  name: string;
  connector: Connector<C, S>;
  /** Runs once before the suite: create a database, return how to reach it. */
  setup(): Promise<ContractEnv<C, S>>;
  /** Runs once after: drop what setup created. */
  teardown(): Promise<void>;
  /** When set, the whole suite is skipped and this reason printed (e.g. no MariaDB on this machine). */
  skip?: string;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export const ITEM_COLUMNS: FixtureColumn[] = [
  { name: 'id', type: 'number', integer: true, notNull: true },
  { name: 'name', type: 'text', notNull: true, maxLength: 20 },
  { name: 'amount', type: 'number' },
  { name: 'price', type: 'currency' },
  { name: 'born', type: 'date' },
  { name: 'seen_at', type: 'datetime' },
  { name: 'active', type: 'boolean' },
  { name: 'note', type: 'text' },
];

export function itemRow(i: number): Row {
  return {
    id: i,
    name: `item ${i}`,
    amount: i * 1.5 - 3,
    price: Math.round(i * 1025.5) / 100,
    born: `2026-01-${pad(((i - 1) % 28) + 1)}`,
    seen_at: `2026-02-01T${pad(Math.floor(i / 60) % 24)}:${pad(i % 60)}:${pad(i % 60)}.${pad((i * 7) % 1000, 3)}Z`,
    active: i % 2 === 0,
    note: i % 5 === 0 ? null : `note ${i}`,
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
const byId = (a: Row, b: Row) => Number(a.id) - Number(b.id);

async function collect(session: ConnectorSession, object: string, options: ReadOptions): Promise<ReadBatch[]> {
  const batches: ReadBatch[] = [];
  for await (const batch of session.read(object, options)) batches.push(batch);
  return batches;
}

async function readAll(session: ConnectorSession, object: string, options: Partial<ReadOptions> = {}): Promise<Row[]> {
  const batches = await collect(session, object, { batchSize: 100, ...options });
  return batches.flatMap((b) => b.rows).sort(byId);
}

async function expectConnectorError(promise: Promise<unknown>, code: ConnectorError['code'], message?: RegExp): Promise<ConnectorError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected a ConnectorError '${code}'`).toBeInstanceOf(ConnectorError);
  const ce = error as ConnectorError;
  expect({ code: ce.code, message: ce.message }).toMatchObject({ code });
  expect(ce.message.length).toBeGreaterThan(15);
  if (message) expect(ce.message).toMatch(message);
  return ce;
}

export function runContractSuite<C, S>(options: ContractSuiteOptions<C, S>): void {
  const { connector } = options;
  const { manifest } = connector;
  if (options.skip) {
    console.warn(`[${options.name}] contract suite skipped: ${options.skip}`);
    describe.skip(`${options.name} connector contract (${options.skip})`, () => {
      it('skipped', () => {});
    });
    return;
  }

  const has = (c: Capability) => manifest.capabilities.includes(c);
  const language = has('query') ? (manifest.queryLanguage ?? 'sql') : null;
  const modes: readonly WriteMode[] = has('write') ? (manifest.writeModes ?? ['insert', 'update', 'upsert']) : [];
  /** Cases this connector does not claim, printed once when the suite is collected. */
  const leftOut: string[] = [];
  /** Registers a case only when `when` holds; otherwise notes it as left out, saying why. */
  const caseIf = (when: boolean, why: string, title: string, fn: TestFunction) => {
    if (when) it(title, fn);
    else leftOut.push(`${title} (${why})`);
  };
  const noCap = (c: Capability) => `${manifest.id} has no '${c}' capability`;
  /** A group of cases registered only when the connector has the capability they exercise. */
  const groupIf = (c: Capability, name: string, fn: () => void) => {
    if (has(c)) describe(name, fn);
    else leftOut.push(`every ${name} case (${noCap(c)})`);
  };
  const noMode = (m: WriteMode) => (has('write') ? `${manifest.id} does not write in ${m} mode` : noCap('write'));
  const sqlOnly = language === null ? noCap('query') : `SQL only; ${manifest.id} queries in ${language}`;

  describe(`${options.name} connector contract`, () => {
    let env: ContractEnv<C, S>;
    let session: ConnectorSession;
    let items: string;
    const extra: string[] = [];
    const itemRows = range(1, 25).map(itemRow);
    const expectedType = (t: FieldType) => env.fixture.discoveredAs?.[t] ?? t;
    const keyed = () => env.fixture.keys !== false;
    const open = () => connector.open(env.config, env.secrets, env.context);
    const make = async (name: string, columns: FixtureColumn[], key: string[], rows: Row[]) => {
      const object = await env.fixture.createObject(name, columns, key, rows);
      extra.push(object);
      return object;
    };
    /** Rows as the system reads them back (exactly, or as text for types it does not keep). */
    const asRead = (rows: Row[], columns: FixtureColumn[] = ITEM_COLUMNS): Row[] => {
      const { exactTypes, readBack } = env.fixture;
      if (!exactTypes && !readBack) return rows;
      const back = readBack ?? ((v: unknown, t: FieldType) => (exactTypes!.includes(t) || v === null || v === undefined ? v : String(v)));
      return rows.map((r) => Object.fromEntries(columns.map((c) => [c.name, back(r[c.name], c.type)])));
    };
    /** The order keyed rows come in: by key value, or by the key as text. */
    const inKeyOrder = (rows: Row[]): Row[] =>
      env.fixture.keyOrder === 'text' ? [...rows].sort((a, b) => (String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0)) : [...rows].sort(byId);
    const queries = (): FixtureQueries => {
      if (!env.fixture.queries) throw new Error(`${manifest.id} has the 'query' capability: its fixture must give \`queries\` (see the suite's header)`);
      return env.fixture.queries;
    };
    /** How unicode, nulls and wide rows are written: upsert where there are keys and upsert, else plain insert. */
    const writeMode = (): { mode: WriteMode; keyed: boolean } => (keyed() && modes.includes('upsert') ? { mode: 'upsert', keyed: true } : { mode: 'insert', keyed: false });

    beforeAll(async () => {
      env = await options.setup();
      items = await env.fixture.createObject('contract_items', ITEM_COLUMNS, keyed() ? ['id'] : [], itemRows);
      session = await open();
    });

    afterAll(async () => {
      await session?.close();
      if (env) {
        for (const object of [items, ...extra]) await env.fixture.dropObject(object).catch(() => undefined);
      }
      await options.teardown();
    });

    it('manifest parses the config and secrets it is tested with', () => {
      expect(manifest.config.safeParse(env.config).success).toBe(true);
      expect(manifest.secrets.safeParse(env.secrets).success).toBe(true);
      expect(manifest.capabilities, 'every connector reads (the suite reads back what it writes)').toContain('read');
      for (const c of manifest.capabilities) expect(['read', 'write', 'discover', 'query', 'incremental']).toContain(c);
      if (manifest.queryLanguage) expect(manifest.capabilities, 'queryLanguage without the query capability').toContain('query');
      if (manifest.writeModes) {
        expect(manifest.capabilities, 'writeModes without the write capability').toContain('write');
        expect(manifest.writeModes.length).toBeGreaterThan(0);
      }
      if (has('query')) expect(env.fixture.queries, "the fixture's `queries` (required with the query capability)").toBeDefined();
    });

    describe('test()', () => {
      it('succeeds with the right config and secrets', async () => {
        // Nothing, or what it proved in the user's words, or that (and a warning) as an object.
        const proved = await session.test();
        const said = (v: unknown) => v === undefined || (typeof v === 'string' && v.trim().length > 0);
        expect(proved === undefined || said(proved) || (typeof proved === 'object' && said(proved.message) && said(proved.warning))).toBe(true);
      });

      const failure = (title: string, pick: (e: ContractEnv<C, S>) => FailureCase<C, S> | undefined, code: ConnectorError['code'], message: RegExp) => {
        if (manifest.builtIn) {
          leftOut.push(`${title} (${manifest.id} is built in, Weft's own storage: there is no server, password or database to get wrong)`);
          return;
        }
        it(title, async (ctx) => {
          const c = pick(env);
          if (c === undefined) throw new Error(`${manifest.id} reaches an outside system, so its test env must give this case (or { skip: reason })`);
          if ('skip' in c) {
            console.warn(`[${options.name}] ${title}: skipped: ${c.skip}`);
            ctx.skip();
            return;
          }
          await expectConnectorError(
            (async () => {
              const s = await connector.open(c.config, c.secrets, env.context);
              try {
                await s.test();
              } finally {
                await s.close();
              }
            })(),
            code,
            message,
          );
        });
      };
      failure('fails with auth for a wrong password', (e) => e.wrongPassword, 'auth', /password|credential|denied/i);
      failure('fails with unreachable for a host/port where nothing listens', (e) => e.unreachable, 'unreachable', /reach|refused|listen/i);
      failure('fails with not_found for a missing database', (e) => e.missingDatabase, 'not_found', /database/i);
    });

    groupIf('discover', 'discover()', () => {
      caseIf(has('discover'), noCap('discover'), 'lists objects with Weft types, native types, keys and cursor fields', async () => {
        const objects = await session.discover();
        const object = objects.find((o) => o.name === items);
        expect(object, `discover() should list ${items}`).toBeDefined();
        expect(object!.fields.map((f) => f.name)).toEqual(ITEM_COLUMNS.map((c) => c.name));
        const key = keyed() ? ['id'] : [];
        for (const column of ITEM_COLUMNS) {
          const field = object!.fields.find((f) => f.name === column.name)!;
          expect({ name: field.name, type: field.type }).toEqual({ name: column.name, type: expectedType(column.type) });
          expect(field.nativeType).toMatch(/\w/);
          const notNull = env.fixture.constraints === false ? key.includes(column.name) : !!column.notNull || !!env.fixture.neverNull?.includes(column.type);
          expect({ name: field.name, nullable: field.nullable }).toEqual({ name: column.name, nullable: !notNull });
        }
        expect(object!.primaryKey).toEqual(key);
        if (has('incremental')) {
          expect(object!.cursorFields).toEqual(expect.arrayContaining(['id', 'seen_at']));
          expect(object!.cursorFields).not.toContain('name');
        }
      });
    });

    describe('read()', () => {
      it('reads every row in batches of the asked size, with exact values per type', async () => {
        const batches = await collect(session, items, { batchSize: 7 });
        expect(batches.map((b) => b.rows.length)).toEqual([7, 7, 7, 4]);
        expect(batches.flatMap((b) => b.rows)).toEqual(asRead(inKeyOrder(itemRows)));
        for (const b of batches) expect(JSON.parse(JSON.stringify(b.cursor))).toEqual(b.cursor);
      });

      it('resumes from a cursor with exactly the remaining rows', async () => {
        const batches = await collect(session, items, { batchSize: 5 });
        const resumed = await readAll(session, items, { batchSize: 5, cursor: batches[1]!.cursor });
        expect(resumed).toEqual(asRead(inKeyOrder(itemRows).slice(10).sort(byId)));
        const last = await collect(session, items, { batchSize: 5, cursor: batches.at(-1)!.cursor });
        expect(last.flatMap((b) => b.rows)).toEqual([]);
      });

      caseIf(has('incremental'), noCap('incremental'), 'reads only rows past an incremental cursor field', async () => {
        const after = itemRows[19]!.seen_at;
        expect(await readAll(session, items, { incremental: { field: 'seen_at', after } })).toEqual(asRead(itemRows.slice(20)));
        expect(await readAll(session, items, { incremental: { field: 'id', after: 22 } })).toEqual(asRead(itemRows.slice(22)));
      });

      caseIf(
        language !== null,
        noCap('query'),
        language === 'formula' ? 'filters with a formula query, resumable by cursor' : 'filters with a SELECT ... WHERE query, resumable by cursor',
        async () => {
          const query = queries().positiveActive(items);
          const expected = asRead(inKeyOrder(itemRows.filter((r) => Number(r.amount) > 0 && r.active === true)));
          expect(await readAll(session, items, { query })).toEqual([...expected].sort(byId));
          const batches = await collect(session, items, { query, batchSize: 4 });
          expect(batches.flatMap((b) => b.rows)).toEqual(expected);
          expect(await readAll(session, items, { query, batchSize: 4, cursor: batches[0]!.cursor })).toEqual(expected.slice(4).sort(byId));
        },
      );

      it('reads and resumes by row offset where there is no key (a table without one, a query without its columns)', async () => {
        const rows = range(1, 13).map(itemRow);
        const nokey = await make('contract_nokey', ITEM_COLUMNS, [], [...rows].reverse());
        const batches = await collect(session, nokey, { batchSize: 5 });
        expect(batches.map((b) => b.rows.length)).toEqual([5, 5, 3]);
        expect(batches.flatMap((b) => b.rows).sort(byId)).toEqual(asRead(rows));
        const resumed = await collect(session, nokey, { batchSize: 5, cursor: batches[0]!.cursor });
        expect(resumed.flatMap((b) => b.rows)).toEqual(batches.slice(1).flatMap((b) => b.rows));

        if (language !== 'sql') return; // A query that leaves out the key columns is SQL's projection.
        const query = `SELECT name, amount FROM ${items} WHERE id <= 12`;
        const all = (await collect(session, items, { query, batchSize: 5 })).flatMap((b) => b.rows);
        const first = await collect(session, items, { query, batchSize: 5 });
        const rest = (await collect(session, items, { query, batchSize: 5, cursor: first[0]!.cursor })).flatMap((b) => b.rows);
        expect([...first[0]!.rows, ...rest]).toEqual(all);
        expect(all.map((r) => r.name).sort()).toEqual(itemRows.slice(0, 12).map((r) => r.name).sort());
      });

      caseIf(language === 'sql', sqlOnly, 'filters with a WITH ... SELECT query', async () => {
        const query = `WITH recent AS (SELECT * FROM ${items} WHERE id > 20) SELECT * FROM recent`;
        expect(await readAll(session, items, { query })).toEqual(itemRows.slice(20));
      });

      caseIf(
        language !== null,
        noCap('query'),
        language === 'formula' ? 'refuses a query that is not a valid Boolean formula with invalid_query, and changes nothing' : 'refuses statements that are not one SELECT with invalid_query, and changes nothing',
        async () => {
          const refused =
            language === 'formula'
              ? ['[amount] >', '[amount] + 1', '[no_such_field] > 1', `DELETE FROM ${items}`, 'SELECT * FROM x']
              : [
                  `DELETE FROM ${items}`,
                  `UPDATE ${items} SET name = 'x'`,
                  `DROP TABLE ${items}`,
                  `SELECT 1; DELETE FROM ${items}`,
                  `SELECT * FROM ${items}; DROP TABLE ${items}`,
                  `WITH gone AS (DELETE FROM ${items} RETURNING *) SELECT * FROM gone`,
                  `INSERT INTO ${items} (id, name) VALUES (999, 'x')`,
                ];
          for (const query of refused) {
            await expectConnectorError(collect(session, items, { query, batchSize: 10 }), 'invalid_query');
          }
          expect(await readAll(session, items)).toEqual(asRead(itemRows));
        },
      );

      caseIf(language === 'sql', sqlOnly, 'stops a query filter that runs past the query timeout', async (ctx) => {
        const slow = env.fixture.slowQuery;
        if (typeof slow !== 'string' || !env.timeoutConfig) {
          console.warn(`[${options.name}] query timeout: skipped: ${typeof slow === 'object' ? slow.skip : 'the fixture gives no slow query and timeoutConfig'}`);
          ctx.skip();
          return;
        }
        const s = await connector.open(env.timeoutConfig, env.secrets, env.context);
        try {
          await expectConnectorError(collect(s, items, { query: slow, batchSize: 10 }), 'timeout', /timeout/);
        } finally {
          await s.close();
        }
      });

      it('reports a missing object as not_found', async () => {
        await expectConnectorError(collect(session, 'no_such_table_anywhere', { batchSize: 10 }), 'not_found', /no_such_table_anywhere/);
      });

      it('reads an empty object as no rows', async () => {
        const empty = await make('contract_empty', ITEM_COLUMNS, keyed() ? ['id'] : [], []);
        const batches = await collect(session, empty, { batchSize: 10 });
        expect(batches.flatMap((b) => b.rows)).toEqual([]);
        if (has('discover')) expect((await session.discover()).some((o) => o.name === empty)).toBe(true);
        if (modes.length > 0) expect(await session.write(empty, [], { mode: modes.includes('insert') ? 'insert' : modes[0]!, key: [], fields: ITEM_COLUMNS })).toEqual([]);
      });

      it('resumes after a crash mid-read with no row lost or duplicated', async () => {
        const rows = range(1, 200).map(itemRow);
        const big = await make('contract_crash', ITEM_COLUMNS, keyed() ? ['id'] : [], rows);
        const seen: number[] = [];
        let cursor: unknown = null;

        // Session A: three batches, then the activity is cancelled through its AbortSignal.
        const a = await open();
        const controller = new AbortController();
        let n = 0;
        await expect(
          (async () => {
            for await (const batch of a.read(big, { batchSize: 30, signal: controller.signal })) {
              seen.push(...batch.rows.map((r) => Number(r.id)));
              cursor = batch.cursor;
              if (++n === 3) controller.abort(new Error('worker crashed'));
            }
          })(),
        ).rejects.toThrow(/crashed|abort/i);
        await a.close();

        // Session B: a batch, then the iterator is dropped without return() and the process "dies".
        const b = await open();
        const iterator = b.read(big, { batchSize: 30, cursor })[Symbol.asyncIterator]();
        const next = await iterator.next();
        expect(next.done).toBe(false);
        seen.push(...(next.value as ReadBatch).rows.map((r) => Number(r.id)));
        cursor = (next.value as ReadBatch).cursor;
        await b.close();

        // Session C: picks up from the last checkpoint.
        const c = await open();
        try {
          for await (const batch of c.read(big, { batchSize: 30, cursor })) seen.push(...batch.rows.map((r) => Number(r.id)));
        } finally {
          await c.close();
        }
        expect(seen).toEqual(inKeyOrder(rows).map((r) => Number(r.id)));
      });
    });

    groupIf('write', 'write()', () => {
      const fields = ITEM_COLUMNS.map(({ name, type }) => ({ name, type }));
      const upsert: WriteOptions = { mode: 'upsert', key: ['id'], fields };
      const noKeys = (m: WriteMode) => (modes.includes(m) ? `the fixture's system keeps no keys` : noMode(m));
      /** Unicode, nulls and wide rows: upsert by id where the connector can, else insert. */
      const plainWrite = (f = fields): WriteOptions => (writeMode().keyed ? { mode: 'upsert', key: ['id'], fields: f } : { mode: 'insert', key: [], fields: f });

      caseIf(modes.includes('insert'), noMode('insert'), 'inserts a batch and reads it back exactly', async () => {
        const target = await make('contract_insert', ITEM_COLUMNS, keyed() ? ['id'] : [], []);
        const rows = range(1, 6).map(itemRow);
        expect(await session.write(target, rows, { mode: 'insert', key: [], fields })).toEqual(rows.map(() => ({ outcome: 'created' })));
        expect(await readAll(session, target)).toEqual(asRead(rows));
      });

      const keyedCase = (mode: WriteMode, title: string, fn: TestFunction) =>
        it(title, async (ctx) => {
          if (!modes.includes(mode) || !keyed()) {
            console.warn(`[${options.name}] ${title}: skipped: ${noKeys(mode)}`);
            ctx.skip();
            return;
          }
          await fn(ctx);
        });

      if (modes.includes('insert')) {
        keyedCase('insert', 'inserts with a key again safely: an identical record is unchanged, a different one a rejected duplicate', async () => {
          const target = await make('contract_insert_key', ITEM_COLUMNS, ['id'], [itemRow(1), itemRow(2)]);
          const changed = { ...itemRow(2), name: 'renamed' };
          const results = await session.write(target, [itemRow(1), changed, itemRow(3)], { mode: 'insert', key: ['id'], fields });
          expect(results[0]).toEqual({ outcome: 'unchanged' });
          expect(results[1]).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/already exists/) });
          expect(results[2]).toEqual({ outcome: 'created' });
          expect(await readAll(session, target)).toEqual(asRead([itemRow(1), itemRow(2), itemRow(3)]));
        });
      } else leftOut.push(`inserts with a key again safely: an identical record is unchanged, a different one a rejected duplicate (${noMode('insert')})`);

      if (modes.includes('upsert')) {
        keyedCase('upsert', 'upserts with created, updated and unchanged per record', async () => {
          const target = await make('contract_upsert', ITEM_COLUMNS, ['id'], [itemRow(1), itemRow(2)]);
          const changed = { ...itemRow(2), name: 'renamed', price: 99.99 };
          const results = await session.write(target, [itemRow(1), changed, itemRow(3)], upsert);
          expect(results).toEqual([{ outcome: 'unchanged' }, { outcome: 'updated' }, { outcome: 'created' }]);
          expect(await readAll(session, target)).toEqual(asRead([itemRow(1), changed, itemRow(3)]));
        });
      } else leftOut.push(`upserts with created, updated and unchanged per record (${noMode('upsert')})`);

      if (modes.includes('update')) {
        keyedCase('update', 'updates existing records and rejects a missing key instead of creating it', async () => {
          const target = await make('contract_update', ITEM_COLUMNS, ['id'], [itemRow(1), itemRow(2)]);
          const changed = { ...itemRow(1), note: 'changed' };
          const results = await session.write(target, [changed, itemRow(99), itemRow(2)], { mode: 'update', key: ['id'], fields });
          expect(results[0]).toEqual({ outcome: 'updated' });
          expect(results[1]).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/99/) });
          expect(results[2]).toEqual({ outcome: 'unchanged' });
          expect(await readAll(session, target)).toEqual(asRead([changed, itemRow(2)]));
        });
      } else leftOut.push(`updates existing records and rejects a missing key instead of creating it (${noMode('update')})`);

      caseIf(has('write'), noCap('write'), 'rejects single records with the system reason and writes the rest of the batch', async (ctx) => {
        const custom = env.fixture.rejectedRows;
        if (custom && 'skip' in custom) {
          console.warn(`[${options.name}] per-record rejection: skipped: ${custom.skip}`);
          ctx.skip();
          return;
        }
        if (!custom && env.fixture.constraints === false) throw new Error(`the fixture says the system keeps no column constraints, so it must give \`rejectedRows\` (or { skip: reason })`);
        const bad = custom ?? [
          { row: { ...itemRow(11), name: null }, reason: /null/i },
          { row: { ...itemRow(12), name: 'x'.repeat(21) }, reason: /long|length|too/i },
        ];
        const target = await make('contract_reject', ITEM_COLUMNS, keyed() ? ['id'] : [], []);
        const rows = [itemRow(10), ...bad.map((b) => b.row), itemRow(13)];
        const results = await session.write(target, rows, plainWrite());
        expect(results.map((r) => r.outcome)).toEqual(['created', ...bad.map(() => 'rejected'), 'created']);
        bad.forEach((b, k) => expect(results[k + 1]).toMatchObject({ reason: expect.stringMatching(b.reason) }));
        expect(await readAll(session, target)).toEqual(asRead([itemRow(10), itemRow(13)]));
      });

      caseIf(has('write'), noCap('write'), 'round-trips unicode text (emoji, CJK, RTL) and filters on it', async () => {
        const target = await make('contract_unicode', ITEM_COLUMNS, keyed() ? ['id'] : [], []);
        const texts = ['🎉 party 👩‍💻', '東京タワー', 'שלום עולם', 'مرحبا بالعالم', 'naïve café'];
        const rows = texts.map((note, k) => ({ ...itemRow(k + 1), name: `u${k}`, note }));
        expect((await session.write(target, rows, plainWrite())).every((r) => r.outcome === 'created')).toBe(true);
        expect(await readAll(session, target)).toEqual(asRead(rows));
        if (language !== null) expect(await readAll(session, target, { query: queries().noteEquals(target, '東京タワー') })).toEqual(asRead([rows[1]!]));
      });

      caseIf(has('write'), noCap('write'), 'round-trips nulls in every type', async () => {
        const target = await make('contract_nulls', ITEM_COLUMNS, keyed() ? ['id'] : [], []);
        const row: Row = { id: 1, name: 'only nulls', amount: null, price: null, born: null, seen_at: null, active: null, note: null };
        expect(await session.write(target, [row], plainWrite())).toEqual([{ outcome: 'created' }]);
        expect(await readAll(session, target)).toEqual(asRead([row]));
        if (writeMode().keyed) expect(await session.write(target, [row], upsert)).toEqual([{ outcome: 'unchanged' }]);
      });

      caseIf(has('write'), noCap('write'), 'reads and writes wide rows (120 columns)', async () => {
        const kinds: FieldType[] = ['number', 'text', 'date', 'boolean', 'currency', 'datetime'];
        const columns: FixtureColumn[] = [{ name: 'id', type: 'number', integer: true, notNull: true }, ...range(1, 119).map((k) => ({ name: `c${k}`, type: kinds[k % kinds.length]! }))];
        const value = (type: FieldType, i: number, k: number): unknown =>
          ({ number: i * 1000 + k, text: `r${i}c${k}`, date: `2025-${pad((k % 12) + 1)}-${pad(i)}`, boolean: (i + k) % 2 === 0, currency: Math.round(i * 100 + k) / 100, reference: `ref${i}`, datetime: `2025-06-${pad(i)}T10:${pad(k % 60)}:00.000Z` })[type];
        const rows = range(1, 8).map((i) => Object.fromEntries(columns.map((c) => [c.name, c.name === 'id' ? i : value(c.type, i, Number(c.name.slice(1)))])));
        const wideFields = columns.map(({ name, type }) => ({ name, type }));
        const wide = await make('contract_wide', columns, keyed() ? ['id'] : [], rows.slice(0, 4));
        expect(await readAll(session, wide)).toEqual(asRead(rows.slice(0, 4), columns));
        if (!writeMode().keyed) {
          // Insert-only: the new rows are appended.
          expect((await session.write(wide, rows.slice(4), plainWrite(wideFields))).map((r) => r.outcome)).toEqual(['created', 'created', 'created', 'created']);
          expect(await readAll(session, wide, { batchSize: 3 })).toEqual(asRead(rows, columns));
          return;
        }
        const changed = { ...rows[0]!, c1: 'changed' };
        const results = await session.write(wide, [changed, ...rows.slice(1)], { mode: 'upsert', key: ['id'], fields: wideFields });
        expect(results.map((r) => r.outcome)).toEqual(['updated', 'unchanged', 'unchanged', 'unchanged', 'created', 'created', 'created', 'created']);
        expect(await readAll(session, wide, { batchSize: 3 })).toEqual(asRead([changed, ...rows.slice(1)], columns));
      });
    });
  });
  if (leftOut.length > 0) console.info(`[${options.name}] contract cases this connector does not claim, not registered:\n  - ${leftOut.join('\n  - ')}`);
}
