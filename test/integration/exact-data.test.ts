// Exact data through the API on the real dev server: names people choose are data (`__proto__`, `constructor`,
// `toString`, `hasOwnProperty` as columns, fields, objects and node ids), ids and big numbers arrive as they left,
// one bad value rejects its record and never its batch, and a run that rejects everything is Failed.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Integration, Page, PublishResult, UploadedFile, WorkspaceRecord, type Graph } from '../../shared';
import { withFilePreview } from '../../shared/graph/kinds/csv-source';
import { json, openApiRig, type ApiRig } from '../support/api-rig';

let rig: ApiRig;
let app: ApiRig['app'];

beforeAll(async () => {
  rig = await openApiRig({ address: inject('temporalAddress'), name: 'exact-data', batchSize: 50 });
  ({ app } = rig);
});
afterAll(async () => {
  await rig?.close();
});

const ODD = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'] as const;

async function uploadFile(name: string, body: string, type = 'text/csv'): Promise<UploadedFile> {
  const res = await app.request(`/api/files?name=${encodeURIComponent(name)}`, { method: 'POST', body, headers: { 'content-type': type } });
  expect(res.status, await res.clone().text()).toBe(201);
  return UploadedFile.parse(await res.json());
}

/** Publishes `graph` and runs it to its end through the API. */
async function runGraph(graph: Graph, name: string) {
  const created = await app.request('/api/integrations', json('POST', { name, graph }));
  expect(created.status, await created.clone().text()).toBe(201);
  const integration = Integration.parse(await created.json());
  const published = await app.request(`/api/integrations/${integration.id}/publish`, json('POST'));
  expect(published.status, await published.clone().text()).toBe(200);
  PublishResult.parse(await published.json());
  const started = await app.request(`/api/integrations/${integration.id}/runs`, json('POST', {}));
  expect(started.status, await started.clone().text()).toBe(202);
  const { runId } = (await started.json()) as { runId: string };
  return { run: await rig.waitForEnd(runId), runId, integrationId: integration.id };
}

function fileGraph(file: UploadedFile, ids: { source: string; map: string; target: string }, object: string, fields: { source: string; target: string; type: 'text' | 'number'; key?: boolean }[], columns = file.columns): Graph {
  return {
    version: 1,
    nodes: [
      {
        id: ids.source,
        kind: 'csv-source',
        label: 'File',
        position: { x: 0, y: 0 },
        config: withFilePreview({ fileId: file.id, fileName: file.name, delimiter: ',', hasHeader: true, columns }),
      },
      { id: ids.map, kind: 'map', label: 'Map', position: { x: 300, y: 0 }, config: { fields: fields.map((f) => ({ ...f, key: f.key ?? false })) } },
      { id: ids.target, kind: 'workspace-target', label: 'Target', position: { x: 600, y: 0 }, config: { object, mode: 'upsert' } },
    ],
    edges: [
      { id: 'e1', source: ids.source, target: ids.map },
      { id: 'e2', source: ids.map, target: ids.target },
    ],
  };
}

const recordsOf = async (object: string) => Page(WorkspaceRecord).parse(await (await app.request(`/api/workspace/objects/${encodeURIComponent(object)}/records?limit=500`)).json());

describe('names people choose are data', () => {
  it('runs columns, fields, an object and node ids named __proto__, constructor, toString and hasOwnProperty', async () => {
    const csv = `${ODD.join(',')}\nk1,a1,b1,c1\nk2,a2,b2,c2\n`;
    const file = await uploadFile('odd-names.csv', csv);
    expect(file.columns.map((c) => c.name)).toEqual([...ODD]);
    const graph = fileGraph(
      file,
      { source: 'constructor', map: 'toString', target: 'hasOwnProperty' },
      'constructor',
      ODD.map((n) => ({ source: n, target: n, type: 'text' as const, key: n === '__proto__' })),
    );
    const { run } = await runGraph(graph, 'Odd names');
    expect(run.status, run.error ?? '').toBe('completed');
    expect(run.counts).toMatchObject({ read: 2, written: 2, rejected: 0 });
    const records = await recordsOf('constructor');
    expect(records.total).toBe(2);
    const first = records.items.find((r) => r.key === 'k1');
    expect(first?.values).toEqual({ __proto__: 'k1', constructor: 'a1', toString: 'b1', hasOwnProperty: 'c1' });
  });
});

describe('values arrive exactly as they left', () => {
  it('keeps leading zeros, ids past 2^53 and long decimals exact into the workspace', async () => {
    const csv = 'id,zip,big,amount\n1,00501,9007199254740993,0.12345678901234567890\n2,02134,12345678901234567890,10.5\n';
    const file = await uploadFile('exact.csv', csv);
    expect(Object.fromEntries(file.columns.map((c) => [c.name, c.type]))).toEqual({ id: 'number', zip: 'text', big: 'text', amount: 'text' });
    // Typed as the person chose: a Number field keeps a value a double cannot hold as its exact decimal text.
    const graph = fileGraph(file, { source: 'source', map: 'map', target: 'target' }, 'exact_values', [
      { source: 'id', target: 'id', type: 'number', key: true },
      { source: 'zip', target: 'zip', type: 'text' },
      { source: 'big', target: 'big', type: 'number' },
      { source: 'amount', target: 'amount', type: 'number' },
    ]);
    const { run } = await runGraph(graph, 'Exact values');
    expect(run.status, run.error ?? '').toBe('completed');
    const records = await recordsOf('exact_values');
    const byKey = Object.fromEntries(records.items.map((r) => [r.key, r.values]));
    expect(byKey['1']).toEqual({ id: 1, zip: '00501', big: '9007199254740993', amount: '0.1234567890123456789' });
    expect(byKey['2']).toEqual({ id: 2, zip: '02134', big: '12345678901234567890', amount: 10.5 });
  });
});
