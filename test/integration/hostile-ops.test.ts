// Hostile input to the operations routes (#13 "Bad input", docs/backlog.md): run parameters, run names and schedule
// fields carrying `__proto__`, `constructor`, U+0000, numbers past 2^53, leading zeros, unknown time zones and bad
// cron each answer 400 with the field at fault, and nothing is recorded. Schedules are saved as real Temporal
// Schedules on the dev server; the run launcher is a recorder (what is refused must never reach it).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import fixture from '../fixtures/graphs/csv-map-workspace.json';
import { ApiError, Integration, Schedule, UploadedFile, type Graph } from '../../shared';
import { withFilePreview } from '../../shared/graph/kinds/csv-source';
import { createApi } from '../../runtime/api/app';
import type { RunLauncher } from '../../runtime/api/deps';
import { openStore } from '../../runtime/store';
import type { Store } from '../../runtime/store/types';
import { createScheduleKeeper } from '../../runtime/temporal/schedules';
import { connectClient } from '../support/temporal-harness';
import { testConnections } from '../support/connections';
import { asOwner } from '../support/signed-in';

let store: Store;
let dir: string;
let app: ReturnType<typeof createApi>;
let closeClient: () => Promise<void>;
let keeper: ReturnType<typeof createScheduleKeeper>;
const started: unknown[] = [];
const launcher: RunLauncher = {
  async start(input) {
    started.push(input);
    return { workflowId: `run-${input.runId}` };
  },
};
const made: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-hostile-ops-'));
  store = await openStore({ dataDir: dir, memory: true });
  await store.migrate();
  const connected = await connectClient(inject('temporalAddress'));
  closeClient = connected.close;
  keeper = createScheduleKeeper({ client: connected.client, taskQueue: 'hostile-ops-never-polled' });
  const bare = createApi({ store, launcher, schedules: keeper, filesDir: join(dir, 'files'), maxUploadBytes: 64 * 1024, connections: testConnections(store, { filesDir: join(dir, 'files') }) });
  app = await asOwner(bare, store);
});
afterAll(async () => {
  for (const id of made) await keeper?.remove(id).catch(() => undefined);
  await closeClient?.();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Sends `body` as written: a JSON text (so keys like `__proto__` and numbers past 2^53 arrive as a client sent them). */
const send = (method: string, path: string, body: string) => app.request(path, { method, body, headers: { 'content-type': 'application/json' } });
const issuesOf = async (res: Response) => {
  expect(res.status, `expected 400, got ${res.status}`).toBe(400);
  return ApiError.parse(await res.json()).error.issues ?? [];
};

async function published(parameters: Graph['parameters']) {
  const up = await app.request('/api/files?name=c.csv', { method: 'POST', body: 'Email,Full Name,Plan,MRR,Signed Up,Active\na@x.io,Ann,Pro,10,2026-01-02,true\n', headers: { 'content-type': 'text/csv' } });
  const file = UploadedFile.parse(await up.json());
  const graph = structuredClone(fixture) as Graph;
  graph.nodes[0]!.config = withFilePreview({ ...graph.nodes[0]!.config, fileId: file.id });
  graph.parameters = parameters;
  const created = Integration.parse(await (await send('POST', '/api/integrations', JSON.stringify({ name: 'Hostile', graph }))).json());
  expect((await send('POST', `/api/integrations/${created.id}/publish`, '{}')).status).toBe(200);
  made.push(created.id);
  return created.id;
}

describe('run parameters and names', () => {
  const declared: Graph['parameters'] = [
    { name: 'limit', type: 'number', required: false },
    { name: 'region', type: 'text', required: false },
  ];

  it('refuses `__proto__` and `constructor` as undeclared parameters instead of dropping them', async () => {
    const id = await published(declared);
    const runs = `/api/integrations/${id}/runs`;
    expect(await issuesOf(await send('POST', runs, '{"params":{"__proto__":{"limit":1}}}'))).toEqual([
      { path: 'params.__proto__', message: 'Unknown parameter "__proto__"; this integration declares "limit", "region"' },
    ]);
    expect(await issuesOf(await send('POST', runs, '{"params":{"constructor":"x"}}'))).toEqual([
      { path: 'params.constructor', message: 'Unknown parameter "constructor"; this integration declares "limit", "region"' },
    ]);
    // The trigger API's body is the same schema.
    expect((await store.listRuns(id)).total).toBe(0);
  });

  it('refuses "007" and numbers past 2^53 for a Number parameter, naming it', async () => {
    const id = await published(declared);
    const runs = `/api/integrations/${id}/runs`;
    expect(await issuesOf(await send('POST', runs, '{"params":{"limit":"007"}}'))).toEqual([
      { path: 'params.limit', message: 'The parameter "limit" must be a number, not the text "007"' },
    ]);
    expect(await issuesOf(await send('POST', runs, '{"params":{"limit":9007199254740993}}'))).toEqual([
      { path: 'params.limit', message: 'The parameter "limit" is too large to keep exactly (beyond ±9,007,199,254,740,991, 2^53 − 1)' },
    ]);
    expect(await issuesOf(await send('POST', runs, '{"params":{"limit":-1e300}}'))).toEqual([
      { path: 'params.limit', message: 'The parameter "limit" is too large to keep exactly (beyond ±9,007,199,254,740,991, 2^53 − 1)' },
    ]);
    // 2^53 − 1 itself is kept exactly.
    const ok = await send('POST', runs, '{"params":{"limit":9007199254740991}}');
    expect(ok.status, await ok.clone().text()).toBe(202);
    expect((await store.listRuns(id)).items[0]?.params).toEqual({ limit: 9007199254740991 });
  });

  it('refuses U+0000 in a parameter value and in a run name, naming the field, and records nothing', async () => {
    const id = await published(declared);
    const runs = `/api/integrations/${id}/runs`;
    expect(await issuesOf(await send('POST', runs, '{"params":{"region":"EU\\u0000"}}'))).toEqual([
      { path: 'params.region', message: 'A parameter value cannot contain the character U+0000 (NUL)' },
    ]);
    expect(await issuesOf(await send('POST', runs, '{"name":"night\\u0000ly"}'))).toEqual([{ path: 'name', message: 'A run name cannot contain the character U+0000 (NUL)' }]);
    expect(await issuesOf(await send('POST', runs, JSON.stringify({ name: 'x'.repeat(201) })))).toEqual([{ path: 'name', message: 'A run name has at most 200 characters' }]);
    // An integration with no declarations takes any parameters, but not a NUL it could not store.
    const free = await published([]);
    expect(await issuesOf(await send('POST', `/api/integrations/${free}/runs`, '{"params":{"note":["a","b\\u0000"]}}'))).toEqual([
      { path: 'params.note', message: 'A parameter value cannot contain the character U+0000 (NUL)' },
    ]);
    expect((await store.listRuns(id)).total + (await store.listRuns(free)).total).toBe(0);
    // Names that look like object internals are only text.
    const named = await send('POST', runs, '{"name":"__proto__"}');
    expect(named.status).toBe(202);
    expect((await store.listRuns(id)).items[0]?.name).toBe('__proto__');
    const rerun = await send('POST', `/api/runs/${(await store.listRuns(id)).items[0]!.id}/rerun`, '{"name":"again\\u0000"}');
    expect(await issuesOf(rerun)).toEqual([{ path: 'name', message: 'A run name cannot contain the character U+0000 (NUL)' }]);
  });
});

describe('schedule fields', () => {
  const put = (id: string, body: string) => send('PUT', `/api/integrations/${id}/schedule`, body);

  it('names the time zone, the cron, the cadence kind and the interval at fault', async () => {
    const id = await published([]);
    const daily = (tz: string) => JSON.stringify({ cadence: { kind: 'daily', time: '06:00' }, timeZone: tz });
    const zoneMessage = 'Unknown time zone: use an IANA name such as Europe/Paris, America/New_York or UTC';
    for (const tz of ['Mars/Olympus_Mons', '__proto__', 'constructor', 'Europe/Paris\u0000', '']) {
      expect(await issuesOf(await put(id, daily(tz))), tz).toEqual([{ path: 'timeZone', message: zoneMessage }]);
    }
    const cron = (expression: string) => JSON.stringify({ cadence: { kind: 'cron', expression }, timeZone: 'UTC' });
    expect(await issuesOf(await put(id, cron('every day at six')))).toEqual([
      { path: 'cadence.expression', message: 'A cron expression has five fields (minute hour day-of-month month day-of-week); this one has 4' },
    ]);
    const [outOfRange] = await issuesOf(await put(id, cron('61 * * * *')));
    expect(outOfRange).toMatchObject({ path: 'cadence.expression', message: expect.stringMatching(/^Not a valid cron expression: /) });
    const [withNul] = await issuesOf(await put(id, cron('0 6 * * 1\u0000')));
    expect(withNul).toMatchObject({ path: 'cadence.expression', message: expect.stringMatching(/^Not a valid cron expression: /) });
    expect(await issuesOf(await put(id, cron('0 0 L * *')))).toEqual([{ path: 'cadence.expression', message: 'L, W, # and ? are not supported; use the monthly cadence for "last day"' }]);
    for (const kind of ['__proto__', 'constructor']) {
      const [issue] = await issuesOf(await put(id, JSON.stringify({ cadence: { kind, every: 5 }, timeZone: 'UTC' })));
      expect(issue?.path, kind).toBe('cadence.kind');
    }
    expect(await issuesOf(await put(id, '{"cadence":{"kind":"minutes","every":9007199254740993},"timeZone":"UTC"}'))).toEqual([
      { path: 'cadence.every', message: 'At most every 1,440 minutes (a day)' },
    ]);
    expect(await issuesOf(await put(id, '{"cadence":{"kind":"minutes","every":"007"},"timeZone":"UTC"}'))).toEqual([
      { path: 'cadence.every', message: 'Every how many minutes: a number, not text' },
    ]);
    expect(await issuesOf(await put(id, '{"cadence":{"kind":"hourly","minute":9007199254740993},"timeZone":"UTC"}'))).toEqual([
      { path: 'cadence.minute', message: 'A minute from 0 to 59' },
    ]);
    expect(await issuesOf(await put(id, '{"cadence":{"kind":"monthly","day":"31","time":"06:00"},"timeZone":"UTC"}'))).toEqual([
      { path: 'cadence.day', message: 'A day from 1 to 31, or "last"' },
    ]);
    expect(await issuesOf(await put(id, '{"cadence":{"kind":"monthly","day":32,"time":"06:00"},"timeZone":"UTC"}'))).toEqual([
      { path: 'cadence.day', message: 'A day from 1 to 31, or "last"' },
    ]);
    // Nothing reached Temporal.
    expect(await keeper.describe(id)).toBeNull();
  });

  it('ignores a `__proto__` key in the body (no prototype pollution, `enabled` stays as sent)', async () => {
    const id = await published([]);
    const res = await put(id, '{"__proto__":{"enabled":false,"polluted":true},"cadence":{"kind":"hourly","minute":7},"timeZone":"UTC"}');
    expect(res.status, await res.clone().text()).toBe(200);
    const saved = Schedule.parse(await res.json());
    expect(saved.enabled).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await keeper.describe(id))?.paused).toBe(false);
  });

  it('takes monthly on day 31, runs it on the last day of shorter months, and says so', async () => {
    const id = await published([]);
    const res = await put(id, JSON.stringify({ cadence: { kind: 'monthly', day: 31, time: '06:00' }, timeZone: 'Europe/Paris' }));
    expect(res.status, await res.clone().text()).toBe(200);
    const saved = Schedule.parse(await res.json());
    expect(saved.description).toBe('Monthly on day 31 at 06:00 Europe/Paris');
    expect(saved.note).toBe('Months without a day 31 (April, June, September, November and February) run on their last day.');
    // Temporal's own next times (describe): the last day of every month, 06:00 in Paris.
    const next = saved.nextRuns.slice(0, 4).map((t) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hour12: false }).format(new Date(t)));
    expect(next.length).toBe(4);
    for (const when of next) {
      const [date, hour] = when.split(', ');
      const [y, m, d] = date!.split('-').map(Number);
      expect(d, when).toBe(new Date(Date.UTC(y!, m!, 0)).getUTCDate());
      expect(hour).toBe('06');
    }
  });
});
