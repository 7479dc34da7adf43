// The REST connector against a local JSON API (test/support/rest-api-server.ts): the shared contract suite, then each
// pagination style, 429/Retry-After and 5xx backoff, OAuth tokens renewed before expiry and on a 401 (rotated refresh
// tokens saved), per-record 4xx, exact big numbers, the address guard, a slow consumer, and "Send a test request".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddressGuard } from '../../net';
import { startRestApiServer, RawNumber, type RestApiServer } from '../../../test/support/rest-api-server';
import { runContractSuite, type ContractFixture } from '../contract-suite';
import { ConnectorError, type ReadBatch } from '../types';
import { createAuth } from './auth';
import { openRestSession, restConnector, linkNext, joinUrl, type TestRequestResult } from './index';
import { RestConfig, RestEndpoint, type RestSecrets } from './manifest';

let api: RestApiServer;
const TOKEN = 'test-token-0123456789';
const CONTRACT_OBJECTS = ['contract_items', 'contract_nokey', 'contract_empty', 'contract_crash', 'contract_upsert', 'contract_reject', 'contract_unicode', 'contract_nulls', 'contract_wide'];

const endpoint = (name: string, extra: Partial<RestEndpoint> = {}): RestEndpoint =>
  RestEndpoint.parse({
    name,
    path: `/collections/${name}/records`,
    recordsPath: 'data.items',
    primaryKey: name === 'contract_nokey' ? '' : 'id',
    pagination: 'cursor',
    pageParam: 'cursor',
    sizeParam: 'limit',
    pageSize: 7,
    cursorPath: 'meta.next_cursor',
    writeMethod: 'PUT',
    writePath: `/collections/${name}/records/{id}`,
    createdStatuses: '201',
    updatedStatuses: '200',
    unchangedStatuses: '204',
    ...extra,
  });

const configFor = (objects: RestEndpoint[], extra: Partial<RestConfig> = {}): RestConfig => RestConfig.parse({ baseUrl: `${api.url}/v1`, authType: 'bearer', allowPrivateNetwork: true, objects, ...extra });

const fixture = (): ContractFixture => ({
  async createObject(name, columns, key, rows) {
    api.collections.set(name, { columns: columns.map((c) => ({ name: c.name, notNull: c.notNull, maxLength: c.maxLength })), key: key[0] ?? null, rows: rows.map((r) => ({ ...r })) });
    return name;
  },
  async dropObject(name) {
    api.collections.delete(name);
  },
  // JSON has one number type: a currency column is discovered as a number.
  discoveredAs: { currency: 'number' },
  // The API's schema is its own business: discovery sees values, so only the key field is known to be present.
  constraints: false,
  rejectedRows: [
    { row: { id: 11, name: null, amount: 1, price: 1, born: null, seen_at: null, active: true, note: null }, reason: /400: .*name must not be null/ },
    { row: { id: 12, name: 'x'.repeat(21), amount: 1, price: 1, born: null, seen_at: null, active: true, note: null }, reason: /400: .*too long/ },
  ],
});

runContractSuite<RestConfig, RestSecrets>({
  name: 'rest',
  connector: restConnector,
  async setup() {
    api = await startRestApiServer();
    const config = configFor(CONTRACT_OBJECTS.map((n) => endpoint(n)));
    return {
      config,
      secrets: { token: TOKEN },
      fixture: fixture(),
      wrongPassword: { config, secrets: { token: 'wrong-token-9876543210' } },
      unreachable: { config: { ...config, baseUrl: 'http://127.0.0.1:1/v1' }, secrets: { token: TOKEN } },
      missingDatabase: { skip: 'a REST API has no database; a missing endpoint is the read case "reports a missing object as not_found"' },
    };
  },
  async teardown() {
    await api.close();
  },
});

