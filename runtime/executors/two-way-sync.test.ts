// Two-way sync on real servers: Postgres ↔ MariaDB, Postgres ↔ workspace object and workspace ↔ workspace, with
// edits on both sides between runs (the same field too), every conflict rule, direction precedence, echo
// suppression over repeated runs (10,000 records run twice writes nothing the second time) and "Rebuild matching".
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanStep } from '../../shared/compiler/plan';
import type { TwoWayField, TwoWaySyncConfig } from '../../shared/graph/kinds';
import { scratchPostgres, type ScratchPostgres } from '../connections/scratch-postgres';
import { mysqlConnector } from '../connectors/mysql';
import { postgresConnector } from '../connectors/postgres';
import { openStore } from '../store';
import type { RejectedRecord } from '../../shared';
import { describeDeleteSync, RunSync } from '../../shared/sync/options';
import type { StepCounts, Store } from '../store/types';
import type { ConnectorSession } from '../connections/sessions';
import { executorDeps, sessionsOver } from '../../test/support/connections';
import { createExecutor } from '.';
import { commitAfter, deleteKeysIn, HELD_B_PAGES, highestByMatch, type TwoWayDeleteKeys, type TwoWayDeletePhase, type TwoWayOutcome } from './two-way-sync';

const MY_URL = process.env.WEFT_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const MY_DB = `weft_tw_${randomBytes(4).toString('hex')}`;

let store: Store;
let pgdb: ScratchPostgres | null = null;
let pgc: pg.Client;
let my: mysql.Connection | null = null;

beforeAll(async () => {
  store = await openStore({ memory: true });
  pgdb = await scratchPostgres(1);
  if (!pgdb) throw new Error('two-way tests need the Postgres at 127.0.0.1:5432');
  pgc = new pg.Client({ ...pgdb.config, password: pgdb.secrets.password || undefined });
  await pgc.connect();
  // Like an application's table: a change without its own time gets the clock's.
  await pgc.query(`CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN NEW.updated_at = clock_timestamp(); END IF; RETURN NEW; END $$`);
  const url = new URL(MY_URL);
  my = await mysql.createConnection({ uri: MY_URL });
  await my.query(`CREATE DATABASE ${MY_DB}`);
  await my.query(`USE ${MY_DB}`);
  await my.query(`SET time_zone = '+00:00'`);
  myConfig = { host: '127.0.0.1', port: Number(url.port || 3306), database: MY_DB, user: decodeURIComponent(url.username || 'root'), sslMode: 'disable', queryTimeoutSeconds: 30 };
}, 60_000);
afterAll(async () => {
  await pgc?.end();
  await pgdb?.drop();
  await my?.query(`DROP DATABASE IF EXISTS ${MY_DB}`);
  await my?.end();
  await store?.close();
});

let myConfig: Record<string, unknown> = {};
/** Wraps a session to watch it: rows its reads have yielded so far, and that count at each write (per object). */
interface Watch {
  yielded: Map<string, number>;
  writes: { object: string; rows: number; yieldedBefore: Map<string, number> }[];
}
let watch: Watch | null = null;
/** Tables whose every write the Postgres session refuses, record by record (a side that refuses everything). */
const refusing = new Set<string>();
/** When set, the Postgres session's deletes are noted here in order (object and the ids deleted). */
let deleteLog: { object: string; ids: number[] }[] | null = null;
/** When set, the Postgres sessions' delete call number `call` (counted across sessions) deletes, then fails. */
let lostAfterDelete: { call: number; calls: number } | null = null;
function watched(session: ConnectorSession): ConnectorSession {
  const lost = lostAfterDelete;
  if (lost && session.deleteRecords) {
    const remove = session.deleteRecords.bind(session);
    return {
      ...session,
      async deleteRecords(object, keys, options) {
        const results = await remove(object, keys, options);
        if (++lost.calls === lost.call) throw new Error('connection lost after the delete committed');
        return results;
      },
    };
  }
  const log = deleteLog;
  if (log && session.deleteRecords) {
    const remove = session.deleteRecords.bind(session);
    return {
      ...session,
      async deleteRecords(object, keys, options) {
        log.push({ object, ids: keys.map((k) => Number(k.id)) });
        return remove(object, keys, options);
      },
    };
  }
  if (refusing.size > 0) {
    return {
      ...session,
      async write(object, rows, options) {
        if (refusing.has(object)) return rows.map(() => ({ outcome: 'rejected' as const, reason: `constraint "no_writes" refused ${object}` }));
        return session.write(object, rows, options);
      },
    };
  }
  const w = watch;
  if (!w) return session;
  return {
    ...session,
    async *read(object, options) {
      for await (const batch of session.read(object, options)) {
        w.yielded.set(object, (w.yielded.get(object) ?? 0) + batch.rows.length);
        yield batch;
      }
    },
    async write(object, rows, options) {
      w.writes.push({ object, rows: rows.length, yieldedBefore: new Map(w.yielded) });
      return session.write(object, rows, options);
    },
  };
}
const sessions = () =>
  sessionsOver(store, async (id) => {
    if (id === 'con_pg') return watched(await postgresConnector.open({ ...pgdb!.config, sslMode: 'disable', schema: 'public', queryTimeoutSeconds: 30 }, pgdb!.secrets));
    if (id === 'con_my') return mysqlConnector.open(myConfig as never, { password: decodeURIComponent(new URL(MY_URL).password) });
    throw new Error(`no connection ${id}`);
  });

const COLS = [
  { name: 'id', type: 'number' as const },
  { name: 'email', type: 'text' as const },
  { name: 'name', type: 'text' as const },
  { name: 'city', type: 'text' as const },
  { name: 'updated_at', type: 'datetime' as const },
];
const WS_COLS = COLS.filter((c) => c.name !== 'updated_at');
const F = (a: string, b = a, extra: Partial<TwoWayField> = {}): TwoWayField => ({ a, b, direction: 'inherit', rule: 'inherit', ...extra });
const FIELDS = [F('id'), F('email'), F('name'), F('city')];

