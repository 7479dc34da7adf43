// An outsider's probe of schedules, alerts, sets, parameters, triggers and resubmits (probe21, docs/backlog.md), on the
// real Temporal dev server. Each test is a defect found and fixed at its cause; each failed before its fix:
// - a one-off at a time the clocks jump over (02:30 Europe/Paris, 28 March 2027) was saved with 200 and no next run,
//   and never ran; one at a time lived twice (01:30 America/New_York, 7 November 2027) listed two times and ran twice;
// - a cron naming no date that exists ("0 0 30 2 *") was saved with 200 and never ran;
// - names with a line break or a direction mark (U+202E reads the rest backwards) were kept for tokens (trigger, set,
//   API: shown as a run's "Started by"), runs, and integrations and sets (U+202E only), and shown as given.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Integration, IntegrationSet, Schedule } from '../../shared';
import { createActivities } from '../../runtime/activities';
import { createApi } from '../../runtime/api/app';
import type { Store } from '../../runtime/store/types';
import { createRunLauncher } from '../../runtime/temporal/client';
import { createScheduleKeeper, scheduleIdFor } from '../../runtime/temporal/schedules';
import { createSetEngine } from '../../runtime/temporal/sets';
import { json } from '../support/api-rig';
import { asOwner } from '../support/signed-in';
import { openWorkerBench, type WorkerBench } from '../support/worker-bench';
import { customersCsv, customersGraph, FAST_PIPELINE, quietTemporalLogs, saveCsvFile } from '../support/temporal-harness';
quietTemporalLogs('ERROR');
let bench: WorkerBench; let store: Store; let app: Awaited<ReturnType<typeof asOwner>>;
const ids: string[] = [];
beforeAll(async () => {
  bench = await openWorkerBench({ address: inject('temporalAddress'), name: 'p21', activities: ({ store, sessions }) => createActivities({ store, sessions, batchSize: 50 }) });
  store = bench.store;
  app = await asOwner(createApi({ store, launcher: createRunLauncher({ client: bench.client, taskQueue: bench.taskQueue, pipeline: FAST_PIPELINE }), schedules: createScheduleKeeper({ client: bench.client, taskQueue: bench.taskQueue, pipeline: FAST_PIPELINE }), sets: createSetEngine({ client: bench.client, taskQueue: bench.taskQueue, pipeline: FAST_PIPELINE }), filesDir: bench.filesDir, maxUploadBytes: 1 << 20, connections: bench.sessions }), store);
});
afterAll(async () => { await bench?.close(ids); });

async function integration(name: string): Promise<string> {
  const fileId = await saveCsvFile(store, join(bench.dir, 'files'), customersCsv([{ email: 'a@example.com', name: 'A', amount: '1', active: 'yes' }]));
  const created = Integration.parse(await (await app.request('/api/integrations', json('POST', { name, graph: customersGraph({ fileId, object: `p21_${randomUUID().slice(0, 8)}` }) }))).json());
  expect((await app.request(`/api/integrations/${created.id}/publish`, json('POST'))).status).toBe(200);
  ids.push(scheduleIdFor(created.id));
  return created.id;
}

type Issues = { error: { issues: { path: string; message: string }[] } };

