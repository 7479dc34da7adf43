// Runs the shared contract suite against the workspace connector on both store engines (PGlite in memory, and a
// throwaway database on the machine's Postgres), plus what only the workspace has: its context, its cursor field,
// and its write being the batch commit's write.
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrizzleStore } from '../../store/drizzle-store';
import { openPglite, openPostgres, type Engine } from '../../store/engines';
import { newId } from '../../store/ids';
import { migrate } from '../../store/migrate';
import { workspaceObjects, workspaceRecords } from '../../store/schema';
import type { Store } from '../../store/types';
import { recordKey } from '../../store/workspace-write';
import { ITEM_COLUMNS, itemRow, runContractSuite, type ContractFixture, type FixtureQueries } from '../contract-suite';
import { ConnectorError, type ConnectorSession, type Row } from '../types';
import { UPDATED_AT, workspaceConnector, type WorkspaceConfig, type WorkspaceSecrets } from './index';
import { ADMIN_URL, admin } from '../../../test/support/pg-admin';

const postgresUp = await admin(ADMIN_URL, 'SELECT 1').then(
  () => undefined,
  (e: unknown) => `no Postgres answers at ${new URL(ADMIN_URL).host} (${e instanceof Error ? e.message : String(e)}); set WEFT_TEST_DATABASE_URL to run the workspace suite on Postgres`,
);

/** The filter cases as Weft formulas. */
const formulaQueries: FixtureQueries = {
  positiveActive: () => '[amount] > 0 AND [active]',
  noteEquals: (_object, text) => `[note] = "${text.replace(/"/g, '""')}"`,
};

/** Makes objects by writing the store's tables directly, never through the connector (or the write it shares). */
function workspaceFixture(engine: Engine): ContractFixture {
  const { db } = engine;
  return {
    queries: formulaQueries,
    keyOrder: 'text',
    constraints: false,
    rejectedRows: [
      { row: { ...itemRow(11), id: null }, reason: /Key field "id" is empty/ },
      { row: { ...itemRow(12), id: '  ' }, reason: /Key field "id" is empty/ },
    ],
    async createObject(name, columns, key, rows: Row[]) {
      // No foreign key cascades (migration 14): an object's records go with it explicitly.
      await db.delete(workspaceRecords).where(eq(workspaceRecords.objectName, name));
      await db.delete(workspaceObjects).where(eq(workspaceObjects.name, name));
      const attributes = columns.map(({ name: n, type }) => ({ name: n, type }));
      await db.insert(workspaceObjects).values({ name, label: name, key, attributes, recordCount: rows.length });
      if (rows.length > 0) {
        await db.insert(workspaceRecords).values(
          rows.map((values) => {
            const k = key.length > 0 ? recordKey(values, key) : { ok: true as const, key: newId('rec') };
            if (!k.ok) throw new Error(k.reason);
            return { objectName: name, key: k.key, values };
          }),
        );
      }
      return name;
    },
    async dropObject(name) {
      await db.delete(workspaceRecords).where(eq(workspaceRecords.objectName, name));
      await db.delete(workspaceObjects).where(eq(workspaceObjects.name, name));
    },
  };
}

function suiteOn(name: string, openEngine: () => Promise<Engine>, dispose?: () => Promise<void>, skip?: string) {
  let engine: Engine;
  let store: Store;
  runContractSuite<WorkspaceConfig, WorkspaceSecrets>({
    name,
    connector: workspaceConnector,
    skip,
    async setup() {
      engine = await openEngine();
      await migrate(engine.db);
      store = createDrizzleStore(engine);
      // wrongPassword, unreachable and missingDatabase are omitted: the workspace is built in.
      return { config: {}, secrets: {}, fixture: workspaceFixture(engine), context: { store, filesDir: '/nonexistent' } };
    },
    async teardown() {
      await store?.close();
      await dispose?.();
    },
  });
}

suiteOn('workspace (PGlite in memory)', () => openPglite(null));

const database = `weft_ws_${randomBytes(6).toString('hex')}`;
const databaseUrl = (() => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
})();
suiteOn(
  `workspace (Postgres ${new URL(ADMIN_URL).host})`,
  async () => {
    await admin(ADMIN_URL, `CREATE DATABASE ${database}`);
    return openPostgres(databaseUrl);
  },
  async () => void (await admin(ADMIN_URL, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)),
  postgresUp,
);

