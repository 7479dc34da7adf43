// Incremental and full syncs, allow-new-records and deletes (issue 14) through the API on the real dev server, a real
// Postgres source and target table: cursors move only with committed runs (a failed run re-reads), ties on the mark are
// read again, a full sync reads everything, new records can be refused (skipped: no match), soft deletes and the
// full-sync key comparison delete, and the threshold stops a run before it deletes until a person confirms.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Connection, Integration, type Graph, type RunDetail } from '../../shared';
import { sqlPreviewHash } from '../../shared/graph/kinds/sql-source';
import { describeSourceSync } from '../../shared/sync/options';
import { json, openApiRig, type ApiRig } from '../support/api-rig';

const SERVER_URL = process.env.WEFT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `weft_inc_${randomBytes(4).toString('hex')}`;
let admin: pg.Client;
let db: pg.Client;
let rig: ApiRig;
let connectionId: string;
let up = true;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch {
    up = false;
    return;
  }
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  rig = await openApiRig({ address: inject('temporalAddress'), name: 'incremental', batchSize: 3 });
  const res = await rig.app.request(
    '/api/connections',
    json('POST', { connector: 'postgres', name: 'Shop', config: { host: url.hostname, port: Number(url.port || 5432), database, user: decodeURIComponent(url.username || 'postgres') }, secrets: { password: decodeURIComponent(url.password) } }),
  );
  expect(res.status, await res.clone().text()).toBe(201);
  connectionId = Connection.parse(await res.json()).id;
});
afterAll(async () => {
  await rig?.close();
  await db?.end();
  if (up) await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin?.end();
});

const SRC_COLUMNS = [
  { name: 'id', type: 'number' as const },
  { name: 'name', type: 'text' as const },
  { name: 'updated_at', type: 'datetime' as const },
  { name: 'deleted', type: 'boolean' as const },
];

function graph(src: string, dst: string, source: Record<string, unknown>, target: Record<string, unknown>): Graph {
  const sourceConfig = { connectionId, object: `public.${src}`, query: '', columns: SRC_COLUMNS, key: ['id'], cursorField: 'updated_at', softDeleteField: '', ...source };
  return {
    version: 1,
    nodes: [
      { id: 'src', kind: 'sql-source', label: src, position: { x: 0, y: 0 }, config: { ...sourceConfig, preview: { loadedAt: new Date().toISOString(), hash: sqlPreviewHash(sourceConfig) } } },
      {
        id: 'map',
        kind: 'map',
        label: 'Map',
        position: { x: 300, y: 0 },
        config: {
          fields: [
            { source: 'id', target: 'id', type: 'number', key: true },
            { source: 'name', target: 'name', type: 'text', key: false },
          ],
        },
      },
      {
        id: 'dst',
        kind: 'sql-target',
        label: dst,
        position: { x: 600, y: 0 },
        config: {
          connectionId,
          object: `public.${dst}`,
          mode: 'upsert',
          columns: [
            { name: 'id', type: 'number' },
            { name: 'name', type: 'text' },
            { name: 'is_deleted', type: 'boolean' },
          ],
          key: ['id'],
          ...target,
        },
      },
    ],
    edges: [
      { id: 'e1', source: 'src', target: 'map' },
      { id: 'e2', source: 'map', target: 'dst' },
    ],
  };
}

async function tables(name: string, rows: number) {
  await db.query(`CREATE TABLE ${name}_src (id bigint PRIMARY KEY, name text, updated_at timestamptz(3), deleted boolean NOT NULL DEFAULT false)`);
  await db.query(`CREATE TABLE ${name}_dst (id bigint PRIMARY KEY, name text, is_deleted boolean NOT NULL DEFAULT false)`);
  await db.query(`INSERT INTO ${name}_src SELECT i, 'n' || i, timestamptz '2026-12-01 06:00:00+00' + i * interval '1 second', false FROM generate_series(1, ${rows}) AS i`);
}

async function publish(g: Graph, name: string): Promise<string> {
  const created = await rig.app.request('/api/integrations', json('POST', { name, graph: g }));
  expect(created.status, await created.clone().text()).toBe(201);
  const integration = Integration.parse(await created.json());
  const published = await rig.app.request(`/api/integrations/${integration.id}/publish`, json('POST'));
  expect(published.status, await published.clone().text()).toBe(200);
  return integration.id;
}

async function run(integrationId: string, body: Record<string, unknown> = {}): Promise<RunDetail> {
  const started = await rig.app.request(`/api/integrations/${integrationId}/runs`, json('POST', body));
  expect(started.status, await started.clone().text()).toBe(202);
  return rig.waitForEnd(((await started.json()) as { runId: string }).runId);
}

const line = (r: RunDetail) => describeSourceSync(r.sync!.sources[0]!);
const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]!.n);

