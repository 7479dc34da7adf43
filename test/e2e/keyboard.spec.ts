// The designer and its dialogs from the keyboard alone: visible focus on steps, "Connect to…" instead of dragging a
// handle, focus that never falls to the page body (Save, Escape, menus, dialogs, route changes), arrow keys in the
// Run menu, Delete that only deletes on the canvas, edges out of the tab order, a skip link past the canvas, and
// Weft's own confirm dialogs.
import { resolve } from 'node:path';
import type { APIRequestContext, Page } from '@playwright/test';
import { getKind } from '../../shared';
import type { Graph } from '../../shared/graph/schema';
import { expect, expectAccessible, test } from './helpers';

const DOCS_SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

/** An integration with these steps in a row, none linked, made through the API; returns its id. */
async function integrationWith(request: APIRequestContext, name: string, kinds: string[], edges: [number, number][] = []) {
  const nodes = kinds.map((kind, i) => ({ id: `n${i + 1}`, kind, label: '', position: { x: i * 280, y: 0 }, config: getKind(kind)!.defaults() as Record<string, unknown> }));
  const graph: Graph = { version: 1, nodes, edges: edges.map(([a, b]) => ({ id: `e${a}-${b}`, source: `n${a}`, target: `n${b}` })) };
  const res = await request.post('/api/integrations', { data: { name, graph } });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const active = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { tag: el?.tagName ?? '', testId: el?.dataset.testid ?? el?.closest('[data-testid]')?.getAttribute('data-testid') ?? '', id: el?.dataset.id ?? '', text: el?.textContent?.trim() ?? '' };
  });

test('steps get visible focus, link by "Connect to…", keep focus on Escape and Save; edges are not tab stops', async ({ page, request }) => {
  const id = await integrationWith(request, 'Keyboard flow', ['csv-source', 'map', 'workspace-target'], [[1, 2]]);
  await page.goto(`/#/integrations/${id}`);
  await expect(page.getByTestId('canvas').locator('.react-flow__node')).toHaveCount(3);

  // Edges are not in the tab order; nodes are.
  await expect(page.locator('.react-flow__edge[tabindex]')).toHaveCount(0);
  const mapNode = page.locator('.react-flow__node[data-id="n2"]');
  await expect(mapNode).toHaveAttribute('tabindex', '0');

  // Tab from the skip link reaches the first step, and the focused step shows a 3 px outline.
  await page.getByTestId('skip-canvas').focus();
  await expect(page.getByTestId('skip-canvas')).toBeVisible();
  await page.keyboard.press('Tab');
  expect((await active(page)).id).toBe('n1');
  const outline = await page.locator('.react-flow__node[data-id="n1"]').evaluate((el) => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth);
  expect(outline).toBe('solid 3px');
  await page.screenshot({ path: resolve(DOCS_SHOTS, 'keyboard-node-focus-1440x900.png') });

  // Tab to the map step, Enter selects it: the inspector shows it and "Connect to…" appears under it.
  await page.keyboard.press('Tab');
  expect((await active(page)).id).toBe('n2');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('node-label-input')).toHaveAttribute('placeholder', 'Map fields');
  await page.keyboard.press('Tab');
  expect((await active(page)).testId).toBe('connect-to');
  await page.keyboard.press('Enter');
  const menu = page.getByTestId('link-menu');
  await expect(menu).toBeVisible();
  // Only the target can take a link from the map (the file already feeds it; a link back would be a loop).
  await expect(menu.getByTestId('link-to')).toHaveCount(1);
  await expect(menu.getByTestId('link-to')).toHaveText('Connect to Write workspace object');
  await expect(menu.getByTestId('unlink')).toHaveText('Remove the link with Read file');
  await expect(menu.getByTestId('link-to')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByTestId('unlink')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByTestId('link-to')).toBeFocused();
  await page.screenshot({ path: resolve(DOCS_SHOTS, 'keyboard-connect-to-1440x900.png') });
  await page.keyboard.press('Enter');
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);
  await expect(menu).toHaveCount(0);
  // Focus goes back to the step the link was made from.
  await expect.poll(async () => (await active(page)).id).toBe('n2');
  await expect(page.getByTestId('problems')).toBeVisible();

  // Escape on a step unselects it but keeps focus on it, not on the page body.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('node-label-input')).toHaveCount(0);
  await page.waitForTimeout(100);
  expect((await active(page)).id).toBe('n2');

  // Delete with a palette button focused does not delete the selected step.
  await mapNode.click();
  await page.getByTestId('palette-filter').focus();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('canvas').locator('.react-flow__node')).toHaveCount(3);
  // On the canvas it does (and Undo brings it back).
  await mapNode.focus();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('canvas').locator('.react-flow__node')).toHaveCount(2);
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('canvas').locator('.react-flow__node')).toHaveCount(3);

  // Save from the keyboard: focus stays on Save (now quiet: nothing to save), not on the body.
  await page.getByTestId('save').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('save-status')).toHaveText(/Saved/);
  expect((await active(page)).testId).toBe('save');
  await expect(page.getByTestId('save')).toHaveAttribute('aria-disabled', 'true');

  // The skip link jumps past every step to the side panel.
  await page.getByTestId('skip-canvas').focus();
  await page.keyboard.press('Enter');
  await expect.poll(async () => page.evaluate(() => !!document.activeElement?.closest('[data-testid="inspector"]'))).toBe(true);

  await expectAccessible(page, 'designer after keyboard use');
});

