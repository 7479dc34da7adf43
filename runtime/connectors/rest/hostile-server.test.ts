// The REST connector against an API that misbehaves the way a broken or hostile endpoint can: next links and cursors
// that go round in a circle (back to page 1), a page parameter the API ignores (page 1 for ever), next links and
// redirects towards the cloud metadata address, bodies nested without end or holding millions of values, HTML with a
// 200, and Retry-After values that are garbage, in the past or a week away.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../net';
import { startRestApiServer, type RestApiServer } from '../../../test/support/rest-api-server';
import type { ReadBatch } from '../types';
import { openRestSession } from './index';
import { RestConfig, RestEndpoint } from './manifest';

let api: RestApiServer;
const waits: number[] = [];
const sleep = async (ms: number) => void waits.push(ms);
const endpoint = (extra: Partial<RestEndpoint>) => RestEndpoint.parse({ name: 'items', path: '/items', recordsPath: 'data', primaryKey: 'id', ...extra });
const open = (ep: RestEndpoint) => openRestSession(RestConfig.parse({ baseUrl: `${api.url}/v1`, authType: 'bearer', allowPrivateNetwork: true, objects: [ep] }), { token: 'test-token-0123456789' }, { sleep });
const reply = (res: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
  return true;
};

async function readAll(ep: RestEndpoint): Promise<ReadBatch[]> {
  const s = open(ep);
  try {
    const out: ReadBatch[] = [];
    for await (const b of s.read('items', { batchSize: 100 })) out.push(b);
    return out;
  } finally {
    await s.close();
  }
}
const ids = (batches: ReadBatch[]) => batches.flatMap((b) => b.rows.map((r) => r.id));
const pageRequests = () => api.log.filter((l) => l.path === '/v1/items').length;

beforeAll(async () => {
  api = await startRestApiServer();
});
afterAll(() => api.close());
beforeEach(() => {
  api.fault = null;
  api.log.length = 0;
  waits.length = 0;
});

