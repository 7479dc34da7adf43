// Member alignment and "Test a record" in the browser: add a member system from a Postgres table through the dialog,
// refresh it, resolve an unmatched user by hand, then open the designer of an integration that maps owners with
// MEMBER() and test one record. Screenshots at 1440×900 and 1024×700 go to docs/screenshots/.
import { join, resolve } from 'node:path';
import pg from 'pg';
import type { Page } from '@playwright/test';
import { withFilePreview } from '../../shared/graph/kinds/file-source';
import { scratchPostgres, type ScratchPostgres } from '../../runtime/connections/scratch-postgres';
import { expect, test } from './helpers';

const DOCS_SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

async function shoot(page: Page, name: string) {
  for (const [w, h] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(250);
    await page.screenshot({ path: join(DOCS_SHOTS, `${name}-${w}.png`) });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

let db: ScratchPostgres | null = null;
test.afterAll(async () => {
  await db?.drop();
});

test('align members from a table, resolve one by hand, and test a record that maps its owner', async ({ page, request }) => {
  test.setTimeout(120_000);
  db = await scratchPostgres(1);
  if (!db) throw new Error('Postgres at 127.0.0.1:5432 is needed (it runs on this machine and in CI)');
  const client = new pg.Client({ host: db.config.host, port: db.config.port, database: db.config.database, user: db.config.user, password: db.secrets.password });
  await client.connect();
  await client.query('CREATE TABLE hs_owners (id bigint PRIMARY KEY, email text, name text)');
  await client.query(`INSERT INTO hs_owners VALUES (301, ' Ada@Example.com', 'Ada Lovelace'), (302, 'grace@navy.example', 'Grace Hopper'), (303, NULL, 'Shared inbox'), (304, 'linus@example.com', 'Linus')`);
  await client.query('CREATE TABLE sf_users (id text PRIMARY KEY, email text, full_name text)');
  await client.query(`INSERT INTO sf_users VALUES ('005A1', 'ada@example.com', 'Ada L.'), ('005G7', 'GRACE@navy.example', 'Grace H.')`);
  await client.end();
  const made = await request.post('/api/connections', { data: { connector: 'postgres', name: 'CRM mirror (e2e)', config: db.config, secrets: db.secrets } });
  expect(made.status()).toBe(201);
  const connectionId = ((await made.json()) as { id: string }).id;
  const sf = await request.post('/api/member-systems', { data: { name: 'salesforce', connectionId, source: { type: 'table', table: 'public.sf_users', idColumn: 'id', emailColumn: 'email', nameColumn: 'full_name' } } });
  expect(sf.status()).toBe(201);

  await page.goto('/');
  await page.getByTestId('nav-members').click();
  await expect(page.getByRole('heading', { name: 'Members', level: 1 })).toBeVisible();

  // Add HubSpot's owners from a table, picked in the dialog.
  await page.getByTestId('new-member-system').click();
  const dialog = page.getByTestId('member-system-dialog');
  await dialog.getByTestId('ms-name').fill('hubspot');
  await dialog.getByTestId('ms-connection').selectOption({ label: 'CRM mirror (e2e)' });
  await expect(dialog.getByTestId('ms-table').locator('option', { hasText: 'hs_owners' })).toHaveCount(1);
  await dialog.getByTestId('ms-table').selectOption('public.hs_owners');
  await dialog.getByTestId('ms-idColumn').selectOption('id');
  await dialog.getByTestId('ms-emailColumn').selectOption('email');
  await dialog.getByTestId('ms-nameColumn').selectOption('name');
  await dialog.getByTestId('ms-save').click();
  await expect(dialog).toBeHidden();

  for (const name of ['hubspot', 'salesforce']) {
    await page.locator(`[data-testid="member-system-row"][data-name="${name}"]`).getByTestId('refresh-members').click();
    await expect(page.getByText(new RegExp(`^${name}: \\d+ users read`))).toBeVisible();
  }
  const hubspot = page.locator('[data-testid="member-system-row"][data-name="hubspot"]');
  await expect(hubspot.locator('td').nth(3)).toHaveText('4');
  await expect(page.getByTestId('unmatched-row')).toHaveCount(1);
  await expect(page.getByTestId('unmatched-row').first()).toContainText('no email');
  const ada = page.getByTestId('member-row').filter({ hasText: 'Ada Lovelace' });
  await expect(ada).toContainText('301');
  await expect(ada).toContainText('005A1');
  await page.mouse.move(0, 0);
  while ((await page.locator('.toast__close').count()) > 0) await page.locator('.toast__close').first().click();
  await shoot(page, 'members');

  // Resolve the shared inbox by hand: a member of its own.
  await page.getByTestId('unmatched-row').first().getByTestId('make-member').click();
  await expect(page.getByTestId('unmatched-table')).toBeHidden();
  await expect(page.getByTestId('member-row').filter({ hasText: 'Shared inbox' })).toContainText('by hand');

  // An integration that maps each deal's HubSpot owner to their Salesforce user.
  const up = await request.post('/api/files?name=deals.csv', { data: 'deal,stage,owner_id\nD-100,won,301\nD-101,open,302\nD-102,won,304\n', headers: { 'content-type': 'text/csv' } });
  const file = (await up.json()) as { id: string; name: string; format: 'csv'; columns: { name: string; type: 'text' | 'number' }[] };
  const graph = {
    version: 1,
    nodes: [
      { id: 'source', kind: 'csv-source', label: 'deals.csv', position: { x: 0, y: 0 }, config: withFilePreview({ fileId: file.id, fileName: file.name, format: file.format, delimiter: ',', hasHeader: true, columns: file.columns }) },
      { id: 'filter', kind: 'filter', label: 'Only won deals', position: { x: 260, y: 0 }, config: { mode: 'formula', match: 'all', conditions: [], formula: '[stage] = "won"' } },
      {
        id: 'map',
        kind: 'map',
        label: 'Map deals',
        position: { x: 520, y: 0 },
        config: {
          fields: [
            { from: 'field', source: 'deal', target: 'deal', type: 'text', key: true },
            { from: 'formula', formula: 'MEMBER("hubspot", [owner_id], "salesforce")', target: 'sf_owner', type: 'text', key: false },
          ],
        },
      },
      { id: 'target', kind: 'workspace-target', label: 'Deals', position: { x: 780, y: 0 }, config: { object: 'e2e_member_deals', mode: 'upsert' } },
    ],
    edges: [
      { id: 'e1', source: 'source', target: 'filter' },
      { id: 'e2', source: 'filter', target: 'map' },
      { id: 'e3', source: 'map', target: 'target' },
    ],
  };
  const created = await request.post('/api/integrations', { data: { name: 'Deals with owners', graph } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };

  await page.goto(`/#/integrations/${id}`);
  await expect(page.getByTestId('canvas')).toBeVisible();
  await page.getByTestId('test-record').click();
  const tester = page.getByTestId('test-record-dialog');
  await tester.getByTestId('test-record-search').fill('D-10');
  await tester.getByTestId('test-record-find').click();
  await expect(tester.getByTestId('test-record-match')).toHaveCount(3);
  await tester.getByTestId('test-record-match').first().click();
  await expect(tester.getByTestId('trace-target')).toHaveAttribute('data-action', 'create');
  await expect(tester.getByTestId('trace-step').nth(1)).toContainText('[stage] = "won" → TRUE');
  await expect(tester.getByTestId('trace-target')).toContainText('005A1');
  await shoot(page, 'test-record');

  // Linus has no Salesforce user: his deal is rejected, saying why.
  await tester.getByTestId('test-record-match').nth(2).click();
  await expect(tester.getByTestId('trace-step').nth(2)).toHaveAttribute('data-outcome', 'rejected');
  await expect(tester.getByTestId('trace-step').nth(2)).toContainText('Linus (linus@example.com) has no id in salesforce');
  await shoot(page, 'test-record-rejected');
  // The open deal stops at the filter.
  await tester.getByTestId('test-record-match').nth(1).click();
  await expect(tester.getByTestId('trace-step').nth(1)).toHaveAttribute('data-outcome', 'stopped');
  await expect(tester.getByTestId('trace-target')).toHaveAttribute('data-action', 'not-reached');

  // The Map says what MEMBER does when it finds no one: reject (the default) or use a default member.
  await page.keyboard.press('Escape');
  await expect(tester).toBeHidden();
  await page.getByTestId('node-map').click();
  const inspector = page.getByTestId('inspector');
  await expect(inspector.getByText('When MEMBER() finds no one')).toBeVisible();
  await inspector.getByText('When MEMBER() finds no one').scrollIntoViewIfNeeded();
  await shoot(page, 'members-map-fallback');
});
