// The Workspace source's preview through app.request(): the first records through the workspace connector, its filter applied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared';
import { WorkspacePreview } from '../../shared/api/workspace-preview';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { asOwner } from '../../test/support/signed-in';
import { createApi } from './app';
import { testConnections } from '../../test/support/connections';

let store: Store;
let app: ReturnType<typeof createApi>;
const fields = [
  { name: 'email', type: 'text' as const },
  { name: 'amount', type: 'number' as const },
];

beforeAll(async () => {
  store = await openStore({ memory: true });
  app = createApi({ store, launcher: { start: async () => ({ workflowId: 'w' }) }, filesDir: '/nonexistent', maxUploadBytes: 1024, connections: testConnections(store, { filesDir: '/nonexistent' }) });
  app = await asOwner(app, store);
  await store.writeWorkspace({ object: 'deals', key: ['email'], fields, mode: 'upsert', rows: Array.from({ length: 30 }, (_, k) => ({ email: `d${String(k).padStart(2, '0')}`, amount: k })) });
});
afterAll(async () => store?.close());

const preview = (name: string, body: unknown) => app.request(`/api/workspace/objects/${name}/preview`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('POST /api/workspace/objects/:name/preview', () => {
  it('returns the first 10 records in key order, or the first 10 the filter keeps', async () => {
    const all = WorkspacePreview.parse(await (await preview('deals', {})).json());
    expect(all.rows.map((r) => r.email)).toEqual(Array.from({ length: 10 }, (_, k) => `d0${k}`));
    const res = await preview('deals', { filter: '[amount] > 25' });
    expect(res.status).toBe(200);
    expect(WorkspacePreview.parse(await res.json()).rows).toEqual([26, 27, 28, 29].map((k) => ({ email: `d${k}`, amount: k })));
    expect(WorkspacePreview.parse(await (await preview('deals', { filter: '[amount] > 99' })).json()).rows).toEqual([]);
  });

  it('answers 422 for a filter that is not a TRUE/FALSE formula, and 404 for a missing object', async () => {
    const bad = await preview('deals', { filter: '[amount] + 1' });
    expect(bad.status).toBe(422);
    expect(ApiError.parse(await bad.json()).error).toMatchObject({ code: 'invalid_query', message: expect.stringMatching(/^The filter on deals is not a TRUE\/FALSE formula/) });
    const missing = await preview('nothing_here', {});
    expect(missing.status).toBe(404);
    expect(ApiError.parse(await missing.json()).error.message).toBe('Workspace object "nothing_here" was not found');
  });
});
