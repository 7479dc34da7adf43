// A calculated field written in the Monaco formula editor: a typo is marked as you type with a
// "did you mean", fixed from the completion list, previewed on the sample rows, mapped, published
// and run on the real Temporal dev server; the workspace holds the computed values.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Locator } from '@playwright/test';
import { connect, expect, saveAndPublishThenRun, SHOTS, test } from './helpers';

const CSV = resolve(import.meta.dirname, '../fixtures/files/contacts.csv');

const OBJECT = 'deals';
const TYPO = 'IF([deal_valu] > 10000, [deal_value] * 0.12, [deal_value] * 0.1)';
const FORMULA = 'IF([deal_value] > 10000, [deal_value] * 0.12, [deal_value] * 0.1)';

/** The fixture's rows, and the commission the formula gives for each (computed here, not by Weft). */
function fixture() {
  const [head, ...lines] = readFileSync(CSV, 'utf8').trim().split(/\r?\n/);
  const cols = (head ?? '').split(',');
  return lines.map((line) => {
    const row = Object.fromEntries(line.split(',').map((v, i) => [cols[i] as string, v]));
    const deal = Number(row.deal_value);
    return { email: row.email as string, deal, commission: deal > 10000 ? deal * 0.12 : deal * 0.1 };
  });
}


/** The editor's text as Monaco shows it (wrapped lines joined, its non-breaking spaces as spaces). */
const editorText = (editor: Locator) => editor.locator('.view-lines').innerText().then((t) => t.replace(/\u00a0/g, ' ').replace(/\n/g, ''));

