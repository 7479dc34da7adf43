// Across the parts: upload, publish and run through the HTTP API, executed by a worker on the real
// Temporal dev server, then read back as sync history, rejected records, SSE and workspace records.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Integration, Page, PublishResult, RejectedRecord, UploadedFile, WorkspaceRecord, type Graph } from '../../shared';
import { customersGraph } from '../support/temporal-harness';
import { json, openApiRig, type ApiRig } from '../support/api-rig';

let rig: ApiRig;
let app: ApiRig['app'];
const waitForEnd = (runId: string) => rig.waitForEnd(runId);

beforeAll(async () => {
  rig = await openApiRig({ address: inject('temporalAddress'), name: 'api-run', batchSize: 7 });
  ({ app } = rig);
});

afterAll(async () => {
  await rig?.close();
});

describe('a run through the API on the real dev server', () => {
  it('writes the good rows, records the malformed and unconvertible ones, and ends completed with errors', async () => {
    const good = Array.from({ length: 40 }, (_, i) => `user${i}@example.com,User ${i},${i * 10},true`);
    const csv = [
      'Email,Name,Amount,Active',
      ...good.slice(0, 20),
      'broken@example.com,Broken,5,true,EXTRA', // malformed: 5 values for 4 columns
      'typo@example.com,Typo,lots,true', // Amount is not a number
      ',No Email,3,true', // no primary key: the workspace refuses it
      ...good.slice(20),
    ].join('\n');
    const upload = await app.request('/api/files?name=customers.csv', { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } });
    expect(upload.status).toBe(201);
    const file = UploadedFile.parse(await upload.json());

    const graph: Graph = customersGraph({ fileId: file.id, object: 'api_customers' });
    const created = Integration.parse(await (await app.request('/api/integrations', json('POST', { name: 'API run', graph }))).json());
    const published = PublishResult.parse(await (await app.request(`/api/integrations/${created.id}/publish`, json('POST'))).json());
    expect(published.version.number).toBe(1);

    const started = await app.request(`/api/integrations/${created.id}/runs`, json('POST', { params: { note: 'from test' } }));
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };

    // Progress arrives over SSE until the run ends.
    const events = await app.request(`/api/runs/${runId}/events`);
    expect(events.headers.get('content-type')).toMatch(/text\/event-stream/);
    const stream = await events.text();
    expect(stream).toMatch(/event: run\n/);
    expect(stream).toMatch(/event: end\ndata: completed_with_errors/);

    const run = await waitForEnd(runId);
    expect(run.status).toBe('completed_with_errors');
    expect(run.params).toEqual({ note: 'from test' });
    expect(run.counts).toEqual({ read: 43, written: 40, created: 40, updated: 0, unchanged: 0, rejected: 3 });
    const byNode = Object.fromEntries(run.steps.map((s) => [s.nodeId, s]));
    expect(byNode.source).toMatchObject({ status: 'completed_with_errors', counts: expect.objectContaining({ rejected: 1 }) });
    expect(byNode.map).toMatchObject({ status: 'completed_with_errors', counts: expect.objectContaining({ rejected: 1 }) });
    expect(byNode.target).toMatchObject({ status: 'completed_with_errors', counts: expect.objectContaining({ created: 40, written: 40, rejected: 1 }) });

    const rejected = Page(RejectedRecord).parse(await (await app.request(`/api/runs/${runId}/rejected`)).json());
    expect(rejected.total).toBe(3);
    const reasons = rejected.items.map((r) => `${r.nodeId}#${r.rowNumber}: ${r.reason}`).sort();
    expect(reasons[0]).toMatch(/^map#22: Amount: "lots" is not a number/);
    expect(reasons[1]).toMatch(/^source#21: .*5 values.*4/);
    expect(reasons[2]).toMatch(/^target#23: .*email/i);
    // A record the target refused shows the values the source read, and what the Map made of them.
    const keyless = rejected.items.find((r) => r.nodeId === 'target');
    expect(keyless?.source).toMatchObject({ Name: 'No Email', Amount: '3' });
    expect(keyless?.mapped).toMatchObject({ name: 'No Email', amount: 3, email: null });
    expect(rejected.items.find((r) => r.nodeId === 'map')?.source).toMatchObject({ Email: 'typo@example.com', Amount: 'lots' });

    const records = Page(WorkspaceRecord).parse(await (await app.request('/api/workspace/objects/api_customers/records?limit=100')).json());
    expect(records.total).toBe(40);
    expect(records.items.find((r) => r.key === 'user7@example.com')?.values).toMatchObject({ name: 'User 7', amount: 70, active: true });

    // A second run of the same file changes nothing: every record is unchanged.
    const again = (await (await app.request(`/api/integrations/${created.id}/runs`, json('POST', {}))).json()) as { runId: string };
    const second = await waitForEnd(again.runId);
    expect(second.counts).toMatchObject({ read: 43, created: 0, updated: 0, unchanged: 40, rejected: 3 });
    const history = (await (await app.request(`/api/integrations/${created.id}/runs`)).json()) as { total: number; items: { id: string }[] };
    expect(history.total).toBe(2);
    expect(history.items[0]?.id).toBe(again.runId);
  });
});

describe('run parameters', () => {
  it('reach formulas as PARAM(name): each run computes with its own, and a missing one is blank', async () => {
    const csv = ['Email,Name,Amount,Active', 'a@example.com,A,1,true', 'b@example.com,B,2,false'].join('\n');
    const file = UploadedFile.parse(await (await app.request('/api/files?name=params.csv', { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } })).json());
    const graph: Graph = customersGraph({ fileId: file.id, object: 'param_customers' });
    const map = graph.nodes.find((n) => n.id === 'map')!;
    const fields = (map.config as { fields: object[] }).fields;
    fields.push({ from: 'formula', formula: 'PARAM("region") & "-" & [Name]', target: 'region', type: 'text', key: false });
    const created = Integration.parse(await (await app.request('/api/integrations', json('POST', { name: 'Params', graph }))).json());
    const published = await app.request(`/api/integrations/${created.id}/publish`, json('POST'));
    expect(published.status, await published.clone().text()).toBe(200);

    const first = (await (await app.request(`/api/integrations/${created.id}/runs`, json('POST', { params: { region: 'EMEA' } }))).json()) as { runId: string };
    expect((await waitForEnd(first.runId)).status).toBe('completed');
    const read = async () => Page(WorkspaceRecord).parse(await (await app.request('/api/workspace/objects/param_customers/records?limit=10')).json()).items;
    expect((await read()).map((r) => r.values.region).sort()).toEqual(['EMEA-A', 'EMEA-B']);

    const second = (await (await app.request(`/api/integrations/${created.id}/runs`, json('POST', { params: { region: 'APAC' } }))).json()) as { runId: string };
    expect((await waitForEnd(second.runId)).counts).toMatchObject({ updated: 2 });
    expect((await read()).map((r) => r.values.region).sort()).toEqual(['APAC-A', 'APAC-B']);

    const third = (await (await app.request(`/api/integrations/${created.id}/runs`, json('POST', {}))).json()) as { runId: string };
    expect((await waitForEnd(third.runId)).status).toBe('completed');
    expect((await read()).map((r) => r.values.region).sort()).toEqual(['-A', '-B']);
  });
});
