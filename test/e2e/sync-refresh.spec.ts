// Issue 14 in the browser: "Sync and refresh" from the Run now dialog after a formula changed (the run page says how
// many records were re-mapped), and a Map field set to "Align member from <system>" in the mapping table.
// Screenshots at 1440×900 and 1024×700 go to docs/screenshots/.
import { resolve } from 'node:path';
import pg from 'pg';
import { withFilePreview } from '../../shared/graph/kinds/file-source';
import { scratchPostgres, type ScratchPostgres } from '../../runtime/connections/scratch-postgres';
import { graphFixture } from '../support/graph-fixtures';
import { expect, publishFileIntegration, screenshotBoth, test } from './helpers';

const DOCS_SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const CSV = 'Email,Name,Plan\nada@example.com,Ada,pro\nalan@example.com,Alan,free\ngrace@example.com,Grace,pro\n';

test('Sync and refresh rewrites the records synced before with a changed formula', async ({ page, request }) => {
  test.setTimeout(120_000);
  const runToEnd = async (integrationId: string) => {
    const started = await request.post(`/api/integrations/${integrationId}/runs`, { data: {} });
    expect(started.status(), await started.text()).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    await expect.poll(async () => ((await (await request.get(`/api/runs/${runId}`)).json()) as { status: string }).status, { timeout: 60_000 }).toBe('completed');
  };
  const seed = await publishFileIntegration(request, { csv: CSV, object: 'refresh_customers', name: 'Customers file (refresh)' });
  await runToEnd(seed);
  const graph = (formula: string) =>
    graphFixture('workspace-map-workspace', {
      source: { object: 'refresh_customers', columns: [{ name: 'email', type: 'text' }, { name: 'name', type: 'text' }, { name: 'plan', type: 'text' }], key: ['email'], cursorField: '_updated_at' },
      map: {
        fields: [
          { source: 'email', target: 'email', type: 'text', key: true },
          { from: 'formula', formula, source: '', target: 'label', type: 'text', key: false },
        ],
      },
      target: { object: 'refresh_labels' },
    });
  const created = await request.post('/api/integrations', { data: { name: 'Customer labels', graph: graph('UPPER([name])') } });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  expect((await request.post(`/api/integrations/${id}/publish`, { data: {} })).status()).toBe(200);
  await runToEnd(id);
  // The formula changes: the records synced before keep the old label until a refresh.
  expect((await request.put(`/api/integrations/${id}`, { data: { graph: graph('[name] & " (" & [plan] & ")"') } })).status()).toBe(200);
  expect((await request.post(`/api/integrations/${id}/publish`, { data: {} })).status()).toBe(200);

  await page.goto(`/#/integrations/${id}/runs`);
  await page.getByTestId('run').click();
  const dialog = page.getByTestId('run-files-dialog');
  await expect(dialog.getByTestId('run-read-changes')).toBeChecked();
  await dialog.getByTestId('run-refresh').check();
  await expect(dialog.getByTestId('run-refresh-hint')).toContainText('records synced before get the new values too');
  await screenshotBoth(page, DOCS_SHOTS, 'run-sync-refresh-dialog');
  await dialog.getByTestId('run-with-files-start').click();

  await expect(page).toHaveURL(/#\/runs\/[^/]+$/);
  await expect(page.getByTestId('run-status')).toContainText('Completed', { timeout: 60_000 });
  await expect(page.getByTestId('run-sync-source')).toContainText('Full sync (sync and refresh), 3 read');
  await expect(page.getByTestId('run-sync-refresh')).toHaveText('Sync and refresh: 3 records re-mapped');
  await screenshotBoth(page, DOCS_SHOTS, 'run-sync-refresh-page');
  const records = (await (await request.get('/api/workspace/objects/refresh_labels/records?limit=10')).json()) as { items: { key: string; values: { label: string } }[] };
  expect(Object.fromEntries(records.items.map((r) => [r.key, r.values.label]))).toEqual({ 'ada@example.com': 'Ada (pro)', 'alan@example.com': 'Alan (free)', 'grace@example.com': 'Grace (pro)' });
});

let db: ScratchPostgres | null = null;
test.afterAll(async () => {
  await db?.drop();
});

test('a mapped field aligns a member from a system, chosen in the mapping table', async ({ page, request }) => {
  test.setTimeout(120_000);
  db = await scratchPostgres(1);
  if (!db) throw new Error('Postgres at 127.0.0.1:5432 is needed (it runs on this machine and in CI)');
  const client = new pg.Client({ host: db.config.host, port: db.config.port, database: db.config.database, user: db.config.user, password: db.secrets.password });
  await client.connect();
  await client.query('CREATE TABLE crm_owners (id bigint PRIMARY KEY, email text, name text)');
  await client.query(`INSERT INTO crm_owners VALUES (301, 'ada@member-field.example', 'Ada Lovelace'), (302, 'grace@member-field.example', 'Grace Hopper')`);
  await client.end();
  const made = await request.post('/api/connections', { data: { connector: 'postgres', name: 'CRM owners (e2e)', config: db.config, secrets: db.secrets } });
  expect(made.status()).toBe(201);
  const connectionId = ((await made.json()) as { id: string }).id;
  const system = await request.post('/api/member-systems', { data: { name: 'crm', connectionId, source: { type: 'table', table: 'public.crm_owners', idColumn: 'id', emailColumn: 'email', nameColumn: 'name' } } });
  expect(system.status(), await system.text()).toBe(201);
  const systemId = ((await system.json()) as { id: string }).id;
  expect((await request.post(`/api/member-systems/${systemId}/refresh`, { data: {} })).status()).toBe(200);

  const up = await request.post('/api/files?name=deals.csv', { data: 'deal,amount,owner_id\nD-100,1200,301\nD-101,800,302\nD-102,50,999\n', headers: { 'content-type': 'text/csv' } });
  const file = (await up.json()) as { id: string; name: string; format: 'csv'; columns: { name: string; type: 'text' | 'number' }[] };
  const graph = {
    version: 1,
    nodes: [
      { id: 'source', kind: 'csv-source', label: 'deals.csv', position: { x: 0, y: 0 }, config: withFilePreview({ fileId: file.id, fileName: file.name, format: file.format, delimiter: ',', hasHeader: true, columns: file.columns }) },
      {
        id: 'map',
        kind: 'map',
        label: 'Map deals',
        position: { x: 300, y: 0 },
        config: {
          fields: [
            { from: 'field', source: 'deal', target: 'deal', type: 'text', key: true },
            { from: 'field', source: 'amount', target: 'amount', type: 'number', key: false },
            { from: 'field', source: 'owner_id', target: 'owner', type: 'text', key: false },
          ],
        },
      },
      { id: 'target', kind: 'workspace-target', label: 'Deals', position: { x: 600, y: 0 }, config: { object: 'e2e_member_field_deals', mode: 'upsert' } },
    ],
    edges: [
      { id: 'e1', source: 'source', target: 'map' },
      { id: 'e2', source: 'map', target: 'target' },
    ],
  };
  const created = await request.post('/api/integrations', { data: { name: 'Deals with aligned owners', graph } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };

  await page.goto(`/#/integrations/${id}`);
  await expect(page.getByTestId('canvas')).toBeVisible();
  await page.getByTestId('node-map').click();
  const inspector = page.getByTestId('inspector');
  const mapping = inspector.getByTestId('mapping');
  // The owner row: From "Member", aligned from the crm system (proposed as the first one).
  await mapping.getByLabel('From 3').selectOption('member');
  const member = mapping.getByTestId('mapping-member-row');
  await expect(member).toHaveCount(1);
  await expect(member.getByTestId('mapping-member-system')).toHaveValue('crm');
  await expect(member).toContainText('MEMBER("crm", [owner_id])');
  await expect(member).toContainText('the record is rejected');
  await expect(page.getByTestId('problems')).toHaveAttribute('data-count', '0');
  await member.scrollIntoViewIfNeeded();
  await page.mouse.move(0, 0);
  await screenshotBoth(page, DOCS_SHOTS, 'map-member-field');

  // Saved, published and run: each owner is the member's email (the workspace's id for a person); 999 is rejected.
  await page.getByTestId('save').click();
  await expect.poll(async () => ((await (await request.get(`/api/integrations/${id}`)).json()) as { graph: { nodes: { config: { fields?: unknown[] } }[] } }).graph.nodes[1]?.config.fields?.[2]).toMatchObject({ from: 'member', system: 'crm', source: 'owner_id' });
  expect((await request.post(`/api/integrations/${id}/publish`, { data: {} })).status()).toBe(200);
  const started = await request.post(`/api/integrations/${id}/runs`, { data: {} });
  const { runId } = (await started.json()) as { runId: string };
  await expect.poll(async () => ((await (await request.get(`/api/runs/${runId}`)).json()) as { status: string }).status, { timeout: 60_000 }).toBe('completed_with_errors');
  const records = (await (await request.get('/api/workspace/objects/e2e_member_field_deals/records?limit=10')).json()) as { items: { key: string; values: { owner: string } }[] };
  expect(Object.fromEntries(records.items.map((r) => [r.key, r.values.owner]))).toEqual({ 'D-100': 'ada@member-field.example', 'D-101': 'grace@member-field.example' });
});

let tableDb: ScratchPostgres | null = null;
test.afterAll(async () => {
  await tableDb?.drop();
});

test('Test a record says what a database table would do: the fields an update changes, from what to what', async ({ page, request }) => {
  test.setTimeout(120_000);
  tableDb = await scratchPostgres(1);
  if (!tableDb) throw new Error('Postgres at 127.0.0.1:5432 is needed (it runs on this machine and in CI)');
  const client = new pg.Client({ host: tableDb.config.host, port: tableDb.config.port, database: tableDb.config.database, user: tableDb.config.user, password: tableDb.secrets.password });
  await client.connect();
  await client.query('CREATE TABLE accounts (id bigint PRIMARY KEY, name text, plan text, mrr numeric(10,2))');
  await client.query(`INSERT INTO accounts VALUES (9007199254740993, 'Ada Ltd', 'free', 10)`);
  const made = await request.post('/api/connections', { data: { connector: 'postgres', name: 'Billing DB (e2e)', config: tableDb.config, secrets: tableDb.secrets } });
  expect(made.status()).toBe(201);
  const connectionId = ((await made.json()) as { id: string }).id;
  const up = await request.post('/api/files?name=accounts.csv', { data: 'id,name,plan,mrr\n9007199254740993,Ada Ltd,pro,49.00\n42,Grace Inc,free,0\n', headers: { 'content-type': 'text/csv' } });
  const file = (await up.json()) as { id: string; name: string; format: 'csv'; columns: { name: string; type: 'text' | 'number' }[] };
  const columns = [
    { name: 'id', type: 'number' as const },
    { name: 'name', type: 'text' as const },
    { name: 'plan', type: 'text' as const },
    { name: 'mrr', type: 'number' as const },
  ];
  const graph = {
    version: 1,
    nodes: [
      { id: 'source', kind: 'csv-source', label: 'accounts.csv', position: { x: 0, y: 0 }, config: withFilePreview({ fileId: file.id, fileName: file.name, format: file.format, delimiter: ',', hasHeader: true, columns: file.columns.map((c) => ({ ...c, type: 'text' as const })) }) },
      { id: 'map', kind: 'map', label: 'Map accounts', position: { x: 300, y: 0 }, config: { fields: columns.map((c) => ({ from: 'field', source: c.name, target: c.name, type: c.type, key: c.name === 'id' })) } },
      { id: 'target', kind: 'sql-target', label: 'accounts table', position: { x: 600, y: 0 }, config: { connectionId, object: 'public.accounts', mode: 'upsert', columns, key: ['id'] } },
    ],
    edges: [
      { id: 'e1', source: 'source', target: 'map' },
      { id: 'e2', source: 'map', target: 'target' },
    ],
  };
  const created = await request.post('/api/integrations', { data: { name: 'Accounts to billing', graph } });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };

  await page.goto(`/#/integrations/${id}`);
  await expect(page.getByTestId('canvas')).toBeVisible();
  await page.getByTestId('test-record').click();
  const tester = page.getByTestId('test-record-dialog');
  await tester.getByTestId('test-record-find').click();
  await expect(tester.getByTestId('test-record-match')).toHaveCount(2);
  await tester.getByTestId('test-record-match').first().click();
  const target = tester.getByTestId('trace-target');
  await expect(target).toHaveAttribute('data-action', 'update');
  await expect(target).toContainText('Would update');
  await expect(target).toContainText('free');
  await expect(target).toContainText('pro');
  await screenshotBoth(page, DOCS_SHOTS, 'test-record-database-update');
  await tester.getByTestId('test-record-match').nth(1).click();
  await expect(target).toHaveAttribute('data-action', 'create');
  // Nothing was written by the tests.
  expect((await client.query('SELECT id::text, plan, mrr::text FROM accounts')).rows).toEqual([{ id: '9007199254740993', plan: 'free', mrr: '10.00' }]);
  await client.end();
});
