// The operating side of an integration in the browser: create a trigger token, run the curl line the page shows
// (in a shell, as another system would) and see the run in the history; set alerts (a bad webhook address is named);
// deactivate (the page says so and Run now is off) and activate; the delete confirmation lists what goes and stays.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { customersGraph } from '../support/temporal-harness';
import { expect, test } from './helpers';

const run = promisify(execFile);
const DOCS = resolve(import.meta.dirname, '../../docs/screenshots');
const CSV = 'Email,Name,Amount,Active\na@example.com,Ann,10,true\nb@example.com,Bo,20,true\nc@example.com,Cy,oops,true\n';

test('create a trigger token, trigger a run with the shown curl line, set alerts, deactivate and activate', async ({ page, request }) => {
  // A published integration, made through the API (the designer has its own specs).
  const upload = await request.post('/api/files?name=customers.csv', { data: CSV, headers: { 'content-type': 'text/csv' } });
  expect(upload.status()).toBe(201);
  const file = (await upload.json()) as { id: string };
  const created = await request.post('/api/integrations', { data: { name: 'Customers from the ERP', graph: customersGraph({ fileId: file.id, object: 'erp_customers' }) } });
  const { id } = (await created.json()) as { id: string };
  expect((await request.post(`/api/integrations/${id}/publish`, { data: {} })).status()).toBe(200);

  await page.goto(`/#/integrations/${id}/runs`);
  const tokens = page.getByTestId('trigger-tokens');
  await expect(tokens.getByTestId('curl-template')).toContainText(`/api/integrations/${id}/trigger`);
  await tokens.getByTestId('new-trigger-token').click();
  const dialog = page.getByTestId('trigger-token-dialog');
  await dialog.getByTestId('trigger-token-name').fill('ERP nightly export');
  await dialog.getByTestId('trigger-token-submit').click();
  const token = await dialog.getByTestId('created-trigger-token').inputValue();
  expect(token).toMatch(/^weft_trg_/);
  const curl = await dialog.getByTestId('trigger-curl').inputValue();
  expect(curl).toContain(`Bearer ${token}`);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.screenshot({ path: `${DOCS}/trigger-token-created.png` });

  // Another system runs the line exactly as shown: 202 with the run id and a status address.
  const { stdout } = await run('sh', ['-c', curl], { timeout: 30_000 });
  const answer = JSON.parse(stdout) as { runId: string; statusUrl: string };
  expect(answer.runId, stdout).toMatch(/^run_/);
  const status = await run('curl', ['-sS', answer.statusUrl, '-H', `Authorization: Bearer ${token}`], { timeout: 30_000 });
  expect(JSON.parse(status.stdout)).toMatchObject({ runId: answer.runId });
  // A wrong token is refused with 401.
  const wrong = await run('sh', ['-c', `${curl.replace(token, `weft_trg_${'x'.repeat(43)}`)} -o /dev/null -w '%{http_code}'`], { timeout: 30_000 });
  expect(wrong.stdout).toBe('401');

  await dialog.getByTestId('trigger-token-done').click();
  await page.reload();
  const row = page.locator(`[data-testid="run-row"][data-id="${answer.runId}"]`);
  await expect(row).toContainText('API');
  await expect(row).toContainText('Completed with errors', { timeout: 60_000 });
  await expect(page.getByTestId('trigger-token-row')).toHaveCount(1);
  await expect(page.getByTestId('token-last-used')).not.toHaveText('Never');

  // Alerts: a bad webhook address is named at its field; a good one is saved.
  const alerts = page.getByTestId('alerts-card');
  await alerts.getByTestId('alert-emails').fill('ops@example.com, lead@example.com');
  await alerts.getByTestId('alert-webhook').fill('ftp://hooks.example.com/weft');
  await alerts.getByTestId('alert-save').click();
  await expect(alerts.getByTestId('alert-webhook-error')).toBeVisible();
  await alerts.getByTestId('alert-webhook').fill('http://127.0.0.1:9/hooks/weft');
  await alerts.getByTestId('alert-on-rejected').check();
  await alerts.getByTestId('alert-rejected-percent').fill('20');
  await alerts.getByTestId('alert-disable-after').fill('3');
  await alerts.getByTestId('alert-save').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Alert settings saved' })).toBeVisible();
  await expect(alerts.getByTestId('webhook-secret')).toContainText('whsec_');
  const saved = (await (await request.get(`/api/integrations/${id}/alerts`)).json()) as { settings: Record<string, unknown> };
  expect(saved.settings).toMatchObject({ emails: ['ops@example.com', 'lead@example.com'], webhookUrl: 'http://127.0.0.1:9/hooks/weft', rejectedAbovePercent: 20, autoDisableAfter: 3 });

  const panel = page.getByTestId('operations-panel');
  await page.getByTestId('toast').filter({ hasText: 'Alert settings saved' }).getByRole('button', { name: 'Dismiss' }).click();
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${DOCS}/integration-operations-1440.png` });
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.getByTestId('trigger-tokens').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${DOCS}/integration-operations-1024.png` });
  await alerts.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${DOCS}/integration-alerts-1024.png` });
  await page.setViewportSize({ width: 1440, height: 900 });

  // Deactivate: the page says so, Run now is off, and the API refuses with a sentence.
  const lifecycle = page.getByTestId('lifecycle-card');
  await lifecycle.getByTestId('toggle-active').click();
  await expect(page.getByTestId('inactive-banner')).toBeVisible();
  await expect(lifecycle.getByTestId('lifecycle-status')).toContainText('Deactivated');
  await expect(page.getByTestId('run')).toBeDisabled();
  const refused = await run('sh', ['-c', `${curl} -w ' %{http_code}'`], { timeout: 30_000 });
  expect(refused.stdout).toMatch(/is deactivated.* 409$/);
  await page.goto('/#/');
  const card = page.locator(`[data-testid="integration-card"][data-id="${id}"]`);
  await expect(card.getByTestId('inactive-chip')).toBeVisible();
  await card.screenshot({ path: `${DOCS}/integration-card-deactivated.png` });
  await page.goto(`/#/integrations/${id}/runs`);
  await page.getByTestId('lifecycle-card').getByTestId('toggle-active').click();
  await expect(page.getByTestId('inactive-banner')).toHaveCount(0);

  // Delete: the confirmation lists what goes and what stays; cancelled here.
  await page.getByTestId('delete-integration').click();
  const confirm = page.getByTestId('delete-dialog');
  await expect(confirm.getByTestId('delete-goes')).toContainText('1 published version');
  await expect(confirm.getByTestId('delete-goes')).toContainText('1 run of sync history');
  await expect(confirm.getByTestId('delete-goes')).toContainText('1 rejected record');
  await expect(confirm.getByTestId('delete-goes')).toContainText('1 trigger token');
  await expect(confirm.getByTestId('delete-stays')).toContainText('records it already wrote to its targets');
  await page.screenshot({ path: `${DOCS}/integration-delete-confirm-1440.png` });
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.screenshot({ path: `${DOCS}/integration-delete-confirm-1024.png` });
  await confirm.getByRole('button', { name: 'Cancel' }).click();

  // Duplicate opens the copy in the designer.
  await page.getByTestId('duplicate-integration').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Created Customers from the ERP (copy)' })).toBeVisible();
});
