// An outsider's walk of the whole API (probe19): every operation of the OpenAPI document is classified below, and each
// is asked (a) with no credentials, (b) by each role below the one it needs, (c) from another site with the session
// cookie and a body type any page can send, (d) with the ids of another integration where ids are scoped, and (e) with
// ids nothing has. A new route fails the first test until it is classified here; any 500, or a 2xx where the request
// should have been refused, fails the others. runtime/api/roles.test.ts checks the declared roles one by one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_ROLES, CreatedTriggerToken, Integration, ROLES, TriggerResult, UploadedFile, type Access, type Role } from '../../shared';
import { customersGraph } from '../../test/support/temporal-harness';
import { tokenFor } from '../../test/support/signed-in';
import { openApiApp, type ApiApp } from '../../test/support/api-app';
import { hashPassword } from '../auth/passwords';

/**
 * How each operation names what it acts on. `id`: path ids of the workspace (an unknown one is 404, or 400 when the
 * empty body is refused first); `none`: no path id; `trigger`: the trigger API (a trigger token of that integration or
 * set, never a session); `inbound`: the inbound webhook URL (its own secret; no Origin rule, by design).
 */
type Scope = 'id' | 'none' | 'trigger' | 'inbound';
const ROUTES: Record<string, Scope> = {
  'GET /api/health': 'none',
  'GET /api/integrations': 'none',
  'POST /api/integrations': 'none',
  'GET /api/integrations/{id}': 'id',
  'PUT /api/integrations/{id}': 'id',
  'DELETE /api/integrations/{id}': 'id',
  'POST /api/compile': 'none',
  'POST /api/integrations/{id}/publish': 'id',
  'POST /api/integrations/{id}/runs': 'id',
  'GET /api/integrations/{id}/runs': 'id',
  'POST /api/runs/{id}/resume': 'id',
  'POST /api/runs/{id}/cancel': 'id',
  'POST /api/runs/{id}/rerun': 'id',
  'GET /api/integrations/{id}/run-options': 'id',
  'GET /api/integrations/{id}/file-sources': 'id',
  'GET /api/runs/{id}': 'id',
  'GET /api/runs/{id}/rejected': 'id',
  'GET /api/runs/{id}/rejected/download': 'id',
  'GET /api/runs/{id}/events': 'id',
  'GET /api/inbox': 'none',
  'GET /api/inbox/groups': 'none',
  'GET /api/inbox/count': 'none',
  'POST /api/inbox/resubmit': 'none',
  'POST /api/inbox/ignore': 'none',
  'GET /api/schedules': 'none',
  'GET /api/integrations/{id}/schedule': 'id',
  'PUT /api/integrations/{id}/schedule': 'id',
  'DELETE /api/integrations/{id}/schedule': 'id',
  'POST /api/files': 'none',
  'GET /api/files/{id}': 'id',
  'POST /api/files/{id}/sniff': 'id',
  'POST /api/files/{id}/preview': 'id',
  'GET /api/files/{id}/download': 'id',
  'GET /api/workspace/objects': 'none',
  'GET /api/workspace/objects/{name}': 'id',
  'GET /api/workspace/objects/{name}/records': 'id',
  'POST /api/workspace/objects/{name}/preview': 'id',
  'GET /api/connectors': 'none',
  'GET /api/connections': 'none',
  'POST /api/connections': 'none',
  'POST /api/connections/test': 'none',
  'GET /api/connections/{id}': 'id',
  'PUT /api/connections/{id}': 'id',
  'DELETE /api/connections/{id}': 'id',
  'POST /api/connections/{id}/test': 'id',
  'POST /api/connections/{id}/duplicate': 'id',
  'POST /api/connections/{id}/test-request': 'id',
  'POST /api/connections/{id}/authorize': 'id',
  'GET /api/oauth/callback': 'none',
  'POST /api/connections/{id}/discover': 'id',
  'POST /api/connections/{id}/tables': 'id',
  'POST /api/connections/{id}/preview': 'id',
  'GET /api/auth/session': 'none',
  'POST /api/auth/setup': 'none',
  'POST /api/auth/sign-in': 'none',
  'POST /api/auth/sign-out': 'none',
  'POST /api/auth/sign-out-everywhere': 'none',
  'POST /api/auth/password': 'none',
  'GET /api/auth/invite/{token}': 'id',
  'POST /api/auth/invite/{token}': 'id',
  'GET /api/users': 'none',
  'POST /api/users': 'none',
  'PUT /api/users/{id}': 'id',
  'DELETE /api/users/{id}': 'id',
  'POST /api/users/{id}/reset': 'id',
  'POST /api/users/{id}/sign-out': 'id',
  'GET /api/tokens': 'none',
  'POST /api/tokens': 'none',
  'DELETE /api/tokens/{id}': 'id',
  'GET /api/integrations/{id}/tokens': 'id',
  'POST /api/integrations/{id}/tokens': 'id',
  'DELETE /api/integrations/{id}/tokens/{tokenId}': 'id',
  'POST /api/integrations/{id}/trigger': 'trigger',
  'GET /api/integrations/{id}/trigger/runs/{runId}': 'trigger',
  'GET /api/integrations/{id}/alerts': 'id',
  'PUT /api/integrations/{id}/alerts': 'id',
  'POST /api/integrations/{id}/alerts/rotate-secret': 'id',
  'PUT /api/integrations/{id}/active': 'id',
  'POST /api/integrations/{id}/duplicate': 'id',
  'GET /api/integrations/{id}/deletion': 'id',
  'GET /api/sets': 'none',
  'POST /api/sets': 'none',
  'GET /api/sets/{id}': 'id',
  'PUT /api/sets/{id}': 'id',
  'DELETE /api/sets/{id}': 'id',
  'POST /api/sets/{id}/runs': 'id',
  'GET /api/sets/{id}/runs': 'id',
  'GET /api/set-runs/{id}': 'id',
  'POST /api/set-runs/{id}/cancel': 'id',
  'GET /api/sets/{id}/schedule': 'id',
  'PUT /api/sets/{id}/schedule': 'id',
  'DELETE /api/sets/{id}/schedule': 'id',
  'GET /api/sets/{id}/tokens': 'id',
  'POST /api/sets/{id}/tokens': 'id',
  'DELETE /api/sets/{id}/tokens/{tokenId}': 'id',
  'POST /api/sets/{id}/trigger': 'trigger',
  'GET /api/sets/{id}/trigger/runs/{runId}': 'trigger',
  'GET /api/members': 'none',
  'POST /api/members': 'none',
  'GET /api/member-systems/names': 'none',
  'PUT /api/members/{id}': 'id',
  'DELETE /api/members/{id}': 'id',
  'POST /api/member-systems': 'none',
  'PUT /api/member-systems/{id}': 'id',
  'DELETE /api/member-systems/{id}': 'id',
  'POST /api/member-systems/{id}/refresh': 'id',
  'POST /api/member-systems/{id}/links': 'id',
  'POST /api/integrations/{id}/test-record': 'id',
  'GET /api/audit': 'none',
  'GET /api/integrations/{id}/webhook': 'id',
  'PUT /api/integrations/{id}/webhook': 'id',
  'POST /api/integrations/{id}/webhook/secret': 'id',
  'POST /api/hooks/{hookId}': 'inbound',
};