async function pgTable(name: string, rows: [number, string, string, string][]) {
  await pgc.query(`CREATE TABLE ${name} (id integer PRIMARY KEY, email text, name text, city text, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  await pgc.query(`CREATE TRIGGER ${name}_touch BEFORE UPDATE ON ${name} FOR EACH ROW EXECUTE FUNCTION touch()`);
  for (const r of rows) await pgc.query(`INSERT INTO ${name} (id, email, name, city) VALUES ($1, $2, $3, $4)`, r);
  return { connectionId: 'con_pg', object: `public.${name}`, updatedAt: 'updated_at', columns: COLS, key: ['id'], deletedField: '' };
}
async function myTable(name: string, rows: [number, string, string, string][]) {
  await my!.query(`CREATE TABLE ${name} (id int PRIMARY KEY, email varchar(200), name varchar(200), city varchar(200), updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))`);
  for (const r of rows) await my!.query(`INSERT INTO ${name} (id, email, name, city) VALUES (?, ?, ?, ?)`, r);
  return { connectionId: 'con_my', object: name, updatedAt: 'updated_at', columns: COLS, key: ['id'], deletedField: '' };
}
async function wsObject(name: string, rows: [number, string, string, string][]) {
  const fields = WS_COLS;
  const result = await store.writeWorkspace({ object: name, key: ['id'], fields, mode: 'upsert', rows: rows.map(([id, email, n, city]) => ({ id, email, name: n, city })) });
  expect(result.every((r) => r.outcome !== 'rejected')).toBe(true);
  return { connectionId: '', object: name, updatedAt: '_updated_at', columns: WS_COLS, key: ['id'], deletedField: '' };
}
const wsEdit = async (object: string, id: number, values: Record<string, unknown>) => {
  const fields = [{ name: 'id', type: 'number' as const }, ...Object.keys(values).map((n) => ({ name: n, type: 'text' as const }))];
  await store.writeWorkspace({ object, key: ['id'], fields, mode: 'update', rows: [{ id, ...values }] });
};
const wsRows = async (object: string) => {
  const out: Record<string, unknown>[] = [];
  for (const r of await store.readWorkspacePage(object, { after: null, limit: 100_000 })) out.push({ ...r.values });
  return out.sort((x, y) => Number(x.id) - Number(y.id));
};
const pgRows = async (table: string) => (await pgc.query(`SELECT id, email, name, city FROM ${table} ORDER BY id`)).rows;
const myRows = async (table: string) => ((await my!.query(`SELECT id, email, name, city FROM ${table} ORDER BY id`)) as [Record<string, unknown>[], unknown])[0].map((r) => ({ ...r }));
const pause = (ms = 15) => new Promise((r) => setTimeout(r, ms));

let nodeSeq = 0;
interface RunOptions {
  syncEnabled?: boolean;
  rebuild?: boolean;
  batchSize?: number;
  fullSync?: boolean;
  confirmDeletes?: boolean;
  twoWay?: Store['twoWay'];
  /** The run to run in (a retried attempt of it); default a new run. */
  runId?: string;
  /** The store the run's staging and commit go to (a wrapper that fails or counts); default the test's. */
  via?: Store;
  check?: () => void;
  /** Wraps the run's delete keys (to watch them). */
  deleteKeys?: (keys: TwoWayDeleteKeys) => TwoWayDeleteKeys;
}
interface Sync {
  /** One attempt of the step in a run on the real store: its staged records committed as the activity does. */
  run(opts?: RunOptions): Promise<TwoWayOutcome & { runId: string; counts: Partial<StepCounts>; records: RejectedRecord[]; phases: TwoWayDeletePhase[] }>;
  /** A new run of the step's integration, with the step. */
  newRun(): Promise<string>;
  nodeId: string;
}
const PIPELINE = 'p1';
/** Every rejected record of a run, read as the API reads them (pages of at most 1,000). */
async function rejectedOf(runId: string): Promise<RejectedRecord[]> {
  const out: RejectedRecord[] = [];
  for (;;) {
    const page = await store.listRejected(runId, { offset: out.length, limit: 1000 });
    out.push(...page.items);
    if (page.items.length === 0 || out.length >= page.total) return out;
  }
}
function sync(config: Partial<TwoWaySyncConfig> & Pick<TwoWaySyncConfig, 'a' | 'b'>): Sync {
  const nodeId = `tw_${++nodeSeq}`;
  const full: TwoWaySyncConfig = { match: { a: 'id', b: 'id' }, direction: 'both', rule: 'latest', fields: FIELDS, createMissing: true, deletesToB: 'ignore', deletesToA: 'ignore', deleteThresholdPercent: 10, ...config };
  const step: PlanStep = { nodeId, kind: 'two-way-sync', label: 'Contacts both ways', config: full as unknown as Record<string, unknown>, input: null, output: null };
  let made: { integrationId: string; versionId: string } | null = null;
  const newRun = async () => {
    if (!made) {
      const integration = await store.createIntegration({ name: `Two-way ${nodeId}`, description: '', graph: { version: 1, nodes: [], edges: [] } });
      const version = await store.createVersion(integration.id, integration.graph, { version: 1, steps: [], pipelines: [{ id: PIPELINE, nodeIds: [nodeId] }], valueMaps: {} }, `hash-${nodeId}`);
      made = { integrationId: integration.id, versionId: version.id };
    }
    return (await store.createRun({ ...made, trigger: 'manual', params: {}, steps: [{ nodeId, kind: 'two-way-sync', label: step.label }] })).id;
  };
  return {
    nodeId,
    newRun,
    async run(opts = {}) {
      const e = await createExecutor(step, executorDeps({ sessions: sessions() }));
      if (e.role !== 'sync') throw new Error('not a sync executor');
      const runId = opts.runId ?? (await newRun());
      const via = opts.via ?? store;
      const phases: TwoWayDeletePhase[] = [];
      const deleteKeys = (opts.deleteKeys ?? ((k) => k))(deleteKeysIn(via.sync, runId, nodeId));
      const outcome = await e.run({
        scope: { integrationId: 'int_twoway', nodeId },
        twoWay: opts.twoWay ?? store.twoWay,
        syncEnabled: opts.syncEnabled ?? true,
        rebuild: opts.rebuild ?? false,
        batchSize: opts.batchSize ?? 1000,
        fullSync: opts.fullSync ?? false,
        confirmDeletes: opts.confirmDeletes ?? false,
        runClock: Date.now(),
        ...(opts.check && { check: opts.check }),
        // As runtime/activities/index.ts wires the step.
        stage: (records) => via.stageRejected(runId, PIPELINE, records),
        dropStaged: (attempt) => via.dropStagedRejected(runId, PIPELINE, attempt),
        stagedStart: () => via.rejectedStageStart(runId, PIPELINE, nodeId),
        unstage: (keys) => via.unstageRejected(runId, PIPELINE, keys),
        deleteKeys,
        // The phases read their candidates back through the (watched) delete keys.
        deletePhases: {
          runId,
          store: {
            takeDeletePhase: (...a) => via.sync.takeDeletePhase(...a),
            recordDeletePhase: (...a) => via.sync.recordDeletePhase(...a),
            setStepDeleted: (...a) => via.sync.setStepDeleted(...a),
            listDeletedKeys: (_run, phase, { after, limit }) => deleteKeys.list(typeof phase !== 'string' && phase.side === 'a' ? 'a' : 'b', after, limit),
          },
        },
        commit: commitAfter((c) => via.commitBatch(c), { runId, pipelineId: PIPELINE, nodeId, done: (await via.getCheckpoint(runId, PIPELINE)).batch }),
        recordDeletes: async (p) => {
          phases.push(...p);
        },
      });
      const counts = (await store.getRun(runId))?.steps.find((x) => x.nodeId === nodeId)?.counts ?? {};
      return { ...outcome, runId, counts, records: await rejectedOf(runId), phases };
    },
  };
}

const seed = (n: number, from = 1): [number, string, string, string][] => Array.from({ length: n }, (_, i) => [from + i, `p${from + i}@example.com`, `Person ${from + i}`, 'Oslo']);

describe('Postgres ↔ MariaDB', () => {
  it('creates what is missing, settles first meetings, then carries edits both ways and writes nothing on echo', async () => {
    const a = await pgTable('pm_a', seed(20));
    const b = await myTable('pm_b', [
      [1, 'p1@example.com', 'Person 1', 'Oslo'],
      [21, 'p21@example.com', 'Only in B', 'Rome'],
    ]);
    const s = sync({ a, b });
    const first = await s.run();
    expect(first).toMatchObject({ readA: 20, readB: 2, createdB: 19, createdA: 1, held: 0 });
    expect(await myRows('pm_b')).toHaveLength(21);
    expect((await pgRows('pm_a')).find((r) => r.id === 21)).toEqual({ id: 21, email: 'p21@example.com', name: 'Only in B', city: 'Rome' });

    const second = await s.run();
    expect(second.writtenA + second.writtenB).toBe(0);
    const third = await s.run();
    expect(third.writtenA + third.writtenB).toBe(0);

    // Edits on both sides: 7 on A, 8 on B, 9's name on both (B later: most recent wins).
    await pgc.query(`UPDATE pm_a SET name = 'Seven A' WHERE id = 7`);
    await my!.query(`UPDATE pm_b SET city = 'Eight B' WHERE id = 8`);
    await pgc.query(`UPDATE pm_a SET name = 'Nine A' WHERE id = 9`);
    await pause();
    await my!.query(`UPDATE pm_b SET name = 'Nine B' WHERE id = 9`);
    const edits = await s.run();
    expect(edits).toMatchObject({ writtenA: 2, writtenB: 1, conflicts: 1, held: 0 });
    const pa = await pgRows('pm_a');
    const mb = await myRows('pm_b');
    for (const id of [7, 8, 9]) expect(mb.find((r) => r.id === id)).toEqual(pa.find((r) => r.id === id));
    expect(pa.find((r) => r.id === 9)?.name).toBe('Nine B');
    expect(pa.find((r) => r.id === 8)?.city).toBe('Eight B');
    expect(mb.find((r) => r.id === 7)?.name).toBe('Seven A');
    // Weft's own writes bumped both sides' updated_at; read back, they are echoes.
    const echo = await s.run();
    expect(echo.writtenA + echo.writtenB).toBe(0);
    expect(echo.echoes).toBeGreaterThan(0);
    expect((await s.run()).readA).toBeLessThan(5);
  });
});

describe('Postgres ↔ workspace object', () => {
  it('per-field rules on one record: hold for review and A wins; a held conflict is settled by the next edit of one side', async () => {
    const a = await pgTable('pw_a', seed(10));
    const b = await wsObject(`pw_b_${nodeSeq}`, seed(10));
    const s = sync({ a, b, rule: 'latest', fields: [F('id'), F('email'), F('name', 'name', { rule: 'review' }), F('city', 'city', { rule: 'a-wins' })] });
    expect(await s.run()).toMatchObject({ writtenA: 0, writtenB: 0, held: 0 });

    await wsEdit(b.object, 2, { name: 'Two B', city: 'City B' });
    await pause();
    await pgc.query(`UPDATE pw_a SET name = 'Two A', city = 'City A' WHERE id = 2`);
    const run = await s.run();
    expect(run.held).toBe(1);
    expect(run.records).toHaveLength(1);
    expect(run.records[0]!.reason).toContain('Conflict held for review: name is "Two A" in A (public.pw_a) and name is "Two B" in B');
    // city: A wins though B's edit came first; name: held, both keep their values.
    expect((await wsRows(b.object)).find((r) => Number(r.id) === 2)).toMatchObject({ name: 'Two B', city: 'City A' });
    expect((await pgRows('pw_a')).find((r) => r.id === 2)).toMatchObject({ name: 'Two A', city: 'City A' });
    // Held stays held (acknowledged) until a person edits one side; that side then wins.
    expect((await s.run()).held).toBe(0);
    await wsEdit(b.object, 2, { name: 'Two settled' });
    await s.run();
    expect((await pgRows('pw_a')).find((r) => r.id === 2)?.name).toBe('Two settled');
    expect((await s.run()).writtenA + (await s.run()).writtenB).toBe(0);
  });

  it('B wins; direction precedence: object pull only beats a pushed field, and the switch off stops everything', async () => {
    const a = await pgTable('pw_c', seed(5));
    const b = await wsObject(`pw_d_${nodeSeq}`, seed(5));
    const bWins = sync({ a, b, rule: 'b-wins' });
    await bWins.run();
    await pgc.query(`UPDATE pw_c SET city = 'A late' WHERE id = 1`);
    await wsEdit(b.object, 1, { city: 'B early' });
    await pause();
    await pgc.query(`UPDATE pw_c SET city = 'A later' WHERE id = 1`);
    await bWins.run();
    expect((await pgRows('pw_c')).find((r) => r.id === 1)?.city).toBe('B early');

    const pullOnly = sync({ a, b, direction: 'pull', fields: [F('id'), F('name', 'name', { direction: 'push' }), F('city')] });
    await pullOnly.run();
    await pgc.query(`UPDATE pw_c SET name = 'Pushed?' , city = 'A city' WHERE id = 3`);
    await wsEdit(b.object, 4, { name: 'B name', city: 'B city' });
    const r = await pullOnly.run();
    expect(r.writtenB).toBe(0);
    const ws = await wsRows(b.object);
    expect(ws.find((x) => Number(x.id) === 3)).toMatchObject({ name: 'Person 3', city: 'Oslo' });
    // The pushed field is not synced at all (object pulls only): B's name stays on B; B's city is pulled.
    expect((await pgRows('pw_c')).find((x) => x.id === 4)).toMatchObject({ name: 'Person 4', city: 'B city' });

    await wsEdit(b.object, 5, { city: 'Off' });
    const off = await bWins.run({ syncEnabled: false });
    expect(off).toMatchObject({ readA: 0, readB: 0, writtenA: 0, writtenB: 0 });
    expect(off.note).toContain('switched off');
    expect((await pgRows('pw_c')).find((x) => x.id === 5)?.city).toBe('Oslo');
  });

  it('10,000 records run twice: the second run writes nothing', async () => {
    await pgc.query(`CREATE TABLE big_a (id integer PRIMARY KEY, email text, name text, city text, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await pgc.query(`CREATE TRIGGER big_a_touch BEFORE UPDATE ON big_a FOR EACH ROW EXECUTE FUNCTION touch()`);
    await pgc.query(`INSERT INTO big_a (id, email, name, city) SELECT i, 'p' || i || '@example.com', 'Person ' || i, 'Oslo' FROM generate_series(1, 10000) i`);
    const object = `big_b_${nodeSeq}`;
    const s = sync({ a: { connectionId: 'con_pg', object: 'public.big_a', updatedAt: 'updated_at', columns: COLS, key: ['id'], deletedField: '' }, b: { connectionId: '', object, updatedAt: '_updated_at', columns: [], key: [], deletedField: '' } });
    // The object holds one of the records already; its key and attributes come from discovery (columns left empty).
    await store.writeWorkspace({ object, key: ['id'], fields: WS_COLS, mode: 'upsert', rows: [{ id: 1, email: 'p1@example.com', name: 'Person 1', city: 'Oslo' }] });
    const first = await s.run();
    expect(first.createdB).toBe(9999);
    const second = await s.run();
    expect(second).toMatchObject({ writtenA: 0, writtenB: 0, held: 0, rejected: 0, records: [] });
    expect(second.counts.written).toBe(0);
    expect((await store.twoWay.countPairs({ integrationId: 'int_twoway', nodeId: s.nodeId }))).toBe(10000);
  }, 120_000);
});

describe('workspace ↔ workspace', () => {
  it('A wins, text keys with leading zeros stay apart, Rebuild matching matches again by key and writes nothing', async () => {
    const cols = [{ name: 'code', type: 'text' as const }, { name: 'label', type: 'text' as const }];
    const oa = `ww_a_${nodeSeq}`;
    const ob = `ww_b_${nodeSeq}`;
    await store.writeWorkspace({ object: oa, key: ['code'], fields: cols, mode: 'upsert', rows: [{ code: '007', label: 'Bond' }, { code: '7', label: 'Seven' }, { code: '__proto__', label: 'proto' }] });
    await store.writeWorkspace({ object: ob, key: ['code'], fields: cols, mode: 'upsert', rows: [{ code: '007', label: 'James' }] });
    const side = (object: string) => ({ connectionId: '', object, updatedAt: '_updated_at', columns: cols, key: ['code'], deletedField: '' });
    const s = sync({ a: side(oa), b: side(ob), match: { a: 'code', b: 'code' }, rule: 'a-wins', fields: [F('code'), F('label')] });
    const first = await s.run();
    expect(first).toMatchObject({ createdB: 2, conflicts: 1 });
    const labels = async (o: string) => new Map((await store.readWorkspacePage(o, { after: null, limit: 100 })).map((r) => [r.values.code, r.values.label]));
    expect([...(await labels(ob))].sort()).toEqual([['007', 'Bond'], ['7', 'Seven'], ['__proto__', 'proto']]);

    await store.writeWorkspace({ object: oa, key: ['code'], fields: cols, mode: 'update', rows: [{ code: '7', label: 'A edit' }] });
    await pause();
    await store.writeWorkspace({ object: ob, key: ['code'], fields: cols, mode: 'update', rows: [{ code: '7', label: 'B edit' }] });
    await s.run();
    expect((await labels(ob)).get('7')).toBe('A edit');
    expect((await s.run()).writtenB).toBe(0);

    const rebuilt = await s.run({ rebuild: true });
    expect(rebuilt).toMatchObject({ readA: 3, readB: 3, writtenA: 0, writtenB: 0 });
    expect(await store.twoWay.countPairs({ integrationId: 'int_twoway', nodeId: s.nodeId })).toBe(3);
  });

  it('a record whose key is not mapped on the other side is skipped: no match, counted', async () => {
    const cols = [{ name: 'code', type: 'text' as const }, { name: 'label', type: 'text' as const }];
    const oa = `wn_a_${nodeSeq}`;
    const ob = `wn_b_${nodeSeq}`;
    await store.writeWorkspace({ object: oa, key: ['code'], fields: cols, mode: 'upsert', rows: [{ code: 'x', label: 'X' }] });
    await store.writeWorkspace({ object: ob, key: ['code'], fields: cols, mode: 'upsert', rows: [{ code: 'y', label: 'Y' }] });
    const side = (object: string) => ({ connectionId: '', object, updatedAt: '_updated_at', columns: cols, key: ['code'], deletedField: '' });
    const s = sync({ a: side(oa), b: side(ob), match: { a: 'code', b: 'code' }, fields: [F('label')] });
    expect(await s.run()).toMatchObject({ skippedNoMatch: 2, writtenA: 0, writtenB: 0 });
    const off = sync({ a: side(oa), b: side(ob), match: { a: 'code', b: 'code' }, fields: [F('code'), F('label')], createMissing: false });
    expect(await off.run()).toMatchObject({ skippedNoMatch: 2, writtenA: 0, writtenB: 0 });
  });
});

