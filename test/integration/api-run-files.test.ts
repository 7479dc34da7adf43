// Across the parts: a run started with a replacement file reads the replacement, not the published file, on a
// worker on the real Temporal dev server; the run keeps the file, and its page can download the same bytes.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Integration, Page, PublishResult, RunDetail, StartRunResult, UploadedFile, WorkspaceRecord, type Graph } from '../../shared';
import { customersCsv, customersGraph } from '../support/temporal-harness';
import { json, openApiRig, type ApiRig } from '../support/api-rig';

const OBJECT = `run_files_${randomBytes(4).toString('hex')}`;
let rig: ApiRig;
let app: ApiRig['app'];

beforeAll(async () => {
  rig = await openApiRig({ address: inject('temporalAddress'), name: 'api-run-files', batchSize: 2 });
  ({ app } = rig);
});

afterAll(async () => {
  await rig?.close();
});

async function upload(name: string, body: string): Promise<UploadedFile> {
  const res = await app.request(`/api/files?name=${encodeURIComponent(name)}`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
  expect(res.status).toBe(201);
  return UploadedFile.parse(await res.json());
}

async function runToEnd(integrationId: string, files?: Record<string, string>): Promise<RunDetail> {
  const res = await app.request(`/api/integrations/${integrationId}/runs`, json('POST', files ? { files } : {}));
  expect(res.status).toBe(202);
  const { runId } = StartRunResult.parse(await res.json());
  return rig.waitForEnd(runId);
}

async function emails(): Promise<string[]> {
  const page = Page(WorkspaceRecord).parse(await (await app.request(`/api/workspace/objects/${OBJECT}/records?limit=100`)).json());
  return page.items.map((r) => r.key).sort();
}

describe('a run with a replacement file on the real dev server', () => {
  it('reads the replacement (another format, other column order), keeps it with the run, and reads the published file again next time', async () => {
    const publishedCsv = customersCsv(
      ['ann', 'bob', 'cy', 'di'].map((n, i) => ({ email: `${n}@published.io`, name: n, amount: String(i * 10), active: 'true' })),
    );
    const publishedFile = await upload('customers.csv', publishedCsv);
    const graph: Graph = customersGraph({ fileId: publishedFile.id, object: OBJECT });
    const created = Integration.parse(await (await app.request('/api/integrations', json('POST', { name: 'Replaced files', graph }))).json());
    const publish = await app.request(`/api/integrations/${created.id}/publish`, json('POST'));
    expect(publish.status).toBe(200);
    PublishResult.parse(await publish.json());

    // JSON, records under data.items, fields in another order and one more field.
    const march = JSON.stringify({
      data: {
        items: [
          { Active: true, Amount: 31, Name: 'Eve', Email: 'eve@march.io', Notes: 'new' },
          { Active: false, Amount: 32, Name: 'Fay', Email: 'fay@march.io', Notes: '' },
          { Active: true, Amount: 33, Name: 'Gus', Email: 'gus@march.io', Notes: 'vip' },
        ],
      },
    });
    const marchFile = await upload('march.json', march);
    expect(marchFile).toMatchObject({ format: 'json', recordsPath: 'data.items' });
    const first = await runToEnd(created.id, { source: marchFile.id });
    expect(first.error).toBeNull();
    expect(first.status).toBe('completed');
    expect(first.counts).toMatchObject({ read: 3, written: 3, created: 3, rejected: 0 });
    expect(first.files).toEqual([expect.objectContaining({ nodeId: 'source', fileId: marchFile.id, name: 'march.json', format: 'json', replaced: true })]);
    expect(await emails()).toEqual(['eve@march.io', 'fay@march.io', 'gus@march.io']);
    const eve = Page(WorkspaceRecord).parse(await (await app.request(`/api/workspace/objects/${OBJECT}/records?search=eve`)).json()).items[0];
    expect(eve?.values).toMatchObject({ email: 'eve@march.io', name: 'Eve', amount: 31, active: true });

    // A CSV whose columns are in another order, with an extra one: read by the header, not by position.
    const aprilCsv = 'Active,Notes,Amount,Email,Name\ntrue,x,41,hal@april.io,Hal\nfalse,,42,ivy@april.io,Ivy\n';
    const aprilFile = await upload('april.csv', aprilCsv);
    const second = await runToEnd(created.id, { source: aprilFile.id });
    expect(second.status).toBe('completed');
    expect(second.counts).toMatchObject({ read: 2, created: 2, rejected: 0 });
    const hal = Page(WorkspaceRecord).parse(await (await app.request(`/api/workspace/objects/${OBJECT}/records?search=hal`)).json()).items[0];
    expect(hal?.values).toMatchObject({ email: 'hal@april.io', name: 'Hal', amount: 41, active: true });

    // Without a replacement, the published file is read.
    const third = await runToEnd(created.id);
    expect(third.status).toBe('completed');
    expect(third.counts).toMatchObject({ read: 4, created: 4 });
    expect(third.files).toEqual([expect.objectContaining({ fileId: publishedFile.id, replaced: false })]);
    expect(await emails()).toHaveLength(9);

    // The first run still offers the file it read, byte for byte.
    const again = RunDetail.parse(await (await app.request(`/api/runs/${first.id}`)).json());
    expect(again.files.map((f) => f.fileId)).toEqual([marchFile.id]);
    const download = await app.request(`/api/files/${marchFile.id}/download`);
    expect(download.status).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(march).digest('hex'));
  });
});