interface Operation {
  key: string;
  method: string;
  path: string;
  access: Access;
  body: 'json' | 'raw' | 'none';
  /** The names of its query parameters. */
  query: string[];
}

const PASSWORD = 'correct horse battery';
let rig: ApiApp;
let operations: Operation[] = [];
const tokens = new Map<Role, string>();
/** The owner's session cookie (`weft_session=…`), as a browser would send it. */
let cookie = '';

beforeAll(async () => {
  rig = await openApiApp({ name: 'route-probe', maxUploadBytes: 1 << 20, deps: { passwordCost: 10 } });
  await rig.store.auth.createOwner({ email: 'owner@example.com', name: 'Owner', passwordHash: await hashPassword(PASSWORD, 10) });
  for (const role of ROLES) tokens.set(role, await tokenFor(rig.store, role));
  const signedIn = await rig.anonymous.request('/api/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'owner@example.com', password: PASSWORD }) });
  expect(signedIn.status).toBe(200);
  cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
  const doc = (await (await rig.app.request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, Record<string, unknown>>> };
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const content = Object.keys((op.requestBody as { content?: object } | undefined)?.content ?? {});
      return {
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        access: op['x-weft-access'] as Access,
        body: content.includes('application/json') ? 'json' : content.length > 0 ? 'raw' : 'none',
        query: ((op.parameters ?? []) as { name: string; in: string }[]).filter((p) => p.in === 'query').map((p) => p.name),
      } satisfies Operation;
    }),
  );
});
afterAll(async () => {
  await rig?.close();
});