describe('schedules that would never run, or run twice', () => {
  it('a one-off in the hour the clocks skip is refused in words; one in the hour lived twice runs once, the first time', async () => {
    const id = await integration('One-off at a clock change');
    const put = (body: unknown) => app.request(`/api/integrations/${id}/schedule`, json('PUT', body));
    const skipped = await put({ cadence: { kind: 'once', date: '2027-03-28', time: '02:30' }, timeZone: 'Europe/Paris' });
    expect(skipped.status, await skipped.clone().text()).toBe(400);
    expect(((await skipped.json()) as Issues).error.issues).toEqual([
      { path: 'cadence.date', message: '02:30 does not exist in Europe/Paris on 2027-03-28: the clocks go forward over it, so a one-off run then would never happen; pick a time outside the skipped hour' },
    ]);
    const twice = await put({ cadence: { kind: 'once', date: '2027-11-07', time: '01:30' }, timeZone: 'America/New_York' });
    expect(twice.status, await twice.clone().text()).toBe(200);
    const saved = Schedule.parse(await twice.json());
    // Temporal's own next times: one (before the fix, 05:30 and 06:30 UTC).
    expect(saved.nextRuns).toEqual(['2027-11-07T05:30:00.000Z']);
    expect(saved).toMatchObject({ description: 'Once on 2027-11-07 at 01:30 America/New_York', timeZone: 'America/New_York' });
    expect(saved.note).toBe('01:30 happens twice in America/New_York on 2027-11-07, when the clocks go back: it runs once, the first time (05:30 UTC).');
    // An ordinary one-off still runs at its wall time in its zone.
    const plain = Schedule.parse(await (await put({ cadence: { kind: 'once', date: '2027-07-01', time: '09:15' }, timeZone: 'Asia/Kolkata' })).json());
    expect(plain.nextRuns).toEqual(['2027-07-01T03:45:00.000Z']);
  });

  it('a cron naming no date that exists is refused at cadence.expression, for an integration and a set', async () => {
    const id = await integration('Cron on 30 February');
    const res = await app.request(`/api/integrations/${id}/schedule`, json('PUT', { cadence: { kind: 'cron', expression: '0 0 30 2 *' }, timeZone: 'UTC' }));
    expect(res.status, await res.clone().text()).toBe(400);
    expect(((await res.json()) as Issues).error.issues).toEqual([
      { path: 'cadence.expression', message: 'This cron expression names no date that exists (such as 30 February or 31 April): it would never run' },
    ]);
    const set = IntegrationSet.parse(await (await app.request('/api/sets', json('POST', { name: 'Probe set', members: [id] }))).json());
    ids.push(`schedule-set-${set.id}`);
    const setPut = (body: unknown) => app.request(`/api/sets/${set.id}/schedule`, json('PUT', body));
    expect((await setPut({ cadence: { kind: 'cron', expression: '0 0 31 4 *' }, timeZone: 'UTC' })).status).toBe(400);
    expect((await setPut({ cadence: { kind: 'once', date: '2027-03-14', time: '02:10' }, timeZone: 'America/New_York' })).status).toBe(400);
    const setTwice = await setPut({ cadence: { kind: 'once', date: '2027-10-31', time: '02:10' }, timeZone: 'Europe/Paris' });
    expect(setTwice.status, await setTwice.clone().text()).toBe(200);
    expect(((await setTwice.json()) as { nextRuns: string[] }).nextRuns).toEqual(['2027-10-31T00:10:00.000Z']);
  });

  it('a cron naming no date, stored before the rule, still loads: the list, the schedule and the integration answer 200 (review16a)', async () => {
    const id = await integration('Cron stored before the rule');
    // As a schedule saved before merge16 sits in the store (saveSchedule does not judge the cadence).
    await store.saveSchedule({ integrationId: id, cadence: { kind: 'cron', expression: '0 0 30 2 *' }, timeZone: 'UTC', enabled: true });
    const one = await app.request(`/api/integrations/${id}/schedule`);
    expect(one.status, await one.clone().text()).toBe(200);
    expect(Schedule.parse(await one.json())).toMatchObject({ cadence: { kind: 'cron', expression: '0 0 30 2 *' }, enabled: true });
    const list = await app.request('/api/schedules');
    expect(list.status, await list.clone().text()).toBe(200);
    expect((await app.request(`/api/integrations/${id}`)).status).toBe(200);
    // Turning it off is allowed (like a past one-off); saving it on again is refused in words.
    const off = await app.request(`/api/integrations/${id}/schedule`, json('PUT', { cadence: { kind: 'cron', expression: '0 0 30 2 *' }, timeZone: 'UTC', enabled: false }));
    expect(off.status, await off.clone().text()).toBe(200);
    const on = await app.request(`/api/integrations/${id}/schedule`, json('PUT', { cadence: { kind: 'cron', expression: '0 0 30 2 *' }, timeZone: 'UTC', enabled: true }));
    expect(on.status).toBe(400);
  });
});

describe('names with line breaks or invisible direction marks', () => {
  it('are refused in words wherever a person names something, and nothing is made', async () => {
    const id = await integration('Named');
    const set = IntegrationSet.parse(await (await app.request('/api/sets', json('POST', { name: 'Named set', members: [id] }))).json());
    ids.push(`schedule-set-${set.id}`);
    const message = 'A name holds no control characters (line breaks, tabs, NUL) or invisible marks that reorder text';
    const attempts: [string, string, (name: string) => unknown][] = [
      ['POST', '/api/integrations', (name) => ({ name, graph: { version: 1, nodes: [], edges: [] } })],
      ['PUT', `/api/integrations/${id}`, (name) => ({ name })],
      ['POST', '/api/sets', (name) => ({ name, members: [id] })],
      ['POST', `/api/sets/${set.id}/runs`, (name) => ({ name })],
      ['POST', `/api/integrations/${id}/runs`, (name) => ({ name })],
      ['POST', `/api/integrations/${id}/tokens`, (name) => ({ name })],
      ['POST', `/api/sets/${set.id}/tokens`, (name) => ({ name })],
      ['POST', '/api/tokens', (name) => ({ name, role: 'viewer' })],
    ];
    for (const hostile of ['Orders\u202edeliaf', 'a\r\nBcc: x@example.com', 'tab\there', 'iso\u2066late']) {
      for (const [method, path, body] of attempts) {
        const res = await app.request(path, json(method, body(hostile)));
        expect(res.status, `${method} ${path} ${JSON.stringify(hostile)}: ${await res.clone().text()}`).toBe(400);
        expect(((await res.json()) as Issues).error.issues).toEqual([{ path: 'name', message }]);
      }
    }
    // Nothing was made: no token, no run, no set beside the one above.
    expect(await (await app.request(`/api/integrations/${id}/tokens`)).json()).toEqual([]);
    expect(await (await app.request(`/api/sets/${set.id}/tokens`)).json()).toEqual([]);
    expect((await store.listRuns(id, { limit: 10 })).items).toEqual([]);
    expect(((await (await app.request('/api/sets')).json()) as { name: string }[]).filter((s) => s.name !== 'Named set' && s.name !== 'Probe set')).toEqual([]);
    // Names in any script, with emoji and markup, are names.
    for (const name of ['Commandes été — 東京 🚀', '<script>alert(1)</script>', 'עברית ועוד']) {
      const res = await app.request(`/api/integrations/${id}/tokens`, json('POST', { name }));
      expect(res.status, name).toBe(201);
    }
  });
});
