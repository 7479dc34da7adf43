// "Sync and refresh" (issue 14) on the real dev server, a real Postgres source and two kinds of target (a Postgres
// table and a workspace object): after a calculated field's formula changes and is published, an incremental run
// leaves the records synced before as they were, and a sync-and-refresh run re-reads the source in full and rewrites
// every matched record with the new formula (equal values included), then the cursor moves as after a full sync.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CreatedTriggerToken, Integration, Page, TriggerResult, WorkspaceRecord, type Graph, type RunDetail } from '../../shared';
import { sqlPreviewHash } from '../../shared/graph/kinds/sql-source';
import { describeRefresh, describeSourceSync } from '../../shared/sync/options';
import { json } from '../support/api-rig';
import { openShopRig, type ShopRig } from '../support/postgres-shop';

let shop: ShopRig;
let db: ShopRig['db'];
let rig: ShopRig['rig'];
let connectionId: string;

beforeAll(async () => {
  shop = await openShopRig({ prefix: 'weft_refresh', name: 'refresh', batchSize: 2, address: inject('temporalAddress') });
  ({ db, rig, connectionId } = shop);
});
afterAll(() => shop?.close());

const SRC_COLUMNS = [
  { name: 'id', type: 'number' as const },
  { name: 'name', type: 'text' as const },
  { name: 'updated_at', type: 'datetime' as const },
];

function graph(src: string, formula: string, target: Graph['nodes'][number]): Graph {
  const sourceConfig = { connectionId, object: `public.${src}`, query: '', columns: SRC_COLUMNS, key: ['id'], cursorField: 'updated_at', softDeleteField: '' };
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
            { from: 'formula', formula, target: 'label', type: 'text', key: false },
          ],
        },
      },
      target,
    ],
    edges: [
      { id: 'e1', source: 'src', target: 'map' },
      { id: 'e2', source: 'map', target: 'dst' },
    ],
  };
}

async function publish(id: string | null, g: Graph): Promise<string> {
  let integrationId = id;
  if (!integrationId) {
    const created = await rig.app.request('/api/integrations', json('POST', { name: `Refresh ${randomBytes(3).toString('hex')}`, graph: g }));
    expect(created.status, await created.clone().text()).toBe(201);
    integrationId = Integration.parse(await created.json()).id;
  } else expect((await rig.app.request(`/api/integrations/${integrationId}`, json('PUT', { graph: g }))).status).toBe(200);
  const published = await rig.app.request(`/api/integrations/${integrationId}/publish`, json('POST'));
  expect(published.status, await published.clone().text()).toBe(200);
  return integrationId;
}

async function run(integrationId: string, body: Record<string, unknown> = {}): Promise<RunDetail> {
  const started = await rig.app.request(`/api/integrations/${integrationId}/runs`, json('POST', body));
  expect(started.status, await started.clone().text()).toBe(202);
  return rig.waitForEnd(((await started.json()) as { runId: string }).runId);
}

const targetCounts = (r: RunDetail) => {
  const c = r.steps.find((s) => s.nodeId === 'dst')!.counts;
  return { created: c.created, updated: c.updated, unchanged: c.unchanged };
};

async function source(name: string) {
  await db.query(`CREATE TABLE ${name} (id bigint PRIMARY KEY, name text, updated_at timestamptz(3))`);
  await db.query(`INSERT INTO ${name} SELECT i, 'Name ' || i, timestamptz '2026-12-01 06:00:00+00' + i * interval '1 second' FROM generate_series(1, 5) AS i`);
}

