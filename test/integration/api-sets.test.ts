// Integration sets on the real Temporal dev server: a set runs its members one after another as child workflows of its
// parent workflow; a failing member aborts it (later members do not run, the set is Failed) or, with abort off, the
// set goes on (Completed with errors); member runs show in the set's history and in their integration's own history
// ("Set: <name>"); cancelling the set cancels the current member; the set's schedule fires it; its trigger tokens
// start it. And two schedule loose ends: deactivating or deleting an integration with a pending scheduled time records
// it as "Scheduled but deleted", and auto-disable after N failures pauses the Temporal Schedule.
import { randomUUID } from 'node:crypto';
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CreatedSetToken, Integration, IntegrationSet, SetRun, SetSchedule, SetTriggerResult, type Run } from '../../shared';
import { createActivities } from '../../runtime/activities';
import { createAlerts } from '../../runtime/alerts';
import { createDeliverer } from '../../runtime/alerts/deliver';
import { createAddressGuard } from '../../runtime/net';
import { createApi } from '../../runtime/api/app';
import { withdrawSchedule } from '../../runtime/api/schedules';
import type { Store } from '../../runtime/store/types';
import { createRunLauncher } from '../../runtime/temporal/client';
import { createScheduleKeeper, scheduleIdFor } from '../../runtime/temporal/schedules';
import { createSetEngine, setScheduleIdFor } from '../../runtime/temporal/sets';
import { workflowBundle } from '../../runtime/temporal/worker';
import { customersCsv, customersGraph, FAST_PIPELINE, quietTemporalLogs, saveCsvFile } from '../support/temporal-harness';
import { json } from '../support/api-rig';
import { asOwner } from '../support/signed-in';
import { waiter } from '../support/wait-for';
import { openWorkerBench, type WorkerBench } from '../support/worker-bench';

quietTemporalLogs('ERROR');

let bench: WorkerBench;
let store: Store;
let dir: string;
let client: Client;
let app: Awaited<ReturnType<typeof asOwner>>;
const scheduleIds: string[] = [];

beforeAll(async () => {
  // One schedule keeper for the worker's alerts and the API, as runtime/wiring.ts wires it.
  let schedules!: ReturnType<typeof createScheduleKeeper>;
  const deliverer = createDeliverer({ smtpFrom: 'Weft <alerts@weft.test>', guard: createAddressGuard({ allowPrivate: true }), backoffMs: 50 });
  bench = await openWorkerBench({
    address: inject('temporalAddress'),
    name: 'sets',
    // One row per batch and a short pause after each: a 40-row member runs long enough to be cancelled.
    activities: ({ store, client, taskQueue, sessions }) => {
      const keeper = (schedules = createScheduleKeeper({ client, taskQueue, pipeline: FAST_PIPELINE }));
      return createActivities({
        store,
        sessions,
        batchSize: 1,
        batchDelayMs: 100,
        // As runtime/wiring.ts wires it: auto-disable pauses the schedule and records its pending time.
        alerts: createAlerts({ store, deliverer, publicUrl: 'http://localhost', secrets: sessions, hooks: { pauseSchedule: async (id, why) => void (await withdrawSchedule(store, keeper, id, why)) } }),
      });
    },
  });
  ({ store, dir, client } = bench);
  const { taskQueue } = bench;
  app = await asOwner(
    createApi({
      store,
      launcher: createRunLauncher({ client, taskQueue, pipeline: FAST_PIPELINE }),
      schedules,
      sets: createSetEngine({ client, taskQueue, pipeline: FAST_PIPELINE }),
      filesDir: bench.filesDir,
      maxUploadBytes: 1024 * 1024,
      connections: bench.sessions,
    }),
    store,
  );
});

afterAll(async () => {
  await bench?.close(scheduleIds);
});

const good = (n: number) => Array.from({ length: n }, (_, k) => ({ email: `g${k}@example.com`, name: `G ${k}`, amount: `${k}`, active: 'yes' }));
// Every Amount is not a number: every record is rejected, so the run ends Failed.
const bad = [{ email: 'x@example.com', name: 'X', amount: 'lots', active: 'yes' }];

async function integration(name: string, rows: Parameters<typeof customersCsv>[0], publish = true): Promise<string> {
  const fileId = await saveCsvFile(store, dir, customersCsv(rows));
  const res = await app.request('/api/integrations', json('POST', { name, graph: customersGraph({ fileId, object: `sets_${randomUUID().slice(0, 8)}` }) }));
  const created = Integration.parse(await res.json());
  if (publish) expect((await app.request(`/api/integrations/${created.id}/publish`, json('POST'))).status).toBe(200);
  return created.id;
}

