// The spreadsheet functions in the formula editor (issue 17): completion lists the new functions
// with their signatures, and a name from another tool (Airtable's DATETIME_DIFF) is marked with
// Weft's function that does the same, in the problem list and on hover.
import { resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { connect, expect, SHOTS, test } from './helpers';

const CSV = resolve(import.meta.dirname, '../fixtures/files/contacts.csv');
const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
];

async function openFormulaEditor(page: Page) {
  await page.goto('/');
  await page.getByTestId('new-integration').click();
  const canvas = page.getByTestId('canvas');
  await expect(canvas).toBeVisible();
  await page.locator('.react-flow__controls-zoomout').click();
  await page.locator('.react-flow__controls-zoomout').click();
  await page.getByTestId('palette-csv-source').dragTo(canvas, { targetPosition: { x: 70, y: 160 } });
  await page.getByTestId('palette-calculated-field').dragTo(canvas, { targetPosition: { x: 230, y: 160 } });
  const csvNode = page.getByTestId('node-csv-source');
  const calcNode = page.getByTestId('node-calculated-field');
  await connect(page, csvNode, calcNode);
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
  const inspector = page.getByTestId('inspector');
  await csvNode.click();
  await inspector.getByTestId('file-input').setInputFiles(CSV);
  await expect(inspector.getByTestId('columns-table')).toContainText('deal_value');
  await calcNode.click();
  const editor = inspector.getByTestId('formula-editor');
  await expect(editor).toHaveAttribute('data-ready', 'true');
  await inspector.getByLabel('Field name').fill('renewal');
  return { inspector, editor };
}

for (const size of SIZES) {
  test(`spreadsheet functions: completion with signatures and a teaching unknown-function error (${size.width}x${size.height})`, async ({ page }) => {
    await page.setViewportSize(size);
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    const { inspector, editor } = await openFormulaEditor(page);

    // Completion: the new date functions are offered, each with its signature.
    await editor.locator('.monaco-editor').click();
    await page.keyboard.type('EOMON', { delay: 10 });
    const suggest = page.locator('.suggest-widget.visible');
    // Typing opens the list by itself; Control+Space opens it only if it did not (pressed on an open list, it would
    // fold the details away: on a busy machine the list can open either side of the key press).
    await suggest.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => page.keyboard.press('Control+Space'));
    await expect(suggest).toBeVisible();
    await expect(suggest.locator('.monaco-list-row').filter({ hasText: 'EOMONTH' })).toBeVisible();
    // The focused item's details show its signature and where it comes from (Control+Space shows them if folded).
    const details = page.locator('.suggest-details');
    await details.waitFor({ state: 'visible', timeout: 3_000 }).catch(() => page.keyboard.press('Control+Space'));
    await expect(details).toContainText('EOMONTH(date, months) → Date');
    await expect(details).toContainText('Spreadsheet counterpart: Excel EOMONTH');
    await page.screenshot({ path: resolve(SHOTS, `formula-completion-${size.width}x${size.height}.png`) });
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    // Typing opens the list by itself now; Control+Space again would fold the details away.
    await page.keyboard.type('NETWORKD', { delay: 10 });
    await expect(suggest.locator('.monaco-list-row').filter({ hasText: 'NETWORKDAYS' })).toBeVisible();
    await expect(details).toContainText('NETWORKDAYS(start, end, holidays?) → Number');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');

    // A name from Airtable: the checker says which Weft function does this.
    await page.keyboard.type('DATETIME_DIFF(', { delay: 10 });
    await page.keyboard.press('Escape');
    const problem = inspector.getByTestId('formula-problem');
    await expect(problem).toHaveCount(1);
    await expect(problem).toContainText('Unknown function DATETIME_DIFF — Weft\'s DATEDIFF(start, end, "day") does this');
    await expect(editor.locator('.squiggly-error').first()).toBeVisible();

    // Said once (issue 12): hovering the name does not repeat it in a second place.
    await editor.locator('.view-line span', { hasText: /DATETIME_DIFF/ }).first().hover();
    await page.waitForTimeout(800);
    await expect(page.locator('.monaco-hover:visible').filter({ hasText: 'DATEDIFF(start, end, "day")' })).toHaveCount(0);
    await expect(page.getByText('Weft\'s DATEDIFF(start, end, "day") does this')).toHaveCount(1);
    await page.screenshot({ path: resolve(SHOTS, `formula-unknown-function-hover-${size.width}x${size.height}.png`) });
    expect(pageErrors).toEqual([]);
  });
}
