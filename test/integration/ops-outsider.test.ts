// An outsider's attack on the operations features (sched13, docs/backlog.md), on the real Temporal dev server, a real
// store and a real SMTP server. Each test is a defect found and fixed at its cause; each failed before its fix:
// - a set run cancelled before its workflow began stayed Queued for good (runSet began outside its cancel handler);
// - a member run recorded while its set was being cancelled stayed Queued for good, and its integration could then
//   never be deleted (409, a run in progress);
// - Cancel on a run or a set run whose workflow Temporal no longer has answered 202 and changed nothing (Temporal
//   takes a cancel of a closed workflow without a word), so the run stayed "in progress" for ever;
// - a set was deleted while a run of it was in progress when ten newer runs had ended;
// - a deactivated integration was still run by its schedule (a firing on its way, or a schedule enabled again);
// - when auto-disable could not pause the schedule (Temporal unreachable), the run's alerts were never sent;
// - a time zone Intl takes but Temporal does not ("europe/paris") answered 503, blaming the engine.
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Integration, IntegrationSet, SetRun, type Run } from '../../shared';
import { createActivities } from '../../runtime/activities';
import { createSetActivities, setMemberRunId } from '../../runtime/activities/sets';
import { createAlerts } from '../../runtime/alerts';
import { createDeliverer } from '../../runtime/alerts/deliver';
import { createApi } from '../../runtime/api/app';
import { withdrawSchedule } from '../../runtime/api/schedules';
import { createAddressGuard } from '../../runtime/net';
import type { Store } from '../../runtime/store/types';
import { createRunLauncher } from '../../runtime/temporal/client';
import { createScheduleKeeper, scheduleIdFor } from '../../runtime/temporal/schedules';
import { createSetEngine } from '../../runtime/temporal/sets';
import { createWorker } from '../../runtime/temporal/worker';
import { startSmtp } from '../support/alert-receivers';
import { json } from '../support/api-rig';
import { asOwner } from '../support/signed-in';
import { waiter } from '../support/wait-for';
import { openWorkerBench, type WorkerBench, type WorkerBenchParts } from '../support/worker-bench';
import { customersCsv, customersGraph, FAST_PIPELINE, quietTemporalLogs, saveCsvFile } from '../support/temporal-harness';

quietTemporalLogs('ERROR');

let bench: WorkerBench;
let store: Store;
let dir: string;
let client: Client;
/** Served by a worker. */
let app: Awaited<ReturnType<typeof asOwner>>;
/** The same store, but its runs and sets start on a task queue no worker polls until a test starts one. */
let idle: Awaited<ReturnType<typeof asOwner>>;
let idleQueue: string;
const scheduleIds: string[] = [];

function apiOn(taskQueue: string) {
  return createApi({
    store,
    launcher: createRunLauncher({ client, taskQueue, pipeline: FAST_PIPELINE }),
    schedules: createScheduleKeeper({ client, taskQueue, pipeline: FAST_PIPELINE }),
    sets: createSetEngine({ client, taskQueue, pipeline: FAST_PIPELINE }),
    filesDir: bench.filesDir,
    maxUploadBytes: 1024 * 1024,
    connections: bench.sessions,
  });
}

const activitiesOf = ({ store, sessions }: Pick<WorkerBenchParts, 'store' | 'sessions'>) => createActivities({ store, sessions, batchSize: 50 });

beforeAll(async () => {
  idleQueue = `outsider-idle-${randomUUID()}`;
  bench = await openWorkerBench({ address: inject('temporalAddress'), name: 'outsider', activities: activitiesOf });
  ({ store, dir, client } = bench);
  app = await asOwner(apiOn(bench.taskQueue), store);
  idle = await asOwner(apiOn(idleQueue), store);
});

afterAll(async () => {
  await bench?.close(scheduleIds);
});

async function integration(name: string, rows = 2): Promise<string> {
  const csv = customersCsv(Array.from({ length: rows }, (_, k) => ({ email: `p${k}@example.com`, name: `P ${k}`, amount: `${k}`, active: 'yes' })));
  const fileId = await saveCsvFile(store, join(dir, 'files'), csv);
  const res = await app.request('/api/integrations', json('POST', { name, graph: customersGraph({ fileId, object: `out_${randomUUID().slice(0, 8)}` }) }));
  const created = Integration.parse(await res.json());
  expect((await app.request(`/api/integrations/${created.id}/publish`, json('POST'))).status).toBe(200);
  return created.id;
}

const waitFor = waiter({ ms: 40_000 });

