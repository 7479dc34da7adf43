// Issue 14 in the browser: a workspace source that reads only what changed (its cursor is the records' last write,
// kept by Weft). Run now says so and offers "Run full sync"; the run page says which it was, and the next run reads
// the changes only.
import { resolve } from 'node:path';
import { graphFixture } from '../support/graph-fixtures';
import { expect, publishFileIntegration, screenshotBoth, test } from './helpers';

const DOCS_SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const CSV = 'Email,Name,Plan\nada@example.com,Ada,pro\nalan@example.com,Alan,free\ngrace@example.com,Grace,pro\n';

test('Run now offers a full sync for a source that reads only what changed, and the run page says which it was', async ({ page, request }) => {
  const runToEnd = async (integrationId: string) => {
    const started = await request.post(`/api/integrations/${integrationId}/runs`, { data: {} });
    expect(started.status(), await started.text()).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    await expect.poll(async () => ((await (await request.get(`/api/runs/${runId}`)).json()) as { status: string }).status, { timeout: 60_000 }).toBe('completed');
  };
  // The workspace object the incremental integration reads, written by a first integration.
  const seed = await publishFileIntegration(request, { csv: CSV, object: 'inc_customers', name: 'Customers file' });
  await runToEnd(seed);

  const graph = graphFixture('workspace-map-workspace', {
    source: { object: 'inc_customers', columns: [{ name: 'email', type: 'text' }, { name: 'name', type: 'text' }, { name: 'plan', type: 'text' }], key: ['email'], cursorField: '_updated_at' },
    map: {
      fields: [
        { source: 'email', target: 'email', type: 'text', key: true },
        { source: 'name', target: 'name', type: 'text', key: false },
        { source: 'plan', target: 'plan', type: 'text', key: false },
      ],
    },
    target: { object: 'inc_copy' },
  });
  const created = await request.post('/api/integrations', { data: { name: 'Customers, changes only', graph } });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  expect((await request.post(`/api/integrations/${id}/publish`, { data: {} })).status()).toBe(200);
  await runToEnd(id);

  await page.goto(`/#/integrations/${id}/runs`);
  await page.getByTestId('run').click();
  const dialog = page.getByTestId('run-files-dialog');
  const sync = dialog.getByTestId('run-dialog-sync');
  await expect(sync).toContainText('reads only the records changed since the last completed run (by _updated_at)');
  await dialog.getByTestId('run-full-sync').check();
  await screenshotBoth(page, DOCS_SHOTS, 'run-full-sync-dialog');
  await dialog.getByTestId('run-with-files-start').click();

  await expect(page).toHaveURL(/#\/runs\/[^/]+$/);
  await expect(page.getByTestId('run-status')).toContainText('Completed', { timeout: 60_000 });
  await expect(page.getByTestId('run-sync-source')).toContainText('Full sync (asked for), 3 read');
  await screenshotBoth(page, DOCS_SHOTS, 'run-full-sync-page');

  // The seed runs again with one plan changed: the next incremental run reads the records written since its mark.
  await publishFileIntegration(request, { csv: CSV.replace('alan@example.com,Alan,free', 'alan@example.com,Alan,pro'), object: 'inc_customers', name: 'Customers file, again' }).then(runToEnd);
  await page.goto(`/#/integrations/${id}/runs`);
  await page.getByTestId('run').click();
  await expect(dialog.getByTestId('run-full-sync')).not.toBeChecked();
  await dialog.getByTestId('run-with-files-start').click();
  await expect(page.getByTestId('run-status')).toContainText('Completed', { timeout: 60_000 });
  await expect(page.getByTestId('run-sync-source')).toContainText(/Incremental since .*, \d+ changed/);
});
