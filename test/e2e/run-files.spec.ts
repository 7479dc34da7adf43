// Files kept with runs: run a published integration with another file for its source, see the run page name
// the file with its "Replaced for this run" badge, and download exactly the bytes that were uploaded.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type APIRequestContext } from '@playwright/test';
import { expect, publishFileIntegration, SHOTS, test } from './helpers';

const PUBLISHED_CSV = 'Email,Name,Plan\nann@published.io,Ann,Pro\nbob@published.io,Bob,Free\n';
// Another format, other order, one more field: every column the source reads is there.
const REPLACEMENT_NAME = 'march-customers.ndjson';
const REPLACEMENT = [
  { Plan: 'Pro', Email: 'eve@march.io', Name: 'Eve', Region: 'EU' },
  { Plan: 'Free', Email: 'fay@march.io', Name: 'Fay', Region: 'US' },
  { Plan: 'Pro', Email: 'gus@march.io', Name: 'Gus', Region: 'EU' },
]
  .map((r) => JSON.stringify(r))
  .join('\n');
const LACKING = 'Email,Name\nzed@x.io,Zed\n';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

const publishedIntegration = (request: APIRequestContext) => publishFileIntegration(request, { csv: PUBLISHED_CSV, object: 'e2e_run_files', name: 'Monthly customers' });

test('runs with a replaced file, then the run page shows it and downloads the same bytes', async ({ page, request }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  const integrationId = await publishedIntegration(request);

  await page.goto('/');
  const card = page.locator(`[data-testid="integration-card"][data-id="${integrationId}"]`);
  await expect(card).toBeVisible();
  await card.getByTestId('run-now-menu').click();
  await expect(card.getByRole('menu')).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'run-files-menu.png') });
  await card.getByTestId('run-with-files').click();

  const dialog = page.getByTestId('run-files-dialog');
  await expect(dialog).toBeVisible();
  const source = dialog.locator('[data-testid="run-file-source"][data-node-id="source"]');
  await expect(source).toContainText('Customers file');
  await expect(source).toContainText('customers.csv');
  await expect(source).toContainText('Needs these 3 columns: Email, Name, Plan');
  await page.screenshot({ path: join(SHOTS, 'run-files-dialog.png') });

  // A file without every column is refused in place, before anything runs.
  await source.getByTestId('run-file-input').setInputFiles({ name: 'partial.csv', mimeType: 'text/csv', buffer: Buffer.from(LACKING) });
  await expect(source.getByTestId('run-file-error')).toContainText('"partial.csv" has no column "Plan", which Customers file reads');
  await expect(dialog.getByTestId('run-with-files-start')).toBeDisabled();
  await page.screenshot({ path: join(SHOTS, 'run-files-dialog-error.png') });

  // Another format with the columns in another order is fine.
  await source.getByTestId('run-file-input').setInputFiles({ name: REPLACEMENT_NAME, mimeType: 'application/x-ndjson', buffer: Buffer.from(REPLACEMENT) });
  await expect(source.getByTestId('run-file-replacement')).toContainText(REPLACEMENT_NAME);
  await expect(source.getByTestId('run-file-replacement')).toContainText('Replaced for this run');
  await expect(source.getByTestId('run-file-error')).toHaveCount(0);
  await expect(dialog.getByTestId('run-with-files-start')).toHaveText(/Run with these files/);
  await page.screenshot({ path: join(SHOTS, 'run-files-dialog-replaced.png') });
  await dialog.getByTestId('run-with-files-start').click();

  await expect(page).toHaveURL(/#\/runs\/[^/]+$/);
  const status = page.getByTestId('run-status');
  await expect(status).toHaveAttribute('data-status', /completed/, { timeout: 60_000 });
  const files = page.getByTestId('run-files');
  await expect(files).toBeVisible();
  const row = files.locator('[data-testid="run-file"][data-node-id="source"]');
  await expect(row).toContainText(REPLACEMENT_NAME);
  await expect(row).toContainText('Customers file');
  await expect(row).toContainText('NDJSON');
  await expect(row.getByTestId('run-file-replaced')).toHaveText('Replaced for this run');
  const link = row.getByTestId('run-file-download');
  await expect(link).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'run-files-run-page.png'), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe(REPLACEMENT_NAME);
  const saved = testInfo.outputPath(REPLACEMENT_NAME);
  await download.saveAs(saved);
  expect(sha256(await readFile(saved))).toBe(sha256(REPLACEMENT));

  // The designer's Run button offers the same choice.
  await page.goto(`/#/integrations/${integrationId}`);
  await page.getByTestId('run-menu').click();
  await expect(page.getByTestId('run-with-files')).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'run-files-designer-menu.png') });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('run-with-files')).toHaveCount(0);

  // So does the sync history page's, and it opens the same dialog listing the published file source.
  await page.goto(`/#/integrations/${integrationId}/runs`);
  await page.getByTestId('run-menu').click();
  await page.getByTestId('run-with-files').click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'run-files-history-dialog.png') });

  expect(errors).toEqual([]);
});
