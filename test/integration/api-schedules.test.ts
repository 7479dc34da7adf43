// Schedules through the API on the real Temporal dev server: a schedule fires (Temporal's trigger, no waiting for the
// minute), pause stops it, a restart of Weft finds it in Temporal, an overlap skip is recorded, bad input names its field,
// and deleting the integration deletes the Temporal Schedule.
import { randomUUID } from 'node:crypto';
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Integration, Schedule, SKIPPED_OVERLAP_MESSAGE, type Run } from '../../shared';
import { createActivities } from '../../runtime/activities';
import { createApi } from '../../runtime/api/app';
import type { Store } from '../../runtime/store/types';
import { createRunLauncher } from '../../runtime/temporal/client';
import { createScheduleKeeper, scheduleIdFor } from '../../runtime/temporal/schedules';
import { connectClient, customersCsv, customersGraph, FAST_PIPELINE, quietTemporalLogs, saveCsvFile } from '../support/temporal-harness';
import { json } from '../support/api-rig';
import { asOwner } from '../support/signed-in';
import { waiter } from '../support/wait-for';
import { openWorkerBench, type WorkerBench } from '../support/worker-bench';

quietTemporalLogs('ERROR');

let bench: WorkerBench;
let store: Store;
let dir: string;
let taskQueue: string;
const clients: { client: Client; close(): Promise<void> }[] = [];
const integrations: string[] = [];

type App = Awaited<ReturnType<typeof asOwner>>;

/** Weft's API as runtime/wiring.ts builds it, over its own Temporal client (a new one is a restart of Weft). */
async function startWeft(): Promise<{ app: App; client: Client; close(): Promise<void> }> {
  const connected = await connectClient(inject('temporalAddress'));
  clients.push(connected);
  const app = await asOwner(
    createApi({
      store,
      launcher: createRunLauncher({ client: connected.client, taskQueue, pipeline: FAST_PIPELINE }),
      schedules: createScheduleKeeper({ client: connected.client, taskQueue, pipeline: FAST_PIPELINE }),
      filesDir: bench.filesDir,
      maxUploadBytes: 1024 * 1024,
      connections: bench.sessions,
    }),
    store,
  );
  return { app, client: connected.client, close: connected.close };
}

beforeAll(async () => {
  bench = await openWorkerBench({
    address: inject('temporalAddress'),
    name: 'schedules',
    // One row per batch and a pause after each, so a run lasts long enough for an overlap.
    activities: ({ store, sessions }) => createActivities({ store, sessions, batchSize: 1, batchDelayMs: 150 }),
  });
  ({ store, dir, taskQueue } = bench);
});

afterAll(async () => {
  await bench?.close(integrations.map(scheduleIdFor));
  for (const c of clients) await c.close();
});

const rows = (n: number) => Array.from({ length: n }, (_, k) => ({ email: `s${k}@example.com`, name: `S ${k}`, amount: `${k}`, active: 'yes' }));

async function publishedIntegration(app: App, name: string, rowCount = 3): Promise<string> {
  const fileId = await saveCsvFile(store, dir, customersCsv(rows(rowCount)));
  const res = await app.request('/api/integrations', json('POST', { name, graph: customersGraph({ fileId, object: `sched_${randomUUID().slice(0, 8)}` }) }));
  const created = Integration.parse(await res.json());
  integrations.push(created.id);
  expect((await app.request(`/api/integrations/${created.id}/publish`, json('POST'))).status).toBe(200);
  return created.id;
}

async function scheduledRuns(integrationId: string): Promise<Run[]> {
  return (await store.listRuns(integrationId, { limit: 100 })).items.filter((r) => r.trigger === 'schedule');
}

const waitFor = waiter();

const weekdays = { cadence: { kind: 'workdays', time: '06:00' }, timeZone: 'Europe/Paris' };

