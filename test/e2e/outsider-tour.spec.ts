// An outsider's tour (ui15): the journeys a new user takes — a Postgres connection added in its form, a CSV uploaded in
// the designer, file → calculated field → map (auto-mapped) → workspace object, preview, problems, publish, run, the
// run page, the sync history, rejected records and the inbox, a two-way sync, members, "Test a record", a schedule
// and a set — with hostile names wherever a name is shown (markup, 300 characters without a space, right-to-left
// text, emoji, `__proto__`, control characters, names differing by case). Every page is checked for markup run or
// rendered from data, sideways scrolling and the names read as they were typed; screenshots at 1440×900 and
// 1024×700 go to test-results/ui15/ (not committed) for a person to look at.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import type { Locator, Page } from '@playwright/test';
import { scratchPostgres, type ScratchPostgres } from '../../runtime/connections/scratch-postgres';
import { connect, expect, publishFileIntegration, runToEnd, test } from './helpers';
import { seedWorkspaceObject } from './workspace-seed';

const OUT = resolve(import.meta.dirname, '../../test-results/ui15');
mkdirSync(OUT, { recursive: true });

const XSS = '<img src=x onerror=alert(1)>';
const LONG = `Nightly${'_orders'.repeat(42)}_end`.slice(0, 300);
const ARABIC = 'مزامنة العملاء الليلية';
const HEBREW = 'סנכרון לקוחות';
const EMOJI = '🚀 Orders 📦 👩‍💻';
const PROTO = '__proto__';
const CONTROL = 'Bell\u0007 tab\t escape\u001b end';

const CSV = [
  `Email,Name,Amount,${XSS},${PROTO},${HEBREW},🚀 Plan,Status,status`,
  `ada@example.com,Ada Lovelace,120.50,${XSS},p1,${ARABIC},Pro,Active,active`,
  `grace@example.com,Grace Hopper,80,"<b>bold</b>",p2,${HEBREW},Free,Active,active`,
  `alan@example.com,${LONG},twelve,x,p3,א,Team,Churned,churned`,
  `edsger@example.com,Edsger Dijkstra,15,y,p4,ب,Pro,${CONTROL},active`,
].join('\n');

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
] as const;

/** What a page must never do with data: run it (a dialog, a script's mark) or render it as markup (an element made from a name). */
async function markupFromData(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    if (document.querySelector('img[src="x"], img[onerror], b:not([class])')) out.push(`an element made from a name: ${document.querySelector('img[src="x"], img[onerror], b:not([class])')!.outerHTML.slice(0, 120)}`);
    if ((window as unknown as { __xss?: number }).__xss) out.push('a script from data ran');
    return out;
  });
}

/** Whether `inner` lies within `outer`'s box, and with `text`, its text too, as drawn (not spilling out of it). */
async function insideOf(inner: Locator, outer: Locator, text = false): Promise<boolean> {
  const [a, b] = [await inner.boundingBox(), await outer.boundingBox()];
  if (!a || !b) return false;
  if (!text) return a.x >= b.x - 1 && a.x + a.width <= b.x + b.width + 1;
  const contentRight = await inner.evaluate((el) => {
    const r = document.createRange();
    r.selectNodeContents(el);
    return Math.max(...Array.from(r.getClientRects()).map((x) => x.right));
  });
  return a.x >= b.x - 1 && a.x + a.width <= b.x + b.width + 1 && contentRight <= b.x + b.width + 1;
}

/** Whether the page, or its main column (which scrolls on its own), scrolls sideways. */
const scrollsSideways = (page: Page) =>
  page.evaluate(() => [document.documentElement, document.getElementById('main')].some((el) => !!el && el.scrollWidth > el.clientWidth + 1));

/** Screenshots at both sizes, checking at each that nothing from data ran or rendered and the page does not scroll sideways. */
async function shoot(page: Page, name: string, dialogs: string[]) {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.waitForTimeout(250);
    await page.screenshot({ path: resolve(OUT, `${name}-${size.width}x${size.height}.png`) });
    expect.soft(await markupFromData(page), `${name} at ${size.width}`).toEqual([]);
    expect.soft(await scrollsSideways(page), `${name} scrolls sideways at ${size.width}`).toBe(false);
  }
  expect.soft(dialogs, `dialogs opened by data on ${name}`).toEqual([]);
  await page.setViewportSize(SIZES[0]);
}

let db: ScratchPostgres | null = null;
test.afterAll(async () => {
  await db?.drop();
});

test.use({ actionTimeout: 20_000 });

