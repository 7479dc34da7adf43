// Runs the store suite on both engines (in-memory PGlite, and a throwaway database on the local Postgres),
// plus what only one engine has: PGlite's data surviving a restart, Postgres chosen by a URL.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { is, sql } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Db } from './db';
import { createPglite, openPglite, openPostgres, type Engine } from './engines';
import { startPgliteServer, type PgliteServer } from './pglite-server';
import { createDrizzleStore } from './drizzle-store';
import { openStore } from './index';
import { migrate } from './migrate';
import { MIGRATIONS } from './migrations';
import { secretBox } from '../connections/service';
import * as schema from './schema';
import { graphOf, runStoreSuite } from './store-suite';
import { ADMIN_URL, admin } from '../../test/support/pg-admin';

async function reachable(): Promise<boolean> {
  try {
    await admin(ADMIN_URL, 'SELECT 1');
    return true;
  } catch (err) {
    const where = new URL(ADMIN_URL).host;
    console.warn(`No Postgres answered at ${where} (${err instanceof Error ? err.message : String(err)}): skipping the Postgres store suite. Set WEFT_TEST_DATABASE_URL to point at one.`);
    return false;
  }
}

const postgresUp = await reachable();

/** A fresh database on the test server, dropped after the suite. */
function throwawayDatabase() {
  const name = `weft_test_${randomBytes(6).toString('hex')}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    create: async () => void (await admin(ADMIN_URL, `CREATE DATABASE ${name}`)),
    drop: async () => void (await admin(ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

/** One column as the typed schema declares it or the migrated database has it. */
interface ColumnFact {
  column: string;
  type: string;
  nullable: boolean;
}
type Columns = Record<string, ColumnFact[]>;

/** Drizzle's SQL type names spelled as Postgres' format_type() prints them. */
function postgresTypeName(drizzleType: string): string {
  const aliases: Record<string, string> = { serial: 'integer', bigserial: 'bigint', smallserial: 'smallint', timestamp: 'timestamp without time zone' };
  return aliases[drizzleType] ?? drizzleType.replace(/^varchar/, 'character varying').replace(/^timestamp\((\d+)\)$/, 'timestamp($1) without time zone');
}

const byName = (a: ColumnFact, b: ColumnFact) => (a.column < b.column ? -1 : a.column > b.column ? 1 : 0);

/** Every table of runtime/store/schema.ts with its columns (a primary key's columns are never null). */
function typedSchemaColumns(): Columns {
  const tables: Columns = {};
  for (const value of Object.values(schema)) {
    if (!is(value, PgTable)) continue;
    const config = getTableConfig(value);
    const inPrimaryKey = new Set(config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name)));
    tables[config.name] = config.columns
      .map((c) => ({ column: c.name, type: postgresTypeName(c.getSQLType()), nullable: !(c.notNull || c.primary || inPrimaryKey.has(c.name)) }))
      .sort(byName);
  }
  return tables;
}

/** Every table the migrations made in the store's schema, with its columns, as the database reports them. */
async function migratedColumns(db: Db): Promise<Columns> {
  const result = (await db.execute(sql`
    SELECT c.relname AS "table", a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS "type", NOT a.attnotnull AS "nullable"
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
  `)) as unknown as { rows: { table: string; column: string; type: string; nullable: boolean }[] };
  const tables: Columns = {};
  for (const r of result.rows) (tables[r.table] ??= []).push({ column: r.column, type: r.type, nullable: r.nullable });
  for (const columns of Object.values(tables)) columns.sort(byName);
  return tables;
}

/** The typed schema and the SQL migrations describe the same tables and columns (name, type, nullability). */
function checkSchemaAgainstMigrations(openEngine: () => Promise<Engine>) {
  it('the migrated database has exactly the typed schema\'s tables and columns', async () => {
    const engine = await openEngine();
    try {
      await migrate(engine.db);
      const expected = typedSchemaColumns();
      expect(Object.keys(expected).length).toBeGreaterThan(10);
      const actual = await migratedColumns(engine.db);
      expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
      for (const table of Object.keys(expected)) expect({ table, columns: actual[table] }).toEqual({ table, columns: expected[table] });
    } finally {
      await engine.close();
    }
  });
}

describe('typed schema and migrations on PGlite', () => {
  checkSchemaAgainstMigrations(() => openPglite(null));

  it('leaves workspace records without a foreign key to their object (migration 14), the other keys in place', async () => {
    const engine = await openPglite(null);
    try {
      await migrate(engine.db);
      const keys = (await engine.db.execute(sql`
        SELECT conrelid::regclass::text AS "table", conname AS name FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2
      `)) as unknown as { rows: { table: string; name: string }[] };
      expect(keys.rows.filter((k) => k.table === 'workspace_records')).toEqual([]);
      expect(keys.rows.some((k) => k.table === 'run_files')).toBe(true);
    } finally {
      await engine.close();
    }
  });

  // Issue 16: every run ends with the alerts' decision; a run that leaves it as it was must not rewrite the row.
  it('leaves the integration row alone when a run does not change its alert memory', async () => {
    const engine = await openPglite(null);
    const store = createDrizzleStore(engine);
    try {
      await store.migrate();
      const { id } = await store.createIntegration({ name: 'Alerts', description: '', graph: graphOf('m1') });
      const version = async () => ((await engine.db.execute(sql`SELECT xmin::text AS v FROM integrations WHERE id = ${id}`)) as unknown as { rows: { v: string }[] }).rows[0]!.v;
      const same = () => store.ops.transitionAlerts(id, (m) => ({ update: { state: m.state, consecutiveFailures: m.consecutiveFailures }, result: m }));
      await same(); // the first call gives the integration its webhook secret
      const before = await version();
      const memory = await same();
      expect(await version()).toBe(before);
      await store.ops.transitionAlerts(id, () => ({ update: { state: 'failing', consecutiveFailures: 1 }, result: null }));
      expect(await version()).not.toBe(before);
      expect(await store.ops.transitionAlerts(id, (m) => ({ update: null, result: [m.state, m.consecutiveFailures, m.webhookSecret === memory?.webhookSecret] }))).toEqual(['failing', 1, true]);
    } finally {
      await store.close();
    }
  });

  // Issue 16: PGlite never vacuums, and with full pages every rewrite of a record put its new version on a new page
  // (a 10,000-record object grew by its whole size on every run). Migration 27 leaves room for updates in place.
  it('keeps a workspace object its size when every record is rewritten run after run (migration 27)', async () => {
    const engine = await openPglite(null);
    const store = createDrizzleStore(engine);
    try {
      await store.migrate();
      const fields = [
        { name: 'email', type: 'text' as const },
        { name: 'amount', type: 'number' as const },
        { name: 'synced_at', type: 'text' as const },
      ];
      const size = async () => Number(((await engine.db.execute(sql`SELECT pg_relation_size('workspace_records') AS s`)) as unknown as { rows: { s: string }[] }).rows[0]!.s);
      const sizes: number[] = [];
      for (let round = 0; round < 9; round += 1) {
        const rows = Array.from({ length: 2000 }, (_, i) => ({ email: `r${i}@example.com`, amount: i, synced_at: `2026-12-06T10:00:0${round}Z` }));
        const outcomes = await store.writeWorkspace({ object: 'rewritten', key: ['email'], fields, mode: 'upsert', rows });
        expect(outcomes.every((o) => o.outcome === (round === 0 ? 'created' : 'updated'))).toBe(true);
        sizes.push(await size());
      }
      // Without room on the pages the table grew by about its first size on every round (8x over these rounds).
      expect(sizes[8]! - sizes[5]!).toBeLessThan(sizes[0]! * 0.25);
      expect(sizes[8]!).toBeLessThan(sizes[0]! * 3);
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(!postgresUp)('typed schema and migrations on Postgres', () => {
  const database = throwawayDatabase();
  afterAll(database.drop);
  checkSchemaAgainstMigrations(async () => {
    await database.create();
    return openPostgres(database.url);
  });
});

describe('store on PGlite (in memory)', () => {
  runStoreSuite({ openEngine: () => openPglite(null) });
});

describe('store on PGlite through its store server (as `npm start` runs it)', () => {
  // An in-memory PGlite behind pglite-server.ts, reached by a pg pool of 10: the store's concurrent calls share one
  // backend, so a call that waited on another inside a transaction would hang here (and be cut off after 60 s).
  let served: { db: Awaited<ReturnType<typeof createPglite>>; server: PgliteServer; dir: string } | null = null;
  runStoreSuite({
    openEngine: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'weft-store-socket-'));
      const db = await createPglite(null);
      const server = await startPgliteServer({ db, listen: { path: join(dir, '.s.PGSQL.5432') } });
      served = { db, server, dir };
      return openPostgres(`postgresql://postgres@localhost:5432/postgres?host=${encodeURIComponent(dir)}`, 10, 'pglite');
    },
    dispose: async () => {
      if (!served) return;
      await served.server.stop();
      await served.db.close();
      await rm(served.dir, { recursive: true, force: true });
    },
  });
});