describe('bounded memory', () => {
  it('holds at most a few pages of records on the first run, an incremental run and Rebuild matching (batch of 50, 1,000 records a side)', async () => {
    const n = 1000;
    const batch = 50;
    for (const t of ['mem_a', 'mem_b']) {
      await pgc.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, email text, name text, city text, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
      await pgc.query(`CREATE TRIGGER ${t}_touch BEFORE UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION touch()`);
    }
    // A holds every record; B holds the even ones with another city (first meetings, settled by the rule: A wins).
    await pgc.query(`INSERT INTO mem_a (id, email, name, city) SELECT i, 'p' || i || '@example.com', 'Person ' || i, 'Oslo' FROM generate_series(1, ${n}) i`);
    await pgc.query(`INSERT INTO mem_b (id, email, name, city) SELECT i, 'p' || i || '@example.com', 'Person ' || i, 'Rome' FROM generate_series(2, ${n}, 2) i`);
    const side = (object: string) => ({ connectionId: 'con_pg', object, updatedAt: 'updated_at', columns: COLS, key: ['id'], deletedField: '' });
    const s = sync({ a: side('public.mem_a'), b: side('public.mem_b'), rule: 'a-wins' });
    watch = { yielded: new Map(), writes: [] };
    try {
      const first = await s.run({ batchSize: batch });
      expect(first).toMatchObject({ readA: n, readB: n / 2, createdB: n / 2, writtenB: n, conflicts: n / 2 });
      // B's changes while they fit HELD_B_PAGES pages (past that they go to the stage), plus a page of A: never more.
      const bound = (HELD_B_PAGES + 1) * batch;
      expect(first.peakHeld).toBeLessThanOrEqual(bound);
      // The first write to B came while A was still being read: A is streamed, not loaded whole first.
      const firstToB = watch.writes.find((w) => w.object === 'public.mem_b')!;
      expect(firstToB.yieldedBefore.get('public.mem_a') ?? 0).toBeLessThanOrEqual(2 * batch);
      expect(watch.writes.filter((w) => w.object === 'public.mem_b').every((w) => w.rows <= batch)).toBe(true);
      expect((await pgc.query(`SELECT count(*)::int AS n FROM mem_b WHERE city = 'Oslo'`)).rows[0].n).toBe(n);

      // 10% of A and 10% of B changed, 2% on both sides (the same field: A wins).
      await pause();
      await pgc.query(`UPDATE mem_a SET name = name || ' (A)' WHERE id % 10 = 0`);
      await pgc.query(`UPDATE mem_b SET city = 'Lima' WHERE id % 10 = 5`);
      await pgc.query(`UPDATE mem_b SET name = name || ' (B)' WHERE id % 50 = 0`);
      watch = { yielded: new Map(), writes: [] };
      const inc = await s.run({ batchSize: batch });
      // Read: A's 100 changes (plus records sharing the kept mark's millisecond, read again by the inclusive read), and
      // all of B, which the first run wrote after reading B (echoes: nothing goes back).
      expect(inc).toMatchObject({ readB: n, writtenB: n / 10, writtenA: n / 10, conflicts: n / 50 });
      expect(inc.readA).toBeGreaterThanOrEqual(n / 10);
      expect(inc.echoes).toBeGreaterThanOrEqual(n - n / 5);
      expect(inc.peakHeld).toBeLessThanOrEqual(bound);
      expect((await pgRows('mem_b')).filter((r) => String(r.name).endsWith('(B)'))).toEqual([]);
      expect((await pgc.query(`SELECT count(*)::int AS n FROM mem_a WHERE city = 'Lima'`)).rows[0].n).toBe(n / 10);

      watch = { yielded: new Map(), writes: [] };
      const rebuilt = await s.run({ batchSize: batch, rebuild: true });
      expect(rebuilt).toMatchObject({ readA: n, readB: n, writtenA: 0, writtenB: 0 });
      expect(rebuilt.peakHeld).toBeLessThanOrEqual(bound);
      expect(await store.twoWay.countPairs({ integrationId: 'int_twoway', nodeId: s.nodeId })).toBe(n);
      expect(await pgRows('mem_a')).toEqual(await pgRows('mem_b'));
    } finally {
      watch = null;
    }
  }, 180_000);
});

describe('B held in memory or staged', () => {
  it('an incremental run keeps B\'s few changes in memory (nothing staged) and settles them as the staged run does', async () => {
    const n = 400;
    const make = async (t: string) => {
      await pgc.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, email text, name text, city text, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
      await pgc.query(`CREATE TRIGGER ${t}_touch BEFORE UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION touch()`);
      await pgc.query(`INSERT INTO ${t} (id, email, name, city) SELECT i, 'p' || i || '@example.com', 'Person ' || i, 'Oslo' FROM generate_series(1, ${n}) i`);
      return { connectionId: 'con_pg', object: `public.${t}`, updatedAt: 'updated_at', columns: COLS, key: ['id'], deletedField: '' };
    };
    // Two copies of the same pair of tables, the same edits on each: one run with B's changes in memory, one staged.
    const runs: { sync: Sync; t: string }[] = [];
    for (const t of ['held_1', 'held_2']) runs.push({ sync: sync({ a: await make(`${t}_a`), b: await make(`${t}_b`) }), t });
    for (const { sync: s } of runs) await s.run({ batchSize: 100 });
    await pause();
    const outcomes: TwoWayOutcome[] = [];
    const staged: number[] = [];
    for (const [i, { sync: s, t }] of runs.entries()) {
      // 10% of A, 10% of B (2% on both: the same field, most recent wins, so B), and a record new on B.
      await pgc.query(`UPDATE ${t}_a SET name = name || ' (A)' WHERE id % 10 = 0`);
      await pause();
      await pgc.query(`UPDATE ${t}_b SET city = 'Lima', name = name || ' (B)' WHERE id % 10 = 5 OR id % 50 = 0`);
      await pgc.query(`INSERT INTO ${t}_b (id, email, name, city) VALUES (${n + 1}, 'new@example.com', 'New on B', 'Rome')`);
      let stageCalls = 0;
      const twoWay = new Proxy(store.twoWay, {
        get: (target, key) => {
          const f = Reflect.get(target, key) as (...a: unknown[]) => unknown;
          return (...args: unknown[]) => {
            if (key === 'stage') stageCalls += 1;
            return f.apply(target, args);
          };
        },
      });
      // B's changes (57, and the records sharing the first run's last millisecond, read again by the inclusive read):
      // in memory with pages of 200, staged with pages of 5 (past HELD_B_PAGES pages).
      outcomes.push(await s.run({ batchSize: i === 0 ? 200 : 5, twoWay }));
      staged.push(stageCalls);
    }
    expect(staged[0]).toBe(0);
    expect(staged[1]).toBeGreaterThan(0);
    const [held, stagedRun] = outcomes;
    for (const k of ['writtenA', 'writtenB', 'createdA', 'createdB', 'conflicts', 'held', 'skippedNoMatch'] as const) expect(held![k], k).toBe(stagedRun![k]);
    // A's 40 edits and B's 49 (8 on both: most recent wins, B), and the record new on B created on A.
    expect(held).toMatchObject({ writtenA: 49, writtenB: 32, createdA: 1, conflicts: 8 });
    for (const { t } of runs) expect(await pgRows(`${t}_a`)).toEqual(await pgRows(`${t}_b`));
    expect(await pgRows('held_1_a')).toEqual(await pgRows('held_2_a'));
    // Run again: nothing to write on either path (echoes).
    for (const [i, { sync: s }] of runs.entries()) expect(await s.run({ batchSize: i === 0 ? 200 : 5 })).toMatchObject({ writtenA: 0, writtenB: 0 });
  }, 60_000);
});

describe('B changes no A change takes, settled with A\'s pages (twoway14h)', () => {
  it('an incremental run held in memory writes both sides page by page; one with an unpaired A change streams as before; both end where the streamed run ends', async () => {
    const n = 400;
    const make = async (t: string) => {
      await pgc.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, email text, name text, city text, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
      await pgc.query(`CREATE TRIGGER ${t}_touch BEFORE UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION touch()`);
      // A second apart each (no two records share the kept mark's millisecond, which the inclusive read reads again).
      await pgc.query(`INSERT INTO ${t} (id, email, name, city, updated_at) SELECT i, 'p' || i || '@example.com', 'Person ' || i, 'Oslo', timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second' FROM generate_series(1, ${n}) i`);
      return { connectionId: 'con_pg', object: `public.${t}`, updatedAt: 'updated_at', columns: COLS, key: ['id'], deletedField: '' };
    };
    // Three copies: read ahead and settled together (batch 20: A's 40 changes and B's 40 fit in memory), the same
    // edits staged (batch 5: nothing read ahead), and a copy with one A record new (no pair: nothing settled together).
    const runs: { sync: Sync; t: string; batch: number; newOnA: boolean }[] = [];
    for (const [t, batch, newOnA] of [['apart_1', 20, false], ['apart_2', 5, false], ['apart_3', 20, true]] as const) runs.push({ sync: sync({ a: await make(`${t}_a`), b: await make(`${t}_b`) }), t, batch, newOnA });
    for (const { sync: s } of runs) await s.run({ batchSize: 100 });
    await pause();
    const outcomes: TwoWayOutcome[] = [];
    const order: string[][] = [];
    try {
      for (const { sync: s, t, batch, newOnA } of runs) {
        // 40 edits on A, 40 others on B (text a field named so, an emoji).
        await pgc.query(`UPDATE ${t}_a SET name = name || ' __proto__ ' || chr(128512) WHERE id % 10 = 0`);
        if (newOnA) await pgc.query(`INSERT INTO ${t}_a (id, email, name, city) VALUES (${n + 1}, 'new@example.com', 'New on A', 'Rome')`);
        await pause();
        await pgc.query(`UPDATE ${t}_b SET city = 'Lima ' || chr(128512) WHERE id % 10 = 5`);
        watch = { yielded: new Map(), writes: [] };
        outcomes.push(await s.run({ batchSize: batch }));
        order.push(watch.writes.map((w) => (w.object.endsWith('_a') ? 'A' : 'B')));
        watch = null;
      }
    } finally {
      watch = null;
    }
    const [together, staged, streamed] = outcomes;
    for (const k of ['writtenA', 'writtenB', 'createdA', 'createdB', 'conflicts', 'held'] as const) expect(together![k], k).toBe(staged![k]);
    expect(together).toMatchObject({ writtenA: 40, writtenB: 40, conflicts: 0 });
    expect(streamed).toMatchObject({ writtenA: 40, writtenB: 41, createdB: 1 });
    // Together: each of A's two pages writes to both sides (B's changes go with them); streamed: all of A's changes
    // are written to B first, then B's to A.
    expect(order[0]).toEqual(['B', 'A', 'B', 'A']);
    expect(order[2]!.indexOf('A')).toBeGreaterThan(order[2]!.lastIndexOf('B'));
    for (const { t } of runs) expect(await pgRows(`${t}_a`)).toEqual(await pgRows(`${t}_b`));
    expect(await pgRows('apart_1_a')).toEqual(await pgRows('apart_2_a'));
    // Run again: nothing to write, on every path.
    for (const { sync: s, batch } of runs) expect(await s.run({ batchSize: batch })).toMatchObject({ writtenA: 0, writtenB: 0 });
  }, 90_000);
});

