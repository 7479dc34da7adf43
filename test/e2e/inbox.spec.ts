// The record inbox in the browser: a run rejects records, the inbox lists and groups them, a person fixes two (one in
// the edit dialog, the other with "Set … for the selected"), resubmits them, and sees them Fixed; the resubmit run
// shows in the history as started by Resubmit and links to the original run. Screenshots at 1440×900 and 1024×700.
import { resolve } from 'node:path';
import type { APIRequestContext } from '@playwright/test';
import type { Graph } from '../../shared/graph/schema';
import { withFilePreview } from '../../shared/graph/kinds/file-source';
import { expect, test } from './helpers';

const DOCS_SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const OBJECT = 'inbox_orders';
// Two orders with a date that is not a date, one with an amount that is not a number, among good ones.
const CSV = [
  'order_id,customer,country,ordered_on,amount',
  '1001,Ada Lovelace,GB,2024-02-12,120.50',
  '1002,Grace Hopper,US,2024-31-02,80.00',
  '1003,Alan Turing,GB,2024-02-14,45.10',
  '1004,Katherine Johnson,US,2024-13-01,99.99',
  '1005,Edsger Dijkstra,NL,2024-02-15,twelve',
  '1006,Barbara Liskov,US,2024-02-16,15.00',
].join('\n');

async function seed(request: APIRequestContext, opts: { name?: string; object?: string; runs?: number } = {}): Promise<{ integrationId: string; runId: string }> {
  const object = opts.object ?? OBJECT;
  const up = await request.post('/api/files?name=orders.csv', { data: CSV, headers: { 'content-type': 'text/csv' } });
  expect(up.status()).toBe(201);
  const file = (await up.json()) as { id: string; columns: { name: string; type: string }[] };
  const graph: Graph = {
    version: 1,
    nodes: [
      {
        id: 'source',
        kind: 'csv-source',
        label: 'orders.csv',
        position: { x: 0, y: 0 },
        config: withFilePreview({ fileId: file.id, fileName: 'orders.csv', delimiter: ',', hasHeader: true, columns: file.columns.map((c) => ({ name: c.name, type: 'text' })) }),
      },
      {
        id: 'map',
        kind: 'map',
        label: 'Order fields',
        position: { x: 280, y: 0 },
        config: {
          fields: [
            { source: 'order_id', target: 'order_id', type: 'text', key: true },
            { source: 'customer', target: 'customer', type: 'text', key: false },
            { source: 'country', target: 'country', type: 'text', key: false },
            { source: 'ordered_on', target: 'ordered_on', type: 'date', key: false },
            { source: 'amount', target: 'amount', type: 'number', key: false },
          ],
        },
      },
      { id: 'target', kind: 'workspace-target', label: 'Orders', position: { x: 560, y: 0 }, config: { object, mode: 'upsert' } },
    ],
    edges: [
      { id: 'e1', source: 'source', target: 'map' },
      { id: 'e2', source: 'map', target: 'target' },
    ],
  };
  const created = await request.post('/api/integrations', { data: { name: opts.name ?? 'Orders from the shop export', graph } });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const published = await request.post(`/api/integrations/${id}/publish`, { data: {} });
  expect(published.status(), await published.text()).toBe(200);
  let runId = '';
  for (let i = 0; i < (opts.runs ?? 1); i++) {
    const started = await request.post(`/api/integrations/${id}/runs`, { data: { name: 'Nightly import', params: {}, files: {} } });
    expect(started.status(), await started.text()).toBe(202);
    ({ runId } = (await started.json()) as { runId: string });
    await expect.poll(async () => ((await (await request.get(`/api/runs/${runId}`)).json()) as { status: string }).status, { timeout: 60_000 }).toBe('completed_with_errors');
  }
  return { integrationId: id, runId };
}