describe('workspace connector specifics', () => {
  let engine: Engine;
  let store: Store;
  let session: ConnectorSession;
  const fields = ITEM_COLUMNS.map(({ name, type }) => ({ name, type }));
  const readRows = async (s: ConnectorSession, object: string, options: Parameters<ConnectorSession['read']>[1]) => {
    const rows: Row[] = [];
    for await (const b of s.read(object, options)) rows.push(...b.rows);
    return rows;
  };

  beforeAll(async () => {
    engine = await openPglite(null);
    await migrate(engine.db);
    store = createDrizzleStore(engine);
    session = await workspaceConnector.open({}, {}, { store, filesDir: '/nonexistent' });
  });
  afterAll(async () => {
    await session?.close();
    await store?.close();
  });

  it('needs the store from the context, and takes no settings', async () => {
    const e = await workspaceConnector.open({}, {}).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ConnectorError);
    expect(e).toMatchObject({ code: 'invalid_config', message: expect.stringMatching(/store/) });
    await expect(workspaceConnector.open({ host: 'x' } as unknown as WorkspaceConfig, {}, { store, filesDir: '' })).rejects.toMatchObject({ code: 'invalid_config', message: expect.stringMatching(/no settings/) });
  });

  it('is built in with a formula query language and every write mode', () => {
    expect(workspaceConnector.manifest).toMatchObject({ id: 'workspace', name: 'Weft workspace', builtIn: true, queryLanguage: 'formula', writeModes: ['insert', 'update', 'upsert'] });
  });

  it('offers _updated_at as a cursor field and reads the records written after a time', async () => {
    await session.write('ws_changes', [itemRow(1), itemRow(2), itemRow(3)], { mode: 'upsert', key: ['id'], fields });
    const [described] = (await session.discover()).filter((o) => o.name === 'ws_changes');
    expect(described).toMatchObject({ primaryKey: ['id'], cursorFields: ['id', 'seen_at', UPDATED_AT] });
    expect(described!.fields.map((f) => f.name)).not.toContain(UPDATED_AT);

    await new Promise((r) => setTimeout(r, 5));
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await session.write('ws_changes', [{ ...itemRow(2), note: 'changed' }, itemRow(3)], { mode: 'upsert', key: ['id'], fields });
    expect(await readRows(session, 'ws_changes', { batchSize: 10, incremental: { field: UPDATED_AT, after: since } })).toEqual([{ ...itemRow(2), note: 'changed' }]);
    await expect(readRows(session, 'ws_changes', { batchSize: 10, incremental: { field: UPDATED_AT, after: 'yesterday' } })).rejects.toMatchObject({ code: 'invalid_config' });
    await expect(readRows(session, 'ws_changes', { batchSize: 10, incremental: { field: 'nope', after: 1 } })).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/"nope"/) });
  });

  it('refuses a cursor it did not make and a batch size below 1', async () => {
    await session.write('ws_cursor', [itemRow(1)], { mode: 'upsert', key: ['id'], fields });
    await expect(readRows(session, 'ws_cursor', { batchSize: 10, cursor: { offset: 3 } })).rejects.toMatchObject({ code: 'invalid_config', message: expect.stringMatching(/cursor/) });
    await expect(readRows(session, 'ws_cursor', { batchSize: 0 })).rejects.toMatchObject({ code: 'invalid_config' });
  });

  it('fails a read whose filter cannot be worked out for a record, naming the record', async () => {
    await session.write('ws_faults', [{ id: 1, amount: 2 }, { id: 2, amount: 0 }], { mode: 'upsert', key: ['id'], fields: [fields[0]!, fields[2]!] });
    await expect(readRows(session, 'ws_faults', { batchSize: 10, query: '10 / [amount] > 1' })).rejects.toMatchObject({ code: 'invalid_query', message: expect.stringMatching(/key "2"/) });
  });

  it('writes into a keyed object by its own key when none is given, and needs a key to upsert a keyless one', async () => {
    await session.write('ws_keyed', [itemRow(1)], { mode: 'upsert', key: ['id'], fields });
    expect(await session.write('ws_keyed', [itemRow(1), itemRow(2)], { mode: 'insert', key: [], fields })).toEqual([{ outcome: 'unchanged' }, { outcome: 'created' }]);
    await session.write('ws_keyless', [itemRow(1)], { mode: 'insert', key: [], fields });
    await expect(session.write('ws_keyless', [itemRow(1)], { mode: 'upsert', key: [], fields })).rejects.toMatchObject({ code: 'invalid_config' });
    await expect(session.write('ws_never', [itemRow(1)], { mode: 'update', key: ['id'], fields })).rejects.toMatchObject({ code: 'not_found' });
  });

  it("writes exactly what the batch commit writes (one function): the same outcomes and the same records", async () => {
    const first = [itemRow(1), itemRow(2), { ...itemRow(3), id: null }];
    const second = [itemRow(1), { ...itemRow(2), name: 'renamed' }, itemRow(4)];
    const viaConnector = [
      await session.write('ws_same_a', first, { mode: 'upsert', key: ['id'], fields }),
      await session.write('ws_same_a', second, { mode: 'upsert', key: ['id'], fields }),
    ];
    const integration = await store.createIntegration({ name: 'same', description: '', graph: { version: 1, nodes: [], edges: [] } });
    const version = await store.createVersion(integration.id, integration.graph, { version: 1, steps: [], pipelines: [{ id: 'p1', nodeIds: ['src', 'dst'] }], valueMaps: {} }, 'h');
    const run = await store.createRun({ integrationId: integration.id, versionId: version.id, trigger: 'manual', params: {}, steps: [{ nodeId: 'dst', kind: 'workspace-target', label: 'T' }] });
    const viaCommit = [];
    for (const [i, rows] of [first, second].entries()) {
      const { outcomes } = await store.commitBatch({
        runId: run.id,
        pipelineId: 'p1',
        batch: i + 1,
        cursor: null,
        counts: {},
        rejected: [],
        workspaceWrite: { object: 'ws_same_b', key: ['id'], fields, mode: 'upsert', rows, rowNumbers: rows.map((_, k) => k + 1), nodeId: 'dst' },
      });
      viaCommit.push(outcomes);
    }
    expect(viaConnector).toEqual(viaCommit);
    expect(viaConnector[1]!.map((o) => o.outcome)).toEqual(['unchanged', 'updated', 'created']);
    expect(await readRows(session, 'ws_same_a', { batchSize: 10 })).toEqual(await readRows(session, 'ws_same_b', { batchSize: 10 }));
  });
});
