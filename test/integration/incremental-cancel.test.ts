// A cancelled run and the incremental cursor (issue 14), on the real dev server and a real Postgres: a run cancelled
// through Temporal after it committed some batches (a slow target table makes "mid-way" certain) leaves the cursor
// where the last completed run put it, and the next incremental run reads those records again and loses none.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Integration, RunDetail, type Graph } from '../../shared';
import { sqlPreviewHash } from '../../shared/graph/kinds/sql-source';
import { describeSourceSync } from '../../shared/sync/options';
import { json } from '../support/api-rig';
import { openShopRig, type ShopRig } from '../support/postgres-shop';

let shop: ShopRig;
let db: ShopRig['db'];
let rig: ShopRig['rig'];
let connectionId: string;

beforeAll(async () => {
  shop = await openShopRig({ prefix: 'weft_cancel', name: 'inc-cancel', batchSize: 4, address: inject('temporalAddress') });
  ({ db, rig, connectionId } = shop);
});
afterAll(() => shop?.close());

function graph(): Graph {
  const columns = [
    { name: 'id', type: 'number' as const },
    { name: 'name', type: 'text' as const },
    { name: 'updated_at', type: 'datetime' as const },
  ];
  const sourceConfig = { connectionId, object: 'public.src', query: '', columns, key: ['id'], cursorField: 'updated_at', softDeleteField: '' };
  return {
    version: 1,
    nodes: [
      { id: 'src', kind: 'sql-source', label: 'src', position: { x: 0, y: 0 }, config: { ...sourceConfig, preview: { loadedAt: new Date().toISOString(), hash: sqlPreviewHash(sourceConfig) } } },
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
        label: 'dst',
        position: { x: 600, y: 0 },
        config: { connectionId, object: 'public.dst', mode: 'upsert', columns: [{ name: 'id', type: 'number' }, { name: 'name', type: 'text' }], key: ['id'] },
      },
    ],
    edges: [
      { id: 'e1', source: 'src', target: 'map' },
      { id: 'e2', source: 'map', target: 'dst' },
    ],
  };
}

const detail = async (runId: string) => RunDetail.parse(await (await rig.app.request(`/api/runs/${runId}`)).json());

async function start(integrationId: string): Promise<string> {
  const started = await rig.app.request(`/api/integrations/${integrationId}/runs`, json('POST', {}));
  expect(started.status, await started.clone().text()).toBe(202);
  return ((await started.json()) as { runId: string }).runId;
}

async function until<T>(what: string, probe: () => Promise<T | null>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]!.n);

describe('a cancelled run and the incremental cursor', () => {
  it('does not move the cursor; the next incremental run reads the cancelled records again and loses none', async () => {
    await db.query('CREATE TABLE src (id bigint PRIMARY KEY, name text, updated_at timestamptz(3))');
    await db.query('CREATE TABLE dst (id bigint PRIMARY KEY, name text)');
    await db.query(`INSERT INTO src SELECT i, 'first ' || i, timestamptz '2026-12-01 06:00:00+00' + i * interval '1 second' FROM generate_series(1, 10) AS i`);
    const created = await rig.app.request('/api/integrations', json('POST', { name: 'Cancelled mid-way', graph: graph() }));
    expect(created.status, await created.clone().text()).toBe(201);
    const id = Integration.parse(await created.json()).id;
    expect((await rig.app.request(`/api/integrations/${id}/publish`, json('POST'))).status).toBe(200);
    const first = await rig.waitForEnd(await start(id));
    expect(first.status, first.error ?? '').toBe('completed');
    const mark = (await rig.store.sync.listCursors(id))[0]?.value;
    expect(mark).toBe('2026-12-01T06:00:10.000Z');

    // 200 changes after the mark: 190 new records and 10 edits; the target now takes 0.1 s per record written.
    await db.query(`INSERT INTO src SELECT i, 'new ' || i, timestamptz '2026-12-01 07:00:00+00' + i * interval '1 second' FROM generate_series(11, 200) AS i`);
    await db.query(`UPDATE src SET name = 'edited ' || id, updated_at = timestamptz '2026-12-01 08:00:00+00' + id * interval '1 second' WHERE id <= 10`);
    await db.query(`CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.1); RETURN NEW; END $$`);
    await db.query('CREATE TRIGGER slow BEFORE INSERT OR UPDATE ON dst FOR EACH ROW EXECUTE FUNCTION slow()');

    // Cancel through the engine once at least two batches are committed, well before the 200 records are written.
    const runId = await start(id);
    await until('two committed batches', async () => {
      const r = await detail(runId);
      if (['completed', 'completed_with_errors', 'failed'].includes(r.status)) throw new Error(`the run ended (${r.status}: ${r.error ?? ''}) before it could be cancelled`);
      return (r.steps.find((s) => s.nodeId === 'dst')?.counts.written ?? 0) >= 8 ? r : null;
    });
    const cancel = await rig.app.request(`/api/runs/${runId}/cancel`, json('POST'));
    expect(cancel.status, await cancel.clone().text()).toBe(202);
    const cancelled = await until('the cancelled run', async () => {
      const r = await detail(runId);
      if (r.status !== 'cancelled' && ['completed', 'completed_with_errors', 'failed'].includes(r.status)) throw new Error(`the run ended ${r.status} instead of cancelled`);
      return r.status === 'cancelled' ? r : null;
    });
    const written = cancelled.steps.find((s) => s.nodeId === 'dst')!.counts.written;
    // Mid-way: some of the changes reached the table, not all of them.
    expect(written).toBeGreaterThanOrEqual(8);
    expect(written).toBeLessThan(200);
    const newInTarget = await count(`SELECT count(*) AS n FROM dst WHERE name LIKE 'new %' OR name LIKE 'edited %'`);
    expect(newInTarget).toBeGreaterThan(0);
    expect(newInTarget).toBeLessThan(200);
    // The cursor is where the completed run left it, although the cancelled run committed batches past it.
    const cursors = await rig.store.sync.listCursors(id);
    expect(cursors).toHaveLength(1);
    expect(cursors[0]).toMatchObject({ value: mark, runId: first.id });

    // The next incremental run reads from the same mark: every change again (the ones the cancelled run wrote are
    // unchanged now), and the table ends with every record, none lost.
    await db.query('DROP TRIGGER slow ON dst');
    const next = await rig.waitForEnd(await start(id));
    expect(next.status, next.error ?? '').toBe('completed');
    expect(next.sync?.sources[0]).toMatchObject({ full: false, since: mark, changed: 200 });
    expect(describeSourceSync(next.sync!.sources[0]!)).toBe('Incremental since 2026-12-01 06:00:10 UTC, 200 changed');
    const dst = next.steps.find((s) => s.nodeId === 'dst')!.counts;
    expect(dst.created + dst.updated + dst.unchanged).toBe(200);
    expect(dst.unchanged).toBe(newInTarget);
    expect(await count('SELECT count(*) AS n FROM dst')).toBe(200);
    expect(await count(`SELECT count(*) AS n FROM dst d JOIN src s USING (id) WHERE d.name IS NOT DISTINCT FROM s.name`)).toBe(200);
    expect((await rig.store.sync.listCursors(id))[0]).toMatchObject({ value: '2026-12-01T08:00:10.000Z', runId: next.id });
  }, 180_000);
});
