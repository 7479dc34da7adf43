// Run now with a name and a declared parameter, then cancel the run mid-way: the run page says who started it,
// which parameters it had, and Cancelled, and the target holds exactly what the run counts as written.
// Needs small, slow batches: run with WEFT_E2E_SLOW_BATCHES=1 (playwright.config.ts), e.g.
//   WEFT_E2E_SLOW_BATCHES=1 npx playwright test test/e2e/run-controls.spec.ts
import { resolve } from 'node:path';
import { type APIRequestContext, type Page } from '@playwright/test';
import { expect, publishFileIntegration, screenshotBoth, test } from './helpers';

const DOCS_SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const ROWS = 1500;
const CSV = `Email,Name,Plan\n${Array.from({ length: ROWS }, (_, i) => `p${i}@x.io,Person ${i},${i % 2 ? 'Pro' : 'Free'}`).join('\n')}\n`;

const publishedWithParameter = (request: APIRequestContext) =>
  publishFileIntegration(request, {
    csv: CSV,
    object: 'e2e_run_controls',
    name: 'Customers by region',
    fields: [
      { source: 'Email', target: 'email', type: 'text', key: true },
      { source: 'Name', target: 'name', type: 'text', key: false },
      { from: 'formula', formula: 'PARAM("region") & "-" & [Plan]', target: 'segment', type: 'text', key: false },
    ],
    parameters: [{ name: 'region', type: 'text', required: true, description: 'EU, US or APAC' }, { name: 'since', type: 'date', required: false }],
  });

const shots = (page: Page, name: string) => screenshotBoth(page, DOCS_SHOTS, name);

test('Run now with a name and a parameter, then cancel it mid-run: Cancelled, with exactly its committed records', async ({ page, request }) => {
  test.setTimeout(180_000);
  const integrationId = await publishedWithParameter(request);

  await page.goto(`/#/integrations/${integrationId}/runs`);
  await page.getByTestId('run').click();
  const dialog = page.getByTestId('run-files-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('run-name')).toHaveValue(/^Manual run, /);
  // The required parameter is empty: the dialog says so and will not start.
  await expect(dialog.getByTestId('run-with-files-start')).toBeDisabled();
  await expect(dialog.locator('.dialog__foot')).toContainText('Give a value for region');
  await dialog.getByTestId('run-name').fill('EU catch-up');
  await dialog.locator('[data-testid="run-parameter"][data-name="region"]').getByTestId('run-parameter-input').fill('EU');
  await dialog.locator('[data-testid="run-parameter"][data-name="since"]').getByTestId('run-parameter-input').fill('2024-03-01');
  await expect(dialog.getByTestId('run-file-source')).toHaveCount(1);
  await shots(page, 'run-now-dialog');
  await dialog.getByTestId('run-with-files-start').click();

  await expect(page).toHaveURL(/#\/runs\/[^/]+$/);
  const runId = /#\/runs\/([^/]+)$/.exec(page.url())![1]!;
  await expect(page.getByRole('heading', { name: 'EU catch-up' })).toBeVisible();
  await expect(page.getByTestId('run-started-by')).toHaveText(/^Manual · /);
  await expect(page.getByTestId('run-params')).toHaveText('region = EU · since = 2024-03-01');

  // Mid-run: some batches written (created: the target starts empty), not all.
  await expect.poll(async () => Number((await page.getByTestId('run-count-created').locator('.stat__value').innerText()).replace(/,/g, '')), { timeout: 60_000 }).toBeGreaterThan(0);
  await page.getByTestId('run-cancel').click();
  // Weft's own styled confirm (web/lib/confirm.tsx), not the browser's window.confirm.
  const confirm = page.getByTestId('confirm-dialog');
  await expect(confirm).toContainText('Records already written stay written.');
  await confirm.getByTestId('confirm-ok').click();
  const status = page.getByTestId('run-status');
  await expect(status).toHaveAttribute('data-status', 'cancelled', { timeout: 60_000 });
  await expect(status).toHaveText('Cancelled');
  await expect(page.getByTestId('run-cancelled')).toContainText('This run was cancelled.');
  await expect(page.getByTestId('run-cancel')).toHaveCount(0);

  const run = (await (await request.get(`/api/runs/${runId}`)).json()) as { counts: { written: number; read: number }; steps: { status: string }[] };
  expect(run.counts.written).toBeGreaterThan(0);
  expect(run.counts.written).toBeLessThan(ROWS);
  const records = (await (await request.get('/api/workspace/objects/e2e_run_controls/records?limit=1')).json()) as { total: number; items: { values: { segment: string } }[] };
  expect(records.total).toBe(run.counts.written);
  expect(records.items[0]?.values.segment).toMatch(/^EU-(Pro|Free)$/);
  await shots(page, 'run-cancelled');

  // The history names the run, who started it, and filters to Cancelled on the server.
  await page.goto(`/#/integrations/${integrationId}/runs`);
  await page.getByTestId('filter-status').selectOption('cancelled');
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  await expect(page.getByTestId('run-name')).toHaveText('EU catch-up');
  await page.getByTestId('filter-status').selectOption('completed');
  await expect(page.getByTestId('run-row')).toHaveCount(0);
  await expect(page.getByText('No runs match these filters')).toBeVisible();
  await page.getByTestId('filter-status').selectOption('');
  await shots(page, 'run-history-filters');
});