describe('incremental and full syncs', () => {
  it('reads everything first, then only what changed since the mark (ties read again); a failed run does not move the mark', async ({ skip }) => {
    if (!up) skip();
    await tables('inc', 10);
    const id = await publish(graph('inc_src', 'inc_dst', {}, {}), 'Incremental');
    // The Run now dialog learns which sources read only what changed, to offer "Run full sync".
    const options = (await (await rig.app.request(`/api/integrations/${id}/run-options`)).json()) as { incrementalSources: { nodeId: string; cursorField: string }[] };
    expect(options.incrementalSources).toHaveLength(1);
    expect(options.incrementalSources[0]).toMatchObject({ cursorField: 'updated_at' });
    const first = await run(id);
    expect(first.status, first.error ?? '').toBe('completed');
    expect(first.sync?.sources[0]).toMatchObject({ full: true, field: 'updated_at', changed: 10 });
    expect(line(first)).toBe('Full sync (first run: no cursor kept yet), 10 read');
    let cursors = await rig.store.sync.listCursors(id);
    expect(cursors[0]).toMatchObject({ field: 'updated_at', kind: 'time', value: '2026-12-01T06:00:10.000Z' });

    // Two changes, and a record written in the mark's own instant after the first run read (a tie).
    await db.query(`UPDATE inc_src SET name = 'changed', updated_at = timestamptz '2026-12-01 06:00:20+00' WHERE id IN (2, 3)`);
    await db.query(`INSERT INTO inc_src VALUES (11, 'tie', timestamptz '2026-12-01 06:00:10+00', false)`);
    const second = await run(id);
    expect(second.status, second.error ?? '').toBe('completed');
    // id 10 (the mark itself) and 11 (its tie), and the two changes.
    expect(second.sync?.sources[0]).toMatchObject({ full: false, since: '2026-12-01T06:00:10.000Z', changed: 4 });
    expect(line(second)).toBe('Incremental since 2026-12-01 06:00:10 UTC, 4 changed');
    expect(second.counts).toMatchObject({ created: 1, updated: 2, unchanged: 1 });
    expect(await count(`SELECT count(*) AS n FROM inc_dst WHERE id = 11`)).toBe(1);

    // A run that fails after reading (the target table is gone) leaves the mark; the next run reads the same changes.
    await db.query(`UPDATE inc_src SET name = 'again', updated_at = timestamptz '2026-12-01 06:00:30+00' WHERE id = 4`);
    await db.query('ALTER TABLE inc_dst RENAME TO inc_dst_away');
    const failed = await run(id);
    expect(failed.status).toBe('failed');
    cursors = await rig.store.sync.listCursors(id);
    expect(cursors[0]?.value).toBe('2026-12-01T06:00:20.000Z');
    await db.query('ALTER TABLE inc_dst_away RENAME TO inc_dst');
    const healed = await run(id);
    expect(healed.status, healed.error ?? '').toBe('completed');
    expect(healed.sync?.sources[0]).toMatchObject({ since: '2026-12-01T06:00:20.000Z', changed: 3 });
    expect((await db.query(`SELECT name FROM inc_dst WHERE id = 4`)).rows[0]?.name).toBe('again');
    expect((await rig.store.sync.listCursors(id))[0]?.value).toBe('2026-12-01T06:00:30.000Z');

    // "Run full sync" reads everything once; the run says so.
    const full = await run(id, { fullSync: true });
    expect(full.status).toBe('completed');
    expect(full.sync?.options).toEqual({ fullSync: true });
    expect(line(full)).toBe('Full sync (asked for), 11 read');
    expect(full.counts).toMatchObject({ read: 11, unchanged: 11 });
    const after = await run(id);
    expect(after.sync?.sources[0]).toMatchObject({ full: false, changed: 1 });
  });

  it('keeps a far-future timestamp from lifting the mark past later changes (capped at the read start)', async ({ skip }) => {
    if (!up) skip();
    await tables('fut', 3);
    await db.query(`UPDATE fut_src SET updated_at = timestamptz '9999-12-31 23:59:59+00' WHERE id = 1`);
    const id = await publish(graph('fut_src', 'fut_dst', {}, {}), 'Far future');
    expect((await run(id)).status).toBe('completed');
    const mark = (await rig.store.sync.listCursors(id))[0]!;
    expect(Date.parse(String(mark.value))).toBeLessThanOrEqual(Date.now());
    await db.query(`UPDATE fut_src SET name = 'later', updated_at = now() WHERE id = 2`);
    const next = await run(id);
    expect((await db.query(`SELECT name FROM fut_dst WHERE id = 2`)).rows[0]?.name).toBe('later');
    expect(next.sync?.sources[0]?.changed).toBe(2); // id 1 (future, read again until its time) and id 2
  });

  it('reads by an id cursor past 2^53 exactly', async ({ skip }) => {
    if (!up) skip();
    await tables('big', 0);
    await db.query(`INSERT INTO big_src VALUES (9007199254740993, 'a', now(), false), (9007199254740994, 'b', now(), false)`);
    const id = await publish(graph('big_src', 'big_dst', { cursorField: 'id' }, {}), 'Big ids');
    expect((await run(id)).status).toBe('completed');
    // 2^53 + 2 is a double exactly (read as a number); 2^53 + 3 is not (read as its exact decimal text).
    expect((await rig.store.sync.listCursors(id))[0]).toMatchObject({ kind: 'number', value: 9007199254740994 });
    await db.query(`INSERT INTO big_src VALUES (9007199254740995, 'c', now(), false)`);
    const next = await run(id);
    expect(next.sync?.sources[0]).toMatchObject({ since: 9007199254740994, changed: 2 });
    expect((await rig.store.sync.listCursors(id))[0]?.value).toBe('9007199254740995');
  });
});

