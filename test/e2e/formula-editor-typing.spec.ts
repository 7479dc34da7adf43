// The formula editor types like a spreadsheet cell (issue 12): a formula typed key by key comes out exactly
// as typed (nothing closes itself inside "text", a closer already there is stepped over), typing over a
// selection replaces it, and a misspelt field is said once, in words, with its "Did you mean" as a quick fix
// (the editor's light bulb / Ctrl+. and the button under the editor).
import { resolve } from 'node:path';
import type { APIRequestContext, Locator, Page } from '@playwright/test';
import { withFilePreview, type Graph } from '../../shared';
import { expect, test } from './helpers';

const SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const CSV = 'name,code,city\nOslo office,OSL,Oslo\nBergen office,BGO,Bergen\nTromsø office,TOS,Tromsø\n';
const EXAMPLE = '[name] & " (" & [code] & ")"';

async function designerWithCalculatedField(request: APIRequestContext): Promise<string> {
  const up = await request.post('/api/files?name=offices.csv', { data: CSV, headers: { 'content-type': 'text/csv' } });
  expect(up.status()).toBe(201);
  const file = (await up.json()) as { id: string; columns: { name: string; type: string }[] };
  const graph: Graph = {
    version: 1,
    nodes: [
      { id: 'source', kind: 'csv-source', label: 'offices.csv', position: { x: 0, y: 0 }, config: withFilePreview({ fileId: file.id, fileName: 'offices.csv', columns: file.columns }) },
      { id: 'calc', kind: 'calculated-field', label: 'Office title', position: { x: 300, y: 0 }, config: { field: 'title', formula: '' } },
    ],
    edges: [{ id: 'e1', source: 'source', target: 'calc' }],
  };
  const created = await request.post('/api/integrations', { data: { name: 'Offices', graph } });
  expect(created.status()).toBe(201);
  return ((await created.json()) as { id: string }).id;
}

/** The editor's text as Monaco shows it (its non-breaking spaces as spaces). */
const editorText = (editor: Locator) => editor.locator('.view-lines').innerText().then((t) => t.replace(/\u00a0/g, ' ').replace(/\n/g, ''));

async function openEditor(page: Page, id: string) {
  await page.goto(`/#/integrations/${id}`);
  await page.getByTestId('node-calculated-field').click();
  const editor = page.getByTestId('inspector').getByTestId('formula-editor');
  await expect(editor).toHaveAttribute('data-ready', 'true');
  await editor.locator('.monaco-editor').click();
  return editor;
}

test('a formula typed key by key comes out exactly as typed, with no error', async ({ page, request }) => {
  const id = await designerWithCalculatedField(request);
  const editor = await openEditor(page, id);
  const inspector = page.getByTestId('inspector');

  // Key by key, as a person types: `"` opens text, `(` inside it stays alone, the closing `"` and `]` are
  // stepped over where the editor put them.
  for (const ch of EXAMPLE) {
    await page.keyboard.type(ch);
    // A suggestion list open after `[` must not take the next key.
    if (ch === ']') await page.keyboard.press('Escape');
  }
  await page.keyboard.press('Escape');
  await expect.poll(() => editorText(editor)).toBe(EXAMPLE);
  await expect(inspector.getByTestId('formula-problem')).toHaveCount(0);
  await expect(editor.locator('.squiggly-error')).toHaveCount(0);
  await expect(inspector.getByTestId('formula-type')).toHaveText('→ Text');
  await expect(inspector.getByTestId('formula-preview-value').first()).toHaveText('Oslo office (OSL)');
  // What the node holds is the same text (its summary on the canvas).
  await expect(page.getByTestId('node-calculated-field').getByTestId('node-summary')).toContainText('title = [name] & " (" & [code]');

  // Select all, then `[`: the selection is replaced, not wrapped in brackets.
  await page.keyboard.press('Control+A');
  await page.keyboard.type('[');
  await page.keyboard.press('Escape');
  const replaced = await editorText(editor);
  expect(replaced.startsWith('[')).toBe(true);
  expect(replaced).not.toContain('name');
  expect(['[', '[]']).toContain(replaced);
});

test('a misspelt field is said once, in words, and its "Did you mean" is a quick fix', async ({ page, request }) => {
  const id = await designerWithCalculatedField(request);
  const inspector = page.getByTestId('inspector');
  for (const size of [
    { width: 1440, height: 900 },
    { width: 1024, height: 700 },
  ]) {
    await page.setViewportSize(size);
    const editor = await openEditor(page, id);
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('[nmae] & " (" & [code] & ")"');
    await page.keyboard.press('Escape');
    const problem = inspector.getByTestId('formula-problem');
    await expect(problem).toHaveCount(1);
    await expect(problem).toContainText('Unknown field [nmae]. Did you mean [name]?');
    await expect(editor.locator('.squiggly-error')).toHaveCount(1);
    // The squiggle's hover does not repeat it (no "Weft(unknown-field)", no "No quick fixes available").
    await editor.locator('.view-line span span', { hasText: /^nmae$/ }).hover();
    await page.waitForTimeout(600);
    await expect(page.locator('.monaco-hover:visible')).not.toContainText(/unknown-field|No quick fixes|Unknown field/);
    await expect(page.getByText('Weft(unknown-field)')).toHaveCount(0);
    await expect(page.getByText(/Unknown field \[nmae\]/)).toHaveCount(1);

    // The editor's own quick fix: cursor on the misspelt name, Ctrl+. and the fix is first.
    await editor.locator('.monaco-editor').click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Control+.');
    const menu = page.locator('.action-widget').filter({ hasText: 'Change to [name]' });
    await expect(menu).toBeVisible();
    await page.screenshot({ path: resolve(SHOTS, `formula-quick-fix-${size.width}x${size.height}.png`) });
    await page.keyboard.press('Escape');
    await expect(inspector.getByTestId('formula-fix')).toHaveText('Change to [name]');
    await page.screenshot({ path: resolve(SHOTS, `formula-error-${size.width}x${size.height}.png`) });
    if (size.width === 1440) {
      await page.keyboard.press('Control+.');
      await expect(menu).toBeVisible();
      await page.keyboard.press('Enter');
    } else {
      // The same fix from the line under the editor, for whoever does not know Ctrl+.
      await inspector.getByTestId('formula-fix').click();
    }
    await expect.poll(() => editorText(editor)).toBe(EXAMPLE);
    await expect(problem).toHaveCount(0);
    await expect(editor.locator('.squiggly-error')).toHaveCount(0);
    await expect(inspector.getByTestId('formula-preview-value').first()).toHaveText('Oslo office (OSL)');
  }
});
