// Two-way sync in the browser: a Postgres table (the machine's server, a scratch database) and a workspace object
// set up as a "Two-way sync" on the canvas, a field's direction overridden by the object's (said in words), published
// and run; then both sides edited (the same field too) and run again: the conflict is settled as the rule says.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import pg from 'pg';
import type { APIRequestContext } from '@playwright/test';
import { expect, publishFileIntegration, screenshotBoth, test } from './helpers';

const SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const DB = `weft_e2e_tw_${randomBytes(4).toString('hex')}`;
const OBJECT = `tw_contacts_${randomBytes(3).toString('hex')}`;
const SERVER = process.env.WEFT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function runToEnd(request: APIRequestContext, id: string): Promise<string> {
  const started = await request.post(`/api/integrations/${id}/runs`, { data: { params: {}, files: {} } });
  expect(started.status(), await started.text()).toBeLessThan(300);
  const { runId } = (await started.json()) as { runId: string };
  await expect.poll(async () => ((await (await request.get(`/api/runs/${runId}`)).json()) as { status: string }).status, { timeout: 60_000 }).toMatch(/^completed/);
  return runId;
}

const csv = (rows: string[][]) => ['Email,Name,Plan', ...rows.map((r) => r.join(','))].join('\n');

test.describe('Two-way sync', () => {
  let admin: pg.Client;
  let db: pg.Client;
  test.beforeAll(async () => {
    admin = new pg.Client({ connectionString: SERVER });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DB}`);
    const url = new URL(SERVER);
    url.pathname = `/${DB}`;
    db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    await db.query(`CREATE TABLE contacts (email text PRIMARY KEY, name text, plan text, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await db.query(`CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN NEW.updated_at = clock_timestamp(); END IF; RETURN NEW; END $$`);
    await db.query(`CREATE TRIGGER contacts_touch BEFORE UPDATE ON contacts FOR EACH ROW EXECUTE FUNCTION touch()`);
    await db.query(`INSERT INTO contacts (email, name, plan) VALUES ('ada@example.com', 'Ada Lovelace', 'Pro'), ('grace@example.com', 'Grace Hopper', 'Free'), ('alan@example.com', 'Alan Turing', 'Pro')`);
  });
  test.afterAll(async () => {
    await db?.end();
    await admin?.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin?.end();
  });

  test('set up a Postgres table ⇄ workspace object, edit both sides, run: most recent change wins', async ({ page, request }) => {
    test.setTimeout(180_000);
    // The workspace side: an object written by a file integration (also how it is edited later).
    const feeder = await publishFileIntegration(request, { csv: csv([['ada@example.com', 'Ada Lovelace', 'Pro'], ['grace@example.com', 'Grace Hopper', 'Free']]), object: OBJECT, name: 'Feed contacts' });
    await runToEnd(request, feeder);
    const conn = await request.post('/api/connections', { data: { connector: 'postgres', name: 'CRM database', config: { host: '127.0.0.1', port: Number(new URL(SERVER).port || 5432), database: DB, user: 'postgres' }, secrets: { password: '' } } });
    expect(conn.status(), await conn.text()).toBe(201);

    await page.goto('/');
    await page.getByTestId('new-integration').click();
    await page.getByTestId('integration-name').fill('CRM ⇄ workspace contacts');
    await page.getByTestId('palette-two-way-sync').dragTo(page.getByTestId('canvas'), { targetPosition: { x: 300, y: 220 } });
    await page.getByTestId('node-two-way-sync').click();
    const inspector = page.getByTestId('inspector');
    const sideA = inspector.getByTestId('two-way-side-a');
    await sideA.getByLabel('Side A system').selectOption({ label: 'CRM database' });
    await expect(sideA.getByLabel('Side A table').locator('option', { hasText: 'contacts' })).toHaveCount(1);
    await sideA.getByLabel('Side A table').selectOption({ value: 'public.contacts' });
    await expect(sideA.getByLabel('Side A changed-at field')).toHaveValue('updated_at');
    const sideB = inspector.getByTestId('two-way-side-b');
    await sideB.getByLabel('Side B workspace object').selectOption({ value: OBJECT });
    await inspector.getByLabel('Match key on side A').selectOption('email');
    await inspector.getByLabel('Match key on side B').selectOption('email');
    await inspector.getByTestId('two-way-map-same').click();
    await expect(inspector.getByTestId('two-way-fields').locator('li')).toHaveCount(3);

    // Precedence in words: the object pulls only, the field says push.
    await inspector.getByTestId('two-way-direction').selectOption('pull');
    await inspector.getByLabel('Field 3 direction').selectOption('push');
    await expect(inspector.getByTestId('two-way-override-2')).toHaveText('This field is pushed, but the object is set to pull only: the field is not synced');
    // The deletes each way, with the threshold (shown once a direction deletes).
    await inspector.getByLabel('Deletes from A applied to B').selectOption('soft');
    await expect(inspector.getByText('Delete at most this % of matched records without confirming')).toBeVisible();
    await inspector.getByTestId('two-way-fields').scrollIntoViewIfNeeded();
    await screenshotBoth(page, SHOTS, 'two-way-inspector');
    // Every choice of a field reads in full: each select is wider than its chosen option's text plus its padding.
    for (const select of await inspector.getByTestId('two-way-fields').locator('select').all()) {
      const fits = await select.evaluate((el: HTMLSelectElement) => {
        const cs = getComputedStyle(el);
        const ctx2d = document.createElement('canvas').getContext('2d')!;
        ctx2d.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
        const text = el.options[el.selectedIndex]?.text ?? '';
        return { text, fits: ctx2d.measureText(text).width + parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight) <= el.clientWidth + 1 };
      });
      expect(fits, `"${fits.text}" fits its select`).toMatchObject({ fits: true });
    }
    await inspector.getByLabel('Deletes from A applied to B').selectOption('ignore');
    await inspector.getByTestId('two-way-direction').selectOption('both');
    await inspector.getByLabel('Field 3 direction').selectOption('inherit');
    await expect(inspector.getByTestId('two-way-override-2')).toHaveCount(0);
    await expect(inspector.getByTestId('two-way-rule')).toHaveValue('latest');
    await expect(page.getByTestId('problems')).toHaveText(/No problems/);

    await page.getByTestId('save').click();
    await expect(page.getByTestId('save-status')).toContainText(/Saved|Published/);
    await page.getByTestId('publish').click();
    await expect(page.getByTestId('save-status')).toContainText('Published v1');
    const id = /#\/integrations\/([^/]+)/.exec(page.url())?.[1];
    expect(id).toBeTruthy();
    await runToEnd(request, id!);
    const records = async () => ((await (await request.get(`/api/workspace/objects/${OBJECT}/records?limit=10`)).json()) as { items: { values: Record<string, unknown> }[] }).items.map((r) => r.values);
    expect((await records()).map((r) => r.email).sort()).toEqual(['ada@example.com', 'alan@example.com', 'grace@example.com']);

    // Both sides edited: the workspace first (Grace's name, Ada's plan), then Postgres (Grace's name again).
    await runToEnd(request, await publishFileIntegration(request, { csv: csv([['ada@example.com', 'Ada Lovelace', 'Team'], ['grace@example.com', 'Grace B. Hopper', 'Free']]), object: OBJECT, name: 'Edit contacts' }));
    await page.waitForTimeout(50);
    await db.query(`UPDATE contacts SET name = 'Rear Admiral Grace Hopper' WHERE email = 'grace@example.com'`);

    await page.goto(`/#/integrations/${id}`);
    await page.getByTestId('run').click();
    await page.getByTestId('run-files-dialog').getByTestId('run-with-files-start').click();
    await expect(page).toHaveURL(/#\/runs\/[^/]+$/);
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
    await expect(page.locator('.step[data-testid^="step-"]').first()).toContainText('2 updated');
    await screenshotBoth(page, SHOTS, 'two-way-run');

    // Grace's name changed on both sides: Postgres changed it last, so it wins; Ada's plan came from the workspace.
    const grace = (await records()).find((r) => r.email === 'grace@example.com');
    expect(grace?.name).toBe('Rear Admiral Grace Hopper');
    const rows = (await db.query(`SELECT email, name, plan FROM contacts ORDER BY email`)).rows;
    expect(rows).toEqual([
      { email: 'ada@example.com', name: 'Ada Lovelace', plan: 'Team' },
      { email: 'alan@example.com', name: 'Alan Turing', plan: 'Pro' },
      { email: 'grace@example.com', name: 'Rear Admiral Grace Hopper', plan: 'Free' },
    ]);
    // Run again: Weft's own writes come back as echoes, nothing is written.
    const again = await runToEnd(request, id!);
    const counts = ((await (await request.get(`/api/runs/${again}`)).json()) as { counts: { written: number } }).counts;
    expect(counts.written).toBe(0);
  });
});
