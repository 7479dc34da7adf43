// A tour of Weft as a person who is not an engineer sees it (ui13): realistic content made through the API and the
// designer (a Postgres connection, an uploaded CSV, file → map → calculated field → workspace object, a two-way sync
// with a conflict and a held delete, runs with rejected records, a schedule, a set, members and alerts), then every
// main page at 1440×900 and 1024×700. Screenshots go to test-results/ui13/ for a person to look at; what can be
// checked by machine (sideways scrolling, text cut off, raw ids) is printed per page; ui-polish.spec.ts asserts the
// defects this tour found. Run it with `npm run ui:tour` (its own config: not part of `npm test`).
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import type { Page } from '@playwright/test';
import { scratchPostgres, type ScratchPostgres } from '../../runtime/connections/scratch-postgres';
import { graphFixture, withPreviewedFile } from '../support/graph-fixtures';
import { expect, runToEnd, test } from './helpers';

const OUT = resolve(import.meta.dirname, '../../test-results/ui13');
mkdirSync(OUT, { recursive: true });
const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
] as const;

const ORDERS = [
  'Email,Full Name,Country,Amount,Ordered on',
  'ada@example.com,Ada Lovelace,GB,120.50,2026-11-02',
  'grace@example.com,Grace Hopper,US,80.00,2026-11-03',
  'alan@example.com,Alan Turing,GB,not paid yet,2026-11-04',
  'katherine@example.com,Katherine Johnson,US,99.99,2026-11-05',
  'edsger@example.com,Edsger Dijkstra,NL,twelve,2026-11-06',
  'barbara@example.com,Barbara Liskov,US,15.00,2026-11-07',
].join('\n');

/** What can be checked by machine on the page as it is now: sideways scrolling, and raw ids in the visible text. */
async function defects(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const doc = document.scrollingElement ?? document.documentElement;
    if (doc.scrollWidth > doc.clientWidth + 1) out.push(`the page scrolls sideways: ${doc.scrollWidth} > ${doc.clientWidth}`);
    // Any scroll container in the main area that scrolls sideways without being a table wrapper meant to.
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('main *, .app-main *'))) {
      const cs = getComputedStyle(el);
      if ((cs.overflowX === 'auto' || cs.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1 && !el.closest('.monaco-editor, .react-flow, .code, pre'))
        out.push(`sideways scroll in <${el.tagName.toLowerCase()} class="${el.className}">: ${el.scrollWidth} > ${el.clientWidth}`);
    }
    // Text cut off: an element that clips its text (ellipsis or hidden overflow) narrower than that text.
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('h1, h2, h3, main *, [role="dialog"] *'))) {
      if (el.children.length > 0 && el.tagName !== 'H1') continue;
      const cs = getComputedStyle(el);
      if (cs.overflowX === 'visible' || !el.textContent?.trim() || el.closest('.monaco-editor, .table-scroll')) continue;
      if (el.scrollWidth > el.clientWidth + 1 && el.getBoundingClientRect().width > 0)
        out.push(`${el.tagName === 'H1' ? 'HEADING ' : ''}text cut: "${(el.textContent ?? '').trim().slice(0, 60)}" (${el.className})`);
      if (el.tagName === 'INPUT' && (el as HTMLInputElement).value && el.scrollWidth > el.clientWidth + 1) out.push(`input cut: "${(el as HTMLInputElement).value.slice(0, 60)}"`);
    }
    for (const el of Array.from(document.querySelectorAll<HTMLInputElement>('main input[type="text"], main input:not([type])'))) {
      if (el.value && el.scrollWidth > el.clientWidth + 1) out.push(`input cut: "${el.value.slice(0, 60)}" (${el.className})`);
    }
    const text = document.body.innerText;
    for (const m of text.matchAll(/\b(?:int|run|conn|set|file|tok|msys|mem|rec|srun|usr)_[A-Za-z0-9]{8,}\b/g)) out.push(`raw id shown: ${m[0]}`);
    return [...new Set(out)];
  });
}

