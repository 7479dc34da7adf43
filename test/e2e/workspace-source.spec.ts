// A workspace object as a source: an object written by a first run is picked in the inspector, filtered with a
// formula tried on its first records, previewed, written to another workspace object, published and run.
import { resolve } from 'node:path';
import { type APIRequestContext } from '@playwright/test';
import { graphFixture, withPreviewedFile } from '../support/graph-fixtures';
import { connect, expect, saveAndPublishThenRun, SHOTS, test } from './helpers';

const CUSTOMERS = [
  ['ada@example.com', 'Ada Lovelace', 1200, true],
  ['alan@example.com', 'Alan Turing', 80, true],
  ['grace@example.com', 'Grace Hopper', 560, false],
  ['katherine@example.com', 'Katherine Johnson', 2400, true],
  ['linus@example.com', 'Linus Torvalds', 35, false],
  ['margaret@example.com', 'Margaret Hamilton', 990, true],
] as const;
const CSV = `Email,Name,Amount,Active\n${CUSTOMERS.map((c) => c.join(',')).join('\n')}\n`;
const big = CUSTOMERS.filter(([, , amount, active]) => active && amount > 500);

/** Writes the workspace object `customers` with a first integration run through the API. */
async function seedCustomers(request: APIRequestContext) {
  const up = await request.post('/api/files?name=customers.csv', { data: CSV, headers: { 'content-type': 'text/csv' } });
  expect(up.status()).toBe(201);
  const file = (await up.json()) as { id: string; columns: { name: string; type: string }[] };
  const graph = withPreviewedFile(graphFixture('customers-file-map-workspace', { source: { fileId: file.id, columns: file.columns } }));
  const created = await request.post('/api/integrations', { data: { name: 'Customers file to workspace', graph } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  expect((await request.post(`/api/integrations/${id}/publish`, { data: {} })).status()).toBe(200);
  const started = await request.post(`/api/integrations/${id}/runs`, { data: {} });
  expect(started.status(), await started.text()).toBe(202);
  const { runId } = (await started.json()) as { runId: string };
  await expect.poll(async () => ((await (await request.get(`/api/runs/${runId}`)).json()) as { status: string }).status, { timeout: 60_000 }).toBe('completed');
}

test('pick a workspace object, filter it with a formula, preview, publish and run into another object', async ({ page, request }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await seedCustomers(request);

  await page.goto('/');
  await page.getByTestId('new-integration').click();
  await expect(page.getByTestId('canvas')).toBeVisible();
  await page.getByTestId('integration-name').fill('Big customers');

  const canvas = page.getByTestId('canvas');
  await expect(page.getByTestId('palette-workspace-source')).toContainText('Read workspace object');
  await page.getByTestId('palette-workspace-source').dragTo(canvas, { targetPosition: { x: 140, y: 220 } });
  await page.getByTestId('palette-workspace-target').dragTo(canvas, { targetPosition: { x: 520, y: 220 } });
  const source = page.getByTestId('node-workspace-source');
  const target = page.getByTestId('node-workspace-target');
  await connect(page, source, target);

  await source.click();
  const inspector = page.getByTestId('inspector');
  await expect(source.getByTestId('node-summary')).toHaveText('Choose an object');
  await inspector.getByTestId('workspace-source-object').locator('select').selectOption({ value: 'customers' });
  await expect(inspector.getByTestId('workspace-source-hint')).toHaveText('4 fields · key: email · read in key order, resumable');
  await expect(source.getByTestId('node-summary')).toHaveText('customers · all records');

  // The preview reads the object's first records through the workspace connector.
  const preview = inspector.getByTestId('workspace-preview');
  await expect(preview.getByTestId('workspace-preview-row')).toHaveCount(CUSTOMERS.length);

  // A typo in the filter is marked at once; the fixed filter is tried on each record, then applied by the preview.
  const editor = inspector.getByTestId('formula-editor');
  await expect(editor).toHaveAttribute('data-ready', 'true');
  await editor.locator('.monaco-editor').click();
  await page.keyboard.type('[active] AND [amont] > 500', { delay: 5 });
  await page.keyboard.press('Escape');
  await expect(inspector.getByTestId('formula-problem')).toContainText('amont');
  await expect(source.getByTestId('node-error-badge')).toBeVisible();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('[active] AND [amount] > 500', { delay: 5 });
  await page.keyboard.press('Escape');
  await expect(inspector.getByTestId('formula-problem')).toHaveCount(0);
  await expect(inspector.getByTestId('formula-preview').getByTestId('formula-preview-value').filter({ hasText: 'Keep' })).toHaveCount(big.length);
  await expect(preview.getByTestId('workspace-preview-row')).toHaveCount(big.length);
  await expect(preview).toContainText('Katherine Johnson');
  await expect(preview).not.toContainText('Grace Hopper');
  await expect(source.getByTestId('node-summary')).toHaveText('customers · where [active] AND [amount] > 500');
  await page.screenshot({ path: resolve(SHOTS, 'workspace-source-inspector.png') });

  await target.click();
  await inspector.getByTestId('workspace-object-input').fill('big_customers');
  await saveAndPublishThenRun(page);
  await expect(page.getByTestId('run-count-read')).toContainText(String(big.length));
  await page.screenshot({ path: resolve(SHOTS, 'workspace-source-run.png') });

  const records = (await (await request.get('/api/workspace/objects/big_customers/records')).json()) as { total: number; items: { values: Record<string, unknown> }[] };
  expect(records.total).toBe(big.length);
  expect(records.items.map((r) => r.values.name).sort()).toEqual(big.map(([, name]) => name).sort());
  expect(pageErrors).toEqual([]);
});
