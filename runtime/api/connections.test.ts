// Connections through app.request(): a fake connector stands in for a database, so every failure kind can be staged.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ApiError, Connection, ConnectionTestResult, ConnectorInfo, type Graph } from '../../shared';
import { connectorLookup } from '../connections';
import { ConnectorError, defineConnector, type ConnectorSession } from '../connectors/types';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { asOwner } from '../../test/support/signed-in';
import { createApi } from './app';
import { testConnections } from '../../test/support/connections';

const PASSWORD = 'S3cr3t-Pa55!';
const TOKEN = 'tok_9f8e7d6c5b4a';

/** A pretend database: the host decides what test() does, so each failure can be provoked. */
const fake = defineConnector({
  manifest: {
    id: 'fakedb',
    name: 'Fake DB',
    icon: 'database',
    description: 'A database that exists only in tests',
    capabilities: ['read', 'write', 'discover'],
    config: z.object({
      host: z.string().min(1, 'Host is required').meta({ title: 'Host' }),
      port: z.number().int().min(1).max(65535).default(5432),
      database: z.string().min(1),
      ssl: z.boolean().default(false),
    }),
    secrets: z.object({ password: z.string().optional(), token: z.string().optional() }),
  },
  async open(config, secrets) {
    const session: ConnectorSession = {
      async test() {
        switch (config.host) {
          case 'good':
            if (secrets.password !== PASSWORD) throw new ConnectorError('auth', `password authentication failed for user "weft" (password "${secrets.password}")`);
            return;
          case 'down':
            throw new ConnectorError('unreachable', `connect ECONNREFUSED ${config.host}:${config.port}`);
          case 'nodb':
            throw new ConnectorError('not_found', `database "${config.database}" does not exist`);
          case 'tls':
            throw new ConnectorError('tls', 'The server does not support SSL connections');
          case 'hang':
            return new Promise<void>(() => undefined);
          default:
            throw new Error(`driver crashed with token=${secrets.token ?? ''} and ${encodeURIComponent(secrets.password ?? '')}`);
        }
      },
      discover: async () => [],
      read: async function* () {},
      write: async () => [],
      close: async () => undefined,
    };
    return session;
  },
});

let store: Store;
let app: ReturnType<typeof createApi>;
const bodies: string[] = [];
const logged: string[] = [];

beforeAll(async () => {
  store = await openStore({ memory: true });
  app = createApi({
    store,
    launcher: { start: async () => ({ workflowId: 'w' }) },
    filesDir: '/nonexistent',
    maxUploadBytes: 1024,
    connections: testConnections(store, { connectors: [fake], filesDir: '/nonexistent' }),
  });
  app = await asOwner(app, store);
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
  }
});
afterAll(async () => {
  vi.restoreAllMocks();
  await store.close();
});
afterEach(() => {
  // No response, and no log line, ever carries a secret value.
  for (const text of [...bodies, ...logged]) {
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(encodeURIComponent(PASSWORD));
  }
});

