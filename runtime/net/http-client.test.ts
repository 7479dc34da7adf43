// The HTTP client against a real local server: retries (5xx backoff, 429 Retry-After in seconds and as a date), the
// 401 refresh, the concurrency cap, bounded bodies (plain and gzip), timeouts, and redirects checked hop by hop by
// the real address guard (to 127.0.0.1, to another scheme, too many, credentials kept to their origin).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../connectors/types';
import { createAddressGuard, type AddressGuard } from './address-guard';
import { createHttpClient, HttpStatusError, parseRetryAfter, type HttpClientOptions } from './http-client';

let server: Server;
let base: string;
let port: number;
const hits = new Map<string, number>();
const seen: { path: string; headers: IncomingMessage['headers'] }[] = [];
let inFlight = 0;
let maxInFlight = 0;

function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url!, 'http://x');
  const n = (hits.get(url.pathname) ?? 0) + 1;
  hits.set(url.pathname, n);
  seen.push({ path: url.pathname, headers: req.headers });
  const json = (status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  };
  switch (url.pathname) {
    case '/ok':
      return json(200, '{"id": 9007199254740993, "zip": "00501", "n": 1.5}');
    case '/flaky':
      return n <= 2 ? json(503, '{"error":"busy"}') : json(200, '{"ok":true}');
    case '/always-500':
      return json(500, '{"error":"boom"}');
    case '/limited':
      return n === 1 ? json(429, '{"error":"slow down"}', { 'retry-after': '2' }) : json(200, '{"ok":true}');
    case '/limited-date':
      return n === 1 ? json(429, '{}', { 'retry-after': new Date(Date.now() + 5_000).toUTCString() }) : json(200, '{"ok":true}');
    case '/limited-long':
      return json(429, '{}', { 'retry-after': '3600' });
    case '/token':
      return req.headers.authorization === 'Bearer fresh' ? json(200, '{"ok":true}') : json(401, '{"error":"invalid_token"}');
    case '/forbidden':
      return json(403, '{"message":"missing scope crm.read"}');
    case '/big':
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end(Buffer.alloc(64 * 1024, 'a'));
    case '/gzip-bomb':
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
      return res.end(gzipSync(Buffer.alloc(4 * 1024 * 1024, 0)));
    case '/gzip':
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      return res.end(gzipSync('{"zipped":true}'));
    case '/hang':
      return; // never answers
    case '/slow':
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        json(200, '{}');
      }, 60);
      return;
    case '/to-loopback':
      res.writeHead(302, { location: `http://127.0.0.1:${port}/ok` });
      return res.end();
    case '/to-metadata':
      res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' });
      return res.end();
    case '/to-other-scheme':
      res.writeHead(301, { location: `https://public.example.test:${port}/ok` });
      return res.end();
    case '/to-file':
      res.writeHead(302, { location: 'file:///etc/passwd' });
      return res.end();
    case '/loop':
      res.writeHead(302, { location: '/loop' });
      return res.end();
    case '/to-other-origin':
      res.writeHead(302, { location: `http://other.example.test:${port}/landing` });
      return res.end();
    case '/see-other':
      res.writeHead(303, { location: '/landing' });
      return res.end();
    case '/landing':
      return json(200, JSON.stringify({ method: req.method, auth: req.headers.authorization ?? null, key: req.headers['x-secret-key'] ?? null }));
    default:
      return json(404, '{"error":"no such path"}');
  }
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Records every wait instead of sleeping. */
function client(extra: Partial<HttpClientOptions> = {}) {
  const waits: number[] = [];
  const c = createHttpClient({ guard: createAddressGuard({ allowPrivate: true }), sleep: async (ms) => void waits.push(ms), random: () => 0.5, ...extra });
  return { c, waits };
}
const failure = async (p: Promise<unknown>): Promise<ConnectorError> => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ConnectorError);
    return e as ConnectorError;
  }
  throw new Error('expected a failure');
};