describe('several unpaired B records with one match value', () => {
  it('the one with the highest id is paired, in code-point order, the same whether B is held in memory or staged', async () => {
    const scope = { integrationId: `int_tie_${randomBytes(4).toString('hex')}`, nodeId: 'n1' };
    // Ids where the orders part: JavaScript's `<` (UTF-16 units) puts U+FFFD above U+1F600, a locale puts "a" above "B".
    const same = ['["B"]', '["a"]', '["\uFFFD"]', '["\u{1F600}"]', '["é"]', '["z"]', '["__proto__"]'];
    const other = ['["10"]', '["9"]', '["010"]'];
    const rows = [...same.map((id) => [id, '"same"'] as const), ...other.map((id) => [id, '"other"'] as const)];
    await store.twoWay.stage(scope, rows.map(([idB, matchKey]) => ({ idB, matchKey, softDeleted: false, updatedMs: 1, record: JSON.stringify([['name', 'v', idB]]) })), false);
    const staged = (await store.twoWay.takeByMatch(scope, ['"same"', '"other"'])).map((s) => s.idB).sort();
    const held = highestByMatch(new Map(rows.map(([id, matchKey]) => [id, { matchKey, deleted: false }])), ['"same"', '"other"']).sort();
    expect(held).toEqual(staged);
    expect(staged).toEqual(['["9"]', '["\u{1F600}"]'].sort());
    await store.twoWay.clearStage(scope);
  });
});

