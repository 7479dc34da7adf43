// Connections against a Postgres that checks passwords: a wrong password is refused in plain words, the right one
// connects, the saved connection never sends its password back (page or API), and it can be duplicated and deleted.
import { resolve } from 'node:path';
import { expect, SHOTS, test, usePgCluster } from './helpers';

const WRONG_PASSWORD = 'not-the-password-0451';

test.describe('Connections', () => {
  const pg = usePgCluster();

  test('add a PostgreSQL connection: wrong password, then right; saved without leaking it; duplicate and delete', async ({ page }) => {
    const cluster = pg();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));

    await page.goto('/');
    await page.getByTestId('nav-connections').click();
    await expect(page).toHaveURL(/#\/connections$/);
    await expect(page.getByRole('heading', { name: 'Connections' })).toBeVisible();
    await expect(page.getByTestId('connection-card')).toHaveCount(0);

    await page.getByTestId('new-connection').click();
    const form = page.getByTestId('connection-form');
    await expect(form).toBeVisible();
    await form.getByTestId('connector-option-postgres').click();
    await expect(form.getByTestId('connector-option-postgres')).toHaveAttribute('aria-checked', 'true');

    await form.getByTestId('connection-name').fill('Orders DB');
    await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await form.getByLabel('Port', { exact: true }).fill(String(cluster.port));
    await form.getByLabel('Database', { exact: true }).fill(cluster.database);
    await form.getByLabel('User', { exact: true }).fill(cluster.user);
    const password = form.getByTestId('secret-password');
    await expect(password).toHaveAttribute('type', 'password');
    await password.fill(WRONG_PASSWORD);

    // Wrong password: the server really checks it, and the form says so in words a person can act on.
    await form.getByTestId('test-connection').click();
    const result = form.getByTestId('test-result');
    await expect(result).toHaveAttribute('data-ok', 'false');
    await expect(result).toContainText(`refused the password for user "${cluster.user}"`);
    await expect(result).toContainText(/user name and password/i);
    await page.screenshot({ path: resolve(SHOTS, 'connection-form-wrong-password.png') });

    // Editing a field clears the stale outcome; the right password connects.
    await password.fill(cluster.password);
    await expect(result).toHaveCount(0);
    await form.getByTestId('test-connection').click();
    await expect(result).toHaveAttribute('data-ok', 'true');
    await expect(result).toContainText('Connected');
    await page.screenshot({ path: resolve(SHOTS, 'connection-form.png') });

    await form.getByTestId('save-connection').click();
    await expect(form).toHaveCount(0);
    const card = page.getByTestId('connection-card').filter({ hasText: 'Orders DB' });
    await expect(card).toHaveCount(1);
    await expect(card).toContainText('PostgreSQL');
    await expect(card).toContainText(`${cluster.user}@127.0.0.1:${cluster.port}/${cluster.database}`);
    // The test that passed in the form is repeated on the saved connection: its card says Connected at once.
    const status = card.getByTestId('connection-status');
    await expect(status).toHaveAttribute('data-status', 'ok');
    await expect(status).toContainText('Connected');
    await page.screenshot({ path: resolve(SHOTS, 'connection-saved.png') });
    await card.getByTestId('card-test-connection').click();
    await expect(status).toHaveAttribute('data-status', 'ok');
    await expect(status).toContainText('Connected');

    // After a reload the password is "set", never shown, and never sent back.
    await page.reload();
    await expect(card).toHaveCount(1);
    await expect(card.getByTestId('connection-status')).toHaveAttribute('data-status', 'ok');
    await page.screenshot({ path: resolve(SHOTS, 'connections-list.png') });
    await card.getByRole('button', { name: 'Orders DB', exact: true }).click();
    await expect(form).toBeVisible();
    await expect(form.getByRole('heading', { name: 'Edit Orders DB' })).toBeVisible();
    await expect(form.getByTestId('secret-set')).toBeVisible();
    await expect(form.getByTestId('secret-set')).toContainText('set');
    await expect(form.getByLabel('Password is set')).toBeVisible();
    await expect(form.getByTestId('secret-password')).toHaveCount(0);
    await form.getByTestId('secret-set').scrollIntoViewIfNeeded();
    await page.screenshot({ path: resolve(SHOTS, 'connection-edit.png') });
    const html = await page.content();
    expect(html).not.toContain(cluster.password);
    expect(html).not.toContain(WRONG_PASSWORD);

    const list = await page.request.get('/api/connections');
    expect(list.ok()).toBe(true);
    const body = await list.text();
    expect(body).toContain('Orders DB');
    expect(body).not.toContain(cluster.password);
    expect(body).not.toContain(WRONG_PASSWORD);
    const saved = (JSON.parse(body) as { id: string; name: string; secretsSet: string[] }[]).find((c) => c.name === 'Orders DB');
    expect(saved?.secretsSet).toEqual(['password']);
    const one = await page.request.get(`/api/connections/${saved!.id}`);
    expect(one.ok()).toBe(true);
    expect(await one.text()).toContain('Orders DB');
    expect(await one.text()).not.toContain(cluster.password);

    // Testing from the edit form without retyping uses the stored password.
    await form.getByTestId('test-connection').click();
    await expect(form.getByTestId('test-result')).toHaveAttribute('data-ok', 'true');
    await form.getByRole('button', { name: 'Cancel' }).click();
    await expect(form).toHaveCount(0);

    // Duplicate, then delete the copy; the original stays.
    await card.getByTestId('duplicate-connection').click();
    const copy = page.getByTestId('connection-card').filter({ hasText: 'Copy of Orders DB' });
    await expect(copy).toHaveCount(1);
    await expect(page.getByTestId('connection-card')).toHaveCount(2);
    await copy.getByTestId('delete-connection').click();
    // Weft's own confirm dialog (not the browser's): it names what goes, and focus starts on Cancel.
    await expect(page.getByTestId('confirm-dialog')).toContainText('Delete the connection "Copy of Orders DB"?');
    await expect(page.getByTestId('confirm-cancel')).toBeFocused();
    await page.getByTestId('confirm-ok').click();
    await expect(copy).toHaveCount(0);
    await expect(page.getByTestId('connection-card')).toHaveCount(1);
    await expect(page.getByTestId('connection-card')).toContainText('Orders DB');
    expect(await (await page.request.get('/api/connections')).text()).not.toContain('Copy of Orders DB');

    expect(pageErrors).toEqual([]);
  });
});
