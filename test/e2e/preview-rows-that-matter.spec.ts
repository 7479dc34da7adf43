// Previews that show the rows that matter (issue 12): a filter that lets none of a file's first rows through
// no longer leaves the steps after it without sample rows — the designer reads further into the file and says
// "10 of the first 2,400 rows pass"; a pinned row is kept in the draft and goes first into later previews; the
// upload is the file's preview (no "Load preview" click); a text column mapped into a number is a problem
// before publishing.
import { resolve } from 'node:path';
import type { APIRequestContext, Page } from '@playwright/test';
import type { Graph } from '../../shared';
import { expect, test } from './helpers';

const SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
/** 3,000 offices; the first 2,390 are closed. */
const CSV = `n,name,status,city\n${Array.from({ length: 3000 }, (_, i) => `${i + 1},Office ${i + 1},${i + 1 > 2390 ? 'open' : 'closed'},City ${i + 1}`).join('\n')}\n`;

async function designer(request: APIRequestContext): Promise<string> {
  const graph: Graph = {
    version: 1,
    nodes: [
      { id: 'source', kind: 'csv-source', label: 'offices.csv', position: { x: 0, y: 0 }, config: {} },
      { id: 'filter', kind: 'filter', label: 'Only open offices', position: { x: 260, y: 0 }, config: { mode: 'formula', formula: '[status] = "open"' } },
      { id: 'calc', kind: 'calculated-field', label: 'Office title', position: { x: 520, y: 0 }, config: { field: 'title', formula: '[name] & " (" & [city] & ")"' } },
      {
        id: 'map',
        kind: 'map',
        label: 'Map fields',
        position: { x: 780, y: 0 },
        config: {
          fields: [
            { source: 'n', target: 'n', type: 'number', key: true },
            { source: 'title', target: 'title', type: 'text' },
            { source: 'city', target: 'city', type: 'number' },
          ],
        },
      },
      { id: 'target', kind: 'workspace-target', label: 'Offices', position: { x: 1040, y: 0 }, config: { object: 'e2e_offices', mode: 'upsert' } },
    ],
    edges: [
      { id: 'e1', source: 'source', target: 'filter' },
      { id: 'e2', source: 'filter', target: 'calc' },
      { id: 'e3', source: 'calc', target: 'map' },
      { id: 'e4', source: 'map', target: 'target' },
    ],
  };
  const created = await request.post('/api/integrations', { data: { name: 'Open offices', graph } });
  expect(created.status()).toBe(201);
  return ((await created.json()) as { id: string }).id;
}

const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

test('previews read further than a starving filter, keep a pinned row, and check mapped types', async ({ page, request }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const id = await designer(request);
  await page.goto(`/#/integrations/${id}`);
  const inspector = page.getByTestId('inspector');

  // The upload is the preview: its rows show, and nothing more is needed to publish the source.
  await node(page, 'source').click();
  await inspector.getByTestId('file-input').setInputFiles({ name: 'offices.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await expect(inspector.getByTestId('columns-table')).toContainText('city');
  await expect(inspector.getByTestId('preview-state')).toHaveText('Previewed');
  await expect(inspector).not.toContainText('Load the preview before publishing');
  await expect(node(page, 'source').getByTestId('node-error-badge')).toHaveCount(0);

  // The filter keeps none of the first 10 rows: the preview reads further and says how far.
  await node(page, 'filter').click();
  const preview = inspector.getByTestId('node-preview');
  await expect(preview.getByTestId('preview-sampling')).toContainText('10 of the first 2,400 rows pass');
  await expect(preview.getByTestId('preview-row')).toHaveCount(10);
  await expect(preview.getByTestId('preview-row').first()).toContainText('Office 2391');
  // The formula's own results show rows it keeps and rows it drops, not six "Drop"s.
  await expect(inspector.getByTestId('formula-preview')).toContainText('✓ Keep');
  await expect(inspector.getByTestId('formula-preview')).toContainText('Drop');

  // The step after it has sample rows to check its formula against.
  await node(page, 'calc').click();
  await expect(preview.getByTestId('preview-sampling')).toContainText('10 of the first 2,400 rows reach this step');
  await expect(inspector.getByTestId('formula-preview-value').first()).toHaveText('Office 2391 (City 2391)');
  await expect(page.getByText('No sample row')).toHaveCount(0);

  // A text column mapped into a number: a named warning before publishing, not rejections at run time.
  const problems = page.getByTestId('problems');
  await problems.click();
  await expect(page.getByTestId('problems-panel')).toContainText('city is text; 10 of 10 sample values are not numbers');
  await problems.click();

  for (const size of [
    { width: 1440, height: 900 },
    { width: 1024, height: 700 },
  ]) {
    await page.setViewportSize(size);
    await node(page, 'source').click();
    await expect(inspector.getByTestId('preview-state')).toHaveText('Previewed');
    await page.screenshot({ path: resolve(SHOTS, `preview-upload-is-preview-${size.width}x${size.height}.png`) });
    await node(page, 'filter').click();
    await expect(preview.getByTestId('preview-sampling')).toContainText('10 of the first 2,400 rows pass');
    await preview.scrollIntoViewIfNeeded();
    await page.screenshot({ path: resolve(SHOTS, `preview-deeper-sample-${size.width}x${size.height}.png`) });
    // At 1024×700 the map can sit behind the side panel (the fit keeps the flow's start in view): select it as a
    // keyboard user would, which also pans it into view.
    await node(page, 'map').focus();
    await page.keyboard.press('Enter');
    await expect(node(page, 'map')).toHaveClass(/selected/);
    await problems.click();
    await expect(page.getByTestId('problems-panel')).toContainText('city is text');
    await page.screenshot({ path: resolve(SHOTS, `preview-mapped-type-problem-${size.width}x${size.height}.png`) });
    await problems.click();
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  // Pin a row: it goes first into every later preview, and stays after a reload (it is in the draft).
  await node(page, 'filter').click();
  const row = preview.getByTestId('preview-row').filter({ hasText: 'Office 2395' });
  await row.hover();
  await row.getByTestId('pin-row').click();
  await expect(row.getByTestId('pin-row')).toHaveAttribute('aria-pressed', 'true');
  await node(page, 'calc').click();
  await expect(preview.getByTestId('preview-row').first()).toContainText('2395');
  await expect(preview.getByTestId('preview-row').first()).toHaveClass(/is-pinned/);
  await page.reload();
  await expect(page.getByTestId('draft-notice')).toBeVisible();
  await node(page, 'calc').click();
  await expect(preview.getByTestId('preview-row').first()).toContainText('2395');
  await expect(preview.getByTestId('preview-sampling')).toContainText('10 of the first 2,400 rows reach this step · pinned row 2,395');
  await preview.scrollIntoViewIfNeeded();
  await page.screenshot({ path: resolve(SHOTS, 'preview-pinned-row-1440x900.png') });
  await page.setViewportSize({ width: 1024, height: 700 });
  await preview.scrollIntoViewIfNeeded();
  await page.screenshot({ path: resolve(SHOTS, 'preview-pinned-row-1024x700.png') });
  expect(errors).toEqual([]);
});

test('a database source says why its preview must be loaded', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('new-integration').click();
  await page.getByTestId('palette-sql-source').dragTo(page.getByTestId('canvas'), { targetPosition: { x: 200, y: 200 } });
  await page.getByTestId('node-sql-source').click();
  await expect(page.getByTestId('inspector').getByTestId('preview-why')).toContainText('A database table is read live');
});
