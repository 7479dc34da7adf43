// A new user's first integration: CSV source -> Map -> Workspace target, built by drag and drop,
// published, run on the real Temporal dev server, and checked in the sync history and workspace.
import { resolve } from 'node:path';
import { connect, expect, saveAndPublishThenRun, SHOTS, test } from './helpers';

const CSV = resolve(import.meta.dirname, '../fixtures/files/contacts.csv');
const ROWS = 25;


test('a new user builds, publishes and runs CSV -> Map -> Workspace', async ({ page }) => {
  const consoleErrors: string[] = [];
  page.on('pageerror', (err) => consoleErrors.push(err.message));

  await page.goto('/');
  await expect(page.getByTestId('new-integration')).toBeVisible();
  await page.getByTestId('new-integration').click();
  await expect(page).toHaveURL(/#\/integrations\/[^/]+$/);
  await expect(page.getByTestId('canvas')).toBeVisible();

  const nameInput = page.getByTestId('integration-name');
  await nameInput.fill('Contacts to workspace');

  // Drag the three steps from the palette onto the canvas.
  const canvas = page.getByTestId('canvas');
  await page.getByTestId('palette-csv-source').dragTo(canvas, { targetPosition: { x: 130, y: 240 } });
  await page.getByTestId('palette-map').dragTo(canvas, { targetPosition: { x: 390, y: 240 } });
  await page.getByTestId('palette-workspace-target').dragTo(canvas, { targetPosition: { x: 650, y: 240 } });
  const csvNode = page.getByTestId('node-csv-source');
  const mapNode = page.getByTestId('node-map');
  const targetNode = page.getByTestId('node-workspace-target');
  await expect(csvNode).toHaveCount(1);
  await expect(mapNode).toHaveCount(1);
  await expect(targetNode).toHaveCount(1);

  // A fresh graph is full of problems, and the designer says so.
  await expect(page.getByTestId('problems')).toContainText(/\d+ problems?/);
  await expect(csvNode.getByTestId('node-error-badge')).toBeVisible();

  await connect(page, csvNode, mapNode);
  await connect(page, mapNode, targetNode);
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);

  // Upload the CSV on the source: header and types are detected.
  await csvNode.click();
  const inspector = page.getByTestId('inspector');
  await inspector.getByTestId('file-input').setInputFiles(CSV);
  await expect(inspector.getByTestId('columns-table')).toContainText('deal_value');
  // The upload is the preview (issue 12): the source may publish without another click; loading it again still works.
  await expect(inspector.getByTestId('preview-state')).toHaveText('Previewed');
  await expect(csvNode.getByTestId('node-error-badge')).toHaveCount(0);
  await inspector.getByTestId('load-preview').click();
  await expect(inspector.getByTestId('file-preview-table')).toContainText('ada.lovelace@example.com');
  await expect(inspector.getByTestId('file-preview-table').locator('tbody tr')).toHaveCount(10);
  await expect(inspector.getByTestId('preview-state')).toHaveText('Previewed');
  await expect(csvNode.getByTestId('node-error-badge')).toHaveCount(0);

  // Map every field, with email as the primary key.
  await mapNode.click();
  await inspector.getByTestId('add-all-fields').click();
  await expect(inspector.getByTestId('mapping-row')).toHaveCount(7);
  await inspector.getByLabel('Key 1', { exact: true }).check();

  // Write into a new workspace object.
  await targetNode.click();
  await inspector.getByTestId('workspace-object-input').fill('contacts');
  await expect(page.getByTestId('problems')).toHaveText(/No problems/);
  await mapNode.click();
  await page.screenshot({ path: resolve(SHOTS, 'designer.png') });

  await saveAndPublishThenRun(page);

  const steps = page.locator('.step[data-testid^="step-"]');
  await expect(steps).toHaveCount(3);
  await expect(steps.nth(0)).toContainText(`${ROWS} read`);
  await expect(steps.nth(1)).toContainText(`${ROWS} written`);
  await expect(steps.nth(2)).toContainText(`${ROWS} created`);
  await page.screenshot({ path: resolve(SHOTS, 'run.png') });

  // The sync history lists the run.
  await page.goto('/#/');
  await page.getByTestId('integration-card').filter({ hasText: 'Contacts to workspace' }).getByTestId('history-link').click();
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  await expect(page.getByTestId('run-row').first()).toContainText('Completed');

  // The rows landed in the workspace.
  await page.goto('/#/workspace/contacts');
  await expect(page.getByTestId('records-table')).toBeVisible();
  await expect(page.getByTestId('record-row')).toHaveCount(ROWS);
  await expect(page.getByTestId('records-table')).toContainText('ada.lovelace@example.com');
  await page.getByTestId('records-search').fill('hopper');
  await expect(page.getByTestId('record-row')).toHaveCount(1);
  await page.screenshot({ path: resolve(SHOTS, 'workspace.png') });

  expect(consoleErrors).toEqual([]);
});
