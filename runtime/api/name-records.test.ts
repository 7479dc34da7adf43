// Names people choose are data through the shared schemas: zod's `z.record` drops a `__proto__` key when it parses,
// so every record keyed by user names (workspace values, sample rows, previews, rejected records, compile schemas,
// the plan's value maps) is parsed with `nameRecord`, which keeps it. Through app.request(), as the web client parses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fixture from '../../test/fixtures/graphs/csv-map-workspace.json';
import { withFilePreview } from '../../shared/graph/kinds/file-source';
import { compileFormula, Integration, Page, Plan, PublishResult, RejectedRecord, UploadedFile, WorkspaceRecord, type Graph } from '../../shared';
import { FilePreview } from '../../shared/api/files';
import { WorkspacePreview } from '../../shared/api/workspace-preview';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { asOwner } from '../../test/support/signed-in';
import { createApi } from './app';
import { testConnections } from '../../test/support/connections';

let store: Store;
let app: ReturnType<typeof createApi>;

beforeAll(async () => {
  store = await openStore({ memory: true });
  app = createApi({ store, launcher: { start: async () => ({ workflowId: 'w' }) }, filesDir: '/nonexistent', maxUploadBytes: 4096, connections: testConnections(store, { filesDir: '/nonexistent' }) });
  app = await asOwner(app, store);
});
afterAll(async () => store?.close());

const post = (path: string, body: unknown) => app.request(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('records keyed by names people choose', () => {
  it('keep `__proto__` and `constructor` keys parsed from JSON, in every such schema', () => {
    const values = JSON.parse('{"__proto__": 1, "constructor": 2}') as Record<string, unknown>;
    expect(Object.keys(values)).toEqual(['__proto__', 'constructor']);
    const at = '2026-01-01T00:00:00.000Z';
    const record = WorkspaceRecord.parse({ key: 'k', values, createdAt: at, updatedAt: at });
    const rejected = RejectedRecord.parse({ id: 'r', runId: 'run', nodeId: 'n', rowNumber: 1, source: values, mapped: values, reason: 'x', createdAt: at });
    const sample = UploadedFile.shape.sampleRows.parse([JSON.parse('{"__proto__": "1", "constructor": "2"}')]);
    const previews = [FilePreview.shape.rows.parse([values]), WorkspacePreview.shape.rows.parse([values])];
    const maps = Plan.shape.valueMaps.parse(JSON.parse('{"__proto__": {"__proto__": "P", "constructor": "C"}}'));
    for (const parsed of [record.values, rejected.source, rejected.mapped!, sample[0]!, ...previews.map((p) => p[0]!)]) {
      expect(Object.keys(parsed)).toEqual(['__proto__', 'constructor']);
      expect(JSON.stringify(parsed)).toMatch(/^\{"__proto__":"?1"?,"constructor":"?2"?\}$/);
      // The key is data: the prototype is untouched.
      expect(Object.getPrototypeOf(parsed) === null || Object.getPrototypeOf(parsed) === Object.prototype).toBe(true);
    }
    expect(Object.keys(maps)).toEqual(['__proto__']);
    expect(Object.entries(Object.getOwnPropertyDescriptor(maps, '__proto__')!.value as object)).toEqual([
      ['__proto__', 'P'],
      ['constructor', 'C'],
    ]);
    // Values are still validated: a sample cell must be text.
    expect(UploadedFile.shape.sampleRows.safeParse([JSON.parse('{"__proto__": 1}')]).success).toBe(false);
  });

  it('a workspace record with a `__proto__` field survives the API and the web client\'s parse', async () => {
    const row = JSON.parse('{"__proto__": "k1", "constructor": "a1", "toString": "b1"}') as Record<string, unknown>;
    const fields = ['__proto__', 'constructor', 'toString'].map((name) => ({ name, type: 'text' as const }));
    await store.writeWorkspace({ object: 'odd_names', key: ['__proto__'], fields, mode: 'upsert', rows: [row] });
    const res = await app.request('/api/workspace/objects/odd_names/records');
    expect(res.status, await res.clone().text()).toBe(200);
    const page = Page(WorkspaceRecord).parse(await res.json());
    expect(page.items).toHaveLength(1);
    const values = page.items[0]!.values;
    expect(Object.keys(values).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(values, '__proto__')?.value).toBe('k1');
    expect(values.constructor).toBe('a1');
    expect(values.toString).toBe('b1');
  });

  it('a value map with a `__proto__` entry survives publish, and LOOKUP finds it in the published plan', async () => {
    const graph = structuredClone(fixture) as Graph;
    graph.nodes[0]!.config = withFilePreview({ ...graph.nodes[0]!.config });
    // Publishing checks the uploaded file exists (probe18): the fixture's, as stored.
    await store.saveFile({ id: String(graph.nodes[0]!.config.fileId), name: 'customers.csv', size: 5, sha256: '0'.repeat(64), columns: [], delimiter: ',', sampleRows: [], format: 'csv', compression: 'none', path: '/nonexistent/customers.csv', createdAt: new Date().toISOString() });
    graph.valueMaps = [{ name: 'codes', entries: [{ from: '__proto__', to: 'P' }, { from: 'toString', to: 'T' }, { from: 'a', to: 'A' }] }];
    const created = await post('/api/integrations', { name: 'Odd value maps', graph });
    expect(created.status, await created.clone().text()).toBe(201);
    const integration = Integration.parse(await created.json());
    const published = await post(`/api/integrations/${integration.id}/publish`, {});
    expect(published.status, await published.clone().text()).toBe(200);
    const { version } = PublishResult.parse(await published.json());
    const codes = version.plan.valueMaps.codes!;
    expect(Object.keys(codes).sort()).toEqual(['__proto__', 'a', 'toString']);
    // What the activity and the workflow do with the stored plan: parse it again.
    const stored = Plan.parse((await store.getVersion(version.id))!.plan);
    for (const plan of [version.plan, stored]) {
      const lookup = (key: string) => {
        const f = compileFormula(`LOOKUP(${JSON.stringify(key)}, "codes", "none")`, { fields: [], valueMaps: plan.valueMaps });
        if (!f.ok) throw new Error(JSON.stringify(f.diagnostics));
        return f.evaluate({});
      };
      expect(lookup('__proto__')).toEqual({ ok: true, value: 'P' });
      expect(lookup('toString')).toEqual({ ok: true, value: 'T' });
      expect(lookup('constructor')).toEqual({ ok: true, value: 'none' });
    }
  });
});