describe('rest connector', () => {
  let server: RestApiServer;
  const rows = Array.from({ length: 23 }, (_, k) => ({ id: k + 1, name: `r${k + 1}` }));
  const waits: number[] = [];
  const sleep = async (ms: number) => void waits.push(ms);
  const open = (objects: RestEndpoint[], extra: Partial<RestConfig> = {}, secrets: RestSecrets = { token: TOKEN }) =>
    openRestSession(RestConfig.parse({ baseUrl: `${server.url}/v1`, authType: 'bearer', allowPrivateNetwork: true, objects, ...extra }), secrets, { sleep });
  const readAll = async (s: ReturnType<typeof open>, name: string, batchSize = 10) => {
    const out: ReadBatch[] = [];
    for await (const b of s.read(name, { batchSize })) out.push(b);
    return out;
  };
  const ep = (extra: Partial<RestEndpoint>) => endpoint('people', extra);

  beforeAll(async () => {
    server = await startRestApiServer();
    server.collections.set('people', { columns: [{ name: 'id' }, { name: 'name', notNull: true }], key: 'id', rows });
  });
  afterAll(() => server.close());

  it('reads every pagination style to the end, asking for the pages the way each style says', async () => {
    const styles: [string, Partial<RestEndpoint>, (q: Record<string, string>) => boolean][] = [
      ['page', { pagination: 'page', pageParam: 'page', sizeParam: 'per_page', pageSize: 5 }, (q) => q.page === '5' && q.per_page === '5'],
      ['offset', { pagination: 'offset', pageParam: 'offset', sizeParam: 'limit', pageSize: 5 }, (q) => q.offset === '20' && q.limit === '5'],
      ['cursor', { pageSize: 5 }, (q) => typeof q.cursor === 'string' && q.limit === '5'],
      ['link-header', { pagination: 'link-header', sizeParam: 'limit', pageSize: 5 }, (q) => q.after === '20'],
      ['next-url', { pagination: 'next-url', nextUrlPath: 'links.next', sizeParam: 'limit', pageSize: 5 }, (q) => q.after === '20'],
    ];
    for (const [style, extra, lastPage] of styles) {
      const s = open([ep(extra)]);
      server.log.length = 0;
      const batches = await readAll(s, 'people', 10);
      expect([style, batches.map((b) => b.rows.length)]).toEqual([style, [10, 10, 3]]);
      expect(batches.flatMap((b) => b.rows.map((r) => r.id))).toEqual(rows.map((r) => r.id));
      expect([style, server.log.length]).toEqual([style, 5]);
      expect([style, lastPage(server.log.at(-1)!.query)]).toEqual([style, true]);
      await s.close();
    }
  });

  it('waits as 429 Retry-After says and backs off on 5xx, then reads on', async () => {
    let n = 0;
    server.fault = (_req, res, url) => {
      if (!url.pathname.endsWith('/records')) return false;
      n++;
      if (n === 2) {
        res.writeHead(429, { 'retry-after': '3', 'content-type': 'application/json' });
        res.end('{"error":"rate limited"}');
        return true;
      }
      if (n === 4 || n === 5) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"error":"busy"}');
        return true;
      }
      return false;
    };
    waits.length = 0;
    const s = open([ep({ pageSize: 5 })]);
    const batches = await readAll(s, 'people', 5);
    server.fault = null;
    expect(batches.flatMap((b) => b.rows.map((r) => r.id))).toEqual(rows.map((r) => r.id));
    expect(waits[0]).toBe(3000);
    expect(waits.length).toBe(3);
    expect(waits[2]!).toBeGreaterThan(waits[1]!);
    await s.close();
  });

  it('fails the read with a clear message on 401, and turns a write 4xx into a rejected record with the body', async () => {
    const bad = open([ep({})], {}, { token: 'not-the-token-at-all' });
    const e = (await readAll(bad, 'people').catch((x: unknown) => x)) as ConnectorError;
    expect(e).toBeInstanceOf(ConnectorError);
    expect(e.code).toBe('auth');
    expect(e.message).toMatch(/refused the credentials \(401 Unauthorized\).*access token is missing.*authentication settings/);
    await bad.close();
    const s = open([ep({ writePath: '/collections/people/records/{id}' })]);
    const results = await s.write('people', [{ id: 40, name: null }, { id: 41, name: 'ok' }, { id: null, name: 'no id' }], { mode: 'upsert', key: ['id'], fields: [{ name: 'id', type: 'number' }, { name: 'name', type: 'text' }] });
    expect(results[0]).toEqual({ outcome: 'rejected', reason: '400: {"error":"validation","message":"Validation failed: name must not be null"}' });
    expect(results[1]).toEqual({ outcome: 'created' });
    expect(results[2]).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/needs \{id\}/) });
    await s.close();
  });

  it('keeps numbers past 2^53 and leading zeros exact, in discovery, reads and writes', async () => {
    server.collections.set('odd', {
      columns: [{ name: 'id' }, { name: 'zip' }, { name: 'amount' }, { name: '__proto__' }, { name: 'tags' }],
      key: 'id',
      rows: [
        { id: new RawNumber('9007199254740993'), zip: '00501', amount: new RawNumber('12345678901234567890.5'), ['__proto__']: 'p', tags: ['a', 'b'] },
        { id: new RawNumber('9007199254740995'), zip: '02134', amount: 2, ['__proto__']: null, tags: [] },
      ],
    });
    const s = open([endpoint('odd', { writePath: '/collections/odd/records/{id}' })]);
    const [object] = await s.discover();
    expect(object!.fields.map((f) => [f.name, f.type])).toEqual([
      ['id', 'number'],
      ['zip', 'text'],
      ['amount', 'number'],
      ['__proto__', 'text'],
      ['tags', 'text'],
    ]);
    const [batch] = await readAll(s, 'odd');
    expect(batch!.rows[0]!.id).toBe('9007199254740993');
    expect(batch!.rows[0]!.zip).toBe('00501');
    expect(Object.hasOwn(batch!.rows[0]!, '__proto__')).toBe(true);
    expect(batch!.rows[0]!.tags).toBe('["a","b"]');
    server.log.length = 0;
    await s.write('odd', [{ id: '9007199254740997', zip: '00007', amount: '98765432109876543210' }], { mode: 'upsert', key: ['id'], fields: object!.fields });
    expect(server.log[0]!.path).toBe('/v1/collections/odd/records/9007199254740997');
    expect(server.log[0]!.body).toBe('{"id":9007199254740997,"zip":"00007","amount":98765432109876543210}');
    await s.close();
  });

  it('fills a body template from mapped fields', async () => {
    const s = open([ep({ writeMethod: 'POST', writePath: '/collections/people/records', bodyTemplate: '{"id": "{{id}}", "name": "Dr {{name}}", "meta": {"source": "weft"}}' })]);
    server.log.length = 0;
    expect(await s.write('people', [{ id: 77, name: 'Ada' }], { mode: 'upsert', key: ['id'], fields: [{ name: 'id', type: 'number' }, { name: 'name', type: 'text' }] })).toEqual([{ outcome: 'created' }]);
    expect(JSON.parse(server.log[0]!.body)).toEqual({ id: 77, name: 'Dr Ada', meta: { source: 'weft' } });
    await s.close();
  });

  it('holds one page at a time however slow the consumer: a page is only asked for when the batches before it are taken', async () => {
    server.collections.set('many', { columns: [{ name: 'id' }], key: 'id', rows: Array.from({ length: 400 }, (_, k) => ({ id: k + 1 })) });
    const s = open([endpoint('many', { pageSize: 20 })]);
    server.log.length = 0;
    let taken = 0;
    for await (const b of s.read('many', { batchSize: 10 })) {
      taken += b.rows.length;
      await new Promise((r) => setTimeout(r, 2));
      // Never more than the page holding the next rows ahead of what the consumer took.
      expect(server.log.length).toBeLessThanOrEqual(Math.ceil(taken / 20) + 1);
    }
    expect(taken).toBe(400);
    await s.close();
  });

  it('refuses loopback without the connection allowing it, a name resolving to a private address, and next pages on another server', async () => {
    const guarded = openRestSession(RestConfig.parse({ baseUrl: `${server.url}/v1`, authType: 'bearer', objects: [ep({})] }), { token: TOKEN }, { guard: createAddressGuard() });
    await expect(guarded.test()).rejects.toMatchObject({ code: 'permission', message: expect.stringMatching(/loopback.*Allow private network addresses/) });
    const byName = openRestSession(RestConfig.parse({ baseUrl: `http://api.partner.example:${server.port}/v1`, authType: 'bearer', objects: [ep({})] }), { token: TOKEN }, { guard: createAddressGuard({ lookupAll: async () => [{ address: '10.0.0.8', family: 4 }] }) });
    await expect(byName.test()).rejects.toMatchObject({ code: 'permission', message: expect.stringMatching(/"api\.partner\.example" \(10\.0\.0\.8\)/) });
    server.fault = (_req, res, url) => {
      if (!url.pathname.endsWith('/records')) return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data":{"items":[{"id":1}]},"links":{"next":"http://169.254.169.254/latest/meta-data/"}}');
      return true;
    };
    const s = open([ep({ pagination: 'next-url', nextUrlPath: 'links.next' })]);
    await expect(readAll(s, 'people')).rejects.toMatchObject({ code: 'permission', message: expect.stringMatching(/another server \(http:\/\/169\.254\.169\.254\)/) });
    server.fault = null;
    await Promise.all([guarded.close(), byName.close(), s.close()]);
  });

  it('sends a test request: status, headers, pretty body with secrets masked, path candidates and fields', async () => {
    server.fault = (req, res, url) => {
      if (!url.pathname.endsWith('/echo')) return false;
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'session=abc' });
      res.end(JSON.stringify({ seen: req.headers.authorization, results: { rows: [{ id: 1, when: '2026-01-02' }, { id: 2, when: '2026-01-03' }] }, next: 'c2' }));
      return true;
    };
    const s = open([]);
    const r = (await s.sendTestRequest({ endpoint: { path: '/echo', recordsPath: 'results.rows', pagination: 'cursor', cursorPath: 'next' } })) as TestRequestResult;
    server.fault = null;
    expect(r.status).toBe(200);
    expect(r.request).toEqual({ method: 'GET', url: `${server.url}/v1/echo` });
    expect(r.body).not.toContain(TOKEN);
    expect(r.body).toContain('"seen": "Bearer ••••"');
    expect(r.headers).toContainEqual(['set-cookie', '••••']);
    expect(r.candidates[0]).toEqual({ path: 'results.rows', count: 2, records: true });
    expect(r.records).toEqual({ path: 'results.rows', count: 2, fields: [{ name: 'id', type: 'number', nativeType: 'number' }, { name: 'when', type: 'date', nativeType: 'string' }] });
    expect(r.next).toBe('cursor c2');
    await s.close();
  });

  it('masks a secret the API echoes in its next-page address, in a test request too (probe19)', async () => {
    server.fault = (_req, res, url) => {
      if (!url.pathname.endsWith('/echo')) return false;
      res.writeHead(200, { 'content-type': 'application/json', link: `<${server.url}/v1/echo?page=3&token=${TOKEN}>; rel="last"` });
      res.end(JSON.stringify({ rows: [{ id: 1 }], links: { next: `${server.url}/v1/echo?page=2&token=${TOKEN}` } }));
      return true;
    };
    const s = open([]);
    try {
      const r = (await s.sendTestRequest({ endpoint: { path: '/echo', recordsPath: 'rows', pagination: 'next-url', nextUrlPath: 'links.next' } })) as TestRequestResult;
      expect(r.next).toBe(`${server.url}/v1/echo?page=2&token=••••`);
      expect(JSON.stringify(r)).not.toContain(TOKEN);
    } finally {
      server.fault = null;
      await s.close();
    }
  });

  it('reads Link headers and joins paths under the base URL', () => {
    expect(linkNext('<https://a.example/x?page=2>; rel="next", <https://a.example/x?page=9>; rel="last"')).toBe('https://a.example/x?page=2');
    expect(linkNext('<https://a.example/x?page=1>; rel="prev"')).toBeNull();
    expect(joinUrl('https://a.example/v1/', '/items?x=1').href).toBe('https://a.example/v1/items?x=1');
    expect(() => joinUrl('https://a.example/v1', 'https://b.example/items')).toThrow(/whole address/);
  });
});

