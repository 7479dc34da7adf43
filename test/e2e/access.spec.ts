// Sign-in and roles in the browser: the owner is created on the first visit, invites an editor (with a password)
// and a viewer (with a link), and the viewer can read but not publish — the UI offers no Publish and the API says 403.
// Also: an API token shown once and revoked, the audit log filtered, sign out everywhere, and screenshots of each page.
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, OWNER, SHOTS, test } from './helpers';

test.use({ signedIn: false });

const EDITOR = { name: 'Eddie Editor', email: 'editor@weft.test', password: 'editor password here' };
const VIEWER = { name: 'Vera Viewer', email: 'viewer@weft.test', password: 'viewer password here' };

async function shoot(page: Page, name: string) {
  for (const [w, h] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.screenshot({ path: join(SHOTS, `access-${name}-${w}.png`) });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

async function signInWithForm(page: Page, who: { email: string; password: string }) {
  await expect(page.getByTestId('sign-in-page')).toBeVisible();
  await page.getByTestId('sign-in-email').fill(who.email);
  await page.getByTestId('sign-in-password').fill(who.password);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('user-menu')).toBeVisible();
}

async function signOut(page: Page) {
  await page.getByTestId('user-menu').click();
  await page.getByTestId('sign-out').click();
  await expect(page.getByTestId('sign-in-page')).toBeVisible();
}

test('the owner sets up Weft, invites an editor and a viewer, and the viewer cannot publish', async ({ page }) => {
  test.setTimeout(180_000);
  const fresh = ((await (await page.request.get('/api/auth/session')).json()) as { needsSetup: boolean }).needsSetup;
  await page.goto('/');
  if (fresh) {
    // First visit: nothing but the owner setup, and the API refuses everything else.
    await expect(page.getByTestId('setup-page')).toBeVisible();
    expect((await page.request.get('/api/integrations')).status()).toBe(401);
    await shoot(page, 'setup');
    await page.getByTestId('setup-name').fill(OWNER.name);
    await page.getByTestId('setup-email').fill(OWNER.email);
    await page.getByTestId('setup-password').fill('short');
    await page.getByTestId('setup-submit').click();
    await expect(page.getByText('Use at least 8 characters')).toBeVisible();
    await page.getByTestId('setup-password').fill(OWNER.password);
    await page.getByTestId('setup-submit').click();
    await expect(page.getByTestId('user-menu')).toContainText(OWNER.name);
  } else {
    await signInWithForm(page, OWNER);
  }

  // An integration for the viewer to look at.
  const created = await page.request.post('/api/integrations', { data: { name: 'Customers to workspace', graph: { version: 1, nodes: [], edges: [] } } });
  expect(created.status()).toBe(201);
  const integrationId = ((await created.json()) as { id: string }).id;

  // Invite the editor with a password.
  await page.getByTestId('nav-users').click();
  await expect(page.getByTestId('users-table')).toContainText(OWNER.email);
  await page.getByTestId('invite-user').click();
  await page.getByTestId('invite-email').fill('not an email');
  await page.getByTestId('invite-name').fill(EDITOR.name);
  await page.getByTestId('invite-submit').click();
  await expect(page.getByTestId('invite-dialog')).toContainText('Enter an email address');
  await page.getByTestId('invite-email').fill(EDITOR.email);
  await page.getByTestId('invite-role').selectOption('editor');
  await page.getByTestId('invite-with-password').click();
  await page.getByTestId('invite-initial-password').fill(EDITOR.password);
  await page.getByTestId('invite-submit').click();
  await expect(page.getByTestId('invite-done')).toBeVisible();
  await page.getByTestId('invite-close').click();

  // Invite the viewer with a link, shown once.
  await page.getByTestId('invite-user').click();
  await page.getByTestId('invite-email').fill(VIEWER.email);
  await page.getByTestId('invite-name').fill(VIEWER.name);
  await page.getByTestId('invite-role').selectOption('viewer');
  await page.getByTestId('invite-submit').click();
  const link = await page.getByTestId('invite-link').inputValue();
  expect(link).toMatch(/\/#\/invite\/[\w-]{40,}$/);
  await shoot(page, 'users-invite-link');
  await page.getByTestId('invite-close').click();
  await expect(page.locator('[data-testid="user-row"]')).toHaveCount(3);
  await expect(page.locator(`[data-testid="user-row"][data-email="${VIEWER.email}"]`)).toContainText('Invited');
  await shoot(page, 'users');

  // An API token: shown once, works with its role, revoked.
  await page.getByTestId('nav-tokens').click();
  await shoot(page, 'tokens-empty');
  await page.getByTestId('new-token').click();
  await page.getByTestId('token-name').fill('nightly CI');
  await page.getByTestId('token-role').selectOption('viewer');
  await page.getByTestId('token-submit').click();
  const token = await page.getByTestId('created-token').inputValue();
  expect(token).toMatch(/^weft_/);
  await shoot(page, 'tokens-created');
  await page.getByTestId('token-done').click();
  await expect(page.getByTestId('token-row')).toHaveCount(1);
  await expect(page.getByTestId('tokens-table')).not.toContainText(token);
  await shoot(page, 'tokens');
  const withToken = await page.context().request.fetch('/api/integrations', { headers: { authorization: `Bearer ${token}`, cookie: '' } });
  expect(withToken.status()).toBe(200);
  await page.getByTestId('revoke-token').click();
  await expect(page.getByTestId('confirm-dialog')).toContainText('Scripts using it stop working at once.');
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('token-row')).toHaveCount(0);
  expect((await page.context().request.fetch('/api/integrations', { headers: { authorization: `Bearer ${token}` } })).status()).toBe(401);

  await signOut(page);
  await shoot(page, 'sign-in');

  // The viewer follows the link, chooses a password and is signed in.
  await page.goto(link.slice(link.indexOf('/#')));
  await expect(page.getByTestId('invite-page')).toContainText(VIEWER.email);
  await shoot(page, 'invite');
  await page.getByTestId('invite-password').fill(VIEWER.password);
  await page.getByTestId('invite-submit').click();
  await expect(page.getByTestId('user-menu')).toContainText('Viewer');
  await expect(page.getByTestId('nav-users')).toHaveCount(0);
  await expect(page.getByTestId('new-integration')).toHaveCount(0);

  // The viewer reads the integration but is offered no Publish, and the API refuses it.
  await page.goto(`/#/integrations/${integrationId}`);
  await expect(page.getByTestId('read-only')).toBeVisible();
  await expect(page.getByTestId('publish')).toHaveCount(0);
  await expect(page.getByTestId('save')).toHaveCount(0);
  await expect(page.getByTestId('run')).toHaveCount(0);
  const publish = await page.request.post(`/api/integrations/${integrationId}/publish`, { data: {} });
  expect(publish.status()).toBe(403);
  expect(((await publish.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  // The admin pages are not theirs either.
  await page.goto('/#/users');
  await expect(page.getByText('Only admins can see this page')).toBeVisible();
  expect((await page.request.get('/api/users')).status()).toBe(403);
  await signOut(page);

  // The editor signs in with the password the owner set, and may publish.
  await signInWithForm(page, EDITOR);
  await page.goto(`/#/integrations/${integrationId}`);
  await expect(page.getByTestId('publish')).toBeVisible();
  await expect(page.getByTestId('read-only')).toHaveCount(0);
  await signOut(page);

  // A wrong password is refused in words; then the owner reads the audit log.
  await page.getByTestId('sign-in-email').fill(OWNER.email);
  await page.getByTestId('sign-in-password').fill('not the password');
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('sign-in-error')).toContainText('do not match');
  await signInWithForm(page, OWNER);
  // The editor forgot their password: the owner resets it, which hands out a new link.
  await page.getByTestId('nav-users').click();
  await page.locator(`[data-testid="user-row"][data-email="${EDITOR.email}"]`).getByTestId('reset-user').click();
  await page.getByTestId('confirm-ok').click();
  expect(await page.getByTestId('reset-link').inputValue()).toMatch(/\/#\/invite\/[\w-]{40,}$/);
  await shoot(page, 'users-reset-link');
  await page.getByTestId('reset-dialog').getByRole('button', { name: 'Done' }).click();
  await expect(page.locator(`[data-testid="user-row"][data-email="${EDITOR.email}"]`)).toContainText('Invited');
  await page.getByTestId('nav-audit').click();
  await expect(page.getByTestId('audit-table')).toBeVisible();
  for (const action of ['user.invited', 'user.password_reset', 'auth.invite_accepted', 'token.created', 'token.revoked', 'auth.sign_in_failed', 'integration.created']) {
    await expect(page.locator(`[data-testid="audit-row"][data-action="${action}"]`).first()).toBeVisible();
  }
  await shoot(page, 'audit');
  await page.getByTestId('audit-actor').fill('viewer@');
  await expect(page.locator('[data-testid="audit-row"]').first()).toContainText(VIEWER.email);
  await expect(page.locator('[data-testid="audit-row"]', { hasNotText: VIEWER.email })).toHaveCount(0);
  await page.getByTestId('audit-actor').fill('');
  await page.getByTestId('audit-action').selectOption('auth.sign_in_failed');
  await expect(page.locator('[data-testid="audit-row"]')).toHaveCount(1);
  await expect(page.getByTestId('audit-row')).toContainText(OWNER.email);
  await shoot(page, 'audit-filtered');

  // The owner changes their password (the wrong current one is refused) ...
  await page.getByTestId('user-menu').click();
  await page.getByTestId('change-password').click();
  await page.getByTestId('current-password').fill('not the password');
  await page.getByTestId('new-password').fill('a brand new owner password');
  await page.getByTestId('password-submit').click();
  await expect(page.getByTestId('password-error')).toContainText('current password is not right');
  await page.getByTestId('current-password').fill(OWNER.password);
  await shoot(page, 'change-password');
  await page.getByTestId('password-submit').click();
  await expect(page.getByTestId('password-dialog')).toHaveCount(0);

  // ... and signs out everywhere, this session included; the new password is the one that works.
  await page.getByTestId('user-menu').click();
  await page.getByTestId('sign-out-everywhere').click();
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('sign-in-page')).toBeVisible();
  expect((await page.request.get('/api/integrations')).status()).toBe(401);
  await signInWithForm(page, { email: OWNER.email, password: 'a brand new owner password' });
  // The other specs sign in with OWNER's password: put it back.
  const restored = await page.request.post('/api/auth/password', { data: { currentPassword: 'a brand new owner password', newPassword: OWNER.password } });
  expect(restored.status()).toBe(204);
});
