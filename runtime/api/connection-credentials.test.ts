// A REST connection's settings are plain (stored unsealed, read by every viewer): a credential typed into them, as a
// default header, a user name and password in an address or a query parameter named like a key, would be served to
// anyone who may read connections. Such settings are refused, naming the field and where the credential belongs (probe19).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, Connection } from '../../shared';
import { openApiApp, type ApiApp } from '../../test/support/api-app';
import { tokenFor } from '../../test/support/signed-in';
import { testConnections } from '../../test/support/connections';

const SECRET = 'sk_live_4f8a9b2c7d1e6f3a';
let rig: ApiApp;

beforeAll(async () => {
  rig = await openApiApp({ name: 'connection-credentials', maxUploadBytes: 4096 });
});
afterAll(async () => {
  await rig?.close();
});

const rest = (config: Record<string, unknown>, name = `REST ${Math.random()}`) =>
  rig.app.request('/api/connections', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ connector: 'rest', name, config: { baseUrl: 'https://api.example.com/v1', ...config } }) });

describe('credentials in a REST connection’s plain settings', () => {
  it.each([
    ['a default Authorization header', { headers: [{ name: 'Authorization', value: `Bearer ${SECRET}` }] }, 'config.headers.0.name'],
    ['a default X-API-Key header', { headers: [{ name: 'X-Tenant', value: 'acme' }, { name: 'x-api-key', value: SECRET }] }, 'config.headers.1.name'],
    ['a default Cookie header', { headers: [{ name: 'Cookie', value: `session=${SECRET}` }] }, 'config.headers.0.name'],
    ['a user name and password in the base URL', { baseUrl: `https://svc:${SECRET}@api.example.com/v1` }, 'config.baseUrl'],
    ['an api_key in the base URL', { baseUrl: `https://api.example.com/v1?api_key=${SECRET}` }, 'config.baseUrl'],
    ['a Google-style ?key= in the base URL', { baseUrl: `https://maps.example.com/api?key=${SECRET}` }, 'config.baseUrl'],
    ['an access_token in an endpoint path', { objects: [{ name: 'contacts', path: `/contacts?status=active&access_token=${SECRET}` }] }, 'config.objects.0.path'],
    ['a password in the token URL', { authType: 'oauth2-client-credentials', tokenUrl: `https://u:${SECRET}@auth.example.com/token` }, 'config.tokenUrl'],
  ])('refuses %s, naming the field, and keeps nothing', async (_what, config, field) => {
    const before = (await rig.store.listConnections()).length;
    const res = await rest(config);
    expect(res.status).toBe(400);
    const body = ApiError.parse(await res.json());
    expect(body.error.issues?.map((i) => i.path)).toContain(field);
    expect(body.error.issues?.find((i) => i.path === field)?.message).toMatch(/secret/);
    expect(JSON.stringify(body)).not.toContain(SECRET);
    expect((await rig.store.listConnections()).length).toBe(before);
  });

  it('refuses a password in a HubSpot base URL (the same rule for every connector with an address)', async () => {
    const res = await rig.app.request('/api/connections', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ connector: 'hubspot', name: 'HubSpot', config: { baseUrl: `https://proxy:${SECRET}@hubspot-proxy.example.com` }, secrets: { accessToken: 'pat-na1-0000000000' } }) });
    expect(res.status).toBe(400);
    expect(ApiError.parse(await res.json()).error.issues?.map((i) => i.path)).toContain('config.baseUrl');
  });

  it('keeps plain headers and query parameters, and serves them to a viewer without any credential', async () => {
    const res = await rest({ headers: [{ name: 'X-Tenant', value: 'acme' }, { name: 'Accept-Language', value: 'en' }], objects: [{ name: 'contacts', path: '/contacts?status=active&keyword=x' }], authType: 'api-key', apiKeyName: 'X-API-Key' }, 'Plain');
    expect(res.status).toBe(201);
    const created = Connection.parse(await res.json());
    const viewer = await rig.anonymous.request(`/api/connections/${created.id}`, { headers: { authorization: `Bearer ${await tokenFor(rig.store, 'viewer')}` } });
    expect(viewer.status).toBe(200);
    expect(Connection.parse(await viewer.json()).config.headers).toEqual([{ name: 'X-Tenant', value: 'acme' }, { name: 'Accept-Language', value: 'en' }]);
  });

  it('still opens a connection saved with a credential header before the rule, and asks for the fix at its next save of settings', async () => {
    // A connection saved by an earlier Weft: its scheduled runs must go on (the rule is checked on save, not on open).
    const service = testConnections(rig.store);
    const created = await service.create({ connector: 'rest', name: 'Saved before the rule', config: { baseUrl: 'https://api.example.com/v1' }, secrets: {} });
    const headers = [{ name: 'Authorization', value: `Bearer ${SECRET}` }];
    await rig.store.updateConnection(created.id, { config: { ...created.config, headers } });
    const session = await service.open(created.id);
    await session.close();
    // Renaming keeps working; changing its settings asks for the credential to move to Authentication.
    expect((await service.update(created.id, { name: 'Renamed' })).name).toBe('Renamed');
    await expect(service.update(created.id, { config: { ...created.config, headers, timeoutSeconds: 20 } })).rejects.toMatchObject({ issues: expect.arrayContaining([expect.objectContaining({ path: 'config.headers.0.name' })]) });
  });

  // review15a: Duplicate saved the copy with no save rule, so a header kept from before the rule went into a new
  // connection's plain settings.
  it('refuses to duplicate a connection whose settings were saved with a credential before the rule', async () => {
    const service = testConnections(rig.store);
    const created = await service.create({ connector: 'rest', name: 'Copied before the rule', config: { baseUrl: 'https://api.example.com/v1' }, secrets: {} });
    await rig.store.updateConnection(created.id, { config: { ...created.config, headers: [{ name: 'X-Tenant', value: 'acme' }, { name: 'Authorization', value: `Bearer ${SECRET}` }] } });
    const before = (await rig.store.listConnections()).length;
    const res = await rig.app.request(`/api/connections/${created.id}/duplicate`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(ApiError.parse(await res.json()).error.issues?.map((i) => i.path)).toContain('config.headers.1.name');
    expect((await rig.store.listConnections()).length).toBe(before);
    // One without a credential is copied as before.
    await rig.store.updateConnection(created.id, { config: { ...created.config, headers: [{ name: 'X-Tenant', value: 'acme' }] } });
    expect((await rig.app.request(`/api/connections/${created.id}/duplicate`, { method: 'POST' })).status).toBe(201);
  });

  it('refuses a credential header added to a saved connection, leaving it as it was', async () => {
    const created = Connection.parse(await (await rest({}, 'Saved')).json());
    const res = await rig.app.request(`/api/connections/${created.id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ config: { ...created.config, headers: [{ name: 'X-Auth-Token', value: SECRET }] } }) });
    expect(res.status).toBe(400);
    expect(JSON.stringify((await rig.store.getConnection(created.id))?.config)).not.toContain(SECRET);
  });
});