describe('allow new records, deletes and the threshold', () => {
  it('with new records not allowed, updates matches only and counts the rest as skipped: no match', async ({ skip }) => {
    if (!up) skip();
    await tables('nonew', 4);
    await db.query(`INSERT INTO nonew_dst VALUES (1, 'old', false), (2, 'old', false)`);
    const id = await publish(graph('nonew_src', 'nonew_dst', { cursorField: '' }, { allowNew: false }), 'No new');
    const r = await run(id);
    expect(r.status, r.error ?? '').toBe('completed');
    expect(r.steps.find((s) => s.nodeId === 'dst')?.counts).toMatchObject({ updated: 2, skipped: 2, created: 0 });
    expect(r.counts.skipped).toBe(2);
    expect(await count('SELECT count(*) AS n FROM nonew_dst')).toBe(2);
    expect(line(r)).toBe('Full sync, 4 read');
  });

  it('deletes what the soft-delete field marks, and soft-deletes when the target says so', async ({ skip }) => {
    if (!up) skip();
    await tables('soft', 5);
    const id = await publish(graph('soft_src', 'soft_dst', { softDeleteField: 'deleted' }, { deletes: 'delete', deleteThresholdPercent: 50 }), 'Soft');
    expect((await run(id)).status).toBe('completed');
    await db.query(`UPDATE soft_src SET deleted = true, updated_at = timestamptz '2026-12-01 06:01:00+00' WHERE id = 3`);
    const r = await run(id);
    expect(r.status, r.error ?? '').toBe('completed');
    expect(r.steps.find((s) => s.nodeId === 'dst')?.counts.deleted).toBe(1);
    expect(r.sync?.deletes[0]).toMatchObject({ state: 'applied', candidates: 1, applied: 1 });
    expect(await count('SELECT count(*) AS n FROM soft_dst')).toBe(4);

    const softId = await publish(graph('soft_src', 'soft_dst', { softDeleteField: 'deleted', cursorField: '' }, { deletes: 'soft', softDeleteField: 'is_deleted', deleteThresholdPercent: 50 }), 'Soft 2');
    await db.query(`INSERT INTO soft_dst VALUES (3, 'n3', false)`);
    const soft = await run(softId);
    expect(soft.status, soft.error ?? '').toBe('completed');
    expect((await db.query(`SELECT is_deleted FROM soft_dst WHERE id = 3`)).rows[0]?.is_deleted).toBe(true);
    expect(await count('SELECT count(*) AS n FROM soft_dst WHERE is_deleted')).toBe(1);
  });

  it('on a full sync deletes target records the source no longer has, but stops above the threshold until confirmed', async ({ skip }) => {
    if (!up) skip();
    await tables('cmp', 10);
    const id = await publish(graph('cmp_src', 'cmp_dst', {}, { deletes: 'delete' }), 'Compare');
    expect((await run(id)).status).toBe('completed');
    await db.query('DELETE FROM cmp_src WHERE id = 7');
    const one = await run(id, { fullSync: true });
    expect(one.status, one.error ?? '').toBe('completed');
    expect(one.sync?.deletes[0]).toMatchObject({ state: 'applied', candidates: 1, targetRecords: 10, allowed: 1, applied: 1 });
    expect(await count('SELECT count(*) AS n FROM cmp_dst')).toBe(9);

    await db.query('DELETE FROM cmp_src WHERE id IN (1, 2, 3)');
    const mark = (await rig.store.sync.listCursors(id))[0]?.value;
    const held = await run(id, { fullSync: true });
    expect(held.status).toBe('failed');
    expect(held.error).toMatch(/Deletes held back: 3 records of cmp_dst would be deleted, more than its threshold of 0 \(of 9 records\)\. Nothing was deleted/);
    expect(held.sync?.deletes[0]).toMatchObject({ state: 'held', candidates: 3, applied: 0 });
    expect(await count('SELECT count(*) AS n FROM cmp_dst')).toBe(9);
    expect((await rig.store.sync.listCursors(id))[0]?.value).toBe(mark);

    const rerun = await rig.app.request(`/api/runs/${held.id}/rerun`, json('POST', { confirmDeletes: true }));
    expect(rerun.status, await rerun.clone().text()).toBe(202);
    const confirmed = await rig.waitForEnd(((await rerun.json()) as { runId: string }).runId);
    expect(confirmed.status, confirmed.error ?? '').toBe('completed');
    expect(confirmed.sync?.options).toEqual({ fullSync: true, confirmDeletes: true });
    expect(confirmed.sync?.deletes[0]).toMatchObject({ state: 'applied', applied: 3 });
    expect(await count('SELECT count(*) AS n FROM cmp_dst')).toBe(6);
  });
});
