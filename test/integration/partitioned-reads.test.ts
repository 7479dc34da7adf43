// Partitioned reads (issue 16) on the real dev server, a real Postgres source and target: a source split in parts
// (one runPipeline per part, each with its own checkpoint) writes exactly the rows and counts an unsplit run writes;
// a part whose commit fails is retried from its own checkpoint and no row is written twice or lost; boundary cases
// (empty table, one row, keys with huge gaps, a text key, a CSV with quoted line feeds) read the same.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Connection, Integration, type Graph, type RunDetail } from '../../shared';
import { sqlPreviewHash } from '../../shared/graph/kinds/sql-source';
import type { ConnectorSession, SessionOpener } from '../../runtime/connections';
import type { BatchCommit, Store } from '../../runtime/store/types';
import { json, type ApiRig } from '../support/api-rig';
import { openShopRig, type ShopRig } from '../support/postgres-shop';
import { customersGraph, saveCsvFile } from '../support/temporal-harness';

let shop: ShopRig | undefined;
let db: pg.Client;
let rig: ApiRig;
let dir: string;
let connectionId: string;

/**
 * Commits seen by the worker's store, by checkpoint key; each of `failures` makes one commit fail once (before it
 * lands) with its message: a lost connection is waited out inside the activity, a deadlock fails the activity, which
 * Temporal retries.
 */
const commits: BatchCommit[] = [];
let failures: { when: (c: BatchCommit) => boolean; message: string }[] = [];
const watched = (store: Store): Store =>
  new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'commitBatch') {
        return async (c: BatchCommit) => {
          commits.push(c);
          const failure = failures.find((f) => f.when(c));
          if (failure) {
            failures = failures.filter((f) => f !== failure);
            throw new Error(failure.message);
          }
          return target.commitBatch(c);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });

