import { describe, expect, it } from 'vitest';
import { emptyGraph } from '../shared';
import { ApiRequestError, createApi, errorFromResponse, errorMessage } from './api';

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

  it('accepts paged lists with or without offset/limit', async () => {
    const api = createApi(async () => json(200, { items: [], total: 0 }));
    await expect(api.listRuns('i1', { limit: 20, offset: 0 })).resolves.toEqual({ items: [], total: 0 });
  });
});
