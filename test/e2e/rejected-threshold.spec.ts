// The rejected-records threshold: set in the designer's run settings (validated), published, and a run that rejects
// more than it allows is Failed, its page saying why in the failure banner while its steps keep their counts.
import { resolve } from 'node:path';
import { connect, expect, SHOTS, test } from './helpers';

/** Ten rows, three with an amount that is not a number: 30% rejected by the Map that reads amount as a Number. */
const AMOUNTS = ['10', '20', 'x', '40', 'seven', '60', '70', '80', 'n/a', '100'];
const CSV = `email,amount\n${AMOUNTS.map((a, i) => `u${i}@example.com,${a}`).join('\n')}\n`;

test('a threshold of 20% fails a run that rejects 3 of 10 records, and the run page says why', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));

  await page.goto('/');
  await page.getByTestId('new-integration').click();
  await expect(page.getByTestId('canvas')).toBeVisible();
  await page.getByTestId('integration-name').fill('Amounts with a threshold');
  const canvas = page.getByTestId('canvas');
  await page.getByTestId('palette-csv-source').dragTo(canvas, { targetPosition: { x: 130, y: 240 } });
  await page.getByTestId('palette-map').dragTo(canvas, { targetPosition: { x: 390, y: 240 } });
  await page.getByTestId('palette-workspace-target').dragTo(canvas, { targetPosition: { x: 650, y: 240 } });
  const fileNode = page.getByTestId('node-csv-source');
  const mapNode = page.getByTestId('node-map');
  const targetNode = page.getByTestId('node-workspace-target');
  await connect(page, fileNode, mapNode);
  await connect(page, mapNode, targetNode);

  await fileNode.click();
  const inspector = page.getByTestId('inspector');
  await inspector.getByTestId('file-input').setInputFiles({ name: 'amounts.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await expect(inspector.getByTestId('columns-table')).toContainText('amount');
  await inspector.getByTestId('load-preview').click();
  await expect(inspector.getByTestId('preview-state')).toHaveText('Previewed');

  // The Map reads amount as a Number: "x", "seven" and "n/a" are rejected there.
  await mapNode.click();
  await inspector.getByTestId('add-all-fields').click();
  await expect(inspector.getByTestId('mapping-row')).toHaveCount(2);
  await inspector.getByLabel('Key 1', { exact: true }).check();
  await inspector.getByLabel('Type 2', { exact: true }).selectOption('number');
  await targetNode.click();
  await inspector.getByTestId('workspace-object-input').fill('amounts');
  // The design-time sample check warns (a warning, which does not stop publishing): 3 of the 10 sample amounts are
  // not numbers, which is exactly what the threshold below is about.
  await expect(page.getByTestId('problems')).toHaveText(/1 problem/);
  await page.getByTestId('problems').click();
  await expect(page.getByTestId('problem-item')).toContainText('amount is text; 3 of 10 sample values are not numbers');
  await page.keyboard.press('Escape');

  // With nothing selected the inspector shows the integration's run settings.
  await page.locator('.react-flow__pane').click({ position: { x: 400, y: 480 } });
  const settings = inspector.getByTestId('run-settings');
  const threshold = settings.getByTestId('max-rejected-percent');
  await expect(threshold).toHaveValue('');
  await expect(settings.getByTestId('max-rejected-percent-hint')).toContainText('No limit');
  // Out of range: said plainly, and not kept.
  await threshold.fill('150');
  await expect(threshold).toHaveAttribute('aria-invalid', 'true');
  await expect(settings.getByTestId('max-rejected-percent-hint')).toHaveText('Enter a percentage from 0 to 100, or leave it empty for no limit.');
  await threshold.fill('20');
  await expect(threshold).toHaveAttribute('aria-invalid', 'false');
  await expect(settings.getByTestId('max-rejected-percent-hint')).toContainText('more than 20% of the records');
  // The outage window beside it is kept.
  await settings.getByTestId('outage-window').fill('30');
  await expect(threshold).toHaveValue('20');
  // How many parts a large source is read in (issue 16): empty decides by size, 0 is refused, 1 never splits.
  const parts = settings.getByTestId('parallelism');
  const partsHint = settings.locator('#parallelism-hint');
  await expect(parts).toHaveValue('');
  await expect(partsHint).toContainText('parts by its size');
  await parts.fill('0');
  await expect(parts).toHaveAttribute('aria-invalid', 'true');
  await expect(partsHint).toHaveText('Enter a whole number from 1 to 32, or leave it empty to decide by size.');
  await parts.fill('1');
  await expect(parts).toHaveAttribute('aria-invalid', 'false');
  await expect(partsHint).toContainText('read in one piece');
  await parts.fill('');
  await expect(partsHint).toContainText('parts by its size');
  await expect(threshold).toHaveValue('20');
  await settings.scrollIntoViewIfNeeded();
  await page.screenshot({ path: resolve(SHOTS, 'run-settings-threshold-1440.png') });
  await page.setViewportSize({ width: 1024, height: 700 });
  await settings.scrollIntoViewIfNeeded();
  await page.screenshot({ path: resolve(SHOTS, 'run-settings-threshold-1024.png') });
  await page.setViewportSize({ width: 1440, height: 900 });

  await page.getByTestId('save').click();
  await expect(page.getByTestId('save-status')).toContainText(/Saved|Published/);
  await page.getByTestId('publish').click();
  await expect(page.getByTestId('save-status')).toContainText('Published v1');
  // What was published holds both settings.
  const integrationId = /#\/integrations\/([^/]+)$/.exec(page.url())![1]!;
  const integration = (await (await page.request.get(`/api/integrations/${integrationId}`)).json()) as { graph: { settings?: unknown } };
  expect(integration.graph.settings).toMatchObject({ maxRejectedPercent: 20, outageWindowMinutes: 30 });
  expect(integration.graph.settings).not.toHaveProperty('parallelism');

  await page.getByTestId('run').click();
  await page.getByTestId('run-files-dialog').getByTestId('run-with-files-start').click();
  await expect(page).toHaveURL(/#\/runs\/[^/]+$/);
  const status = page.getByTestId('run-status');
  await expect(status).toHaveAttribute('data-status', 'failed', { timeout: 60_000 });
  const banner = page.getByTestId('run-error');
  await expect(banner).toContainText('This run failed.');
  await expect(banner).toContainText('3 of 10 records (30.0%) were rejected, more than the 20% allowed: amount:');
  await expect(banner).toContainText('The steps that rejected records show “completed with errors”');
  // Nothing is left to resume: every row was read, and reading them again rejects them again.
  await expect(banner.getByRole('button', { name: /Resume from row/ })).toHaveCount(0);
  await expect(page.getByTestId('rejected-table').locator('tbody tr')).toHaveCount(3);
  // The Map that rejected keeps its counts: completed with errors, 7 written.
  const steps = page.locator('.step[data-testid^="step-"]');
  await expect(steps.nth(0)).toContainText('10 read');
  await expect(steps.nth(2)).toContainText('7 created');
  await page.screenshot({ path: resolve(SHOTS, 'run-failed-rejections-1440.png') });
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.screenshot({ path: resolve(SHOTS, 'run-failed-rejections-1024.png') });
  await banner.getByTestId('show-rejected').click();
  await expect(page.getByTestId('rejected-section')).toBeInViewport();
  expect(pageErrors).toEqual([]);
});