describe('rest oauth', () => {
  let server: RestApiServer;
  beforeAll(async () => {
    server = await startRestApiServer();
    server.collections.set('people', { columns: [{ name: 'id' }], key: 'id', rows: [{ id: 1 }, { id: 2 }] });
  });
  afterAll(() => server.close());
  const oauthConfig = (authType: RestConfig['authType'], clientAuth: 'basic' | 'body' = 'basic') =>
    RestConfig.parse({ baseUrl: `${server.url}/v1`, authType, tokenUrl: `${server.url}/oauth/token`, clientId: 'weft-client', clientAuth, allowPrivateNetwork: true, objects: [endpoint('people')] });

  it('client credentials: fetches a token, renews it on a 401', async () => {
    for (const clientAuth of ['basic', 'body'] as const) {
      const s = openRestSession(oauthConfig('oauth2-client-credentials', clientAuth), { clientSecret: server.oauth.clientSecret });
      expect(await s.test()).toMatch(/answered 2 records/);
      server.tokens.clear(); // every issued token revoked
      const issued = server.oauth.issued;
      expect(await s.test()).toMatch(/answered 2 records/);
      expect(server.oauth.issued).toBe(issued + 1);
      await s.close();
    }
    const wrong = openRestSession(oauthConfig('oauth2-client-credentials'), { clientSecret: 'nope-nope-nope' });
    await expect(wrong.test()).rejects.toMatchObject({ code: 'auth', message: expect.stringMatching(/token URL refused.*invalid_client/) });
  });

  it('authorization code: refreshes before expiry with the kept refresh token and saves the rotated one', async () => {
    let clock = Date.now();
    const saved: Partial<RestSecrets>[] = [];
    const s = openRestSession(oauthConfig('oauth2-authorization-code'), { clientSecret: server.oauth.clientSecret, refreshToken: server.oauth.refreshToken }, { saveSecrets: async (p) => void saved.push(p) });
    expect(await s.test()).toMatch(/answered 2 records/);
    expect(saved).toHaveLength(1);
    expect(saved[0]!.refreshToken).toBe(server.oauth.refreshToken);
    expect(saved[0]!.accessToken).toMatch(/^access-/);
    await s.close();
    // The auth alone with a clock: a token kept from before is used while it is fresh, renewed within a minute of expiry.
    server.oauth.ttlSeconds = 600;
    const { createHttpClient } = await import('../../net');
    const http = createHttpClient({ guard: createAddressGuard({ allowPrivate: true }) });
    const auth = createAuth({
      config: oauthConfig('oauth2-authorization-code'),
      secrets: { clientSecret: server.oauth.clientSecret, refreshToken: server.oauth.refreshToken, accessToken: 'kept-token', accessTokenExpiresAt: new Date(clock + 300_000).toISOString() },
      client: () => http,
      saveSecrets: async (p) => void saved.push(p),
      now: () => clock,
    });
    const headers: Record<string, string> = {};
    await auth.apply({ url: new URL(server.url), headers });
    expect(headers.authorization).toBe('Bearer kept-token');
    clock += 250_000; // 50 s before expiry: inside the margin
    await auth.apply({ url: new URL(server.url), headers });
    expect(headers.authorization).toMatch(/^Bearer access-/);
    expect(saved.at(-1)!.refreshToken).toBe(server.oauth.refreshToken);
    // A revoked refresh token: a sentence saying to authorize again.
    server.oauth.refreshToken = 'something-else';
    await expect(auth.refresh!()).rejects.toThrow(/invalid_grant.*authorize the connection again/);
    await http.close();
  });
});
