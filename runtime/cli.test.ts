// `npm run weft -- token create` on a real on-disk store: the printed token signs API requests in with its role.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApi } from './api/app';
import { openStore } from './store';
import { testConnections } from '../test/support/connections';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) =>
  run(join(root, 'node_modules/.bin/tsx'), [join(root, 'runtime/cli.ts'), ...args], {
    cwd: root,
    env: { ...process.env, WEFT_DATA_DIR: dir, DATABASE_URL: '', PORT: '1' },
  });

it('creates a token that works as Authorization: Bearer with its role', { timeout: 120_000 }, async () => {
  const { stdout } = await cli('token', 'create', '--name', 'deploy bot', '--role', 'editor');
  const token = stdout.trim();
  expect(token).toMatch(/^weft_[\w-]{40,}$/);
  const store = await openStore({ dataDir: dir });
  try {
    const app = createApi({ store, launcher: { start: async () => ({ workflowId: 'w' }) }, filesDir: join(dir, 'files'), maxUploadBytes: 1024, connections: testConnections(store, { filesDir: join(dir, 'files') }), });
    const auth = { authorization: `Bearer ${token}` };
    expect((await app.request('/api/integrations', { headers: auth })).status).toBe(200);
    expect((await app.request('/api/users', { headers: auth })).status).toBe(403);
    const [info] = await store.auth.listTokens();
    expect(info).toMatchObject({ name: 'deploy bot', role: 'editor', createdBy: 'cli' });
    expect(JSON.stringify(await store.auth.listTokens())).not.toContain(token);
  } finally {
    await store.close();
  }
});

it('refuses an unknown role or a missing name with the usage', async () => {
  await expect(cli('token', 'create', '--name', 'x', '--role', 'owner')).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--role must be one of admin, editor, operator, viewer/) });
  await expect(cli('token', 'create', '--role', 'viewer')).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--name/) });
});

it('creates a trigger token of one integration with --integration, which triggers only that integration', { timeout: 120_000 }, async () => {
  const seeded = await openStore({ dataDir: dir });
  const integration = await seeded.createIntegration({ name: 'Trigger me', description: '', graph: { version: 1, nodes: [], edges: [] } as never });
  await seeded.close();
  const { stdout, stderr } = await cli('token', 'create', '--name', 'erp', '--integration', integration.id);
  const token = stdout.trim();
  expect(token).toMatch(/^weft_trg_[\w-]{40,}$/);
  expect(stderr).toContain(`POST /api/integrations/${integration.id}/trigger`);
  const store = await openStore({ dataDir: dir });
  try {
    const app = createApi({ store, launcher: { start: async () => ({ workflowId: 'w' }) }, filesDir: join(dir, 'files'), maxUploadBytes: 1024, connections: testConnections(store, { filesDir: join(dir, 'files') }) });
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    // The token is good for this integration (which is not published yet: 409), and no principal anywhere else.
    const res = await app.request(`/api/integrations/${integration.id}/trigger`, { method: 'POST', headers: auth, body: '{}' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_published');
    expect((await app.request('/api/integrations', { headers: auth })).status).toBe(401);
    expect(await store.ops.listTriggerTokens(integration.id)).toEqual([expect.objectContaining({ name: 'erp', createdBy: 'cli' })]);
  } finally {
    await store.close();
  }
  await expect(cli('token', 'create', '--name', 'x', '--integration', 'int_missing')).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/No integration has the id "int_missing"/) });
  await expect(cli('token', 'create', '--name', 'x', '--integration', integration.id, '--role', 'viewer')).rejects.toMatchObject({ code: 2 });
});
