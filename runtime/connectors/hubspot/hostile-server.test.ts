// The HubSpot connector against a HubSpot server that misbehaves the way a broken or hostile endpoint can: a search
// or owners `after` that repeats or never ends, bodies that are not JSON or hold millions of values, pages without
// their results, and batch answers whose objectWriteTraceIds name records the call did not send.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HubSpotServer } from '../../../test/support/saas/hubspot-server';
import { saasHttpDefaults } from '../saas/http';
import type { ConnectorSession, ReadBatch } from '../types';
import { hubspotConnector } from './index';

process.env.WEFT_ALLOW_PRIVATE_HOSTS = 'true';
saasHttpDefaults.backoffMs = 5;

let hs: HubSpotServer;
let session: ConnectorSession;
const json = (body: unknown, status = 200) => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json;charset=utf-8' } });
const isSearch = (path: string) => path.endsWith('/search');
const contact = (id: number) => ({ id: String(id), properties: { hs_object_id: String(id), email: `p${id}@example.com` }, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', archived: false });

async function readAll(object: string): Promise<ReadBatch[]> {
  const out: ReadBatch[] = [];
  for await (const b of session.read(object, { batchSize: 1000 })) out.push(b);
  return out;
}

beforeAll(async () => {
  hs = await new HubSpotServer({ retryAfterSeconds: 0 }).start();
  session = await hubspotConnector.open({ baseUrl: hs.url, maxConcurrency: 2 }, { accessToken: hs.token });
});
afterAll(async () => {
  await session.close();
  await hs.stop();
});
beforeEach(() => {
  hs.intercept = null;
  hs.requests.length = 0;
});

describe('hubspot connector against a misbehaving server', () => {
  it('stops a search whose paging.next.after repeats, before reading a record twice', async () => {
    let n = 0;
    // after: 200, 400, 200, 400, … (and the same two records each time).
    hs.intercept = (c) => (isSearch(c.req.path) ? json({ total: 4, results: [contact(2 * (n % 2) + 1), contact(2 * (n % 2) + 2)], paging: { next: { after: String(200 * ((n++ % 2) + 1)) } } }) : undefined);
    await expect(readAll('contacts')).rejects.toMatchObject({ message: expect.stringMatching(/paging cursor "200" again/) });
    expect(n).toBeLessThanOrEqual(3);
  });

  it('ends a window at 10,000 results by its own count when after is not a number, so a search that never ends fails', async () => {
    let n = 0;
    hs.intercept = (c) => (isSearch(c.req.path) ? json({ total: 1, results: [contact(1)], paging: { next: { after: `opaque-${n++}` } } }) : undefined);
    await expect(readAll('contacts')).rejects.toMatchObject({ message: expect.stringMatching(/10,000/) });
    expect(n).toBeLessThanOrEqual(2 * (10_000 / 200));
  });

  it('stops listing owners when their after repeats', async () => {
    hs.intercept = (c) => (c.req.path.startsWith('/crm/v3/owners') ? json({ results: [{ id: '1', email: 'o@example.com', firstName: 'O', lastName: 'One' }], paging: { next: { after: 'same' } } }) : undefined);
    const owners: unknown[] = [];
    await expect(
      (async () => {
        for await (const o of session.listMembers!(session)) owners.push(o);
      })(),
    ).rejects.toMatchObject({ message: expect.stringMatching(/"same" again/) });
    expect(owners).toHaveLength(2);
  });

  it('says in words that a 200 answer is not JSON, has no results, or holds more values than Weft parses', async () => {
    const answers: [string, RegExp][] = [
      ['<!doctype html><title>HubSpot is down</title>', /not JSON.*doctype/],
      ['', /not JSON.*an empty body/],
      ['{"total":1,"results":[{"id":"1","prop', /not JSON/],
      ['{"total":1}', /without its records/],
      ['{"total":1,"results":[{"id":"1"}]}', /without its records/],
      [`{"total":1,"results":[${'{},'.repeat(1_000_001)}{}]}`, /more than 1,000,000 values/],
    ];
    for (const [body, message] of answers) {
      hs.intercept = (c) => (isSearch(c.req.path) ? json(body) : undefined);
      await expect(readAll('contacts'), body.slice(0, 40)).rejects.toMatchObject({ code: 'unknown', message: expect.stringMatching(message) });
    }
  });

  it('a schema or property list that is missing or holds junk is an error in words, junk entries left out', async () => {
    const s = await hubspotConnector.open({ baseUrl: hs.url, maxConcurrency: 2 }, { accessToken: hs.token });
    try {
      hs.intercept = (c) => (c.req.path === '/crm/v3/schemas' ? json({ total: 0 }) : undefined);
      await expect(s.discover()).rejects.toMatchObject({ code: 'unknown', message: expect.stringMatching(/without its results while listing custom objects/) });
      hs.intercept = (c) => (c.req.path === '/crm/v3/schemas' ? json({ results: [null, 7, { name: {} }] }) : c.req.path === '/crm/v3/properties/deals' ? json({ results: [{ name: { __proto__: 1 } }, 'x', { name: 'hs_object_id', type: 'number', fieldType: 'number' }, { name: '__proto__', type: 'string', fieldType: 'text' }] }) : undefined);
      const deals = (await s.discover()).find((o) => o.name === 'deals')!;
      expect(deals.fields.map((f) => f.name)).toEqual(['hs_object_id', '__proto__']);
    } finally {
      await s.close();
    }
  });

  it('a batch answer naming trace ids it was not sent neither counts records as written nor grows the results', async () => {
    const rows = [{ external_id: 'a-1', name: 'A' }, { external_id: 'a-2', name: 'B' }, { external_id: 'a-3', name: 'C' }];
    hs.intercept = (c) =>
      c.req.path.endsWith('/batch/upsert')
        ? json(
            {
              status: 'COMPLETE',
              results: [
                { id: '901', objectWriteTraceId: '0', new: true, properties: {} },
                { id: '902', objectWriteTraceId: '99999999', new: true, properties: {} },
                { id: '903', objectWriteTraceId: '-1', new: true, properties: {} },
                { id: '904', objectWriteTraceId: '__proto__', new: true, properties: {} },
              ],
              errors: [{ status: 'error', category: 'VALIDATION_ERROR', message: 'bad', context: { objectWriteTraceId: ['2', '7'] } }],
            },
            207,
          )
        : undefined;
    const results = await session.write('companies', rows, { mode: 'upsert', key: ['external_id'], fields: [] });
    expect(results).toHaveLength(3);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'rejected', 'rejected']);
    expect(results[1]).toMatchObject({ reason: expect.stringMatching(/without a result/) });
    expect(results[2]).toMatchObject({ reason: expect.stringMatching(/VALIDATION_ERROR: bad/) });
  });
});