test('fix two rejected records in the inbox and resubmit them', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  // Other specs on the same server leave rejected records of their own: count from what waits already, and look at
  // this integration's records through the page's own filter.
  const waiting = async () => ((await (await page.request.get('/api/inbox/count')).json()) as { waiting: number }).waiting;
  const before = await waiting();
  const { integrationId, runId } = await seed(page.request);

  await page.goto('/#/inbox');
  await expect(page.getByRole('heading', { level: 1, name: 'Record inbox' })).toBeVisible();
  await expect(page.getByTestId('nav-inbox-count')).toHaveText(String(before + 3));
  await page.getByTestId('inbox-integration').selectOption(integrationId);
  const rows = page.getByTestId('inbox-row');
  await expect(rows).toHaveCount(3);
  await expect(page.getByTestId('inbox-total')).toHaveText(before === 0 ? /^3 (waiting|matching)$/ : '3 matching');
  // Grouped by reason, each group with its count.
  await expect(page.getByTestId('inbox-group')).toHaveCount(3);
  for (const size of [{ width: 1440, height: 900 }, { width: 1024, height: 700 }]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: resolve(DOCS_SHOTS, `inbox-${size.width}.png`) });
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  const grace = rows.filter({ hasText: 'Grace Hopper' });
  const katherine = rows.filter({ hasText: 'Katherine Johnson' });
  await expect(grace).toContainText('2024-31-02');

  // Grace: fixed in the edit dialog, kept for the resubmit below.
  await grace.getByTestId('inbox-edit').click();
  const dialog = page.getByTestId('inbox-edit-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('edit-field-ordered_on').fill('2024-02-13');
  await expect(dialog).toContainText('was 2024-31-02');
  await page.screenshot({ path: resolve(DOCS_SHOTS, 'inbox-edit-1440.png') });
  await dialog.getByTestId('edit-keep').click();
  await expect(dialog).toBeHidden();
  await expect(grace).toContainText('edited, not sent');
  await expect(grace.getByRole('checkbox')).toBeChecked();

  // Katherine too, then "Set ordered_on to … for the selected" — here, for both selected.
  await katherine.getByRole('checkbox').check();
  await expect(page.getByTestId('inbox-bulk')).toContainText('2 selected');
  await page.getByTestId('bulk-field').selectOption('ordered_on');
  await page.getByTestId('bulk-value').fill('2024-01-13');
  await page.getByTestId('bulk-apply').click();
  await expect(katherine).toContainText('2024-01-13');
  await expect(grace).toContainText('2024-01-13');
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.screenshot({ path: resolve(DOCS_SHOTS, 'inbox-selected-1024.png') });
  await page.setViewportSize({ width: 1440, height: 900 });

  await page.getByTestId('bulk-resubmit').click();
  await expect(page.getByText('Resubmitted 2 records in a run')).toBeVisible();
  // They leave the waiting view once the run has fixed them; the third (an amount) still waits.
  await expect(rows).toHaveCount(1, { timeout: 60_000 });
  await expect(rows.first()).toContainText('Edsger Dijkstra');
  await expect(page.getByTestId('nav-inbox-count')).toHaveText(String(before + 1));

  await page.getByTestId('inbox-status').selectOption('fixed');
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId('inbox-status-badge').first()).toHaveText('Fixed');
  for (const size of [{ width: 1440, height: 900 }, { width: 1024, height: 700 }]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: resolve(DOCS_SHOTS, `inbox-fixed-${size.width}.png`) });
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  // Written once each, with the fixed dates.
  const written = (await (await page.request.get(`/api/workspace/objects/${OBJECT}/records?limit=50`)).json()) as { total: number; items: { values: Record<string, unknown> }[] };
  expect(written.total).toBe(5);
  expect(written.items.find((r) => r.values.order_id === '1002')?.values.ordered_on).toBe('2024-01-13');

  // The history says who started it, and the run links to the original run.
  await page.goto(`/#/integrations/${integrationId}/runs`);
  const resubmitRow = page.getByTestId('run-row').filter({ hasText: 'Resubmit of 2 records' });
  await expect(resubmitRow.getByTestId('run-started-by')).toHaveText(/^Resubmit · /);
  await page.screenshot({ path: resolve(DOCS_SHOTS, 'inbox-history-1440.png') });
  await resubmitRow.click();
  await expect(page.getByTestId('run-resubmit-of')).toBeVisible();
  await expect(page.getByTestId('run-resubmit-of').getByRole('link', { name: 'the original run' })).toHaveAttribute('href', `#/runs/${runId}`);
  expect(pageErrors).toEqual([]);
});

