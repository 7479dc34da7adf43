// A REST connection with an OAuth authorization code, saved through the connection service: the refresh token the
// API rotates is sealed into the stored connection, so the next session (a new run, another worker) uses the new one
// (the old one is refused by the API) and starts from the kept access token without asking for another.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRestApiServer, type RestApiServer } from '../../../test/support/rest-api-server';
import { createHostPolicy } from '../../connections/host-policy';
import { connectorLookup } from '../../connections/registry';
import { createConnectionService } from '../../connections/service';
import { createAddressGuard } from '../../net';
import { openStore } from '../../store';
import type { Store } from '../../store/types';
import { restConnector } from './index';

let store: Store;
let api: RestApiServer;
beforeAll(async () => {
  store = await openStore({ memory: true });
  api = await startRestApiServer();
  api.collections.set('people', { columns: [{ name: 'id' }], key: 'id', rows: [{ id: 1 }] });
});
afterAll(async () => {
  await api?.close();
  await store?.close();
});

it('saves the rotated refresh token and the access token through the connection service', async () => {
  const service = createConnectionService({ store, secretKey: randomBytes(32), connectors: connectorLookup([restConnector]), hosts: createHostPolicy(), guard: createAddressGuard({ allowPrivate: true }), warn: () => undefined });
  const first = api.oauth.refreshToken;
  const saved = await service.create({
    connector: 'rest',
    name: 'OAuth API',
    config: { baseUrl: `${api.url}/v1`, authType: 'oauth2-authorization-code', tokenUrl: `${api.url}/oauth/token`, clientId: api.oauth.clientId, objects: [{ name: 'people', path: '/collections/people/records', recordsPath: 'data.items' }] },
    secrets: { clientSecret: api.oauth.clientSecret, refreshToken: first },
  });
  expect((await service.test(saved.id)).ok).toBe(true);
  expect(api.oauth.refreshToken).not.toBe(first);
  expect((await service.get(saved.id)).secretsSet.sort()).toEqual(['accessToken', 'accessTokenExpiresAt', 'clientSecret', 'refreshToken']);
  // A new session: the kept access token is used as it is (no token request), and works.
  const issued = api.oauth.issued;
  expect((await service.test(saved.id)).ok).toBe(true);
  expect(api.oauth.issued).toBe(issued);
  // The token revoked: the next session renews with the *rotated* refresh token (the first one is refused by now).
  api.tokens.clear();
  const result = await service.test(saved.id);
  expect(result).toMatchObject({ ok: true });
  expect(api.oauth.issued).toBe(issued + 1);
  const tokenRequests = api.log.filter((r) => r.path === '/oauth/token').map((r) => new URLSearchParams(r.body).get('refresh_token'));
  expect(tokenRequests[0]).toBe(first);
  expect(tokenRequests.at(-1)).not.toBe(first);
});
