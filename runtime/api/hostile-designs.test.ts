// Hostile designs through the API (probe18): a graph is an open record under each node's config, so what a caller
// may send there is bounded by the request, not by the kind's schema. Each bad design answers 400 naming what is
// wrong, and nothing is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fixture from '../../test/fixtures/graphs/workspace-map-workspace.json';
import csvFixture from '../../test/fixtures/graphs/csv-map-workspace.json';
import { ApiError, UploadedFile, type Graph } from '../../shared';
import { withFilePreview } from '../../shared/graph/kinds/csv-source';
import { openApiApp, type ApiApp } from '../../test/support/api-app';
import { MAX_JSON_BODY_DEPTH } from './body-limit';

let rig: ApiApp;
beforeAll(async () => {
  rig = await openApiApp({ name: 'hostile-designs', maxUploadBytes: 64 * 1024 });
});
afterAll(async () => rig?.close());

/** Sends `body` as written (JSON text), so nesting and escapes arrive as a client sent them. */
const send = (method: string, path: string, body: string) => rig.app.request(`/api${path}`, { method, body, headers: { 'content-type': 'application/json' } });
/** The fixture's design as JSON text, with `raw` (JSON text) as an extra member of the map node's config. */
const graphWith = (raw: string) => {
  const graph = JSON.parse(JSON.stringify(fixture)) as { nodes: { config: Record<string, unknown> }[] };
  graph.nodes[1]!.config.extra = 'HOLE';
  return JSON.stringify(graph).replace('"HOLE"', raw);
};
const withHole = (name: string, raw: string) => `{"name":${JSON.stringify(name)},"graph":${graphWith(raw)}}`;
const nested = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
const storedNames = async () => (await rig.store.listIntegrations()).map((i) => i.name);

describe('a node config nested thousands of levels deep', () => {
  it('is refused with 400 naming the depth on create, save and compile, and nothing is stored', async () => {
    const created = await send('POST', '/integrations', withHole('Deep', nested(5000)));
    expect(created.status).toBe(400);
    expect(ApiError.parse(await created.json()).error.message).toBe('The request body nests objects or arrays more than 128 levels deep, more than Weft reads');
    expect(await storedNames()).not.toContain('Deep');

    // Deep but within the bound: saved as sent.
    const plain = await send('POST', '/integrations', withHole('Plain', nested(MAX_JSON_BODY_DEPTH - 10)));
    expect(plain.status).toBe(201);
    const { id, graph } = (await plain.json()) as { id: string; graph: unknown };
    const saved = await send('PUT', `/integrations/${id}`, `{"graph":${graphWith(nested(5000))}}`);
    expect(saved.status).toBe(400);
    expect(ApiError.parse(await saved.json()).error.message).toMatch(/nests objects or arrays more than 128 levels deep/);
    expect((await rig.store.getIntegration(id))?.graph).toEqual(graph);

    const compiled = await send('POST', '/compile', `{"graph":${graphWith(nested(100_000))}}`);
    expect(compiled.status).toBe(400);
    expect(ApiError.parse(await compiled.json()).error.message).toMatch(/nests objects or arrays more than 128 levels deep/);
  });
});

describe('half of a character (a lone surrogate) in a design', () => {
  it('answers 400, not 500, for a node label or a target field name holding one, and stores nothing', async () => {
    for (const [name, hostile] of [
      ['Label', (g: string) => g.replace('"label":"Map"', '"label":"a\\ud800b"')],
      ['Field', (g: string) => g.replace('"target":"amount"', '"target":"a\\udc00"')],
    ] as const) {
      const body = hostile(withHole(name, '1'));
      expect(body).toMatch(/\\ud[8c]00/);
      const res = await send('POST', '/integrations', body);
      const text = await res.text();
      expect(res.status, text).toBe(400);
      expect(ApiError.parse(JSON.parse(text)).error.message).toMatch(/half of a character/);
      expect(text).not.toMatch(/insert into|failed query/i);
      expect(await storedNames()).not.toContain(name);
    }
  });
});

describe('half of a character in a name kept in a text column (review15b)', () => {
  it('is refused with 400 for an integration name, a description and a connection name, not saved as U+FFFD', async () => {
    const cases = [
      ['POST', '/integrations', `{"name":"x\\ud800y","graph":${JSON.stringify(fixture)}}`],
      ['POST', '/integrations', `{"name":"Lone low","description":"d\\udc00","graph":${JSON.stringify(fixture)}}`],
      ['POST', '/integrations', `{"name":"High then high \\ud83d\\ud83d","graph":${JSON.stringify(fixture)}}`],
      ['POST', '/connections', '{"connector":"postgres","name":"c\\ud800","config":{"host":"127.0.0.1","port":5432,"database":"postgres","user":"postgres","sslMode":"disable","schema":"public"},"secrets":{"password":""}}'],
    ] as const;
    for (const [method, path, body] of cases) {
      const res = await send(method, path, body);
      const text = await res.text();
      expect(res.status, `${path} ${body.slice(0, 60)}: ${text}`).toBe(400);
      expect(ApiError.parse(JSON.parse(text)).error.message).toMatch(/half of a character/);
    }
    const names = [...(await storedNames()), ...(await rig.store.listConnections()).map((c) => c.name)];
    expect(names.filter((n) => n.includes('\ufffd'))).toEqual([]);
    // A whole character written as its two escapes, and a backslash before a u, are kept as sent.
    const whole = await send('POST', '/integrations', `{"name":"Smile \\ud83d\\ude00 \\\\ud800","graph":${JSON.stringify(fixture)}}`);
    expect(whole.status, await whole.clone().text()).toBe(201);
    expect(await storedNames()).toContain('Smile \u{1F600} \\ud800');
  });
});

