// "Create this table" from a database target whose table does not exist (issue 12), and the integration's
// description edited in the designer header. The database is a fresh one on the shared Postgres (127.0.0.1:5432),
// dropped after. Screenshots at 1440×900 and 1024×700 go to docs/screenshots.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import pg from 'pg';
import type { Graph } from '../../shared';
import { expect, expectAccessible, test } from './helpers';

const SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const ADMIN = process.env.WEFT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = `weft_e2e_ct_${randomBytes(4).toString('hex')}`;

let admin: pg.Client | null = null;
test.beforeAll(async () => {
  const client = new pg.Client({ connectionString: ADMIN, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
  } catch {
    return;
  }
  admin = client;
  await admin.query(`CREATE DATABASE ${DB}`);
});
test.afterAll(async () => {
  if (!admin) return;
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.end();
});

test('a database target offers to create its missing table, showing the statement first; the description is edited in the header', async ({ page, request }) => {
  test.skip(!admin, `no Postgres at ${ADMIN}`);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const url = new URL(ADMIN);
  const connection = await request.post('/api/connections', {
    data: { connector: 'postgres', name: 'Warehouse', config: { host: url.hostname, port: Number(url.port || 5432), database: DB, user: url.username || 'postgres' }, secrets: { password: '' } },
  });
  expect(connection.status(), await connection.text()).toBe(201);
  const connectionId = ((await connection.json()) as { id: string }).id;

  const graph: Graph = {
    version: 1,
    nodes: [
      { id: 'source', kind: 'csv-source', label: 'orders.csv', position: { x: 0, y: 0 }, config: { fileId: 'file_none', fileName: 'orders.csv', columns: [{ name: 'id', type: 'number' }, { name: 'customer', type: 'text' }, { name: 'placed', type: 'date' }] } },
      {
        id: 'map',
        kind: 'map',
        label: 'Map fields',
        position: { x: 260, y: 0 },
        config: {
          fields: [
            { from: 'field', source: 'id', target: 'order id', type: 'number', key: true },
            { from: 'field', source: 'customer', target: 'customer "name"', type: 'text', key: false },
            { from: 'field', source: 'placed', target: 'placed_on', type: 'date', key: false },
          ],
        },
      },
      { id: 'target', kind: 'sql-target', label: 'new_orders', position: { x: 520, y: 0 }, config: { connectionId, object: 'new_orders', mode: 'upsert', columns: [], key: [] } },
    ],
    edges: [
      { id: 'e1', source: 'source', target: 'map' },
      { id: 'e2', source: 'map', target: 'target' },
    ],
  };
  const created = await request.post('/api/integrations', { data: { name: 'Orders to the warehouse', graph } });
  expect(created.status()).toBe(201);
  const id = ((await created.json()) as { id: string }).id;

  await page.goto(`/#/integrations/${id}`);
  // The description, in the header: empty, then written and saved on Enter.
  const description = page.getByTestId('integration-description');
  await expect(description).toHaveText('Add a description');
  await description.click();
  await page.getByTestId('integration-description-input').fill('Shop orders into the warehouse every night');
  await page.keyboard.press('Enter');
  await expect(description).toHaveText('Shop orders into the warehouse every night');
  await expect(page.getByText('Description saved')).toBeVisible();

  await page.locator('.react-flow__node[data-id="target"]').click();
  const inspector = page.getByTestId('inspector');
  const create = inspector.getByTestId('create-table');
  await expect(create).toContainText('Table “new_orders” does not exist');
  await expect(create).toContainText('3 columns: order id, customer "name", placed_on · key order id');
  await page.screenshot({ path: resolve(SHOTS, 'create-table-offer-1440.png') });
  await expectAccessible(page, 'designer offering to create a table');
  await inspector.getByRole('button', { name: 'Create this table…' }).click();

  // The statement is shown first; nothing runs until "Create table".
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog).toContainText('Create table new_orders?');
  await expect(dialog.getByTestId('confirm-code')).toHaveText(
    'CREATE TABLE "public"."new_orders" (\n  "order id" numeric NOT NULL,\n  "customer ""name""" text,\n  "placed_on" date,\n  PRIMARY KEY ("order id")\n)',
  );
  await page.screenshot({ path: resolve(SHOTS, 'create-table-dialog-1440.png') });
  await expectAccessible(page, 'the Create table dialog');
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.screenshot({ path: resolve(SHOTS, 'create-table-dialog-1024.png') });
  await dialog.getByTestId('confirm-ok').click();

  // Discovery is read again: the target now points at the new table and knows its columns and key.
  await expect(page.getByText('Created table new_orders')).toBeVisible();
  await expect(inspector.getByTestId('db-object-select').locator('select')).toHaveValue('public.new_orders');
  await expect(inspector.getByTestId('create-table')).toHaveCount(0);
  const db = new pg.Client({ connectionString: ADMIN.replace(/\/[^/]*$/, `/${DB}`) });
  await db.connect();
  const columns = await db.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'new_orders' ORDER BY ordinal_position`);
  await db.end();
  expect(columns.rows.map((r: { column_name: string; data_type: string }) => [r.column_name, r.data_type])).toEqual([
    ['order id', 'numeric'],
    ['customer "name"', 'text'],
    ['placed_on', 'date'],
  ]);
  await page.screenshot({ path: resolve(SHOTS, 'create-table-done-1024.png') });
  await page.setViewportSize({ width: 1440, height: 900 });
  await expect(page.getByTestId('problems')).not.toContainText(/new_orders has no column/);
  await page.screenshot({ path: resolve(SHOTS, 'designer-description-1440.png') });

  // The card on the integrations page shows the description.
  await page.getByRole('link', { name: 'Integrations' }).first().click();
  // The target now points at the new table: a change, saved on the way out.
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('integration-card').filter({ hasText: 'Orders to the warehouse' })).toContainText('Shop orders into the warehouse every night');
  await page.screenshot({ path: resolve(SHOTS, 'integrations-description-1440.png') });
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.screenshot({ path: resolve(SHOTS, 'integrations-description-1024.png') });
  expect(errors).toEqual([]);
});
