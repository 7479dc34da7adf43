// The contract suite against the HubSpot connector on the local HubSpot server (test/support/saas), and what only
// HubSpot has: the search API's 10,000-result limit, 429s, per-record batch errors, enumeration options, owners,
// hostile property names and numbers past 2^53, with the requests Weft sends checked by the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractView } from '../../../test/support/saas/contract-view';
import { closedPort } from '../../../test/support/saas/free-port';
import { HubSpotServer, type HubSpotType } from '../../../test/support/saas/hubspot-server';
import { runContractSuite } from '../contract-suite';
import { saasHttpDefaults } from '../saas/http';
import { toText } from '../saas/values';
import type { ConnectorSession, ReadBatch, Row } from '../types';
import { hubspotConnector, type HubSpotConfig, type HubSpotSecrets } from './index';

// The local server listens on 127.0.0.1, which the outbound-address guard refuses unless told; backoff shortened.
process.env.WEFT_ALLOW_PRIVATE_HOSTS = 'true';
saasHttpDefaults.backoffMs = 20;

const TYPES: Record<string, HubSpotType> = { text: 'string', number: 'number', currency: 'number', date: 'date', datetime: 'datetime', boolean: 'bool' };
const SYSTEM = ['hs_object_id', 'createdate', 'hs_lastmodifieddate'];

let server: HubSpotServer;
const keys = new Map<string, string[]>();

runContractSuite<HubSpotConfig, HubSpotSecrets>({
  name: 'hubspot',
  connector: contractView(hubspotConnector, { systemFields: SYSTEM, keyOf: (o) => keys.get(o) ?? ['hs_object_id'] }),
  async setup() {
    server = await new HubSpotServer().start();
    return {
      config: { baseUrl: server.url, maxConcurrency: 4 },
      secrets: { accessToken: server.token },
      wrongPassword: { config: { baseUrl: server.url, maxConcurrency: 4 }, secrets: { accessToken: 'pat-na1-not-a-real-token' } },
      unreachable: { config: { baseUrl: `http://127.0.0.1:${await closedPort()}`, maxConcurrency: 1 }, secrets: { accessToken: server.token } },
      missingDatabase: { skip: 'HubSpot has no databases: the token chooses the account' },
      fixture: {
        rejectedRows: [
          { row: { ...itemRowNamed(11), name: null }, reason: /required/i },
          { row: { ...itemRowNamed(12), amount: 'not a number' }, reason: /not a valid number/i },
        ],
        createObject(name, columns, key, rows) {
          const object = server.defineObject(
            name,
            columns.map((c) => ({ name: c.name, type: TYPES[c.type]!, showCurrencySymbol: c.type === 'currency', unique: key.includes(c.name) })),
            columns.filter((c) => c.notNull).map((c) => c.name),
          );
          keys.set(object, key);
          server.insert(object, rows.map((r) => Object.fromEntries(columns.map((c) => [c.name, toText(r[c.name], c.type)]))));
          return Promise.resolve(object);
        },
        dropObject(name) {
          server.dropObject(name);
          return Promise.resolve();
        },
      },
    };
  },
  async teardown() {
    expect(server.violations, 'requests that break HubSpot documented limits').toEqual([]);
    await server.stop();
  },
});

function itemRowNamed(i: number): Row {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return { id: i, name: `item ${i}`, amount: i * 1.5 - 3, price: Math.round(i * 1025.5) / 100, born: `2026-01-${pad(((i - 1) % 28) + 1)}`, seen_at: `2026-02-01T${pad(Math.floor(i / 60) % 24)}:${pad(i % 60)}:${pad(i % 60)}.${pad((i * 7) % 1000, 3)}Z`, active: i % 2 === 0, note: i % 5 === 0 ? null : `note ${i}` };
}

async function collect(session: ConnectorSession, object: string, options: Parameters<ConnectorSession['read']>[1]): Promise<ReadBatch[]> {
  const out: ReadBatch[] = [];
  for await (const b of session.read(object, options)) out.push(b);
  return out;
}

