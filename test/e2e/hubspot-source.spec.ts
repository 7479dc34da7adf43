// HubSpot as a source: a connection to the local HubSpot server (test/support/saas), contacts picked from
// discovery, previewed, mapped onto a workspace object, published and run on the real Temporal dev server.
import { resolve } from 'node:path';
import { HubSpotServer } from '../support/saas/hubspot-server';
import { connect, expect, saveAndPublishThenRun, test } from './helpers';

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

  test('connect the local HubSpot server, pick contacts, map onto a workspace object, publish and run', async ({ page }) => {
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));

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
    const objects = inspector.getByTestId('db-object-select').locator('select');
    await expect(objects.locator('option', { hasText: 'Contacts' })).toHaveCount(1);
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

    await map.click();
    await inspector.getByTestId('add-all-fields').click();
    await expect(inspector.getByTestId('mapping-row').first()).toBeVisible();
    await inspector.getByLabel('Key 1', { exact: true }).check();
    await target.click();
    await inspector.getByTestId('workspace-object-input').fill('hubspot_contacts');
    await expect(page.getByTestId('problems')).toHaveText(/No problems/);

    await saveAndPublishThenRun(page);
    const steps = page.locator('.step[data-testid^="step-"]');
    await expect(steps.nth(0)).toContainText('240 read');
    await expect(steps.nth(2)).toContainText('240 created');
    for (const [w, h] of [
      [1440, 900],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.screenshot({ path: resolve(DOCS, `hubspot-run-${w}x${h}.png`) });
    }

    const records = await page.request.get('/api/workspace/objects/hubspot_contacts/records?limit=5');
    const body = (await records.json()) as { total: number };
    expect(body.total).toBe(240);
    expect(hubspot.violations).toEqual([]);
    expect(hubspot.requests.every((r) => r.authorization === `Bearer ${hubspot.token}`)).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