const UNKNOWN = 'unknown-0000000000000000000000000000000000000';
const concrete = (path: string, ids: Record<string, string> = {}) => path.replace(/\{([^}]+)\}/g, (_m, name: string) => ids[name] ?? UNKNOWN);
const hasBody = (method: string) => method !== 'GET' && method !== 'DELETE';

/** The operation as its own client would send it: a JSON `{}`, or a small CSV for the raw upload. */
function ask(op: Operation, headers: Record<string, string>, ids: Record<string, string> = {}) {
  let url = concrete(op.path, ids);
  const h = { ...headers };
  let body: string | undefined;
  if (op.body === 'raw') {
    h['content-type'] = 'text/csv';
    body = 'a,b\n1,2\n';
    url += '?name=probe.csv';
  } else if (hasBody(op.method)) {
    h['content-type'] = 'application/json';
    body = '{}';
  }
  return rig.anonymous.request(url, { method: op.method, headers: h, body });
}

const below = (access: Access): Role[] => ROLES.filter((r) => !(ACCESS_ROLES[access] as readonly Role[]).includes(r));
const bearer = (role: Role) => ({ authorization: `Bearer ${tokens.get(role)}` });

describe('every route, every role (probe19)', () => {
  it('classifies every operation of the OpenAPI document, and nothing that is gone', () => {
    const documented = operations.map((o) => o.key).sort();
    expect(documented.filter((k) => !(k in ROUTES))).toEqual([]);
    expect(Object.keys(ROUTES).filter((k) => !documented.includes(k))).toEqual([]);
    // The scope agrees with the path and the access level.
    for (const op of operations) {
      const scope = ROUTES[op.key]!;
      if (scope === 'id') expect(op.path, op.key).toMatch(/\{/);
      if (scope === 'none') expect(op.path, op.key).not.toMatch(/\{/);
      if (scope === 'trigger') expect(op.access, op.key).toBe('trigger');
    }
  });

  it('(a) refuses every non-public operation without credentials, and (b) every role below the one it needs', async () => {
    const wrong: string[] = [];
    for (const op of operations) {
      if (op.access === 'public') continue;
      const none = await ask(op, {});
      if (none.status !== 401) wrong.push(`${op.key} without credentials -> ${none.status}`);
      for (const role of op.access === 'trigger' ? ROLES : below(op.access)) {
        const res = await ask(op, bearer(role));
        // The trigger API takes no role at all: a person's token is the wrong credential (403), never a way in.
        if (res.status !== 403) wrong.push(`${op.key} as ${role} -> ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('(c) refuses every /api operation from another site, with the session cookie and a body any page can send', async () => {
    const wrong: string[] = [];
    for (const op of operations) {
      const url = concrete(op.path);
      const body = hasBody(op.method) ? '{"name":"x"}' : undefined;
      // What a page on evil.example gets from a browser: its Origin, Sec-Fetch-Site and the cookie (SameSite aside).
      const crossSite = await rig.anonymous.request(url, { method: op.method, headers: { cookie, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'content-type': 'text/plain' }, body });
      // An older browser that sends neither Origin nor Sec-Fetch-*: a state change still needs a JSON body or the CSRF token.
      const bare = await rig.anonymous.request(url, { method: op.method, headers: { cookie, 'content-type': 'text/plain' }, body });
      if (ROUTES[op.key] === 'inbound') {
        // Called by other servers with a secret, never with a session: refused for want of the secret instead.
        if (crossSite.status < 400 || crossSite.status >= 500) wrong.push(`${op.key} cross-site -> ${crossSite.status}`);
        continue;
      }
      if (crossSite.status !== 403) wrong.push(`${op.key} cross-site -> ${crossSite.status}`);
      if (hasBody(op.method) && bare.status !== 415) wrong.push(`${op.key} text/plain without Origin -> ${bare.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('(e) answers ids nothing has with a 4xx on every route that takes one, for every role it admits, never a 2xx or 500', async () => {
    const wrong: string[] = [];
    for (const op of operations) {
      if (ROUTES[op.key] === 'none') continue;
      const askers = op.access === 'public' || op.access === 'trigger' || op.access === 'signedIn' ? [{}] : ACCESS_ROLES[op.access].map((r) => bearer(r));
      for (const headers of askers) {
        const res = await ask(op, headers);
        if (res.status < 400 || res.status >= 500) wrong.push(`${op.key} -> ${res.status} ${(await res.text()).slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers no operation with a 500 with hostile ids, bodies and query parameters', async () => {
    const ids = ['__proto__', 'constructor', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', 'C:%5Cwindows%5Cwin.ini', 'CON', '9007199254740993', '00001', 'x'.repeat(100), '%F0%9F%98%80%E2%80%AE'];
    const bodies = ['[]', 'null', '"x"', '1e999', '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}', `{"a":${'['.repeat(2000)}${']'.repeat(2000)}}`];
    const wrong: string[] = [];
    for (const op of operations) {
      for (const id of ROUTES[op.key] === 'none' ? [UNKNOWN] : ids) {
        for (const body of hasBody(op.method) ? bodies : [undefined]) {
          const url = concrete(op.path, Object.fromEntries([...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => [m[1]!, id])));
          const res = await rig.anonymous.request(url, { method: op.method, headers: { ...bearer('owner'), ...(body !== undefined && { 'content-type': 'application/json' }) }, body });
          if (res.status >= 500 && res.status !== 503) wrong.push(`${op.method} ${url.slice(0, 80)} ${body?.slice(0, 30)} -> ${res.status}`);
        }
      }
    }
    // Every query parameter, twice, with values a schema might not expect.
    const values = ['-1', '1e309', '9007199254740993', '__proto__', '', 'x'.repeat(5000), '%F0%9F%98%80', '[]', 'NaN', '0x10', '2026-13-45', ',,,'];
    let asked = 0;
    for (const op of operations.filter((o) => o.query.length > 0)) {
      for (const value of values) {
        const url = `${concrete(op.path)}?${[...op.query, op.query[0]!].map((q) => `${q}=${value}`).join('&')}`;
        const res = await rig.anonymous.request(url, { method: op.method, headers: { ...bearer('owner'), ...(hasBody(op.method) && { 'content-type': 'application/json' }) }, body: hasBody(op.method) ? '{}' : undefined });
        asked++;
        if (res.status >= 500 && res.status !== 503) wrong.push(`${op.method} ${url.slice(0, 80)} -> ${res.status}`);
      }
    }
    expect(asked).toBeGreaterThan(100);
    expect(wrong).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  // sec16: half of a character can reach a query only as a broken %-escape (WTF-8 `%ED%A0%80`): a URL cannot carry a
  // lone surrogate otherwise (clients write U+FFFD in its place before sending). Each is refused in words, and an
  // upload named with one keeps nothing (no name changed to U+FFFD).
  it('refuses half of a character in any query parameter or an upload’s name with a 400 in words, keeping nothing (sec16)', async () => {
    const halves = ['%ED%A0%80', '%ED%B0%80', 'a%ED%B0%80%ED%A0%80b', '%F0%9F%98', '%ED%A0%BD%ED%B8%80'];
    const wrong: string[] = [];
    let asked = 0;
    for (const op of operations.filter((o) => o.query.length > 0)) {
      for (const value of halves) {
        const url = `${concrete(op.path)}?${op.query.map((q) => `${q}=${value}`).join('&')}`;
        const res = await rig.anonymous.request(url, { method: op.method, headers: { ...bearer('owner'), ...(hasBody(op.method) && { 'content-type': 'text/csv' }) }, body: hasBody(op.method) ? 'a,b\n1,2\n' : undefined });
        asked++;
        const text = await res.text();
        if (res.status !== 400 || !/not valid: it holds a broken %-escape/.test(text)) wrong.push(`${op.method} ${url.slice(0, 90)} -> ${res.status} ${text.slice(0, 80)}`);
      }
    }
    expect(asked).toBeGreaterThan(20);
    expect(wrong).toEqual([]);
    const files = await rig.store.listFiles();
    expect(files.filter((f) => /\uFFFD|[\uD800-\uDFFF]/.test(f.name))).toEqual([]);
    // A whole character in the same place is kept as sent.
    const res = await rig.anonymous.request(`/api/files?name=${encodeURIComponent('😀 report.csv')}`, { method: 'POST', headers: { ...bearer('owner'), 'content-type': 'text/csv' }, body: 'a,b\n1,2\n' });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { name: string }).name).toBe('😀 report.csv');
  });

  it('sessions: an id planted before sign-in is not kept, the cookie is HttpOnly and SameSite, sign-out ends it on the server', async () => {
    const planted = 'weft_session=' + 'A'.repeat(43);
    const signIn = await rig.anonymous.request('/api/auth/sign-in', { method: 'POST', headers: { cookie: planted, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'owner@example.com', password: PASSWORD }) });
    expect(signIn.status).toBe(200);
    const setCookie = signIn.headers.get('set-cookie')!;
    const fresh = setCookie.split(';')[0]!;
    expect(fresh).not.toBe(planted);
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Lax/i);
    expect(setCookie).toMatch(/; Path=\//i);
    const who = async (c: string) => ((await (await rig.anonymous.request('/api/auth/session', { headers: { cookie: c } })).json()) as { user: unknown }).user;
    expect(await who(planted)).toBeNull();
    expect(await who(fresh)).not.toBeNull();
    const out = await rig.anonymous.request('/api/auth/sign-out', { method: 'POST', headers: { cookie: fresh, 'content-type': 'application/json' } });
    expect(out.status).toBe(204);
    // The old cookie, replayed after sign-out (a copy kept by whoever saw it), opens nothing.
    expect(await who(fresh)).toBeNull();
    expect((await rig.anonymous.request('/api/integrations', { headers: { cookie: fresh } })).status).toBe(401);
  });

  describe('(d) ids of another integration', () => {
    async function published(name: string): Promise<Integration> {
      const upload = await rig.app.request('/api/files?name=customers.csv', { method: 'POST', body: 'Email,Name,Amount,Active\na@example.com,A,1,true\n', headers: { 'content-type': 'text/csv' } });
      const file = UploadedFile.parse(await upload.json());
      const created = Integration.parse(await (await rig.app.request('/api/integrations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, graph: customersGraph({ fileId: file.id, object: `probe_${name.toLowerCase()}` }) }) })).json());
      expect((await rig.app.request(`/api/integrations/${created.id}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' } })).status).toBe(200);
      return created;
    }
    const newToken = async (id: string) => CreatedTriggerToken.parse(await (await rig.app.request(`/api/integrations/${id}/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ci' }) })).json());
    const trigger = (id: string, token: string) => rig.anonymous.request(`/api/integrations/${id}/trigger`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });

    it("neither triggers, reads nor revokes through another integration's path", async () => {
      const a = await published('Alpha');
      const b = await published('Beta');
      const tokenA = await newToken(a.id);
      const tokenB = await newToken(b.id);
      const runA = TriggerResult.parse(await (await trigger(a.id, tokenA.token)).json()).runId;
      // A's token on B's trigger and on B's status address: refused, and nothing started.
      const before = (await rig.store.listRuns(b.id)).total;
      expect((await trigger(b.id, tokenA.token)).status).toBe(403);
      expect((await rig.store.listRuns(b.id)).total).toBe(before);
      expect((await rig.anonymous.request(`/api/integrations/${b.id}/trigger/runs/${runA}`, { headers: { authorization: `Bearer ${tokenA.token}` } })).status).toBe(403);
      // B's own token asking for A's run through B's path: no such run of B.
      expect((await rig.anonymous.request(`/api/integrations/${b.id}/trigger/runs/${runA}`, { headers: { authorization: `Bearer ${tokenB.token}` } })).status).toBe(404);
      // Revoking A's token through B's path: 404, and A's token still works.
      expect((await rig.app.request(`/api/integrations/${b.id}/tokens/${tokenA.info.id}`, { method: 'DELETE' })).status).toBe(404);
      expect((await trigger(a.id, tokenA.token)).status).toBe(202);
    });
  });
});
