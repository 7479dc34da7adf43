// "Connect" (OAuth 2.0 authorization code with PKCE) through the API against the local OAuth server of
// test/support/rest-api-server.ts: the authorization URL and its state, the provider's consent answered by posting
// the form as a browser would, the callback's code exchange sealing the tokens, and every refusal of a state:
// unknown, replayed, expired, started by someone else, hostile (__proto__, NUL, huge), and a provider's "denied".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../shared';
import { startRestApiServer, type RestApiServer } from '../../test/support/rest-api-server';
import { testConnections } from '../../test/support/connections';
import { tokenFor, withHeaders } from '../../test/support/signed-in';
import { hashState, OAUTH_STATE_TTL_MS } from '../connections/oauth';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { createApi } from './app';

let store: Store;
let api: RestApiServer;
let base: ReturnType<typeof createApi>;
let owner: ReturnType<typeof createApi>;
let other: ReturnType<typeof createApi>;
let connectionId: string;

const post = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

beforeAll(async () => {
  store = await openStore({ memory: true });
  api = await startRestApiServer();
  api.collections.set('people', { columns: [{ name: 'id' }, { name: 'name' }], key: 'id', rows: [{ id: 1, name: 'Ada' }] });
  base = createApi({ store, launcher: { start: async () => ({ workflowId: 'w' }) }, filesDir: '/nonexistent', maxUploadBytes: 1024, connections: testConnections(store), publicUrl: 'http://localhost' });
  owner = withHeaders(base, { authorization: `Bearer ${await tokenFor(store, 'owner', 'owner-a')}` });
  other = withHeaders(base, { authorization: `Bearer ${await tokenFor(store, 'admin', 'admin-b')}` });
  const res = await owner.request(
    '/api/connections',
    post({
      connector: 'rest',
      name: 'OAuth API',
      config: {
        baseUrl: `${api.url}/v1`,
        authType: 'oauth2-authorization-code',
        authorizeUrl: `${api.url}/oauth/authorize`,
        tokenUrl: `${api.url}/oauth/token`,
        clientId: api.oauth.clientId,
        scope: 'records offline_access',
        allowPrivateNetwork: true,
        objects: [{ name: 'people', path: '/collections/people/records', recordsPath: 'data.items' }],
      },
      secrets: { clientSecret: api.oauth.clientSecret },
    }),
  );
  expect(res.status, await res.clone().text()).toBe(201);
  connectionId = ((await res.json()) as { id: string }).id;
});
afterAll(async () => {
  await api?.close();
  await store?.close();
});

async function start(app = owner): Promise<URL> {
  const res = await app.request(`/api/connections/${connectionId}/authorize`, post({}));
  expect(res.status, await res.clone().text()).toBe(200);
  return new URL(((await res.json()) as { url: string }).url);
}

