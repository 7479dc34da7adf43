// Migration 35 (sec16): REST connections saved before the save rule with a credential in their plain settings. Each
// shape is saved as an earlier Weft saved it, migrated, then run against a local API that checks the same credential,
// and read by a viewer: no API answer carries the credential, moved or (where no authentication fits) masked.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../shared';
import { openApiApp, type ApiApp } from '../../test/support/api-app';
import { tokenFor } from '../../test/support/signed-in';
import { connectorLookup, createConnectionService, secretBox } from '../connections';
import { createHostPolicy } from '../connections/host-policy';
import { CONNECTOR_LIST } from '../connectors';

const SECRET = 'sk_live_4f8a9b2c7d1e6f3a';
const BASIC = Buffer.from(`svc:${SECRET}`).toString('base64');
const KEY = randomBytes(32);
let rig: ApiApp;
let api: Server;
let base = '';

/** What each path asks for: the credential, where the shape's connection sends it after the migration. */
const CHECKS: Record<string, (req: IncomingMessage, url: URL) => boolean> = {
  bearer: (req) => req.headers.authorization === `Bearer ${SECRET}`,
  basic: (req) => req.headers.authorization === `Basic ${BASIC}`,
  header: (req) => req.headers['x-api-key'] === SECRET,
  query: (_req, url) => url.searchParams.get('api_key') === SECRET,
  cookie: (req) => req.headers.cookie === `session=${SECRET}`,
};

beforeAll(async () => {
  rig = await openApiApp({ name: 'rest-credentials-migration', maxUploadBytes: 4096 });
  api = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const check = CHECKS[url.pathname.split('/')[1] ?? ''];
    const ok = check?.(req, url) ?? false;
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(ok ? JSON.stringify([{ id: 1, name: 'Ada' }]) : JSON.stringify({ error: 'unauthorized' }));
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await rig?.close();
  await new Promise((r) => api?.close(r));
});

const service = () => createConnectionService({ store: rig.store, secretKey: KEY, connectors: connectorLookup(CONNECTOR_LIST), hosts: createHostPolicy(), warn: () => undefined });

describe('migration 35: credentials kept in REST settings before the rule', () => {
  it('moves each into the sealed secrets where an authentication fits, keeps the connection running, and serves it to nobody', async () => {
    const shapes = [
      { name: 'bearer header', path: 'bearer', config: { headers: [{ name: 'Authorization', value: `Bearer ${SECRET}` }] }, authType: 'bearer' },
      { name: 'basic header', path: 'basic', config: { headers: [{ name: 'X-Tenant', value: 'acme' }, { name: 'Authorization', value: `Basic ${BASIC}` }] }, authType: 'basic' },
      { name: 'api-key header', path: 'header', config: { headers: [{ name: 'X-API-Key', value: SECRET }] }, authType: 'api-key' },
      { name: 'user:pass@', path: 'basic', config: { baseUrlUser: true }, authType: 'basic' },
      { name: '?api_key=', path: 'query', config: { baseUrlQuery: true }, authType: 'api-key' },
      { name: 'cookie (no authentication fits)', path: 'cookie', config: { headers: [{ name: 'Cookie', value: `session=${SECRET}` }] }, authType: 'none' },
    ];
    const svc = service();
    const ids: string[] = [];
    for (const shape of shapes) {
      const { baseUrlUser, baseUrlQuery, ...rest } = shape.config as { baseUrlUser?: boolean; baseUrlQuery?: boolean; headers?: unknown[] };
      const host = new URL(base).host;
      const baseUrl = baseUrlUser ? `http://svc:${SECRET}@${host}/${shape.path}` : baseUrlQuery ? `${base}/${shape.path}?api_key=${SECRET}` : `${base}/${shape.path}`;
      const created = await svc.create({ connector: 'rest', name: `Before the rule: ${shape.name}`, config: { baseUrl: `${base}/${shape.path}`, allowPrivateNetwork: true, objects: [{ name: 'people', path: '' }] }, secrets: {} });
      // As an earlier Weft saved it (no save rule then).
      await rig.store.updateConnection(created.id, { config: { ...created.config, baseUrl, ...rest } });
      ids.push(created.id);
    }

    expect(await rig.store.migrate({ secrets: secretBox(KEY) })).toEqual(expect.arrayContaining([35]));

    const viewer = `Bearer ${await tokenFor(rig.store, 'viewer')}`;
    const listed = await (await rig.anonymous.request('/api/connections', { headers: { authorization: viewer } })).text();
    for (const [i, id] of ids.entries()) {
      const shape = shapes[i]!;
      const stored = (await rig.store.getConnection(id))!;
      expect(stored.config.authType, shape.name).toBe(shape.authType);
      if (shape.authType !== 'none') {
        expect(JSON.stringify(stored.config), shape.name).not.toContain(SECRET);
        expect(JSON.stringify(stored.config), shape.name).not.toContain(BASIC);
      }
      // It still runs, with the same credential.
      const session = await svc.open(id);
      const rows: unknown[] = [];
      for await (const batch of session.read('people', { batchSize: 10 })) rows.push(...batch.rows);
      await session.close();
      expect(rows, shape.name).toEqual([{ id: 1, name: 'Ada' }]);
      const one = await (await rig.anonymous.request(`/api/connections/${id}`, { headers: { authorization: viewer } })).text();
      for (const text of [one, listed]) {
        expect(text, shape.name).not.toContain(SECRET);
        expect(text, shape.name).not.toContain(BASIC);
      }
      if (shape.authType === 'none') expect(Connection.parse(JSON.parse(one)).config.headers).toEqual([{ name: 'Cookie', value: '••••' }]);
    }
    expect((await rig.store.getConnection(ids[1]!))!.config).toMatchObject({ username: 'svc', headers: [{ name: 'X-Tenant', value: 'acme' }] });
    expect((await rig.store.getConnection(ids[4]!))!.config).toMatchObject({ apiKeyName: 'api_key', apiKeyIn: 'query', baseUrl: `${base}/query` });
  });
});
