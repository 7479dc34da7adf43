// A database table as a source: a saved Postgres connection (to a server that checks passwords), the table
// picked from discovery, filtered with SQL in the editor, previewed (required before publishing), mapped
// to the workspace, published and run on the real Temporal dev server.
import { resolve } from 'node:path';
import { connect, expect, saveAndPublishThenRun, SHOTS, test, usePgCluster } from './helpers';


test.describe('Database table source', () => {
  const pg = usePgCluster();

  test('pick a table, filter it, load the preview, map it to the workspace, publish and run', async ({ page }) => {
    const cluster = pg();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));

    const created = await page.request.post('/api/connections', {
      data: {
        connector: 'postgres',
        name: 'Shop DB',
        config: { host: '127.0.0.1', port: cluster.port, database: cluster.database, user: cluster.user },
        secrets: { password: cluster.password },
      },
    });
    expect(created.status()).toBe(201);

    await page.goto('/');
    await page.getByTestId('new-integration').click();
    await expect(page.getByTestId('canvas')).toBeVisible();
    await page.getByTestId('integration-name').fill('Big orders to workspace');

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
    await inspector.getByTestId('connection-select').locator('select').selectOption({ label: 'Shop DB' });
    const tables = inspector.getByTestId('db-object-select').locator('select');
    await expect(tables.locator('option', { hasText: 'orders' })).toHaveCount(1);
    await tables.selectOption({ value: 'public.orders' });

    // Publishing needs a preview of exactly this table and query.
    await expect(source.getByTestId('node-error-badge')).toBeVisible();
    const editor = inspector.getByTestId('sql-editor');
    await expect(editor).toHaveAttribute('data-ready', 'true');
    await editor.locator('.monaco-editor').click();
    await page.keyboard.type('SELECT * FROM orders WHERE amount > 50');
    await inspector.getByTestId('load-preview').click();
    const preview = inspector.getByTestId('sql-preview-table');
    await expect(preview.locator('tbody tr')).toHaveCount(3);
    await expect(preview).toContainText('Alan Turing');
    await expect(preview).not.toContainText('Katherine Johnson');
    await expect(inspector.getByTestId('preview-state')).toHaveText('Previewed');
    await expect(source.getByTestId('node-error-badge')).toHaveCount(0);
    await page.screenshot({ path: resolve(SHOTS, 'database-source.png') });

    await map.click();
    await inspector.getByTestId('add-all-fields').click();
    await expect(inspector.getByTestId('mapping-row')).toHaveCount(4);
    await inspector.getByLabel('Key 1', { exact: true }).check();
    await target.click();
    await inspector.getByTestId('workspace-object-input').fill('big_orders');
    await expect(page.getByTestId('problems')).toHaveText(/No problems/);

    await saveAndPublishThenRun(page);
    const steps = page.locator('.step[data-testid^="step-"]');
    await expect(steps.nth(0)).toContainText('3 read');
    await expect(steps.nth(2)).toContainText('3 created');

    const records = await page.request.get('/api/workspace/objects/big_orders/records?limit=10');
    const body = (await records.json()) as { total: number; items: { values: Record<string, unknown> }[] };
    expect(body.total).toBe(3);
    const turing = body.items.find((r) => r.values.customer === 'Alan Turing');
    expect(turing?.values).toMatchObject({ id: 3, amount: 2400 });
    expect(pageErrors).toEqual([]);
  });
});