test('an outsider walks the main journeys with hostile names everywhere', async ({ page, request }) => {
  test.setTimeout(300_000);
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.addInitScript(() => {
    const mark = () => {
      (window as unknown as { __xss: number }).__xss = ((window as unknown as { __xss?: number }).__xss ?? 0) + 1;
    };
    window.alert = mark;
  });

  // A Postgres database: customers (for the two-way sync) and sales reps (for members), with hostile values.
  db = await scratchPostgres(1);
  if (!db) throw new Error('Postgres at 127.0.0.1:5432 is needed (it runs on this machine and in CI)');
  const client = new pg.Client({ host: db.config.host, port: db.config.port, database: db.config.database, user: db.config.user, password: db.secrets.password });
  await client.connect();
  await client.query(`CREATE TABLE customers (email text PRIMARY KEY, name text, plan text, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  await client.query(`CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN NEW.updated_at = clock_timestamp(); END IF; RETURN NEW; END $$`);
  await client.query(`CREATE TRIGGER customers_touch BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION touch()`);
  await client.query(`INSERT INTO customers (email, name, plan) VALUES ('ada@example.com', $1, 'Pro'), ('grace@example.com', $2, 'Free'), ('alan@example.com', $3, 'Pro')`, [XSS, ARABIC, LONG]);
  await client.query('CREATE TABLE sales_reps (id bigint PRIMARY KEY, email text, name text)');
  await client.query(`INSERT INTO sales_reps VALUES (301, 'ada@example.com', $1), (302, 'grace@example.com', $2), (303, NULL, $3), (304, 'x@example.com', $4)`, [XSS, HEBREW, LONG, EMOJI]);
  await client.end();

  // 1. Sign in (the fixture did) and add the Postgres connection in its form, named with markup.
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await shoot(page, '01-integrations-empty', dialogs);
  await page.getByTestId('nav-connections').click();
  await page.getByTestId('new-connection').first().click();
  const form = page.getByTestId('connection-form');
  await form.getByTestId('connector-option-postgres').click();
  await form.getByTestId('connection-name').fill(XSS);
  await form.getByLabel('Host', { exact: true }).fill(db.config.host as string);
  await form.getByLabel('Port', { exact: true }).fill(String(db.config.port));
  await form.getByLabel('Database', { exact: true }).fill(db.config.database as string);
  await form.getByLabel('User', { exact: true }).fill(db.config.user as string);
  await form.getByTestId('secret-password').fill(db.secrets.password as string);
  await form.getByTestId('test-connection').click();
  await expect(form.getByTestId('test-result')).toHaveAttribute('data-ok', 'true');
  await shoot(page, '02-connection-form', dialogs);
  await form.getByTestId('save-connection').click();
  await expect(form).toHaveCount(0);
  const connCard = page.getByTestId('connection-card').filter({ hasText: XSS });
  await expect(connCard).toHaveCount(1);
  type Listed = { id: string; name: string }[];
  const listed = (await (await request.get('/api/connections')).json()) as Listed | { items: Listed };
  const connId = (Array.isArray(listed) ? listed : listed.items).find((c) => c.name === XSS)!.id;
  await shoot(page, '03-connections', dialogs);

  // The workspace object the map auto-maps onto (made by a run, as a person would have).
  await seedWorkspaceObject(request, {
    object: 'outsider_orders',
    csv: 'Email,Name,Amount,Plan\nseed@example.com,Seed,1,Pro\n',
    fields: [
      { source: 'Email', target: 'email', type: 'text', key: true },
      { source: 'Name', target: 'name', type: 'text' },
      { source: 'Amount', target: 'amount', type: 'number' },
      { source: 'Plan', target: 'plan', type: 'text' },
    ],
  });

  // 2. Design: file → calculated field → map → workspace object, named with 300 characters and no space.
  await page.goto('/');
  await page.getByTestId('new-integration').click();
  await expect(page).toHaveURL(/#\/integrations\/[^/]+$/);
  const integrationId = /#\/integrations\/([^/]+)/.exec(page.url())![1]!;
  await page.getByTestId('integration-name').fill(LONG);
  // The designer keeps an integration's name to 120 characters (the input's limit).
  const designedName = LONG.slice(0, 120);
  await expect(page.getByTestId('integration-name')).toHaveValue(designedName);
  const canvas = page.getByTestId('canvas');
  await page.locator('.react-flow__controls-zoomout').click();
  await page.getByTestId('palette-csv-source').dragTo(canvas, { targetPosition: { x: 90, y: 160 } });
  await page.getByTestId('palette-calculated-field').dragTo(canvas, { targetPosition: { x: 250, y: 300 } });
  await page.getByTestId('palette-map').dragTo(canvas, { targetPosition: { x: 420, y: 160 } });
  await page.getByTestId('palette-workspace-target').dragTo(canvas, { targetPosition: { x: 590, y: 300 } });
  const csvNode = page.getByTestId('node-csv-source');
  const calcNode = page.getByTestId('node-calculated-field');
  const mapNode = page.getByTestId('node-map');
  const targetNode = page.getByTestId('node-workspace-target');
  await connect(page, csvNode, calcNode);
  await connect(page, calcNode, mapNode);
  await connect(page, mapNode, targetNode);
  await expect(page.locator('.react-flow__edge')).toHaveCount(3);

  const inspector = page.getByTestId('inspector');
  await csvNode.click();
  await inspector.getByTestId('file-input').setInputFiles({ name: `${XSS} ${ARABIC}.csv`, mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await expect(inspector.getByTestId('preview-state')).toHaveText('Previewed');
  await expect(inspector.getByTestId('columns-table')).toContainText(XSS);
  await shoot(page, '04-file-source', dialogs);

  await calcNode.click();
  const editor = inspector.getByTestId('formula-editor');
  await expect(editor).toHaveAttribute('data-ready', 'true');
  await inspector.getByLabel('Field name').fill('label');
  await editor.locator('.monaco-editor').click();
  await page.keyboard.type(`CONCAT([Name], " ", [${XSS}])`, { delay: 5 });
  await page.keyboard.press('Escape');
  await expect(inspector.getByTestId('formula-problem')).toHaveCount(0);
  await expect(inspector.getByTestId('formula-type')).toHaveText('→ Text');
  // Hover the field named with markup: its documentation shows the name as typed.
  await editor.locator('.view-line span', { hasText: /onerror/ }).first().hover();
  const hover = page.locator('.monaco-hover').filter({ hasText: 'A field from' });
  await expect(hover).toBeVisible();
  await shoot(page, '05-formula-hover', dialogs);
  // The field's and the file's names read as typed: Markdown once turned them into an (emptied) element.
  await expect.soft(hover).toContainText(`[${XSS}] · Text`);
  await expect.soft(hover).toContainText(`A field from ${XSS} ${ARABIC}.csv.`);
  await expect.soft(hover.locator('img')).toHaveCount(0);
  // A column named with markup fits its header in the formula's results (it ran over the result's header).
  const header = inspector.getByTestId('formula-preview').locator('th', { hasText: 'onerror' });
  expect.soft(await header.evaluate((th) => th.scrollWidth <= th.clientWidth + 1 || getComputedStyle(th).overflowX !== 'visible'), 'the column header stays within its cell').toBe(true);
  await expect.soft(header).toHaveAttribute('title', XSS);
  await page.mouse.move(5, 5);

  await mapNode.click();
  await targetNode.click();
  await inspector.getByTestId('workspace-object-input').fill('outsider_orders');
  await mapNode.click();
  const mapping = inspector.getByTestId('mapping');
  await mapping.getByTestId('automap-run').click();
  const automap = mapping.getByTestId('automap');
  await expect(automap.getByTestId('automap-suggestion').first()).toBeVisible();
  await shoot(page, '06-automap', dialogs);
  await automap.getByTestId('automap-accept-all').click();
  await expect(mapping.getByTestId('mapping-row').first()).toBeVisible();
  await shoot(page, '07-map-inspector', dialogs);

  // Validate: the one thing left is a warning that "twelve" is not a number (publish is allowed; that record is rejected).
  await expect(page.getByTestId('problems')).toHaveText('1 problem');
  await page.getByTestId('problems').click();
  await shoot(page, '08-problems', dialogs);
  await page.keyboard.press('Escape');

  // Publish and run: "twelve" is not a number, so one record is rejected.
  await page.getByTestId('save').click();
  await expect(page.getByTestId('save-status')).toContainText(/Saved|Published/);
  await page.getByTestId('publish').click();
  await expect(page.getByTestId('save-status')).toContainText('Published v1');
  await shoot(page, '09-designer-published', dialogs);
  await page.getByTestId('run').click();
  const runDialog = page.getByTestId('run-files-dialog');
  await shoot(page, '10-run-dialog', dialogs);
  // The 300-character name wraps inside the dialog's head (it ran out of the dialog, under its close button).
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await expect.soft.poll(() => insideOf(runDialog.locator('.dialog__subtitle'), runDialog.locator('.dialog__titles'), true), { message: `the run dialog's name at ${size.width}`, timeout: 3000 }).toBe(true);
  }
  await page.setViewportSize(SIZES[0]);
  await runDialog.getByTestId('run-with-files-start').click();
  await expect(page).toHaveURL(/#\/runs\/[^/]+$/);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'completed_with_errors', { timeout: 90_000 });
  await shoot(page, '11-run-rejected', dialogs);
  // The breadcrumb's long name ends in "…" before the page's buttons (it pushed "Sync history" under them) and says
  // itself in full on hover.
  const nameCrumb = page.locator('.topbar__crumbs a', { hasText: 'Nightly_' });
  await expect.soft(nameCrumb).toHaveAttribute('title', designedName);
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await expect.soft.poll(() => insideOf(page.locator('.topbar__crumbs a').last(), page.locator('.topbar__heading')), { message: `the run page's crumbs at ${size.width}`, timeout: 3000 }).toBe(true);
  }
  await page.setViewportSize(SIZES[0]);

  // 3. Test a record in the designer.
  await page.goto(`/#/integrations/${integrationId}`);
  await expect(page.getByTestId('canvas')).toBeVisible();
  await page.getByTestId('test-record').click();
  const tester = page.getByTestId('test-record-dialog');
  await tester.getByTestId('test-record-search').fill('alan');
  await tester.getByTestId('test-record-find').click();
  await expect(tester.getByTestId('test-record-match').first()).toBeVisible();
  await tester.getByTestId('test-record-match').first().click();
  await expect(tester.getByTestId('trace-target')).toBeVisible();
  await shoot(page, '12-test-record', dialogs);
  await page.keyboard.press('Escape');

  // 4. More integrations named with every hostile kind, and a history for the long one.
  // A name with control characters is refused in a sentence (the data itself may hold them: the CSV's values do).
  const refused = await request.post('/api/integrations', { data: { name: CONTROL } });
  expect(refused.status()).toBe(400);
  expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('A name holds no control characters');
  const names = [XSS, ARABIC, EMOJI, PROTO, 'Customers', 'customers'];
  const ids: string[] = [];
  for (const [i, name] of names.entries())
    ids.push(await publishFileIntegration(request, { csv: 'Email,Name,Plan\nann@example.io,Ann,Pro\n', object: `outsider_more_${i}`, name, description: `${HEBREW} ${XSS}` }));
  await runToEnd(request, ids[0]!, { name: XSS, params: {}, files: {} });
  await page.goto('/');
  // (CI runs every spec against one Weft: other specs' integrations are listed too.)
  await expect(page.locator(`[data-testid="integration-card"][data-id="${ids[0]}"]`)).toBeVisible();
  await shoot(page, '13-integrations', dialogs);
  // Each name reads as typed, "Customers" and "customers" as two cards.
  for (const name of names) await expect.soft(page.locator('.integration-card__name', { hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }), name).toHaveCount(1);
  // The card's name takes two lines, then "…": its title says it in full.
  await expect.soft(page.locator(`[data-testid="integration-card"][data-id="${integrationId}"] .integration-card__name`)).toHaveAttribute('title', designedName);

  await page.goto(`/#/integrations/${integrationId}/runs`);
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  await shoot(page, '14-history', dialogs);
  await page.goto(`/#/integrations/${ids[0]}/runs`);
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  await shoot(page, '15-history-markup', dialogs);

  // 5. The record inbox.
  await page.goto('/#/inbox');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.waitForTimeout(600);
  await shoot(page, '16-inbox', dialogs);
  // The integration's long name wraps in the Where column: the row stays in the window at 1024 px.
  await page.setViewportSize(SIZES[1]);
  await expect.soft.poll(() => insideOf(page.locator('.inbox-where').filter({ hasText: 'Nightly_' }), page.locator('#main'), true), { message: 'the inbox Where cell at 1024', timeout: 3000 }).toBe(true);
  await page.setViewportSize(SIZES[0]);

  // 6. A two-way sync, set up on the canvas, named in Hebrew.
  await page.goto('/');
  await page.getByTestId('new-integration').click();
  await page.getByTestId('integration-name').fill(HEBREW);
  await page.getByTestId('palette-two-way-sync').dragTo(page.getByTestId('canvas'), { targetPosition: { x: 300, y: 220 } });
  await page.getByTestId('node-two-way-sync').click();
  const sideA = inspector.getByTestId('two-way-side-a');
  await sideA.getByLabel('Side A system').selectOption({ label: XSS });
  await expect(sideA.getByLabel('Side A table').locator('option', { hasText: 'customers' })).toHaveCount(1);
  await sideA.getByLabel('Side A table').selectOption({ value: 'public.customers' });
  await inspector.getByTestId('two-way-side-b').getByLabel('Side B workspace object').selectOption({ value: 'outsider_orders' });
  await inspector.getByLabel('Match key on side A').selectOption('email');
  await inspector.getByLabel('Match key on side B').selectOption('email');
  await inspector.getByTestId('two-way-map-same').click();
  await shoot(page, '17-two-way', dialogs);
  await page.getByTestId('save').click();
  await expect(page.getByTestId('save-status')).toContainText(/Saved|Published/);
  await page.getByTestId('publish').click();
  await expect(page.getByTestId('save-status')).toContainText('Published v1');
  const twoWayId = /#\/integrations\/([^/]+)/.exec(page.url())![1]!;
  const twoWay = await runToEnd(request, twoWayId);
  await page.goto(`/#/runs/${twoWay.runId}`);
  await expect(page.getByTestId('run-status')).toBeVisible();
  await page.waitForTimeout(500);
  await shoot(page, '18-two-way-run', dialogs);

  // 7. Members from the sales reps table, named with markup.
  const ms = await request.post('/api/member-systems', { data: { name: 'outsider', connectionId: connId, source: { type: 'table', table: 'public.sales_reps', idColumn: 'id', emailColumn: 'email', nameColumn: 'name' } } });
  expect(ms.status(), await ms.text()).toBe(201);
  const msId = ((await ms.json()) as { id: string }).id;
  expect((await request.post(`/api/member-systems/${msId}/refresh`, { data: {} })).status()).toBe(200);
  await page.goto('/#/members');
  await expect(page.locator('[data-testid="member-system-row"][data-name="outsider"]')).toHaveCount(1);
  await page.waitForTimeout(500);
  await shoot(page, '19-members', dialogs);
  // A 300-character user name wraps in its cell: the tables stay in the window at 1024 px.
  await page.setViewportSize(SIZES[1]);
  await expect.soft.poll(() => insideOf(page.getByTestId('unmatched-row').filter({ hasText: 'Nightly_' }), page.locator('#main')), { message: 'the unmatched users at 1024', timeout: 3000 }).toBe(true);
  await page.setViewportSize(SIZES[0]);

  // 8. A schedule, from the card.
  await page.goto('/');
  await page.locator(`[data-testid="integration-card"][data-id="${ids[0]}"]`).getByTestId('schedule-edit').click();
  const schedule = page.getByTestId('schedule-dialog');
  await schedule.getByTestId('schedule-kind-workdays').click();
  await schedule.getByTestId('schedule-time').fill('06:00');
  await shoot(page, '20-schedule', dialogs);
  await schedule.getByTestId('schedule-save').click();
  await expect(schedule).toHaveCount(0);

  // 9. A set of three, named with markup and emoji, run once.
  const set = await request.post('/api/sets', { data: { name: `${XSS} ${EMOJI}`, members: [ids[0], integrationId, ids[3]] } });
  expect(set.status(), await set.text()).toBe(201);
  const setId = ((await set.json()) as { id: string }).id;
  const setRun = await request.post(`/api/sets/${setId}/runs`, { data: {} });
  expect(setRun.status()).toBeLessThan(300);
  await page.goto('/#/sets');
  const setLink = page.getByTestId('set-link').filter({ hasText: EMOJI });
  await expect(setLink).toHaveCount(1);
  await shoot(page, '21-sets', dialogs);
  // The set run ends while the list is on screen; the set opened after it shows the same status on both sides (the
  // list kept "In progress" for good when its run had ended before the set's history was read).
  await expect
    .poll(async () => ((await (await request.get(`/api/sets/${setId}/runs?limit=1&offset=0`)).json()) as { items: { status: string }[] }).items[0]?.status, { timeout: 60_000 })
    .toMatch(/^(completed|failed)/);
  await page.goto(`/#/sets/${setId}`);
  await expect(page.getByTestId('set-run')).toHaveAttribute('data-status', /^(completed|failed)/, { timeout: 60_000 });
  const ended = (await page.getByTestId('set-run-status').first().innerText()).trim();
  await expect.soft(setLink, 'the list shows the last run as it ended').toContainText(ended);
  await shoot(page, '22-set', dialogs);
  // The set's buttons stay in the window at 1024 px (a member's 300-character name pushed "Run now" out of it).
  await page.setViewportSize(SIZES[1]);
  await expect.soft.poll(() => insideOf(page.getByTestId('set-run-now'), page.locator('#main')), { message: 'the set\'s Run now at 1024', timeout: 3000 }).toBe(true);
  await page.setViewportSize(SIZES[0]);

  await page.goto('/#/workspace/outsider_orders');
  await page.waitForTimeout(600);
  await shoot(page, '23-workspace', dialogs);

  expect(pageErrors).toEqual([]);
});
