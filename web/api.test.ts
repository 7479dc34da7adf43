import { describe, expect, it } from 'vitest';
import { emptyGraph } from '../shared';
import * as routes from '../shared/api/routes';
import { ADDRESSES, API_BASE } from 'virtual:weft-route-addresses';
import { type Api, ApiRequestError, createApi, errorMessage, setCsrfToken } from './api';
import { errorFromResponse } from './api-contracts';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const integration = {
  id: 'i1',
  name: 'Contacts',
  description: '',
  graph: emptyGraph(),
  createdAt: '2024-01-01T00:00:00Z',
  updatedAt: '2024-01-01T00:00:00Z',
  publishedVersionId: null,
  publishedVersionNumber: null,
  hasUnpublishedChanges: true,
};

describe('errorFromResponse', () => {
  it('uses the server message and lists validation issues', () => {
    const e = errorFromResponse(
      400,
      JSON.stringify({ error: { code: 'invalid', message: 'Invalid input', issues: [{ path: 'name', message: 'Name is required' }] } }),
    );
    expect(e).toBeInstanceOf(ApiRequestError);
    expect(e.status).toBe(400);
    expect(e.code).toBe('invalid');
    expect(e.message).toBe('Invalid input: name — Name is required');
    expect(e.issues).toHaveLength(1);
  });

  it('keeps publish diagnostics', () => {
    const diagnostics = [{ severity: 'error', code: 'no-target', message: 'Add a target' }];
    const e = errorFromResponse(422, JSON.stringify({ error: { code: 'graph-invalid', message: 'The graph has 1 problem', diagnostics } }));
    expect(e.message).toBe('The graph has 1 problem');
    expect(e.diagnostics).toEqual(diagnostics);
  });

  it('explains proxy failures and non-JSON bodies', () => {
    expect(errorFromResponse(502, '<html>Bad gateway</html>').message).toMatch(/not reachable/);
    expect(errorFromResponse(413, '').message).toBe('The file is too large');
    expect(errorFromResponse(500, 'oops').message).toBe('Something went wrong on the server');
    expect(errorFromResponse(418, '{"nope":1}').message).toBe('Request failed (418)');
  });
});

describe('createApi', () => {
  it('parses successful responses with the shared schemas', async () => {
    const calls: { url: string; init?: RequestInit }[] = [];
    const api = createApi(async (url, init) => {
      calls.push({ url: String(url), init });
      return json(201, integration);
    });
    const created = await api.createIntegration({ name: 'Contacts', graph: emptyGraph() });
    expect(created.id).toBe('i1');
    expect(calls[0]?.url).toBe('/api/integrations');
    expect(calls[0]?.init?.method).toBe('POST');
    expect(JSON.parse(String(calls[0]?.init?.body))).toMatchObject({ name: 'Contacts' });
  });

  it('turns error bodies into ApiRequestError', async () => {
    const api = createApi(async () => json(413, { error: { code: 'too-large', message: 'The file is larger than 50 MB' } }));
    const file = Object.assign(new Blob(['a,b\n1,2']), { name: 'big.csv' });
    await expect(api.uploadFile(file)).rejects.toThrow('The file is larger than 50 MB');
  });

  it('sends files raw with the name in the query string', async () => {
    let seen: { url: string; body: unknown } | undefined;
    const api = createApi(async (url, init) => {
      seen = { url: String(url), body: init?.body };
      return json(200, {
        id: 'f1',
        name: 'my file.csv',
        size: 7,
        sha256: 'x',
        columns: [{ name: 'a', type: 'number' }],
        delimiter: ',',
        sampleRows: [{ a: '1' }],
        createdAt: '2024-01-01T00:00:00Z',
      });
    });
    const file = Object.assign(new Blob(['a\n1']), { name: 'my file.csv' });
    const uploaded = await api.uploadFile(file);
    expect(uploaded.columns[0]?.type).toBe('number');
    expect(seen?.url).toBe('/api/files?name=my+file.csv');
    expect(seen?.body).toBe(file);
  });

  it('reports network failures and unexpected shapes readably', async () => {
    const down = createApi(async () => {
      throw new TypeError('fetch failed');
    });
    await expect(down.listIntegrations()).rejects.toMatchObject({ code: 'network' });
    const odd = createApi(async () => json(200, [{ id: 1 }]));
    const err = await odd.listIntegrations().catch((e: unknown) => e);
    expect(errorMessage(err)).toMatch(/unexpected response/);
  });

  it("parses paged lists with the route's one Page schema", async () => {
    const api = createApi(async () => json(200, { items: [], total: 0, offset: 0, limit: 20 }));
    await expect(api.listRuns('i1', { limit: 20, offset: 0 })).resolves.toEqual({ items: [], total: 0, offset: 0, limit: 20 });
  });
});

