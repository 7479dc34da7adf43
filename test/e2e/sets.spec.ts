// Integration sets in the browser: build a set of three published integrations (ordering them from the keyboard), run
// it, watch it stop at the failing member (abort on), and find the member's run in its integration's history as
// "Set: <name>". Screenshots at 1440×900 and 1024×700 go to docs/screenshots/.
import { join, resolve } from 'node:path';
import { type APIRequestContext, type Page } from '@playwright/test';
import { graphFixture, withPreviewedFile } from '../support/graph-fixtures';
import { expect, test } from './helpers';

const DOCS_SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

/** A published integration; `failing`: Plan is mapped as a number, so every record is rejected and its run fails. */
async function published(request: APIRequestContext, name: string, object: string, failing = false) {
  const up = await request.post(`/api/files?name=${object}.csv`, { data: 'Email,Name,Plan\nann@example.io,Ann,Pro\nbob@example.io,Bob,Free\n', headers: { 'content-type': 'text/csv' } });
  expect(up.status()).toBe(201);
  const file = (await up.json()) as { id: string; columns: { name: string; type: string }[] };
  const graph = withPreviewedFile(
    graphFixture('customers-file-map-workspace', {
      source: { fileId: file.id, columns: file.columns },
      map: {
        fields: [
          { source: 'Email', target: 'email', type: 'text', key: true },
          { source: 'Name', target: 'name', type: 'text', key: false },
          { source: 'Plan', target: 'plan', type: failing ? 'number' : 'text', key: false },
        ],
      },
      target: { object },
    }),
  );
  const created = await request.post('/api/integrations', { data: { name, graph } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  expect((await request.post(`/api/integrations/${id}/publish`, { data: {} })).status()).toBe(200);
  return id;
}

async function shoot(page: Page, name: string) {
  for (const [w, h] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(DOCS_SHOTS, `${name}-${w}.png`) });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

test('build and run a set: it stops at the failing member, and the member runs say "Set: <name>"', async ({ page, request }) => {
  const crm = await published(request, 'CRM contacts', 'e2e_sets_crm');
  await published(request, 'Billing accounts', 'e2e_sets_billing', true);
  await published(request, 'Newsletter list', 'e2e_sets_news');

  await page.goto('/');
  await page.getByTestId('nav-sets').click();
  await expect(page.getByRole('heading', { name: 'Integration sets' })).toBeVisible();
  await page.getByTestId('new-set').first().click();

  const editor = page.getByTestId('set-editor');
  await editor.getByTestId('set-name').fill('Nightly chain');
  for (const name of ['Billing accounts', 'CRM contacts', 'Newsletter list']) {
    await editor.getByTestId('set-add-select').selectOption({ label: name });
    await editor.getByTestId('set-add').click();
  }
  // Reorder from the keyboard: CRM contacts moves up to first.
  await editor.getByRole('button', { name: 'Move CRM contacts up' }).focus();
  await page.keyboard.press('Enter');
  await expect(editor.getByTestId('set-member')).toHaveText([/CRM contacts/, /Billing accounts/, /Newsletter list/]);
  await expect(editor.getByTestId('set-abort')).toBeChecked();
  await shoot(page, 'sets-editor');
  await editor.getByTestId('set-save').click();

  const detail = page.getByTestId('set-detail');
  await expect(detail.getByTestId('set-title')).toHaveText('Nightly chain');
  await detail.getByTestId('set-run-now').click();

  // Abort on: CRM completes, Billing fails, Newsletter does not run, the set is Failed.
  const run = detail.getByTestId('set-run').first();
  await expect(run).toHaveAttribute('data-status', 'failed', { timeout: 60_000 });
  await expect(run.getByTestId('set-run-member')).toHaveCount(3);
  await expect(run.locator('[data-testid="set-run-member"][data-name="CRM contacts"]')).toHaveAttribute('data-status', 'completed');
  await expect(run.locator('[data-testid="set-run-member"][data-name="Billing accounts"]')).toHaveAttribute('data-status', 'failed');
  await expect(run.locator('[data-testid="set-run-member"][data-name="Newsletter list"]')).toHaveAttribute('data-status', 'not_run');
  await expect(run).toContainText('"Billing accounts" failed; the set stopped and 1 integration did not run.');
  await shoot(page, 'sets-history');

  // A set trigger token, made in the page: the curl line it shows starts the set.
  await detail.getByTestId('new-trigger-token').click();
  const dialog = page.getByTestId('trigger-token-dialog');
  await dialog.getByTestId('trigger-token-name').fill('ERP nightly');
  await dialog.getByTestId('trigger-token-submit').click();
  const token = await dialog.getByTestId('created-trigger-token').inputValue();
  const curl = await dialog.getByTestId('trigger-curl').inputValue();
  expect(curl).toMatch(new RegExp(`/api/sets/set_[^/]+/trigger' -H 'Authorization: Bearer ${token}'$`));
  await dialog.getByTestId('trigger-token-done').click();
  const url = /'(http[^']+)'/.exec(curl)![1]!;
  const triggered = await request.post(new URL(url).pathname, { headers: { authorization: `Bearer ${token}` } });
  expect(triggered.status()).toBe(202);
  await page.reload();
  await expect(detail.getByTestId('set-run')).toHaveCount(2, { timeout: 15_000 });
  await expect(detail.getByTestId('set-run').first()).toContainText('API · trigger token ERP nightly');
  await expect(detail.getByTestId('trigger-token-row')).toHaveAttribute('data-name', 'ERP nightly');

  // The member's run is in its integration's own history, started by the set.
  await page.goto(`/#/integrations/${crm}/runs`);
  await expect(page.getByTestId('run-started-by').first()).toHaveText('Set: Nightly chain');
  await shoot(page, 'sets-member-in-history');
});