/** Runs a worker on the idle queue while `body` runs. */
async function withIdleWorker<T>(body: () => Promise<T>): Promise<T> {
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const late = await createWorker({ connection, taskQueue: idleQueue, activities: activitiesOf(bench) });
  const done = late.run();
  try {
    return await body();
  } finally {
    late.shutdown();
    await done;
    await connection.close();
  }
}

const setRunOf = async (id: string) => SetRun.parse(await (await app.request(`/api/set-runs/${id}`)).json());

describe('sets cancelled at awkward moments', () => {
  it('a set run cancelled before its workflow began is recorded Cancelled when a worker takes it, not left Queued', async () => {
    const a = await integration('Early A');
    const set = IntegrationSet.parse(await (await app.request('/api/sets', json('POST', { name: 'Cancelled early', members: [a] }))).json());
    // No worker polls the idle queue: the set run's workflow is started but has not begun.
    const started = await idle.request(`/api/sets/${set.id}/runs`, json('POST', {}));
    expect(started.status).toBe(202);
    const run = SetRun.parse(await started.json());
    expect((await idle.request(`/api/set-runs/${run.id}/cancel`, json('POST'))).status).toBe(202);
    const ended = await withIdleWorker(() => waitFor('the set run to end', async () => {
      const r = await setRunOf(run.id);
      return !['queued', 'running'].includes(r.status) && r;
    }, 20_000));
    expect(ended.status).toBe('cancelled');
    // Its member never ran.
    expect(ended.members.map((m) => m.runId)).toEqual([null]);
    expect((await store.listRuns(a)).total).toBe(0);
    // And the set can be deleted (no run "in progress" holds it).
    expect((await app.request(`/api/sets/${set.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('a member run recorded while its set was being cancelled is closed as Cancelled (before or after the cancel lands)', async () => {
    const a = await integration('Racing A');
    const b = await integration('Racing B');
    const set = IntegrationSet.parse(await (await app.request('/api/sets', json('POST', { name: 'Racing', members: [a, b] }))).json());
    const activities = createSetActivities({ store });
    const newSetRun = async () => {
      const run = await store.sets.createSetRun({ setId: set.id, name: 'race', trigger: 'manual', startedBy: null, abortOnFailure: true, members: [{ integrationId: a, name: 'Racing A' }, { integrationId: b, name: 'Racing B' }] });
      await activities.beginSetRun({ setRunId: run.id });
      return run.id;
    };

    // startSetMember recorded member 1's run, then the cancellation landed (its workflow will never start the child).
    const first = await newSetRun();
    const started = await activities.startSetMember({ setRunId: first, position: 0, workflowId: `wf-${first}` });
    expect(started.kind).toBe('started');
    await activities.finishSetRun({ setRunId: first, status: 'cancelled', error: 'Cancelled: the members after the current one did not run.' });
    const left = await store.getRun(setMemberRunId(first, 0));
    expect(left?.status).toBe('cancelled');
    expect(left?.error).toBe('The set run was cancelled before this integration started.');

    // The cancellation landed first, and a startSetMember still on its way (TRY_CANCEL: the workflow no longer waits
    // for it) answers afterwards: it records no run.
    const second = await newSetRun();
    await activities.finishSetRun({ setRunId: second, status: 'cancelled', error: 'Cancelled.' });
    expect((await activities.startSetMember({ setRunId: second, position: 0, workflowId: `wf-${second}` })).kind).toBe('refused');
    expect(await store.getRun(setMemberRunId(second, 0))).toBeNull();

    // Nothing holds the integrations: no run of theirs is in progress.
    for (const id of [a, b]) expect((await store.listRuns(id)).items.filter((r: Run) => r.status === 'queued' || r.status === 'running')).toEqual([]);
  });
});

describe('deleting a set', () => {
  it('is refused while any of its runs is in progress, not only one of the newest ten', async () => {
    const a = await integration('Long A');
    const set = IntegrationSet.parse(await (await app.request('/api/sets', json('POST', { name: 'Long and short', members: [a] }))).json());
    const runOf = () => store.sets.createSetRun({ setId: set.id, name: 'r', trigger: 'manual', startedBy: null, abortOnFailure: true, members: [{ integrationId: a, name: 'Long A' }] });
    // A long run still going, then ten quick ones that ended after it started.
    const long = await runOf();
    await store.sets.markSetRunStarted(long.id);
    for (let k = 0; k < 10; k++) {
      await new Promise((r) => setTimeout(r, 5));
      await store.sets.finishSetRun((await runOf()).id, 'completed', null);
    }
    const res = await app.request(`/api/sets/${set.id}`, { method: 'DELETE' });
    expect(res.status).toBe(409);
    expect(await store.sets.getSet(set.id)).not.toBeNull();
  });
});

describe('Cancel when Temporal no longer has the workflow', () => {
  it('records the run Cancelled (it answered 202 and changed nothing), and its integration can be deleted again', async () => {
    const id = await integration('Orphan');
    const started = await idle.request(`/api/integrations/${id}/runs`, json('POST', {}));
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    // The workflow ends without recording the run (an operator terminated it, a dev server's history was lost…).
    await client.workflow.getHandle(`run-${runId}`).terminate('gone');
    expect((await app.request(`/api/integrations/${id}`, { method: 'DELETE' })).status).toBe(409);
    const res = await app.request(`/api/runs/${runId}/cancel`, json('POST'));
    expect(res.status, await res.clone().text()).toBe(202);
    expect(await res.json()).toEqual({ runId, status: 'cancelled' });
    const run = await store.getRun(runId);
    expect(run?.status).toBe('cancelled');
    expect(run?.error).toMatch(/no longer running in the execution engine/);
    expect((await app.request(`/api/integrations/${id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('records a set run Cancelled the same way', async () => {
    const a = await integration('Orphan set A');
    const set = IntegrationSet.parse(await (await app.request('/api/sets', json('POST', { name: 'Orphan set', members: [a] }))).json());
    const run = SetRun.parse(await (await idle.request(`/api/sets/${set.id}/runs`, json('POST', {}))).json());
    await client.workflow.getHandle(`set-run-${run.id}`).terminate('gone');
    const res = await app.request(`/api/set-runs/${run.id}/cancel`, json('POST'));
    expect(res.status, await res.clone().text()).toBe(202);
    expect((await setRunOf(run.id)).status).toBe('cancelled');
    expect((await app.request(`/api/sets/${set.id}`, { method: 'DELETE' })).status).toBe(204);
  });
});

describe('a deactivated integration and its schedule', () => {
  it('refuses to enable the schedule again, and a firing that reaches it runs nothing (Skipped, with the reason)', async () => {
    const id = await integration('Switched off');
    scheduleIds.push(scheduleIdFor(id));
    const saved = await app.request(`/api/integrations/${id}/schedule`, json('PUT', { cadence: { kind: 'daily', time: '03:00' }, timeZone: 'UTC', enabled: true }));
    expect(saved.status).toBe(200);
    expect((await app.request(`/api/integrations/${id}/active`, json('PUT', { active: false }))).status).toBe(200);
    // Enabling it (or "run now") while the integration is deactivated is refused; saving it disabled is not.
    const again = await app.request(`/api/integrations/${id}/schedule`, json('PUT', { cadence: { kind: 'daily', time: '03:00' }, timeZone: 'UTC', enabled: true }));
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('inactive');
    const runNow = await app.request(`/api/integrations/${id}/schedule`, json('PUT', { cadence: { kind: 'daily', time: '03:00' }, timeZone: 'UTC', enabled: false, runNow: true }));
    expect(runNow.status).toBe(409);
    expect((await app.request(`/api/integrations/${id}/schedule`, json('PUT', { cadence: { kind: 'daily', time: '04:00' }, timeZone: 'UTC', enabled: false }))).status).toBe(200);

    // A pause that never reached Temporal (or a firing already on its way): the Schedule fires while deactivated.
    const handle = client.schedule.getHandle(scheduleIdFor(id));
    await handle.unpause('as if the pause had been lost');
    await handle.trigger();
    const fired = await waitFor('the firing to be recorded', async () => (await store.listRuns(id)).items.find((r) => r.trigger === 'schedule' && r.status !== 'scheduled_deleted'), 20_000);
    const settled = await waitFor('the firing to settle', async () => {
      const r = await store.getRun(fired.id);
      return r && !['queued', 'running'].includes(r.status) && r;
    }, 20_000);
    expect(settled.status).toBe('skipped');
    expect(settled.error).toMatch(/^Skipped: "Switched off" is deactivated/);
    expect(settled.counts.written).toBe(0);
  });
});

describe('time zones Intl takes and Temporal does not', () => {
  it('saves a name in another case as Intl spells it, and answers 400 at timeZone (not 503) for one Temporal refuses', async () => {
    const id = await integration('Zoned');
    scheduleIds.push(scheduleIdFor(id));
    const daily = (timeZone: string) => app.request(`/api/integrations/${id}/schedule`, json('PUT', { cadence: { kind: 'daily', time: '06:00' }, timeZone, enabled: false }));
    // "europe/paris" passed Intl's check, then Temporal refused it: 503 "the execution engine did not answer".
    const mended = await daily('europe/paris');
    expect(mended.status, await mended.clone().text()).toBe(200);
    expect(await mended.json()).toMatchObject({ timeZone: 'Europe/Paris', description: 'Every day at 06:00 Europe/Paris' });
    // An alias in another case is kept as written (Intl's own spelling is another name): Temporal refuses it.
    const refused = await daily('us/pacific');
    expect(refused.status, await refused.clone().text()).toBe(400);
    expect(((await refused.json()) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path)).toEqual(['timeZone']);
    // A time the clocks jump over once a year: the schedule says so (Temporal runs nothing that day).
    const night = await app.request(`/api/integrations/${id}/schedule`, json('PUT', { cadence: { kind: 'daily', time: '02:30' }, timeZone: 'Europe/Paris', enabled: false }));
    expect(((await night.json()) as { note: string | null }).note).toMatch(/^02:30 does not exist in Europe\/Paris on \d{4}-03-\d\d, when the clocks go forward: that day has no run\./);
    // A set's schedule answers the same.
    const set = IntegrationSet.parse(await (await app.request('/api/sets', json('POST', { name: 'Zoned set', members: [id] }))).json());
    scheduleIds.push(`schedule-set-${set.id}`);
    expect((await app.request(`/api/sets/${set.id}/schedule`, json('PUT', { cadence: { kind: 'daily', time: '06:00' }, timeZone: 'us/pacific', enabled: false }))).status).toBe(400);
  });
});

describe('integration names', () => {
  it('refuse control characters (a CR/LF name reached alert mail subjects), naming the field', async () => {
    const fileId = await saveCsvFile(store, join(dir, 'files'), customersCsv([{ email: 'n@example.com', name: 'N', amount: '1', active: 'yes' }]));
    const graph = customersGraph({ fileId, object: `out_${randomUUID().slice(0, 8)}` });
    for (const name of ['Orders\r\nBcc: thief@example.net', 'Tab\there', 'Bell\u0007']) {
      const res = await app.request('/api/integrations', json('POST', { name, graph }));
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path)).toEqual(['name']);
    }
    expect((await app.request('/api/integrations', json('POST', { name: '<b>Orders</b> & "Co"', graph }))).status).toBe(201);
  });
});

describe('auto-disable when the schedule cannot be paused', () => {
  it('still sends the alerts of the run that deactivated it', async () => {
    const smtp = await startSmtp();
    // A real Temporal client to an address nobody answers: the pause fails as it does while Temporal is down.
    const dead = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const connection = Connection.lazy({ address: `127.0.0.1:${dead}` });
    const unreachable = createScheduleKeeper({ client: new Client({ connection }), deadlineMs: 500 });
    const deliverer = createDeliverer({ smtpUrl: smtp.url, smtpFrom: 'Weft <alerts@weft.test>', guard: createAddressGuard({ allowPrivate: true }), backoffMs: 50 });
    const logged: string[] = [];
    const alerts = createAlerts({
      store,
      deliverer,
      publicUrl: 'http://localhost',
      secrets: bench.sessions,
      hooks: { pauseSchedule: async (integrationId, why) => void (await withdrawSchedule(store, unreachable, integrationId, why)) },
      log: (m) => void logged.push(m),
    });
    try {
      const id = await integration('Paused never');
      await store.saveSchedule({ integrationId: id, cadence: { kind: 'daily', time: '03:00' }, timeZone: 'UTC', enabled: true });
      await store.ops.setAlerts(id, { emails: ['ops@example.com'], webhookUrl: null, onFailure: true, rejectedAbovePercent: null, onAutoDisable: true, autoDisableAfter: 1 });
      const integrationNow = await store.getIntegration(id);
      const run = await store.createRun({ integrationId: id, versionId: integrationNow!.publishedVersionId!, trigger: 'manual', params: {}, steps: [] });
      const ended = await store.endRun(run.id, 'failed', 'the target refused');
      await alerts.afterRun(run.id, ended ?? undefined);
      const mails = await smtp.waitFor(2, 15_000);
      expect(mails.map((m) => /^Subject: (.*)$/m.exec(m.raw)?.[1]).sort()).toEqual(['[Weft] Paused never was deactivated', '[Weft] Paused never: the run failed']);
      expect((await store.getIntegration(id))?.active).toBe(false);
      expect(logged).toEqual([`Deactivated ${id} but could not pause its schedule`]);
    } finally {
      await deliverer.drain();
      deliverer.close();
      await connection.close().catch(() => undefined);
      await smtp.close();
    }
  });
});