describe('calls built from the route definitions', () => {
  const recorder = (status = 200, body: unknown = null) => {
    const calls: { url: string; method?: string; headers: Record<string, string>; body?: BodyInit | null }[] = [];
    const api = createApi(async (url, init) => {
      calls.push({ url: String(url), method: init?.method, headers: (init?.headers ?? {}) as Record<string, string>, body: init?.body });
      return status === 204 ? new Response(null, { status }) : json(status, body);
    });
    return { api, calls };
  };

  it("fills the route's path parameters, encoded, under the API base", async () => {
    const { api, calls } = recorder(200, integration);
    await api.getIntegration('a/b c');
    expect(calls[0]).toMatchObject({ url: '/api/integrations/a%2Fb%20c', method: 'GET' });
    expect(api.runEventsUrl('run 1')).toBe('/api/runs/run%201/events');
    expect(createApi(fetch, 'http://weft.test').fileDownloadUrl('f/1')).toBe('http://weft.test/api/files/f%2F1/download');
  });

  it('leaves empty query values out', async () => {
    const { api, calls } = recorder(200, { items: [], total: 0, offset: 0, limit: 50 });
    await api.listAudit({ actor: '', action: '', from: undefined, limit: 50, offset: 0 });
    expect(calls[0]?.url).toBe('/api/audit?limit=50&offset=0');
  });

  it('sends a POST without a body as {} JSON, a DELETE with none, and the CSRF token on both', async () => {
    setCsrfToken('csrf-1');
    try {
      const { api, calls } = recorder(204);
      await expect(api.signOut()).resolves.toBeUndefined();
      await expect(api.deleteIntegration('i1')).resolves.toBeUndefined();
      expect(calls[0]).toMatchObject({ url: '/api/auth/sign-out', method: 'POST', body: '{}' });
      expect(calls[0]?.headers).toMatchObject({ 'content-type': 'application/json', 'x-csrf-token': 'csrf-1' });
      expect(calls[1]).toMatchObject({ url: '/api/integrations/i1', method: 'DELETE', body: undefined });
      expect(calls[1]?.headers['x-csrf-token']).toBe('csrf-1');
    } finally {
      setCsrfToken(null);
    }
  });

  it('calls a route by name at the address its contract declares, under the same API base', () => {
    const contracts = Object.entries(routes).filter(([, v]) => typeof v === 'object' && v !== null && 'method' in v && 'path' in v && 'responses' in v);
    expect(contracts.length).toBeGreaterThan(45);
    expect(API_BASE).toBe(routes.API_BASE);
    expect(ADDRESSES).toEqual(Object.fromEntries(contracts.map(([name, c]) => [name, { method: (c as routes.RouteContract).method, path: (c as routes.RouteContract).path }])));
  });

  it('holds, for a call by name, the very contracts of shared/api/routes', async () => {
    const { routes: held } = await import('./api-contracts');
    const names = Object.keys(held).filter((name) => name in ADDRESSES);
    expect(names).toEqual(expect.arrayContaining(['getSession', 'listIntegrations', 'listSchedules', 'listRuns']));
    for (const name of names) expect(held[name as keyof typeof held]).toBe(routes[name as keyof typeof routes]);
  });

  it("validates an answer called by name with the route's own response schema, loaded beside the request", async () => {
    const { api, calls } = recorder(200, { runId: 'r1' });
    await expect(api.call('resumeRun', { params: { id: 'r1' } })).rejects.toMatchObject({ code: 'bad-response' });
    expect(calls[0]).toMatchObject({ url: '/api/runs/r1/resume', method: 'POST' });
    const ok = recorder(202, { runId: 'r1', workflowId: 'w1' });
    await expect(ok.api.call('resumeRun', { params: { id: 'r1' } })).resolves.toEqual({ runId: 'r1', workflowId: 'w1' });
  });

  it("validates the answer with the route's own response schema", async () => {
    const { api } = recorder(200, { runId: 'r1' });
    await expect(api.call(routes.resumeRun, { params: { id: 'r1' } })).rejects.toMatchObject({ code: 'bad-response' });
    const ok = recorder(202, { runId: 'r1', workflowId: 'w1' });
    await expect(ok.api.call(routes.resumeRun, { params: { id: 'r1' } })).resolves.toEqual({ runId: 'r1', workflowId: 'w1' });
  });
});

/** Type-level checks, enforced by `npm run typecheck` (never called): a call's arguments are the route's own types. */
export function callTypesComeFromTheRoutes(api: Api) {
  // @ts-expect-error the route's parameter is {id}
  void api.call(routes.getIntegration, { params: { name: 'x' } });
  // @ts-expect-error a route with a path parameter needs it
  void api.call(routes.getRun);
  // @ts-expect-error the body is the route's IntegrationInput
  void api.call(routes.createIntegration, { body: { name: 1 } });
  // @ts-expect-error a route without a body takes none
  void api.call(routes.listIntegrations, { body: {} });
  // @ts-expect-error by name too: the route's parameter is {id}
  void api.call('getIntegration', { params: { name: 'x' } });
  // @ts-expect-error only an exported contract's name
  void api.call('noSuchRoute');
  // @ts-expect-error the answer is the route's Integration
  const _n: Promise<number> = api.getIntegration('i1');
}