test('the Run menu and the user menu follow the WAI-ARIA menu button; dialogs take, trap and return focus', async ({ page, request }) => {
  const id = await integrationWith(request, 'Menu flow', ['csv-source', 'map']);
  await page.goto(`/#/integrations/${id}`);
  const toggle = page.getByTestId('run-menu');
  await toggle.focus();
  await page.keyboard.press('ArrowDown');
  const items = page.getByRole('menu', { name: 'Ways to run' }).getByRole('menuitem');
  await expect(items).toHaveCount(2);
  await expect(items.nth(0)).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(items.nth(1)).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(items.nth(0)).toBeFocused();
  await page.keyboard.press('End');
  await expect(items.nth(1)).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(items).toHaveCount(0);
  await expect(toggle).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(items.nth(0)).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(items).toHaveCount(0);

  // A route change moves focus to the new page's heading.
  await page.getByTestId('nav-connections').focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/connections$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Connections' })).toBeFocused();

  // The invite dialog: focus moves in, Tab stays inside, Escape closes it and gives focus back to its button.
  await page.goto('/#/users');
  const invite = page.getByTestId('invite-user');
  await invite.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect.poll(async () => dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    expect(await dialog.evaluate((d) => d.contains(document.activeElement)), `Tab ${i + 1} left the dialog`).toBe(true);
  }
  await expectAccessible(page, 'invite dialog');
  await page.screenshot({ path: resolve(DOCS_SHOTS, 'keyboard-dialog-1440x900.png') });
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(invite).toBeFocused();

  // The user menu: arrows, and a styled confirm (not the browser's) for signing out everywhere; Cancel keeps the session.
  const userMenu = page.getByTestId('user-menu');
  await userMenu.focus();
  await page.keyboard.press('ArrowUp');
  await expect(page.getByTestId('sign-out-everywhere')).toBeFocused();
  await page.keyboard.press('Enter');
  const confirm = page.getByTestId('confirm-dialog');
  await expect(confirm).toContainText('Sign out everywhere?');
  await expect(page.getByTestId('confirm-cancel')).toBeFocused();
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.screenshot({ path: resolve(DOCS_SHOTS, 'confirm-dialog-1024x700.png') });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.screenshot({ path: resolve(DOCS_SHOTS, 'confirm-dialog-1440x900.png') });
  await page.keyboard.press('Escape');
  await expect(confirm).toHaveCount(0);
  expect((await page.request.get('/api/integrations')).status()).toBe(200);
});

test('leaving a designer with unsaved changes asks first; "Save and leave" saves', async ({ page, request }) => {
  const id = await integrationWith(request, 'Unsaved flow', ['csv-source']);
  await page.goto(`/#/integrations/${id}`);
  await page.getByTestId('integration-name').fill('Renamed before leaving');
  await expect(page.getByTestId('save-status')).toHaveText('Unsaved changes');
  await page.getByTestId('nav-integrations').click();
  const confirm = page.getByTestId('confirm-dialog');
  await expect(confirm).toContainText('Save your changes?');
  await page.screenshot({ path: resolve(DOCS_SHOTS, 'unsaved-changes-1440x900.png') });
  // Cancel stays, with the change.
  await page.getByTestId('confirm-cancel').click();
  await expect(page).toHaveURL(new RegExp(`#/integrations/${id}$`));
  await expect(page.getByTestId('integration-name')).toHaveValue('Renamed before leaving');
  await page.getByTestId('nav-integrations').click();
  await page.getByTestId('confirm-ok').click();
  await expect(page).toHaveURL(/#\/$/);
  await expect(page.locator(`[data-testid="integration-card"][data-id="${id}"]`)).toContainText('Renamed before leaving');

  // The integration list's delete asks in the same styled dialog.
  await page.locator(`[data-testid="integration-card"][data-id="${id}"]`).getByRole('button', { name: 'Delete Renamed before leaving' }).click();
  await expect(confirm).toContainText('Delete "Renamed before leaving"?');
  await page.getByTestId('confirm-ok').click();
  await expect(page.locator(`[data-testid="integration-card"][data-id="${id}"]`)).toHaveCount(0);
});