/** The scenario, whatever the target: `labels()` reads the target's label per id. */
async function scenario(src: string, target: Graph['nodes'][number], labels: () => Promise<Record<string, string>>) {
  await source(src);
  const id = await publish(null, graph(src, 'UPPER([name])', target));
  const first = await run(id);
  expect(first.status, first.error ?? '').toBe('completed');
  expect(targetCounts(first)).toEqual({ created: 5, updated: 0, unchanged: 0 });
  expect(await labels()).toEqual({ 1: 'NAME 1', 2: 'NAME 2', 3: 'NAME 3', 4: 'NAME 4', 5: 'NAME 5' });
  const mark = (await rig.store.sync.listCursors(id))[0]?.value;
  expect(mark).toBe('2026-12-01T06:00:05.000Z');

  // The formula changes and is published: an incremental run reads only the record at the mark (ties are read again)
  // and so leaves every older record with the old formula's value.
  await publish(id, graph(src, 'LOWER([name])', target));
  const incremental = await run(id);
  expect(incremental.status, incremental.error ?? '').toBe('completed');
  expect(incremental.sync?.sources[0]).toMatchObject({ full: false, changed: 1 });
  expect(incremental.sync?.remapped).toBeUndefined();
  expect(await labels()).toEqual({ 1: 'NAME 1', 2: 'NAME 2', 3: 'NAME 3', 4: 'NAME 4', 5: 'name 5' });

  // Sync and refresh: every record read again and every matched record rewritten (record 5, already equal, too).
  const refresh = await run(id, { refresh: true });
  expect(refresh.status, refresh.error ?? '').toBe('completed');
  expect(refresh.sync?.options).toEqual({ refresh: true });
  expect(refresh.sync?.sources[0]).toMatchObject({ full: true, changed: 5 });
  expect(describeSourceSync(refresh.sync!.sources[0]!)).toBe('Full sync (sync and refresh), 5 read');
  expect(targetCounts(refresh)).toEqual({ created: 0, updated: 5, unchanged: 0 });
  expect(refresh.sync?.remapped).toBe(5);
  expect(describeRefresh(refresh.sync!.remapped!)).toBe('Sync and refresh: 5 records re-mapped');
  expect(await labels()).toEqual({ 1: 'name 1', 2: 'name 2', 3: 'name 3', 4: 'name 4', 5: 'name 5' });
  // The cursor moved as after a full sync; the next ordinary run is incremental again and finds nothing to change.
  expect((await rig.store.sync.listCursors(id))[0]?.value).toBe(mark);
  const next = await run(id);
  expect(next.sync?.sources[0]).toMatchObject({ full: false, changed: 1 });
  expect(targetCounts(next)).toEqual({ created: 0, updated: 0, unchanged: 1 });

  // "Run again with the same settings" repeats the refresh.
  const rerun = await rig.app.request(`/api/runs/${refresh.id}/rerun`, json('POST', {}));
  expect(rerun.status, await rerun.clone().text()).toBe(202);
  const again = await rig.waitForEnd(((await rerun.json()) as { runId: string }).runId);
  expect(again.sync?.options).toEqual({ refresh: true });
  expect(again.sync?.remapped).toBe(5);

  // The trigger API takes it too.
  const token = CreatedTriggerToken.parse(await (await rig.app.request(`/api/integrations/${id}/tokens`, json('POST', { name: 'Refresher' }))).json()).token;
  const triggered = await rig.app.request(`/api/integrations/${id}/trigger`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ refresh: true }) });
  expect(triggered.status, await triggered.clone().text()).toBe(202);
  const byApi = await rig.waitForEnd(TriggerResult.parse(await triggered.json()).runId);
  expect(byApi).toMatchObject({ trigger: 'api', sync: { options: { refresh: true }, remapped: 5 } });
}

describe('sync and refresh', () => {
  it('rewrites every record of a Postgres table with the new formula; an incremental run does not', async () => {
    await db.query('CREATE TABLE pg_dst (id bigint PRIMARY KEY, name text, label text)');
    const target = {
      id: 'dst',
      kind: 'sql-target',
      label: 'pg_dst',
      position: { x: 600, y: 0 },
      config: { connectionId, object: 'public.pg_dst', mode: 'upsert', columns: [{ name: 'id', type: 'number' }, { name: 'name', type: 'text' }, { name: 'label', type: 'text' }], key: ['id'] },
    };
    await scenario('pg_src', target, async () => Object.fromEntries((await db.query<{ id: string; label: string }>('SELECT id, label FROM pg_dst ORDER BY id')).rows.map((r) => [r.id, r.label])));
  });

  it('rewrites every record of a workspace object with the new formula; an incremental run does not', async () => {
    const object = `refresh_${randomBytes(3).toString('hex')}`;
    const target = { id: 'dst', kind: 'workspace-target', label: 'Refreshed', position: { x: 600, y: 0 }, config: { object, mode: 'upsert' } };
    await scenario('ws_src', target, async () => {
      const page = Page(WorkspaceRecord).parse(await (await rig.app.request(`/api/workspace/objects/${object}/records?limit=50`)).json());
      return Object.fromEntries(page.items.map((r) => [r.key, String(r.values.label)]));
    });
  });

  it('refuses a refresh option that is not a boolean', async () => {
    const id = await publish(null, graph('pg_src', '[name]', { id: 'dst', kind: 'workspace-target', label: 'X', position: { x: 600, y: 0 }, config: { object: 'refresh_refused', mode: 'upsert' } }));
    const res = await rig.app.request(`/api/integrations/${id}/runs`, json('POST', { refresh: 'yes' }));
    expect(res.status).toBe(400);
  });
});
