// review13a: migrations 30 and 32 over a store holding a two-way run in flight (a direction `applying` under `tw#a`, its
// last key applied and a delete call in flight), on each store engine (PGlite, PGlite through its store server,
// Postgres): the direction moves to (tw, side a) with its progress, its keys follow it, the retry takes it at fence 1
// and resumes after its key; a record with an older fence writes nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { graphFixture } from '../../test/support/graph-fixtures';
import type { Graph } from '../../shared/graph/schema';
import { createDrizzleStore } from './drizzle-store';
import { createPglite, openPglite, openPostgres, type Engine } from './engines';
import { migrate } from './migrate';
import { MIGRATIONS } from './migrations';
import { startPgliteServer } from './pglite-server';
import { ADMIN_URL, admin } from '../../test/support/pg-admin';

const postgresUp = await admin(ADMIN_URL, 'SELECT 1').then(
  () => true,
  () => false,
);

type Opened = { engine: Engine; done: () => Promise<void> };

const engines: [string, () => Promise<Opened>][] = [
  [
    'PGlite',
    async () => {
      const engine = await openPglite(null);
      return { engine, done: () => engine.close() };
    },
  ],
  [
    'PGlite through its store server',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'weft-review13a-'));
      const db = await createPglite(null);
      const server = await startPgliteServer({ db, listen: { path: join(dir, '.s.PGSQL.5432') } });
      const engine = await openPostgres(`postgresql://postgres@localhost:5432/postgres?host=${encodeURIComponent(dir)}`, 10, 'pglite');
      return {
        engine,
        done: async () => {
          await engine.close();
          await server.stop();
          await db.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  ...(postgresUp
    ? [
        [
          'Postgres',
          async () => {
            const name = `weft_test_sides_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
            await admin(ADMIN_URL, `CREATE DATABASE ${name}`);
            const url = new URL(ADMIN_URL);
            url.pathname = `/${name}`;
            const engine = await openPostgres(url.toString());
            return {
              engine,
              done: async () => {
                await engine.close();
                await admin(ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
              },
            };
          },
        ] as [string, () => Promise<Opened>],
      ]
    : []),
];

describe.each(engines)('migrations 30 and 32 with a two-way run in flight, on %s', (_name, open) => {
  it('move an applying direction with its progress and keys; the retry takes it and resumes after its key', async () => {
    const { engine, done } = await open();
    try {
      await migrate(engine.db, MIGRATIONS.filter((m) => m.version < 30));
      const old = createDrizzleStore(engine);
      const base = graphFixture('workspace-map-workspace');
      const graph: Graph = { ...base, nodes: [...base.nodes, { id: 'tw', kind: 'two-way-sync', label: 'Both ways', position: { x: 0, y: 300 }, config: {} }] };
      const integration = await old.createIntegration({ name: 'Old', description: '', graph });
      const plan = { version: 1 as const, steps: [], pipelines: [{ id: 'p-tw', nodeIds: ['tw'] }], valueMaps: {} };
      const version = await old.createVersion(integration.id, graph, plan, 'hash-old');
      const run = await old.createRun({ integrationId: integration.id, versionId: version.id, trigger: 'manual', params: {}, steps: [{ nodeId: 'tw', kind: 'two-way-sync', label: 'Both ways' }] });
      await engine.db.execute(sql`INSERT INTO run_deletes (run_id, node_id, state, candidates, target_records, allowed, applied, after_key, in_flight)
        VALUES (${run.id}, 'tw#a', 'applying', 3, 10, 10, 1, '[1]', 2)`);
      await engine.db.execute(sql`INSERT INTO run_keys (run_id, node_id, key, deleted) VALUES (${run.id}, 'tw#a', '[1]', true), (${run.id}, 'tw#a', '[2]', true), (${run.id}, 'tw#a', '[3]', true)`);

      expect(await migrate(engine.db)).toEqual(expect.arrayContaining([30, 32]));
      const sync = createDrizzleStore(engine).sync;
      const side = { nodeId: 'tw', side: 'a' as const };
      const taken = await sync.takeDeletePhase(run.id, side);
      expect(taken).toMatchObject({ nodeId: 'tw', side: 'a', state: 'applying', applied: 1, inFlight: 2, fence: 1 });
      expect((await sync.listDeletedKeys(run.id, side, { after: taken!.afterKey!, limit: 10 })).map((k) => k.key)).toHaveLength(2);
      expect(await sync.getDeletePhase(run.id, 'tw')).toBeNull();
      expect(await sync.countDeletedKeys(run.id, 'tw#a')).toBe(0);
      // The taker records; an attempt holding an older fence (0: it found none) writes nothing.
      expect(await sync.recordDeletePhase({ ...taken!, applied: 3, state: 'applied', afterKey: null, inFlight: null })).toBe(1);
      expect(await sync.recordDeletePhase({ ...taken!, fence: 0, applied: 9 })).toBeNull();
      expect(await sync.getDeletePhase(run.id, side)).toMatchObject({ state: 'applied', applied: 3 });
    } finally {
      await done();
    }
  }, 60_000);
});
