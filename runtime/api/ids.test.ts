// Ids and query strings holding %00 (or control characters) name nothing: every route with an id answers 400 or
// 404, never 500, and never quotes SQL. Walks every route of the OpenAPI document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createApi } from './app';
import { openApiApp, type ApiApp } from '../../test/support/api-app';

let app: ReturnType<typeof createApi>;
let rig: ApiApp;

beforeAll(async () => {
  rig = await openApiApp({ name: 'ids', maxUploadBytes: 4096 });
  ({ app } = rig);
});
afterAll(async () => {
  await rig?.close();
});

const BAD_IDS = ['%00', 'run_%00x', 'a%01b', '%E0%A4%A'];
const LEAKS = /select |insert |update .* set|failed query|params:|\/tmp\/|pglite/i;

async function routes(): Promise<{ method: string; path: string }[]> {
  const doc = (await (await app.request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })));
}

describe('ids and query strings with %00', () => {
  it('answer 400 or 404 on every route with an id, without SQL', async () => {
    const withIds = (await routes()).filter((r) => /\{(id|name)\}/.test(r.path));
    expect(withIds.length).toBeGreaterThan(15);
    for (const r of withIds) {
      for (const bad of BAD_IDS) {
        const url = `/api${r.path.replace(/^\/api/, '').replace(/\{(id|name)\}/g, bad)}`;
        const res = await app.request(url, { method: r.method, body: r.method === 'GET' || r.method === 'DELETE' ? undefined : '{}', headers: { 'content-type': 'application/json' } });
        const text = await res.text();
        expect([400, 404], `${r.method} ${url}: ${res.status} ${text}`).toContain(res.status);
        expect(text, `${r.method} ${url}`).not.toMatch(LEAKS);
      }
    }
  });

  it('answer 400 for %00 in a query string, on every GET route', async () => {
    for (const r of (await routes()).filter((x) => x.method === 'GET')) {
      const url = `/api${r.path.replace(/^\/api/, '').replace(/\{(id|name)\}/g, 'x')}?limit=%00&search=a%00b&nodeId=%00`;
      const res = await app.request(url);
      const text = await res.text();
      expect(res.status, `${url}: ${text}`).toBe(400);
      expect(text).not.toMatch(LEAKS);
    }
  });

  it('an upload whose sample holds U+0000 is stored (shown as ␀), not refused with the SQL that failed', async () => {
    const body = JSON.stringify([{ id: 1, note: 'a\u0000b' }, { id: 2, note: 'ok' }]);
    const res = await app.request('/api/files?name=nul.json', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    expect(text).not.toMatch(LEAKS);
    expect((JSON.parse(text) as { sampleRows: { note: string }[] }).sampleRows[0]?.note).toBe('a\u2400b');
  });

  it('answer 400, not 500, for U+0000 in an id inside a JSON body', async () => {
    const res = await app.request('/api/connections', { method: 'POST', body: JSON.stringify({ connector: 'postgres\u0000', name: 'x\u0000', config: {}, secrets: {} }), headers: { 'content-type': 'application/json' } });
    expect([400, 404, 422]).toContain(res.status);
    expect(await res.text()).not.toMatch(LEAKS);
  });
});