describe('hubspot connector on the local server', () => {
  let hs: HubSpotServer;
  let session: ConnectorSession;
  const open = (s = hs) => hubspotConnector.open({ baseUrl: s.url, maxConcurrency: 4 }, { accessToken: s.token });

  beforeAll(async () => {
    hs = await new HubSpotServer({ retryAfterSeconds: 0 }).start();
    hs.seedContacts(10_450, { tiesEvery: 3 });
    session = await open();
  });
  afterAll(async () => {
    await session.close();
    await hs.stop();
  });

  it('discovers contacts, companies, deals and custom objects with types, enumeration options and cursor fields', async () => {
    hs.defineObject('cars', [{ name: 'vin', type: 'string', unique: true }, { name: 'colour', type: 'enumeration', options: ['red', 'blue'] }]);
    const objects = await session.discover();
    expect(objects.map((o) => o.name)).toEqual(expect.arrayContaining(['contacts', 'companies', 'deals', 'p4201337_cars']));
    const contacts = objects.find((o) => o.name === 'contacts')!;
    expect(contacts.primaryKey).toEqual(['hs_object_id']);
    expect(contacts.cursorFields[0]).toBe('lastmodifieddate');
    const stage = contacts.fields.find((f) => f.name === 'lifecyclestage')!;
    expect(stage).toMatchObject({ type: 'text', nativeType: 'enumeration/radio' });
    expect(stage.options?.slice(0, 2)).toEqual([
      { value: 'subscriber', label: 'Subscriber' },
      { value: 'lead', label: 'Lead' },
    ]);
    expect(contacts.fields.find((f) => f.name === 'annualrevenue')!.type).toBe('currency');
    expect(contacts.fields.find((f) => f.name === 'hs_email_optout')!.type).toBe('boolean');
    expect(contacts.fields.find((f) => f.name === 'date_of_birth')!.type).toBe('date');
    expect(objects.find((o) => o.name === 'p4201337_cars')!.fields.find((f) => f.name === 'colour')!.options).toEqual([
      { value: 'red', label: 'Red' },
      { value: 'blue', label: 'Blue' },
    ]);
  });

  it('reads past the search API 10,000-result limit with no record lost or read twice, in 200-record pages', async () => {
    hs.requests.length = 0;
    const ids = new Set<string>();
    let rows = 0;
    for await (const b of session.read('contacts', { batchSize: 5000 })) {
      rows += b.rows.length;
      for (const r of b.rows) ids.add(String(r.hs_object_id));
    }
    expect(rows).toBe(10_450);
    expect(ids.size).toBe(10_450);
    const searches = hs.requests.filter((r) => r.path.endsWith('/search'));
    expect(searches.every((r) => (r.body as { limit: number }).limit === 200 && r.authorization === `Bearer ${hs.token}`)).toBe(true);
    // A second query started from the last id read, with GTE, once the first reached 10,000.
    expect(searches.some((r) => JSON.stringify(r.body).includes('"operator":"GTE"'))).toBe(true);
    expect(hs.violations).toEqual([]);
  });

  it('reads incrementally by lastmodifieddate, ties at the 10,000 boundary included, and resumes from a batch cursor', async () => {
    const after = '2026-01-01T00:00:09.000Z'; // records 0..29 hold earlier or equal times (3 per second)
    const batches = await collect(session, 'contacts', { batchSize: 4001, incremental: { field: 'lastmodifieddate', after } });
    const all = batches.flatMap((b) => b.rows);
    expect(all.length).toBe(10_450 - 30);
    expect(new Set(all.map((r) => r.hs_object_id)).size).toBe(all.length);
    expect(all.every((r) => String(r.lastmodifieddate) > after)).toBe(true);
    const resumed = (await collect(session, 'contacts', { batchSize: 4001, incremental: { field: 'lastmodifieddate', after }, cursor: batches[0]!.cursor })).flatMap((b) => b.rows);
    expect([...batches[0]!.rows, ...resumed].map((r) => r.hs_object_id)).toEqual(all.map((r) => r.hs_object_id));
  });

  it('keeps numbers past 2^53 exact and types every value', async () => {
    const [first] = await collect(session, 'contacts', { batchSize: 12 });
    const row = first!.rows[0]!;
    expect(row.annualrevenue).toBe('123456789012345678901');
    expect(row.hs_email_optout).toBe(true);
    expect(row.date_of_birth).toBe('1950-01-10');
    expect(row.lastmodifieddate).toBe('2026-01-01T00:00:00.000Z');
    expect(first!.rows[1]!.annualrevenue).toBe(1000.5);
    expect(first!.rows[7]!.phone).toBeNull();
  });

  it('waits out 429s (Retry-After) and 5xx answers and then reads on', async () => {
    hs.faults.push(
      { status: 429, body: { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', policyName: 'SECONDLY' }, headers: { 'Retry-After': '0' } },
      { status: 429, body: { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', policyName: 'SECONDLY' }, headers: { 'Retry-After': '0' } },
      { status: 502, body: { status: 'error', message: 'Bad gateway' } },
    );
    const [b] = await collect(session, 'contacts', { batchSize: 10 }).then((x) => x.slice(0, 1));
    expect(b!.rows).toHaveLength(10);
    expect(hs.faults).toEqual([]);
  });

  it('turns a rate limit that does not end into a retriable unreachable error', async () => {
    const limited = await new HubSpotServer({ ratePerWindow: 1, rateWindowMs: 60_000, retryAfterSeconds: 600 }).start();
    try {
      const s = await open(limited);
      await expect(collect(s, 'contacts', { batchSize: 10 })).rejects.toMatchObject({ code: 'unreachable', message: expect.stringMatching(/too many requests/) });
    } finally {
      await limited.stop();
    }
  });

  it('writes in batches of 100 by a unique property: created, updated, unchanged, and per-record errors as rejected', async () => {
    hs.requests.length = 0;
    const rows: Row[] = Array.from({ length: 250 }, (_, k) => ({ external_id: `ext-${k}`, name: `Co ${k}`, numberofemployees: k, industry: 'RETAIL', annualrevenue: '98765432109876543210.5' }));
    rows[7] = { ...rows[7], industry: 'NOT_AN_INDUSTRY' };
    rows[8] = { ...rows[8], numberofemployees: 'many' };
    const fields = [{ name: 'external_id', type: 'text' as const }];
    const first = await session.write('companies', rows, { mode: 'upsert', key: ['external_id'], fields });
    expect(first.filter((r) => r.outcome === 'created')).toHaveLength(248);
    expect(first[7]).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/NOT_AN_INDUSTRY was not one of the allowed options/) });
    expect(first[8]).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/"many" is not a valid number/) });
    const writes = hs.requests.filter((r) => /batch\/(create|update|upsert)$/.test(r.path));
    expect(writes.map((r) => (r.body as { inputs: unknown[] }).inputs.length)).toEqual([100, 100, 50]);
    const again = await session.write('companies', [{ ...rows[0]!, name: 'Renamed' }, rows[1]!, rows[7]!], { mode: 'upsert', key: ['external_id'], fields });
    expect(again.map((r) => r.outcome)).toEqual(['updated', 'unchanged', 'rejected']);
    const stored = hs.records('companies').find((r) => r.external_id === 'ext-0')!;
    expect(stored).toMatchObject({ name: 'Renamed', annualrevenue: '98765432109876543210.5' });
    expect(hs.violations).toEqual([]);
  });

  it('keeps hostile property names (__proto__, constructor) as plain data', async () => {
    const object = hs.defineObject('hostile', [
      { name: 'key', type: 'string', unique: true },
      { name: '__proto__', type: 'string' },
      { name: 'constructor', type: 'number' },
    ]);
    const results = await session.write(object, [{ key: 'a', ['__proto__']: 'polluted?', constructor: '900719925474099312345' } as Row], { mode: 'upsert', key: ['key'], fields: [] });
    expect(results).toEqual([{ outcome: 'created' }]);
    const [row] = (await collect(session, object, { batchSize: 10 }))[0]!.rows;
    expect(Object.getOwnPropertyNames(row)).toEqual(expect.arrayContaining(['__proto__', 'constructor']));
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe('polluted?');
    expect(row!.constructor).toBe('900719925474099312345');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('lists owners for member alignment, page by page', async () => {
    const owners = [];
    for await (const m of session.listMembers!(session)) owners.push(m);
    expect(owners).toHaveLength(12);
    expect(owners[0]).toEqual({ id: '60001', email: 'owner1@example.com', name: 'Owner Number 1' });
  });

  it('says which object is missing and which property a write names that HubSpot lacks', async () => {
    await expect(collect(session, 'tickets_nope', { batchSize: 10 })).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/tickets_nope/) });
    await expect(session.write('contacts', [{ email: 'x@example.com', favourite_colour: 'red' }], { mode: 'upsert', key: ['email'], fields: [] })).rejects.toMatchObject({ code: 'invalid_config', message: expect.stringMatching(/favourite_colour/) });
    await expect(session.write('contacts', [{ firstname: 'x' }], { mode: 'upsert', key: ['firstname'], fields: [] })).rejects.toMatchObject({ message: expect.stringMatching(/unique values \(email\)/) });
  });
});
