// del13: two attempts applying one delete phase at once. An abandoned attempt (the budgeted local part past its
// timeout, an activity attempt Temporal timed out) can still be in its delete loop while the retry resumes the phase:
// both deleted and the last progress record won (the count fell back to what the stale attempt saw), and the stale
// attempt went on deleting after the phase had moved on. Now each attempt takes the phase (a fencing token, migration
// 32), every record of it is written only while the attempt still holds it, one before each delete call, and the loop
// asks `stop` (the activity's cancellation) before each call. Real servers: the store and the target on Postgres.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanStep } from '../../shared/compiler/plan';
import { ADMIN_URL, admin } from '../../test/support/pg-admin';
import { scratchPostgres, type ScratchPostgres } from '../connections/scratch-postgres';
import { postgresConnector } from '../connectors/postgres';
import { openStore } from '../store';
import { DeletePhaseTaken } from '../store/sync-state';
import type { RunKey, Store } from '../store/types';
import { runDeletePhase, sessionTarget, type DeleteTarget } from './delete-phase';

const STORE_DB = `del13_store_${randomBytes(4).toString('hex')}`;
let store: Store;
let target: ScratchPostgres | null = null;
let client: pg.Client;

beforeAll(async () => {
  await admin(ADMIN_URL, `CREATE DATABASE ${STORE_DB}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${STORE_DB}`;
  store = await openStore({ dataDir: tmpdir(), databaseUrl: url.toString() });
  target = await scratchPostgres(1);
  if (!target) throw new Error('these tests need the Postgres at 127.0.0.1:5432');
  client = new pg.Client({ ...target.config, password: target.secrets.password || undefined });
  await client.connect();
}, 60_000);
afterAll(async () => {
  await client?.end();
  await target?.drop();
  await store?.close();
  await admin(ADMIN_URL, `DROP DATABASE IF EXISTS ${STORE_DB} WITH (FORCE)`);
});

const step: PlanStep = { nodeId: 'dst', kind: 'sql-target', label: 'Contacts', config: {}, input: null, output: null };
const settings = { deletes: 'delete' as const, softDeleteField: '', deleteThresholdPercent: 100 };
const keyOf = (i: number): RunKey => ({ key: JSON.stringify([i]), values: { id: i } });

/** A run whose target table `table` holds ids 1..`rows`, the first `candidates` of them its delete candidates. */
async function setUp(table: string, rows: number, candidates: number): Promise<string> {
  await client.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, name text)`);
  await client.query(`INSERT INTO ${table} SELECT i, 'Name ' || i FROM generate_series(1, ${rows}) AS i`);
  const integration = await store.createIntegration({ name: `Deletes ${table}`, description: '', graph: { version: 1, nodes: [], edges: [] } });
  const version = await store.createVersion(integration.id, integration.graph, { version: 1, steps: [], pipelines: [{ id: 'p1', nodeIds: ['src', 'dst'] }], valueMaps: {} }, `h-${table}`);
  const runId = (
    await store.createRun({ integrationId: integration.id, versionId: version.id, trigger: 'manual', params: {}, steps: [{ nodeId: 'src', kind: 'sql-source', label: 'Source' }, { nodeId: 'dst', kind: 'sql-target', label: 'Contacts' }] })
  ).id;
  await store.sync.addDeletedKeys(runId, 'dst', Array.from({ length: candidates }, (_, i) => keyOf(i + 1)));
  return runId;
}

/** One attempt's target: its own session on the real table. */
async function openTarget(table: string): Promise<DeleteTarget> {
  const session = await postgresConnector.open({ ...target!.config, sslMode: 'disable', schema: 'public', queryTimeoutSeconds: 30 }, target!.secrets);
  return sessionTarget(session, `public.${table}`, 'Contacts', ['id'], new Map([['id', 'number' as const]]), async () => null);
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** `t` with its `method`'s `nth` call held until `release`: `reached` resolves when the call arrives. */
function holdAt(t: DeleteTarget, method: 'remove' | 'present', nth: number) {
  const reached = deferred();
  const release = deferred();
  let calls = 0;
  const original = t[method].bind(t);
  const held: DeleteTarget = {
    ...t,
    [method]: async (keys: readonly RunKey[]) => {
      if (++calls === nth) {
        reached.resolve();
        await release.promise;
      }
      return original(keys);
    },
  };
  return { target: held, reached: reached.promise, release: release.resolve };
}

const rowsLeft = async (table: string) => Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
const stepDeleted = async (runId: string) => (await store.getRun(runId))?.steps.find((s) => s.nodeId === 'dst')?.counts.deleted;

describe('two attempts applying one delete phase (del13)', () => {
  it('an older attempt inside a delete call while a newer one resumes and finishes: every record counted once, the older stops', async () => {
    const runId = await setUp('c_one', 3_005, 3_000);
    const older = holdAt(await openTarget('c_one'), 'remove', 2);
    const first = runDeletePhase({ runId, step, target: older.target, settings, compareKeys: false, confirm: false, runClock: 0, store: store.sync });
    first.catch(() => undefined);
    // The older attempt applied its first call (1,000) and recorded its second in flight; its DELETE waits.
    await older.reached;
    expect(await store.sync.getDeletePhase(runId, 'dst')).toMatchObject({ state: 'applying', applied: 1_000, inFlight: 1_000 });
    // The newer attempt (the retry) resumes the phase and applies the rest.
    const newer = await openTarget('c_one');
    expect(await runDeletePhase({ runId, step, target: newer, settings, compareKeys: false, confirm: false, runClock: 0, store: store.sync })).toMatchObject({ state: 'applied', candidates: 3_000, applied: 3_000 });
    // The older one's DELETE goes through (nothing left to delete); it records nothing more and stops.
    older.release();
    await expect(first).rejects.toThrow(DeletePhaseTaken);
    expect(await store.sync.getDeletePhase(runId, 'dst')).toMatchObject({ state: 'applied', candidates: 3_000, applied: 3_000, inFlight: null });
    expect(await stepDeleted(runId)).toBe(3_000);
    expect(await rowsLeft('c_one')).toBe(5);
    await older.target.close();
    await newer.close();
  }, 60_000);

  it('an older attempt between delete calls once the phase moved on: it deletes nothing more (records made again since stay)', async () => {
    const runId = await setUp('c_two', 3_005, 3_000);
    // The older attempt applied its first call; it is counting its second call's records when the newer one resumes.
    const older = holdAt(await openTarget('c_two'), 'present', 2);
    const first = runDeletePhase({ runId, step, target: older.target, settings, compareKeys: false, confirm: false, runClock: 0, store: store.sync });
    first.catch(() => undefined);
    await older.reached;
    const newer = await openTarget('c_two');
    expect(await runDeletePhase({ runId, step, target: newer, settings, compareKeys: false, confirm: false, runClock: 0, store: store.sync })).toMatchObject({ state: 'applied', applied: 3_000 });
    // Later (the run moved on), records 1,001–3,000 are made again at the target: not this run's to delete.
    await client.query(`INSERT INTO c_two SELECT i, 'Again ' || i FROM generate_series(1001, 3000) AS i`);
    older.release();
    await expect(first).rejects.toThrow(DeletePhaseTaken);
    expect(await rowsLeft('c_two')).toBe(5 + 2_000);
    expect(await store.sync.getDeletePhase(runId, 'dst')).toMatchObject({ state: 'applied', applied: 3_000 });
    expect(await stepDeleted(runId)).toBe(3_000);
    await older.target.close();
    await newer.close();
  }, 60_000);

  it('two attempts deciding at once: one decision recorded, every record deleted and counted once', async () => {
    const runId = await setUp('c_three', 2_505, 2_500);
    const [a, b] = [await openTarget('c_three'), await openTarget('c_three')];
    const results = await Promise.allSettled([a, b].map((t) => runDeletePhase({ runId, step, target: t, settings, compareKeys: false, confirm: false, runClock: 0, store: store.sync })));
    // At least one finishes the phase; one taken over stops (never both applying to the end on their own counts).
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DeletePhaseTaken);
    expect(await store.sync.getDeletePhase(runId, 'dst')).toMatchObject({ state: 'applied', candidates: 2_500, applied: 2_500 });
    expect(await stepDeleted(runId)).toBe(2_500);
    expect(await rowsLeft('c_three')).toBe(5);
    await a.close();
    await b.close();
  }, 60_000);

  it('stops before its next delete call when its attempt is cancelled; the retry finishes, each record counted once', async () => {
    const runId = await setUp('c_four', 3_005, 3_000);
    const t = await openTarget('c_four');
    let calls = 0;
    const cancelled = new AbortController();
    const stop = () => {
      if (cancelled.signal.aborted) throw new Error('The run was cancelled');
    };
    // Cancelled once its first call is applied.
    const stopping: DeleteTarget = {
      ...t,
      remove: async (keys) => {
        calls += 1;
        return t.remove(keys).finally(() => cancelled.abort());
      },
    };
    await expect(runDeletePhase({ runId, step, target: stopping, settings, compareKeys: false, confirm: false, runClock: 0, store: store.sync, stop })).rejects.toThrow('cancelled');
    expect(calls).toBe(1);
    expect(await rowsLeft('c_four')).toBe(2_005);
    expect(await store.sync.getDeletePhase(runId, 'dst')).toMatchObject({ state: 'applying', applied: 1_000 });
    expect(await runDeletePhase({ runId, step, target: t, settings, compareKeys: false, confirm: false, runClock: 0, store: store.sync })).toMatchObject({ state: 'applied', applied: 3_000 });
    expect(await rowsLeft('c_four')).toBe(5);
    await t.close();
  }, 60_000);
});
