// The store's contract tests, run once per engine by store.test.ts (the same suite, so the engines agree).
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph, Plan } from '../../shared';
import { createDrizzleStore } from './drizzle-store';
import type { Engine } from './engines';
import { StoreConflictError, StoreNotFoundError } from './errors';
import { migrate } from './migrate';
import { files, integrations } from './schema';
import { sealAlertSecrets } from './migrations/0033-alert-secret-sealed';
import { secretBox } from '../connections/service';
import { randomBytes } from 'node:crypto';
import { MIGRATIONS } from './migrations';
import { prepareUpsert } from './workspace-write';
import type { BatchCommit, Store, StoredFile, WorkspaceBatch, WorkspaceWrite } from './types';

export interface SuiteTarget {
  /** A fresh, empty database. */
  openEngine(): Promise<Engine>;
  /** Called after the engine is closed (e.g. to drop the test database). */
  dispose?(): Promise<void>;
}

const node = (id: string, kind: string, label?: string): Graph['nodes'][number] => ({ id, kind, label, position: { x: 0, y: 0 }, config: {} });

export const graphOf = (...ids: string[]): Graph => ({
  version: 1,
  nodes: [node('src', 'csv-source'), ...ids.map((id) => node(id, 'map')), node('dst', 'workspace-target')],
  edges: [],
});

const plan: Plan = {
  version: 1,
  steps: [],
  pipelines: [{ id: 'p1', nodeIds: ['src', 'dst'] }],
  valueMaps: {},
};

const STEPS = [
  { nodeId: 'src', kind: 'csv-source', label: 'People.csv' },
  { nodeId: 'map', kind: 'map', label: 'Map fields' },
  { nodeId: 'dst', kind: 'workspace-target', label: 'Contacts' },
];

const FIELDS: WorkspaceWrite['fields'] = [
  { name: 'email', type: 'text' },
  { name: 'name', type: 'text' },
  { name: 'age', type: 'number' },
];

let unique = 0;
/** A workspace object name no other test uses (tests share one database per engine). */
const objectName = (base: string) => `${base}_${++unique}`;