async function call(method: string, path: string, body?: unknown) {
  const res = await app.request(`/api${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  bodies.push(text);
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null };
}

let seq = 0;
const settings = (host = 'good', extra: Record<string, unknown> = {}) => ({
  connector: 'fakedb',
  name: `Orders DB ${++seq}`,
  config: { host, database: 'orders', ...extra },
  secrets: { password: PASSWORD, token: TOKEN },
});

async function createConnection(host = 'good') {
  const res = await call('POST', '/connections', settings(host));
  expect(res.status).toBe(201);
  return Connection.parse(res.json);
}

describe('connectors', () => {
  it('lists manifests with JSON Schemas for the forms', async () => {
    const res = await call('GET', '/connectors');
    expect(res.status).toBe(200);
    const [info] = z.array(ConnectorInfo).parse(res.json);
    expect(info).toMatchObject({ id: 'fakedb', name: 'Fake DB', icon: 'database', capabilities: ['read', 'write', 'discover'], secretFields: ['password', 'token'] });
    expect(info!.config).toMatchObject({ type: 'object', properties: { host: { type: 'string', title: 'Host' }, port: { default: 5432 } }, required: ['host', 'database'] });
  });

  it('documents every connection route in the OpenAPI document', async () => {
    const doc = (await call('GET', '/openapi.json')).json as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/connectors', '/api/connections', '/api/connections/test', '/api/connections/{id}', '/api/connections/{id}/test', '/api/connections/{id}/duplicate']),
    );
  });
});

describe('connections', () => {
  it('creates, reads, lists, renames and deletes, reporting which secrets are set but never their values', async () => {
    const created = await createConnection();
    expect(created).toMatchObject({ connector: 'fakedb', config: { host: 'good', port: 5432, database: 'orders', ssl: false }, secretsSet: ['password', 'token'], lastTest: null, usedBy: [] });
    expect(created.id).toMatch(/^con_/);
    expect(Connection.parse((await call('GET', `/connections/${created.id}`)).json)).toEqual(created);
    expect(z.array(Connection).parse((await call('GET', '/connections')).json).map((c) => c.id)).toContain(created.id);

    const renamed = await call('PUT', `/connections/${created.id}`, { name: 'Orders (prod)' });
    expect(renamed.status).toBe(200);
    expect(Connection.parse(renamed.json)).toMatchObject({ name: 'Orders (prod)', secretsSet: ['password', 'token'] });

    expect((await call('DELETE', `/connections/${created.id}`)).status).toBe(204);
    expect((await call('GET', `/connections/${created.id}`)).status).toBe(404);
    expect((await call('DELETE', `/connections/${created.id}`)).status).toBe(404);
  });

  it('stores the secrets encrypted', async () => {
    const created = await createConnection();
    const stored = await store.getConnection(created.id);
    expect(stored?.secrets).toMatch(/^v1:/);
    expect(JSON.stringify(stored)).not.toContain(PASSWORD);
  });

  it('names the bad field: the body, the config and the secrets', async () => {
    const missing = await call('POST', '/connections', { connector: 'fakedb', name: '  ', config: {} });
    expect(missing.status).toBe(400);
    expect(ApiError.parse(missing.json).error.issues?.map((i) => i.path)).toContain('name');

    const badConfig = await call('POST', '/connections', { ...settings(), config: { host: '', port: 'x' }, secrets: { password: 7 } });
    expect(badConfig.status).toBe(400);
    const err = ApiError.parse(badConfig.json).error;
    expect(err.message).toMatch(/^Invalid connection settings: config\.host: Host is required/);
    expect(err.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(['config.host', 'config.port', 'config.database', 'secrets.password']));

    const unknown = await call('POST', '/connections', { ...settings(), connector: 'oracle' });
    expect(unknown.status).toBe(400);
    expect(ApiError.parse(unknown.json).error.issues).toEqual([{ path: 'connector', message: 'Unknown system "oracle"' }]);
  });

  it('refuses a second connection with the same name', async () => {
    const first = await createConnection();
    const res = await call('POST', '/connections', { ...settings(), name: first.name });
    expect(res.status).toBe(409);
    expect(ApiError.parse(res.json).error).toMatchObject({ code: 'name_taken', issues: [{ path: 'name' }] });
  });

  it('keeps an omitted secret, replaces a given one and clears one set to null or ""', async () => {
    const c = await createConnection();
    const kept = Connection.parse((await call('PUT', `/connections/${c.id}`, { config: { host: 'good', database: 'sales' }, secrets: {} })).json);
    expect(kept).toMatchObject({ config: { database: 'sales' }, secretsSet: ['password', 'token'] });
    expect(ConnectionTestResult.parse((await call('POST', `/connections/${c.id}/test`)).json).ok).toBe(true);

    const cleared = Connection.parse((await call('PUT', `/connections/${c.id}`, { secrets: { token: null } })).json);
    expect(cleared.secretsSet).toEqual(['password']);
    const emptied = Connection.parse((await call('PUT', `/connections/${c.id}`, { secrets: { password: '' } })).json);
    expect(emptied.secretsSet).toEqual([]);
    const replaced = Connection.parse((await call('PUT', `/connections/${c.id}`, { secrets: { password: PASSWORD } })).json);
    expect(replaced.secretsSet).toEqual(['password']);
    expect(ConnectionTestResult.parse((await call('POST', `/connections/${c.id}/test`)).json).ok).toBe(true);
  });

  it('duplicates as "Copy of …" with the secrets', async () => {
    const c = await createConnection();
    const first = await call('POST', `/connections/${c.id}/duplicate`);
    expect(first.status).toBe(201);
    const copy = Connection.parse(first.json);
    expect(copy).toMatchObject({ name: `Copy of ${c.name}`, config: c.config, secretsSet: ['password', 'token'], lastTest: null });
    expect(copy.id).not.toBe(c.id);
    expect(Connection.parse((await call('POST', `/connections/${c.id}/duplicate`)).json).name).toBe(`Copy of ${c.name} (2)`);
    expect(ConnectionTestResult.parse((await call('POST', `/connections/${copy.id}/test`)).json)).toEqual({ ok: true, code: null, message: 'Connected' });
    expect((await call('POST', '/connections/con_missing/duplicate')).status).toBe(404);
  });

  it('refuses to delete a connection an integration uses, naming the integrations', async () => {
    const c = await createConnection();
    const graph = (ids: string[]): Graph => ({
      version: 1,
      nodes: ids.map((connectionId, i) => ({ id: `n${i}`, kind: 'db-source', position: { x: 0, y: 0 }, config: { connectionId } })),
      edges: [],
    });
    const orders = await store.createIntegration({ name: 'Orders sync', description: '', graph: graph([c.id]) });
    const contacts = await store.createIntegration({ name: 'Contacts', description: '', graph: graph([c.id, c.id]) });

    const listed = Connection.parse((await call('GET', `/connections/${c.id}`)).json);
    expect(listed.usedBy).toEqual([
      { id: contacts.id, name: 'Contacts' },
      { id: orders.id, name: 'Orders sync' },
    ]);
    const refused = await call('DELETE', `/connections/${c.id}`);
    expect(refused.status).toBe(409);
    expect(ApiError.parse(refused.json).error).toMatchObject({ code: 'connection_in_use', message: 'Used by: Contacts, Orders sync. Remove the connection from those integrations before deleting it.' });

    await store.deleteIntegration(orders.id);
    await store.deleteIntegration(contacts.id);
    expect((await call('DELETE', `/connections/${c.id}`)).status).toBe(204);
  });

  it('refuses to delete a connection a member system reads its users through (ui13)', async () => {
    const c = await createConnection();
    const system = await store.members.createSystem({ name: `crm_${c.id.slice(-6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`, connectionId: c.id, source: { type: 'table', table: 'public.owners', idColumn: 'id', emailColumn: 'email', nameColumn: 'name' } });
    const refused = await call('DELETE', `/connections/${c.id}`);
    expect(refused.status).toBe(409);
    expect(ApiError.parse(refused.json).error).toMatchObject({ code: 'connection_in_use', message: expect.stringContaining(`The member system "${system.name}" reads its users through this connection`) });
    await store.members.deleteSystem(system.id);
    expect((await call('DELETE', `/connections/${c.id}`)).status).toBe(204);
  });
});

describe('testing a connection', () => {
  it('records success on a saved connection', async () => {
    const c = await createConnection();
    const res = await call('POST', `/connections/${c.id}/test`);
    expect(res.status).toBe(200);
    expect(ConnectionTestResult.parse(res.json)).toEqual({ ok: true, code: null, message: 'Connected' });
    expect(Connection.parse((await call('GET', `/connections/${c.id}`)).json).lastTest).toMatchObject({ status: 'ok', message: null });
  });

  it.each([
    ['down', 'unreachable', /^Host unreachable: connect ECONNREFUSED down:5432\. Check the host and port/],
    ['nodb', 'not_found', /^Database not found: database "orders" does not exist\. Check the database name\./],
    ['tls', 'tls', /^Secure connection \(TLS\) refused: The server does not support SSL connections\. Check the TLS/],
  ])('says what went wrong when the host is %s', async (host, code, message) => {
    const c = await createConnection(host);
    const result = ConnectionTestResult.parse((await call('POST', `/connections/${c.id}/test`)).json);
    expect(result).toMatchObject({ ok: false, code });
    expect(result.message).toMatch(message);
    const lastTest = Connection.parse((await call('GET', `/connections/${c.id}`)).json).lastTest;
    expect(lastTest).toMatchObject({ status: 'failed', message: result.message });
  });

  it('masks a password the system echoes back in its error', async () => {
    const c = await createConnection();
    await call('PUT', `/connections/${c.id}`, { secrets: { password: `${PASSWORD}x` } });
    const result = ConnectionTestResult.parse((await call('POST', `/connections/${c.id}/test`)).json);
    expect(result).toMatchObject({ ok: false, code: 'auth' });
    expect(result.message).toBe('Wrong user name or password: password authentication failed for user "weft" (password "••••"). Check the user name and password.');
    const crashed = ConnectionTestResult.parse((await call('POST', '/connections/test', settings('other'))).json);
    expect(crashed).toMatchObject({ ok: false, code: 'unknown', message: 'Connection failed: driver crashed with token=•••• and ••••' });
  });

  it('tests unsaved settings, or saved secrets with changed settings', async () => {
    const { name: _, ...unsaved } = settings();
    expect(ConnectionTestResult.parse((await call('POST', '/connections/test', unsaved)).json).ok).toBe(true);
    const wrong = ConnectionTestResult.parse((await call('POST', '/connections/test', { ...unsaved, secrets: { password: 'nope' } })).json);
    expect(wrong).toMatchObject({ ok: false, code: 'auth' });

    const c = await createConnection();
    const withSaved = await call('POST', '/connections/test', { connector: 'fakedb', config: { host: 'good', database: 'x' }, secrets: {}, connectionId: c.id });
    expect(ConnectionTestResult.parse(withSaved.json).ok).toBe(true);
    // Saved credentials are never sent to a server typed in since: a changed host tests without them.
    const elsewhere = await call('POST', '/connections/test', { connector: 'fakedb', config: { host: 'attacker.example', database: 'orders' }, secrets: {}, connectionId: c.id });
    expect(ConnectionTestResult.parse(elsewhere.json).ok).toBe(false);
    const moved = await call('PUT', `/connections/${c.id}`, { config: { host: 'other-host', database: 'orders' } });
    expect(moved.status).toBe(400);
    expect(ApiError.parse(moved.json).error.message).toMatch(/enter the credentials again/);
    const movedWithPassword = await call('PUT', `/connections/${c.id}`, { config: { host: 'good', database: 'other' }, secrets: {} });
    expect(movedWithPassword.status).toBe(200);
    const bad = await call('POST', '/connections/test', { connector: 'fakedb', config: { host: '' } });
    expect(bad.status).toBe(400);
    expect(ApiError.parse(bad.json).error.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(['config.host', 'config.database']));
  });

  it('gives up after the timeout', async () => {
    const { createConnectionService } = await import('../connections');
    const service = createConnectionService({ store, secretKey: randomBytes(32), connectors: connectorLookup([fake]), testTimeoutMs: 50 });
    const result = await service.testUnsaved({ connector: 'fakedb', config: { host: 'hang', database: 'x' }, secrets: {} });
    expect(result).toMatchObject({ ok: false, code: 'timeout' });
    expect(result.message).toMatch(/^Timed out: No answer within 50 ms\. The server did not answer in time/);
  });

  it('answers 404 for a missing connection', async () => {
    expect((await call('POST', '/connections/con_missing/test')).status).toBe(404);
  });
});
