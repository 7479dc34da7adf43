// The contract suite against the Salesforce connector on the local Salesforce server (test/support/saas), and what
// only Salesforce has: both OAuth flows, a session that expires mid-run (401 INVALID_SESSION_ID -> sign in again),
// nextRecordsUrl paging, SystemModstamp incremental reads within one second, per-record collection errors, picklists,
// users, hostile field names and numbers past 2^53, with the requests Weft sends checked by the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractView } from '../../../test/support/saas/contract-view';
import { closedPort } from '../../../test/support/saas/free-port';
import { SalesforceServer, sfField, type SfType } from '../../../test/support/saas/salesforce-server';
import { itemRow, runContractSuite } from '../contract-suite';
import { saasHttpDefaults } from '../saas/http';
import type { ConnectorSession, ReadBatch, Row } from '../types';
import { salesforceConnector, soqlLiteral, type SalesforceConfig, type SalesforceSecrets } from './index';

// The local server listens on 127.0.0.1, which the outbound-address guard refuses unless told; backoff shortened.
process.env.WEFT_ALLOW_PRIVATE_HOSTS = 'true';
saasHttpDefaults.backoffMs = 20;

const SYSTEM = ['Id', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp'];
const TYPES: Record<string, SfType> = { text: 'string', number: 'double', currency: 'currency', date: 'date', datetime: 'datetime', boolean: 'boolean' };

let server: SalesforceServer;
const keys = new Map<string, string[]>();
const config = (s: SalesforceServer, extra: Partial<SalesforceConfig> = {}): SalesforceConfig => ({ loginUrl: s.url, flow: 'client_credentials', clientId: s.clientId, username: '', apiVersion: s.version, maxConcurrency: 4, ...extra });
const secrets = (s: SalesforceServer, extra: Partial<SalesforceSecrets> = {}): SalesforceSecrets => ({ clientSecret: s.clientSecret, password: '', securityToken: '', ...extra });

runContractSuite<SalesforceConfig, SalesforceSecrets>({
  name: 'salesforce',
  // Custom fields carry Salesforce's __c suffix; the view adds and strips it around the connector under test.
  connector: contractView(salesforceConnector, { systemFields: SYSTEM, toSystem: (n) => `${n}__c`, fromSystem: (n) => n.replace(/__c$/, ''), keyOf: (o) => keys.get(o) ?? ['Id'] }),
  async setup() {
    server = await new SalesforceServer().start();
    return {
      config: config(server),
      secrets: secrets(server),
      wrongPassword: { config: config(server), secrets: secrets(server, { clientSecret: 'not-the-client-secret' }) },
      unreachable: { config: { ...config(server), loginUrl: `http://127.0.0.1:${await closedPort()}` }, secrets: secrets(server) },
      missingDatabase: { skip: 'Salesforce has no databases: the credentials choose the org' },
      fixture: {
        neverNull: ['boolean'],
        readBack: (value, type) => (type === 'boolean' && value === null ? false : value),
        rejectedRows: [
          { row: { ...itemRow(11), name: null }, reason: /REQUIRED_FIELD_MISSING/ },
          { row: { ...itemRow(12), name: 'x'.repeat(21) }, reason: /STRING_TOO_LONG.*max length=20/ },
        ],
        createObject(name, columns, key, rows) {
          const object = `${name}__c`;
          server.define(
            object,
            name,
            true,
            columns.map((c) =>
              sfField(`${c.name}__c`, c.integer ? 'int' : TYPES[c.type]!, {
                nillable: !c.notNull && c.type !== 'boolean',
                ...(c.maxLength && { length: c.maxLength }),
                ...(key.includes(c.name) && { externalId: true, unique: true }),
              }),
            ),
          );
          keys.set(object, key);
          server.insert(object, rows.map((r) => Object.fromEntries(columns.map((c) => [`${c.name}__c`, c.type === 'boolean' ? (r[c.name] ?? false) : (r[c.name] as string | number | null)]))) as Record<string, string | number | boolean | null>[]);
          return Promise.resolve(object);
        },
        dropObject(name) {
          server.drop(name);
          return Promise.resolve();
        },
      },
    };
  },
  async teardown() {
    expect(server.violations, 'requests that break Salesforce documented limits').toEqual([]);
    await server.stop();
  },
});

async function collect(session: ConnectorSession, object: string, options: Parameters<ConnectorSession['read']>[1]): Promise<ReadBatch[]> {
  const out: ReadBatch[] = [];
  for await (const b of session.read(object, options)) out.push(b);
  return out;
}

describe('salesforce connector on the local server', () => {
  let sf: SalesforceServer;
  let session: ConnectorSession;

  beforeAll(async () => {
    sf = await new SalesforceServer().start();
    // 4,500 accounts, 3 to a millisecond stamp, 1,000 to a second.
    const base = Date.parse('2026-03-01T00:00:00.000Z');
    sf.insert(
      'Account',
      Array.from({ length: 4500 }, (_, k) => ({ Name: `Account ${k}`, Industry: ['Banking', 'Technology', 'Retail'][k % 3]!, AnnualRevenue: k % 10 === 0 ? '123456789012345678' : `${k}.25`, NumberOfEmployees: k, External_Id__c: `acc-${k}` })),
      (k) => new Date(base + Math.floor(k / 3)).toISOString().replace('Z', '+0000'),
    );
    session = await salesforceConnector.open(config(sf), secrets(sf));
  });
  afterAll(async () => {
    await session.close();
    await sf.stop();
  });

  it('discovers objects with types, picklist values and external id fields', async () => {
    const objects = await session.discover();
    const account = objects.find((o) => o.name === 'Account')!;
    expect(account.primaryKey).toEqual(['Id']);
    expect(account.cursorFields[0]).toBe('SystemModstamp');
    expect(account.fields.find((f) => f.name === 'AnnualRevenue')).toMatchObject({ type: 'currency', nativeType: 'currency' });
    expect(account.fields.find((f) => f.name === 'NumberOfEmployees')!.type).toBe('number');
    expect(account.fields.find((f) => f.name === 'Rating')!.options).toEqual([
      { value: 'Hot', label: 'Hot' },
      { value: 'Warm', label: 'Warm' },
      { value: 'Cold', label: 'Cold' },
    ]);
    expect(account.fields.find((f) => f.name === 'Name')!.nullable).toBe(false);
  });

  it('reads every record through nextRecordsUrl pages, numbers past 2^53 exact', async () => {
    sf.requests.length = 0;
    const batches = await collect(session, 'Account', { batchSize: 5000 });
    const rows = batches.flatMap((b) => b.rows);
    expect(rows).toHaveLength(4500);
    expect(new Set(rows.map((r) => r.Id)).size).toBe(4500);
    expect(rows[0]!.AnnualRevenue).toBe('123456789012345678');
    expect(rows[1]!.AnnualRevenue).toBe(1.25);
    expect(rows[0]!.SystemModstamp).toBe('2026-03-01T00:00:00.000Z');
    const queries = sf.requests.filter((r) => r.path.includes('/query'));
    expect(queries).toHaveLength(3); // 2,000 + 2,000 + 500
    expect(queries.every((q) => q.queryOptions === 'batchSize=2000' && /^Bearer 00Dlocal!/.test(q.authorization ?? ''))).toBe(true);
  });

  it('reads incrementally by SystemModstamp with milliseconds inside one second, and resumes from a checkpoint', async () => {
    const after = '2026-03-01T00:00:00.400Z'; // records 0..1202 hold stamps up to .400 (3 per ms)
    const all = (await collect(session, 'Account', { batchSize: 700, incremental: { field: 'SystemModstamp', after } })).flatMap((b) => b.rows);
    expect(all).toHaveLength(4500 - 1203);
    expect(all.every((r) => String(r.SystemModstamp) > after)).toBe(true);
    const batches = await collect(session, 'Account', { batchSize: 700, incremental: { field: 'SystemModstamp', after } });
    // Resume from a checkpoint that falls between records of the same millisecond.
    const resumed = (await collect(session, 'Account', { batchSize: 700, incremental: { field: 'SystemModstamp', after }, cursor: batches[1]!.cursor })).flatMap((b) => b.rows);
    expect([...batches[0]!.rows, ...batches[1]!.rows, ...resumed].map((r) => r.Id)).toEqual(all.map((r) => r.Id));
  });

  it('signs in again when the session expires (401 INVALID_SESSION_ID) and carries on', async () => {
    const before = sf.issued.length;
    sf.expireTokens();
    const [first] = await collect(session, 'Account', { batchSize: 10 }).then((b) => b.slice(0, 1));
    expect(first!.rows).toHaveLength(10);
    expect(sf.issued.length).toBe(before + 1);
  });

  it('waits out 503s and 429s, then reads on', async () => {
    sf.faults.push({ status: 503, body: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'down for a moment' }] }, { status: 429, body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'slow down' }], headers: { 'Retry-After': '0' } });
    const rows = (await collect(session, 'User', { batchSize: 100 })).flatMap((b) => b.rows);
    expect(rows).toHaveLength(7);
    expect(sf.faults).toEqual([]);
  });

  it('upserts by an external id in calls of 200: created, updated, unchanged, and per-record errors as rejected', async () => {
    sf.requests.length = 0;
    const rows: Row[] = Array.from({ length: 450 }, (_, k) => ({ External_Id__c: `new-${k}`, Name: `New ${k}`, Rating: 'Hot', AnnualRevenue: k === 0 ? '987654321098765432' : k + 0.5 }));
    rows[3] = { ...rows[3], Rating: 'Lukewarm' };
    rows[4] = { ...rows[4], Name: null };
    rows[5] = { ...rows[5], AnnualRevenue: 'lots' };
    const results = await session.write('Account', rows, { mode: 'upsert', key: ['External_Id__c'], fields: [] });
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(447);
    expect(results[3]).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST.*Lukewarm/) });
    expect(results[4]).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/REQUIRED_FIELD_MISSING.*Name/) });
    expect(results[5]).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/lots/) });
    const upserts = sf.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/composite/sobjects/Account/External_Id__c'));
    expect(upserts.map((r) => (r.body as { records: unknown[] }).records.length)).toEqual([200, 200, 50]);
    expect(upserts.every((r) => (r.body as { allOrNone: boolean }).allOrNone === false)).toBe(true);
    expect(sf.records('Account').find((r) => r.External_Id__c === 'new-0')!.AnnualRevenue).toBe('987654321098765432');
    const again = await session.write('Account', [{ ...rows[0]!, Name: 'Renamed' }, rows[1]!, rows[4]!], { mode: 'upsert', key: ['External_Id__c'], fields: [] });
    expect(again.map((r) => r.outcome)).toEqual(['updated', 'unchanged', 'rejected']);
    expect(sf.violations).toEqual([]);
  });

  it('quotes hostile text in SOQL and keeps __proto__ and constructor fields as plain data', async () => {
    expect(soqlLiteral("it's \\ here\n", 'string')).toBe("'it\\'s \\\\ here\\n'");
    const object = sf.define('Hostile__c', 'Hostile', true, [sfField('Key__c', 'string', { externalId: true, unique: true }), sfField('__proto__', 'string'), sfField('constructor', 'double', { scale: 0 })]);
    const key = "o'brien\\";
    expect(await session.write(object, [{ Key__c: key, ['__proto__']: 'polluted?', constructor: '900719925474099312' } as Row], { mode: 'upsert', key: ['Key__c'], fields: [] })).toEqual([{ outcome: 'created' }]);
    expect(await session.write(object, [{ Key__c: key, ['__proto__']: 'polluted?', constructor: '900719925474099312' } as Row], { mode: 'upsert', key: ['Key__c'], fields: [] })).toEqual([{ outcome: 'unchanged' }]);
    const [row] = (await collect(session, object, { batchSize: 10 }))[0]!.rows;
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe('polluted?');
    expect(row!.constructor).toBe('900719925474099312');
    expect(row!.Key__c).toBe(key);
  });

  it('lists active users for member alignment', async () => {
    const users = [];
    for await (const u of session.listMembers!(session)) users.push(u);
    expect(users).toHaveLength(6);
    expect(users[0]).toEqual({ id: expect.stringMatching(/^005/), email: 'user1@example.com', name: 'User Number 1' });
  });

  it('signs in with the username-password flow, and says so when the org refuses it', async () => {
    const s = await salesforceConnector.open(config(sf, { flow: 'password', username: sf.username }), secrets(sf, { password: sf.password }));
    expect(await s.test()).toMatch(/as integration@example.com/);
    const strict = await new SalesforceServer({ allowPasswordFlow: false }).start();
    try {
      const refused = await salesforceConnector.open(config(strict, { flow: 'password', username: strict.username }), secrets(strict, { password: strict.password }));
      await expect(refused.test()).rejects.toMatchObject({ code: 'auth', message: expect.stringMatching(/allows the username-password flow/) });
    } finally {
      await strict.stop();
    }
  });

  it('says which object or field is missing', async () => {
    await expect(collect(session, 'Nope__c', { batchSize: 10 })).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/Nope__c/) });
    await expect(session.write('Account', [{ Name: 'x', Colour__c: 'red' }], { mode: 'upsert', key: ['External_Id__c'], fields: [] })).rejects.toMatchObject({ code: 'invalid_config', message: expect.stringMatching(/Colour__c/) });
    await expect(session.write('Account', [{ Name: 'x' }], { mode: 'upsert', key: ['Name'], fields: [] })).rejects.toMatchObject({ message: expect.stringMatching(/External_Id__c/) });
  });
});