export function runStoreSuite(target: SuiteTarget): void {
  let engine: Engine;
  let store: Store;
  let firstMigration: number[] = [];

  beforeAll(async () => {
    engine = await target.openEngine();
    store = createDrizzleStore(engine);
    firstMigration = await migrate(engine.db);
  });

  afterAll(async () => {
    await store?.close();
    await target.dispose?.();
  });

  /** An integration with a published version and a run on it, ready for batches. */
  async function newRun(steps = STEPS) {
    const integration = await store.createIntegration({ name: 'People to contacts', description: '', graph: graphOf('map') });
    const version = await store.createVersion(integration.id, integration.graph, plan, 'hash-1');
    const run = await store.createRun({ integrationId: integration.id, versionId: version.id, trigger: 'manual', params: { since: '2024-01-01' }, steps });
    return { integration, version, run };
  }

  const write = (object: string, rows: Record<string, unknown>[], extra: Partial<WorkspaceWrite> = {}): WorkspaceWrite => ({
    object,
    key: ['email'],
    fields: FIELDS,
    mode: 'upsert',
    rows,
    rowNumbers: rows.map((_, i) => i + 1),
    nodeId: 'dst',
    ...extra,
  });

  const commit = (runId: string, batch: number, extra: Partial<BatchCommit> = {}): BatchCommit => ({
    runId,
    pipelineId: 'p1',
    batch,
    cursor: { offset: batch * 10 },
    counts: {},
    rejected: [],
    ...extra,
  });

  describe('migrations', () => {
    it('applies every version to a fresh database, then nothing on later runs', async () => {
      // Without the secrets key, the migrations sealing clear values (withKey) wait for a start that has it.
      expect(firstMigration).toEqual(MIGRATIONS.filter((m) => !m.withKey).map((m) => m.version));
      // Strictly increasing and unique (numbers are handed out to parallel branches, so one may land before the one below it).
      expect(firstMigration).toEqual([...new Set(firstMigration)].sort((a, b) => a - b));
      expect(firstMigration.slice(0, 4)).toEqual([1, 2, 3, 4]);
      expect(await migrate(engine.db)).toEqual([]);
      await store.migrate();
      await store.migrate();
      expect(await store.listIntegrations()).toBeInstanceOf(Array);
    });

    it('33 seals alert signing secrets kept in clear once the key is given, leaving sealed ones alone (sec16)', async () => {
      const box = secretBox(randomBytes(32));
      const plain = await store.createIntegration({ name: 'Clear secret', description: '', graph: graphOf('m') });
      const done = await store.createIntegration({ name: 'Sealed secret', description: '', graph: graphOf('m') });
      const none = await store.createIntegration({ name: 'No secret', description: '', graph: graphOf('m') });
      await engine.db.update(integrations).set({ webhookSecret: 'whsec_kept_in_clear_before_sec16' }).where(eq(integrations.id, plain.id));
      const sealedBefore = box.seal('whsec_sealed_already');
      await engine.db.update(integrations).set({ webhookSecret: sealedBefore }).where(eq(integrations.id, done.id));
      const secretOf = async (id: string) => (await store.ops.getAlerts(id))!.webhookSecret;

      expect(await migrate(engine.db)).toEqual([]);
      expect(await secretOf(plain.id)).toBe('whsec_kept_in_clear_before_sec16');
      expect(await migrate(engine.db, MIGRATIONS, { secrets: box })).toEqual(MIGRATIONS.filter((m) => m.withKey).map((m) => m.version));
      const sealed = (await secretOf(plain.id))!;
      expect(sealed).not.toContain('kept_in_clear');
      expect(box.open(sealed)).toBe('whsec_kept_in_clear_before_sec16');
      expect(await secretOf(done.id)).toBe(sealedBefore);
      expect(await secretOf(none.id)).toBeNull();
      // Recorded once; run again by hand it changes nothing (idempotent).
      expect(await migrate(engine.db, MIGRATIONS, { secrets: box })).toEqual([]);
      expect(await sealAlertSecrets(engine.db, box)).toBe(0);
      expect(await secretOf(plain.id)).toBe(sealed);
    });

    it('rolls a failing migration back whole', async () => {
      const broken = { version: 1000, name: 'test-broken', statements: ['CREATE TABLE weft_test_probe (id integer)', 'SELEC 1'] };
      await expect(migrate(engine.db, [...MIGRATIONS, broken])).rejects.toThrow();
      // Had the first statement survived, creating the table again would fail.
      const fixed = { version: 1000, name: 'test-fixed', statements: ['CREATE TABLE weft_test_probe (id integer)'] };
      expect(await migrate(engine.db, [...MIGRATIONS, fixed])).toEqual([1000]);
      expect(await migrate(engine.db, [...MIGRATIONS, fixed])).toEqual([]);
    });
  });

  describe('integrations', () => {
    it('creates, reads, updates and deletes', async () => {
      const created = await store.createIntegration({ name: 'Leads', description: 'From the fair', graph: graphOf('m1') });
      expect(created).toMatchObject({ name: 'Leads', description: 'From the fair', publishedVersionId: null, publishedVersionNumber: null, hasUnpublishedChanges: true });
      expect(created.id).toMatch(/^int_/);
      expect(created.graph).toEqual(graphOf('m1'));
      expect(new Date(created.createdAt).toISOString()).toBe(created.createdAt);

      expect(await store.getIntegration(created.id)).toEqual(created);

      const renamed = await store.updateIntegration(created.id, { name: 'Fair leads' });
      expect(renamed).toMatchObject({ name: 'Fair leads', description: 'From the fair' });
      expect(renamed?.graph).toEqual(graphOf('m1'));
      expect(renamed!.updatedAt >= created.updatedAt).toBe(true);

      const regraphed = await store.updateIntegration(created.id, { graph: graphOf('m1', 'm2') });
      expect(regraphed?.graph.nodes.map((n) => n.id)).toEqual(['src', 'm1', 'm2', 'dst']);

      const summary = (await store.listIntegrations()).find((i) => i.id === created.id);
      expect(summary).toMatchObject({ name: 'Fair leads', nodeCount: 4, lastRun: null });
      expect(summary).not.toHaveProperty('graph');

      expect(await store.updateIntegration('int_missing', { name: 'x' })).toBeNull();
      expect(await store.deleteIntegration(created.id)).toBe(true);
      expect(await store.getIntegration(created.id)).toBeNull();
      expect(await store.deleteIntegration(created.id)).toBe(false);
    });

    it('deleting an integration removes its versions and runs', async () => {
      const { integration, version, run } = await newRun();
      await store.commitBatch(commit(run.id, 1, { rejected: [{ nodeId: 'map', rowNumber: 1, source: {}, mapped: null, reason: 'bad' }] }));
      expect(await store.deleteIntegration(integration.id)).toBe(true);
      expect(await store.getVersion(version.id)).toBeNull();
      expect(await store.getRun(run.id)).toBeNull();
      expect((await store.listRejected(run.id)).total).toBe(0);
    });
  });

  describe('inbox: one entry per record (inbox14)', () => {
    it('lists a record rejected by several runs once, its newest rejection, and settles every run of it with one claim or ignore', async () => {
      const { integration, version, run } = await newRun();
      const other = await newRun(); // another integration: the same key is another record
      const second = await store.createRun({ integrationId: integration.id, versionId: version.id, trigger: 'manual', params: {}, steps: STEPS });
      const rej = (email: string | null, rowNumber: number) => ({ nodeId: 'map', rowNumber, source: { Email: email, Name: 'x\u0000y' }, mapped: null, reason: `bad ${rowNumber}` });
      const big = '9007199254740993';
      for (const [r, n] of [[run, 1], [other.run, 1], [second, 2]] as const) {
        await store.commitBatch(commit(r.id, 1, { rejected: [rej('a@example.com', n), rej(big, n), rej(null, n)], rejectedKey: ['Email'] }));
      }
      // 9007199254740992 is another record than 9007199254740993 (kept as text, exactly).
      await store.commitBatch(commit(second.id, 2, { rejected: [rej('9007199254740992', 3)], rejectedKey: ['Email'] }));
      const listed = await store.inbox.list({ integrationId: integration.id });
      const byEmail = (e: unknown) => listed.items.filter((i) => i.source.Email === e);
      expect(listed.total).toBe(5); // a@, big, 9007199254740992, and the keyless one of each run
      expect(byEmail('a@example.com')).toMatchObject([{ runId: second.id, reason: 'bad 2', rejectedInRuns: 2 }]);
      expect(byEmail(big)).toMatchObject([{ runId: second.id, rejectedInRuns: 2 }]);
      expect(byEmail(null).map((i) => i.rejectedInRuns)).toEqual([1, 1]);
      expect((await store.inbox.list({ integrationId: other.integration.id })).items.map((i) => i.rejectedInRuns)).toEqual([1, 1, 1]);
      expect((await store.inbox.groups({ integrationId: integration.id })).items.find((g) => g.reason === 'bad 2')?.count).toBe(3);

      const newest = byEmail('a@example.com')[0]!;
      const older = (await store.listRejected(run.id)).items.find((i) => i.source.Email === 'a@example.com')!;
      expect((await store.inbox.getRecords([older.id]))[0]?.supersededBy).toBe(newest.id);
      // Claiming the newest claims the earlier rejection with it; a release gives both back.
      expect(await store.inbox.claim([newest.id])).toEqual([newest.id]);
      expect(await store.inbox.claim([older.id])).toEqual([]);
      await store.inbox.release([newest.id]);
      expect(await store.inbox.ignore([byEmail(big)[0]!.id], 'not ours')).toEqual([byEmail(big)[0]!.id]);
      const ignored = await store.inbox.list({ integrationId: integration.id, status: ['ignored'] });
      expect(ignored.items.map((i) => [i.source.Email, i.rejectedInRuns])).toEqual([[big, 2]]);
      expect(await store.inbox.ignore([newest.id], 'both')).toEqual([newest.id]);
      expect((await store.inbox.getRecords([older.id]))[0]?.status).toBe('ignored');
      expect((await store.inbox.list({ integrationId: integration.id })).items.map((i) => i.source.Email).sort()).toEqual(['9007199254740992', null, null]);
      // The other integration's record with the same key was not touched.
      expect((await store.inbox.list({ integrationId: other.integration.id })).items.every((i) => i.status === 'open')).toBe(true);
    });

    // review14b: the key is the target's (the pipeline's last step): two pipelines of one integration writing to two
    // targets are two records even with the same key values. Before, the second pipeline's rejection hid the first's,
    // and resubmitting it claimed the first and settled it with the second's outcome (never sent to its own target).
    it("keeps a record rejected by one pipeline's target apart from another target's record with the same key values", async () => {
      const { integration, version, run } = await newRun();
      const second = await store.createRun({ integrationId: integration.id, versionId: version.id, trigger: 'manual', params: {}, steps: STEPS });
      const rej = (nodeId: string, reason: string) => ({ nodeId, rowNumber: 1, source: { Id: '42' }, mapped: null, reason });
      await store.commitBatch(commit(run.id, 1, { rejected: [rej('map', 'customers 42')], rejectedKey: ['Id'], rejectedKeyTarget: 'customers' }));
      await store.commitBatch(commit(second.id, 1, { rejected: [rej('map', 'orders 42')], rejectedKey: ['Id'], rejectedKeyTarget: 'orders' }));
      const listed = await store.inbox.list({ integrationId: integration.id });
      expect(listed.items.map((i) => [i.reason, i.rejectedInRuns]).sort()).toEqual([['customers 42', 1], ['orders 42', 1]]);
      const orders = listed.items.find((i) => i.reason === 'orders 42')!;
      expect(await store.inbox.claim([orders.id])).toEqual([orders.id]);
      expect((await store.inbox.list({ integrationId: integration.id })).items.find((i) => i.reason === 'customers 42')?.status).toBe('open');
      await store.inbox.release([orders.id]);
      // The same target in a later run: one record again (the newest listed, rejected in 2 runs).
      const third = await store.createRun({ integrationId: integration.id, versionId: version.id, trigger: 'manual', params: {}, steps: STEPS });
      await store.commitBatch(commit(third.id, 1, { rejected: [rej('map', 'customers 42 again')], rejectedKey: ['Id'], rejectedKeyTarget: 'customers' }));
      expect((await store.inbox.list({ integrationId: integration.id })).items.map((i) => [i.reason, i.rejectedInRuns]).sort()).toEqual([['customers 42 again', 2], ['orders 42', 1]]);
    });
  });

  describe('versions', () => {
    it('numbers versions per integration and publishes the newest', async () => {
      const a = await store.createIntegration({ name: 'A', description: '', graph: graphOf('m') });
      const b = await store.createIntegration({ name: 'B', description: '', graph: graphOf('m') });
      const v1 = await store.createVersion(a.id, a.graph, plan, 'h1');
      const v2 = await store.createVersion(a.id, a.graph, plan, 'h2');
      const b1 = await store.createVersion(b.id, b.graph, plan, 'hb');
      expect([v1.number, v2.number, b1.number]).toEqual([1, 2, 1]);
      expect(v2).toMatchObject({ integrationId: a.id, hash: 'h2', graph: a.graph, plan });
      expect(await store.getVersion(v2.id)).toEqual(v2);
      expect(await store.getVersion('ver_missing')).toBeNull();

      const published = await store.getIntegration(a.id);
      expect(published).toMatchObject({ publishedVersionId: v2.id, publishedVersionNumber: 2, hasUnpublishedChanges: false });
    });

    it('concurrent publishes get distinct numbers', async () => {
      const a = await store.createIntegration({ name: 'Busy', description: '', graph: graphOf('m') });
      const versions = await Promise.all([1, 2, 3, 4].map((n) => store.createVersion(a.id, a.graph, plan, `h${n}`)));
      expect(versions.map((v) => v.number).sort()).toEqual([1, 2, 3, 4]);
    });

    it('tracks unpublished changes by content, not key order', async () => {
      const a = await store.createIntegration({ name: 'A', description: '', graph: graphOf('m') });
      await store.createVersion(a.id, a.graph, plan, 'h1');
      // The same graph with its keys in another order is not a change.
      const [src, m, dst] = graphOf('m').nodes;
      const reordered: Graph = { edges: [], nodes: [src!, m!, dst!].map((n) => ({ config: n.config, position: { y: 0, x: 0 }, kind: n.kind, id: n.id })), version: 1 };
      expect((await store.updateIntegration(a.id, { graph: reordered }))?.hasUnpublishedChanges).toBe(false);
      expect((await store.updateIntegration(a.id, { name: 'Renamed' }))?.hasUnpublishedChanges).toBe(false);
      const edited = await store.updateIntegration(a.id, { graph: graphOf('m', 'extra') });
      expect(edited?.hasUnpublishedChanges).toBe(true);
      const summary = (await store.listIntegrations()).find((i) => i.id === a.id);
      expect(summary).toMatchObject({ hasUnpublishedChanges: true, publishedVersionNumber: 1 });
      await store.createVersion(a.id, edited!.graph, plan, 'h2');
      expect((await store.getIntegration(a.id))?.hasUnpublishedChanges).toBe(false);
    });

    it('reads an integration with its published version in one query, as getIntegration and getVersion read them (issue 16)', async () => {
      const a = await store.createIntegration({ name: 'To run', description: '', graph: graphOf('m') });
      expect(await store.getIntegrationToRun(a.id)).toEqual({ integration: await store.getIntegration(a.id), version: null });
      const v1 = await store.createVersion(a.id, a.graph, plan, 'h1');
      await store.updateIntegration(a.id, { graph: graphOf('m', 'extra') });
      const both = await store.getIntegrationToRun(a.id);
      expect(both).toEqual({ integration: await store.getIntegration(a.id), version: await store.getVersion(v1.id) });
      expect(both?.integration.hasUnpublishedChanges).toBe(true);
      for (const bad of ['int_missing', '__proto__', "x' OR '1'='1", '9007199254740993', '007', 'z'.repeat(100_000)]) {
        expect(await store.getIntegrationToRun(bad)).toBeNull();
      }
      await expect(store.getIntegrationToRun('int\u0000')).rejects.toThrow();
    });

    // Issue 16: the statements a run makes every time are prepared once, unnamed (runtime/store/built-once.ts). Named,
    // the second connection of the store server's pool to prepare one would fail (PGlite's one session keeps it).
    it('runs the statements built once from many connections at once, each call with its own values', async () => {
      const { integration, version, run } = await newRun();
      const ids = Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? integration.id : i % 3 === 1 ? `int_missing_${i}` : "x' OR '1'='1"));
      const found = await Promise.all(ids.map((id) => store.getIntegrationToRun(id)));
      expect(found.map((f) => f?.integration.id ?? null)).toEqual(ids.map((id) => (id === integration.id ? id : null)));
      expect(found.find((f) => f)?.version?.id).toBe(version.id);
      await Promise.all([...Array(12).keys()].map(() => store.markRunStarted(run.id)));
      await Promise.all([...Array(12).keys()].map((i) => store.setStepsStatus(run.id, i % 2 ? ['src', 'dst'] : ['dst'], 'running')));
      await expect(store.setStepsStatus(run.id, ['src', '__proto__'], 'running')).rejects.toBeInstanceOf(StoreNotFoundError);
      const state = await store.getRunState(run.id);
      expect(state?.status).toBe('running');
      expect(state?.steps.map((st) => [st.nodeId, st.status])).toEqual([
        ['src', 'running'],
        ['map', 'pending'],
        ['dst', 'running'],
      ]);
      const done = await Promise.all([...Array(8).keys()].map(() => store.completeSteps(run.id, ['dst', 'src'])));
      expect(done.every((d) => d.map((x) => x.nodeId).join() === 'dst,src' && d.every((x) => x.status === 'completed'))).toBe(true);
    });

    it('refuses a version for a missing integration', async () => {
      await expect(store.createVersion('int_missing', graphOf(), plan, 'h')).rejects.toBeInstanceOf(StoreNotFoundError);
    });
  });

  describe('runs and steps', () => {
    it('keeps a run\'s name, who started it and the run it re-runs, and filters the history by status and date before paging', async () => {
      const { integration, version, run: first } = await newRun();
      const again = await store.createRun({ integrationId: integration.id, versionId: version.id, trigger: 'rerun', name: 'Re-run of March', startedBy: 'Ada', rerunOf: first.id, params: {}, steps: STEPS });
      expect(again).toMatchObject({ name: 'Re-run of March', startedBy: 'Ada', rerunOf: first.id, trigger: 'rerun', status: 'queued' });
      await store.finishRun(first.id, 'cancelled', null);
      for (let i = 0; i < 3; i++) {
        const r = await store.createRun({ integrationId: integration.id, versionId: version.id, trigger: 'api', name: `API ${i}`, startedBy: 'token:ci', params: {}, steps: STEPS });
        await store.finishRun(r.id, 'failed', 'boom');
      }
      const failed = await store.listRuns(integration.id, { status: ['failed'], limit: 2 });
      expect(failed.total).toBe(3);
      expect(failed.items.map((r) => r.name)).toEqual(['API 2', 'API 1']);
      const some = await store.listRuns(integration.id, { status: ['cancelled', 'queued'] });
      expect(some.items.map((r) => r.status).sort()).toEqual(['cancelled', 'queued']);
      const future = new Date(Date.now() + 60_000).toISOString();
      expect((await store.listRuns(integration.id, { from: future })).total).toBe(0);
      expect((await store.listRuns(integration.id, { to: future })).total).toBe(5);
      expect((await store.listRuns(integration.id, { from: new Date(Date.now() - 60_000).toISOString(), to: future, status: ['failed'] })).total).toBe(3);
      await store.setRunWorkflow(again.id, 'run-x-resume-1');
      expect(await store.getRunWorkflow(again.id)).toBe('run-x-resume-1');
      // Issue 16: a run's own workflow id is written with the run (no second statement); none given, none recorded.
      const withWorkflow = await store.createRun({ id: 'run_wf16', workflowId: 'run-run_wf16', integrationId: integration.id, versionId: version.id, trigger: 'manual', params: {}, steps: STEPS });
      expect(await store.getRunWorkflow(withWorkflow.id)).toBe('run-run_wf16');
      expect(await store.getRunWorkflow(first.id)).toBeNull();
    });

    it('ends a run in one statement, answering it as getRunState reads it; moves its cursors without reading it first (issue 16)', async () => {
      const { integration, run } = await newRun();
      await store.markRunStarted(run.id);
      await store.commitBatch({ runId: run.id, pipelineId: 'p1', batch: 1, cursor: null, counts: { src: { read: 3 }, dst: { written: 2, created: 2, rejected: 1 } }, rejected: [] });
      await store.completeSteps(run.id, ['src', 'dst']);
      const ended = await store.endRun(run.id, 'completed_with_errors', 'one "rejected" \\ row');
      expect(ended).toEqual(await store.getRunState(run.id));
      expect(ended).toMatchObject({ status: 'completed_with_errors', error: 'one "rejected" \\ row', counts: { read: 3, written: 2, rejected: 1 } });
      expect(ended?.endedAt).not.toBeNull();
      // Unknown and hostile ids: nothing written, null.
      for (const bad of ['run_missing', '__proto__', "x' OR '1'='1", '9007199254740993', '007', 'z'.repeat(100_000)]) {
        expect(await store.endRun(bad, 'failed', 'x')).toBeNull();
        await store.sync.advanceRunCursors(bad);
      }
      await expect(store.endRun('run\u0000', 'failed', null)).rejects.toThrow();
      expect((await store.getRunState(run.id))?.status).toBe('completed_with_errors');

      // The run's cursors move as advanceCursors moves them, the integration taken from the run.
      const other = await newRun();
      for (const [r, high] of [
        [run.id, 9007199254740000],
        [other.run.id, 12],
      ] as const) {
        const integrationId = r === run.id ? integration.id : other.integration.id;
        await store.sync.beginSourceRead({ runId: r, pipelineId: 'p1', nodeId: 'src', integrationId, field: 'n', kind: 'number', fullSync: false });
        await store.sync.raiseSourceHigh(r, 'p1', 'number', high);
      }
      await store.sync.advanceRunCursors(run.id);
      const viaRun = await store.sync.getCursor(integration.id, 'src');
      expect(viaRun).toMatchObject({ field: 'n', kind: 'number', value: 9007199254740000 });
      expect(await store.sync.getCursor(other.integration.id, 'src')).toBeNull();
      expect(await store.sync.advanceCursors(other.run.id, other.integration.id)).toEqual([await store.sync.getCursor(other.integration.id, 'src')]);
      expect(await store.sync.getCursor(other.integration.id, 'src')).toMatchObject({ value: 12 });
      // Never backwards.
      await store.sync.advanceRunCursors(run.id);
      expect(await store.sync.getCursor(integration.id, 'src')).toEqual(viaRun);
    });

    it('creates a queued run with pending steps, then starts and finishes it', async () => {
      const { integration, version, run } = await newRun();
      expect(run).toMatchObject({
        integrationId: integration.id,
        versionId: version.id,
        versionNumber: 1,
        status: 'queued',
        trigger: 'manual',
        name: '',
        startedBy: null,
        rerunOf: null,
        params: { since: '2024-01-01' },
        counts: { read: 0, written: 0, created: 0, updated: 0, rejected: 0 },
        startedAt: null,
        endedAt: null,
        error: null,
      });
      const detail = await store.getRun(run.id);
      expect(detail?.integrationName).toBe('People to contacts');
      expect(detail?.steps.map((s) => [s.nodeId, s.status])).toEqual([
        ['src', 'pending'],
        ['map', 'pending'],
        ['dst', 'pending'],
      ]);

      await store.markRunStarted(run.id);
      const started = await store.getRun(run.id);
      expect(started?.status).toBe('running');
      expect(started?.startedAt).not.toBeNull();
      await store.markRunStarted(run.id);
      expect((await store.getRun(run.id))?.startedAt).toBe(started?.startedAt);

      await store.setStepStatus(run.id, 'src', 'running');
      const running = (await store.getRun(run.id))?.steps[0];
      expect(running).toMatchObject({ status: 'running', endedAt: null });
      expect(running?.startedAt).not.toBeNull();
      await store.setStepStatus(run.id, 'src', 'completed');
      await store.setStepStatus(run.id, 'map', 'failed', 'Formula error in "total"');
      await store.setStepStatus(run.id, 'dst', 'skipped');
      const steps = (await store.getRun(run.id))!.steps;
      expect(steps[0]).toMatchObject({ status: 'completed', startedAt: running?.startedAt });
      expect(steps[0]?.endedAt).not.toBeNull();
      expect(steps[1]).toMatchObject({ status: 'failed', error: 'Formula error in "total"', startedAt: null });
      expect(steps[2]?.status).toBe('skipped');
      await expect(store.setStepStatus(run.id, 'nope', 'running')).rejects.toBeInstanceOf(StoreNotFoundError);

      await store.finishRun(run.id, 'failed', 'Map fields failed');
      const finished = await store.getRun(run.id);
      expect(finished).toMatchObject({ status: 'failed', error: 'Map fields failed' });
      expect(finished?.endedAt).not.toBeNull();
      // A late retry of the start activity does not revive a finished run.
      await store.markRunStarted(run.id);
      expect((await store.getRun(run.id))?.status).toBe('failed');
    });

    it('answers a new run as it reads back, sets several steps at once and reads a run in short (issue 16)', async () => {
      const { version, integration } = await newRun();
      const run = await store.createRun({ integrationId: integration.id, versionId: version.id, trigger: 'api', params: { n: 1 }, steps: [{ nodeId: 'src', kind: 'csv-source', label: 'S' }, { nodeId: 'dst', kind: 'workspace-target', label: 'D' }] });
      const { steps: _steps, integrationName: _name, files: _files, ...readBack } = (await store.getRun(run.id))!;
      expect(run).toEqual(readBack);

      await store.setStepsStatus(run.id, ['src', 'dst'], 'running');
      let state = await store.getRunState(run.id);
      expect(state?.steps.map((s) => s.status)).toEqual(['running', 'running']);
      expect(state?.steps.every((s) => s.startedAt !== null && s.endedAt === null)).toBe(true);
      await store.setStepsStatus(run.id, ['src', 'dst'], 'failed', 'The file is gone');
      state = await store.getRunState(run.id);
      expect(state?.steps.map((s) => [s.status, s.error, s.endedAt !== null])).toEqual([
        ['failed', 'The file is gone', true],
        ['failed', 'The file is gone', true],
      ]);
      expect(state).toMatchObject({ id: run.id, trigger: 'api', params: { n: 1 }, syncOptions: {}, versionNumber: run.versionNumber });
      // One unknown step fails the call by name; an empty list is nothing to do.
      await expect(store.setStepsStatus(run.id, ['src', 'nope'], 'running')).rejects.toBeInstanceOf(StoreNotFoundError);
      await store.setStepsStatus(run.id, [], 'running');
      expect(await store.getRunState('run_unknown')).toBeNull();
    });

    it('completes steps from their stored counts in one call: with errors when a record was rejected (issue 16)', async () => {
      const { version, integration } = await newRun();
      const run = await store.createRun({ integrationId: integration.id, versionId: version.id, trigger: 'api', params: {}, steps: [{ nodeId: 'src', kind: 'csv-source', label: 'S' }, { nodeId: 'dst', kind: 'workspace-target', label: 'D' }] });
      await store.setStepsStatus(run.id, ['src', 'dst'], 'running');
      await store.commitBatch({ runId: run.id, pipelineId: 'p1', batch: 1, cursor: null, counts: { src: { read: 3 }, dst: { written: 2, created: 2, rejected: 1 } }, rejected: [] });
      await store.setStepStatus(run.id, 'dst', 'running', 'a retried attempt said so');
      // Asked order, not stored order.
      expect(await store.completeSteps(run.id, ['dst', 'src'])).toEqual([
        { nodeId: 'dst', status: 'completed_with_errors', counts: { read: 0, written: 2, created: 2, updated: 0, unchanged: 0, rejected: 1 } },
        { nodeId: 'src', status: 'completed', counts: { read: 3, written: 0, created: 0, updated: 0, unchanged: 0, rejected: 0 } },
      ]);
      const state = await store.getRunState(run.id);
      expect(state?.steps.map((s) => [s.nodeId, s.status, s.error, s.endedAt !== null])).toEqual([
        ['src', 'completed', null, true],
        ['dst', 'completed_with_errors', null, true],
      ]);
      await expect(store.completeSteps(run.id, ['src', 'nope'])).rejects.toBeInstanceOf(StoreNotFoundError);
      expect(await store.completeSteps(run.id, [])).toEqual([]);
    });

    it('refuses a run on a version of another integration', async () => {
      const { version } = await newRun();
      const other = await store.createIntegration({ name: 'Other', description: '', graph: graphOf() });
      await expect(
        store.createRun({ integrationId: other.id, versionId: version.id, trigger: 'api', params: {}, steps: [] }),
      ).rejects.toBeInstanceOf(StoreNotFoundError);
    });

    it('aggregates run counts: sources read, targets written, rejections everywhere', async () => {
      const { run } = await newRun();
      await store.commitBatch(
        commit(run.id, 1, {
          counts: { src: { read: 10 }, map: { read: 10, written: 8, rejected: 2 }, dst: { read: 8, written: 7, created: 5, updated: 2, rejected: 1 } },
        }),
      );
      const detail = await store.getRun(run.id);
      expect(detail?.counts).toEqual({ read: 10, written: 7, created: 5, updated: 2, unchanged: 0, rejected: 3 });
      expect(detail?.steps[1]?.counts).toEqual({ read: 10, written: 8, created: 0, updated: 0, unchanged: 0, rejected: 2 });
      const listed = await store.listRuns(run.integrationId);
      expect(listed.items[0]?.counts).toEqual(detail?.counts);
    });

    it('lists runs newest first with paging, and shows the last run on the integration', async () => {
      const { integration, version, run: first } = await newRun();
      const more = [];
      for (const trigger of ['api', 'schedule', 'manual'] as const) {
        more.push(await store.createRun({ integrationId: integration.id, versionId: version.id, trigger, params: {}, steps: STEPS }));
      }
      const all = await store.listRuns(integration.id);
      expect(all.total).toBe(4);
      expect(all.items.map((r) => r.id)).toEqual([...more].reverse().map((r) => r.id).concat(first.id));
      const page2 = await store.listRuns(integration.id, { limit: 2, offset: 2 });
      expect(page2.total).toBe(4);
      expect(page2.items.map((r) => r.id)).toEqual([more[0]!.id, first.id]);

      const last = more[2]!;
      await store.finishRun(last.id, 'completed', null);
      const summary = (await store.listIntegrations()).find((i) => i.id === integration.id);
      expect(summary?.lastRun).toMatchObject({ id: last.id, status: 'completed' });
      expect(summary?.lastRun?.endedAt).not.toBeNull();
      expect(await store.listRuns('int_missing')).toEqual({ items: [], total: 0 });
    });
  });

  describe('commitBatch', () => {
    it('keeps a pipeline\'s parts once per run, and parts commit under their own checkpoints, their counts adding up', async () => {
      const { run } = await newRun();
      const plan = { partitions: [{ kind: 'keys', field: 'id', from: null, to: '10' }, { kind: 'keys', field: 'id', from: '10', to: null }] };
      expect(await store.keepPartitions(run.id, 'p1', plan)).toEqual(plan);
      // A later planning (a retry, a resumed run) gets the first one's parts, whatever it planned.
      expect(await store.keepPartitions(run.id, 'p1', { partitions: [] })).toEqual(plan);
      expect(await store.keepPartitions(run.id, 'p2', { partitions: [] })).toEqual({ partitions: [] });
      // Values come back as kept: a string that looks like JSON stays a string, numbers past 2^53 kept as text stay exact.
      const odd = { partitions: [{ kind: 'keys', field: '__proto__', from: '9007199254740993', to: '007' }], why: '{"not":"parsed"}', n: 12.5 };
      expect(await store.keepPartitions(run.id, 'p3', odd)).toEqual(odd);
      expect(await store.keepPartitions(run.id, 'p3', '123')).toEqual(odd);
      expect(await store.keepPartitions(run.id, 'p4', '123')).toBe('123');
      await store.commitBatch({ ...commit(run.id, 1, { counts: { src: { read: 2 } } }), pipelineId: 'p1#p0' });
      await store.commitBatch({ ...commit(run.id, 1, { counts: { src: { read: 3 } } }), pipelineId: 'p1#p1' });
      expect(await store.commitBatch({ ...commit(run.id, 1, { counts: { src: { read: 3 } } }), pipelineId: 'p1#p1' })).toEqual({ applied: false, outcomes: [] });
      expect((await store.getRun(run.id))?.steps.find((s) => s.nodeId === 'src')?.counts.read).toBe(5);
      expect((await store.getCheckpoint(run.id, 'p1#p1')).batch).toBe(1);
      // The kept parts are not a committed batch: the run's own checkpoint is untouched.
      expect(await store.getCheckpoint(run.id, 'p1')).toEqual({ batch: 0, cursor: null });
    });

    it('records staged rejected records with the commit: keyed rows replaced, other attempts\' rows never, once, counted, then cleared', async () => {
      const { run } = await newRun();
      const row = (key: string, attempt: string | null, rowNumber: number, extra: Record<string, unknown> = {}) => ({ key, attempt, nodeId: 'dst', rowNumber, source: { id: rowNumber, ...extra }, mapped: { id: rowNumber }, reason: `held ${key}` });
      // A held record (no attempt) staged by a first attempt, then again by the retry: one row, the retry's.
      await store.stageRejected(run.id, 'p1', [row('held 1', null, 1), row('held 2', null, 2), row('refused x1', 'x', 3)]);
      await store.stageRejected(run.id, 'p1', [row('held 2', null, 7, { by: 'retry' }), row('refused y1', 'y', 8), row('held 3', null, 9), row('held 3', null, 10)]);
      // Hostile values keep as data: U+0000 shown as ␀, `__proto__` an own key, a number past 2^53 as given.
      await store.stageRejected(run.id, 'p1', [{ ...row(`held \u0000${'k'.repeat(100_000)}`, null, 11), source: JSON.parse('{"__proto__": "p", "n": "9007199254740993", "z": "a\\u0000b"}') as Record<string, unknown> }]);
      // Attempt x failed: its refusal is dropped; another pipeline's rows are its own.
      await store.dropStagedRejected(run.id, 'p1', 'x');
      await store.stageRejected(run.id, 'p2', [row('held 1', null, 1)]);
      expect((await store.listRejected(run.id)).total).toBe(0);
      expect((await store.commitBatch(commit(run.id, 1, { counts: { dst: { read: 4 } }, staged: { attempt: 'y' } }))).applied).toBe(true);
      const { items, total } = await store.listRejected(run.id);
      expect(total).toBe(5);
      expect(items.map((r) => r.rowNumber)).toEqual([1, 7, 8, 10, 11]);
      expect(items[1]!.source).toEqual({ id: 7, by: 'retry' });
      expect(items[4]!.source).toEqual(JSON.parse('{"__proto__": "p", "n": "9007199254740993", "z": "a\u2400b"}'));
      expect(Object.hasOwn(items[4]!.source, '__proto__')).toBe(true);
      expect(items[4]!.reason).toBe(`held held \u2400${'k'.repeat(100_000)}`);
      expect(items.every((r) => r.id.startsWith('rej_'))).toBe(true);
      expect((await store.getRun(run.id))?.steps.find((x) => x.nodeId === 'dst')?.counts).toMatchObject({ rejected: 5, read: 4 });
      // Staged after the commit (a late attempt): cleared by its commit, which is a duplicate, recording nothing.
      await store.stageRejected(run.id, 'p1', [row('held 4', null, 12)]);
      expect((await store.commitBatch(commit(run.id, 1, { staged: { attempt: 'z' } }))).applied).toBe(false);
      expect((await store.commitBatch(commit(run.id, 2, { staged: { attempt: 'z' } }))).applied).toBe(true);
      expect((await store.listRejected(run.id)).total).toBe(5);
      expect((await store.listRejected(run.id, { nodeId: 'dst' })).total).toBe(5);
    });

    it('a run ended failed or cancelled (store.finishRun, store.endRun) records its staged held rows first', async () => {
      const row = (key: string, attempt: string | null, rowNumber: number) => ({ key, attempt, nodeId: 'dst', rowNumber, source: { id: rowNumber }, mapped: null, reason: `held ${key}` });
      for (const status of ['failed', 'cancelled'] as const) {
        const { run } = await newRun();
        await store.stageRejected(run.id, 'p1', [row('held 1', null, 1), row('refused 2', 'x', 2), row('held __proto__', null, 3)]);
        // finishRun for the first, endRun (the run's own finish) for the second.
        if (status === 'failed') await store.finishRun(run.id, status, 'The set member failed');
        else await store.endRun(run.id, status, null);
        const { items } = await store.listRejected(run.id);
        expect(items.map((r) => [r.rowNumber, r.reason])).toEqual([
          [1, 'held held 1'],
          [3, 'held held __proto__'],
        ]);
        expect(await store.recordLeftStaged(run.id)).toBe(0);
        expect((await store.getRun(run.id))?.status).toBe(status);
      }
      // A completed run's finish leaves the stage to its commit (nothing is recorded by the finish).
      const { run } = await newRun();
      await store.stageRejected(run.id, 'p1', [row('held 1', null, 1)]);
      await store.finishRun(run.id, 'completed', null);
      expect((await store.listRejected(run.id)).total).toBe(0);
    });

    it('a retry starts after the run\'s row numbers, drops the held rows of pairs it settled, and a run ended without its commit records what stayed staged', async () => {
      const { run } = await newRun();
      const row = (key: string, attempt: string | null, rowNumber: number) => ({ key, attempt, nodeId: 'dst', rowNumber, source: { id: rowNumber }, mapped: null, reason: `held ${key}` });
      // A first attempt: nothing staged or recorded, nothing to drop.
      expect(await store.rejectedStageStart(run.id, 'p1', 'dst')).toEqual({ held: false, lastRowNumber: 0 });
      // Only a refusal staged: no held row a retry could settle, but its number is taken.
      await store.stageRejected(run.id, 'p1', [row('refused x1', 'x', 4)]);
      expect(await store.rejectedStageStart(run.id, 'p1', 'dst')).toEqual({ held: false, lastRowNumber: 4 });
      const hostile = `held \u0000${'k'.repeat(100_000)}`;
      await store.stageRejected(run.id, 'p1', [row('held 1', null, 1), row('held 2', null, 2), row('held __proto__', null, 3), row(hostile, null, 5)]);
      expect(await store.rejectedStageStart(run.id, 'p1', 'dst')).toEqual({ held: true, lastRowNumber: 5 });
      // The retry settled 2 and the hostile key's pair without holding them: their rows go (a key twice, an unknown key:
      // nothing more); a refusal is never dropped by its key.
      await store.unstageRejected(run.id, 'p1', ['held 2', hostile, 'refused x1', 'held 9', 'held 2']);
      await store.unstageRejected(run.id, 'p1', []);
      // Another pipeline's rows are its own.
      await store.stageRejected(run.id, 'p2', [row('held 2', null, 7)]);
      await store.unstageRejected(run.id, 'p1', ['held 2']);
      // The run ends failed before any commit: every pipeline's held rows recorded and counted, refusals dropped, the stage cleared.
      expect(await store.recordLeftStaged(run.id)).toBe(3);
      const { items, total } = await store.listRejected(run.id);
      expect(total).toBe(3);
      expect(items.map((r) => [r.rowNumber, r.reason])).toEqual([
        [1, 'held held 1'],
        [3, 'held held __proto__'],
        [7, 'held held 2'],
      ]);
      expect((await store.getRun(run.id))?.steps.find((x) => x.nodeId === 'dst')?.counts).toMatchObject({ rejected: 3 });
      expect(await store.recordLeftStaged(run.id)).toBe(0);
      // A resumed attempt numbers after the recorded ones (its step's only); a late commit finds nothing staged.
      expect(await store.rejectedStageStart(run.id, 'p1', 'dst')).toEqual({ held: false, lastRowNumber: 7 });
      expect(await store.rejectedStageStart(run.id, 'p1', 'src')).toEqual({ held: false, lastRowNumber: 0 });
      expect((await store.commitBatch(commit(run.id, 1, { staged: { attempt: 'x' } }))).applied).toBe(true);
      expect((await store.listRejected(run.id)).total).toBe(3);
      expect((await store.getRun(run.id))?.steps.find((x) => x.nodeId === 'dst')?.counts).toMatchObject({ rejected: 3 });
    });

    it('drops a step\'s run keys, some or all', async () => {
      const { run } = await newRun();
      const keys = ['[1]', '["__proto__"]', '["9007199254740993"]', '["a\\u0000b"]'].map((key, i) => ({ key, values: { id: i } }));
      await store.sync.addDeletedKeys(run.id, { nodeId: 'dst', side: 'a' as const }, keys);
      await store.sync.addDeletedKeys(run.id, { nodeId: 'dst', side: 'b' as const }, keys);
      await store.sync.dropKeys(run.id, { nodeId: 'dst', side: 'a' as const }, ['["__proto__"]', '["a\\u0000b"]', '[404]']);
      expect((await store.sync.listDeletedKeys(run.id, { nodeId: 'dst', side: 'a' as const }, { after: null, limit: 10 })).map((k) => k.key).sort()).toEqual(['["9007199254740993"]', '[1]']);
      await store.sync.dropKeys(run.id, { nodeId: 'dst', side: 'a' as const });
      expect(await store.sync.countDeletedKeys(run.id, { nodeId: 'dst', side: 'a' as const })).toBe(0);
      expect(await store.sync.countDeletedKeys(run.id, { nodeId: 'dst', side: 'b' as const })).toBe(4);
    });

    // probe14: a one-field key is the value itself, so a source key holding U+0000 or half a character (a JSON
    // source's "\ud83d") failed the batch's commit of its seen/deleted keys (jsonb refuses both): the run failed.
    it('keeps run keys holding U+0000 or half a character, and every other key, exactly', async () => {
      const { run } = await newRun();
      const odd = ['a\u0000b', 'half \ud83d', '\udc00', '\u0001weft-key:"x"', 'plain', '', '😀'];
      const deleted = odd.map((key, i) => ({ key, values: { id: key, n: i } }));
      const batch = commit(run.id, 1, { sync: { keys: { nodeId: 'dst', seen: odd, deleted: deleted.slice(0, 3) } } });
      expect((await store.commitBatch(batch)).applied).toBe(true);
      expect(await store.sync.unseenKeys(run.id, 'dst', [...odd, 'never', 'a\u0000c', '\ud83e'])).toEqual(['never', 'a\u0000c', '\ud83e']);
      await store.sync.addDeletedKeys(run.id, 'dst#x', deleted);
      await store.sync.addRunKeys(run.id, 'dst#y', odd, false);
      expect(await store.sync.unseenKeys(run.id, 'dst#y', odd)).toEqual([]);
      const listed = [];
      for (let after: string | null = null; ; ) {
        const page = await store.sync.listDeletedKeys(run.id, 'dst#x', { after, limit: 2 });
        if (page.length === 0) break;
        listed.push(...page);
        after = page[page.length - 1]!.key;
      }
      expect(listed.map((k) => k.key).sort()).toEqual([...odd].sort());
      for (const k of listed) expect(k.values).toEqual({ id: k.key, n: odd.indexOf(k.key) });
      await store.sync.dropKeys(run.id, 'dst#x', ['a\u0000b', 'half \ud83d']);
      expect(await store.sync.countDeletedKeys(run.id, 'dst#x')).toBe(odd.length - 2);
      expect((await store.sync.listDeletedKeys(run.id, 'dst', { after: null, limit: 10 })).map((k) => k.key).sort()).toEqual(odd.slice(0, 3).sort());
    });

    // del16b: a delete phase's progress (recorded before the first delete and after each call) keeps its last key exactly.
    it('records a delete phase applying, its last key applied (U+0000, half a character) and the call in flight', async () => {
      const { run } = await newRun();
      for (const afterKey of ['a\u0000b', 'half \ud83d', '["x"]']) {
        const applying = { runId: run.id, nodeId: 'dst', state: 'applying' as const, candidates: 9, targetRecords: 20, allowed: 10, applied: 4, afterKey, inFlight: 3 };
        await store.sync.recordDeletePhase(applying);
        expect(await store.sync.getDeletePhase(run.id, 'dst')).toEqual({ ...applying, fence: 0 });
      }
      await store.sync.recordDeletePhase({ runId: run.id, nodeId: 'dst', state: 'applied', candidates: 9, targetRecords: 20, allowed: 10, applied: 9 });
      expect(await store.sync.listDeletePhases(run.id)).toEqual([{ runId: run.id, nodeId: 'dst', state: 'applied', candidates: 9, targetRecords: 20, allowed: 10, applied: 9, afterKey: null, inFlight: null, fence: 0 }]);
    });

    // del13: one attempt at a time. Taking a phase raises its fence; a record carrying an older fence writes nothing.
    it('takes a delete phase: records of an attempt it was taken from are refused, a two-way side is a phase of its own', async () => {
      const { run } = await newRun();
      const phase = { runId: run.id, nodeId: 'dst', state: 'applying' as const, candidates: 9, targetRecords: 20, allowed: 10, applied: 0, afterKey: null, inFlight: null };
      expect(await store.sync.takeDeletePhase(run.id, 'dst')).toBeNull();
      // The first decision recorded is held by fence 1; another attempt that found none (0) is refused.
      expect(await store.sync.recordDeletePhase({ ...phase, fence: 0 })).toBe(1);
      expect(await store.sync.recordDeletePhase({ ...phase, applied: 5, fence: 0 })).toBeNull();
      const taken = await store.sync.takeDeletePhase(run.id, 'dst');
      expect(taken).toMatchObject({ state: 'applying', applied: 0, fence: 2 });
      // The older attempt's progress is refused and nothing of it written; the taker's is recorded.
      expect(await store.sync.recordDeletePhase({ ...phase, applied: 4, afterKey: '["k"]', fence: 1 })).toBeNull();
      expect(await store.sync.getDeletePhase(run.id, 'dst')).toMatchObject({ applied: 0, afterKey: null, fence: 2 });
      expect(await store.sync.recordDeletePhase({ ...phase, applied: 3, afterKey: '["j"]', inFlight: 2, fence: 2 })).toBe(2);
      expect(await store.sync.getDeletePhase(run.id, 'dst')).toMatchObject({ applied: 3, afterKey: '["j"]', inFlight: 2, fence: 2 });
      // A two-way step's directions under the same node id, by side: phases (and keys) of their own.
      expect(await store.sync.recordDeletePhase({ ...phase, side: 'b', candidates: 4, fence: 0 })).toBe(1);
      expect(await store.sync.getDeletePhase(run.id, { nodeId: 'dst', side: 'b' })).toMatchObject({ side: 'b', candidates: 4, fence: 1 });
      expect(await store.sync.getDeletePhase(run.id, { nodeId: 'dst', side: 'a' })).toBeNull();
      expect((await store.sync.listDeletePhases(run.id)).map((p) => [p.nodeId, p.side ?? '', p.candidates])).toEqual([
        ['dst', '', 9],
        ['dst', 'b', 4],
      ]);
    });

    it('applies a batch once: a retried or older batch is ignored', async () => {
      const { run } = await newRun();
      expect(await store.getCheckpoint(run.id, 'p1')).toEqual({ batch: 0, cursor: null });
      const object = objectName('people');
      const first = commit(run.id, 1, { counts: { src: { read: 2 } }, workspaceWrite: write(object, [{ email: 'a@x.io' }, { email: 'b@x.io' }]) });
      expect(await store.commitBatch(first)).toEqual({ applied: true, outcomes: [{ outcome: 'created' }, { outcome: 'created' }] });
      expect(await store.commitBatch(first)).toEqual({ applied: false, outcomes: [] });
      expect(await store.getCheckpoint(run.id, 'p1')).toEqual({ batch: 1, cursor: { offset: 10 } });

      await store.commitBatch(commit(run.id, 2, { cursor: 'page-3', counts: { src: { read: 1 } } }));
      expect(await store.commitBatch(commit(run.id, 1, { counts: { src: { read: 100 } } }))).toEqual({ applied: false, outcomes: [] });
      // A cursor that is itself a JSON string comes back as the same string.
      expect(await store.getCheckpoint(run.id, 'p1')).toEqual({ batch: 2, cursor: 'page-3' });
      await store.commitBatch(commit(run.id, 3, { cursor: '42' }));
      expect((await store.getCheckpoint(run.id, 'p1')).cursor).toBe('42');

      const detail = await store.getRun(run.id);
      expect(detail?.counts).toEqual({ read: 3, written: 2, created: 2, updated: 0, unchanged: 0, rejected: 0 });
      expect((await store.getWorkspaceObject(object))?.recordCount).toBe(2);
      expect((await store.listWorkspaceRecords(object)).items.map((r) => r.key)).toEqual(['a@x.io', 'b@x.io']);
    });

    it('stores a source\'s progress with the batch, the latest one winning, and a batch without one keeping it', async () => {
      const { run } = await newRun();
      await store.commitBatch(commit(run.id, 1, { counts: { src: { read: 2 } }, progress: { src: { unit: 'bytes', done: 100, total: 1000 } } }));
      await store.commitBatch(commit(run.id, 2, { counts: { src: { read: 2 } }, progress: { src: { unit: 'bytes', done: 400, total: 1000 } } }));
      // A retried old batch changes nothing, its progress included.
      await store.commitBatch(commit(run.id, 1, { counts: { src: { read: 2 } }, progress: { src: { unit: 'bytes', done: 5, total: 1000 } } }));
      await store.commitBatch(commit(run.id, 3, { counts: { src: { read: 1 } } }));
      const src = (await store.getRun(run.id))?.steps.find((s) => s.nodeId === 'src');
      expect(src).toMatchObject({ counts: { read: 5 }, progress: { unit: 'bytes', done: 400, total: 1000 } });
      // Progress alone (a filtered read that kept nothing) is stored too.
      await store.commitBatch(commit(run.id, 4, { progress: { src: { unit: 'rows', total: 20 } } }));
      expect((await store.getRun(run.id))?.steps.find((s) => s.nodeId === 'src')?.progress).toEqual({ unit: 'rows', total: 20 });
    });

    it('keeps pipelines apart', async () => {
      const { run } = await newRun();
      await store.commitBatch(commit(run.id, 1, { pipelineId: 'p1', counts: { src: { read: 1 } } }));
      expect((await store.commitBatch(commit(run.id, 1, { pipelineId: 'p2', counts: { src: { read: 1 } } }))).applied).toBe(true);
      expect((await store.getRun(run.id))?.counts.read).toBe(2);
    });

    it('applies exactly one of two concurrent commits of the same batch', async () => {
      const { run } = await newRun();
      const object = objectName('race');
      const same = commit(run.id, 1, { counts: { src: { read: 3 } }, workspaceWrite: write(object, [{ email: 'a' }, { email: 'b' }, { email: 'c' }]) });
      const results = await Promise.all([store.commitBatch(same), store.commitBatch(same), store.commitBatch(same)]);
      expect(results.filter((r) => r.applied)).toHaveLength(1);
      expect((await store.getRun(run.id))?.counts).toEqual({ read: 3, written: 3, created: 3, updated: 0, unchanged: 0, rejected: 0 });
    });

    it('serialises concurrent writers to one object, so outcomes stay exact', async () => {
      const object = objectName('shared');
      const first = await newRun();
      await store.commitBatch(commit(first.run.id, 1, { workspaceWrite: write(object, [{ email: 'existing' }]) }));
      const runs = await Promise.all([newRun(), newRun(), newRun()]);
      const rows = [{ email: 'a', name: 'A' }, { email: 'b', name: 'B' }];
      const results = await Promise.all(runs.map(({ run }) => store.commitBatch(commit(run.id, 1, { workspaceWrite: write(object, rows) }))));
      const outcomes = results.flatMap((r) => r.outcomes.map((o) => o.outcome));
      expect(outcomes.filter((o) => o === 'created')).toHaveLength(2);
      expect(outcomes.filter((o) => o === 'unchanged')).toHaveLength(4);
      expect((await store.getWorkspaceObject(object))?.recordCount).toBe(3);
    });

    // ws16: the object's row is locked first and created only when missing; writers that all find it missing create it
    // once between them, and each then locks the one row (a new snapshot sees the row another created meanwhile).
    it('serialises concurrent first writers to a new object', async () => {
      const object = objectName('fresh_shared');
      const runs = await Promise.all([newRun(), newRun(), newRun(), newRun()]);
      const rows = [{ email: 'a', name: 'A' }, { email: 'b', name: 'B' }];
      const results = await Promise.all(runs.map(({ run }) => store.commitBatch(commit(run.id, 1, { workspaceWrite: write(object, rows) }))));
      const outcomes = results.flatMap((r) => r.outcomes.map((o) => o.outcome));
      expect(outcomes.filter((o) => o === 'created')).toHaveLength(2);
      expect(outcomes.filter((o) => o === 'unchanged')).toHaveLength(6);
      expect((await store.getWorkspaceObject(object))?.recordCount).toBe(2);
    });

    it('rolls back everything when a part fails', async () => {
      const { run } = await newRun();
      const object = objectName('rollback');
      await expect(
        store.commitBatch(commit(run.id, 1, { counts: { src: { read: 1 }, ghost: { read: 1 } }, workspaceWrite: write(object, [{ email: 'a' }]) })),
      ).rejects.toBeInstanceOf(StoreNotFoundError);
      expect(await store.getCheckpoint(run.id, 'p1')).toEqual({ batch: 0, cursor: null });
      expect(await store.getWorkspaceObject(object)).toBeNull();
      expect((await store.getRun(run.id))?.counts.read).toBe(0);
    });

    it('reports created, updated, unchanged and rejected, and counts them on the target', async () => {
      const { run } = await newRun();
      const object = objectName('contacts');
      await store.commitBatch(
        commit(run.id, 1, {
          workspaceWrite: write(object, [
            { email: 'ada@x.io', name: 'Ada', age: 36 },
            { email: 'bob@x.io', name: 'Bob', age: 40 },
          ]),
        }),
      );
      const second = await store.commitBatch(
        commit(run.id, 2, {
          workspaceWrite: write(
            object,
            [
              { age: 36, name: 'Ada', email: 'ada@x.io' },
              { email: 'bob@x.io', name: 'Bob', age: 41 },
              { email: 'cy@x.io', name: 'Cy', age: null },
              { email: '  ', name: 'Nobody' },
              { email: null, name: 'Null' },
              { email: 'bob@x.io', age: 42 },
            ],
            { rowNumbers: [11, 12, 13, 14, 15, 16] },
          ),
        }),
      );
      expect(second.outcomes).toEqual([
        { outcome: 'unchanged' },
        { outcome: 'updated' },
        { outcome: 'created' },
        { outcome: 'rejected', reason: 'Key field "email" is empty' },
        { outcome: 'rejected', reason: 'Key field "email" is empty' },
        { outcome: 'updated' },
      ]);
      const target = (await store.getRun(run.id))?.steps.find((s) => s.nodeId === 'dst');
      expect(target?.counts).toEqual({ read: 0, written: 6, created: 3, updated: 2, unchanged: 1, rejected: 2 });

      const records = await store.listWorkspaceRecords(object);
      expect(records.items.map((r) => [r.key, r.values])).toEqual([
        ['ada@x.io', { email: 'ada@x.io', name: 'Ada', age: 36 }],
        // The last row for bob carried no name: the stored name is kept.
        ['bob@x.io', { email: 'bob@x.io', name: 'Bob', age: 42 }],
        ['cy@x.io', { email: 'cy@x.io', name: 'Cy', age: null }],
      ]);
      const rejected = await store.listRejected(run.id);
      expect(rejected.items.map((r) => [r.nodeId, r.rowNumber, r.reason, r.source, r.mapped])).toEqual([
        ['dst', 14, 'Key field "email" is empty', { email: '  ', name: 'Nobody' }, { email: '  ', name: 'Nobody' }],
        ['dst', 15, 'Key field "email" is empty', { email: null, name: 'Null' }, { email: null, name: 'Null' }],
      ]);
    });

    it('insert mode rejects keys that exist with other values, in the store or earlier in the batch', async () => {
      const { run } = await newRun();
      const object = objectName('signups');
      await store.commitBatch(commit(run.id, 1, { workspaceWrite: write(object, [{ email: 'a@x.io', name: 'A' }], { mode: 'insert' }) }));
      const result = await store.commitBatch(
        commit(run.id, 2, {
          workspaceWrite: write(object, [{ email: 'a@x.io', name: 'A2' }, { email: 'b@x.io' }, { email: 'b@x.io', name: 'B2' }], { mode: 'insert', rowNumbers: [2, 3, 4] }),
        }),
      );
      expect(result.outcomes).toEqual([
        { outcome: 'rejected', reason: `A record with key "a@x.io" already exists in ${object} with other values; insert mode does not change records` },
        { outcome: 'created' },
        { outcome: 'rejected', reason: `A record with key "b@x.io" already exists in ${object} with other values; insert mode does not change records` },
      ]);
      expect((await store.listWorkspaceRecords(object)).items.map((r) => r.values)).toEqual([
        { email: 'a@x.io', name: 'A' },
        { email: 'b@x.io' },
      ]);
      expect((await store.listRejected(run.id)).items.map((r) => r.rowNumber)).toEqual([2, 4]);
      expect((await store.getRun(run.id))?.steps.find((s) => s.nodeId === 'dst')?.counts).toEqual({ read: 0, written: 2, created: 2, updated: 0, unchanged: 0, rejected: 2 });
    });

    it('insert mode without a key gives every row its own record', async () => {
      const { run } = await newRun();
      const object = objectName('events');
      const result = await store.commitBatch(
        commit(run.id, 1, { workspaceWrite: write(object, [{ name: 'x' }, { name: 'x' }], { mode: 'insert', key: [], fields: [{ name: 'name', type: 'text' }] }) }),
      );
      expect(result.outcomes).toEqual([{ outcome: 'created' }, { outcome: 'created' }]);
      expect((await store.getWorkspaceObject(object))?.recordCount).toBe(2);
    });

    it('keys on several fields without confusing values that contain separators', async () => {
      const { run } = await newRun();
      const object = objectName('orders');
      const w = (rows: Record<string, unknown>[]) => write(object, rows, { key: ['region', 'number'], fields: [{ name: 'region', type: 'text' }, { name: 'number', type: 'text' }] });
      const result = await store.commitBatch(
        commit(run.id, 1, {
          workspaceWrite: w([
            { region: 'a,b', number: 'c' },
            { region: 'a', number: 'b,c' },
            { region: 'a|b', number: 'c' },
          ]),
        }),
      );
      expect(result.outcomes.map((o) => o.outcome)).toEqual(['created', 'created', 'created']);
      expect((await store.getWorkspaceObject(object))?.key).toEqual(['region', 'number']);
    });

    it('creates the object on first write and adds fields it has not seen', async () => {
      const { run } = await newRun();
      const object = objectName('customer_accounts');
      await store.commitBatch(commit(run.id, 1, { workspaceWrite: write(object, [{ email: 'a', name: 'A', age: 1 }]) }));
      const created = await store.getWorkspaceObject(object);
      expect(created).toMatchObject({ name: object, key: ['email'], attributes: FIELDS, recordCount: 1 });
      expect(created?.label).toMatch(/^Customer accounts/);

      await store.commitBatch(
        commit(run.id, 2, {
          workspaceWrite: write(object, [{ email: 'a', plan: 'gold', age: 2 }], {
            fields: [{ name: 'email', type: 'text' }, { name: 'plan', type: 'text' }, { name: 'age', type: 'number' }],
          }),
        }),
      );
      const extended = await store.getWorkspaceObject(object);
      // New fields are appended; an existing attribute keeps its type.
      expect(extended?.attributes).toEqual([...FIELDS, { name: 'plan', type: 'text' }]);
      expect((await store.listWorkspaceRecords(object)).items[0]?.values).toEqual({ email: 'a', name: 'A', age: 2, plan: 'gold' });
      expect((await store.listWorkspaceObjects()).some((o) => o.name === object)).toBe(true);
    });

    // probe18: the compiler compares a workspace target's fields with the object's attributes only as the object was at
    // publish. An integration published before another one made the object wrote USD amounts into an EUR attribute and
    // text into a Number one, without a word; test a record (previewWorkspaceWrite) must say what the run does.
    it('rejects every row when a field differs from the object’s attribute in type, currency code or referenced object', async () => {
      const { run } = await newRun();
      const object = objectName('typed');
      const fields: WorkspaceWrite['fields'] = [{ name: 'email', type: 'text' }, { name: 'age', type: 'number' }, { name: 'mrr', type: 'currency', currency: 'EUR' }, { name: 'boss', type: 'reference', ref: object }];
      await store.commitBatch(commit(run.id, 1, { workspaceWrite: write(object, [{ email: 'a', age: 1, mrr: 5, boss: null }], { fields }) }));
      const cases: [WorkspaceWrite['fields'][number], Record<string, unknown>, string][] = [
        [{ name: 'age', type: 'text' }, { email: 'b', age: 'forty' }, `"age" is text but ${object}.age is number`],
        [{ name: 'mrr', type: 'currency', currency: 'USD' }, { email: 'c', mrr: 7 }, `"mrr" holds USD amounts but ${object}.mrr holds EUR`],
        [{ name: 'boss', type: 'reference', ref: 'companies' }, { email: 'd', boss: 'a' }, `"boss" references companies but ${object}.boss references ${object}`],
      ];
      for (const [i, [field, row, why]] of cases.entries()) {
        const batch = write(object, [row], { fields: [{ name: 'email', type: 'text' }, field] });
        const reason = `${why}; publish the integration again to see what to change`;
        expect((await store.previewWorkspaceWrite(batch)).outcomes).toEqual([{ outcome: 'rejected', reason }]);
        expect((await store.commitBatch(commit(run.id, i + 2, { workspaceWrite: batch }))).outcomes).toEqual([{ outcome: 'rejected', reason }]);
      }
      expect((await store.listWorkspaceRecords(object)).items.map((r) => r.values)).toEqual([{ email: 'a', age: 1, mrr: 5, boss: null }]);
      expect((await store.getWorkspaceObject(object))?.attributes).toEqual(fields);
      // A field without a code or a referenced object still writes to the attribute that has one.
      const plain = write(object, [{ email: 'e', mrr: 3 }], { fields: [{ name: 'email', type: 'text' }, { name: 'mrr', type: 'currency' }] });
      expect((await store.commitBatch(commit(run.id, 9, { workspaceWrite: plain }))).outcomes).toEqual([{ outcome: 'created' }]);
    });

    it('rejects every row when the key differs from the object’s', async () => {
      const { run } = await newRun();
      const object = objectName('keyed');
      await store.commitBatch(commit(run.id, 1, { workspaceWrite: write(object, [{ email: 'a', name: 'A' }]) }));
      const result = await store.commitBatch(commit(run.id, 2, { workspaceWrite: write(object, [{ email: 'b', name: 'B' }], { key: ['name'] }) }));
      expect(result.outcomes).toEqual([{ outcome: 'rejected', reason: `${object} is keyed by email, not name` }]);
      expect((await store.getWorkspaceObject(object))?.recordCount).toBe(1);
    });

    it('defaults the write to the run’s only target step', async () => {
      const { run } = await newRun();
      const object = objectName('defaulted');
      const { nodeId: _, ...noNode } = write(object, [{ email: 'a' }, { email: '' }]);
      await store.commitBatch(commit(run.id, 1, { workspaceWrite: noNode }));
      expect((await store.getRun(run.id))?.steps.find((s) => s.nodeId === 'dst')?.counts).toMatchObject({ written: 1, created: 1, rejected: 1 });
      expect((await store.listRejected(run.id)).items[0]?.nodeId).toBe('dst');
    });

    it('stores values as JSON does and tells unchanged from updated by value, whatever the fields are called', async () => {
      const { run } = await newRun();
      const object = objectName('json_values');
      const fields = [{ name: 'email', type: 'text' }, { name: '__proto__', type: 'text' }, { name: 'tags', type: 'text' }, { name: 'n', type: 'number' }, { name: 'when', type: 'text' }] as WorkspaceWrite['fields'];
      const row = (tags: unknown, n: unknown) => {
        const r: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
        Object.assign(r, { email: 'a', tags, n, when: new Date('2026-01-02T03:04:05.000Z') });
        Object.defineProperty(r, '__proto__', { value: 'data', enumerable: true });
        return r;
      };
      const first = await store.commitBatch(commit(run.id, 1, { workspaceWrite: write(object, [row({ b: 1, a: [1, 2] }, Number.NaN)], { fields }) }));
      expect(first.outcomes).toEqual([{ outcome: 'created' }]);
      const stored = (await store.listWorkspaceRecords(object)).items[0]?.values;
      expect(stored && Object.entries(stored).sort()).toEqual([['__proto__', 'data'], ['email', 'a'], ['n', null], ['tags', { a: [1, 2], b: 1 }], ['when', '2026-01-02T03:04:05.000Z']]);
      // The same values in another key order, NaN again stored as null, the date again as its text: unchanged.
      const same = await store.commitBatch(commit(run.id, 2, { workspaceWrite: write(object, [row({ a: [1, 2], b: 1 }, Number.NaN)], { fields }) }));
      expect(same.outcomes).toEqual([{ outcome: 'unchanged' }]);
      const changed = await store.commitBatch(commit(run.id, 3, { workspaceWrite: write(object, [row({ a: [2, 1], b: 1 }, null)], { fields }) }));
      expect(changed.outcomes).toEqual([{ outcome: 'updated' }]);
      const added = await store.commitBatch(commit(run.id, 4, { workspaceWrite: write(object, [{ email: 'a', extra: null }], { fields: [...fields, { name: 'extra', type: 'text' }] }) }));
      expect(added.outcomes).toEqual([{ outcome: 'updated' }]);
    });

    it('writes a 5,000-row batch', async () => {
      const { run } = await newRun();
      const object = objectName('bulk');
      const rows = Array.from({ length: 5000 }, (_, i) => ({ email: `user${i}@x.io`, name: `User ${i}`, age: i % 90 }));
      const started = Date.now();
      const first = await store.commitBatch(commit(run.id, 1, { counts: { src: { read: 5000 } }, workspaceWrite: write(object, rows) }));
      expect(first.outcomes.every((o) => o.outcome === 'created')).toBe(true);
      const again = rows.map((r, i) => (i % 2 === 0 ? r : { ...r, age: r.age + 1 }));
      const second = await store.commitBatch(commit(run.id, 2, { counts: { src: { read: 5000 } }, workspaceWrite: write(object, again) }));
      expect(second.outcomes.filter((o) => o.outcome === 'updated')).toHaveLength(2500);
      expect(second.outcomes.filter((o) => o.outcome === 'unchanged')).toHaveLength(2500);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect((await store.getWorkspaceObject(object))?.recordCount).toBe(5000);
      expect((await store.getRun(run.id))?.counts).toEqual({ read: 10000, written: 10000, created: 5000, updated: 2500, unchanged: 2500, rejected: 0 });
    });
  });

  describe('workspace records', () => {
    it('pages, searches case-insensitively and orders by key or creation', async () => {
      const { run } = await newRun();
      const object = objectName('paged');
      const rows = Array.from({ length: 25 }, (_, i) => ({ email: `p${String(i).padStart(2, '0')}@x.io`, name: i % 5 === 0 ? `Zoë ${i}` : `Person ${i}` }));
      await store.commitBatch(commit(run.id, 1, { workspaceWrite: write(object, rows.slice(10)) }));
      await store.commitBatch(commit(run.id, 2, { workspaceWrite: write(object, rows.slice(0, 10)) }));

      const all = await store.listWorkspaceRecords(object, { limit: 10, offset: 20 });
      expect(all.total).toBe(25);
      expect(all.items.map((r) => r.key)).toEqual(['p20@x.io', 'p21@x.io', 'p22@x.io', 'p23@x.io', 'p24@x.io']);

      const zoe = await store.listWorkspaceRecords(object, { search: 'zOË' });
      expect(zoe.total).toBe(5);
      expect(zoe.items.map((r) => r.values.name)).toEqual(['Zoë 0', 'Zoë 5', 'Zoë 10', 'Zoë 15', 'Zoë 20']);
      expect((await store.listWorkspaceRecords(object, { search: '%' })).total).toBe(0);
      expect((await store.listWorkspaceRecords(object, { search: 'P1_' })).total).toBe(0);
      expect((await store.listWorkspaceRecords(object, { search: 'p1' })).total).toBe(10);

      const byCreation = await store.listWorkspaceRecords(object, { order: 'created', limit: 1 });
      expect(byCreation.items[0]?.key).toBe('p10@x.io');
      expect(await store.listWorkspaceRecords('no_such_object')).toEqual({ items: [], total: 0 });
      expect(await store.getWorkspaceObject('no_such_object')).toBeNull();
    });

    // The workspace connector's reads and writes (runtime/connectors/workspace).
    it('reads keyset pages in key order, after a key and after a write time', async () => {
      const object = objectName('keyset');
      const rows = [3, 1, 10, 2].map((n) => ({ email: `k${n}`, name: `N${n}` }));
      expect(await store.writeWorkspace({ object, key: ['email'], fields: FIELDS, mode: 'insert', rows })).toEqual(rows.map(() => ({ outcome: 'created' })));
      const first = await store.readWorkspacePage(object, { after: null, limit: 3 });
      expect(first.map((r) => r.key)).toEqual(['k1', 'k10', 'k2']);
      expect(first[0]).toMatchObject({ values: { email: 'k1', name: 'N1' }, updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
      expect((await store.readWorkspacePage(object, { after: 'k2', limit: 3 })).map((r) => r.key)).toEqual(['k3']);
      expect(await store.readWorkspacePage(object, { after: 'k3', limit: 3 })).toEqual([]);

      const mark = first.map((r) => r.updatedAt).sort().at(-1)!;
      await new Promise((r) => setTimeout(r, 5));
      await store.writeWorkspace({ object, key: ['email'], fields: FIELDS, mode: 'upsert', rows: [{ email: 'k2', name: 'changed' }] });
      expect((await store.readWorkspacePage(object, { after: null, limit: 10, updatedAfter: mark })).map((r) => r.key)).toEqual(['k2']);
      expect(await store.readWorkspacePage('no_such_object', { after: null, limit: 10 })).toEqual([]);
    });

    it('writes a batch in its own transaction: insert again is unchanged or rejected, update creates nothing', async () => {
      const object = objectName('direct');
      const a = { email: 'a', name: 'A', age: 1 };
      expect(await store.writeWorkspace({ object, key: ['email'], fields: FIELDS, mode: 'insert', rows: [a] })).toEqual([{ outcome: 'created' }]);
      expect(await store.writeWorkspace({ object, key: ['email'], fields: FIELDS, mode: 'insert', rows: [a, { ...a, age: 2 }] })).toEqual([
        { outcome: 'unchanged' },
        { outcome: 'rejected', reason: `A record with key "a" already exists in ${object} with other values; insert mode does not change records` },
      ]);
      expect(await store.writeWorkspace({ object, key: ['email'], fields: FIELDS, mode: 'update', rows: [{ email: 'a', age: 3 }, { email: 'b', age: 4 }] })).toEqual([
        { outcome: 'updated' },
        { outcome: 'rejected', reason: `No record with key "b" in ${object}; update mode does not create records` },
      ]);
      expect((await store.listWorkspaceRecords(object)).items.map((r) => r.values)).toEqual([{ ...a, age: 3 }]);
      expect((await store.getWorkspaceObject(object))?.recordCount).toBe(1);

      const missing = objectName('never_made');
      expect(await store.writeWorkspace({ object: missing, key: ['email'], fields: FIELDS, mode: 'update', rows: [a] })).toEqual([
        { outcome: 'rejected', reason: `The workspace has no object ${missing}; update mode does not create records` },
      ]);
      expect(await store.getWorkspaceObject(missing)).toBeNull();
    });
    // probe14: a lone UTF-16 surrogate (a JSON source's "\ud83d", half an emoji) is no text jsonb or Postgres holds; it
    // failed the whole batch ("Unicode low surrogate must follow a high surrogate"). Now it rejects its record, as NUL.
    it('rejects a record holding half an emoji (a lone surrogate) with its reason, and writes the rest of the batch', async () => {
      const object = objectName('surrogates');
      const fields: WorkspaceWrite['fields'] = ['id', 'a'].map((name) => ({ name, type: 'text' as const }));
      const rows: Record<string, unknown>[] = [
        { id: 'ok', a: 'whole \u{1F600}' },
        { id: 'lone-high', a: 'half \ud83d' },
        { id: 'lone-low\udc00', a: 'key' },
        { id: 'nested', a: { list: ['x', 'y\udfff'] } },
        { id: 'after', a: 'still written' },
      ];
      const batch = { object, key: ['id'], fields, mode: 'upsert' as const, rows };
      const preview = await store.previewWorkspaceWrite(batch);
      const outcomes = await store.writeWorkspace(batch);
      expect(outcomes).toEqual(preview.outcomes);
      expect(outcomes).toEqual([
        { outcome: 'created' },
        { outcome: 'rejected', reason: 'a contains half of a character (a lone UTF-16 surrogate, U+D83D), which the workspace cannot store. Fix the source\'s text.' },
        { outcome: 'rejected', reason: 'id contains half of a character (a lone UTF-16 surrogate, U+DC00), which the workspace cannot store. Fix the source\'s text.' },
        { outcome: 'rejected', reason: 'a contains half of a character (a lone UTF-16 surrogate, U+DFFF), which the workspace cannot store. Fix the source\'s text.' },
        { outcome: 'created' },
      ]);
      expect((await store.listWorkspaceRecords(object, { limit: 10 })).items.map((r) => r.key).sort()).toEqual(['after', 'ok']);
      // The rejected record keeps its values in the run's rejected records, each half character shown as U+FFFD.
      const { run } = await newRun();
      await store.commitBatch(commit(run.id, 1, { rejected: [{ nodeId: 'map', rowNumber: 2, source: { id: 'lone-high', a: 'half \ud83d', ['k\udc00']: 1 }, mapped: { a: ['\ud83d'] }, reason: 'bad \ud83d' }] }));
      const { items } = await store.listRejected(run.id);
      expect(items.map((r) => [r.source, r.mapped, r.reason])).toEqual([[{ id: 'lone-high', a: 'half \ufffd', ['k\ufffd']: 1 }, { a: ['\ufffd'] }, 'bad \ufffd']]);
    });
    // latency16d: an upsert of distinct keys is decided by the store in one statement (no stored values read back);
    // its outcomes, values, write counts and record count must be what the planned path (the preview) says.
    it('decides an upsert in the store with the outcomes and values the planned path gives', async () => {
      const object = objectName('in_store');
      const fields: WorkspaceWrite['fields'] = ['id', 'a', 'b', 'c', 'd'].map((name) => ({ name, type: 'text' as const }));
      const first = [
        { id: 'same', a: 'x', b: 1, c: { p: 1, q: [1, 'two', null] }, d: null },
        { id: 'type', a: '1', b: 1 },
        { id: 'nested', c: { p: 1, q: { r: true } } },
        { id: 'big', b: 2 ** 53 + 2, a: 'ü😀' },
        { id: 'sub', a: 'kept' },
        { id: 'nullish', a: null },
        { id: '__proto__', a: 'proto' },
        { id: '007', a: 'zeros' },
      ];
      expect(await store.writeWorkspace({ object, key: ['id'], fields, mode: 'upsert', rows: first })).toEqual(first.map(() => ({ outcome: 'created' })));
      const second: Record<string, unknown>[] = [
        { id: 'same', d: null, c: { q: [1, 'two', null], p: 1 }, b: 1.0, a: 'x' }, // the same values, another key order
        { id: 'type', a: 1, b: 1 }, // text "1" becomes the number 1
        { id: 'nested', c: { q: { r: 'true' }, p: 1 } }, // a nested value changes type
        { id: 'big', b: 2 ** 53 + 2, a: 'ü😀' },
        { id: 'sub', b: 5 }, // a field it did not have: merged, "a" kept
        { id: 'nullish', a: undefined }, // undefined is not written
        { id: 'new', a: 'n', c: Number.NaN }, // created; NaN stored as null
        { id: '', a: 'empty key' }, // rejected
        { id: 'nul', a: 'x\u0000y' }, // rejected
        { id: '__proto__', a: 'proto' },
        { id: '7', a: 'not 007' }, // created: leading zeros are another key
      ];
      const batch = { object, key: ['id'], fields, mode: 'upsert' as const, rows: second };
      const preview = await store.previewWorkspaceWrite(batch);
      const outcomes = await store.writeWorkspace(batch);
      expect(outcomes.map((o) => o.outcome)).toEqual(['unchanged', 'updated', 'updated', 'unchanged', 'updated', 'unchanged', 'created', 'rejected', 'rejected', 'unchanged', 'created']);
      expect(outcomes).toEqual(preview.outcomes);
      const stored = new Map((await store.listWorkspaceRecords(object, { limit: 100 })).items.map((r) => [r.key, r.values]));
      preview.after.forEach((after, i) => {
        if (after !== null) expect(stored.get(String(second[i]!.id))).toEqual(after);
      });
      expect(stored.get('sub')).toEqual({ id: 'sub', a: 'kept', b: 5 });
      expect(stored.get('new')).toEqual({ id: 'new', a: 'n', c: null });
      expect((await store.getWorkspaceObject(object))?.recordCount).toBe(10);
      // Written again: every accepted row is unchanged now, nothing is rewritten.
      expect((await store.writeWorkspace(batch)).map((o) => o.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged', 'rejected', 'rejected', 'unchanged', 'unchanged']);
      // Two rows naming one record still take the planned path, row by row.
      expect((await store.writeWorkspace({ ...batch, rows: [{ id: 'dup', a: 1 }, { id: 'dup', a: 1 }, { id: 'dup', a: 2 }] })).map((o) => o.outcome)).toEqual(['created', 'unchanged', 'updated']);
      expect((await store.getWorkspaceObject(object))?.recordCount).toBe(11);
    });
    // big16: the in-store upsert sends a one-text-key batch as the rows' values (the key read back with ->>), any other
    // as key and values, and tells the planner the batch's size (a large batch is joined by hash); the outcomes and
    // values stay the planned path's on every path, hostile rows included.
    it('decides large, number-keyed, composite-keyed and __proto__-keyed upserts in the store as the planned path does', async () => {
      const check = async (batch: WorkspaceBatch, expected: string[] | null) => {
        const preview = await store.previewWorkspaceWrite(batch);
        const outcomes = await store.writeWorkspace(batch);
        expect(outcomes).toEqual(preview.outcomes);
        if (expected) expect(outcomes.map((o) => o.outcome)).toEqual(expected);
        const stored = new Map((await store.listWorkspaceRecords(batch.object, { limit: 10_000 })).items.map((r) => [r.key, r.values]));
        const after = await store.previewWorkspaceWrite(batch);
        preview.after.forEach((values, i) => {
          if (values !== null) expect(after.before[i]).toEqual(values);
        });
        return stored;
      };
      const text = (names: string[]): WorkspaceWrite['fields'] => names.map((name) => ({ name, type: 'text' as const }));

      // 3,000 rows by a text key: created, then every other one changed, leading zeros and hostile text among them.
      const big = objectName('big_batch');
      const rows = (round: number) =>
        Array.from({ length: 3000 }, (_, i) => ({ email: i === 7 ? '007' : i === 8 ? '7' : `u${i}@example.com`, n: i % 2 === 0 ? round : 0, at: i === 9 ? '__proto__' : 'x' }));
      await check({ object: big, key: ['email'], fields: text(['email', 'n', 'at']), mode: 'upsert', rows: rows(1) }, rows(1).map(() => 'created'));
      const stored = await check({ object: big, key: ['email'], fields: text(['email', 'n', 'at']), mode: 'upsert', rows: rows(2) }, rows(2).map((_, i) => (i % 2 === 0 ? 'updated' : 'unchanged')));
      expect(stored.get('007')).toEqual({ email: '007', n: 0, at: 'x' });
      expect(stored.get('7')).toEqual({ email: '7', n: 2, at: 'x' });
      expect((await store.getWorkspaceObject(big))?.recordCount).toBe(3000);

      // Number keys (past 2^53 too) and a text key beside them: sent with their record keys.
      const numbers = objectName('number_keys');
      const byNumber = [{ id: 2 ** 53 + 2, a: 'big' }, { id: 7, a: 'seven' }, { id: '007', a: 'zeros' }, { id: 1.5, a: 'half' }];
      await check({ object: numbers, key: ['id'], fields: text(['id', 'a']), mode: 'upsert', rows: byNumber }, ['created', 'created', 'created', 'created']);
      const numbered = await check(
        { object: numbers, key: ['id'], fields: text(['id', 'a']), mode: 'upsert', rows: [{ id: 2 ** 53 + 2, a: 'big' }, { id: 7, a: 'SEVEN' }, { id: 'nul', a: 'x\u0000' }, { id: '7', a: 'text seven' }] },
        ['unchanged', 'updated', 'rejected', 'updated'],
      );
      expect([...numbered.keys()].sort()).toEqual(['007', '1.5', '7', '9007199254740994']);
      expect(numbered.get('7')).toEqual({ id: '7', a: 'text seven' });

      // A composite key, and a key field called __proto__ (a field like any other).
      const composite = objectName('composite_keys');
      const pairs = [{ a: 'x', b: 1, v: 1 }, { a: 'x', b: 2 ** 53 + 2, v: 2 }, { a: '["x"', b: '1"]', v: 3 }, { a: 'x"', b: '"1', v: 4 }];
      await check({ object: composite, key: ['a', 'b'], fields: text(['a', 'b', 'v']), mode: 'upsert', rows: pairs }, ['created', 'created', 'created', 'created']);
      await check({ object: composite, key: ['a', 'b'], fields: text(['a', 'b', 'v']), mode: 'upsert', rows: pairs.map((p) => ({ ...p, v: p.v * 10 })) }, ['updated', 'updated', 'updated', 'updated']);
      const proto = objectName('proto_key');
      const protoRows = (v: number) => [JSON.parse(`{"__proto__":"p1","v":${v}}`) as Record<string, unknown>, JSON.parse('{"__proto__":"constructor","v":1}') as Record<string, unknown>];
      await check({ object: proto, key: ['__proto__'], fields: text(['__proto__', 'v']), mode: 'upsert', rows: protoRows(1) }, ['created', 'created']);
      const protoStored = await check({ object: proto, key: ['__proto__'], fields: text(['__proto__', 'v']), mode: 'upsert', rows: protoRows(2) }, ['updated', 'unchanged']);
      expect([...protoStored.keys()].sort()).toEqual(['constructor', 'p1']);
      expect(JSON.stringify(protoStored.get('p1'))).toBe('{"v":2,"__proto__":"p1"}');

      // Duplicate keys in one batch still go row by row (the planned path).
      await check({ object: big, key: ['email'], fields: text(['email', 'n', 'at']), mode: 'upsert', rows: [{ email: 'u1@example.com', n: 5 }, { email: 'u1@example.com', n: 5 }, { email: 'dup', n: 1 }] }, ['updated', 'unchanged', 'created']);
    });
    // ws16: a small batch against a larger object, a safe-integer key inside the values, and a batch prepared before its
    // commit (the workspace target's write stage) writes what one prepared at commit writes; a prepared batch whose rows changed, or whose object checks a
    // Reference, is prepared again.
    it('decides a small batch against a large object, prepared or not, as the planned path does', async () => {
      const fields: WorkspaceWrite['fields'] = ['id', 'a', 'b'].map((name) => ({ name, type: 'text' as const }));
      const load = async (object: string) => {
        const rows = Array.from({ length: 60 }, (_, i) => ({ id: i + 1, a: `a${i + 1}`, b: i % 2 }));
        expect(await store.writeWorkspace({ object, key: ['id'], fields, mode: 'upsert', rows })).toEqual(rows.map(() => ({ outcome: 'created' })));
      };
      const small: Record<string, unknown>[] = [
        { id: 1, a: 'a1', b: 0 }, // unchanged
        { id: 2, a: 'changed' }, // updated, b kept
        { id: 0, a: 'zero' }, // created
        { id: 61, a: 'x\u0000' }, // rejected
        { id: '', a: 'empty' }, // rejected
        { id: 2 ** 53 - 1, a: 'largest safe' }, // created
        { id: '3', a: 'text three' }, // the record of the number 3: updated
        { id: 4, ['__proto__']: 'p' }, // a field it does not declare: not written, unchanged
      ];
      const hostile: Record<string, unknown>[] = [
        { id: 2 ** 53 + 2, a: 'past 2^53' }, // created: not a safe integer, so sent beside its record key
        { id: 1e21, a: 'huge' }, // created under "1e+21"
        { id: 1.5, a: 'half' }, // created
        { id: '007', a: 'zeros' }, // created: not 7
        { id: 7, a: 'a7', b: 0 }, // unchanged
        { id: 8, a: 'eight', b: null }, // updated
      ];
      for (const [rows, expected] of [
        [small, ['unchanged', 'updated', 'created', 'rejected', 'rejected', 'created', 'updated', 'unchanged']],
        [[...small, { id: 0, a: 'again' }], ['unchanged', 'updated', 'created', 'rejected', 'rejected', 'created', 'updated', 'unchanged', 'updated']], // two rows for one record: the planned path
        [hostile, ['created', 'created', 'created', 'created', 'unchanged', 'updated']],
      ] as const) {
        for (const prepare of [false, true]) {
          const object = objectName(`small_${prepare ? 'prepared' : 'plain'}`);
          await load(object);
          const batch: WorkspaceBatch = { object, key: ['id'], fields, mode: 'upsert', rows: [...rows] };
          const preview = await store.previewWorkspaceWrite(batch);
          const prepared = prepare ? prepareUpsert(batch) : null;
          expect(prepared === null).toBe(!prepare || rows.length > small.length);
          const outcomes = await store.writeWorkspace(prepared ? { ...batch, prepared } : batch);
          expect(outcomes).toEqual(preview.outcomes);
          expect(outcomes.map((o) => o.outcome)).toEqual(expected);
          const after = await store.previewWorkspaceWrite(batch);
          preview.after.forEach((values, i) => {
            if (values !== null) expect(after.before[i]).toEqual(values);
          });
          expect((await store.getWorkspaceObject(object))?.recordCount).toBe(60 + outcomes.filter((o) => o.outcome === 'created').length);
        }
      }

      // Prepared for other rows (the batch's rows replaced since): prepared again, never written from the stale text.
      const replaced = objectName('small_replaced');
      await load(replaced);
      const stale = prepareUpsert({ object: replaced, key: ['id'], fields, mode: 'upsert', rows: [{ id: 1, a: 'stale' }] })!;
      expect(await store.writeWorkspace({ object: replaced, key: ['id'], fields, mode: 'upsert', rows: [{ id: 1, a: 'a1', b: 0 }], prepared: stale })).toEqual([{ outcome: 'unchanged' }]);
      expect((await store.previewWorkspaceWrite({ object: replaced, key: ['id'], fields, mode: 'upsert', rows: [{ id: 1 }] })).before[0]).toEqual({ id: 1, a: 'a1', b: 0 });

      // A Reference is checked at commit, whatever was prepared without it.
      const target = objectName('small_ref');
      const refFields: WorkspaceWrite['fields'] = [{ name: 'id', type: 'text' }, { name: 'to', type: 'reference', ref: replaced }];
      const refRows = [{ id: 'r1', to: 1 }, { id: 'r2', to: 999 }];
      const refBatch: WorkspaceBatch = { object: target, key: ['id'], fields: refFields, mode: 'upsert', rows: refRows };
      const refOutcomes = await store.writeWorkspace({ ...refBatch, prepared: prepareUpsert(refBatch)! });
      expect(refOutcomes.map((o) => o.outcome)).toEqual(['created', 'rejected']);
      expect(refOutcomes[1]).toMatchObject({ reason: expect.stringContaining('999') });
    });
  });

  describe('rejected records', () => {
    it('lists a run’s rejections in row order, by page and by step', async () => {
      const { run } = await newRun();
      const rejected = (nodeId: string, rowNumber: number) => ({ nodeId, rowNumber, source: { raw: `row ${rowNumber}` }, mapped: nodeId === 'map' ? null : { n: rowNumber }, reason: `bad row ${rowNumber}` });
      await store.commitBatch(commit(run.id, 1, { rejected: [rejected('map', 3), rejected('map', 1), rejected('dst', 2)] }));
      await store.commitBatch(commit(run.id, 2, { rejected: [rejected('map', 7)] }));

      const all = await store.listRejected(run.id);
      expect(all.total).toBe(4);
      expect(all.items.map((r) => r.rowNumber)).toEqual([1, 2, 3, 7]);
      expect(all.items[0]).toMatchObject({ runId: run.id, nodeId: 'map', source: { raw: 'row 1' }, mapped: null, reason: 'bad row 1' });
      expect(all.items[1]?.mapped).toEqual({ n: 2 });
      expect(all.items[0]?.id).toMatch(/^rej_/);

      const second = await store.listRejected(run.id, { limit: 2, offset: 2 });
      expect(second).toMatchObject({ total: 4 });
      expect(second.items.map((r) => r.rowNumber)).toEqual([3, 7]);
      expect((await store.listRejected(run.id, { nodeId: 'dst' })).items.map((r) => r.rowNumber)).toEqual([2]);
      // Step counts are the caller's: rejected records alone do not change them.
      expect((await store.getRun(run.id))?.counts.rejected).toBe(0);
    });
  });

  describe('files', () => {
    it('saves and reads file metadata; saving the same id again replaces it', async () => {
      const file: StoredFile = {
        id: `file_${++unique}`,
        name: 'people.csv',
        size: 5_000_000_000,
        sha256: 'ab'.repeat(32),
        columns: [
          { name: 'email', type: 'text' },
          { name: 'age', type: 'number' },
        ],
        delimiter: ';',
        sampleRows: [{ email: 'a@x.io', age: '3' }],
        path: '/data/files/people.csv',
        createdAt: '2024-05-01T10:00:00.000Z',
        format: 'csv',
        compression: 'none',
      };
      await store.saveFile(file);
      expect(await store.getFile(file.id)).toEqual(file);
      await store.saveFile({ ...file, name: 'people (2).csv' });
      const json: StoredFile = { ...file, id: `file_${++unique}`, format: 'json', compression: 'zip', recordsPath: 'data.items', zipEntry: 'export/people.json' };
      await store.saveFile(json);
      expect(await store.getFile(json.id)).toEqual(json);
      expect((await store.getFile(file.id))?.name).toBe('people (2).csv');
      expect(await store.getFile('file_missing')).toBeNull();
    });

    it('keeps the header choice, the Excel sheet and encryption, and lists files newest first', async () => {
      const base = { size: 10, sha256: 'cd'.repeat(32), columns: [{ name: 'a', type: 'text' as const }], delimiter: ',', sampleRows: [], path: '/data/files/x', compression: 'none' as const };
      const older: StoredFile = { ...base, id: `file_${++unique}`, name: 'book.xlsx', format: 'excel', sheet: 'Orders', sheets: ['Orders', 'Notes'], hasHeader: false, createdAt: '2030-01-01T00:00:00.000Z' };
      const newer: StoredFile = { ...base, id: `file_${++unique}`, name: 'secret.csv.gpg', format: 'csv', encrypted: true, createdAt: '2030-01-02T00:00:00.000Z' };
      await store.saveFile(older);
      await store.saveFile(newer);
      expect(await store.getFile(older.id)).toEqual(older);
      expect(await store.getFile(newer.id)).toEqual(newer);
      const listed = (await store.listFiles()).filter((f) => f.id === older.id || f.id === newer.id);
      expect(listed).toEqual([newer, older]);
    });
  });

  describe('run files', () => {
    const storedFile = (name: string): StoredFile => ({
      id: `file_${++unique}`,
      name,
      size: 120,
      sha256: 'cd'.repeat(32),
      columns: [{ name: 'email', type: 'text' }],
      delimiter: ',',
      sampleRows: [],
      path: `/data/files/${name}`,
      createdAt: '2024-05-01T10:00:00.000Z',
      format: 'csv',
      compression: 'none',
    });

    /** An integration, published, with two file sources (a published file and a JSON replacement) and a target. */
    const twoFileSources = async (name: string, hash: string, replacementExtra: Partial<StoredFile>) => {
      const published = storedFile('people.csv');
      const replacement = { ...storedFile('march.json'), format: 'json' as const, recordsPath: 'items', ...replacementExtra };
      await store.saveFile(published);
      await store.saveFile(replacement);
      const integration = await store.createIntegration({ name, description: '', graph: graphOf() });
      const version = await store.createVersion(integration.id, integration.graph, plan, hash);
      const steps = [
        { nodeId: 'a', kind: 'csv-source', label: 'People' },
        { nodeId: 'b', kind: 'csv-source', label: 'Orders' },
        { nodeId: 'dst', kind: 'workspace-target', label: 'Contacts' },
      ];
      return { published, replacement, integration, version, steps };
    };

    it('records each file source’s file with the run, in step order, served with the run', async () => {
      const { published, replacement, integration, version, steps } = await twoFileSources('Two sources', 'hash-files', {});
      const run = await store.createRun({
        integrationId: integration.id,
        versionId: version.id,
        trigger: 'manual',
        params: {},
        steps,
        files: [
          { nodeId: 'b', fileId: replacement.id, replaced: true },
          { nodeId: 'a', fileId: published.id, replaced: false },
        ],
      });
      expect(run).not.toHaveProperty('files');
      const listed = await store.listRunFiles(run.id);
      expect(listed.map((f) => [f.nodeId, f.nodeLabel, f.fileId, f.replaced])).toEqual([
        ['a', 'People', published.id, false],
        ['b', 'Orders', replacement.id, true],
      ]);
      // The worker gets the stored file with its read settings.
      expect(listed[1]?.file).toEqual(replacement);
      expect((await store.getRun(run.id))?.files).toEqual([
        { nodeId: 'a', nodeLabel: 'People', fileId: published.id, name: 'people.csv', size: 120, format: 'csv', compression: 'none', replaced: false },
        { nodeId: 'b', nodeLabel: 'Orders', fileId: replacement.id, name: 'march.json', size: 120, format: 'json', compression: 'none', replaced: true },
      ]);
      // A run without file sources has none.
      expect(await store.listRunFiles((await newRun()).run.id)).toEqual([]);
    });

    it('reads a pipeline attempt\'s start in one statement, as getRunState, getCheckpoint and listRunFiles read it (issue 16)', async () => {
      const { published, replacement, integration, version, steps } = await twoFileSources('Start', 'hash-start', { hasHeader: true, sheets: ['a', '__proto__'], sampleRows: [{ constructor: 'x', n: '007' }] });
      const run = await store.createRun({
        integrationId: integration.id,
        versionId: version.id,
        trigger: 'manual',
        name: 'quote \' and NUL-free',
        params: { big: '9007199254740993', lead: '007', nested: { __proto__: 1, n: 9007199254740993 } },
        steps,
        files: [
          { nodeId: 'b', fileId: replacement.id, replaced: true },
          { nodeId: 'a', fileId: published.id, replaced: false },
        ],
        syncOptions: { fullSync: true },
      });
      await store.markRunStarted(run.id);
      const same = async (key: string) => {
        const start = await store.getPipelineStart(run.id, key);
        expect(start).toEqual({ run: await store.getRunState(run.id), checkpoint: await store.getCheckpoint(run.id, key), runFiles: await store.listRunFiles(run.id) });
        return start;
      };
      // No checkpoint yet: batch 0.
      expect((await same('p1')).checkpoint).toEqual({ batch: 0, cursor: null });
      // Cursors of every JSON shape come back as stored (a JSON string that looks like a number stays a string).
      for (const [batch, cursor] of [
        [1, '123'],
        [2, { offset: 9007199254740993n.toString(), at: '2024-01-01T00:00:00.123456Z', __proto__: { x: 1 } }],
        [3, [1, 'two', null, { three: 3.5 }]],
        [4, 12.5],
      ] as const) {
        await store.commitBatch({ runId: run.id, pipelineId: 'p1', batch, cursor, counts: { a: { read: 1 }, dst: { written: 1, created: 1 } }, rejected: [] });
        expect((await same('p1')).checkpoint).toEqual({ batch, cursor });
      }
      await store.setStepsStatus(run.id, ['a', 'dst'], 'running', null);
      const start = await same('p1');
      expect(start.run?.counts).toMatchObject({ read: 4, written: 4 });
      expect(start.run?.syncOptions).toEqual({ fullSync: true });
      expect(start.runFiles.map((f) => [f.nodeId, f.fileId])).toEqual([['a', published.id], ['b', replacement.id]]);
      expect(start.runFiles[1]?.file).toEqual(replacement);
      // Unknown or hostile run ids and keys: no run, no files, batch 0.
      for (const bad of ['run_missing', '__proto__', "x' OR '1'='1", '9007199254740993', '007', 'z'.repeat(100_000)]) {
        expect(await store.getPipelineStart(bad, bad)).toEqual({ run: null, checkpoint: { batch: 0, cursor: null }, runFiles: [] });
      }
      await expect(store.getPipelineStart('run\u0000', 'p1')).rejects.toThrow();
    });

    it('never rewrites a run’s files: recording a node again keeps its first file', async () => {
      const first = storedFile('first.csv');
      const later = storedFile('later.csv');
      await store.saveFile(first);
      await store.saveFile(later);
      const { run } = await newRun();
      await store.recordRunFiles(run.id, [{ nodeId: 'src', fileId: first.id, replaced: true }]);
      await store.recordRunFiles(run.id, [{ nodeId: 'src', fileId: later.id, replaced: false }]);
      expect((await store.listRunFiles(run.id)).map((f) => [f.fileId, f.replaced, f.nodeLabel])).toEqual([[first.id, true, 'People.csv']]);
      await store.recordRunFiles(run.id, []);
      expect(await store.listRunFiles(run.id)).toHaveLength(1);
    });

    it('refuses an unknown run or file, and recording nothing of a run with a missing file', async () => {
      const file = storedFile('ok.csv');
      await store.saveFile(file);
      const { run } = await newRun();
      await expect(store.recordRunFiles('run_missing', [{ nodeId: 'src', fileId: file.id, replaced: false }])).rejects.toMatchObject({ entity: 'run' });
      await expect(
        store.recordRunFiles(run.id, [
          { nodeId: 'src', fileId: file.id, replaced: false },
          { nodeId: 'other', fileId: 'file_missing', replaced: true },
        ]),
      ).rejects.toMatchObject({ entity: 'file', id: 'file_missing' });
      expect(await store.listRunFiles(run.id)).toEqual([]);
      // Creating a run with a missing file creates no run at all.
      const { integration, version } = await newRun();
      const before = (await store.listRuns(integration.id)).total;
      await expect(
        store.createRun({ integrationId: integration.id, versionId: version.id, trigger: 'manual', params: {}, steps: STEPS, files: [{ nodeId: 'src', fileId: 'file_missing', replaced: true }] }),
      ).rejects.toBeInstanceOf(StoreNotFoundError);
      expect((await store.listRuns(integration.id)).total).toBe(before);
    });

    it('creates a run in one statement: a missing or hostile version or file writes nothing and is named (issue 16)', async () => {
      const ok = storedFile('one-statement.csv');
      await store.saveFile(ok);
      const { integration, version } = await newRun();
      const other = await store.createIntegration({ name: 'Other', description: '', graph: graphOf('map') });
      const base = { integrationId: integration.id, versionId: version.id, trigger: 'manual' as const, params: {}, steps: STEPS };
      const hostile = ['__proto__', "x'); DROP TABLE runs; --", 'run\u0000nul', '9007199254740993', '007', 'y'.repeat(100_000)];
      const countRows = async () => {
        const runsNow = (await store.listRuns(integration.id)).total;
        const stepsNow = (await engine.db.execute(sql`SELECT count(*)::integer AS n FROM run_steps`)) as unknown as { rows: { n: number }[] };
        const filesNow = (await engine.db.execute(sql`SELECT count(*)::integer AS n FROM run_files`)) as unknown as { rows: { n: number }[] };
        return [runsNow, stepsNow.rows[0]!.n, filesNow.rows[0]!.n];
      };
      const before = await countRows();
      for (const bad of hostile.filter((h) => !h.includes('\u0000'))) {
        await expect(store.createRun({ ...base, versionId: bad })).rejects.toMatchObject({ entity: 'version', id: bad });
        // The version first, as before: a missing version is named even when a file is missing too.
        await expect(store.createRun({ ...base, versionId: bad, files: [{ nodeId: 'src', fileId: bad, replaced: false }] })).rejects.toMatchObject({ entity: 'version', id: bad });
        await expect(
          store.createRun({ ...base, files: [{ nodeId: 'src', fileId: ok.id, replaced: false }, { nodeId: 'x', fileId: bad, replaced: true }, { nodeId: 'y', fileId: 'file_second_missing', replaced: true }] }),
        ).rejects.toMatchObject({ entity: 'file', id: bad });
      }
      // A version of another integration is not this integration's.
      await expect(store.createRun({ ...base, integrationId: other.id })).rejects.toMatchObject({ entity: 'version', id: version.id });
      // NUL bytes: Postgres text cannot hold them, and nothing is written either way.
      await expect(store.createRun({ ...base, versionId: 'v\u0000' })).rejects.toThrow();
      await expect(store.createRun({ ...base, files: [{ nodeId: 'src', fileId: 'f\u0000', replaced: false }] })).rejects.toThrow();
      expect(await countRows()).toEqual(before);

      // What it answers is what getRun reads back, files and steps recorded in the same statement.
      const made = await store.createRun({
        ...base,
        name: 'One statement',
        startedBy: 'Ada',
        rerunOf: 'run_earlier',
        workflowId: 'wf-1',
        params: JSON.parse('{"__proto__": "p", "big": "9007199254740993", "nested": {"a": [1, 2]}}') as Record<string, unknown>,
        files: [{ nodeId: 'src', fileId: ok.id, replaced: true }, { nodeId: 'src', fileId: ok.id, replaced: false }],
      });
      const read = await store.getRun(made.id);
      const { steps, integrationName: _n, files: runFilesRead, ...summary } = read!;
      expect(made).toEqual(summary);
      expect(Object.keys(made.params)).toContain('__proto__');
      expect(steps.map((st) => [st.nodeId, st.status])).toEqual(STEPS.map((st) => [st.nodeId, 'pending']));
      expect(runFilesRead.map((f) => [f.nodeId, f.fileId, f.replaced])).toEqual([['src', ok.id, true]]);
      expect(await store.getRunWorkflow(made.id)).toBe('wf-1');
    });

    it('keeps a file a run read: the database refuses to delete it, and deleting the run releases it', async () => {
      const file = storedFile('kept.csv');
      await store.saveFile(file);
      const { integration, run } = await newRun();
      await store.recordRunFiles(run.id, [{ nodeId: 'src', fileId: file.id, replaced: false }]);
      await expect(engine.db.delete(files).where(eq(files.id, file.id))).rejects.toThrow();
      expect(await store.getFile(file.id)).not.toBeNull();
      await store.deleteIntegration(integration.id);
      expect(await store.listRunFiles(run.id)).toEqual([]);
      await engine.db.delete(files).where(eq(files.id, file.id));
      expect(await store.getFile(file.id)).toBeNull();
    });
  });

  describe('connections', () => {
    const sealed = (n: number) => `v1:iv${n}:tag${n}:data${n}`;
    let seq = 0;
    const uniqueName = (base: string) => `${base} ${++seq}`;

    it('creates, reads, lists, updates and deletes, keeping the secrets text as given', async () => {
      const name = uniqueName('Orders DB');
      const created = await store.createConnection({ connector: 'postgres', name, config: { host: 'db', port: 5432 }, secrets: sealed(1) });
      expect(created).toMatchObject({ connector: 'postgres', name, config: { host: 'db', port: 5432 }, secrets: sealed(1), lastTest: null });
      expect(created.id).toMatch(/^con_/);
      expect(new Date(created.createdAt).toISOString()).toBe(created.createdAt);
      expect(await store.getConnection(created.id)).toEqual(created);
      expect((await store.listConnections()).map((c) => c.id)).toContain(created.id);

      const renamed = await store.updateConnection(created.id, { name: `${name} (prod)` });
      expect(renamed).toMatchObject({ name: `${name} (prod)`, config: { host: 'db', port: 5432 }, secrets: sealed(1) });
      const resealed = await store.updateConnection(created.id, { config: { host: 'db2' }, secrets: sealed(2) });
      expect(resealed).toMatchObject({ config: { host: 'db2' }, secrets: sealed(2) });
      expect(resealed!.updatedAt >= created.updatedAt).toBe(true);

      expect(await store.updateConnection('con_missing', { name: 'x' })).toBeNull();
      expect(await store.deleteConnection(created.id)).toBe(true);
      expect(await store.getConnection(created.id)).toBeNull();
      expect(await store.deleteConnection(created.id)).toBe(false);
    });

    it('refuses a second connection with the same name, on create and on rename', async () => {
      const name = uniqueName('Warehouse');
      const first = await store.createConnection({ connector: 'mysql', name, config: {}, secrets: sealed(1) });
      await expect(store.createConnection({ connector: 'mysql', name, config: {}, secrets: sealed(2) })).rejects.toBeInstanceOf(StoreConflictError);
      const other = await store.createConnection({ connector: 'mysql', name: uniqueName('Other'), config: {}, secrets: sealed(3) });
      await expect(store.updateConnection(other.id, { name })).rejects.toThrow(`A connection named "${name}" already exists`);
      expect((await store.getConnection(first.id))?.name).toBe(name);
    });

    it('records the last test, and forgets it when the settings change', async () => {
      const c = await store.createConnection({ connector: 'postgres', name: uniqueName('Tested'), config: { host: 'a' }, secrets: sealed(1) });
      const failed = await store.recordConnectionTest(c.id, { status: 'failed', message: 'Wrong password' });
      expect(failed?.lastTest).toMatchObject({ status: 'failed', message: 'Wrong password' });
      expect(new Date(failed!.lastTest!.at).toISOString()).toBe(failed!.lastTest!.at);
      const ok = await store.recordConnectionTest(c.id, { status: 'ok', message: null });
      expect(ok?.lastTest).toMatchObject({ status: 'ok', message: null });
      expect((await store.updateConnection(c.id, { name: uniqueName('Renamed') }))?.lastTest).toMatchObject({ status: 'ok' });
      expect((await store.updateConnection(c.id, { config: { host: 'b' } }))?.lastTest).toBeNull();
      expect(await store.recordConnectionTest('con_missing', { status: 'ok', message: null })).toBeNull();
    });

    it('finds the integrations whose nodes name a connection', async () => {
      const c = await store.createConnection({ connector: 'postgres', name: uniqueName('Used'), config: {}, secrets: sealed(1) });
      const unused = await store.createConnection({ connector: 'postgres', name: uniqueName('Unused'), config: {}, secrets: sealed(2) });
      const withConnection = (name: string, ids: unknown[]): Graph => ({
        ...graphOf(),
        nodes: [...graphOf().nodes, ...ids.map((connectionId, i) => ({ ...node(`db${i}`, 'db-source'), config: { connectionId } }))],
      });
      const a = await store.createIntegration({ name: 'Orders sync', description: '', graph: withConnection('a', [c.id, c.id]) });
      const b = await store.createIntegration({ name: 'Contacts', description: '', graph: withConnection('b', [c.id, 42]) });
      await store.createIntegration({ name: 'Unrelated', description: '', graph: graphOf('m') });
      const usage = await store.listConnectionUsage();
      expect(usage[c.id]).toEqual([
        { id: b.id, name: 'Contacts' },
        { id: a.id, name: 'Orders sync' },
      ]);
      expect(usage[unused.id]).toBeUndefined();
      await store.updateIntegration(a.id, { graph: graphOf() });
      expect((await store.listConnectionUsage())[c.id]).toEqual([{ id: b.id, name: 'Contacts' }]);
      // A two-way sync names its sides' connections under config.a / config.b ('' is the workspace): it uses them
      // too, so the connections page does not say "Not used" and deleting the connection is refused (ui13).
      const twoWay = await store.createIntegration({
        name: 'CRM both ways',
        description: '',
        graph: { ...graphOf(), nodes: [{ ...node('sync', 'two-way-sync'), config: { a: { connectionId: unused.id, object: 'public.customers' }, b: { connectionId: '', object: 'customers' } } }] },
      });
      expect((await store.listConnectionUsage())[unused.id]).toEqual([{ id: twoWay.id, name: 'CRM both ways' }]);
      expect((await store.listConnectionUsage())['']).toBeUndefined();
    });
  });
}