/** The worker's budget of pipelines read at once: below the parts (and runs) of most tests here, so they all run through it. */
const PARTS_IN_FLIGHT = 2;
/** Source reads open now on the worker (a part's read lives from its first batch to its last), and the most seen. */
const reads = { open: 0, most: 0 };
const watchedRead = (session: ConnectorSession): ConnectorSession =>
  new Proxy(session, {
    get(target, prop, receiver) {
      if (prop === 'read') {
        return async function* (...args: Parameters<ConnectorSession['read']>) {
          reads.open += 1;
          reads.most = Math.max(reads.most, reads.open);
          try {
            yield* target.read(...args);
          } finally {
            reads.open -= 1;
          }
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
const watchedSessions = (sessions: SessionOpener): SessionOpener => ({
  open: async (id) => watchedRead(await sessions.open(id)),
  openBuiltIn: async (connector, options) => watchedRead(await sessions.openBuiltIn(connector, options)),
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-parts-'));
  shop = await openShopRig({
    prefix: 'weft_parts',
    name: 'partitioned',
    batchSize: 7,
    address: inject('temporalAddress'),
    activityStore: watched,
    activitySessions: watchedSessions,
    maxPartsInFlight: PARTS_IN_FLIGHT,
  });
  ({ rig, db, connectionId } = shop);
});
afterAll(async () => {
  await shop?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const COLUMNS = [
  { name: 'id', type: 'number' as const },
  { name: 'name', type: 'text' as const },
];

/** Postgres table -> Map (name upper-cased by a calculated field is not needed: Map only) -> Postgres table or workspace object. */
function tableGraph(src: string, target: { table: string } | { object: string }, parallelism?: number, keyType: 'number' | 'text' = 'number'): Graph {
  const columns = [{ name: 'id', type: keyType }, COLUMNS[1]!];
  const sourceConfig = { connectionId, object: `public.${src}`, query: '', columns, key: ['id'], cursorField: '', softDeleteField: '' };
  return {
    version: 1,
    ...(parallelism !== undefined && { settings: { parallelism } }),
    nodes: [
      { id: 'src', kind: 'sql-source', label: src, position: { x: 0, y: 0 }, config: { ...sourceConfig, preview: { loadedAt: new Date().toISOString(), hash: sqlPreviewHash(sourceConfig) } } },
      {
        id: 'map',
        kind: 'map',
        label: 'Map',
        position: { x: 300, y: 0 },
        config: {
          fields: [
            { source: 'id', target: 'id', type: keyType, key: true },
            { source: 'name', target: 'name', type: 'text', key: false },
          ],
        },
      },
      'table' in target
        ? { id: 'dst', kind: 'sql-target', label: target.table, position: { x: 600, y: 0 }, config: { connectionId, object: `public.${target.table}`, mode: 'upsert', columns, key: ['id'] } }
        : { id: 'dst', kind: 'workspace-target', label: target.object, position: { x: 600, y: 0 }, config: { object: target.object, mode: 'upsert' } },
    ],
    edges: [
      { id: 'e1', source: 'src', target: 'map' },
      { id: 'e2', source: 'map', target: 'dst' },
    ],
  };
}

async function publish(g: Graph, name: string): Promise<string> {
  const created = await rig.app.request('/api/integrations', json('POST', { name, graph: g }));
  expect(created.status, await created.clone().text()).toBe(201);
  const integration = Integration.parse(await created.json());
  const published = await rig.app.request(`/api/integrations/${integration.id}/publish`, json('POST'));
  expect(published.status, await published.clone().text()).toBe(200);
  return integration.id;
}

async function run(g: Graph, name: string): Promise<RunDetail> {
  const id = await publish(g, name);
  const started = await rig.app.request(`/api/integrations/${id}/runs`, json('POST', {}));
  expect(started.status, await started.clone().text()).toBe(202);
  return rig.waitForEnd(((await started.json()) as { runId: string }).runId);
}

/** The parts a run's only pipeline was read in (0: it ran whole), from the checkpoints its parts committed under. */
async function partsOf(r: RunDetail): Promise<number> {
  const version = await rig.store.getVersion(r.versionId);
  const pipelineId = version!.plan.pipelines[0]!.id;
  const kept = (await rig.store.getCheckpoint(r.id, `${pipelineId}#parts`)).cursor as { partitions: unknown[] } | null;
  const keys = new Set(commits.filter((c) => c.runId === r.id).map((c) => c.pipelineId));
  if (!kept || kept.partitions.length === 0) {
    // Whole: its batches committed under the pipeline's own key.
    expect([...keys].every((k) => k === pipelineId)).toBe(true);
    return 0;
  }
  // Every part committed under its own key (an empty part commits nothing).
  expect([...keys].every((k) => k.startsWith(`${pipelineId}#p`))).toBe(true);
  return kept.partitions.length;
}

const counts = (r: RunDetail) => Object.fromEntries(r.steps.map((s) => [s.nodeId, { status: s.status, ...s.counts }]));
const rows = async (table: string) => (await db.query(`SELECT id::text, name FROM ${table} ORDER BY id`)).rows as { id: string; name: string }[];

async function sourceTable(name: string, ids: string, keyType = 'bigint') {
  await db.query(`CREATE TABLE ${name} (id ${keyType} PRIMARY KEY, name text)`);
  if (ids) await db.query(`INSERT INTO ${name} SELECT i, 'n' || i FROM (${ids}) AS k(i)`);
}
const targetTable = (name: string, keyType = 'bigint') => db.query(`CREATE TABLE ${name} (id ${keyType} PRIMARY KEY, name text)`);

describe('partitioned reads', () => {
  it('a Postgres table read in 4 parts writes exactly the rows and counts of an unsplit run (keys with huge gaps, negative, past 2^53)', async () => {
    // 400 dense keys, then a few far apart: equal-width ranges give very uneven parts, never wrong ones.
    await sourceTable('big_src', `SELECT generate_series(1, 400) UNION ALL VALUES (-5), (1000000), (9007199254740993), (9223372036854775806)`);
    await targetTable('big_whole');
    await targetTable('big_parts');
    const whole = await run(tableGraph('big_src', { table: 'big_whole' }, 1), 'Whole');
    const parts = await run(tableGraph('big_src', { table: 'big_parts' }, 4), 'Parts');
    expect(whole.status, whole.error ?? '').toBe('completed');
    expect(parts.status, parts.error ?? '').toBe('completed');
    expect(await partsOf(whole)).toBe(0);
    expect(await partsOf(parts)).toBe(4);
    expect(await rows('big_parts')).toEqual(await rows('big_whole'));
    expect((await rows('big_parts')).length).toBe(404);
    expect(counts(parts)).toEqual(counts(whole));
    expect(counts(parts).dst).toMatchObject({ status: 'completed', read: 404, written: 404, created: 404, updated: 0, unchanged: 0 });
  });

  it('one worker reads at most its cap of parts at once: 8 parts of a run on one worker, 2 reading side by side', async () => {
    // Memory bounded on every path: each part holds a pipeline window while it reads, so a worker whose activity
    // slots took all 8 parts would hold 8 windows; the worker's gate lets 2 read and the rest wait their turn.
    await sourceTable('gate_src', 'SELECT generate_series(1, 800)');
    reads.most = 0;
    const r = await run(tableGraph('gate_src', { object: 'gated' }, 8), 'Gated');
    expect(r.status, r.error ?? '').toBe('completed');
    expect(await partsOf(r)).toBe(8);
    expect(reads.open).toBe(0);
    // At most the cap read at once, and the cap was reached (the parts did run side by side, not one by one).
    expect(reads.most).toBe(PARTS_IN_FLIGHT);
    expect(counts(r).dst).toMatchObject({ status: 'completed', read: 800, written: 800, created: 800 });
    expect((await rig.store.listWorkspaceRecords('gated', { limit: 1000 })).total).toBe(800);
  });

  it('one worker reads at most its budget of whole pipelines at once: 8 runs started together, 2 reading side by side, every row exact', async () => {
    // The budget bounds pipelines read whole too (WEFT_MAX_PIPELINES_IN_FLIGHT): without it, the worker's activity
    // slots (the SDK's 100) let all 8 runs read at once, each holding its window.
    const RUNS = 8;
    const ROWS = 70;
    await sourceTable('many_src', `SELECT generate_series(1, ${ROWS})`);
    const ids: string[] = [];
    for (let k = 0; k < RUNS; k++) {
      await targetTable(`many_dst_${k}`);
      ids.push(await publish(tableGraph('many_src', { table: `many_dst_${k}` }, 1), `Many ${k}`));
    }
    reads.most = 0;
    const started = await Promise.all(ids.map((id) => rig.app.request(`/api/integrations/${id}/runs`, json('POST', {}))));
    const runIds = await Promise.all(
      started.map(async (res) => {
        expect(res.status, await res.clone().text()).toBe(202);
        return ((await res.json()) as { runId: string }).runId;
      }),
    );
    // Under load (the machine is shared) a run waiting its turn can take longer than one alone.
    const ended = await Promise.all(runIds.map((runId) => rig.waitForEnd(runId, 150_000)));
    expect(reads.open).toBe(0);
    // At most the budget read at once, and it was reached (the runs did read side by side).
    expect(reads.most).toBe(PARTS_IN_FLIGHT);
    const expected = Array.from({ length: ROWS }, (_, k) => ({ id: String(k + 1), name: `n${k + 1}` }));
    for (const [k, r] of ended.entries()) {
      expect(r.status, r.error ?? '').toBe('completed');
      expect(await partsOf(r)).toBe(0);
      // A batch the loaded Postgres took but did not answer in time is written again when it answers (the outage
      // wait): it then counts as unchanged, so created + unchanged is what is exact here, and the rows below.
      const dst = counts(r).dst!;
      expect(dst).toMatchObject({ status: 'completed', read: ROWS, written: ROWS, updated: 0 });
      expect(dst.created + dst.unchanged).toBe(ROWS);
      expect((await rows(`many_dst_${k}`)).sort((a, b) => Number(a.id) - Number(b.id))).toEqual(expected);
    }
  }, 180_000);

  it('a part whose commit fails is retried from its own checkpoint: no row written twice or lost', async () => {
    await sourceTable('retry_src', 'SELECT generate_series(1, 300)');
    // Part 2's second batch fails to commit once (the worker "loses" the store: waited out inside the activity), and
    // part 1's third fails once with a deadlock (the activity fails; Temporal runs it again); the other parts go on.
    failures = [
      { when: (c) => c.pipelineId.endsWith('#p2') && c.batch === 2, message: 'Connection terminated unexpectedly' },
      { when: (c) => c.pipelineId.endsWith('#p1') && c.batch === 3, message: 'deadlock detected' },
    ];
    const r = await run(tableGraph('retry_src', { object: 'retried' }, 4), 'Retry');
    expect(failures).toEqual([]); // both did fail once
    expect(r.status, r.error ?? '').toBe('completed');
    expect(await partsOf(r)).toBe(4);
    const p2 = commits.filter((c) => c.runId === r.id && c.pipelineId.endsWith('#p2')).map((c) => c.batch);
    expect(p2.slice(0, 3)).toEqual([1, 2, 2]); // resumed at its batch 2, not its batch 1
    const p1 = commits.filter((c) => c.runId === r.id && c.pipelineId.endsWith('#p1')).map((c) => c.batch);
    expect(p1.slice(0, 4)).toEqual([1, 2, 3, 3]); // the retried activity resumed at its batch 3
    expect(counts(r).src).toMatchObject({ read: 300, written: 300 });
    expect(counts(r).dst).toMatchObject({ status: 'completed', read: 300, written: 300, created: 300, updated: 0, unchanged: 0 });
    const records = await rig.store.listWorkspaceRecords('retried', { limit: 1000 });
    expect(records.total).toBe(300);
  });

  it('probe16: int8 keys at both extremes and a smallint key: every row once, in parts', async () => {
    await sourceTable('ext_src', `SELECT generate_series(1, 60) UNION ALL VALUES (-9223372036854775808), (-9223372036854775807), (9223372036854775807), (9223372036854775806), (0)`);
    await sourceTable('small_src', 'SELECT generate_series(-32768, -32700) UNION ALL SELECT generate_series(32700, 32767)', 'smallint');
    await targetTable('ext_dst');
    await targetTable('small_dst', 'smallint');
    const ext = await run(tableGraph('ext_src', { table: 'ext_dst' }, 4), 'Extremes');
    const small = await run(tableGraph('small_src', { table: 'small_dst' }, 5), 'Smallint');
    for (const r of [ext, small]) {
      expect(r.status, r.error ?? '').toBe('completed');
      expect(counts(r).dst).toMatchObject({ updated: 0, unchanged: 0 });
    }
    expect(await partsOf(ext)).toBe(4);
    expect(await partsOf(small)).toBe(5);
    expect(await rows('ext_dst')).toEqual(await rows('ext_src'));
    expect(await rows('small_dst')).toEqual(await rows('small_src'));
    expect(counts(ext).dst).toMatchObject({ read: 65, created: 65 });
    expect(counts(small).dst).toMatchObject({ read: 137, created: 137 });
  });

  it('probe16: rows inserted (in every range, below the least key and past the greatest) and updated while the parts read: each row read is written once', async () => {
    await sourceTable('live_src', 'SELECT generate_series(1000, 3000)');
    await targetTable('live_dst');
    const id = await publish(tableGraph('live_src', { table: 'live_dst' }, 4), 'Live');
    const started = await rig.app.request(`/api/integrations/${id}/runs`, json('POST', {}));
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    // While it reads (batches of 7): new keys everywhere, and names changed everywhere.
    let writes = 0;
    const live = (async () => {
      for (let k = 0; k < 60; k++) {
        await db.query(`INSERT INTO live_src VALUES ($1, 'new'), ($2, 'new'), ($3, 'new') ON CONFLICT DO NOTHING`, [1000 - k - 1, 3000 + k + 1, 1000 + k * 33 + 100000]);
        await db.query(`UPDATE live_src SET name = name || '+' WHERE id = $1`, [1000 + ((k * 37) % 2000)]);
        writes++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const r = await rig.waitForEnd(runId, 120_000);
    await live;
    expect(r.status, r.error ?? '').toBe('completed');
    expect(await partsOf(r)).toBe(4);
    expect(writes).toBe(60);
    const dst = await rows('live_dst');
    // Each row read once: as many created as read, nothing updated (a row read by two parts would be an update).
    expect(counts(r).dst).toMatchObject({ read: dst.length, created: dst.length, updated: 0, unchanged: 0 });
    // Every row there at the start is there, with its name then or later; nothing the source never had.
    const src = new Map((await rows('live_src')).map((x) => [x.id, x.name]));
    for (let i = 1000; i <= 3000; i++) expect(dst.some((d) => d.id === String(i))).toBe(true);
    for (const d of dst) expect(src.get(d.id)?.startsWith(d.name.replace(/\+*$/, '')), d.id).toBe(true);
  }, 120_000);

  it('an empty table, a one-row table and a text key each run whole, and write what an unsplit run writes', async () => {
    await sourceTable('empty_src', '');
    await sourceTable('one_src', 'VALUES (42)');
    await sourceTable('text_src', `SELECT 'k' || generate_series(1, 50)`, 'text');
    await targetTable('empty_dst');
    await targetTable('one_dst');
    await targetTable('text_dst', 'text');
    const empty = await run(tableGraph('empty_src', { table: 'empty_dst' }, 4), 'Empty');
    const one = await run(tableGraph('one_src', { table: 'one_dst' }, 4), 'One');
    const text = await run(tableGraph('text_src', { table: 'text_dst' }, 4, 'text'), 'Text key');
    for (const r of [empty, one, text]) {
      expect(r.status, r.error ?? '').toBe('completed');
      expect(await partsOf(r)).toBe(0);
    }
    expect(counts(empty).dst).toMatchObject({ read: 0, written: 0 });
    expect(await rows('one_dst')).toEqual([{ id: '42', name: 'n42' }]);
    expect((await rows('text_dst')).length).toBe(50);
    expect(counts(text).dst).toMatchObject({ read: 50, created: 50 });
  });

  it('a CSV with quoted line feeds around every cut, read in 5 parts, writes the records, counts and rejections of an unsplit run', async () => {
    const lines = Array.from({ length: 500 }, (_, k) => {
      const i = k + 1;
      const name = i % 3 === 0 ? `"Name ${i}\nsecond line, ""quoted""\n"` : `"Name ${i}"`;
      // Every 37th row has a fifth value: rejected by the source with its own row number.
      return `user${i}@example.com,${name},${i % 41 === 0 ? 'abc' : `${i}.5`},yes${i % 37 === 0 ? ',extra' : ''}`;
    });
    const csv = `Email,Name,Amount,Active\n${lines.join('\n')}\n`;
    const fileId = await saveCsvFile(rig.store, dir, csv);
    const whole = await run({ ...customersGraph({ fileId, object: 'csv_whole' }), settings: { parallelism: 1 } }, 'CSV whole');
    const parts = await run({ ...customersGraph({ fileId, object: 'csv_parts' }), settings: { parallelism: 5 } }, 'CSV parts');
    expect(whole.status, whole.error ?? '').toBe('completed_with_errors');
    expect(parts.status, parts.error ?? '').toBe('completed_with_errors');
    expect(await partsOf(parts)).toBe(5);
    expect(counts(parts)).toEqual(counts(whole));
    expect(counts(parts).source).toMatchObject({ read: 500, rejected: 13 });
    const records = async (object: string) =>
      (await rig.store.listWorkspaceRecords(object, { limit: 1000 })).items.map((r) => [r.key, r.values]);
    expect(await records('csv_parts')).toEqual(await records('csv_whole'));
    expect((await records('csv_parts'))[0]).toEqual([expect.any(String), expect.objectContaining({ email: expect.stringMatching(/@example.com$/) })]);
    expect((await records('csv_parts')).length).toBe(500 - 13 - 12);
    const rejected = async (runId: string) => (await rig.store.listRejected(runId, { limit: 100 })).items.map((r) => [r.nodeId, r.rowNumber, r.reason]).sort();
    expect(await rejected(parts.id)).toEqual(await rejected(whole.id));
  });

  it('a MariaDB table read in 3 parts writes exactly the records and counts of an unsplit run', async () => {
    const MY_URL = process.env.WEFT_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
    const my = new URL(MY_URL);
    const myDb = `weft_parts_${randomBytes(4).toString('hex')}`;
    const root = await mysql.createConnection({ uri: MY_URL, connectTimeout: 2000, multipleStatements: true });
    try {
      await root.query(`CREATE DATABASE ${myDb}; USE ${myDb}; CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT)`);
      const ids = [...Array.from({ length: 250 }, (_, i) => i + 1), 70_000, 5_000_000_000];
      await root.query('INSERT INTO items (id, name) VALUES ?', [ids.map((i) => [i, `n${i}`])]);
      const res = await rig.app.request(
        '/api/connections',
        json('POST', { connector: 'mysql', name: 'Maria', config: { host: my.hostname, port: Number(my.port || 3306), database: myDb, user: decodeURIComponent(my.username || 'root') }, secrets: { password: decodeURIComponent(my.password) } }),
      );
      expect(res.status, await res.clone().text()).toBe(201);
      const maria = Connection.parse(await res.json()).id;
      const graphFor = (object: string, parallelism: number): Graph => {
        const g = tableGraph('items', { object }, parallelism);
        const src = g.nodes[0]!;
        const config = { ...src.config, connectionId: maria, object: 'items' } as Record<string, unknown>;
        delete config.preview;
        const { preview: _p, ...hashed } = config;
        return { ...g, nodes: [{ ...src, config: { ...config, preview: { loadedAt: new Date().toISOString(), hash: sqlPreviewHash(hashed as Parameters<typeof sqlPreviewHash>[0]) } } }, ...g.nodes.slice(1)] };
      };
      const whole = await run(graphFor('maria_whole', 1), 'Maria whole');
      const parts = await run(graphFor('maria_parts', 3), 'Maria parts');
      expect(whole.status, whole.error ?? '').toBe('completed');
      expect(parts.status, parts.error ?? '').toBe('completed');
      expect(await partsOf(parts)).toBe(3);
      expect(counts(parts)).toEqual(counts(whole));
      expect(counts(parts).dst).toMatchObject({ read: 252, created: 252, updated: 0 });
      const records = async (object: string) => (await rig.store.listWorkspaceRecords(object, { limit: 1000 })).items.map((r) => [r.key, r.values]);
      expect(await records('maria_parts')).toEqual(await records('maria_whole'));
      expect((await records('maria_parts')).length).toBe(252);
    } finally {
      await root.query(`DROP DATABASE IF EXISTS ${myDb}`);
      await root.end();
    }
  });
});
