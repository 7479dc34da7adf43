// Connect in the browser: a REST connection with OAuth 2.0 authorization code is filled in on the Connections page,
// Connect sends the browser to the local OAuth server's consent page (test/support/rest-api-server.ts), Approve sends
// it back through Weft's callback, which exchanges the code (PKCE) and keeps the tokens; the form then says who
// connected and when, and a test request works with the obtained token. Screenshots go to docs/screenshots.
import { resolve } from 'node:path';
import { startRestApiServer, type RestApiServer } from '../support/rest-api-server';
import { expect, screenshotBoth, test } from './helpers';

const DOCS = resolve(import.meta.dirname, '../../docs/screenshots');
let api: RestApiServer;

test.beforeAll(async () => {
  api = await startRestApiServer();
  api.collections.set('people', {
    columns: [{ name: 'id' }, { name: 'name' }, { name: 'email' }],
    key: 'id',
    rows: Array.from({ length: 7 }, (_, k) => ({ id: k + 1, name: `Person ${k + 1}`, email: `p${k + 1}@example.com` })),
  });
});
test.afterAll(async () => api?.close());

test('Connect: consent at the provider, back connected, and a test request with the token', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto('/');
  await page.getByTestId('nav-connections').click();
  await page.getByTestId('new-connection').click();
  const form = page.getByTestId('connection-form');
  await form.getByTestId('connector-option-rest').click();
  await form.getByTestId('connection-name').fill('People API (OAuth)');
  await form.getByLabel('Base URL').fill(`${api.url}/v1`);
  await form.getByLabel('Authentication').selectOption('oauth2-authorization-code');
  await expect(form.getByTestId('oauth-status')).toContainText('Fill in the authorization URL');
  await expect(form.getByTestId('oauth-connect-button')).toBeDisabled();
  await form.getByLabel('Authorization URL').fill(`${api.url}/oauth/authorize`);
  await form.getByLabel('Token URL').fill(`${api.url}/oauth/token`);
  await form.getByLabel('Client ID').fill(api.oauth.clientId);
  await form.getByLabel('Scopes').fill('records offline_access');
  await form.getByLabel('Allow private network addresses').check();
  await form.getByTestId('secret-client-secret').fill(api.oauth.clientSecret);
  await form.getByTestId('add-endpoint').click();
  await form.getByTestId('endpoint-0-name').fill('people');
  await form.getByTestId('endpoint-0-path').fill('/collections/people/records');
  await form.getByTestId('endpoint-0-recordsPath').fill('data.items');
  // Write settings and a default header, each checked as it is typed.
  await form.getByTestId('endpoint-0-writeMethod').selectOption('PUT');
  await form.getByTestId('endpoint-0-writePath').fill('/collections/people/records/{id');
  await expect(form.getByTestId('endpoint-0-write')).toContainText('Placeholders are a field name in braces, such as {id}');
  await form.getByTestId('endpoint-0-writePath').fill('/collections/people/records/{id}');
  await expect(form.getByTestId('endpoint-0-write')).toContainText('Filled from each record\'s “id”');
  await form.getByTestId('endpoint-0-bodyTemplate').fill('{"name": {{name}}}');
  await expect(form.getByTestId('endpoint-0-write')).toContainText('Not valid JSON');
  await form.getByTestId('endpoint-0-bodyTemplate').fill('{"name": "{{name}}", "email": "{{email}}"}');
  await form.getByTestId('endpoint-0-updatedStatuses').fill('200, 201');
  await expect(form.getByTestId('endpoint-0-write')).toContainText('201 cannot mean two outcomes');
  await form.getByTestId('endpoint-0-updatedStatuses').fill('200, 700');
  await expect(form.getByTestId('endpoint-0-write')).toContainText('700 is not an HTTP status (100–599)');
  await form.getByTestId('add-header').click();
  await form.getByTestId('header-0-name').fill('X Tenant');
  await expect(form.getByTestId('rest-headers')).toContainText('A header name (letters, digits, -)');
  await form.getByTestId('endpoint-0-write').scrollIntoViewIfNeeded();
  await screenshotBoth(page, DOCS, 'rest-endpoint-write-invalid');
  await form.getByTestId('header-0-name').fill('X-Tenant');
  await form.getByTestId('header-0-value').fill('acme');
  await form.getByTestId('endpoint-0-updatedStatuses').fill('200');
  await expect(form.getByTestId('endpoint-0-write').getByTestId('field-error')).toHaveCount(0);
  await expect(form.getByTestId('rest-headers').getByTestId('field-error')).toHaveCount(0);
  await form.getByTestId('endpoint-0-write').scrollIntoViewIfNeeded();
  await screenshotBoth(page, DOCS, 'rest-endpoint-write');
  await expect(form.getByTestId('oauth-status')).toContainText('Not connected yet');
  await expect(form.getByTestId('oauth-redirect-uri')).toHaveText(/\/api\/oauth\/callback$/);
  await form.getByTestId('oauth-connect').scrollIntoViewIfNeeded();
  await screenshotBoth(page, DOCS, 'rest-oauth-connect');

  // Connect saves the new connection and leaves for the provider's consent page.
  await form.getByTestId('oauth-connect-button').click();
  await page.waitForURL((url) => url.href.startsWith(`${api.url}/oauth/authorize`));
  const authorize = new URL(page.url());
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorize.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  await expect(page.getByTestId('consent-account')).toHaveText('ada@example.com');
  await screenshotBoth(page, DOCS, 'rest-oauth-consent');
  await page.getByRole('button', { name: 'Approve' }).click();

  // Back on Weft: the form of that connection opens, connected.
  await page.waitForURL(/#\/connections$/);
  const back = page.getByTestId('connection-form');
  await expect(back.getByTestId('oauth-status')).toContainText('Connected as ada@example.com');
  await expect(back.getByTestId('oauth-connect-button')).toHaveText('Reconnect');
  await expect(back.getByTestId('oauth-failed')).toHaveCount(0);
  await back.getByTestId('endpoint-0-send').click();
  await expect(back.getByTestId('endpoint-0-answer')).toContainText('200');
  await expect(back.getByTestId('endpoint-0-fields')).toContainText('7 records at “data.items”');
  await back.getByTestId('oauth-connect').scrollIntoViewIfNeeded();
  await screenshotBoth(page, DOCS, 'rest-oauth-connected');

  // The token request was the code exchange with the verifier, and the records request carried the access token it gave.
  const exchange = api.log.filter((r) => r.path === '/oauth/token').map((r) => new URLSearchParams(r.body));
  expect(exchange.map((f) => f.get('grant_type'))).toContain('authorization_code');
  expect(exchange.find((f) => f.get('grant_type') === 'authorization_code')!.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const read = api.log.filter((r) => r.path === '/v1/collections/people/records').at(-1)!;
  expect(read.headers.authorization).toMatch(/^Bearer access-\d+-/);
  expect(read.headers['x-tenant']).toBe('acme');
  const saved = (await (await page.request.get('/api/connections')).json()) as { name: string; config: { headers: unknown; objects: Record<string, unknown>[] } }[];
  const mine = saved.find((c) => c.name === 'People API (OAuth)')!;
  expect(mine.config.headers).toEqual([{ name: 'X-Tenant', value: 'acme' }]);
  expect(mine.config.objects[0]).toMatchObject({ writeMethod: 'PUT', writePath: '/collections/people/records/{id}', bodyTemplate: '{"name": "{{name}}", "email": "{{email}}"}', updatedStatuses: '200' });

  // The state was taken once: the same answer again is refused, and the page says why.
  const callback = api.log.filter((r) => r.path === '/oauth/authorize' && r.method === 'POST').at(-1)!;
  expect(callback).toBeTruthy();
  await page.goto(`/api/oauth/callback?state=${authorize.searchParams.get('state')}&code=replayed`);
  await expect(page.getByTestId('connection-form').getByTestId('oauth-failed').or(page.getByTestId('oauth-failed'))).toContainText('unknown or was already used');
  expect(pageErrors).toEqual([]);
});
