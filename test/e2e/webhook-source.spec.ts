// The webhook source in the browser: its inspector makes the inbound URL and secret, shows how to sign (curl and Node),
// a signed request sent like another server would is answered 202 and written by a run that the history shows as
// started by "Webhook" with its request count; the queue depth on the inspector follows.
import { createHmac } from 'node:crypto';
import { resolve } from 'node:path';
import { webhookGraph } from '../support/webhook-fixtures';
import { expect, screenshotBoth, test } from './helpers';

const DOCS_SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

test('make the inbound URL, sign a request like the inspector says, and see it written by a Webhook run', async ({ page, request }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const object = `hook_e2e_${Date.now().toString(36)}`;
  const created = await request.post('/api/integrations', { data: { name: 'Orders webhook', graph: webhookGraph(object) } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  expect((await request.post(`/api/integrations/${id}/publish`, { data: {} })).status()).toBe(200);

  await page.goto(`/#/integrations/${id}`);
  const node = page.getByTestId('node-webhook-source');
  await expect(node).toBeVisible();
  await expect(node.getByTestId('node-summary')).toHaveText('Inbound URL · 3 fields');
  await node.click();
  const inspector = page.getByTestId('inspector');
  await inspector.getByTestId('webhook-create').click();
  const url = await inspector.getByTestId('webhook-url').inputValue();
  expect(url).toMatch(/\/api\/hooks\/whk_[\w-]{22}$/);
  const secret = await inspector.getByTestId('webhook-secret-value').inputValue();
  expect(secret).toMatch(/^whin_[\w-]{43}$/);
  await expect(inspector.getByTestId('webhook-curl')).toContainText(`SECRET='${secret}'`);
  await expect(inspector.getByTestId('webhook-curl')).toContainText('openssl dgst -sha256 -hmac');
  await expect(inspector.getByTestId('webhook-node')).toContainText("createHmac('sha256', secret)");
  await expect(inspector.getByTestId('webhook-queue')).toContainText('Queue empty');
  await expect(page.getByTestId('toast')).toHaveCount(0, { timeout: 10_000 });
  await screenshotBoth(page, DOCS_SHOTS, 'webhook-inspector');

  // Another server sends a signed request, as the Node snippet does.
  const body = JSON.stringify([{ id: 'o-1', name: 'Ada', amount: 12.5 }, { id: 'o-2', name: 'Alan', amount: 90071992547409931 }]);
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  const sent = await request.post(new URL(url).pathname, { data: body, headers: { 'content-type': 'application/json', 'x-weft-timestamp': String(timestamp), 'x-weft-signature': signature } });
  expect(sent.status(), await sent.text()).toBe(202);
  const wrong = await request.post(new URL(url).pathname, { data: body, headers: { 'content-type': 'application/json', 'x-weft-timestamp': String(timestamp), 'x-weft-signature': `sha256=${'0'.repeat(64)}` } });
  expect(wrong.status()).toBe(401);

  // A run drains it; the inspector's queue (read every 5 s) says so.
  await expect
    .poll(async () => ((await (await request.get(`/api/integrations/${id}/runs`)).json()) as { items: { status: string }[] }).items.map((r) => r.status).join(','), { timeout: 60_000 })
    .toBe('completed');
  await expect(inspector.getByTestId('webhook-queue')).toContainText('Queue empty', { timeout: 15_000 });
  await page.goto(`/#/integrations/${id}/runs`);
  await expect(page.getByTestId('run-started-by').first()).toHaveText('Webhook · 1 request', { timeout: 60_000 });
  await screenshotBoth(page, DOCS_SHOTS, 'webhook-history', { target: page.locator('table').filter({ has: page.getByTestId('run-started-by') }) });

  // Regenerating asks first, then shows the new secret once.
  await page.goto(`/#/integrations/${id}`);
  await page.getByTestId('node-webhook-source').click();
  await page.getByTestId('inspector').getByTestId('webhook-regenerate').click();
  await page.getByTestId('confirm-ok').click();
  const fresh = await page.getByTestId('inspector').getByTestId('webhook-secret-value').inputValue();
  expect(fresh).not.toBe(secret);
  expect(pageErrors).toEqual([]);
});