describe('rest connector against a misbehaving API', () => {
  it('ends the read when a next link leads back to page 1, each record read once', async () => {
    // Page 1 (no after) -> page 2 -> a next link to page 1's own address -> …
    api.fault = (_req, res, url) => {
      if (url.pathname !== '/v1/items') return false;
      const second = url.searchParams.get('after') === '2';
      return reply(res, { data: second ? [{ id: 3 }, { id: 4 }] : [{ id: 1 }, { id: 2 }], next: second ? `${api.url}/v1/items?limit=2` : `${api.url}/v1/items?after=2` });
    };
    const batches = await readAll(endpoint({ pagination: 'next-url', nextUrlPath: 'next', sizeParam: 'limit', pageSize: 2 }));
    expect(ids(batches)).toEqual([1, 2, 3, 4]);
    expect(pageRequests()).toBe(2);
  });

  it('ends the read when cursors go round in a circle (a, b, c, a, …)', async () => {
    const ring = ['a', 'b', 'c'];
    api.fault = (_req, res, url) => {
      if (url.pathname !== '/v1/items') return false;
      const at = ring.indexOf(url.searchParams.get('cursor') ?? '') + 1;
      return reply(res, { data: [{ id: at * 10 }, { id: at * 10 + 1 }], meta: { next: ring[at % 3] } });
    };
    const batches = await readAll(endpoint({ pagination: 'cursor', pageParam: 'cursor', cursorPath: 'meta.next', sizeParam: 'limit', pageSize: 2 }));
    expect(ids(batches)).toEqual([0, 1, 10, 11, 20, 21, 30, 31]);
    expect(pageRequests()).toBe(4);
  });

  it('fails, before reading them twice, when the API ignores the page parameter and answers page 1 for ever', async () => {
    api.fault = (_req, res, url) => (url.pathname === '/v1/items' ? reply(res, { data: [{ id: 1 }, { id: 2 }] }) : false);
    for (const ep of [endpoint({ pagination: 'page', pageParam: 'pg', sizeParam: 'per_page', pageSize: 2 }), endpoint({ pagination: 'offset', pageParam: 'skip' }), endpoint({ pagination: 'cursor', pageParam: 'cursor', cursorPath: 'data[1].id', sizeParam: 'limit', pageSize: 2 })]) {
      api.log.length = 0;
      await expect(readAll(ep), ep.pagination).rejects.toMatchObject({ code: 'invalid_config', message: expect.stringMatching(/same 2 records for page 2 as for page 1: the API seems to ignore/) });
      expect(pageRequests(), ep.pagination).toBe(2);
    }
  });

  it('ends the read, each record once, when the API answers its last full page again for any page past the end (rig15)', async () => {
    // Six records, two a page; a page past the third is the third again (the API clamps the page number or offset).
    const all = [1, 2, 3, 4, 5, 6].map((id) => ({ id }));
    api.fault = (_req, res, url) => {
      if (url.pathname !== '/v1/items') return false;
      const q = url.searchParams;
      const start = q.has('skip') ? Number(q.get('skip')) : (Number(q.get('pg') ?? q.get('at') ?? '1') - 1) * 2;
      const from = Math.min(start, all.length - 2);
      return reply(res, { data: all.slice(from, from + 2), next: `${api.url}/v1/items?at=${from / 2 + 2}&limit=2` });
    };
    for (const ep of [
      endpoint({ pagination: 'page', pageParam: 'pg', sizeParam: 'per_page', pageSize: 2 }),
      endpoint({ pagination: 'offset', pageParam: 'skip', sizeParam: 'limit', pageSize: 2 }),
      endpoint({ pagination: 'next-url', nextUrlPath: 'next', sizeParam: 'limit', pageSize: 2 }),
    ]) {
      api.log.length = 0;
      const batches = await readAll(ep);
      expect(ids(batches), ep.pagination).toEqual([1, 2, 3, 4, 5, 6]);
      expect(batches.at(-1)!.cursor, ep.pagination).toEqual({ page: null, skip: 0 });
      // Page 4 repeats page 3: the page after it is asked for, repeats it too, and the read ends there (a next link
      // back to page 4's own address ends it at page 4).
      expect(pageRequests(), ep.pagination).toBe(ep.pagination === 'next-url' ? 4 : 5);
    }
  });

  it('reads every record when two pages in a row legitimately hold the same records (review15a)', async () => {
    // Log lines without ids, one a page: "ok", "ok", "fail", "ok". Page 2 holds page 1's records, yet the API moved
    // on: ending the read there (as rig15 did once page 1 had differed from page 0) lost "fail" and the last "ok".
    const lines = [{ level: 'start' }, { level: 'ok' }, { level: 'ok' }, { level: 'fail' }, { level: 'ok' }];
    api.fault = (_req, res, url) => {
      if (url.pathname !== '/v1/items') return false;
      const q = url.searchParams;
      const at = q.has('skip') ? Number(q.get('skip')) : q.has('pg') ? Number(q.get('pg')) - 1 : Number(q.get('c') ?? '0');
      const data = lines.slice(at, at + 1);
      return reply(res, { data, next: at + 1 < lines.length ? `${api.url}/v1/items?c=${at + 1}&limit=1` : null, cursor: at + 1 < lines.length ? String(at + 1) : null });
    };
    for (const ep of [
      endpoint({ pagination: 'page', pageParam: 'pg', sizeParam: 'per_page', pageSize: 1, primaryKey: '' }),
      endpoint({ pagination: 'offset', pageParam: 'skip', sizeParam: 'limit', pageSize: 1, primaryKey: '' }),
      endpoint({ pagination: 'next-url', nextUrlPath: 'next', sizeParam: 'limit', pageSize: 1, primaryKey: '' }),
      endpoint({ pagination: 'cursor', pageParam: 'c', cursorPath: 'cursor', sizeParam: 'limit', pageSize: 1, primaryKey: '' }),
    ]) {
      api.log.length = 0;
      const batches = await readAll(ep);
      expect(batches.flatMap((b) => b.rows.map((r) => r.level)), ep.pagination).toEqual(['start', 'ok', 'ok', 'fail', 'ok']);
    }
  });

  it('refuses a next link or a redirect to the cloud metadata address, even with private addresses allowed', async () => {
    api.fault = (_req, res, url) => (url.pathname === '/v1/items' ? reply(res, { data: [{ id: 1 }], next: 'http://169.254.169.254/latest/meta-data/' }) : false);
    await expect(readAll(endpoint({ pagination: 'next-url', nextUrlPath: 'next' }))).rejects.toMatchObject({ code: 'permission', message: expect.stringMatching(/another server/) });
    api.fault = (_req, res, url) => (url.pathname === '/v1/items' ? reply(res, '', 302, { location: 'http://169.254.169.254/latest/meta-data/iam' }) : false);
    await expect(readAll(endpoint({}))).rejects.toMatchObject({ code: 'permission', message: expect.stringMatching(/169\.254\.169\.254.*link-local/) });
    api.fault = (_req, res, url) => (url.pathname.startsWith('/v1/items') ? reply(res, '', 307, { location: `${url.pathname}/x` }) : false);
    await expect(readAll(endpoint({}))).rejects.toMatchObject({ message: expect.stringMatching(/redirected more than 5 times/) });
  });

  it('reads a response nested 512 levels deep, and refuses one nested 513 (rig15; it was 64)', async () => {
    // The response's object and its `data` list are two levels, each record one more: 509 objects and 509 lists under
    // a record make 512 in all.
    const deep = (levels: number) => `{"data":[{"id":1,"x":${'{"a":'.repeat(levels)}9007199254740993${'}'.repeat(levels)}},{"id":2,"y":${'['.repeat(levels)}${']'.repeat(levels)}}]}`;
    api.fault = (_req, res, url) => (url.pathname === '/v1/items' ? reply(res, deep(509)) : false);
    const [first, second] = (await readAll(endpoint({})))[0]!.rows;
    expect(first![`x${'.a'.repeat(509)}`]).toBe('9007199254740993');
    expect(second!.y).toBe(`${'['.repeat(509)}${']'.repeat(509)}`);
    api.fault = (_req, res, url) => (url.pathname === '/v1/items' ? reply(res, deep(510)) : false);
    await expect(readAll(endpoint({}))).rejects.toMatchObject({ code: 'unknown', message: expect.stringMatching(/nests objects or arrays more than 512 levels deep/) });
  });

  it('refuses in words a page whose records would make more dotted names than the budget, one record or many (review15a)', async () => {
    // One record: 1 MiB of key over 2,000 fields is 2 GB of names. Many: 600 records of a 4 KiB key over 10 fields each
    // make 24 MB together, under the budget one by one.
    const fields = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]));
    for (const records of [[{ id: 1, ['k'.repeat(1 << 20)]: fields(2_000) }], Array.from({ length: 600 }, (_, id) => ({ id, ['k'.repeat(4_096)]: fields(10) }))]) {
      api.fault = (_req, res, url) => (url.pathname === '/v1/items' ? reply(res, { data: records }) : false);
      await expect(readAll(endpoint({ pageSize: 1000 }))).rejects.toMatchObject({ message: expect.stringMatching(/nested field names add up to more than 16,000,000 characters/) });
    }
  });

  it('refuses, in words, a body nested without end or holding millions of values, and HTML or nothing with a 200', async () => {
    const answers: [string, RegExp][] = [
      [`{"data":[{"id":1,"x":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}]}`, /nests objects or arrays more than 512 levels deep, more than Weft reads in one response\.$/],
      [`{"data":[${'{},'.repeat(1_000_000)}{}]}`, /holds more than 1,000,000 values.*smaller pages/],
      ['<html><body><h1>Service unavailable</h1></body></html>', /is not JSON.*Service unavailable/],
      ['', /is not JSON.*an empty body/],
      ['{"data":[{"id":1},{"id":2', /is not JSON/],
    ];
    for (const [body, message] of answers) {
      api.fault = (_req, res, url) => (url.pathname === '/v1/items' ? reply(res, body, 200, { 'content-type': 'text/html' }) : false);
      await expect(readAll(endpoint({})), body.slice(0, 30)).rejects.toMatchObject({ code: 'unknown', message: expect.stringMatching(message) });
    }
  });

  it('keeps __proto__, constructor, NUL, lone surrogates, -0, 1e400 and big numbers as plain data', async () => {
    const body = '{"data":[{"id":1,"__proto__":{"polluted":true},"constructor":"c","nul":"a\\u0000b","lone":"\\ud800","zero":-0,"huge":1e400,"big":12345678901234567890,"zip":"00501"}]}';
    api.fault = (_req, res, url) => (url.pathname === '/v1/items' ? reply(res, body) : false);
    const [row] = (await readAll(endpoint({})))[0]!.rows;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(row)).toBeNull();
    expect(row!['__proto__.polluted']).toBe(true);
    expect(row!.constructor).toBe('c');
    expect(row!.nul).toBe('a\u0000b');
    expect(row!.lone).toBe('\ud800');
    expect(row!.big).toBe('12345678901234567890');
    expect(row!.huge).toBe('1e400');
    expect(row!.zip).toBe('00501');
    expect(Object.is(row!.zero, -0) || row!.zero === 0).toBe(true);
  });

  it('reads Retry-After as seconds or a date: garbage backs off, a past date retries at once, a week is refused', () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('1.5', now)).toBeNull();
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('999999', now)).toBe(999_999_000);
  });
});