/** The person's answer on the provider's consent page, as the browser posts it; answers where the provider sends them. */
async function consent(authorize: URL, decision: 'approve' | 'deny'): Promise<URL> {
  const page = await fetch(authorize);
  expect(page.status, await page.clone().text()).toBe(200);
  const form = new URLSearchParams(authorize.searchParams);
  form.set('decision', decision);
  const res = await fetch(`${api.url}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

/** The callback as the browser follows the redirect: answers where Weft sends it, with the outcome's parameters. */
async function callback(app: ReturnType<typeof createApi>, query: string): Promise<URLSearchParams> {
  const res = await app.request(`/api/oauth/callback?${query}`, { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' } });
  expect(res.status, await res.clone().text()).toBe(302);
  const location = res.headers.get('location')!;
  expect(location.startsWith('http://localhost/#/connections?')).toBe(true);
  return new URLSearchParams(location.slice(location.indexOf('?') + 1));
}

const getConnection = async () => Connection.parse(await (await owner.request(`/api/connections/${connectionId}`)).json());

describe('Connect (OAuth authorization code)', () => {
  it('refuses to start before the connection can authorize, naming what is missing', async () => {
    const res = await owner.request(
      '/api/connections',
      post({ connector: 'rest', name: 'No authorize URL', config: { baseUrl: `${api.url}/v1`, authType: 'oauth2-authorization-code', tokenUrl: `${api.url}/oauth/token`, clientId: 'x' } }),
    );
    const { id } = (await res.json()) as { id: string };
    const started = await owner.request(`/api/connections/${id}/authorize`, post({}));
    expect(started.status).toBe(400);
    expect(((await started.json()) as { error: { message: string } }).error.message).toMatch(/authorization URL/);
  });

  it('sends the browser to the provider with a state and a S256 PKCE challenge, and stores only the state hash', async () => {
    const url = await start();
    expect(url.origin + url.pathname).toBe(`${api.url}/oauth/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ response_type: 'code', client_id: api.oauth.clientId, redirect_uri: 'http://localhost/api/oauth/callback', scope: 'records offline_access', code_challenge_method: 'S256' });
    const state = url.searchParams.get('state')!;
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The row is keyed by the hash; the state itself is nowhere in the store.
    const row = await store.oauth.take(hashState(state));
    expect(row).toMatchObject({ connectionId, redirectUri: 'http://localhost/api/oauth/callback' });
    expect(row!.verifier).not.toContain(url.searchParams.get('code_challenge'));
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBeGreaterThan(OAUTH_STATE_TTL_MS - 5_000);
  });

  it('exchanges the approved code with the verifier, seals the tokens, and a request then works with them', async () => {
    const url = await start();
    const back = await consent(url, 'approve');
    expect(back.searchParams.get('state')).toBe(url.searchParams.get('state'));
    const outcome = await callback(owner, back.search.slice(1));
    expect(Object.fromEntries(outcome)).toEqual({ oauth: 'connected', connection: connectionId });
    const saved = await getConnection();
    expect(saved.secretsSet.sort()).toEqual(['accessToken', 'accessTokenExpiresAt', 'clientSecret', 'refreshToken']);
    expect(saved.config).toMatchObject({ authorizedAs: 'ada@example.com' });
    expect(Date.parse(String(saved.config.authorizedAt))).toBeGreaterThan(Date.now() - 60_000);
    expect(JSON.stringify(saved)).not.toContain(api.oauth.refreshToken);
    // The token request carried the code, the redirect URI and the verifier (the server checked it against the challenge).
    const exchange = api.log.filter((r) => r.path === '/oauth/token').map((r) => new URLSearchParams(r.body)).find((f) => f.get('grant_type') === 'authorization_code')!;
    expect(exchange.get('redirect_uri')).toBe('http://localhost/api/oauth/callback');
    expect(exchange.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // A test request with the obtained access token.
    const sent = await owner.request(`/api/connections/${connectionId}/test-request`, post({ endpoint: { path: '/collections/people/records', recordsPath: 'data.items' } }));
    expect(sent.status, await sent.clone().text()).toBe(200);
    const answer = (await sent.json()) as { status: number; records: { count: number } | null };
    expect(answer).toMatchObject({ status: 200, records: { count: 1 } });
    // ...and once the access token is gone, the session renews it with the refresh token from the exchange.
    api.tokens.clear();
    const tested = await owner.request(`/api/connections/${connectionId}/test`, post({}));
    expect(((await tested.json()) as { ok: boolean }).ok).toBe(true);
  });

  it('refuses a replayed state (each is taken once) and an unknown one', async () => {
    const url = await start();
    const back = await consent(url, 'approve');
    expect((await callback(owner, back.search.slice(1))).get('oauth')).toBe('connected');
    const again = await callback(owner, back.search.slice(1));
    expect(again.get('oauth')).toBe('failed');
    expect(again.get('message')).toMatch(/unknown or was already used/);
    const unknown = await callback(owner, 'state=not-a-state-of-ours&code=abc');
    expect(unknown.get('message')).toMatch(/unknown or was already used/);
    expect(unknown.has('connection')).toBe(false);
  });

  it('refuses an expired state, and the state is gone afterwards', async () => {
    const url = await start();
    const state = url.searchParams.get('state')!;
    const row = (await store.oauth.take(hashState(state)))!;
    await store.oauth.save({ ...row, expiresAt: new Date(Date.now() - 1000) });
    const back = await consent(url, 'approve');
    const outcome = await callback(owner, back.search.slice(1));
    expect(Object.fromEntries(outcome)).toMatchObject({ oauth: 'failed', connection: connectionId });
    expect(outcome.get('message')).toMatch(/expired/);
    expect(await store.oauth.take(hashState(state))).toBeNull();
  });

  it('refuses a callback for a state someone else started (a link sent to another person)', async () => {
    const url = await start(owner);
    const back = await consent(url, 'approve');
    const outcome = await callback(other, back.search.slice(1));
    expect(outcome.get('oauth')).toBe('failed');
    expect(outcome.get('message')).toMatch(/started by someone else/);
    expect(outcome.has('connection')).toBe(false);
    // The state was taken by that attempt: the rightful person cannot finish it either (they press Connect again).
    expect((await callback(owner, back.search.slice(1))).get('message')).toMatch(/already used/);
  });

  it('says so when the person denies access at the provider', async () => {
    const url = await start();
    const back = await consent(url, 'deny');
    expect(back.searchParams.get('error')).toBe('access_denied');
    const outcome = await callback(owner, back.search.slice(1));
    expect(Object.fromEntries(outcome)).toMatchObject({ oauth: 'failed', connection: connectionId });
    expect(outcome.get('message')).toMatch(/^Access was not approved at the provider: The user denied access/);
  });

  it('refuses hostile parameters with a sentence, never a crash: __proto__, NUL, huge values, none at all', async () => {
    const url = await start();
    const state = url.searchParams.get('state')!;
    const cases: [string, RegExp][] = [
      [`state=${state}&code=a%01b`, /control characters/],
      [`state=${'s'.repeat(100_000)}&code=abc`, /too long/],
      [`state=%1b&code=abc`, /control characters/],
      ['code=abc', /no state/],
      [`state=__proto__&code=__proto__`, /unknown or was already used/],
      [`__proto__=x&constructor=y&state=constructor&code=abc`, /unknown or was already used/],
      [`state=${state}&code=${'c'.repeat(5000)}`, /too long/],
      [`state=${state}`, /no code/],
    ];
    for (const [query, message] of cases) {
      const outcome = await callback(owner, query);
      expect(outcome.get('oauth'), query.slice(0, 80)).toBe('failed');
      expect(outcome.get('message'), query.slice(0, 80)).toMatch(message);
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    // NUL is refused before any route, by the API's own rule for every address.
    for (const query of [`state=${state}&code=a%00b`, 'state=%00&code=abc']) {
      const res = await owner.request(`/api/oauth/callback?${query}`, { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/U\+0000/);
    }
    // The state these attempts named was never taken: the real answer still connects.
    expect((await callback(owner, (await consent(url, 'approve')).search.slice(1))).get('oauth')).toBe('connected');
  });

  it('a code the provider refuses fails with its words, and leaves the stored tokens as they were', async () => {
    const before = await getConnection();
    const url = await start();
    const outcome = await callback(owner, `state=${url.searchParams.get('state')}&code=forged-code`);
    expect(outcome.get('oauth')).toBe('failed');
    expect(outcome.get('message')).toMatch(/invalid_grant: Unknown authorization code/);
    expect((await getConnection()).secretsSet).toEqual(before.secretsSet);
  });

  it('the callback needs a signed-in admin, like the rest of the connection settings', async () => {
    const res = await base.request('/api/oauth/callback?state=a&code=b', { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' } });
    expect(res.status).toBe(401);
    const editor = withHeaders(base, { authorization: `Bearer ${await tokenFor(store, 'editor', 'editor-c')}` });
    expect((await editor.request(`/api/connections/${connectionId}/authorize`, post({}))).status).toBe(403);
  });
});
