// HubSpot as a source: a connection to the local HubSpot server (test/support/saas), contacts picked from
// discovery, previewed, auto-mapped onto an existing workspace object, published and run on the real Temporal dev server.
import { resolve } from 'node:path';
import { HubSpotServer } from '../support/saas/hubspot-server';
import { connect, expect, saveAndPublishThenRun, test } from './helpers';
import { seedWorkspaceObject } from './workspace-seed';

const DOCS = resolve(import.meta.dirname, '../../docs/screenshots');

test.describe('HubSpot source', () => {
  let hubspot: HubSpotServer;
  test.beforeAll(async () => {
    hubspot = await new HubSpotServer().start();
    hubspot.seedContacts(240);
  });
  test.afterAll(async () => {
    await hubspot.stop();
  });

  test('connect the local HubSpot server, pick contacts, auto-map onto a workspace object, publish and run', async ({ page }) => {
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    // The workspace object the contacts go to, with its own names: one person already there (updated by the run).
    await seedWorkspaceObject(page.request, {
      object: 'crm_people',
      csv: 'email,first_name,last_name,phone,company\nperson5@example.com,Old,Name,,Old Co\n',
      fields: [
        { source: 'email', target: 'email', type: 'text', key: true },
        { source: 'first_name', target: 'first_name', type: 'text' },
        { source: 'last_name', target: 'last_name', type: 'text' },
        { source: 'phone', target: 'phone', type: 'text' },
        { source: 'company', target: 'company', type: 'text' },
      ],
    });

    // The connection through the Connections page, as a person makes it.
    await page.goto('/');
    await page.getByTestId('nav-connections').click();
    await page.getByTestId('new-connection').click();
    const form = page.getByTestId('connection-form');
    await form.getByTestId('connector-option-hubspot').click();
    await form.getByTestId('connection-name').fill('HubSpot (local)');
    await form.getByLabel('API base URL').fill(hubspot.url);
    await form.getByTestId('secret-private-app-access-token').fill(hubspot.token);
    for (const [w, h] of [
      [1440, 900],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.screenshot({ path: resolve(DOCS, `hubspot-connection-${w}x${h}.png`) });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await form.getByTestId('test-connection').click();
    await expect(form.getByTestId('test-result')).toHaveAttribute('data-ok', 'true');
    await expect(form.getByTestId('test-result')).toContainText(/account 4201337/);
    await form.getByTestId('save-connection').click();
    await expect(page.getByTestId('connection-card').filter({ hasText: 'HubSpot (local)' })).toBeVisible();

    await page.goto('/');
    await page.getByTestId('new-integration').click();
    await expect(page.getByTestId('canvas')).toBeVisible();
    await page.getByTestId('integration-name').fill('HubSpot contacts to workspace');
    const canvas = page.getByTestId('canvas');
    await page.getByTestId('palette-sql-source').dragTo(canvas, { targetPosition: { x: 110, y: 220 } });
    await page.getByTestId('palette-map').dragTo(canvas, { targetPosition: { x: 360, y: 220 } });
    await page.getByTestId('palette-workspace-target').dragTo(canvas, { targetPosition: { x: 610, y: 220 } });
    const source = page.getByTestId('node-sql-source');
    const map = page.getByTestId('node-map');
    const target = page.getByTestId('node-workspace-target');
    await connect(page, source, map);
    await connect(page, map, target);

    await source.click();
    const inspector = page.getByTestId('inspector');
    await inspector.getByTestId('connection-select').locator('select').selectOption({ label: 'HubSpot (local)' });
    // Worded for HubSpot: an object, no SQL query filter.
    await expect(source.locator('.wnode__label')).toHaveText('Read HubSpot object');
    await expect(inspector.locator('.form-label', { hasText: /^Object$/ })).toHaveCount(1);
    await expect(inspector.locator('.form-label', { hasText: /^Table$/ })).toHaveCount(0);
    await expect(inspector.getByTestId('no-sql-hint')).toBeVisible();
    const objects = inspector.getByTestId('db-object-select').locator('select');
    await expect(objects.locator('option', { hasText: 'Contacts' })).toHaveCount(1);
    await expect(objects.locator('option').first()).toHaveText(/Choose an object|Reading the objects/);
    await objects.selectOption({ value: 'contacts' });
    await inspector.getByTestId('load-preview').click();
    const preview = inspector.getByTestId('sql-preview-table');
    await expect(preview).toContainText('person0@example.com');
    await expect(inspector.getByTestId('preview-state')).toHaveText('Previewed');
    for (const [w, h] of [
      [1440, 900],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.screenshot({ path: resolve(DOCS, `hubspot-source-${w}x${h}.png`) });
    }
    await page.setViewportSize({ width: 1440, height: 900 });

    await target.click();
    await inspector.getByTestId('workspace-object-input').fill('crm_people');
    await map.click();
    const mapping = inspector.getByTestId('mapping');
    await mapping.getByTestId('automap-run').click();
    const panel = mapping.getByTestId('automap');
    // email (the key), firstname → first_name, lastname → last_name, phone, company: nothing left unmatched.
    await expect(panel.getByTestId('automap-suggestion')).toHaveCount(5);
    await expect(panel.getByTestId('automap-unmatched')).toHaveCount(0);
    await expect(panel.getByTestId('automap-suggestion').filter({ hasText: 'firstname' })).toContainText('first_name');
    for (const [w, h] of [
      [1440, 900],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.screenshot({ path: resolve(DOCS, `hubspot-automap-${w}x${h}.png`) });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await panel.getByTestId('automap-accept-all').click();
    await expect(mapping.getByTestId('mapping-row')).toHaveCount(5);
    await expect(page.getByTestId('problems')).toHaveText(/No problems/);

    await saveAndPublishThenRun(page);
    const steps = page.locator('.step[data-testid^="step-"]');
    await expect(steps.nth(0)).toContainText('240 read');
    await expect(steps.nth(2)).toContainText('239 created');
    await expect(steps.nth(2)).toContainText('1 updated');
    for (const [w, h] of [
      [1440, 900],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.screenshot({ path: resolve(DOCS, `hubspot-run-${w}x${h}.png`) });
    }

    const records = await page.request.get('/api/workspace/objects/crm_people/records?limit=500');
    const body = (await records.json()) as { total: number; items: { values: Record<string, unknown> }[] };
    expect(body.total).toBe(240);
    const byEmail = new Map(body.items.map((r) => [r.values.email, r.values]));
    expect(byEmail.get('person5@example.com')).toEqual({ email: 'person5@example.com', first_name: 'First5', last_name: 'Last5', phone: '+1 555 0000005', company: 'Company 5' });
    expect(byEmail.get('person7@example.com')?.first_name).toBe('First7');
    expect(byEmail.get('person7@example.com')?.phone ?? null).toBeNull();
    expect(hubspot.violations).toEqual([]);
    expect(hubspot.requests.every((r) => r.authorization === `Bearer ${hubspot.token}`)).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