describe('rest connector against a misbehaving token URL or a slow API', () => {
  const oauth = (ep: RestEndpoint, timeoutSeconds = 30) =>
    openRestSession(RestConfig.parse({ baseUrl: `${api.url}/v1`, authType: 'oauth2-client-credentials', tokenUrl: `${api.url}/oauth/token`, clientId: api.oauth.clientId, allowPrivateNetwork: true, timeoutSeconds, objects: [ep] }), { clientSecret: api.oauth.clientSecret }, { sleep });

  it('a token that lives 30 s (less than the renewal margin) is fetched once for a read, not before every page', async () => {
    api.oauth.ttlSeconds = 30;
    api.fault = (_req, res, url) => {
      if (url.pathname !== '/v1/items') return false;
      const page = Number(url.searchParams.get('page') ?? '1');
      return reply(res, { data: page <= 4 ? [{ id: page }] : [] });
    };
    const issued = api.oauth.issued;
    const s = oauth(endpoint({ pagination: 'page', pageParam: 'page' }));
    try {
      const rows = [];
      for await (const b of s.read('items', { batchSize: 100 })) rows.push(...b.rows);
      expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4]);
    } finally {
      await s.close();
      api.oauth.ttlSeconds = 3600;
    }
    expect(api.oauth.issued - issued).toBe(1);
  });

  it('a token URL answering an HTML page, an empty token or a list with 200 is an auth error in words', async () => {
    for (const body of ['<html>sign in</html>', '{"access_token":""}', '[{"access_token":"x"}]', '{"access_token":42}']) {
      api.fault = (_req, res, url) => (url.pathname === '/oauth/token' ? reply(res, body) : false);
      const s = oauth(endpoint({}));
      try {
        await expect(s.test(), body).rejects.toMatchObject({ code: 'auth', message: expect.stringMatching(/token URL refused to issue an access token/) });
      } finally {
        await s.close();
      }
    }
  });

  it('a 200 token answer Weft cannot use names its fields, never the tokens it holds (probe19)', async () => {
    const tokens = { access: 'at-live-7f3a9c1e5b2d8f40', refresh: 'rt-live-1b2c3d4e5f60718a' };
    for (const body of [{ data: { access_token: tokens.access, refresh_token: tokens.refresh } }, { accessToken: tokens.access, refresh_token: tokens.refresh }, { access_token: 42, refresh_token: tokens.refresh }]) {
      api.fault = (_req, res, url) => (url.pathname === '/oauth/token' ? reply(res, body) : false);
      const s = oauth(endpoint({}));
      try {
        const err = (await s.test().then(() => null, (e: unknown) => e)) as Error;
        expect(err.message).toMatch(/token URL refused to issue an access token \(200, the answer has no access_token; its fields are /);
        expect(err.message).not.toContain(tokens.access);
        expect(err.message).not.toContain(tokens.refresh);
      } finally {
        await s.close();
      }
    }
  });

  it('a body that trickles a byte at a time fails as a timeout in bounded time, each try cut at the timeout', async () => {
    const timers: NodeJS.Timeout[] = [];
    api.fault = (_req, res, url) => {
      if (url.pathname !== '/v1/items') return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":[');
      timers.push(setInterval(() => res.write(' '), 100));
      return true;
    };
    const slow = openRestSession(RestConfig.parse({ baseUrl: `${api.url}/v1`, allowPrivateNetwork: true, timeoutSeconds: 1, objects: [endpoint({})] }), {}, { sleep });
    const started = Date.now();
    try {
      await expect(slow.read('items', { batchSize: 10 })[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'timeout', message: expect.stringMatching(/No complete answer .* within 1 s/) });
    } finally {
      for (const t of timers) clearInterval(t);
      await slow.close();
    }
    expect(pageRequests()).toBe(5);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('rest connector writes with hostile key values', () => {
  it('rejects a record whose key is "." or "..", which would write to another endpoint, and writes the rest', async () => {
    api.fault = (req, res, url) => (req.method === 'PUT' ? reply(res, { ok: true, path: url.pathname }, 201) : false);
    const s = open(endpoint({ writeMethod: 'PUT', writePath: '/items/{id}/profile?tag={id}' }));
    try {
      const results = await s.write('items', [{ id: '..' }, { id: '.' }, { id: '../admin' }, { id: 'a.b' }], { mode: 'upsert', key: ['id'], fields: [{ name: 'id', type: 'text' }] });
      expect(results.map((r) => r.outcome)).toEqual(['rejected', 'rejected', 'created', 'created']);
      expect(results[0]).toMatchObject({ reason: expect.stringMatching(/id is "\.\.", which would change the write path/) });
    } finally {
      await s.close();
    }
    expect(api.log.filter((l) => l.method === 'PUT').map((l) => l.path)).toEqual(['/v1/items/..%2Fadmin/profile', '/v1/items/a.b/profile']);
  });

  it('rejects "." and ".." a segment gets from two fields, or from a field next to a dot (review14a)', async () => {
    // Before: only a field filling a whole segment was checked, so {a}{b} with "." and "." wrote to /v1/items/.. = /v1/.
    api.fault = (req, res, url) => (req.method === 'PUT' ? reply(res, { ok: true, path: url.pathname }, 201) : false);
    const fields = [
      { name: 'id', type: 'text' as const },
      { name: 'b', type: 'text' as const },
    ];
    for (const writePath of ['/items/{id}{b}', '/items/{id}./x', '/items/.{id}/x']) {
      const s = open(endpoint({ writeMethod: 'PUT', writePath }));
      try {
        const results = await s.write('items', [{ id: '.', b: '.' }, { id: 'x', b: '.' }], { mode: 'upsert', key: ['id'], fields });
        expect(results.map((r) => r.outcome), writePath).toEqual(['rejected', 'created']);
        expect(results[0]).toMatchObject({ reason: expect.stringMatching(/would change the write path/) });
      } finally {
        await s.close();
      }
    }
    expect(api.log.filter((l) => l.method === 'PUT').map((l) => l.path)).toEqual(['/v1/items/x.', '/v1/items/x./x', '/v1/items/.x/x']);
  });
});
