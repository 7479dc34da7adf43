// Hostile designs through the API (probe18): a graph is an open record under each node's config, so what a caller
// may send there is bounded by the request, not by the kind's schema. Each bad design answers 400 naming what is
// wrong, and nothing is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fixture from '../../test/fixtures/graphs/workspace-map-workspace.json';
import { ApiError } from '../../shared';
import { openApiApp, type ApiApp } from '../../test/support/api-app';
import { MAX_JSON_BODY_DEPTH } from './body-limit';

let rig: ApiApp;
beforeAll(async () => {
  rig = await openApiApp({ name: 'hostile-designs', maxUploadBytes: 4096 });
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
    expect(ApiError.parse(await created.json()).error.message).toMatch(/nests 5,00\d levels deep; Weft reads JSON at most 128 levels deep/);
    expect(await storedNames()).not.toContain('Deep');

    // Deep but within the bound: saved as sent.
    const plain = await send('POST', '/integrations', withHole('Plain', nested(MAX_JSON_BODY_DEPTH - 10)));
    expect(plain.status).toBe(201);
    const { id, graph } = (await plain.json()) as { id: string; graph: unknown };
    const saved = await send('PUT', `/integrations/${id}`, `{"graph":${graphWith(nested(5000))}}`);
    expect(saved.status).toBe(400);
    expect(ApiError.parse(await saved.json()).error.message).toMatch(/nests 5,00\d levels deep/);
    expect((await rig.store.getIntegration(id))?.graph).toEqual(graph);

    const compiled = await send('POST', '/compile', `{"graph":${graphWith(nested(100_000))}}`);
    expect(compiled.status).toBe(400);
    expect(ApiError.parse(await compiled.json()).error.message).toMatch(/nests 100,00\d levels deep/);
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