async function createSet(body: unknown): Promise<IntegrationSet> {
  const res = await app.request('/api/sets', json('POST', body));
  expect(res.status).toBe(201);
  return IntegrationSet.parse(await res.json());
}

const waitFor = waiter({ ms: 40_000 });

const setRun = async (id: string) => SetRun.parse(await (await app.request(`/api/set-runs/${id}`)).json());
const ended = (id: string) => waitFor(`set run ${id} to end`, async () => {
  const r = await setRun(id);
  return !['queued', 'running'].includes(r.status) && r;
});
async function runNow(setId: string): Promise<SetRun> {
  const res = await app.request(`/api/sets/${setId}/runs`, json('POST', { name: 'Nightly by hand' }));
  expect(res.status).toBe(202);
  return SetRun.parse(await res.json());
}
const historyOf = async (integrationId: string): Promise<Run[]> => (await store.listRuns(integrationId, { limit: 50 })).items;

describe('integration sets on the real dev server', () => {
  let a: string;
  let failing: string;
  let c: string;

  beforeAll(async () => {
    a = await integration('Customers A', good(2));
    failing = await integration('Broken B', bad);
    c = await integration('Customers C', good(2));
  });

  it('refuses bad sets naming the field: unknown, unpublished, a set, duplicates, NUL bytes; __proto__ is only a name', async () => {
    const draft = await integration('Draft only', good(1), false);
    const issues = async (body: unknown) => {
      const res = await app.request('/api/sets', json('POST', body));
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: { issues: { path: string; message: string }[] } }).error.issues;
    };
    expect(await issues({ name: 'S', members: [a, 'int_nope'] })).toEqual([{ path: 'members.1', message: 'No integration has the id "int_nope"' }]);
    expect(await issues({ name: 'S', members: [draft] })).toEqual([{ path: 'members.0', message: '"Draft only" is not published; publish it before adding it to a set' }]);
    expect(await issues({ name: 'S', members: [a, a] })).toEqual([{ path: 'members.1', message: expect.stringMatching(/already member 1/) }]);
    expect(await issues({ name: 'S', members: [] })).toEqual([{ path: 'members', message: 'Add at least one integration' }]);
    expect(await issues({ name: 'Bad\u0000name', members: [a] })).toEqual([{ path: 'name', message: 'A name holds no control characters (line breaks, tabs, NUL) or invisible marks that reorder text' }]);
    expect(await issues({ name: 'S', members: ['int_\u0000'] })).toEqual([{ path: 'members.0', message: 'An id holds no control characters' }]);
    expect(await issues({ name: 'S', members: ['__proto__'] })).toEqual([{ path: 'members.0', message: 'No integration has the id "__proto__"' }]);

    // A set cannot contain itself or another set, on create and on edit.
    const first = await createSet({ name: 'First', members: [a] });
    expect(await issues({ name: 'S', members: [a, first.id] })).toEqual([{ path: 'members.1', message: expect.stringMatching(/cannot contain a set/) }]);
    const self = await app.request(`/api/sets/${first.id}`, json('PUT', { name: 'First', members: [first.id] }));
    expect(self.status).toBe(400);
    expect(((await self.json()) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path)).toEqual(['members.0']);

    // "__proto__" as a name is a plain string, and a "__proto__" key in the body changes nothing (abort stays on).
    const res = await app.request('/api/sets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"name":"__proto__","members":["${a}"],"__proto__":{"abortOnFailure":false}}` });
    expect(res.status).toBe(201);
    const proto = IntegrationSet.parse(await res.json());
    expect(proto).toMatchObject({ name: '__proto__', abortOnFailure: true, members: [{ integrationId: a, name: 'Customers A', published: true }] });
    expect(({} as Record<string, unknown>).abortOnFailure).toBeUndefined();
    // Unknown ids answer 404; a member of a set cannot be deleted.
    expect((await app.request('/api/sets/set_missing')).status).toBe(404);
    const del = await app.request(`/api/integrations/${a}`, { method: 'DELETE' });
    expect(del.status).toBe(409);
    expect(((await del.json()) as { error: { message: string } }).error.message).toMatch(/member of the sets? .*"First"/);
    for (const id of [first.id, proto.id]) expect((await app.request(`/api/sets/${id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('aborts at a failing member: later members do not run, the set is Failed; member runs show in both histories', async () => {
    const set = await createSet({ name: 'Abort chain', members: [a, failing, c] });
    expect(set.abortOnFailure).toBe(true);
    const cBefore = (await historyOf(c)).length;
    const started = await runNow(set.id);
    // The test signs in with the owner's API token: a run started with an API token says API.
    expect(started).toMatchObject({ name: 'Nightly by hand', trigger: 'api', startedBy: 'token:tests-owner', abortOnFailure: true });
    const done = await ended(started.id);
    expect(done.status).toBe('failed');
    expect(done.error).toBe('"Broken B" failed; the set stopped and 1 integration did not run.');
    expect(done.members.map((m) => [m.name, m.status])).toEqual([
      ['Customers A', 'completed'],
      ['Broken B', 'failed'],
      ['Customers C', null],
    ]);
    expect(done.members[2]!.runId).toBeNull();
    expect(await historyOf(c)).toHaveLength(cBefore);

    // The member's run is in its integration's own history, started by the set, linked to the set run.
    const aRun = (await historyOf(a)).find((r) => r.id === done.members[0]!.runId);
    expect(aRun).toMatchObject({ trigger: 'set', startedBy: 'Abort chain', setRunId: started.id, status: 'completed', counts: expect.objectContaining({ created: 2 }) });
    const bRun = (await historyOf(failing)).find((r) => r.id === done.members[1]!.runId);
    expect(bRun).toMatchObject({ trigger: 'set', startedBy: 'Abort chain', setRunId: started.id, status: 'failed' });
    // Child workflow ids derive from the set run id.
    const child = await client.workflow.getHandle(`set-run-${started.id}-member-0`).describe();
    expect(child.status.name).toBe('COMPLETED');
    expect(child.parentExecution?.workflowId).toBe(`set-run-${started.id}`);
    // The parent's real history replays against the workflow bundle: runSet is deterministic (no clock, no randomness).
    const parentHistory = await client.workflow.getHandle(`set-run-${started.id}`).fetchHistory();
    expect(parentHistory.events?.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toHaveLength(2);
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, parentHistory)).resolves.toBeUndefined();

    // The set's history lists it, with its members.
    const history = (await (await app.request(`/api/sets/${set.id}/runs`)).json()) as { items: SetRun[]; total: number };
    expect(history.total).toBe(1);
    expect(history.items[0]).toMatchObject({ id: started.id, status: 'failed' });
    expect(IntegrationSet.parse(await (await app.request(`/api/sets/${set.id}`)).json()).lastRun).toMatchObject({ id: started.id, status: 'failed' });
  });

  it('goes on past a failing member when abort is off: every member runs, the set completes with errors', async () => {
    const set = await createSet({ name: 'Go-on chain', members: [failing, a, c], abortOnFailure: false });
    const done = await ended((await runNow(set.id)).id);
    expect(done.status).toBe('completed_with_errors');
    expect(done.members.map((m) => m.status)).toEqual(['failed', 'completed', 'completed']);
    expect(done.error).toBe('"Broken B" failed.');
    const cRun = (await historyOf(c)).find((r) => r.id === done.members[2]!.runId);
    expect(cRun).toMatchObject({ trigger: 'set', startedBy: 'Go-on chain', setRunId: done.id });
  });

  it('records a member that can no longer run (deactivated since) and goes on or aborts like a failure', async () => {
    const d = await integration('Soon off', good(1));
    const set = await createSet({ name: 'With a gap', members: [d, a], abortOnFailure: false });
    expect((await app.request(`/api/integrations/${d}/active`, json('PUT', { active: false }))).status).toBe(200);
    const done = await ended((await runNow(set.id)).id);
    expect(done.members[0]).toMatchObject({ status: 'failed', runId: null, error: '"Soon off" is deactivated.' });
    expect(done.members[1]).toMatchObject({ status: 'completed' });
    expect(done.status).toBe('completed_with_errors');
  });

  it('cancelling the set cancels the member in progress; later members do not run', async () => {
    const slow = await integration('Slow member', good(40)); // 40 batches, 100 ms apart
    const set = await createSet({ name: 'Cancel me', members: [slow, c] });
    const started = await runNow(set.id);
    await waitFor('the slow member to run', async () => (await setRun(started.id)).members[0]!.status === 'running');
    expect((await app.request(`/api/set-runs/${started.id}/cancel`, json('POST'))).status).toBe(202);
    const done = await ended(started.id);
    expect(done.status).toBe('cancelled');
    expect(done.members.map((m) => m.status)).toEqual(['cancelled', null]);
    const slowRun = await store.getRun(done.members[0]!.runId!);
    expect(slowRun?.status).toBe('cancelled');
    expect(slowRun!.steps.find((s) => s.kind === 'target.workspace')?.counts.created ?? 0).toBeLessThan(40);
    expect((await app.request(`/api/set-runs/${started.id}/cancel`, json('POST'))).status).toBe(409);
  });

  it("runs on its own schedule (a Temporal Schedule starting the set's parent workflow)", async () => {
    const set = await createSet({ name: 'Scheduled chain', members: [a, c] });
    scheduleIds.push(setScheduleIdFor(set.id));
    const res = await app.request(`/api/sets/${set.id}/schedule`, json('PUT', { cadence: { kind: 'workdays', time: '06:00' }, timeZone: 'Europe/Paris', runNow: true }));
    expect(res.status).toBe(200);
    const schedule = SetSchedule.parse(await res.json());
    expect(schedule).toMatchObject({ description: 'Every weekday at 06:00 Europe/Paris', enabled: true, inTemporal: true });
    expect(schedule.nextRuns.length).toBeGreaterThan(0);
    const described = await client.schedule.getHandle(setScheduleIdFor(set.id)).describe();
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'scheduledSet' });

    const [run] = await waitFor('the scheduled set run to end', async () => {
      const { items } = (await (await app.request(`/api/sets/${set.id}/runs`)).json()) as { items: SetRun[] };
      return items.length > 0 && items.every((r) => r.status === 'completed') && items;
    });
    expect(run).toMatchObject({ trigger: 'schedule', startedBy: null, status: 'completed' });
    expect(run!.members.map((m) => m.status)).toEqual(['completed', 'completed']);
    // A bad schedule names its field; removing it deletes the Temporal Schedule.
    const badTz = await app.request(`/api/sets/${set.id}/schedule`, json('PUT', { cadence: { kind: 'daily', time: '06:00' }, timeZone: 'Mars/Olympus' }));
    expect(badTz.status).toBe(400);
    expect(((await badTz.json()) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path)).toEqual(['timeZone']);
    expect((await app.request(`/api/sets/${set.id}/schedule`, { method: 'DELETE' })).status).toBe(204);
    expect(await (await app.request(`/api/sets/${set.id}/schedule`)).json()).toBeNull();
  });

  it('is triggered with its own token; wrong, revoked, another set\'s and an integration\'s tokens start nothing', async () => {
    const set = await createSet({ name: 'Triggered chain', members: [c] });
    const other = await createSet({ name: 'Other chain', members: [a] });
    const tokenOf = async (id: string) => CreatedSetToken.parse(await (await app.request(`/api/sets/${id}/tokens`, json('POST', { name: 'CI' }))).json()).token;
    const token = await tokenOf(set.id);
    const trigger = (id: string, t: string) => app.request(`/api/sets/${id}/trigger`, { method: 'POST', headers: { authorization: `Bearer ${t}` } });
    const res = await trigger(set.id, token);
    expect(res.status).toBe(202);
    const { setRunId, statusUrl } = SetTriggerResult.parse(await res.json());
    expect(statusUrl).toMatch(new RegExp(`/api/sets/${set.id}/trigger/runs/${setRunId}$`));
    const done = await ended(setRunId);
    expect(done).toMatchObject({ trigger: 'api', startedBy: 'trigger:CI', status: 'completed' });
    const status = await app.request(`/api/sets/${set.id}/trigger/runs/${setRunId}`, { headers: { authorization: `Bearer ${token}` } });
    expect(SetRun.parse(await status.json()).status).toBe('completed');

    expect((await trigger(set.id, `weft_trg_${'0'.repeat(43)}`)).status).toBe(401);
    expect((await trigger(other.id, token)).status).toBe(403);
    const integrationToken = ((await (await app.request(`/api/integrations/${c}/tokens`, json('POST', { name: 'Int' }))).json()) as { token: string }).token;
    expect((await trigger(set.id, integrationToken)).status).toBe(401);
    const [info] = await store.sets.listSetTokens(set.id);
    expect(info).toMatchObject({ name: 'CI', lastUsedAt: expect.any(String) });
    expect((await app.request(`/api/sets/${set.id}/tokens/${info!.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await trigger(set.id, token)).status).toBe(401);
    expect((await store.sets.listSetRuns(set.id)).total).toBe(1);
    expect((await store.sets.listSetRuns(other.id)).total).toBe(0);
  });
});

describe('schedules: pending times are not lost silently; auto-disable pauses the schedule', () => {
  const weekdays = { cadence: { kind: 'workdays', time: '06:00' }, timeZone: 'Europe/Paris' };

  it('deactivating an integration pauses its schedule and records the pending time as Scheduled but deleted', async () => {
    const id = await integration('Going away', good(1));
    scheduleIds.push(scheduleIdFor(id));
    expect((await app.request(`/api/integrations/${id}/schedule`, json('PUT', weekdays))).status).toBe(200);
    const next = (await client.schedule.getHandle(scheduleIdFor(id)).describe()).info.nextActionTimes[0]!;
    expect((await app.request(`/api/integrations/${id}/active`, json('PUT', { active: false }))).status).toBe(200);

    const [entry] = await historyOf(id);
    expect(entry).toMatchObject({ status: 'scheduled_deleted', trigger: 'schedule', error: expect.stringMatching(/^Scheduled for .*; it will not run: the integration was deactivated/) });
    const d = next;
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    expect(entry!.name).toBe(`Scheduled run, ${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')} UTC`);
    const described = await client.schedule.getHandle(scheduleIdFor(id)).describe();
    expect(described.state).toMatchObject({ paused: true, note: 'the integration was deactivated' });
    expect((await store.getSchedule(id))?.enabled).toBe(false);
  });

  it('deleting an integration with a pending scheduled time keeps it in the audit log as scheduledButDeleted', async () => {
    const id = await integration('Deleted with schedule', good(1));
    scheduleIds.push(scheduleIdFor(id));
    expect((await app.request(`/api/integrations/${id}/schedule`, json('PUT', weekdays))).status).toBe(200);
    const next = (await client.schedule.getHandle(scheduleIdFor(id)).describe()).info.nextActionTimes[0]!;
    expect((await app.request(`/api/integrations/${id}`, { method: 'DELETE' })).status).toBe(204);
    const { items } = await store.auth.listAudit({ action: 'integration.deleted', limit: 10, offset: 0 });
    const entry = items.find((e) => e.targetId === id);
    expect(entry?.detail).toMatchObject({ scheduleDeleted: 'Every weekday at 06:00 Europe/Paris', scheduledButDeleted: [next.toISOString()] });
  });

  it('auto-disable after N consecutive failures pauses the Temporal Schedule and records its pending time', async () => {
    const id = await integration('Keeps failing', bad);
    scheduleIds.push(scheduleIdFor(id));
    expect((await app.request(`/api/integrations/${id}/alerts`, json('PUT', { emails: [], webhookUrl: null, onFailure: false, rejectedAbovePercent: null, onAutoDisable: false, autoDisableAfter: 2 }))).status).toBe(200);
    expect((await app.request(`/api/integrations/${id}/schedule`, json('PUT', weekdays))).status).toBe(200);
    const handle = client.schedule.getHandle(scheduleIdFor(id));
    // Two scheduled runs, fired with Temporal's trigger (no waiting for 06:00), each failing.
    for (let n = 1; n <= 2; n++) {
      // ALLOW_ALL for these triggers: the schedule's own policy (skip while one is running) would drop a trigger that
      // comes while the previous scheduled workflow is still closing, as it did under load.
      // Temporal names a scheduled workflow by its id and the firing's time to the second: a second trigger within the
      // same second as the first (the first run fails in well under one) collides with it and is dropped. A second apart.
      if (n > 1) await new Promise((r) => setTimeout(r, 1_100));
      await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
      await waitFor(`failed scheduled run ${n}`, async () => (await historyOf(id)).filter((r) => r.trigger === 'schedule' && r.status === 'failed').length === n);
    }
    const integrationNow = await waitFor('the auto-disable', async () => {
      const i = await store.getIntegration(id);
      return i && !i.active && i;
    });
    expect(integrationNow.disabledReason).toMatch(/^Deactivated after 2 failed runs in a row/);
    const state = await waitFor('the schedule to be paused', async () => {
      const d = await handle.describe();
      return d.state.paused && d.state;
    });
    expect(state.note).toMatch(/^Deactivated after 2 failed runs in a row/);
    expect((await store.getSchedule(id))?.enabled).toBe(false);
    expect((await historyOf(id)).filter((r) => r.status === 'scheduled_deleted')).toEqual([
      expect.objectContaining({ error: expect.stringMatching(/^Scheduled for .*; it will not run: Deactivated after 2 failed runs in a row/) }),
    ]);
  });
});