describe('http client', () => {
  it('reads JSON exactly: numbers past 2^53 stay their decimal text, leading zeros stay text', async () => {
    const { c } = client();
    const res = await c.request({ url: `${base}/ok` });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ id: '9007199254740993', zip: '00501', n: 1.5 });
    expect((await c.request({ url: `${base}/gzip` })).json()).toEqual({ zipped: true });
    await c.close();
  });

  it('backs off exponentially with jitter on 5xx, and gives up with the status and body after its tries', async () => {
    const { c, waits } = client({ backoffMs: 100 });
    expect((await c.request({ url: `${base}/flaky` })).status).toBe(200);
    expect(waits).toEqual([75, 150]); // 100·2^(n-1) halved plus half of it times random (0.5)
    const e = await failure(c.request({ url: `${base}/always-500` }));
    expect(e).toBeInstanceOf(HttpStatusError);
    expect(e.message).toMatch(/answered 500 after 5 tries: \{"error":"boom"\}/);
    expect(waits.slice(2)).toEqual([75, 150, 300, 600]);
    await c.close();
  });

  it('does not retry a POST on 5xx unless the request says it is idempotent', async () => {
    const { c } = client();
    hits.delete('/always-500');
    expect((await c.request({ method: 'POST', url: `${base}/always-500`, body: '{}' })).status).toBe(500);
    expect(hits.get('/always-500')).toBe(1);
    await failure(c.request({ method: 'POST', url: `${base}/always-500`, body: '{}', idempotent: true }));
    expect(hits.get('/always-500')).toBe(6);
    await c.close();
  });

  it('honours 429 Retry-After in seconds and as an HTTP date, and refuses to wait longer than its cap', async () => {
    const { c, waits } = client();
    expect((await c.request({ url: `${base}/limited` })).status).toBe(200);
    expect(waits).toEqual([2000]);
    expect((await c.request({ url: `${base}/limited-date` })).status).toBe(200);
    expect(waits[1]).toBeGreaterThan(3000);
    expect(waits[1]).toBeLessThanOrEqual(5000);
    const e = await failure(c.request({ url: `${base}/limited-long` }));
    expect(e.message).toMatch(/asked Weft to wait 3600 s .*429, rate limited.*at most 120 s/);
    expect(waits).toHaveLength(2);
    expect(parseRetryAfter('120', 0)).toBe(120_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT'))).toBe(60_000);
    expect(parseRetryAfter('soon', 0)).toBeNull();
    expect(parseRetryAfter('-5', 0)).toBeNull();
    await c.close();
  });

  it('refreshes credentials once on 401 and tries again; a second 401 fails as an auth error', async () => {
    let token = 'stale';
    let refreshes = 0;
    const { c } = client({
      auth: {
        apply: async ({ headers }) => void (headers.authorization = `Bearer ${token}`),
        refresh: async () => {
          refreshes++;
          token = 'fresh';
          return true;
        },
      },
    });
    expect((await c.request({ url: `${base}/token` })).status).toBe(200);
    expect(refreshes).toBe(1);
    token = 'revoked';
    const stuck = createHttpClient({ guard: createAddressGuard({ allowPrivate: true }), auth: { apply: async ({ headers }) => void (headers.authorization = 'Bearer revoked'), refresh: async () => true } });
    const e = await failure(stuck.request({ url: `${base}/token` }));
    expect(e.code).toBe('auth');
    expect(e.message).toMatch(/refused the credentials \(401 Unauthorized\): \{"error":"invalid_token"\}/);
    const forbidden = await failure(c.request({ url: `${base}/forbidden` }));
    expect(forbidden.code).toBe('auth');
    expect(forbidden.message).toMatch(/403 Forbidden.*missing scope crm\.read.*permissions/);
    // anyStatus: what the server said, for "Send a test request".
    expect((await c.request({ url: `${base}/forbidden`, anyStatus: true })).status).toBe(403);
    await Promise.all([c.close(), stuck.close()]);
  });

  it('caps the requests in flight per client', async () => {
    const { c } = client({ concurrency: 2 });
    maxInFlight = 0;
    await Promise.all(Array.from({ length: 6 }, () => c.request({ url: `${base}/slow` })));
    expect(maxInFlight).toBe(2);
    await c.close();
  });

  it('bounds the body, decompressed size included', async () => {
    const { c } = client({ maxResponseBytes: 16 * 1024 });
    expect((await failure(c.request({ url: `${base}/big` }))).message).toMatch(/larger than 16384 bytes/);
    const big = client({ maxResponseBytes: 1024 * 1024 });
    expect((await failure(big.c.request({ url: `${base}/gzip-bomb` }))).message).toMatch(/larger than 1 MiB.*smaller pages/);
    await Promise.all([c.close(), big.c.close()]);
  });

  it('times an attempt out and retries it', async () => {
    const { c, waits } = client({ timeoutMs: 200, attempts: 2 });
    const e = await failure(c.request({ url: `${base}/hang` }));
    expect(e.code).toBe('timeout');
    expect(e.message).toMatch(/within 200 ms/);
    expect(waits).toHaveLength(1);
    await c.close();
  });

  it('refuses http(s) only: another scheme in the address', async () => {
    const { c } = client();
    expect((await failure(c.request({ url: 'file:///etc/passwd' }))).code).toBe('invalid_config');
    await c.close();
  });
});

