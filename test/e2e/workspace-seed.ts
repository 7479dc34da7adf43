// A workspace object made the way a person would: a CSV uploaded and run through file → Map → workspace object, so a
// spec that auto-maps onto it finds its attributes (names, types, key) already there.
import type { APIRequestContext } from '@playwright/test';
import { graphFixture, withPreviewedFile } from '../support/graph-fixtures';
import { expect } from './helpers';

export async function seedWorkspaceObject(request: APIRequestContext, opts: { object: string; csv: string; fields: { source: string; target: string; type: string; key?: boolean }[] }): Promise<void> {
  const up = await request.post(`/api/files?name=${opts.object}.csv`, { data: opts.csv, headers: { 'content-type': 'text/csv' } });
  expect(up.status(), await up.text()).toBe(201);
  const file = (await up.json()) as { id: string; columns: { name: string; type: string }[] };
  const graph = withPreviewedFile(
    graphFixture('customers-file-map-workspace', {
      source: { fileId: file.id, fileName: `${opts.object}.csv`, columns: file.columns },
      map: { fields: opts.fields.map((f) => ({ key: false, ...f })) },
      target: { object: opts.object },
    }),
  );
  const created = await request.post('/api/integrations', { data: { name: `Seed ${opts.object}`, graph } });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  expect((await request.post(`/api/integrations/${id}/publish`, { data: {} })).status()).toBe(200);
  const started = await request.post(`/api/integrations/${id}/runs`, { data: {} });
  expect(started.status(), await started.text()).toBe(202);
  const { runId } = (await started.json()) as { runId: string };
  await expect.poll(async () => ((await (await request.get(`/api/runs/${runId}`)).json()) as { status: string }).status, { timeout: 60_000 }).toBe('completed');
}
