// axe-core on every page of Weft, at the desktop and the small-laptop size: no serious or critical violation,
// exactly one h1 per page, and a screenshot of each for a person to look at (docs/screenshots/page-*.png).
import { resolve } from 'node:path';
import type { APIRequestContext, Page } from '@playwright/test';
import type { Graph } from '../../shared/graph/schema';
import { withFilePreview } from '../../shared/graph/kinds/file-source';
import { expect, expectAccessible, test } from './helpers';

const DOCS_SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
] as const;
const CSV = 'email,first_name,last_name,company,deal_value\nada@example.com,Ada,Lovelace,Stark Industries,20272.50\ngrace@example.com,Grace,Hopper,Wayne Enterprises,76887.07\n';
const OBJECT = 'a11y_contacts';

/** A published integration (file -> map -> workspace object) and one finished run of it, made through the API. */
async function seed(request: APIRequestContext) {
  const up = await request.post('/api/files?name=contacts.csv', { data: CSV, headers: { 'content-type': 'text/csv' } });
  expect(up.status()).toBe(201);
  const file = (await up.json()) as { id: string; columns: { name: string; type: string }[] };
  const graph: Graph = {
    version: 1,
    nodes: [
      { id: 'source', kind: 'csv-source', label: 'contacts.csv', position: { x: 0, y: 0 }, config: withFilePreview({ fileId: file.id, fileName: 'contacts.csv', delimiter: ',', hasHeader: true, columns: file.columns }) },
      {
        id: 'map',
        kind: 'map',
        label: 'Contact fields',
        position: { x: 280, y: 0 },
        config: {
          fields: [
            { source: 'email', target: 'email', type: 'text', key: true },
            { source: 'first_name', target: 'first_name', type: 'text', key: false },
            { source: 'company', target: 'company', type: 'text', key: false },
          ],
        },
      },
      { id: 'target', kind: 'workspace-target', label: 'Contacts', position: { x: 560, y: 0 }, config: { object: OBJECT, mode: 'upsert' } },
    ],
    edges: [
      { id: 'e1', source: 'source', target: 'map' },
      { id: 'e2', source: 'map', target: 'target' },
    ],
  };
  const created = await request.post('/api/integrations', { data: { name: 'Contacts for the accessibility check', graph } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const published = await request.post(`/api/integrations/${id}/publish`, { data: {} });
  expect(published.status(), await published.text()).toBe(200);
  const started = await request.post(`/api/integrations/${id}/runs`, { data: { params: {}, files: {} } });
  expect(started.status(), await started.text()).toBeLessThan(300);
  const { runId } = (await started.json()) as { runId: string };
  await expect
    .poll(async () => ((await (await request.get(`/api/runs/${runId}`)).json()) as { status: string }).status, { timeout: 60_000 })
    .toBe('completed');
  // A saved login with a long name, so the connections page shows a row to read at 1024 px.
  const conn = await request.post('/api/connections', {
    data: { connector: 'postgres', name: 'Customer database (reporting replica, read only)', config: { host: 'db.internal.example.com', database: 'crm', user: 'weft_reader' }, secrets: { password: 'a long enough password' } },
  });
  expect(conn.status(), await conn.text()).toBeLessThan(300);
  const { id: connectionId } = (await conn.json()) as { id: string };
  return { integrationId: id, runId, connectionId };
}

/** Waits until the page shows its h1 and no loading spinner, then checks it with axe and takes both screenshots. */
async function check(page: Page, name: string) {
  const h1 = page.locator('h1');
  await expect(h1).toHaveCount(1);
  await expect(h1).toBeVisible();
  await expect(page.locator('.page-loading')).toHaveCount(0);
  for (const size of SIZES) {
    await page.setViewportSize(size);
    // Layout settles (the designer re-fits its canvas) before axe reads colours and overflow.
    await page.waitForTimeout(400);
    await expectAccessible(page, `${name} at ${size.width}×${size.height}`);
    await page.screenshot({ path: resolve(DOCS_SHOTS, `page-${name}-${size.width}x${size.height}.png`) });
  }
  await page.setViewportSize(SIZES[0]);
}

test('every page has no serious or critical axe-core violation', async ({ page, request, context }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  const { integrationId, runId, connectionId } = await seed(request);
  // The saved login is removed again at the end: other specs start from an empty connections page.
  try {
    const pages: [string, string][] = [
      ['integrations', '/#/'],
      ['designer', `/#/integrations/${integrationId}`],
      ['history', `/#/integrations/${integrationId}/runs`],
      ['run', `/#/runs/${runId}`],
      ['connections', '/#/connections'],
      ['workspace', '/#/workspace'],
      ['workspace-object', `/#/workspace/${OBJECT}`],
      ['users', '/#/users'],
      ['tokens', '/#/tokens'],
      ['audit', '/#/audit'],
    ];
    for (const [name, url] of pages) {
      await page.goto(url);
      await check(page, name);
    }

    // The designer with a step selected: the inspector and its forms.
    await page.goto(`/#/integrations/${integrationId}`);
    await page.getByTestId('node-map').click();
    await expect(page.getByTestId('node-label-input')).toHaveValue('Contact fields');
    await check(page, 'designer-inspector');
  } finally {
    expect((await request.delete(`/api/connections/${connectionId}`)).status()).toBeLessThan(300);
  }

  // Signed out: the sign-in page.
  await context.clearCookies();
  await page.goto('/');
  await expect(page.getByTestId('sign-in-email')).toBeVisible();
  await check(page, 'sign-in');

  expect(errors).toEqual([]);
});
