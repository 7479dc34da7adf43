// review16b: an open sync history reads its runs again every 10 s (ui16); a hidden tab (a background tab, a minimised
// window) asked the server all the same, so many open tabs kept hammering the API. Paused while hidden, read again
// as soon as the tab is shown.
import type { Page } from '@playwright/test';
import { graphFixture, withPreviewedFile } from '../support/graph-fixtures';
import { expect, test } from './helpers';

const CSV = 'Email,Name\nann@example.io,Ann\n';

/** Makes the page report itself hidden or shown, as the browser does for a background tab, and says so. */
const setHidden = (page: Page, hidden: boolean) =>
  page.evaluate((h) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);

test('a hidden sync history asks for no runs, and reads them again when shown', async ({ page, request }) => {
  test.setTimeout(90_000);
  const up = await request.post('/api/files?name=hidden.csv', { data: CSV, headers: { 'content-type': 'text/csv' } });
  const file = (await up.json()) as { id: string; columns: { name: string; type: string }[] };
  const graph = withPreviewedFile(
    graphFixture('customers-file-map-workspace', {
      source: { fileId: file.id, columns: file.columns.map((c) => ({ ...c, type: 'text' })) },
      map: { fields: [{ source: 'Email', target: 'email', type: 'text', key: true }] },
      target: { object: `r16b_hidden_${Math.random().toString(36).slice(2, 7)}` },
    }),
  );
  const created = await request.post('/api/integrations', { data: { name: 'Hidden tab', graph } });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };

  const asked: number[] = [];
  // Anything the open page asks the API by itself: the history's runs, the shell's server status (15 s), the inbox count.
  const api: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path === `/api/integrations/${id}/runs`) asked.push(Date.now());
    if (path.startsWith('/api/')) api.push(path);
  });
  await page.goto(`/#/integrations/${id}/runs`);
  await expect(page.getByText('No runs yet')).toBeVisible();
  // Shown: read again within about 10 s.
  const before = asked.length;
  await expect.poll(() => asked.length, { timeout: 15_000 }).toBeGreaterThan(before);

  await setHidden(page, true);
  await page.waitForTimeout(500);
  const hiddenFrom = asked.length;
  const apiFrom = api.length;
  await page.waitForTimeout(16_000);
  expect(asked.length, 'no runs asked for while the tab is hidden').toBe(hiddenFrom);
  expect(api.slice(apiFrom), 'nothing asked of the API while the tab is hidden').toEqual([]);

  await setHidden(page, false);
  await expect.poll(() => asked.length, { timeout: 3_000 }).toBeGreaterThan(hiddenFrom);
  await expect.poll(() => api.slice(apiFrom), { timeout: 3_000 }).toContain('/api/health');
});