describe('deletes both ways', () => {
  it('Postgres ↔ MariaDB: soft-delete fields carry deletes each way (soft to B, delete to A), past the 10% threshold only confirmed, never echoed back', async () => {
    await pgc.query(`CREATE TABLE del_a (id integer PRIMARY KEY, email text, name text, city text, deleted boolean NOT NULL DEFAULT false, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await pgc.query(`CREATE TRIGGER del_a_touch BEFORE UPDATE ON del_a FOR EACH ROW EXECUTE FUNCTION touch()`);
    for (const r of seed(30)) await pgc.query(`INSERT INTO del_a (id, email, name, city) VALUES ($1, $2, $3, $4)`, r);
    await my!.query(`CREATE TABLE del_b (id int PRIMARY KEY, email varchar(200), name varchar(200), city varchar(200), deleted_at DATETIME(3) NULL, updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))`);
    const a = { connectionId: 'con_pg', object: 'public.del_a', updatedAt: 'updated_at', columns: [...COLS, { name: 'deleted', type: 'boolean' as const }], key: ['id'], deletedField: 'deleted' };
    const b = { connectionId: 'con_my', object: 'del_b', updatedAt: 'updated_at', columns: [...COLS, { name: 'deleted_at', type: 'datetime' as const }], key: ['id'], deletedField: 'deleted_at' };
    const s = sync({ a, b, deletesToB: 'soft', deletesToA: 'delete' });
    expect(await s.run()).toMatchObject({ createdB: 30 });

    // One record soft-deleted on A: soft-deleted on B (its deleted_at set), the pair forgotten.
    await pause();
    await pgc.query(`UPDATE del_a SET deleted = true, name = 'Gone A' WHERE id = 3`);
    const one = await s.run();
    expect(one).toMatchObject({ deletedB: 1, deletedA: 0, writtenB: 0 });
    expect(one.phases).toMatchObject([{ toSide: 'b', state: 'applied', candidates: 1, applied: 1, targetRecords: 30, allowed: 3 }]);
    const b3 = ((await my!.query(`SELECT name, deleted_at FROM del_b WHERE id = 3`)) as [Record<string, unknown>[], unknown])[0][0]!;
    expect(b3.deleted_at).not.toBeNull();
    expect(b3.name).toBe('Person 3');
    // The soft delete on B is read back next run (its updated_at moved), and A's record again (it holds A's mark): no
    // pair any more, so neither is a delete to carry back nor a record to create; nothing written.
    const echo = await s.run();
    expect(echo).toMatchObject({ deletedA: 0, deletedB: 0, writtenA: 0, writtenB: 0, skippedDeleted: 2 });
    expect((await pgc.query(`SELECT count(*)::int AS n FROM del_a`)).rows[0].n).toBe(30);

    // One record soft-deleted on B: deleted on A.
    await my!.query(`UPDATE del_b SET deleted_at = '2026-12-01 10:00:00' WHERE id = 4`);
    expect(await s.run()).toMatchObject({ deletedA: 1, deletedB: 0 });
    expect((await pgc.query(`SELECT id FROM del_a WHERE id = 4`)).rows).toEqual([]);

    // Five on A (more than 10% of the 28 pairs): held back, nothing soft-deleted on B, cursors stay; confirmed: applied.
    await pause();
    await pgc.query(`UPDATE del_a SET deleted = true WHERE id BETWEEN 10 AND 14`);
    await expect(s.run()).rejects.toThrow(/Deletes held back: 5 records of Contacts both ways \(side B: del_b\) would be deleted, more than its threshold of 2 \(of 28 records\)/);
    expect(((await my!.query(`SELECT count(*) AS n FROM del_b WHERE deleted_at IS NOT NULL`)) as [Record<string, unknown>[], unknown])[0][0]!.n).toBe(2);
    const confirmed = await s.run({ confirmDeletes: true });
    expect(confirmed).toMatchObject({ deletedB: 5 });
    expect(((await my!.query(`SELECT count(*) AS n FROM del_b WHERE deleted_at IS NOT NULL`)) as [Record<string, unknown>[], unknown])[0][0]!.n).toBe(7);
    expect(await store.twoWay.countPairs({ integrationId: 'int_twoway', nodeId: s.nodeId })).toBe(23);
  }, 120_000);

  it('Postgres ↔ workspace: a full sync finds keys gone from one side and applies them per direction; the default (ignore) deletes nothing', async () => {
    await pgc.query(`CREATE TABLE gone_a (id integer PRIMARY KEY, email text, name text, city text, removed boolean, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await pgc.query(`CREATE TRIGGER gone_a_touch BEFORE UPDATE ON gone_a FOR EACH ROW EXECUTE FUNCTION touch()`);
    for (const r of seed(20)) await pgc.query(`INSERT INTO gone_a (id, email, name, city) VALUES ($1, $2, $3, $4)`, r);
    const a = { connectionId: 'con_pg', object: 'public.gone_a', updatedAt: 'updated_at', columns: [...COLS, { name: 'removed', type: 'boolean' as const }], key: ['id'], deletedField: 'removed' };
    const object = `gone_b_${nodeSeq}`;
    await store.writeWorkspace({ object, key: ['id'], fields: WS_COLS, mode: 'upsert', rows: [{ id: 1, email: 'p1@example.com', name: 'Person 1', city: 'Oslo' }] });
    const b = { connectionId: '', object, updatedAt: '_updated_at', columns: WS_COLS, key: ['id'], deletedField: '' };
    const s = sync({ a, b, deletesToB: 'delete', deletesToA: 'soft' });
    const ignoring = sync({ a, b });
    expect(await s.run()).toMatchObject({ createdB: 19 });
    expect(await ignoring.run()).toMatchObject({ writtenA: 0, writtenB: 0 });

    // A row deleted from A, a record deleted from the workspace object: seen only by a full read's keys.
    await pgc.query(`DELETE FROM gone_a WHERE id = 5`);
    expect(await store.deleteWorkspaceRecords(object, ['6'])).toEqual(['deleted']);
    expect(await s.run()).toMatchObject({ deletedA: 0, deletedB: 0 });
    const ignored = await ignoring.run({ fullSync: true });
    expect(ignored).toMatchObject({ deletedA: 0, deletedB: 0 });
    expect(ignored.phases).toEqual([]);
    const full = await s.run({ fullSync: true });
    expect(full).toMatchObject({ deletedB: 1, deletedA: 1 });
    expect((await wsRows(object)).map((r) => r.id)).not.toContain(5);
    expect((await pgc.query(`SELECT id, removed FROM gone_a WHERE id IN (5, 6) ORDER BY id`)).rows).toEqual([{ id: 6, removed: true }]);
    expect(await store.twoWay.countPairs({ integrationId: 'int_twoway', nodeId: s.nodeId })).toBe(18);
    // Run again in full: nothing more to delete, nothing written (the soft-deleted row on A has no pair: not created on B).
    expect(await s.run({ fullSync: true })).toMatchObject({ deletedA: 0, deletedB: 0, writtenA: 0, writtenB: 0, createdB: 0 });
  }, 120_000);
});

/** The store, counting the records of each stage call (and the keys of each unstage call); `failStage` makes a call fail. */
function countingStore(failStage?: (call: number) => boolean): { via: Store; calls: number[]; unstaged: number[] } {
  const calls: number[] = [];
  const unstaged: number[] = [];
  const via = new Proxy(store, {
    get: (target, key) => {
      if (key === 'unstageRejected') {
        return async (...args: Parameters<Store['unstageRejected']>) => {
          unstaged.push(args[2].length);
          return target.unstageRejected(...args);
        };
      }
      if (key === 'stageRejected') {
        return async (...args: Parameters<Store['stageRejected']>) => {
          calls.push(args[2].length);
          if (failStage?.(calls.length)) throw new Error('the store went away');
          return target.stageRejected(...args);
        };
      }
      const v = Reflect.get(target, key) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { via, calls, unstaged };
}

/** A key map whose `updatePairs` fails from its nth call on (an attempt that dies midway, after some pages were saved). */
function failingPairs(nth: number): Store['twoWay'] {
  let calls = 0;
  return new Proxy(store.twoWay, {
    get: (target, key) => {
      const f = Reflect.get(target, key) as (...a: unknown[]) => unknown;
      return (...args: unknown[]) => {
        if (key === 'updatePairs' && ++calls >= nth) return Promise.reject(new Error('the store went away'));
        return f.apply(target, args);
      };
    },
  });
}

/** A key map whose `saveCursors` fails once (an attempt that dies after its commit applied, before the cursors moved). */
function failingCursors(): Store['twoWay'] {
  let failed = false;
  return new Proxy(store.twoWay, {
    get: (target, key) => {
      const f = Reflect.get(target, key) as (...a: unknown[]) => unknown;
      return (...args: unknown[]) => {
        if (key === 'saveCursors' && !failed) {
          failed = true;
          return Promise.reject(new Error('the store went away'));
        }
        return f.apply(target, args);
      };
    },
  });
}

// On both store engines: the test's PGlite store, and a store on a throwaway Postgres database.
describe.each([
  ['PGlite', 'pgl'],
  ['Postgres', 'pgs'],
] as const)('held and refused records, bounded (store on %s)', (engine, tag) => {
  let kept: Store;
  let storeDb: ScratchPostgres | null = null;
  beforeAll(async () => {
    if (engine === 'PGlite') return;
    storeDb = await scratchPostgres(1);
    if (!storeDb) throw new Error('needs the Postgres at 127.0.0.1:5432');
    const { host, port, database, user } = storeDb.config;
    kept = store;
    store = await openStore({ dataDir: '', databaseUrl: `postgres://${encodeURIComponent(user)}@${host}:${port}/${database}` });
  }, 60_000);
  afterAll(async () => {
    if (engine === 'PGlite') return;
    await store.close();
    store = kept;
    await storeDb?.drop();
  });
  const N = 1500;
  const BATCH = 50;
  const make = async (t: string, rows: number) => {
    await pgc.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, email text, name text, city text, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await pgc.query(`CREATE TRIGGER ${t}_touch BEFORE UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION touch()`);
    if (rows > 0) await pgc.query(`INSERT INTO ${t} (id, email, name, city) SELECT i, 'p' || i || '@example.com', 'Person ' || i, 'Oslo' FROM generate_series(1, ${rows}) i`);
    return { connectionId: 'con_pg', object: `public.${t}`, updatedAt: 'updated_at', columns: COLS, key: ['id'], deletedField: '' };
  };
  /** N pairs in step, then every one's name edited on both sides: all held for review. */
  const allHeld = async (t: string) => {
    const s = sync({ a: await make(`${tag}_${t}_a`, N), b: await make(`${tag}_${t}_b`, N), rule: 'review' });
    expect(await s.run({ batchSize: 500 })).toMatchObject({ held: 0, writtenA: 0, writtenB: 0 });
    await pause();
    await pgc.query(`UPDATE ${tag}_${t}_a SET name = name || ' (A)'`);
    await pgc.query(`UPDATE ${tag}_${t}_b SET name = name || ' (B)'`);
    return s;
  };
  const heldOnce = (records: RejectedRecord[]) => {
    const ids = records.map((r) => Number(r.source.id)).sort((x, y) => x - y);
    expect(ids).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    for (const r of records) expect(r.reason).toContain(`Conflict held for review: name is "Person ${String(r.source.id)} (A)" in A`);
  };

  it('every pair held for review: staged page by page, never more than a few pages in memory, each recorded once on the run', async () => {
    const s = await allHeld('hr');
    const { via, calls } = countingStore();
    const run = await s.run({ batchSize: BATCH, via });
    expect(run).toMatchObject({ held: N, writtenA: 0, writtenB: 0 });
    // The old executor kept all N in one list until its commit.
    expect(run.peakRejectedHeld).toBeGreaterThan(0);
    expect(run.peakRejectedHeld).toBeLessThanOrEqual(3 * BATCH);
    expect(calls.length).toBeGreaterThan(N / (3 * BATCH));
    expect(Math.max(...calls)).toBeLessThanOrEqual(3 * BATCH);
    expect(calls.reduce((x, y) => x + y, 0)).toBe(N);
    heldOnce(run.records);
    expect(run.counts.rejected).toBe(N);
    // Nothing is left staged once the run committed; the run page's list is paged (API: at most 1,000 a page).
    expect((await store.listRejected(run.runId, { limit: 5000 })).items).toHaveLength(1000);
    expect((await store.listRejected(run.runId)).total).toBe(N);
    // Acknowledged: the next run holds nothing and records nothing.
    expect(await s.run({ batchSize: BATCH })).toMatchObject({ held: 0, records: [] });
  }, 120_000);

  it('a retried attempt records each held record once: what the failed attempt staged (and saved) is kept, the rest held again', async () => {
    const s = await allHeld('hx');
    const runId = await s.newRun();
    const { via, calls } = countingStore();
    // The attempt dies once some pages' pairs were saved (their records staged first).
    await expect(s.run({ batchSize: BATCH, runId, via, twoWay: failingPairs(6) })).rejects.toThrow('the store went away');
    const stagedBefore = calls.reduce((x, y) => x + y, 0);
    expect(stagedBefore).toBeGreaterThanOrEqual(5 * BATCH);
    expect(await rejectedOf(runId)).toEqual([]);
    // The retry (same run, same batch number) does not hold the pairs the first attempt saved.
    const retry = await s.run({ batchSize: BATCH, runId });
    expect(retry.held).toBeLessThan(N);
    expect(retry.held).toBeGreaterThanOrEqual(N - stagedBefore);
    heldOnce(retry.records);
    expect(retry.counts.rejected).toBe(N);
    // A late duplicate of the committed batch records nothing more.
    await store.commitBatch({ runId, pipelineId: PIPELINE, batch: 1, cursor: null, counts: {}, rejected: [], staged: { attempt: 'late' } });
    expect((await store.listRejected(runId)).total).toBe(N);
  }, 120_000);

  // Known defect of held14's staging (the lead's notes, eighth session): a conflict held by an attempt that failed, then
  // settled by the person before the retry ran, was still recorded by the retry's commit (a phantom), with the row
  // number the failed attempt gave it, which another record of the retry could get too.
  it('a retry records no conflict the person settled after the failed attempt held it, and no two records share a row number', async () => {
    const s = await allHeld('ph');
    const runId = await s.newRun();
    const first = countingStore();
    // The attempt dies after 5 pages' pairs were saved (their records staged first), with later pages staged, unsaved.
    await expect(s.run({ batchSize: BATCH, runId, via: first.via, twoWay: failingPairs(6) })).rejects.toThrow('the store went away');
    expect(first.calls.reduce((x, y) => x + y, 0)).toBeGreaterThan(5 * BATCH);
    // A first attempt has no earlier held records to drop: no statement for it.
    expect(first.unstaged).toEqual([]);
    // Before the retry: the person settles every odd record's conflict on A (its name as B has it), and deletes the
    // first 50 records from A (the retry reads fewer records, so its own numbering starts 50 lower).
    await pause();
    await pgc.query(`UPDATE ${tag}_ph_a SET name = 'Person ' || id || ' (B)' WHERE id % 2 = 1`);
    await pgc.query(`DELETE FROM ${tag}_ph_a WHERE id <= 50`);
    const { via, unstaged } = countingStore();
    const retry = await s.run({ batchSize: BATCH, runId, via });
    // Held: the even records, and the first 50 (held and acknowledged by the failed attempt; A's delete is no settling).
    const ids = retry.records.map((r) => Number(r.source.id)).sort((x, y) => x - y);
    expect(ids).toEqual(Array.from({ length: N }, (_, i) => i + 1).filter((id) => id % 2 === 0 || id <= 50));
    expect(retry.counts.rejected).toBe(ids.length);
    expect(new Set(retry.records.map((r) => r.rowNumber)).size).toBe(retry.records.length);
    // The staged rows of settled pairs went a page at a time (one statement per flush, a few pages at most).
    expect(unstaged.length).toBeGreaterThan(0);
    expect(Math.max(...unstaged)).toBeLessThanOrEqual(3 * BATCH);
    // Nothing left staged: a late duplicate commit records nothing more.
    await store.commitBatch({ runId, pipelineId: PIPELINE, batch: 1, cursor: null, counts: {}, rejected: [], staged: { attempt: 'late' } });
    expect((await store.listRejected(runId)).total).toBe(ids.length);
  }, 120_000);

  // Outsider review, ninth session: the retry dropped the staged held record of every pair it settled without holding,
  // also when only another field had changed (the failed attempt saved the held pair's hashes, so the conflicting field
  // no longer looked changed): the conflict, still standing, was recorded nowhere and no later run held it again.
  it('a retry keeps the held record of a pair whose conflict still stands when only another field was edited', async () => {
    const s = await allHeld('pk');
    const runId = await s.newRun();
    await expect(s.run({ batchSize: BATCH, runId, twoWay: failingPairs(6) })).rejects.toThrow('the store went away');
    // Before the retry: records 1–50 get a new city on A (no conflict), records 51–100 their name settled on A.
    await pause();
    await pgc.query(`UPDATE ${tag}_pk_a SET city = 'Bergen' WHERE id <= 50`);
    await pgc.query(`UPDATE ${tag}_pk_a SET name = 'Person ' || id || ' (B)' WHERE id > 50 AND id <= 100`);
    const retry = await s.run({ batchSize: BATCH, runId });
    const ids = new Set(retry.records.map((r) => Number(r.source.id)));
    // Every pair whose names still differ is on the run, the city-edited ones included; the settled ones are not.
    const stillDiffer = Array.from({ length: N }, (_, i) => i + 1).filter((id) => id <= 50 || id > 100);
    expect(stillDiffer.filter((id) => !ids.has(id))).toEqual([]);
    expect([...ids].filter((id) => id > 50 && id <= 100)).toEqual([]);
    expect(retry.counts.rejected).toBe(stillDiffer.length);
    const { rows } = await pgc.query<{ city: string }>(`SELECT DISTINCT city FROM ${tag}_pk_b WHERE id <= 50`);
    expect(rows).toEqual([{ city: 'Bergen' }]);
  }, 120_000);

  // Outsider review, ninth session (suspected; confirmed by this test): an attempt whose commit applied failed after it
  // (saving the cursors); the retry's commit was taken for a duplicate of that batch and the records it staged were
  // cleared. Its held pairs' hashes were saved with their pages, so those conflicts were lost for good; its refused
  // writes were recorded nowhere either.
  // Outsider review, tenth session: the committed attempt recorded its refused writes, then failed (saving the
  // cursors); the retry read the same changes, was refused again and recorded each refusal a second time (20 records
  // and rejected: 20 for 10 refused writes). A refusal the run already recorded, alike in every part, counts once.
  it('a refusal recorded by the committed attempt and made again by its retry is recorded once', async () => {
    const s = sync({ a: await make(`${tag}_rr_a`, 40), b: await make(`${tag}_rr_b`, 40), rule: 'latest' });
    expect(await s.run({ batchSize: 500 })).toMatchObject({ held: 0, writtenA: 0, writtenB: 0 });
    await pause();
    await pgc.query(`UPDATE ${tag}_rr_a SET city = 'Bergen' WHERE id <= 10`);
    const runId = await s.newRun();
    refusing.add(`public.${tag}_rr_b`);
    let retry: Awaited<ReturnType<Sync['run']>>;
    try {
      await expect(s.run({ batchSize: BATCH, runId, twoWay: failingCursors() })).rejects.toThrow('the store went away');
      expect((await store.listRejected(runId)).total).toBe(10);
      retry = await s.run({ batchSize: BATCH, runId });
    } finally {
      refusing.clear();
    }
    const ids = retry.records.map((r) => Number(r.source.id)).sort((x, y) => x - y);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(retry.counts.rejected).toBe(10);
  }, 120_000);

  it('a retry after an attempt that committed and then failed records the conflicts and refusals it found, each once', async () => {
    const s = await allHeld('ac');
    const runId = await s.newRun();
    await expect(s.run({ batchSize: BATCH, runId, twoWay: failingCursors() })).rejects.toThrow('the store went away');
    expect((await store.listRejected(runId)).total).toBe(N);
    // Before the retry: records 1–20 conflict anew (both names edited again), records 21–30 get a new city on A, which B
    // refuses to take.
    await pause();
    await pgc.query(`UPDATE ${tag}_ac_a SET name = name || ' again' WHERE id <= 20`);
    await pgc.query(`UPDATE ${tag}_ac_b SET name = name || ' anew' WHERE id <= 20`);
    await pgc.query(`UPDATE ${tag}_ac_a SET city = 'Bergen' WHERE id > 20 AND id <= 30`);
    refusing.add(`public.${tag}_ac_b`);
    let retry: Awaited<ReturnType<Sync['run']>>;
    try {
      retry = await s.run({ batchSize: BATCH, runId });
    } finally {
      refusing.clear();
    }
    expect(retry).toMatchObject({ held: 20, rejected: 10 });
    const first = retry.records.filter((r) => r.reason.includes('(A)" in A'));
    const again = retry.records.filter((r) => r.reason.includes('(A) again" in A'));
    const refused = retry.records.filter((r) => r.reason.includes('refused the write'));
    heldOnce(first);
    expect(again.map((r) => Number(r.source.id)).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(refused.map((r) => Number(r.source.id)).sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, i) => i + 21));
    expect(retry.records).toHaveLength(N + 30);
    expect(new Set(retry.records.map((r) => r.rowNumber)).size).toBe(N + 30);
    expect(retry.counts.rejected).toBe(N + 30);
    // The first attempt's counts stay; the retry adds only what it wrote (nothing: B refused it) and its records.
    expect(retry.counts).toMatchObject({ read: 2 * N, written: 0 });
    // Acknowledged: the next run holds nothing, and the run's records stay as they are.
    expect(await s.run({ batchSize: BATCH })).toMatchObject({ held: 0, records: [] });
    expect((await store.listRejected(runId)).total).toBe(N + 30);
  }, 120_000);

  // The lead's notes, eighth session: two-way deletes a person confirmed kept every candidate key in memory and passed
  // them all to one delete (DeleteDirection.keys). They now wait in the run's run_keys, read and applied 5,000 at a time.
  it('confirmed deletes wait in the store and are applied a page at a time, each once; deleted on both sides: none', async () => {
    const M = 11_600;
    const table = async (t: string, rows: number) => {
      await pgc.query(`CREATE TABLE ${t} (id integer PRIMARY KEY, email text, name text, city text, removed boolean NOT NULL DEFAULT false, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
      await pgc.query(`CREATE TRIGGER ${t}_touch BEFORE UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION touch()`);
      if (rows > 0) await pgc.query(`INSERT INTO ${t} (id, email, name, city) SELECT i, 'p' || i || '@example.com', 'Person ' || i, 'Oslo' FROM generate_series(1, ${rows}) i`);
      return { connectionId: 'con_pg', object: `public.${t}`, updatedAt: 'updated_at', columns: [...COLS, { name: 'removed', type: 'boolean' as const }], key: ['id'], deletedField: 'removed' };
    };
    const s = sync({ a: await table(`${tag}_dl_a`, M), b: await table(`${tag}_dl_b`, 0), deletesToB: 'delete', deletesToA: 'delete' });
    expect(await s.run({ batchSize: 2000 })).toMatchObject({ createdB: M });
    // 1–3 soft-deleted on both sides (nothing to apply), 4–5 on B (deleted on A), 6–11,600 gone from A (full sync).
    await pause();
    await pgc.query(`UPDATE ${tag}_dl_a SET removed = true WHERE id <= 3`);
    await pgc.query(`UPDATE ${tag}_dl_b SET removed = true WHERE id <= 5`);
    await pgc.query(`DELETE FROM ${tag}_dl_a WHERE id > 5`);
    const events: ({ object: string; ids: number[] } | { list: 'a' | 'b'; n: number })[] = [];
    const deletes: { object: string; ids: number[] }[] = [];
    deleteLog = deletes;
    let run;
    try {
      run = await s.run({
        batchSize: 2000,
        fullSync: true,
        confirmDeletes: true,
        deleteKeys: (keys) => ({
          ...keys,
          async list(side, after, limit) {
            // The deletes made since the last read of the store, then this read.
            events.push(...deletes.splice(0));
            const page = await keys.list(side, after, limit);
            events.push({ list: side, n: page.length });
            return page;
          },
        }),
      });
    } finally {
      deleteLog = null;
    }
    events.push(...deletes.splice(0));
    expect(run).toMatchObject({ deletedB: M - 5, deletedA: 2 });
    expect(run.phases).toMatchObject([
      { toSide: 'b', state: 'applied', candidates: M - 5, applied: M - 5 },
      { toSide: 'a', state: 'applied', candidates: 2, applied: 2 },
    ]);
    // Between two reads of the store, at most a page of its keys deleted; no read over a page; each record deleted once.
    let since = 0;
    const onB: number[] = [];
    for (const e of events) {
      if ('list' in e) {
        expect(e.n).toBeLessThanOrEqual(5000);
        since = 0;
        continue;
      }
      since += e.ids.length;
      expect(since).toBeLessThanOrEqual(5000);
      if (e.object === `public.${tag}_dl_b`) onB.push(...e.ids);
    }
    expect(events.filter((e) => 'list' in e && e.list === 'b').length).toBeGreaterThanOrEqual(3);
    expect(onB.sort((x, y) => x - y)).toEqual(Array.from({ length: M - 5 }, (_, i) => i + 6));
    expect((await pgc.query(`SELECT id FROM ${tag}_dl_b ORDER BY id`)).rows.map((r: { id: number }) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect((await pgc.query(`SELECT id FROM ${tag}_dl_a ORDER BY id`)).rows.map((r: { id: number }) => r.id)).toEqual([1, 2, 3]);
    // Every pair forgotten: the applied ones and those deleted on both sides.
    expect(await store.twoWay.countPairs({ integrationId: 'int_twoway', nodeId: s.nodeId })).toBe(0);
  }, 180_000);

  it('a retried attempt applies none of the delete candidates an earlier attempt of the run found (restored since)', async () => {
    const a = await make(`${tag}_dr_a`, 10);
    await pgc.query(`CREATE TABLE ${tag}_dr_b (id integer PRIMARY KEY, email text, name text, city text, removed boolean NOT NULL DEFAULT false, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await pgc.query(`CREATE TRIGGER ${tag}_dr_b_touch BEFORE UPDATE ON ${tag}_dr_b FOR EACH ROW EXECUTE FUNCTION touch()`);
    const b = { connectionId: 'con_pg', object: `public.${tag}_dr_b`, updatedAt: 'updated_at', columns: [...COLS, { name: 'removed', type: 'boolean' as const }], key: ['id'], deletedField: 'removed' };
    const s = sync({ a, b, deletesToA: 'delete', deleteThresholdPercent: 50 });
    expect(await s.run()).toMatchObject({ createdB: 10 });
    // An earlier attempt of the run found 7 deleted on B (its candidate is in the run's keys); the person restored it.
    const runId = await s.newRun();
    await store.sync.addDeletedKeys(runId, { nodeId: s.nodeId, side: 'a' }, [{ key: '[7]', values: { id: 7 } }]);
    await pause();
    await pgc.query(`UPDATE ${tag}_dr_b SET removed = true WHERE id = 3`);
    const retry = await s.run({ runId });
    expect(retry).toMatchObject({ deletedA: 1 });
    expect(retry.phases).toMatchObject([{ toSide: 'a', state: 'applied', candidates: 1, applied: 1 }]);
    expect((await pgc.query(`SELECT id FROM ${tag}_dr_a ORDER BY id`)).rows.map((r: { id: number }) => r.id)).toEqual([1, 2, 4, 5, 6, 7, 8, 9, 10]);
  }, 120_000);

  it('a side that refuses every write: refusals staged as they come, bounded; a failed attempt\'s are dropped, the retry records each once', async () => {
    const a = await make(`${tag}_rf_a`, N);
    const b = await make(`${tag}_rf_b`, 0);
    const s = sync({ a, b });
    refusing.add(b.object);
    try {
      const runId = await s.newRun();
      // First attempt: fails after its third stage call (some refusals staged).
      const counting = countingStore();
      let failed = false;
      await expect(
        s.run({
          batchSize: BATCH,
          runId,
          via: counting.via,
          check: () => {
            if (counting.calls.length >= 3 && !failed) {
              failed = true;
              throw new Error('cancelled midway');
            }
          },
        }),
      ).rejects.toThrow('cancelled midway');
      expect(counting.calls.length).toBeGreaterThanOrEqual(3);
      const { via, calls } = countingStore();
      const run = await s.run({ batchSize: BATCH, runId, via });
      expect(run).toMatchObject({ rejected: N, writtenB: 0, createdB: 0 });
      expect(run.peakRejectedHeld).toBeLessThanOrEqual(3 * BATCH);
      expect(Math.max(...calls)).toBeLessThanOrEqual(3 * BATCH);
      expect(run.records).toHaveLength(N);
      expect(new Set(run.records.map((r) => Number(r.source.id))).size).toBe(N);
      expect(run.records[0]!.reason).toContain(`Side B (${b.object}) refused the write: constraint "no_writes" refused ${b.object}`);
      expect(run.counts.rejected).toBe(N);
    } finally {
      refusing.clear();
    }
  }, 120_000);
});

// Known defect (del16b, del14: docs/backlog.md): a two-way delete phase records no decision and no progress, so a
// retry after an attempt that applied one direction's deletes (and forgot their pairs) judges the other direction's
// threshold on the shrunk pair count and counts short. `it.fails` until the fix lands (then drop `.fails`).
describe('a retry after one direction\'s deletes were applied (del14)', () => {
  // 40%: the retry's 3 to A are more than 40% of the 6 pairs left (held, "nothing was deleted"); 100%: applied, but the
  // 4 deleted on B before the failure are no longer candidates, so the run counts 3 deleted instead of 7.
  it.each([
    { percent: 40, at: 'list', what: 'is not held on the shrunk pair count' },
    { percent: 100, at: 'list', what: 'counts both directions' },
    { percent: 40, at: 'applied', what: "resumes B's phase, applied and not yet recorded so" },
  ])('threshold $percent%, store failing at $at: the retry $what', async ({ percent, at }) => {
    const t = `rs${percent}${at}`;
    const table = async (name: string, rows: number) => {
      await pgc.query(`CREATE TABLE ${name} (id integer PRIMARY KEY, email text, name text, city text, removed boolean NOT NULL DEFAULT false, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
      await pgc.query(`CREATE TRIGGER ${name}_touch BEFORE UPDATE ON ${name} FOR EACH ROW EXECUTE FUNCTION touch()`);
      if (rows > 0) await pgc.query(`INSERT INTO ${name} (id, email, name, city) SELECT i, 'p' || i || '@example.com', 'Person ' || i, 'Oslo' FROM generate_series(1, ${rows}) i`);
      return { connectionId: 'con_pg', object: `public.${name}`, updatedAt: 'updated_at', columns: [...COLS, { name: 'removed', type: 'boolean' as const }], key: ['id'], deletedField: 'removed' };
    };
    // 10 pairs (40%: 4 allowed). 1–4 gone from A (4 to B), 8–10 soft-deleted on B (3 to A): both within the threshold.
    const s = sync({ a: await table(`${t}_a`, 10), b: await table(`${t}_b`, 0), deletesToB: 'delete', deletesToA: 'delete', deleteThresholdPercent: percent });
    expect(await s.run()).toMatchObject({ createdB: 10 });
    await pause();
    await pgc.query(`DELETE FROM ${t}_a WHERE id <= 4`);
    await pgc.query(`UPDATE ${t}_b SET removed = true WHERE id >= 8`);
    // The store fails once as A's candidates are read back: after B's 4 deletes (their pairs forgotten), before A's.
    let failed = false;
    const via = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop !== 'sync') {
          const v: unknown = Reflect.get(target, prop, receiver);
          return typeof v === 'function' ? v.bind(target) : v;
        }
        return new Proxy(target.sync, {
          get(syncStore, p) {
            const v: unknown = Reflect.get(syncStore, p);
            if (typeof v !== 'function') return v;
            if (at === 'applied' && p === 'recordDeletePhase') {
              // B's 4 deleted and their pairs forgotten; recording the phase `applied` fails.
              return async (phase: Parameters<Store['sync']['recordDeletePhase']>[0]) => {
                if (!failed && phase.side === 'b' && phase.state === 'applied') {
                  failed = true;
                  throw new Error('store blip');
                }
                return syncStore.recordDeletePhase(phase);
              };
            }
            if (at === 'list' && p === 'listDeletedKeys') {
              return async (...args: Parameters<Store['sync']['listDeletedKeys']>) => {
                if (!failed && typeof args[1] !== 'string' && args[1].side === 'a') {
                  failed = true;
                  throw new Error('store blip');
                }
                return syncStore.listDeletedKeys(...args);
              };
            }
            return v.bind(syncStore);
          },
        });
      },
    });
    const runId = await s.newRun();
    await expect(s.run({ runId, via, fullSync: true })).rejects.toThrow('store blip');
    expect((await pgc.query(`SELECT count(*)::int AS n FROM ${t}_b`)).rows[0].n).toBe(6);
    // The retry resumes: B's 4 counted, A's 3 applied under the first decision.
    const retry = await s.run({ runId, fullSync: true });
    expect(retry).toMatchObject({ deletedB: 4, deletedA: 3 });
    expect(retry.counts.deleted).toBe(7);
    expect((await pgc.query(`SELECT id FROM ${t}_a ORDER BY id`)).rows.map((r: { id: number }) => r.id)).toEqual([5, 6, 7]);
  }, 120_000);

  it('a crash between two delete calls and their progress: the retry finishes the call, counts each delete once, both directions', async () => {
    const M = 2_500;
    const table = async (name: string, rows: number) => {
      await pgc.query(`CREATE TABLE ${name} (id integer PRIMARY KEY, email text, name text, city text, removed boolean NOT NULL DEFAULT false, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
      await pgc.query(`CREATE TRIGGER ${name}_touch BEFORE UPDATE ON ${name} FOR EACH ROW EXECUTE FUNCTION touch()`);
      if (rows > 0) await pgc.query(`INSERT INTO ${name} (id, email, name, city) SELECT i, 'p' || i || '@example.com', 'Person ' || i, 'Oslo' FROM generate_series(1, ${rows}) i`);
      return { connectionId: 'con_pg', object: `public.${name}`, updatedAt: 'updated_at', columns: [...COLS, { name: 'removed', type: 'boolean' as const }], key: ['id'], deletedField: 'removed' };
    };
    const s = sync({ a: await table('rc_a', M + 3), b: await table('rc_b', 0), deletesToB: 'delete', deletesToA: 'delete', deleteThresholdPercent: 100 });
    expect(await s.run({ batchSize: 2000 })).toMatchObject({ createdB: M + 3 });
    await pause();
    // 4–2,503 gone from A (2,500 to B: three delete calls of 1,000), 1–3 soft-deleted on B (to A: one call).
    await pgc.query(`DELETE FROM rc_a WHERE id > 3`);
    await pgc.query(`UPDATE rc_b SET removed = true WHERE id <= 3`);
    const runId = await s.newRun();
    // B's second call deletes its 1,000 records, then the connection is lost before the progress is recorded.
    lostAfterDelete = { call: 2, calls: 0 };
    try {
      await expect(s.run({ runId, batchSize: 2000, fullSync: true })).rejects.toThrow('connection lost');
    } finally {
      lostAfterDelete = null;
    }
    expect((await pgc.query(`SELECT count(*)::int AS n FROM rc_b`)).rows[0].n).toBe(M + 3 - 2000);
    // The run page: both directions decided before either deleted; B's progress is its first call's.
    const page = async () => RunSync.parse((await store.getRun(runId))?.sync).deletes.map(describeDeleteSync).sort();
    expect(await page()).toEqual(['Applying deletes to Contacts both ways (side A): 0 of 3 deleted so far', 'Applying deletes to Contacts both ways (side B): 1,000 of 2,500 deleted so far']);
    const retry = await s.run({ runId, batchSize: 2000, fullSync: true });
    expect(retry).toMatchObject({ deletedB: M, deletedA: 3 });
    expect(retry.phases).toMatchObject([
      { toSide: 'b', state: 'applied', candidates: M, applied: M },
      { toSide: 'a', state: 'applied', candidates: 3, applied: 3 },
    ]);
    expect(retry.counts.deleted).toBe(M + 3);
    expect(await page()).toEqual(['2,500 records of Contacts both ways (side B) deleted', '3 records of Contacts both ways (side A) deleted']);
    expect(await store.sync.getDeletePhase(runId, { nodeId: s.nodeId, side: 'b' })).toMatchObject({ state: 'applied', candidates: M, applied: M });
    expect((await pgc.query(`SELECT id FROM rc_b ORDER BY id`)).rows.map((r: { id: number }) => r.id)).toEqual([1, 2, 3]);
    expect((await pgc.query(`SELECT count(*)::int AS n FROM rc_a`)).rows[0].n).toBe(0);
    // Every pair forgotten once: nothing left to echo, a second full run deletes and writes nothing.
    expect(await store.twoWay.countPairs({ integrationId: 'int_twoway', nodeId: s.nodeId })).toBe(0);
    expect(await s.run({ batchSize: 2000, fullSync: true })).toMatchObject({ deletedA: 0, deletedB: 0, writtenA: 0, writtenB: 0 });
  }, 180_000);
});

describe('a field named __proto__', () => {
  it('is synced and remembered like any other: edits carried both ways, echoes write nothing', async () => {
    const cols = [
      { name: 'id', type: 'number' as const },
      { name: '__proto__', type: 'text' as const },
      { name: 'constructor', type: 'text' as const },
      { name: 'updated_at', type: 'datetime' as const },
    ];
    const side = async (name: string) => {
      await pgc.query(`CREATE TABLE ${name} (id integer PRIMARY KEY, "__proto__" text, "constructor" text, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
      await pgc.query(`CREATE TRIGGER ${name}_touch BEFORE UPDATE ON ${name} FOR EACH ROW EXECUTE FUNCTION touch()`);
      return { connectionId: 'con_pg', object: `public.${name}`, updatedAt: 'updated_at', columns: cols, key: ['id'], deletedField: '' };
    };
    const a = await side('proto_a');
    const b = await side('proto_b');
    await pgc.query(`INSERT INTO proto_a (id, "__proto__", "constructor") SELECT i, 'p' || i, 'c' || i FROM generate_series(1, 5) i`);
    const s = sync({ a, b, fields: [F('id'), F('__proto__'), F('constructor')] });
    expect(await s.run()).toMatchObject({ createdB: 5 });
    const quiet = async () => {
      for (let i = 0; i < 2; i++) {
        const r = await s.run();
        expect(r.writtenA + r.writtenB).toBe(0);
      }
    };
    await quiet();
    await pgc.query(`UPDATE proto_a SET "__proto__" = 'edited on A' WHERE id = 2`);
    await pgc.query(`UPDATE proto_b SET "constructor" = 'edited on B', "__proto__" = 'also B' WHERE id = 4`);
    expect(await s.run()).toMatchObject({ writtenA: 1, writtenB: 1, conflicts: 0 });
    const rows = async (t: string) => (await pgc.query(`SELECT id, "__proto__" AS p, "constructor" AS c FROM ${t} ORDER BY id`)).rows;
    expect(await rows('proto_b')).toEqual(await rows('proto_a'));
    expect((await rows('proto_a'))[3]).toEqual({ id: 4, p: 'also B', c: 'edited on B' });
    // Weft's writes, read back, are echoes: the hashes of `__proto__` were remembered as data.
    await quiet();
  });
});

// fid13: what Weft wrote was remembered as sent, but a side stores some values in its own spelling: Postgres char(n)
// pads and MariaDB's CHAR drops the padding, jsonb orders keys and spaces them, numeric(12,2) rounds 1.2345, timestamp(0)
// rounds the milliseconds. The next run read the side's spelling, saw a change Weft had made itself and carried it back
// (overwriting the other side's own value: B's 1.2345 with A's 1.23; char again each time the record was read).
describe('a side that stores a value in its own spelling', () => {
  it('Postgres ↔ MariaDB: the runs after a sync write nothing, and neither side gets the other\'s spelling back', async () => {
    const cols = [
      { name: 'id', type: 'number' as const },
      { name: 'code', type: 'text' as const },
      { name: 'amount', type: 'number' as const },
      { name: 'doc', type: 'text' as const },
      { name: 'at', type: 'datetime' as const },
      { name: 'updated_at', type: 'datetime' as const },
    ];
    await pgc.query(`CREATE TABLE sp_a (id integer PRIMARY KEY, code char(6), amount numeric(12,2), doc jsonb, at timestamp(0), updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await pgc.query(`CREATE TRIGGER sp_a_touch BEFORE UPDATE ON sp_a FOR EACH ROW EXECUTE FUNCTION touch()`);
    await pgc.query(`INSERT INTO sp_a (id, code, amount, doc, at) VALUES (1, 'ab', 1.5, '{"b": 1, "a": [1, 2]}', '2026-01-02 03:04:05'), (3, 'xy', 2.25, '{"k": "v"}', '2026-05-06 07:08:09')`);
    await my!.query(`CREATE TABLE sp_b (id int PRIMARY KEY, code char(6), amount decimal(12,4), doc longtext, at datetime(3), updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))`);
    await my!.query(`INSERT INTO sp_b (id, code, amount, doc, at) VALUES (1, 'ab', 1.5, '{"b":1,"a":[1,2]}', '2026-01-02 03:04:05.000'), (2, 'cd', 1.23, '{"z":1,"a":2}', '2026-01-02 03:04:05.678')`);
    const a = { connectionId: 'con_pg', object: 'public.sp_a', updatedAt: 'updated_at', columns: cols, key: ['id'], deletedField: '' };
    const b = { connectionId: 'con_my', object: 'sp_b', updatedAt: 'updated_at', columns: cols, key: ['id'], deletedField: '' };
    const s = sync({ a, b, rule: 'b-wins', fields: [F('id'), F('code'), F('amount'), F('doc'), F('at')] });
    const first = await s.run();
    expect(first).toMatchObject({ createdA: 1, createdB: 1, held: 0, rejected: 0 });
    const quiet = async () => {
      for (let i = 0; i < 2; i++) {
        const r = await s.run();
        expect({ writtenA: r.writtenA, writtenB: r.writtenB }).toEqual({ writtenA: 0, writtenB: 0 });
      }
    };
    const pgSide = async () => (await pgc.query(`SELECT id, code, amount::text AS amount, doc::text AS doc, at::text AS at FROM sp_a ORDER BY id`)).rows;
    const mySide = async () => ((await my!.query(`SELECT id, code, CAST(amount AS CHAR) AS amount, doc, CAST(at AS CHAR) AS at FROM sp_b ORDER BY id`)) as [Record<string, unknown>[], unknown])[0].map((r) => ({ ...r }));
    await quiet();
    // Each side holds its own spelling of the values; B's own 1.2300 and .678 were not overwritten by A's spelling and
    // rounding. (A number numeric(12,2) would round, B's 1.2345, is rejected since probe20: see the end.)
    expect(await pgSide()).toEqual([
      { id: 1, code: 'ab    ', amount: '1.50', doc: '{"a": [1, 2], "b": 1}', at: '2026-01-02 03:04:05' },
      { id: 2, code: 'cd    ', amount: '1.23', doc: '{"a": 2, "z": 1}', at: '2026-01-02 03:04:06' },
      { id: 3, code: 'xy    ', amount: '2.25', doc: '{"k": "v"}', at: '2026-05-06 07:08:09' },
    ]);
    expect(await mySide()).toEqual([
      { id: 1, code: 'ab', amount: '1.5000', doc: '{"b":1,"a":[1,2]}', at: '2026-01-02 03:04:05.000' },
      { id: 2, code: 'cd', amount: '1.2300', doc: '{"z":1,"a":2}', at: '2026-01-02 03:04:05.678' },
      { id: 3, code: 'xy', amount: '2.2500', doc: '{"k": "v"}', at: '2026-05-06 07:08:09.000' },
    ]);
    // An edit on B goes across once, then the runs are quiet again.
    await my!.query(`UPDATE sp_b SET code = 'ef', doc = '{"y":2,"x":1}' WHERE id = 3`);
    expect(await s.run()).toMatchObject({ writtenA: 1, writtenB: 0 });
    expect((await pgSide())[2]).toEqual({ id: 3, code: 'ef    ', amount: '2.25', doc: '{"x": 1, "y": 2}', at: '2026-05-06 07:08:09' });
    await quiet();
    // And one on A.
    await pgc.query(`UPDATE sp_a SET code = 'gh', doc = '{"n": 10000000000000000000001}' WHERE id = 2`);
    expect(await s.run()).toMatchObject({ writtenA: 0, writtenB: 1 });
    expect((await mySide())[1]).toMatchObject({ code: 'gh', doc: '{"n": 10000000000000000000001}' });
    await quiet();
    // probe20: an amount A's numeric(12,2) would round is rejected on A, not stored as 1.23 (B keeps its value).
    await my!.query(`UPDATE sp_b SET amount = 1.2345 WHERE id = 1`);
    expect(await s.run()).toMatchObject({ writtenA: 0, writtenB: 0, rejected: 1 });
    expect((await pgSide())[0]).toMatchObject({ id: 1, amount: '1.50' });
    expect((await mySide())[0]).toMatchObject({ id: 1, amount: '1.2345' });
  });
});

// twkeys14: MariaDB compares a key by its column's collation (utf8mb4_general_ci: "ABC" = "abc"; PAD SPACE: "x" = "x  ")
// while Postgres tells them apart. Both A records were created on B as one row (the second overwriting the first),
// both pairs took that row's id and saving them failed the run (two_way_pairs_b), every run; and the next run's first
// meeting carried B's merged row back over A's "ABC" (its own "upper" lost on both sides). Now B refuses the second
// spelling with both keys named: one pair per record, nothing overwritten, the same refusal each run, no ping-pong.
describe('a MariaDB side whose key compares by a collation', () => {
  it('Postgres ↔ MariaDB: "ABC"/"abc" and "x"/"x  " on A are not merged on B; the runs settle and edits go across', async () => {
    const cols = [
      { name: 'code', type: 'text' as const },
      { name: 'name', type: 'text' as const },
      { name: 'updated_at', type: 'datetime' as const },
    ];
    await pgc.query(`CREATE TABLE ci_a (code text PRIMARY KEY, name text, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await pgc.query(`CREATE TRIGGER ci_a_touch BEFORE UPDATE ON ci_a FOR EACH ROW EXECUTE FUNCTION touch()`);
    // One stamp for the four (the statement's now()): each later run reads them all again at its cursor (ties are read
    // again), so each refuses the two again. clock_timestamp() tied them only when the four fell in one millisecond.
    await pgc.query(`INSERT INTO ci_a (code, name, updated_at) SELECT code, name, now() FROM (VALUES ('ABC', 'upper'), ('abc', 'lower'), ('x', 'plain'), ('x  ', 'padded')) AS v (code, name)`);
    await my!.query(`CREATE TABLE ci_b (code varchar(50) COLLATE utf8mb4_general_ci PRIMARY KEY, name varchar(50), updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)) CHARACTER SET utf8mb4`);
    const a = { connectionId: 'con_pg', object: 'public.ci_a', updatedAt: 'updated_at', columns: cols, key: ['code'], deletedField: '' };
    const b = { connectionId: 'con_my', object: 'ci_b', updatedAt: 'updated_at', columns: cols, key: ['code'], deletedField: '' };
    const s = sync({ a, b, match: { a: 'code', b: 'code' }, fields: [F('code'), F('name')] });
    const aRows = async () => (await pgc.query(`SELECT code, name FROM ci_a ORDER BY code COLLATE "C"`)).rows.map((r) => [r.code, r.name]);
    const bRows = async () => ((await my!.query(`SELECT CAST(code AS BINARY) AS code, name FROM ci_b ORDER BY CAST(code AS BINARY)`)) as [Record<string, unknown>[], unknown])[0].map((r) => [String(r.code), r.name]);
    const A_HOLDS = [['ABC', 'upper'], ['abc', 'lower'], ['x', 'plain'], ['x  ', 'padded']];

    const first = await s.run();
    expect(first).toMatchObject({ createdB: 2, writtenA: 0, rejected: 2 });
    expect(first.records.map((r) => r.reason)).toEqual([
      expect.stringContaining('Side B (ci_b) refused the write: Not written: code = "abc" and code = "ABC" (in the same batch) are two keys, but to the key\'s collation (utf8mb4_general_ci'),
      expect.stringContaining('code = "x  " and code = "x" (in the same batch)'),
    ]);
    expect(await aRows()).toEqual(A_HOLDS);
    expect(await bRows()).toEqual([['ABC', 'upper'], ['x', 'plain']]);
    // The runs after: nothing written either way, the same two refusals (the stored key named), A and B as they were.
    for (let i = 0; i < 2; i++) {
      const again = await s.run();
      expect(again).toMatchObject({ writtenA: 0, writtenB: 0, rejected: 2 });
      expect(again.records[0]?.reason).toContain('code = "abc" and the record with code = "ABC" already in ci_b');
      expect(await aRows()).toEqual(A_HOLDS);
      expect(await bRows()).toEqual([['ABC', 'upper'], ['x', 'plain']]);
    }
    // A paired record's edit goes across; the refused one's edit overwrites nothing.
    await pgc.query(`UPDATE ci_a SET name = 'upper 2' WHERE code = 'ABC'`);
    await pgc.query(`UPDATE ci_a SET name = 'lower 2' WHERE code = 'abc'`);
    expect(await s.run()).toMatchObject({ writtenB: 1, writtenA: 0, rejected: 2 });
    expect(await bRows()).toEqual([['ABC', 'upper 2'], ['x', 'plain']]);
    await my!.query(`UPDATE ci_b SET name = 'plain B' WHERE code = 'x'`);
    expect(await s.run()).toMatchObject({ writtenA: 1, writtenB: 0 });
    expect(await aRows()).toEqual([['ABC', 'upper 2'], ['abc', 'lower 2'], ['x', 'plain B'], ['x  ', 'padded']]);
  });
});

// keys15: the same on a Postgres side whose key's `=` folds (citext; text under a nondeterministic ICU collation).
// Both A spellings were written to B: the batch's upsert failed (ON CONFLICT cannot affect a row twice), the row-by-row
// fallback wrote "ABC" and overwrote it with "abc", both pairs took that row and the key map's save failed the run
// (two_way_pairs_b). Now B refuses the second spelling naming both keys, as a MariaDB side does.
describe('a Postgres side whose key compares by its type or a nondeterministic collation', () => {
  const cols = [
    { name: 'code', type: 'text' as const },
    { name: 'name', type: 'text' as const },
    { name: 'updated_at', type: 'datetime' as const },
  ];
  beforeAll(async () => {
    await pgc.query('CREATE EXTENSION IF NOT EXISTS citext');
    await pgc.query(`CREATE COLLATION IF NOT EXISTS ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`);
  });
  const pgKeyed = async (name: string, column: string, rows: [string, string][]) => {
    await pgc.query(`CREATE TABLE ${name} (code ${column} PRIMARY KEY, name text, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await pgc.query(`CREATE TRIGGER ${name}_touch BEFORE UPDATE ON ${name} FOR EACH ROW EXECUTE FUNCTION touch()`);
    // One stamp for all (the statement's now()), as on the MariaDB side above: a later incremental run reads them all
    // again at its cursor (ties are read again). Inserted one by one under clock_timestamp(), whether "abc" was read
    // again hung on whether it fell in the same millisecond as the last row (the official CI saw it once).
    if (rows.length) {
      await pgc.query(
        `INSERT INTO ${name} (code, name, updated_at) SELECT code, name, now() FROM unnest($1::text[], $2::text[]) AS v (code, name)`,
        [rows.map((r) => r[0]), rows.map((r) => r[1])],
      );
    }
    return { connectionId: 'con_pg', object: `public.${name}`, updatedAt: 'updated_at', columns: cols, key: ['code'], deletedField: '' };
  };
  const pgHolds = async (name: string) => (await pgc.query(`SELECT code::text AS code, name FROM ${name} ORDER BY code::text COLLATE "C"`)).rows.map((r) => [r.code, r.name]);

  it('Postgres text ↔ Postgres citext: "ABC"/"abc" on A are not merged on B; the runs settle and edits go across', async () => {
    const a = await pgKeyed('cit_a', 'text', [['ABC', 'upper'], ['abc', 'lower'], ['x', 'plain']]);
    const b = await pgKeyed('cit_b', 'citext', []);
    const s = sync({ a, b, match: { a: 'code', b: 'code' }, fields: [F('code'), F('name')] });
    const A_HOLDS = [['ABC', 'upper'], ['abc', 'lower'], ['x', 'plain']];
    const first = await s.run();
    expect(first).toMatchObject({ createdB: 2, writtenA: 0, rejected: 1 });
    expect(first.records.map((r) => r.reason)).toEqual([
      'Side B (public.cit_b) refused the write: Not written: code = "abc" and code = "ABC" (in the same batch) are two keys, but to the key\'s type (citext) they are the same key: both would be written to one record.',
    ]);
    expect(await pgHolds('cit_a')).toEqual(A_HOLDS);
    expect(await pgHolds('cit_b')).toEqual([['ABC', 'upper'], ['x', 'plain']]);
    // The runs after (incremental, then full): nothing written either way; each reads "abc" again and refuses it
    // again, the stored key named. A and B as they were.
    for (const fullSync of [false, true]) {
      const again = await s.run({ fullSync });
      expect(again).toMatchObject({ writtenA: 0, writtenB: 0, rejected: 1 });
      expect(again.records[0]?.reason).toContain('code = "abc" and the record with code = "ABC" already in cit_b');
      expect(await pgHolds('cit_a')).toEqual(A_HOLDS);
      expect(await pgHolds('cit_b')).toEqual([['ABC', 'upper'], ['x', 'plain']]);
    }
    await pgc.query(`UPDATE cit_a SET name = 'upper 2' WHERE code = 'ABC'`);
    await pgc.query(`UPDATE cit_a SET name = 'lower 2' WHERE code = 'abc'`);
    expect(await s.run()).toMatchObject({ writtenB: 1, writtenA: 0, rejected: 1 });
    expect(await pgHolds('cit_b')).toEqual([['ABC', 'upper 2'], ['x', 'plain']]);
    await pgc.query(`UPDATE cit_b SET name = 'plain B' WHERE code = 'x'`);
    expect(await s.run()).toMatchObject({ writtenA: 1, writtenB: 0 });
    expect(await pgHolds('cit_a')).toEqual([['ABC', 'upper 2'], ['abc', 'lower 2'], ['x', 'plain B']]);
  });

  it('workspace ↔ Postgres ICU collation, MariaDB (utf8mb4_bin) ↔ Postgres citext: the other spelling is refused on the Postgres side, again whenever it is read again', async () => {
    const object = `cit_ws_${nodeSeq}`;
    const wsCols = cols.filter((c) => c.name !== 'updated_at');
    await store.writeWorkspace({ object, key: ['code'], fields: wsCols, mode: 'upsert', rows: [{ code: 'abc', name: 'lower' }, { code: 'Q', name: 'q' }] });
    const ws = { connectionId: '', object, updatedAt: '_updated_at', columns: wsCols, key: ['code'], deletedField: '' };
    const icu = await pgKeyed('cit_icu', 'text COLLATE ci', [['ABC', 'upper']]);
    const s = sync({ a: icu, b: ws, match: { a: 'code', b: 'code' }, fields: [F('code'), F('name')] });
    // A's "ABC" has no match on B (match values compare exactly): created there; B's "abc" is refused on A, "Q" created.
    for (const [i, expected] of [{ createdA: 1, createdB: 1, rejected: 1 }, { writtenA: 0, writtenB: 0, rejected: 1 }].entries()) {
      const run = await s.run({ fullSync: i > 0 });
      expect(run).toMatchObject(expected);
      expect(run.records[0]?.reason).toContain(`Side A (public.cit_icu) refused the write: Not written: code = "abc" and the record with code = "ABC" already in cit_icu are two keys, but to the key's collation (public.ci, nondeterministic) they are the same key`);
      expect([i, await pgHolds('cit_icu')]).toEqual([i, [['ABC', 'upper'], ['Q', 'q']]]);
    }

    await my!.query(`CREATE TABLE cit_my (code varchar(50) COLLATE utf8mb4_bin PRIMARY KEY, name varchar(50), updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)) CHARACTER SET utf8mb4`);
    await my!.query(`INSERT INTO cit_my (code, name) VALUES ('ABC', 'upper'), ('abc', 'lower')`);
    const mine = { connectionId: 'con_my', object: 'cit_my', updatedAt: 'updated_at', columns: cols, key: ['code'], deletedField: '' };
    const cit = await pgKeyed('cit_c', 'citext', []);
    const t = sync({ a: mine, b: cit, match: { a: 'code', b: 'code' }, fields: [F('code'), F('name')] });
    expect(await t.run()).toMatchObject({ createdB: 1, rejected: 1 });
    expect(await t.run({ fullSync: true })).toMatchObject({ writtenA: 0, writtenB: 0, rejected: 1 });
    expect(await pgHolds('cit_c')).toEqual([['ABC', 'upper']]);
  });
});