describe('a design naming a connection that does not exist', () => {
  it('is refused at publish and flagged by POST /compile, naming the node and the path; a saved connection publishes', async () => {
    await rig.store.writeWorkspace({ object: 'rows', key: ['email'], fields: [{ name: 'email', type: 'text' }, { name: 'amount', type: 'number' }], mode: 'upsert', rows: [{ email: 'a@x', amount: 1 }] });
    const saved = await rig.app.request('/api/connections', {
      method: 'POST',
      body: JSON.stringify({ connector: 'postgres', name: 'Warehouse', config: { host: '127.0.0.1', port: 5432, database: 'postgres', user: 'postgres', sslMode: 'disable', schema: 'public' }, secrets: { password: '' } }),
      headers: { 'content-type': 'application/json' },
    });
    expect(saved.status, await saved.clone().text()).toBe(201);
    const { id: connectionId } = (await saved.json()) as { id: string };
    const graphTo = (id: string) => {
      const graph = JSON.parse(JSON.stringify(fixture)) as { nodes: Record<string, unknown>[] };
      graph.nodes[2] = { id: 'target', kind: 'sql-target', position: { x: 0, y: 0 }, config: { connectionId: id, connector: 'postgres', object: 'public.t', mode: 'upsert', columns: [{ name: 'email', type: 'text' }, { name: 'amount', type: 'number' }], key: ['email'] } };
      return graph;
    };
    for (const id of ['conn_nope', '__proto__', 'constructor']) {
      const compiled = await send('POST', '/compile', JSON.stringify({ graph: graphTo(id) }));
      const { ok, diagnostics } = (await compiled.json()) as { ok: boolean; diagnostics: { code: string; nodeId?: string; path?: string; message: string }[] };
      expect(ok).toBe(false);
      expect(diagnostics).toContainEqual(expect.objectContaining({ code: 'unknown-connection', nodeId: 'target', path: 'connectionId', message: `The connection "${id}" does not exist (deleted, or never saved here): choose a saved connection` }));

      const created = await send('POST', '/integrations', JSON.stringify({ name: `To ${id}`, graph: graphTo(id) }));
      const { id: integrationId } = (await created.json()) as { id: string };
      const published = await rig.app.request(`/api/integrations/${integrationId}/publish`, { method: 'POST' });
      expect(published.status).toBe(422);
      expect(ApiError.parse(await published.json()).error.diagnostics).toContainEqual(expect.objectContaining({ code: 'unknown-connection' }));
      expect((await rig.store.getIntegration(integrationId))?.publishedVersionId).toBeNull();
    }

    const created = await send('POST', '/integrations', JSON.stringify({ name: 'To the warehouse', graph: graphTo(connectionId) }));
    const { id: integrationId } = (await created.json()) as { id: string };
    expect((await rig.app.request(`/api/integrations/${integrationId}/publish`, { method: 'POST' })).status).toBe(200);
  });
});

describe('a file source naming an uploaded file that does not exist', () => {
  it('is refused at publish and flagged by POST /compile at fileId; the uploaded file publishes', async () => {
    const graphOf = (fileId: string) => {
      const graph = structuredClone(csvFixture) as Graph;
      // Stamped as previewed, as a client that never loaded the preview can stamp it.
      graph.nodes[0]!.config = withFilePreview({ ...graph.nodes[0]!.config, fileId });
      return graph;
    };
    for (const fileId of ['file_nope', '__proto__', 'file_\u0000']) {
      const compiled = await send('POST', '/compile', JSON.stringify({ graph: graphOf(fileId) }));
      expect(compiled.status).toBe(200);
      const { diagnostics } = (await compiled.json()) as { diagnostics: { code: string; nodeId?: string; path?: string }[] };
      expect(diagnostics).toContainEqual(expect.objectContaining({ code: 'unknown-file', nodeId: 'source', path: 'fileId' }));
    }
    const created = await send('POST', '/integrations', JSON.stringify({ name: 'From a lost file', graph: graphOf('file_nope') }));
    const { id } = (await created.json()) as { id: string };
    const refused = await rig.app.request(`/api/integrations/${id}/publish`, { method: 'POST' });
    expect(refused.status).toBe(422);
    expect(ApiError.parse(await refused.json()).error.diagnostics).toContainEqual(expect.objectContaining({ code: 'unknown-file', message: 'The uploaded file "file_nope" does not exist (deleted, or never uploaded here): upload the file again' }));

    const up = await rig.app.request('/api/files?name=c.csv', { method: 'POST', body: 'Email,Full Name,Plan,MRR,Signed Up,Active\na@x.io,Ann,Pro,10,2026-01-02,true\n', headers: { 'content-type': 'text/csv' } });
    const file = UploadedFile.parse(await up.json());
    expect((await send('PUT', `/integrations/${id}`, JSON.stringify({ graph: graphOf(file.id) }))).status).toBe(200);
    expect((await rig.app.request(`/api/integrations/${id}/publish`, { method: 'POST' })).status).toBe(200);
  });
});
