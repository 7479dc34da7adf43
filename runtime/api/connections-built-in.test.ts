// Built-in connectors (the workspace, uploaded files) are used by nodes directly: the connections API neither
// offers them as a new connection nor accepts one, with the real registry.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError, ConnectionTestResult, ConnectorInfo } from '../../shared';
import { connectorInfo } from '../connections';
import { CONNECTOR_LIST } from '../connectors';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { asOwner } from '../../test/support/signed-in';
import { createApi } from './app';
import { testConnections } from '../../test/support/connections';

let store: Store;
let app: ReturnType<typeof createApi>;

beforeAll(async () => {
  store = await openStore({ memory: true });
  app = createApi({
    store,
    launcher: { start: async () => ({ workflowId: 'w' }) },
    filesDir: '/nonexistent',
    maxUploadBytes: 1024,
    connections: testConnections(store, { filesDir: '/nonexistent' }),
  });
  app = await asOwner(app, store);
});
afterAll(async () => {
  await store.close();
});

const post = (path: string, body: unknown) => app.request(`/api${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('built-in connectors in the connections API', () => {
  it('lists only the systems that need a connection', async () => {
    const res = await app.request('/api/connectors');
    expect(res.status).toBe(200);
    const ids = z.array(ConnectorInfo).parse(await res.json()).map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['postgres', 'mysql']));
    expect(ids).not.toContain('workspace');
    // A built-in connector with secrets to hold (Files: a PGP private key) is offered, for that.
    expect(ids).toContain('files');
    for (const c of CONNECTOR_LIST) expect([c.manifest.id, ids.includes(c.manifest.id)]).toEqual([c.manifest.id, !c.manifest.builtIn || connectorInfo(c).secretFields.length > 0]);
  });

  it('refuses to save or test a connection to the workspace, saying it needs none', async () => {
    for (const [path, body] of [
      ['/connections', { connector: 'workspace', name: 'My workspace', config: {}, secrets: {} }],
      ['/connections/test', { connector: 'workspace', config: {}, secrets: {} }],
    ] as const) {
      const res = await post(path, body);
      expect(res.status).toBe(400);
      const { error } = ApiError.parse(await res.json());
      expect(error).toMatchObject({ code: 'invalid_request', message: 'Weft workspace is built into Weft: sources and targets use it directly, without a connection.' });
    }
    expect(await store.listConnections()).toEqual([]);
  });

  it('tests a Files connection and says what it proved', async () => {
    // filesDir here is /nonexistent, which root can create: use a real temporary folder for this one.
    const dir = await mkdtemp(join(tmpdir(), 'weft-files-test-'));
    try {
      const filesApp = await asOwner(createApi({
        store,
        launcher: { start: async () => ({ workflowId: 'w' }) },
        filesDir: dir,
        maxUploadBytes: 1024,
        connections: testConnections(store, { filesDir: dir }),
      }), store);
      const res = await filesApp.request('/api/connections/test', { method: 'POST', body: JSON.stringify({ connector: 'files', config: {}, secrets: {} }), headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(200);
      expect(ConnectionTestResult.parse(await res.json())).toEqual({
        ok: true,
        code: null,
        message: 'Weft can read and write its files folder. No PGP key is set: encrypted files cannot be read with this connection.',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
