// A REST API as a source: a connection to a local JSON API (test/support/rest-api-server.ts) with a bearer token, an
// endpoint with cursor pagination described from "Send a test request" (its records path picked from the sample),
// read by a source node, previewed, auto-mapped onto an existing workspace object, published and run on the real Temporal server.
import { resolve } from 'node:path';
import { startRestApiServer, type RestApiServer } from '../support/rest-api-server';
import { connect, expect, saveAndPublishThenRun, screenshotBoth, test } from './helpers';
import { seedWorkspaceObject } from './workspace-seed';

const DOCS = resolve(import.meta.dirname, '../../docs/screenshots');
let api: RestApiServer;

test.beforeAll(async () => {
  api = await startRestApiServer();
  api.collections.set('contacts', {
    columns: [{ name: 'id' }, { name: 'email' }, { name: 'zip' }, { name: 'signed_up' }],
    key: 'id',
    rows: Array.from({ length: 12 }, (_, k) => ({ id: k + 1, email: `person${k + 1}@example.com`, zip: k === 0 ? '00501' : `9${String(k).padStart(4, '0')}`, signed_up: `2026-03-${String(k + 1).padStart(2, '0')}` })),
  });
});
test.afterAll(async () => api?.close());

test('REST endpoint with cursor pagination, from a test request to a run', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const created = await page.request.post('/api/connections', {
    data: { connector: 'rest', name: 'Contacts API', config: { baseUrl: `${api.url}/v1`, authType: 'bearer', allowPrivateNetwork: true }, secrets: { token: 'test-token-0123456789' } },
  });
  expect(created.status(), await created.text()).toBe(201);
  // The workspace object the contacts go to, with one of them already there (updated by the run).
  await seedWorkspaceObject(page.request, {
    object: 'api_contacts',
    csv: 'id,email,zip,signed_up\n1,old@example.com,99999,2020-01-01\n',
    fields: [
      { source: 'id', target: 'id', type: 'number', key: true },
      { source: 'email', target: 'email', type: 'text' },
      { source: 'zip', target: 'zip', type: 'text' },
      { source: 'signed_up', target: 'signed_up', type: 'date' },
    ],
  });

  await page.goto('/');
  await page.getByTestId('nav-connections').click();
  const card = page.getByTestId('connection-card').filter({ hasText: 'Contacts API' });
  await card.getByRole('button', { name: 'Contacts API', exact: true }).click();
  const form = page.getByTestId('connection-form');
  await form.getByTestId('add-endpoint').click();
  await form.getByTestId('endpoint-0-name').fill('contacts');
  await form.getByTestId('endpoint-0-path').fill('/collections/contacts/records');
  await form.getByTestId('endpoint-0-pagination').selectOption('cursor');
  await form.getByTestId('endpoint-0-pageParam').fill('cursor');
  await form.getByTestId('endpoint-0-sizeParam').fill('limit');
  await form.getByTestId('endpoint-0-pageSize').fill('5');
  await form.getByTestId('endpoint-0-send').click();
  const answer = form.getByTestId('endpoint-0-answer');
  await expect(answer).toContainText('200');
  await expect(form.getByTestId('endpoint-0-body')).toContainText('"next_cursor"');
  await expect(form.getByTestId('endpoint-0-body')).not.toContainText('test-token-0123456789');
  // The picker offers the arrays of the sample; the records are at data.items.
  await form.getByTestId('records-path-data.items').click();
  await expect(form.getByTestId('endpoint-0-recordsPath')).toHaveValue('data.items');
  await form.getByTestId('endpoint-0-cursorPath').fill('meta.next_cursor');
  await form.getByTestId('endpoint-0-send').click();
  await expect(form.getByTestId('endpoint-0-fields')).toContainText('5 records at “data.items”');
  await expect(form.getByTestId('endpoint-0-fields')).toContainText('zip (text)');
  await expect(form.getByTestId('endpoint-0-fields')).toContainText('next page');
  await form.getByTestId('endpoint-0-fields').scrollIntoViewIfNeeded();
  await screenshotBoth(page, DOCS, 'rest-test-request');
  await form.getByTestId('save-connection').click();
  await expect(form).toHaveCount(0);

  await page.goto('/');
  await page.getByTestId('new-integration').click();
  await expect(page.getByTestId('canvas')).toBeVisible();
  await page.getByTestId('integration-name').fill('Contacts from the API');
  const canvas = page.getByTestId('canvas');
  await page.getByTestId('palette-sql-source').dragTo(canvas, { targetPosition: { x: 110, y: 220 } });
  await page.getByTestId('palette-map').dragTo(canvas, { targetPosition: { x: 360, y: 220 } });
  await page.getByTestId('palette-workspace-target').dragTo(canvas, { targetPosition: { x: 610, y: 220 } });
  const source = page.getByTestId('node-sql-source');
  const map = page.getByTestId('node-map');
  const target = page.getByTestId('node-workspace-target');
  await connect(page, source, map);
  await connect(page, map, target);

  await source.click();
  const inspector = page.getByTestId('inspector');
  await inspector.getByTestId('connection-select').locator('select').selectOption({ label: 'Contacts API' });
  const objects = inspector.getByTestId('db-object-select').locator('select');
  await expect(objects.locator('option', { hasText: 'contacts' })).toHaveCount(1);
  await objects.selectOption({ value: 'contacts' });
  await inspector.getByTestId('load-preview').click();
  const preview = inspector.getByTestId('sql-preview-table');
  await expect(preview).toContainText('person1@example.com');
  await expect(preview).toContainText('00501');
  await expect(inspector.getByTestId('preview-state')).toHaveText('Previewed');
  await screenshotBoth(page, DOCS, 'rest-source-preview');

  await expect(source.locator('.wnode__kind')).toHaveText('Read REST endpoint');
  await target.click();
  await inspector.getByTestId('workspace-object-input').fill('api_contacts');
  await map.click();
  const mapping = inspector.getByTestId('mapping');
  await mapping.getByTestId('automap-run').click();
  const panel = mapping.getByTestId('automap');
  await expect(panel.getByTestId('automap-suggestion')).toHaveCount(4);
  await expect(panel.getByTestId('automap-unmatched')).toHaveCount(0);
  await panel.getByTestId('automap-accept-all').click();
  await expect(inspector.getByTestId('mapping-row')).toHaveCount(4);
  await expect(inspector.getByLabel('Key 1', { exact: true })).toBeChecked();
  await expect(page.getByTestId('problems')).toHaveText(/No problems/);

  api.log.length = 0;
  await saveAndPublishThenRun(page);
  const steps = page.locator('.step[data-testid^="step-"]');
  await expect(steps.nth(0)).toContainText('12 read');
  await expect(steps.nth(2)).toContainText('11 created');
  await expect(steps.nth(2)).toContainText('1 updated');
  await screenshotBoth(page, DOCS, 'rest-run');
  // Three pages of 5 by cursor: the first without one, the next two with the cursor the API gave.
  const pages = api.log.filter((r) => r.path === '/v1/collections/contacts/records');
  expect(pages.map((r) => r.query.limit)).toEqual(['5', '5', '5']);
  expect(pages[0]!.query.cursor).toBeUndefined();
  expect(pages[1]!.query.cursor).toBeTruthy();

  const records = await page.request.get('/api/workspace/objects/api_contacts/records?limit=20');
  const body = (await records.json()) as { total: number; items: { values: Record<string, unknown> }[] };
  expect(body.total).toBe(12);
  expect(body.items.find((r) => r.values.id === 1)?.values).toEqual({ id: 1, email: 'person1@example.com', zip: '00501', signed_up: '2026-03-01' });
  expect(body.items.find((r) => r.values.id === 12)?.values).toEqual({ id: 12, email: 'person12@example.com', zip: '90011', signed_up: '2026-03-12' });
  expect(pageErrors).toEqual([]);
});