test('a record rejected by three runs is one entry, settled for every run by one resubmit or one ignore', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const waiting = async () => ((await (await page.request.get('/api/inbox/count')).json()) as { waiting: number }).waiting;
  const before = await waiting();
  const { integrationId } = await seed(page.request, { name: 'Orders, nightly', object: 'inbox_nightly', runs: 3 });

  await page.goto('/#/inbox');
  // Three bad orders, each rejected by three runs: three entries, not nine, and the badge counts records.
  await expect(page.getByTestId('nav-inbox-count')).toHaveText(String(before + 3));
  await page.getByTestId('inbox-integration').selectOption(integrationId);
  const rows = page.getByTestId('inbox-row');
  await expect(rows).toHaveCount(3);
  await expect(page.getByTestId('inbox-rejected-in')).toHaveText(['rejected in 3 runs', 'rejected in 3 runs', 'rejected in 3 runs']);
  for (const size of [{ width: 1440, height: 900 }, { width: 1024, height: 700 }]) {
    await page.setViewportSize(size);
    await expect(page.getByTestId('inbox-rejected-in').first()).toBeVisible();
    await page.screenshot({ path: resolve(DOCS_SHOTS, `inbox14-rejected-in-runs-${size.width}.png`) });
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  // Grace fixed in the edit dialog and resubmitted: gone from the waiting view, every run's rejection of her settled.
  const grace = rows.filter({ hasText: 'Grace Hopper' });
  await grace.getByTestId('inbox-edit').click();
  const dialog = page.getByTestId('inbox-edit-dialog');
  await expect(dialog).toContainText('Rejected in 3 runs');
  await dialog.getByTestId('edit-field-ordered_on').fill('2024-02-13');
  await dialog.getByTestId('edit-resubmit').click();
  await expect(rows).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByTestId('nav-inbox-count')).toHaveText(String(before + 2));

  // Katherine ignored: one ignore, gone for all three runs.
  await rows.filter({ hasText: 'Katherine Johnson' }).getByRole('checkbox').check();
  await page.getByTestId('bulk-ignore').click();
  await page.getByTestId('ignore-note').fill('Cancelled order');
  await page.getByTestId('ignore-confirm').click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Edsger Dijkstra');
  await expect(page.getByTestId('nav-inbox-count')).toHaveText(String(before + 1));
  expect(await waiting()).toBe(before + 1);
  expect(pageErrors).toEqual([]);
});

test('a record rejected before its source changed asks for the field the source reads now', async ({ page }) => {
  const { integrationId } = await seed(page.request, { name: 'Orders, renamed column', object: 'inbox_renamed' });
  // The export's "amount" column is now "total": a new file, the source and the Map read "total".
  const up = await page.request.post('/api/files?name=orders-v2.csv', { data: CSV.replace('amount', 'total'), headers: { 'content-type': 'text/csv' } });
  const file = (await up.json()) as { id: string };
  const { graph } = (await (await page.request.get(`/api/integrations/${integrationId}`)).json()) as { graph: Graph };
  const changed = JSON.parse(JSON.stringify(graph).replaceAll('"amount"', '"total"').replace('"target":"total"', '"target":"amount"')) as Graph;
  const source = changed.nodes.find((n) => n.id === 'source')!;
  source.config = withFilePreview({ ...source.config, fileId: file.id, fileName: 'orders-v2.csv' });
  expect((await page.request.put(`/api/integrations/${integrationId}`, { data: { graph: changed } })).status()).toBe(200);
  const published = await page.request.post(`/api/integrations/${integrationId}/publish`, { data: {} });
  expect(published.status(), await published.text()).toBe(200);

  await page.goto('/#/inbox');
  await page.getByTestId('inbox-integration').selectOption(integrationId);
  const rows = page.getByTestId('inbox-row');
  await expect(rows).toHaveCount(3);
  const edsger = rows.filter({ hasText: 'Edsger Dijkstra' });
  await edsger.getByTestId('inbox-edit').click();
  const dialog = page.getByTestId('inbox-edit-dialog');
  await dialog.getByTestId('edit-resubmit').click();
  await expect(dialog.getByTestId('edit-lacking')).toContainText('it now reads "total", which this record does not have');
  await expect(rows.filter({ hasText: 'Edsger Dijkstra' }).getByTestId('inbox-status-badge')).toHaveText('Rejected'); // nothing sent
  await page.screenshot({ path: resolve(DOCS_SHOTS, 'inbox14-source-changed-1440.png') });
  await dialog.getByTestId('edit-field-total').fill('12.00');
  await dialog.getByTestId('edit-resubmit').click();
  await expect(dialog).toBeHidden();
  await expect(rows).toHaveCount(2, { timeout: 60_000 });
  const written = (await (await page.request.get('/api/workspace/objects/inbox_renamed/records?limit=50')).json()) as { items: { values: Record<string, unknown> }[] };
  expect(written.items.find((r) => r.values.order_id === '1005')?.values.amount).toBe(12);
});