const found: Record<string, string[]> = {};
async function shoot(page: Page, name: string, opts: { fullPage?: boolean } = {}) {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.waitForTimeout(350);
    await page.screenshot({ path: resolve(OUT, `${name}-${size.width}x${size.height}.png`), fullPage: opts.fullPage ?? false });
    const d = await defects(page);
    if (d.length) found[`${name} at ${size.width}`] = d;
  }
  await page.setViewportSize(SIZES[0]);
}

test.use({ actionTimeout: 15_000 });
// Three minutes of screenshots for a person to look at, not a check CI needs: `npm run ui:tour` runs it.

let db: ScratchPostgres | null = null;
test.afterAll(async () => {
  await db?.drop();
});

test('a tour of every main page with realistic content', async ({ page, request }) => {
  test.setTimeout(600_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  // Empty states first, on a fresh Weft.
  for (const [name, url] of [
    ['empty-integrations', '/#/'],
    ['empty-connections', '/#/connections'],
    ['empty-sets', '/#/sets'],
    ['empty-members', '/#/members'],
    ['empty-inbox', '/#/inbox'],
    ['empty-workspace', '/#/workspace'],
  ] as const) {
    await page.goto(url);
    await expect(page.locator('h1')).toHaveCount(1);
    await page.waitForTimeout(500);
    await shoot(page, name);
  }
  await page.goto('/#/runs/run_doesnotexist0000');
  await page.waitForTimeout(1500);
  await shoot(page, 'error-run-not-found');
  await page.goto('/#/integrations/int_doesnotexist0000');
  await page.waitForTimeout(1500);
  await shoot(page, 'error-integration-not-found');
  await page.goto('/#/nowhere/at/all');
  await page.waitForTimeout(500);
  await shoot(page, 'error-not-found');

  // A Postgres database with a customers table, and a saved connection to it.
  db = await scratchPostgres(1);
  if (!db) throw new Error('Postgres at 127.0.0.1:5432 is needed');
  const client = new pg.Client({ host: db.config.host, port: db.config.port, database: db.config.database, user: db.config.user, password: db.secrets.password });
  await client.connect();
  await client.query(`CREATE TABLE customers (email text PRIMARY KEY, name text, plan text, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  await client.query(`CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN NEW.updated_at = clock_timestamp(); END IF; RETURN NEW; END $$`);
  await client.query(`CREATE TRIGGER customers_touch BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION touch()`);
  await client.query(
    `INSERT INTO customers (email, name, plan) VALUES ('ada@example.com', 'Ada Lovelace', 'Pro'), ('grace@example.com', 'Grace Hopper', 'Free'), ('alan@example.com', 'Alan Turing', 'Pro'), ('edsger@example.com', 'Edsger Dijkstra', 'Team')`,
  );
  await client.query('CREATE TABLE sales_reps (id bigint PRIMARY KEY, email text, name text)');
  await client.query(`INSERT INTO sales_reps VALUES (301, 'ada@example.com', 'Ada Lovelace'), (302, 'grace@example.com', 'Grace Hopper'), (303, NULL, 'Shared inbox')`);
  const conn = await request.post('/api/connections', { data: { connector: 'postgres', name: 'Customer database', config: db.config, secrets: db.secrets } });
  expect(conn.status(), await conn.text()).toBe(201);
  const connectionId = ((await conn.json()) as { id: string }).id;
  // A second one that cannot connect: its test fails.
  const broken = await request.post('/api/connections', { data: { connector: 'postgres', name: 'Old reporting server', config: { ...db.config, port: 1, database: 'gone' }, secrets: db.secrets } });
  expect(broken.status()).toBe(201);

  // The uploaded CSV: file → map → calculated field → workspace object, run: 2 rejected.
  const up = await request.post('/api/files?name=shop-orders-november.csv', { data: ORDERS, headers: { 'content-type': 'text/csv' } });
  expect(up.status()).toBe(201);
  const file = (await up.json()) as { id: string; columns: { name: string; type: string }[] };
  const base = withPreviewedFile(
    graphFixture('customers-file-map-workspace', {
      source: { fileId: file.id, fileName: 'shop-orders-november.csv', columns: file.columns.map((c) => ({ ...c, type: 'text' })) },
      map: {
        fields: [
          { source: 'Email', target: 'email', type: 'text', key: true },
          { source: 'Full Name', target: 'name', type: 'text', key: false },
          { source: 'Country', target: 'country', type: 'text', key: false },
          { source: 'Amount', target: 'amount', type: 'number', key: false },
          { source: 'Ordered on', target: 'ordered_on', type: 'date', key: false },
        ],
      },
      target: { object: 'shop_orders' },
    }),
  );
  const graph = {
    ...base,
    nodes: [
      ...base.nodes.map((n) => (n.id === 'target' ? { ...n, label: 'Shop orders', position: { x: 900, y: 0 } } : n.id === 'source' ? { ...n, label: 'shop-orders-november.csv' } : n)),
      { id: 'vat', kind: 'calculated-field', label: 'Amount with VAT', position: { x: 600, y: 0 }, config: { field: 'amount_with_vat', formula: 'ROUND([amount] * 1.2, 2)' } },
    ],
    edges: [
      { id: 'e1', source: 'source', target: 'map' },
      { id: 'e2', source: 'map', target: 'vat' },
      { id: 'e3', source: 'vat', target: 'target' },
    ],
  };
  const created = await request.post('/api/integrations', { data: { name: 'November shop orders to the workspace', description: 'Orders exported from the web shop every night', graph } });
  expect(created.status(), await created.text()).toBe(201);
  const ordersId = ((await created.json()) as { id: string }).id;
  expect((await request.post(`/api/integrations/${ordersId}/publish`, { data: {} })).status()).toBe(200);
  const first = await runToEnd(request, ordersId, { name: 'Nightly import' });
  expect(first.status).toBe('completed_with_errors');
  await runToEnd(request, ordersId);

  // A schedule and alerts on it.
  expect((await request.put(`/api/integrations/${ordersId}/schedule`, { data: { cadence: { kind: 'workdays', time: '06:00' }, timeZone: 'Europe/London' } })).status()).toBe(200);
  expect((await request.put(`/api/integrations/${ordersId}/alerts`, { data: { emails: ['ops@example.com'], rejectedAbovePercent: 10 } })).status()).toBe(200);

  // A draft with different column names, into the same object: the Map offers auto-map suggestions.
  const up2 = await request.post('/api/files?name=returns.csv', { data: 'E-mail,Name,Land,Total\nada@example.com,Ada,GB,10\n', headers: { 'content-type': 'text/csv' } });
  const file2 = (await up2.json()) as { id: string; columns: { name: string; type: string }[] };
  const draft = withPreviewedFile(
    graphFixture('customers-file-map-workspace', {
      source: { fileId: file2.id, fileName: 'returns.csv', columns: file2.columns },
      map: { fields: [{ source: 'E-mail', target: 'email', type: 'text', key: true }] },
      target: { object: 'shop_orders' },
    }),
  );
  const draftMade = await request.post('/api/integrations', { data: { name: 'Returns', graph: draft } });
  const returnsId = ((await draftMade.json()) as { id: string }).id;

  // Members from a table.
  const ms = await request.post('/api/member-systems', { data: { name: 'crm', connectionId, source: { type: 'table', table: 'public.sales_reps', idColumn: 'id', emailColumn: 'email', nameColumn: 'name' } } });
  expect(ms.status(), await ms.text()).toBe(201);
  const msId = ((await ms.json()) as { id: string }).id;
  expect((await request.post(`/api/member-systems/${msId}/refresh`, { data: {} })).status()).toBe(200);

  // The two-way sync, set up in the designer as a person would.
  const objects = await page.goto('/');
  void objects;
  await shoot(page, 'integrations');
  await page.getByTestId('new-integration').click();
  await page.getByTestId('integration-name').fill('Customer database ⇄ shop orders');
  await page.getByTestId('palette-two-way-sync').dragTo(page.getByTestId('canvas'), { targetPosition: { x: 300, y: 220 } });
  await page.getByTestId('node-two-way-sync').click();
  const inspector = page.getByTestId('inspector');
  await shoot(page, 'two-way-empty');
  const sideA = inspector.getByTestId('two-way-side-a');
  await sideA.getByLabel('Side A system').selectOption({ label: 'Customer database' });
  await expect(sideA.getByLabel('Side A table').locator('option', { hasText: 'customers' })).toHaveCount(1);
  await sideA.getByLabel('Side A table').selectOption({ value: 'public.customers' });
  const sideB = inspector.getByTestId('two-way-side-b');
  await sideB.getByLabel('Side B workspace object').selectOption({ value: 'shop_orders' });
  await inspector.getByLabel('Match key on side A').selectOption('email');
  await inspector.getByLabel('Match key on side B').selectOption('email');
  await inspector.getByTestId('two-way-map-same').click();
  await inspector.getByLabel('Deletes from A applied to B').selectOption('delete');
  await shoot(page, 'two-way-settings');
  await inspector.getByTestId('two-way-fields').scrollIntoViewIfNeeded();
  await shoot(page, 'two-way-fields');
  await page.getByTestId('save').click();
  await expect(page.getByTestId('save-status')).toContainText(/Saved|Published/);
  await page.getByTestId('publish').click();
  await expect(page.getByTestId('save-status')).toContainText('Published v1');
  const twoWayId = /#\/integrations\/([^/]+)/.exec(page.url())![1]!;
  await runToEnd(request, twoWayId);
  // Both sides change the same record; a customer is deleted in the database.
  await client.query(`UPDATE customers SET name = 'Rear Admiral Grace Hopper' WHERE email = 'grace@example.com'`);
  await client.query(`DELETE FROM customers WHERE email = 'edsger@example.com'`);
  const twoWayRun = await runToEnd(request, twoWayId);
  await client.end();

  // A set of the two, run once.
  const set = await request.post('/api/sets', { data: { name: 'Nightly customer chain', members: [ordersId, twoWayId] } });
  expect(set.status(), await set.text()).toBe(201);
  const setId = ((await set.json()) as { id: string }).id;
  const setRun = await request.post(`/api/sets/${setId}/runs`, { data: {} });
  expect(setRun.status(), await setRun.text()).toBeLessThan(300);

  // The pages, with content.
  await page.goto('/');
  await expect(page.getByTestId('integration-card')).toHaveCount(3);
  await shoot(page, 'integrations-full');

  await page.goto(`/#/integrations/${ordersId}`);
  await expect(page.getByTestId('canvas')).toBeVisible();
  await page.waitForTimeout(800);
  await shoot(page, 'canvas');
  await page.getByTestId('node-map').click();
  await shoot(page, 'map-inspector');
  await page.locator('.react-flow__node[data-id="vat"]').click();
  const editor = inspector.getByTestId('formula-editor');
  await expect(editor.locator('.monaco-editor')).toBeVisible();
  await page.waitForTimeout(800);
  await shoot(page, 'formula-editor');
  await editor.locator('.monaco-editor').click();
  await page.keyboard.press('End');
  await page.keyboard.type(' + [amout');
  await page.waitForTimeout(1000);
  await shoot(page, 'formula-error');
  while (await page.getByTestId('undo').isEnabled()) await page.getByTestId('undo').click();
  await page.locator('.react-flow__node[data-id="target"]').click();
  await shoot(page, 'target-inspector');
  await page.getByTestId('problems').click();
  await page.waitForTimeout(300);
  await shoot(page, 'problems');
  await page.keyboard.press('Escape');
  await page.getByTestId('test-record').click();
  await page.waitForTimeout(1500);
  await shoot(page, 'test-record');
  await page.keyboard.press('Escape');

  // Auto-map suggestions in the draft's Map.
  await page.goto(`/#/integrations/${returnsId}`);
  await page.locator('.react-flow__node[data-id="source"]').click();
  await inspector.getByTestId('file-input').setInputFiles({ name: 'returns.csv', mimeType: 'text/csv', buffer: Buffer.from('E-mail,Name,Land,Total\nada@example.com,Ada,GB,10\n') });
  await expect(inspector.getByTestId('preview-state')).toHaveText('Previewed');
  await shoot(page, 'file-source-preview');
  await page.getByTestId('node-map').click();
  await inspector.getByTestId('automap-run').click();
  await page.waitForTimeout(500);
  await shoot(page, 'automap');
  // Publish with problems: the map's key-only mapping is fine; remove the target's object to show an error.
  await page.locator('.react-flow__node[data-id="target"]').click();
  await inspector.getByTestId('workspace-object-input').fill('');
  await page.getByTestId('publish').click();
  await page.waitForTimeout(800);
  await shoot(page, 'publish-with-problems');
  await page.goto(`/#/integrations/${returnsId}`);
  await page.waitForTimeout(600);
  await shoot(page, 'draft-unsaved');

  await page.goto(`/#/integrations/${ordersId}/runs`);
  await expect(page.getByTestId('run-row')).toHaveCount(3);
  await shoot(page, 'history');
  await shoot(page, 'history-full', { fullPage: true });
  await page.goto(`/#/runs/${first.runId}`);
  await expect(page.getByTestId('run-status')).toBeVisible();
  await page.waitForTimeout(500);
  await shoot(page, 'run-rejected');
  await shoot(page, 'run-rejected-full', { fullPage: true });
  await page.goto(`/#/runs/${twoWayRun.runId}`);
  await page.waitForTimeout(800);
  await shoot(page, 'run-two-way');
  await shoot(page, 'run-two-way-full', { fullPage: true });
  await page.goto(`/#/integrations/${twoWayId}/runs`);
  await page.waitForTimeout(600);
  await shoot(page, 'history-two-way');

  await page.goto('/#/connections');
  await expect(page.getByTestId('connection-card')).toHaveCount(2);
  await shoot(page, 'connections');
  await page.getByTestId('connection-card').filter({ hasText: 'Old reporting server' }).getByTestId('card-test-connection').click();
  await expect(page.getByTestId('connection-card').filter({ hasText: 'Old reporting server' }).getByTestId('connection-status')).toHaveAttribute('data-status', /fail|error/, { timeout: 30_000 }).catch(() => undefined);
  await shoot(page, 'connections-failed-test');
  await page.getByTestId('new-connection').first().click();
  await page.waitForTimeout(600);
  await shoot(page, 'connection-new');
  await page.keyboard.press('Escape');

  await page.goto('/#/members');
  await page.waitForTimeout(800);
  await shoot(page, 'members');
  await page.goto('/#/inbox');
  await page.waitForTimeout(800);
  await shoot(page, 'inbox');
  await page.goto(`/#/sets/${setId}`);
  await page.waitForTimeout(3000);
  await shoot(page, 'sets');
  await page.goto('/#/workspace/shop_orders');
  await page.waitForTimeout(800);
  await shoot(page, 'workspace-object');
  await page.goto(`/#/integrations/${ordersId}/runs`);
  await page.getByTestId('alerts-card').scrollIntoViewIfNeeded();
  await shoot(page, 'alerts');
  await page.goto('/');
  await page.locator(`[data-testid="integration-card"][data-id="${ordersId}"]`).getByTestId('schedule-edit').click();
  await page.waitForTimeout(400);
  await shoot(page, 'schedule-dialog');

  console.log(`ui13 machine-checked defects:\n${JSON.stringify(found, null, 2)}`);
  console.log(`page errors: ${JSON.stringify(pageErrors)}`);
});