describe('http client redirects and the address guard', () => {
  // A name the test's resolver says is public but which the socket (through the same guard) reaches on 127.0.0.1:
  // proves the connection goes to the address the guard answered, not to a fresh DNS answer.
  const real = createAddressGuard({ allowPrivate: false, lookupAll: async () => [{ address: '127.0.0.1', family: 4 }] });
  const guard: AddressGuard = {
    allowPrivate: false,
    check: async (host, o) => (host === 'public.example.test' || host === 'other.example.test' ? { address: '127.0.0.1', family: 4 } : real.check(host, o)),
  };
  const pub = () => `http://public.example.test:${port}`;

  it('connects to the address the guard answered (a name no DNS knows)', async () => {
    const c = createHttpClient({ guard });
    expect((await c.request({ url: `${pub()}/ok` })).status).toBe(200);
    await c.close();
  });

  it('refuses a redirect to 127.0.0.1 and to the metadata address', async () => {
    const c = createHttpClient({ guard });
    const e = await failure(c.request({ url: `${pub()}/to-loopback` }));
    expect(e.code).toBe('permission');
    expect(e.message).toMatch(/"127\.0\.0\.1": it is a loopback address/);
    expect((await failure(c.request({ url: `${pub()}/to-metadata` }))).message).toMatch(/169\.254\.169\.254.*link-local/);
    await c.close();
  });

  it('refuses a DNS name that resolves to a private address before any request', async () => {
    const c = createHttpClient({ guard: real });
    const before = seen.length;
    const e = await failure(c.request({ url: `http://sneaky.example.test:${port}/ok` }));
    expect(e.message).toMatch(/"sneaky\.example\.test" \(127\.0\.0\.1\): it is a loopback address/);
    expect(seen.length).toBe(before);
    await c.close();
  });

  it('never follows a redirect to another scheme, and stops after too many', async () => {
    const c = createHttpClient({ guard, maxRedirects: 3 });
    expect((await failure(c.request({ url: `${pub()}/to-other-scheme` }))).message).toMatch(/another scheme \(http to https\)/);
    expect((await failure(c.request({ url: `${pub()}/to-file` }))).message).toMatch(/another scheme \(http to file\)/);
    expect((await failure(c.request({ url: `${pub()}/loop` }))).message).toMatch(/more than 3 times/);
    await c.close();
  });

  it('keeps credentials to their origin and turns a 303 into a GET', async () => {
    const c = createHttpClient({ guard, auth: { apply: async ({ headers }) => void (headers['x-secret-key'] = 'k-123') } });
    const cross = (await c.request({ url: `${pub()}/to-other-origin`, headers: { Authorization: 'Bearer abc' } })).json();
    expect(cross).toEqual({ method: 'GET', auth: null, key: null });
    const same = (await c.request({ method: 'POST', url: `${pub()}/see-other`, body: '{}', headers: { authorization: 'Bearer abc' } })).json();
    expect(same).toEqual({ method: 'GET', auth: 'Bearer abc', key: 'k-123' });
    await c.close();
  });
});