describe.skipIf(!postgresUp)('store on Postgres', () => {
  const database = throwawayDatabase();
  runStoreSuite({
    openEngine: async () => {
      await database.create();
      return openPostgres(database.url);
    },
    dispose: database.drop,
  });
});

describe.skipIf(!postgresUp)('migrating one Postgres from two processes at once', () => {
  const database = throwawayDatabase();
  afterAll(database.drop);

  it('applies each migration once', async () => {
    await database.create();
    const engines = await Promise.all([openPostgres(database.url), openPostgres(database.url)]);
    try {
      // One with the secrets key (the API) and one without (a worker started without it): each migration applied once.
      const box = secretBox(randomBytes(32));
      const applied = await Promise.all(engines.map((e, i) => migrate(e.db, MIGRATIONS, i === 0 ? { secrets: box } : {})));
      expect(applied.flat().sort((a, b) => a - b)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await Promise.all(engines.map((e) => e.close()));
    }
  });
});

describe.skipIf(!postgresUp)('openStore with a database URL', () => {
  const database = throwawayDatabase();
  afterAll(database.drop);

  it('uses Postgres, migrates it, and ignores the data directory', async () => {
    await database.create();
    const dataDir = join(tmpdir(), `weft-unused-${randomBytes(4).toString('hex')}`);
    const store = await openStore({ dataDir, databaseUrl: database.url });
    try {
      expect(store.engine).toBe('postgres');
      await store.migrate();
      expect(await store.listIntegrations()).toEqual([]);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      await store.close();
    }
  });
});

describe('openStore on PGlite on disk', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('keeps its data across close and reopen', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'weft-store-'));
    dirs.push(dataDir);
    const first = await openStore({ dataDir });
    expect(first.engine).toBe('pglite');
    const created = await first.createIntegration({ name: 'Survives restarts', description: 'on disk', graph: graphOf('m') });
    const version = await first.createVersion(created.id, created.graph, { version: 1, steps: [], pipelines: [{ id: 'p1', nodeIds: ['src', 'dst'] }], valueMaps: {} }, 'h');
    await first.close();
    expect(existsSync(join(dataDir, 'pglite'))).toBe(true);

    const second = await openStore({ dataDir });
    try {
      expect(await second.getIntegration(created.id)).toMatchObject({ name: 'Survives restarts', publishedVersionId: version.id, hasUnpublishedChanges: false });
      expect(await second.getVersion(version.id)).toEqual(version);
    } finally {
      await second.close();
    }
  });

  it('opens in memory on request', async () => {
    const store = await openStore({ memory: true });
    try {
      expect(store.engine).toBe('pglite');
      expect(await store.listWorkspaceObjects()).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(!postgresUp)('parts of one run committing at once on Postgres', () => {
  const database = throwawayDatabase();
  let store: Awaited<ReturnType<typeof openStore>> | undefined;
  afterAll(async () => {
    await store?.close();
    await database.drop();
  });

  it("never deadlock on the run's steps: 8 parts of 30 batches, each commit counting the steps in its own order, parts marking them running meanwhile", async () => {
    await database.create();
    store = await openStore({ dataDir: tmpdir(), databaseUrl: database.url });
    // Parts of one pipeline commit to the same run_steps rows (each commit adds to several in one statement) and set
    // them running when they start or are retried. Postgres locks rows in the order it meets them: without one lock
    // order, two of these can each hold a row the other waits for (without the ordered locks most commits here failed
    // with "deadlock detected" and the test ran out of time; with only the commit's, 20-41 of them still did).
    const nodeIds = Array.from({ length: 12 }, (_, i) => `n${String(i).padStart(2, '0')}`);
    const graph = graphOf(...nodeIds);
    const integration = await store.createIntegration({ name: 'Parts at once', description: '', graph });
    const version = await store.createVersion(integration.id, graph, { version: 1, steps: [], pipelines: [{ id: 'p1', nodeIds }], valueMaps: {} }, 'h');
    const run = await store.createRun({ integrationId: integration.id, versionId: version.id, trigger: 'manual', params: {}, steps: nodeIds.map((nodeId) => ({ nodeId, kind: 'map', label: nodeId })) });
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const shuffled = <T>(items: readonly T[]) => items.map((item) => ({ item, at: random() })).sort((a, b) => a.at - b.at).map((x) => x.item);
    const PARTS = 8;
    const BATCHES = 30;
    const failures: string[] = [];
    const s = store;
    await Promise.all(
      Array.from({ length: PARTS }, async (_, part) => {
        for (let batch = 1; batch <= BATCHES; batch++) {
          const failed = (err: unknown) => failures.push(`${String(err).slice(0, 60)}: ${String((err as { cause?: unknown }).cause ?? '')}`);
          // A part starting (or retried) marks its steps running while its siblings commit.
          if (batch % 5 === 1) await s.setStepsStatus(run.id, shuffled(nodeIds), 'running').catch(failed);
          const counts = Object.fromEntries(shuffled(nodeIds).map((nodeId) => [nodeId, { read: 1, written: 1 }]));
          await s.commitBatch({ runId: run.id, pipelineId: `p1#p${part}`, batch, cursor: null, counts, rejected: [] }).catch(failed);
        }
      }),
    );
    expect(failures).toEqual([]);
    const steps = (await s.getRun(run.id))?.steps ?? [];
    expect(steps.map((step) => [step.nodeId, step.counts.read, step.counts.written])).toEqual(nodeIds.map((nodeId) => [nodeId, PARTS * BATCHES, PARTS * BATCHES]));
  });
});

describe.skipIf(!postgresUp)('workspace batch commits on Postgres (ws16b)', () => {
  const database = throwawayDatabase();
  let store: Awaited<ReturnType<typeof openStore>> | undefined;
  afterAll(async () => {
    await store?.close();
    await database.drop();
  });
  const fields = [
    { name: 'id', type: 'number' as const },
    { name: 'name', type: 'text' as const },
  ];

  it('commits a workspace upsert in 4 round trips: BEGIN, the claim with the object locked, the upsert with every step counted, COMMIT', async () => {
    await database.create();
    store = await openStore({ dataDir: tmpdir(), databaseUrl: database.url });
    const graph = graphOf('map');
    const integration = await store.createIntegration({ name: 'Round trips', description: '', graph });
    const version = await store.createVersion(integration.id, graph, { version: 1, steps: [], pipelines: [{ id: 'p1', nodeIds: ['src', 'map', 'dst'] }], valueMaps: {} }, 'h');
    const steps = [
      { nodeId: 'src', kind: 'csv-source', label: 'S' },
      { nodeId: 'map', kind: 'map', label: 'M' },
      { nodeId: 'dst', kind: 'workspace-target', label: 'D' },
    ];
    const run = await store.createRun({ integrationId: integration.id, versionId: version.id, trigger: 'manual', params: {}, steps });
    const rows = (from: number) => Array.from({ length: 50 }, (_, i) => ({ id: from + i, name: `n${from + i}` }));
    const batch = (n: number, values: Record<string, unknown>[]) => ({
      runId: run.id,
      pipelineId: 'p1',
      batch: n,
      cursor: { n },
      counts: { src: { read: values.length, written: values.length }, map: { read: values.length, written: values.length } },
      progress: { src: { unit: 'rows' as const, total: 200, done: n * 50 } },
      rejected: [],
      workspaceWrite: { object: 'round_trips', key: ['id'], fields, mode: 'upsert' as const, rows: values, rowNumbers: values.map((_, i) => i + 1), nodeId: 'dst' },
    });
    // The first batch creates the object (more statements); the second is every later batch of a run.
    await store.commitBatch(batch(1, rows(1)));
    const query = vi.spyOn(pg.Client.prototype, 'query');
    let outcomes;
    try {
      ({ outcomes } = await store.commitBatch(batch(2, [...rows(26), { id: 1000, name: 'new' }].map((r) => (r.id === 30 ? { ...r, name: 'changed' } : r)))));
      expect(query).toHaveBeenCalledTimes(4);
    } finally {
      query.mockRestore();
    }
    // 26–50 unchanged except 30, 51–75 created, 1000 created.
    expect(outcomes.filter((o) => o.outcome === 'created')).toHaveLength(26);
    expect(outcomes.filter((o) => o.outcome === 'updated')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'unchanged')).toHaveLength(24);
    const done = await store.getRun(run.id);
    const counts = Object.fromEntries((done?.steps ?? []).map((s) => [s.nodeId, s.counts]));
    expect(counts.src).toMatchObject({ read: 101, written: 101 });
    expect(counts.map).toMatchObject({ read: 101, written: 101 });
    expect(counts.dst).toMatchObject({ written: 101, created: 76, updated: 1, unchanged: 24, rejected: 0 });
    expect((await store.getCheckpoint(run.id, 'p1')).batch).toBe(2);
    // A retry of the committed batch changes nothing.
    expect(await store.commitBatch(batch(2, rows(26)))).toEqual({ applied: false, outcomes: [] });
    expect((await store.getRun(run.id))?.steps.find((s) => s.nodeId === 'dst')?.counts).toMatchObject({ written: 101, created: 76 });
  });

  it('parts of one run writing one object at once: no deadlock, every count and record exact', async () => {
    const s = store!;
    const nodeIds = ['a', 'b', 'c', 'd'];
    const graph = graphOf(...nodeIds);
    const integration = await s.createIntegration({ name: 'Parts to one object', description: '', graph });
    const version = await s.createVersion(integration.id, graph, { version: 1, steps: [], pipelines: [{ id: 'p1', nodeIds }], valueMaps: {} }, 'h');
    const run = await s.createRun({ integrationId: integration.id, versionId: version.id, trigger: 'manual', params: {}, steps: [...nodeIds.map((nodeId) => ({ nodeId, kind: 'map', label: nodeId })), { nodeId: 'dst', kind: 'workspace-target', label: 'D' }] });
    const PARTS = 4;
    const BATCHES = 10;
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: PARTS }, async (_, part) => {
        for (let batch = 1; batch <= BATCHES; batch++) {
          const values = Array.from({ length: 20 }, (_, i) => ({ id: part * 1000 + batch * 20 + i, name: 'x' }));
          const order = part % 2 === 0 ? nodeIds : [...nodeIds].reverse();
          await s
            .commitBatch({
              runId: run.id,
              pipelineId: `p1#p${part}`,
              batch,
              cursor: null,
              counts: Object.fromEntries(order.map((nodeId) => [nodeId, { read: 20, written: 20 }])),
              rejected: [],
              workspaceWrite: { object: 'parts_at_once', key: ['id'], fields, mode: 'upsert', rows: values, rowNumbers: values.map((_, i) => i + 1), nodeId: 'dst' },
            })
            .catch((err: unknown) => failures.push(String(err)));
        }
      }),
    );
    expect(failures).toEqual([]);
    const steps = (await s.getRun(run.id))?.steps ?? [];
    expect(steps.find((x) => x.nodeId === 'dst')?.counts).toMatchObject({ written: 800, created: 800 });
    for (const nodeId of nodeIds) expect(steps.find((x) => x.nodeId === nodeId)?.counts).toMatchObject({ read: 800, written: 800 });
    expect((await s.getWorkspaceObject('parts_at_once'))?.recordCount).toBe(800);
  });
});