describe('schedules on the real dev server', () => {
  it('refuses bad input with the field at fault, and an unpublished integration', async () => {
    const { app } = await startWeft();
    const draft = Integration.parse(await (await app.request('/api/integrations', json('POST', { name: 'Draft only', graph: { version: 1, nodes: [], edges: [] } }))).json());
    integrations.push(draft.id);
    const notPublished = await app.request(`/api/integrations/${draft.id}/schedule`, json('PUT', weekdays));
    expect(notPublished.status).toBe(409);

    const id = await publishedIntegration(app, 'Bad input');
    const bad = async (body: unknown) => {
      const res = await app.request(`/api/integrations/${id}/schedule`, json('PUT', body));
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: { issues: { path: string; message: string }[] } }).error.issues;
    };
    expect(await bad({ cadence: { kind: 'cron', expression: '0 25 * * *' }, timeZone: 'UTC' })).toEqual([{ path: 'cadence.expression', message: expect.stringMatching(/hour/) }]);
    expect(await bad({ ...weekdays, timeZone: 'Europe/Atlantis' })).toEqual([{ path: 'timeZone', message: expect.stringMatching(/^Unknown time zone/) }]);
    // Nothing was saved by the refusals.
    expect(await (await app.request(`/api/integrations/${id}/schedule`)).json()).toBeNull();

    // Day 31 is accepted, and the answer says where shorter months run; Temporal's next times agree.
    const monthly = await app.request(`/api/integrations/${id}/schedule`, json('PUT', { cadence: { kind: 'monthly', day: 31, time: '06:00' }, timeZone: 'UTC' }));
    expect(monthly.status).toBe(200);
    const saved = Schedule.parse(await monthly.json());
    expect(saved.note).toMatch(/run on their last day/);
    expect(saved.nextRuns.length).toBeGreaterThan(3);
    for (const t of saved.nextRuns) {
      const d = new Date(t);
      const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
      expect([d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()]).toEqual([lastDay, 6, 0]);
    }
  });

  it('fires (trigger, as "Sync immediately after saving"), says when next in words and times, and pause stops it', async () => {
    const { app, client } = await startWeft();
    const id = await publishedIntegration(app, 'Weekday sync');
    const res = await app.request(`/api/integrations/${id}/schedule`, json('PUT', { ...weekdays, runNow: true }));
    expect(res.status).toBe(200);
    const saved = Schedule.parse(await res.json());
    expect(saved).toMatchObject({ description: 'Every weekday at 06:00 Europe/Paris', enabled: true, inTemporal: true, note: null });
    // Next runs come from Temporal's describe: weekdays at 06:00 in Paris.
    expect(saved.nextRuns.length).toBeGreaterThan(0);
    for (const t of saved.nextRuns) {
      const parts = Object.fromEntries(
        new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
          .formatToParts(new Date(t))
          .map((p) => [p.type, p.value]),
      );
      expect(['Mon', 'Tue', 'Wed', 'Thu', 'Fri']).toContain(parts.weekday);
      expect(`${parts.hour}:${parts.minute}`).toBe('06:00');
    }

    // The trigger started scheduledSync, which recorded a run of the published version and ran it to the end.
    const [run] = await waitFor('the scheduled run to end', async () => {
      const runs = await scheduledRuns(id);
      return runs.length > 0 && runs.every((r) => r.status === 'completed') && runs;
    });
    expect(run).toMatchObject({ trigger: 'schedule', status: 'completed', counts: expect.objectContaining({ written: 3 }) });
    expect(await scheduledRuns(id)).toHaveLength(1);

    // Disable scheduling: the Temporal Schedule is paused and shows no next run.
    const paused = Schedule.parse(await (await app.request(`/api/integrations/${id}/schedule`, json('PUT', { ...weekdays, enabled: false }))).json());
    expect(paused).toMatchObject({ enabled: false, nextRuns: [] });
    const handle = client.schedule.getHandle(scheduleIdFor(id));
    expect((await handle.describe()).state.paused).toBe(true);

    // Pause stops it: even a cadence of every second fires nothing while paused, and fires once unpaused.
    await handle.update((prev) => ({ ...prev, spec: { intervals: [{ every: '1s' }] } }));
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await scheduledRuns(id)).toHaveLength(1);
    await handle.unpause();
    await waitFor('a run after unpausing', async () => (await scheduledRuns(id)).length > 1);
    await handle.pause();

    // Enabled again through the API: the weekday cadence is back and Temporal gives its next time.
    const enabled = Schedule.parse(await (await app.request(`/api/integrations/${id}/schedule`, json('PUT', weekdays))).json());
    expect(enabled).toMatchObject({ enabled: true, description: 'Every weekday at 06:00 Europe/Paris' });
    expect(new Date(enabled.nextRuns[0]!).getTime()).toBeGreaterThan(Date.now());
    expect((await handle.describe()).spec.intervals ?? []).toEqual([]);
  });

  it('records an overlap skip in sync history', async () => {
    const { app, client } = await startWeft();
    const id = await publishedIntegration(app, 'Slow sync', 40); // 40 batches of one row, 150 ms apart: about 6 s
    expect((await app.request(`/api/integrations/${id}/schedule`, json('PUT', { ...weekdays, runNow: true }))).status).toBe(200);
    await waitFor('the first scheduled run to start', async () => (await scheduledRuns(id)).some((r) => r.status === 'running'));

    // The schedule fires again while the first run goes: Temporal skips it (overlap SKIP) and Weft records the skip.
    await client.schedule.getHandle(scheduleIdFor(id)).trigger(ScheduleOverlapPolicy.SKIP);
    const schedule = await waitFor('the skip to be counted', async () => {
      const s = Schedule.parse(await (await app.request(`/api/integrations/${id}/schedule`)).json());
      return s.skippedOverlap > 0 && s;
    });
    expect(schedule.skippedOverlap).toBe(1);
    const runs = await scheduledRuns(id);
    expect(runs.filter((r) => r.status === 'skipped')).toEqual([expect.objectContaining({ status: 'skipped', error: SKIPPED_OVERLAP_MESSAGE })]);
    // Reading again records nothing more.
    await app.request(`/api/integrations/${id}/schedule`);
    expect((await scheduledRuns(id)).filter((r) => r.status === 'skipped')).toHaveLength(1);
    await waitFor('the first run to end', async () => (await scheduledRuns(id)).every((r) => r.status !== 'running' && r.status !== 'scheduled'));
  });

  it('is still there after a restart of Weft, and deleting the integration deletes it', async () => {
    const first = await startWeft();
    const id = await publishedIntegration(first.app, 'Survivor');
    expect((await first.app.request(`/api/integrations/${id}/schedule`, json('PUT', { cadence: { kind: 'minutes', every: 15 }, timeZone: 'UTC' }))).status).toBe(200);
    await first.close();
    clients.splice(clients.findIndex((c) => c.client === first.client), 1);

    // A new process: a new client over the same store; the Schedule lives in Temporal.
    const second = await startWeft();
    const [listed] = (await (await second.app.request('/api/schedules')).json()) as unknown[];
    expect(listed).toBeDefined();
    const all = Schedule.array().parse(await (await second.app.request('/api/schedules')).json());
    const survivor = all.find((s) => s.integrationId === id)!;
    expect(survivor).toMatchObject({ description: 'Every 15 minutes', inTemporal: true });
    const next = new Date(survivor.nextRuns[0]!);
    expect(next.getUTCMinutes() % 15).toBe(0);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    // It fires for the new process's worker too.
    await second.client.schedule.getHandle(scheduleIdFor(id)).trigger();
    await waitFor('the run after the restart', async () => (await scheduledRuns(id)).some((r) => r.status === 'completed'));

    expect((await second.app.request(`/api/integrations/${id}`, { method: 'DELETE' })).status).toBe(204);
    await expect(second.client.schedule.getHandle(scheduleIdFor(id)).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    expect(await store.getSchedule(id)).toBeNull();
  });
});