test('a calculated field: typo marked, fixed from completion, previewed, mapped, run', async ({ page }) => {
  const rows = fixture();
  const ada = rows.find((r) => r.email === 'ada.lovelace@example.com');
  const katherine = rows.find((r) => r.email === 'katherine.johnson@example.com');
  if (!ada || !katherine) throw new Error('fixture changed');
  expect(ada.deal).toBeGreaterThan(10000);
  expect(katherine.deal).toBeLessThanOrEqual(10000);

  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const monacoRequests: string[] = [];
  page.on('request', (req) => {
    if (/monaco|editor\.worker/.test(req.url())) monacoRequests.push(req.url());
  });

  await page.goto('/');
  await page.getByTestId('new-integration').click();
  await expect(page.getByTestId('canvas')).toBeVisible();
  await page.getByTestId('integration-name').fill('Deals with commission');
  // Monaco is a lazy chunk: nothing of it loads before a formula editor is on screen.
  expect(monacoRequests).toEqual([]);

  // Four steps in a row: zoom out a little so they fit beside the (wider) formula inspector.
  const canvas = page.getByTestId('canvas');
  await page.locator('.react-flow__controls-zoomout').click();
  await page.locator('.react-flow__controls-zoomout').click();
  await page.getByTestId('palette-csv-source').dragTo(canvas, { targetPosition: { x: 100, y: 220 } });
  await page.getByTestId('palette-calculated-field').dragTo(canvas, { targetPosition: { x: 270, y: 220 } });
  await page.getByTestId('palette-map').dragTo(canvas, { targetPosition: { x: 440, y: 220 } });
  await page.getByTestId('palette-workspace-target').dragTo(canvas, { targetPosition: { x: 610, y: 220 } });
  const csvNode = page.getByTestId('node-csv-source');
  const calcNode = page.getByTestId('node-calculated-field');
  const mapNode = page.getByTestId('node-map');
  const targetNode = page.getByTestId('node-workspace-target');
  await expect(calcNode).toHaveCount(1);
  await expect(calcNode.getByTestId('node-summary')).toHaveText('No formula yet');
  await connect(page, csvNode, calcNode);
  await connect(page, calcNode, mapNode);
  await connect(page, mapNode, targetNode);
  await expect(page.locator('.react-flow__edge')).toHaveCount(3);

  const inspector = page.getByTestId('inspector');
  await csvNode.click();
  await inspector.getByTestId('file-input').setInputFiles(CSV);
  await expect(inspector.getByTestId('columns-table')).toContainText('deal_value');
  // Publishing needs the file's preview loaded.
  await inspector.getByTestId('load-preview').click();
  await expect(inspector.getByTestId('preview-state')).toHaveText('Previewed');

  // The formula editor loads (Monaco, from our own bundle) when the calculated field is opened.
  await calcNode.click();
  const editor = inspector.getByTestId('formula-editor');
  await expect(editor).toHaveAttribute('data-ready', 'true');
  expect(monacoRequests.some((u) => /monaco-setup/.test(u))).toBe(true);
  expect(monacoRequests.every((u) => u.startsWith(new URL(page.url()).origin))).toBe(true);

  await inspector.getByLabel('Field name').fill('commission');

  // Type a formula with a typo: the checker marks it in the editor and says what was meant.
  await editor.locator('.monaco-editor').click();
  await page.keyboard.type(TYPO, { delay: 5 });
  await page.keyboard.press('Escape');
  await expect.poll(() => editorText(editor)).toBe(TYPO);
  await expect(editor.locator('.squiggly-error').first()).toBeVisible();
  const problem = inspector.getByTestId('formula-problem');
  await expect(problem).toHaveCount(1);
  await expect(problem).toContainText(/did you mean \[deal_value\]/i);
  await expect(inspector.getByTestId('formula-type')).toHaveText('→ ?');
  await expect(calcNode.getByTestId('node-error-badge')).toBeVisible();
  await expect(calcNode.getByTestId('node-summary')).toHaveText(/^commission = IF\(\[deal_valu\]/);

  // Fix it from the completion list: inside [deal_valu], type "e" and the fields that match show with their types.
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < 'IF([deal_valu'.length; i++) await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Control+Space');
  const suggest = page.locator('.suggest-widget.visible');
  await expect(suggest).toBeVisible();
  await expect(suggest.locator('.monaco-list-row').filter({ hasText: 'deal_value' })).toBeVisible();
  await expect(suggest).toContainText('Number');
  await page.screenshot({ path: resolve(SHOTS, 'formula-editor.png') });
  await page.keyboard.press('Enter');
  await expect.poll(() => editorText(editor)).toBe(FORMULA);
  await expect(editor.locator('.squiggly-error')).toHaveCount(0);
  await expect(problem).toHaveCount(0);
  await expect(inspector.getByTestId('formula-type')).toHaveText('→ Number');

  // Hover a function for its documentation.
  await editor.locator('.view-line span', { hasText: /^IF$/ }).first().hover();
  await expect(page.locator('.monaco-hover').filter({ hasText: 'IF(condition, then, else?)' })).toBeVisible();
  await page.mouse.move(10, 10);

  // The preview computes the field on the sample rows, live.
  const preview = inspector.getByTestId('formula-preview');
  await expect(preview).toBeVisible();
  const first = preview.getByTestId('formula-preview-row').first();
  await expect(first.getByTestId('formula-preview-value')).toHaveText(ada.commission.toLocaleString('en', { maximumFractionDigits: 6 }));
  await expect(preview.getByTestId('formula-preview-value').filter({ hasText: katherine.commission.toLocaleString('en', { maximumFractionDigits: 6 }) })).toHaveCount(1);
  await expect(preview.locator('.is-error')).toHaveCount(0);
  const nodePreview = inspector.getByTestId('node-preview');
  await expect(nodePreview).toContainText('10 in · 10 out');
  await expect(nodePreview.getByTestId('preview-table')).toContainText('commission');
  await expect(calcNode.getByTestId('node-summary')).toHaveText(/^commission = IF\(\[deal_value\] > 10000/);
  await expect(calcNode.getByTestId('node-error-badge')).toHaveCount(0);
  await preview.scrollIntoViewIfNeeded();
  await page.screenshot({ path: resolve(SHOTS, 'formula-preview.png') });

  // Map every field: "Add all fields" now includes the calculated one.
  await mapNode.click();
  await inspector.getByTestId('add-all-fields').click();
  await expect(inspector.getByTestId('mapping-row')).toHaveCount(8);
  await expect(inspector.getByLabel('Target field 8', { exact: true })).toHaveValue('commission');
  await expect(inspector.getByLabel('Type 8', { exact: true })).toHaveValue('number');
  await inspector.getByLabel('Key 1', { exact: true }).check();

  await targetNode.click();
  await inspector.getByTestId('workspace-object-input').fill(OBJECT);
  await expect(page.getByTestId('problems')).toHaveText(/No problems/);

  await saveAndPublishThenRun(page);

  // The workspace holds the computed commission for every row.
  const res = await page.request.get(`/api/workspace/objects/${OBJECT}/records?limit=100`);
  expect(res.ok()).toBe(true);
  const body = (await res.json()) as { items: { values: Record<string, unknown> }[]; total: number };
  expect(body.total).toBe(rows.length);
  for (const r of rows) {
    const rec = body.items.find((x) => x.values.email === r.email);
    expect(rec, r.email).toBeDefined();
    expect(rec?.values.commission as number).toBeCloseTo(r.commission, 9);
  }
  await page.goto(`/#/workspace/${OBJECT}`);
  await page.getByTestId('records-search').fill('ada.lovelace');
  await expect(page.getByTestId('record-row')).toHaveCount(1);
  await expect(page.getByTestId('record-row')).toContainText(ada.commission.toLocaleString('en', { maximumFractionDigits: 6 }));

  expect(pageErrors).toEqual([]);
});
