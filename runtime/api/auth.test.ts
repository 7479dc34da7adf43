// Sign-in, sessions, invitations, roles, tokens, the audit log and the cross-site guard, through app.request()
// on a real (in-memory PGlite) store. Hostile input included: other origins, wrong Host, NUL bytes, `__proto__`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, AuditEntry, CreatedToken, InviteResult, Page, SessionInfo, User } from '../../shared';
import { hashSecret } from '../auth/secrets';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { createApi } from './app';
import { NOT_AN_EMAIL } from './auth';
import { testConnections } from '../../test/support/connections';

let store: Store;
let dir: string;
let app: ReturnType<typeof createApi>;
const OWNER = { email: 'Owner@Example.com', name: 'Olive Owner', password: 'correct horse battery' };

const make = (s: Store, publicUrl?: string) =>
  createApi({
    store: s,
    launcher: { start: async (r) => ({ workflowId: `w-${r.runId}` }) },
    filesDir: join(dir, 'files'),
    maxUploadBytes: 4096,
    connections: testConnections(s, { filesDir: join(dir, 'files') }),
    passwordCost: 10,
    signInLimit: { max: 3, windowMs: 60_000 },
    publicUrl,
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-auth-'));
  store = await openStore({ memory: true });
  app = make(store);
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const JSON_TYPE = { 'content-type': 'application/json' };
const cookieOf = (res: Response) => {
  const set = res.headers.get('set-cookie') ?? '';
  return set.split(';')[0] ?? '';
};
const send = (path: string, method: string, body?: unknown, headers: Record<string, string> = {}) =>
  app.request(path, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { ...JSON_TYPE, ...headers } });
const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers });
const errorOf = async (res: Response) => ApiError.parse(await res.json()).error;
const GRAPH = { name: 'Sync', graph: { version: 1, nodes: [], edges: [] } };

async function signIn(email: string, password: string) {
  const res = await send('/api/auth/sign-in', 'POST', { email, password });
  expect(res.status).toBe(200);
  return { cookie: cookieOf(res), session: SessionInfo.parse(await res.json()) };
}

let ownerCookie = '';

describe('first visit', () => {
  it('asks for the owner account and lets nothing else through', async () => {
    const res = await get('/api/auth/session');
    expect(res.status).toBe(200);
    expect(SessionInfo.parse(await res.json())).toEqual({ needsSetup: true, user: null, csrfToken: null });
    expect((await get('/api/integrations')).status).toBe(401);
    expect((await send('/api/integrations', 'POST', GRAPH)).status).toBe(401);
    expect((await get('/api/health')).status).toBe(200);
  });

  it('refuses a password with a NUL byte or a short one, naming the field', async () => {
    for (const password of ['bad\u0000password!', 'short']) {
      const res = await send('/api/auth/setup', 'POST', { ...OWNER, password });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).issues?.[0]?.path).toBe('password');
    }
    expect(await store.auth.countUsers()).toBe(0);
  });

  it('creates the owner once, signs them in with an HttpOnly, SameSite=Lax cookie, and refuses a second setup', async () => {
    const res = await send('/api/auth/setup', 'POST', OWNER);
    expect(res.status).toBe(201);
    const info = SessionInfo.parse(await res.json());
    expect(info.user).toMatchObject({ email: 'owner@example.com', role: 'owner', active: true });
    expect(info.csrfToken).toBeTruthy();
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^weft_session=[\w-]{40,};/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/);
    ownerCookie = cookieOf(res);

    const again = await send('/api/auth/setup', 'POST', { ...OWNER, email: 'mallory@example.com' });
    expect(again.status).toBe(409);
    expect(await store.auth.countUsers()).toBe(1);
    // The password is kept as an scrypt hash, never as itself.
    const stored = await store.auth.getUserByEmail('owner@example.com');
    expect(stored?.passwordHash).toMatch(/^scrypt\$10\$8\$5\$/);
    expect(stored?.passwordHash).not.toContain(OWNER.password);
  });

  it('lets the session through and says who is signed in', async () => {
    const res = await get('/api/auth/session', { cookie: ownerCookie });
    const info = SessionInfo.parse(await res.json());
    expect(info.needsSetup).toBe(false);
    expect(info.user?.email).toBe('owner@example.com');
    expect((await get('/api/integrations', { cookie: ownerCookie })).status).toBe(200);
    expect((await send('/api/integrations', 'POST', GRAPH, { cookie: ownerCookie })).status).toBe(201);
  });

  it('marks the cookie Secure (and __Host-) when Weft is served over https', async () => {
    const other = await openStore({ memory: true });
    try {
      const secureApp = make(other, 'https://weft.example.com');
      const res = await secureApp.request('https://weft.example.com/api/auth/setup', { method: 'POST', body: JSON.stringify(OWNER), headers: JSON_TYPE });
      expect(res.status).toBe(201);
      expect(res.headers.get('set-cookie')).toMatch(/^__Host-weft_session=.*Secure/);
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
    } finally {
      await other.close();
    }
  });
});

describe('sign-in', () => {
  it('refuses a wrong password, an unknown email and a NUL byte alike, and records the failures', async () => {
    for (const [email, password] of [
      ['owner@example.com', 'wrong password'],
      ['nobody@example.com', OWNER.password],
      ['owner@example.com', `${OWNER.password}\u0000`],
    ] as const) {
      const res = await send('/api/auth/sign-in', 'POST', { email, password }, { 'x-forwarded-for': '10.0.0.1' });
      expect(res.status).toBe(401);
      expect(await errorOf(res)).toMatchObject({ code: 'wrong_credentials', message: 'Wrong email or password' });
    }
    const audit = await store.auth.listAudit({ action: 'auth.sign_in_failed', limit: 10, offset: 0 });
    expect(audit.items.map((e) => e.actor).sort()).toEqual(['nobody@example.com', 'owner@example.com', 'owner@example.com']);
  });

  it('does not write a password typed into the email field into the audit log (probe19)', async () => {
    for (const typed of ['Tr0ub4dor&3-horse', 'P@ssw0rd-staple', 'admin@localhost']) {
      expect((await send('/api/auth/sign-in', 'POST', { email: typed, password: 'anything at all' })).status).toBe(401);
    }
    const audit = await store.auth.listAudit({ action: 'auth.sign_in_failed', limit: 50, offset: 0 });
    const text = JSON.stringify(audit.items).toLowerCase();
    expect(text).not.toContain('tr0ub4dor');
    expect(text).not.toContain('p@ssw0rd');
    expect(audit.items.filter((e) => e.actor === NOT_AN_EMAIL)).toHaveLength(3);
    // A real account's email (any case) and an unknown address are still recorded as typed.
    expect(audit.items.map((e) => e.actor)).toContain('nobody@example.com');
  });

  it('refuses an expired session even though its cookie is still sent', async () => {
    const { cookie } = await signIn('owner@example.com', OWNER.password);
    expect((await get('/api/integrations', { cookie })).status).toBe(200);
    await store.auth.extendSession(hashSecret(cookie.split('=')[1]!), new Date(Date.now() - 1000));
    expect((await get('/api/integrations', { cookie })).status).toBe(401);
  });

  it('signs in with any case of the email and records it', async () => {
    const { session } = await signIn('OWNER@example.com', OWNER.password);
    expect(session.user?.role).toBe('owner');
    const audit = await store.auth.listAudit({ action: 'auth.sign_in', limit: 10, offset: 0 });
    expect(audit.items[0]?.actor).toBe('owner@example.com');
  });

  it('is rate-limited per email: after too many failures even the right password waits', async () => {
    const victim = { email: 'limited@example.com', name: 'Lim', role: 'viewer', password: 'a good password' };
    expect((await send('/api/users', 'POST', victim, { cookie: ownerCookie })).status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await send('/api/auth/sign-in', 'POST', { email: victim.email, password: `nope ${i}` })).status).toBe(401);
    const res = await send('/api/auth/sign-in', 'POST', { email: victim.email, password: victim.password });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await errorOf(res)).code).toBe('too_many_attempts');
  });

  it('counts wrong current passwords on a password change like failed sign-ins: a session cannot guess without bound', async () => {
    const person = { email: 'guessed@example.com', name: 'Gus', role: 'viewer', password: 'the real password' };
    expect((await send('/api/users', 'POST', person, { cookie: ownerCookie })).status).toBe(201);
    const { cookie } = await signIn(person.email, person.password);
    for (let i = 0; i < 3; i++) {
      expect((await send('/api/auth/password', 'POST', { currentPassword: `guess ${i}`, newPassword: 'a new password' }, { cookie })).status).toBe(403);
    }
    // The right password waits too, and the guesses count against signing in with that email.
    const res = await send('/api/auth/password', 'POST', { currentPassword: person.password, newPassword: 'a new password' }, { cookie });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await send('/api/auth/sign-in', 'POST', { email: person.email, password: person.password })).status).toBe(429);
  });

  it('lets a signed-in person change their password while strangers fail sign-ins with their email (review13b)', async () => {
    const person = { email: 'targeted@example.com', name: 'Tara', role: 'viewer', password: 'the real password' };
    expect((await send('/api/users', 'POST', person, { cookie: ownerCookie })).status).toBe(201);
    const { cookie } = await signIn(person.email, person.password);
    // Anyone who knows the email can spend its sign-in attempts; that must not keep the owner of a session from
    // changing the password (the very thing to do when someone is guessing it).
    for (let i = 0; i < 3; i++) expect((await send('/api/auth/sign-in', 'POST', { email: person.email, password: `stranger ${i}` })).status).toBe(401);
    expect((await send('/api/auth/sign-in', 'POST', { email: person.email, password: person.password })).status).toBe(429);
    const res = await send('/api/auth/password', 'POST', { currentPassword: person.password, newPassword: 'a new password' }, { cookie });
    expect(res.status).toBe(204);
  });

  it('ends one session on sign-out and every session on sign out everywhere', async () => {
    const a = await signIn('owner@example.com', OWNER.password);
    const b = await signIn('owner@example.com', OWNER.password);
    expect((await send('/api/auth/sign-out', 'POST', {}, { cookie: a.cookie })).status).toBe(204);
    expect((await get('/api/integrations', { cookie: a.cookie })).status).toBe(401);
    expect((await get('/api/integrations', { cookie: b.cookie })).status).toBe(200);

    const res = await send('/api/auth/sign-out-everywhere', 'POST', {}, { cookie: b.cookie });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { sessions: number }).sessions).toBeGreaterThanOrEqual(2);
    for (const cookie of [b.cookie, ownerCookie]) expect((await get('/api/integrations', { cookie })).status).toBe(401);
    ownerCookie = (await signIn('owner@example.com', OWNER.password)).cookie;
  });

  it('refuses a forged or malformed session cookie and Authorization header', async () => {
    expect((await get('/api/integrations', { cookie: 'weft_session=forged' })).status).toBe(401);
    expect((await get('/api/integrations', { authorization: 'Bearer weft_forged' })).status).toBe(401);
    expect((await get('/api/integrations', { authorization: 'Basic b3duZXI6cGFzcw==' })).status).toBe(401);
  });
});

describe('users and roles', () => {
  let inviteUrl = '';

  it('invites with a link (shown once) that sets a password and signs in', async () => {
    const res = await send('/api/users', 'POST', { email: 'vera@example.com', name: 'Vera', role: 'viewer' }, { cookie: ownerCookie });
    expect(res.status).toBe(201);
    const invited = InviteResult.parse(await res.json());
    expect(invited.user).toMatchObject({ role: 'viewer', active: false });
    expect(invited.inviteUrl).toMatch(/^http:\/\/localhost\/#\/invite\/[\w-]{40,}$/);
    inviteUrl = invited.inviteUrl!;
    const token = inviteUrl.split('/').pop()!;
    // Not active yet: no sign-in without a password.
    expect((await send('/api/auth/sign-in', 'POST', { email: 'vera@example.com', password: '' })).status).toBe(401);

    expect(await (await get(`/api/auth/invite/${token}`)).json()).toEqual({ email: 'vera@example.com', name: 'Vera' });
    const accepted = await send(`/api/auth/invite/${token}`, 'POST', { password: 'vera has a password' });
    expect(accepted.status).toBe(200);
    const viewer = cookieOf(accepted);
    expect((await get('/api/integrations', { cookie: viewer })).status).toBe(200);
    // A viewer may read but not change, publish or run.
    expect((await send('/api/integrations', 'POST', GRAPH, { cookie: viewer })).status).toBe(403);
    const [first] = await store.listIntegrations();
    const publish = await send(`/api/integrations/${first!.id}/publish`, 'POST', {}, { cookie: viewer });
    expect(publish.status).toBe(403);
    expect((await errorOf(publish)).message).toMatch(/viewer/);
    // The link works once.
    expect((await get(`/api/auth/invite/${token}`)).status).toBe(404);
    expect((await send(`/api/auth/invite/${token}`, 'POST', { password: 'another password' })).status).toBe(404);
  });

  it('changes a role at once, never the owner’s, and removes people with their sessions', async () => {
    const users = User.array().parse(await (await get('/api/users', { cookie: ownerCookie })).json());
    const vera = users.find((u) => u.email === 'vera@example.com')!;
    const owner = users.find((u) => u.role === 'owner')!;
    const veraCookie = (await signIn('vera@example.com', 'vera has a password')).cookie;

    const changed = await send(`/api/users/${vera.id}`, 'PUT', { role: 'editor' }, { cookie: ownerCookie });
    expect(changed.status).toBe(200);
    expect((await send('/api/integrations', 'POST', GRAPH, { cookie: veraCookie })).status).toBe(201);

    expect((await send(`/api/users/${owner.id}`, 'PUT', { role: 'viewer' }, { cookie: ownerCookie })).status).toBe(409);
    expect((await send(`/api/users/${owner.id}`, 'PUT', { role: 'owner' }, { cookie: ownerCookie })).status).toBe(400);
    expect((await app.request(`/api/users/${owner.id}`, { method: 'DELETE', headers: { cookie: ownerCookie } })).status).toBe(409);
    expect((await app.request('/api/users/usr_unknown', { method: 'DELETE', headers: { cookie: ownerCookie } })).status).toBe(404);
    // An editor cannot manage people.
    expect((await get('/api/users', { cookie: veraCookie })).status).toBe(403);
    expect((await send(`/api/users/${vera.id}`, 'PUT', { role: 'admin' }, { cookie: veraCookie })).status).toBe(403);

    expect((await app.request(`/api/users/${vera.id}`, { method: 'DELETE', headers: { cookie: ownerCookie } })).status).toBe(204);
    expect((await get('/api/integrations', { cookie: veraCookie })).status).toBe(401);
  });

  it('resets a forgotten password: sessions end, the old password stops working, a new link sets another', async () => {
    const who = { email: 'forgetful@example.com', name: 'Forgetful', role: 'operator', password: 'an old password' };
    expect((await send('/api/users', 'POST', who, { cookie: ownerCookie })).status).toBe(201);
    const theirs = (await signIn(who.email, who.password)).cookie;
    const users = User.array().parse(await (await get('/api/users', { cookie: ownerCookie })).json());
    const user = users.find((u) => u.email === who.email)!;
    const owner = users.find((u) => u.role === 'owner')!;

    const res = await send(`/api/users/${user.id}/reset`, 'POST', {}, { cookie: ownerCookie });
    expect(res.status).toBe(200);
    const { inviteUrl } = (await res.json()) as { inviteUrl: string };
    expect((await get('/api/integrations', { cookie: theirs })).status).toBe(401);
    expect((await send('/api/auth/sign-in', 'POST', { email: who.email, password: who.password })).status).toBe(401);
    const token = inviteUrl.split('/').pop()!;
    expect((await send(`/api/auth/invite/${token}`, 'POST', { password: 'a new password' })).status).toBe(200);
    expect((await signIn(who.email, 'a new password')).session.user?.role).toBe('operator');

    expect((await send(`/api/users/${owner.id}/reset`, 'POST', {}, { cookie: ownerCookie })).status).toBe(409);
    expect((await send('/api/users/usr_unknown/reset', 'POST', {}, { cookie: ownerCookie })).status).toBe(404);
    const audit = await store.auth.listAudit({ action: 'user.password_reset', limit: 5, offset: 0 });
    expect(audit.items[0]).toMatchObject({ actor: 'owner@example.com', targetName: who.email });
  });

  it('refuses an admin signing the owner out, in words, as removing and demoting are refused', async () => {
    const who = { email: 'ada.admin@example.com', name: 'Ada Admin', role: 'admin', password: 'ada has a password' };
    expect((await send('/api/users', 'POST', who, { cookie: ownerCookie })).status).toBe(201);
    const adminCookie = (await signIn(who.email, who.password)).cookie;
    const users = User.array().parse(await (await get('/api/users', { cookie: ownerCookie })).json());
    const owner = users.find((u) => u.role === 'owner')!;
    const ada = users.find((u) => u.email === who.email)!;

    const refused = await send(`/api/users/${owner.id}/sign-out`, 'POST', {}, { cookie: adminCookie });
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).message).toMatch(/Only the owner can sign the owner out/);
    // The owner's session is untouched, and nothing was recorded as done.
    expect((await get('/api/integrations', { cookie: ownerCookie })).status).toBe(200);
    expect((await store.auth.listAudit({ action: 'user.signed_out', limit: 5, offset: 0 })).items.filter((e) => e.targetName === owner.email)).toEqual([]);
    // The owner may still sign an admin out.
    const out = await send(`/api/users/${ada.id}/sign-out`, 'POST', {}, { cookie: ownerCookie });
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ sessions: 1 });
    expect((await get('/api/integrations', { cookie: adminCookie })).status).toBe(401);
  });

  it('keeps `__proto__` as a name and an email like any other', async () => {
    const res = await send('/api/users', 'POST', { email: '__proto__@example.com', name: '__proto__', role: 'operator', password: 'proto password' }, { cookie: ownerCookie });
    expect(res.status).toBe(201);
    const users = User.array().parse(await (await get('/api/users', { cookie: ownerCookie })).json());
    expect(users.find((u) => u.email === '__proto__@example.com')).toMatchObject({ name: '__proto__', role: 'operator', active: true });
    const { session } = await signIn('__proto__@example.com', 'proto password');
    expect(session.user?.name).toBe('__proto__');
    expect((await send('/api/users', 'POST', { email: '__proto__@example.com', name: 'x', role: 'viewer' }, { cookie: ownerCookie })).status).toBe(409);
  });
});

describe('API tokens', () => {
  it('shows a token once, keeps only its hash, scopes it to its role, and revokes it', async () => {
    const res = await send('/api/tokens', 'POST', { name: 'ci', role: 'viewer' }, { cookie: ownerCookie });
    expect(res.status).toBe(201);
    const { token, info } = CreatedToken.parse(await res.json());
    expect(token).toMatch(/^weft_[\w-]{40,}$/);
    expect(JSON.stringify(await (await get('/api/tokens', { cookie: ownerCookie })).json())).not.toContain(token);
    const auth = { authorization: `Bearer ${token}` };
    expect((await get('/api/integrations', auth)).status).toBe(200);
    expect((await send('/api/integrations', 'POST', GRAPH, auth)).status).toBe(403);
    expect((await send('/api/tokens', 'POST', { name: 'owner', role: 'owner' }, { cookie: ownerCookie })).status).toBe(400);

    expect((await app.request(`/api/tokens/${info.id}`, { method: 'DELETE', headers: { cookie: ownerCookie } })).status).toBe(204);
    expect((await get('/api/integrations', auth)).status).toBe(401);
    expect((await app.request(`/api/tokens/${info.id}`, { method: 'DELETE', headers: { cookie: ownerCookie } })).status).toBe(404);
  });
});

describe('audit log', () => {
  it('says who did what, filtered by person, action and date, and only to admins', async () => {
    const all = Page(AuditEntry).parse(await (await get('/api/audit?limit=500', { cookie: ownerCookie })).json());
    const actions = new Set(all.items.map((e) => e.action));
    for (const a of ['auth.setup', 'auth.sign_in', 'auth.sign_in_failed', 'auth.sign_out', 'auth.sign_out_everywhere', 'integration.created', 'user.invited', 'auth.invite_accepted', 'user.role_changed', 'user.removed', 'token.created', 'token.revoked']) {
      expect(actions, a).toContain(a);
    }
    const roleChange = all.items.find((e) => e.action === 'user.role_changed');
    expect(roleChange).toMatchObject({ actor: 'owner@example.com', targetName: 'vera@example.com', detail: { from: 'viewer', to: 'editor' } });
    // Newest first.
    expect([...all.items].sort((a, b) => b.at.localeCompare(a.at)).map((e) => e.id)).toEqual(all.items.map((e) => e.id));

    const byVera = Page(AuditEntry).parse(await (await get('/api/audit?actor=vera', { cookie: ownerCookie })).json());
    expect(byVera.items.length).toBeGreaterThan(0);
    expect(byVera.items.every((e) => e.actor.includes('vera'))).toBe(true);
    const created = Page(AuditEntry).parse(await (await get('/api/audit?action=integration.created', { cookie: ownerCookie })).json());
    expect(created.items.every((e) => e.action === 'integration.created')).toBe(true);
    const future = Page(AuditEntry).parse(await (await get(`/api/audit?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, { cookie: ownerCookie })).json());
    expect(future.total).toBe(0);
    expect((await get('/api/audit?action=nonsense', { cookie: ownerCookie })).status).toBe(400);
    expect(JSON.stringify(all.items)).not.toContain(OWNER.password);
  });
});

describe('cross-site requests, Host and headers', () => {
  const evil = { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' };

  it('refuses state changes from another origin: JSON, text/plain no-cors bodies and multipart uploads', async () => {
    const before = (await store.listIntegrations()).length;
    expect((await send('/api/integrations', 'POST', GRAPH, { cookie: ownerCookie, ...evil })).status).toBe(403);
    expect((await send('/api/integrations', 'POST', GRAPH, { cookie: ownerCookie, origin: 'http://evil.example' })).status).toBe(403);
    expect((await send('/api/integrations', 'POST', GRAPH, { cookie: ownerCookie, 'sec-fetch-site': 'same-site' })).status).toBe(403);
    // What `fetch(url, {mode: 'no-cors', body})` sends: text/plain, without a preflight.
    const plain = await app.request('/api/integrations', { method: 'POST', body: JSON.stringify(GRAPH), headers: { cookie: ownerCookie, 'content-type': 'text/plain;charset=UTF-8', ...evil } });
    expect(plain.status).toBe(403);
    // Even same-origin, a text/plain or form body is refused: JSON (or the CSRF token) is required.
    const plainSame = await app.request('/api/integrations', { method: 'POST', body: JSON.stringify(GRAPH), headers: { cookie: ownerCookie, 'content-type': 'text/plain' } });
    expect(plainSame.status).toBe(415);
    const form = new FormData();
    form.set('file', new Blob(['a,b\n1,2\n'], { type: 'text/csv' }), 'x.csv');
    expect((await app.request('/api/files?name=x.csv', { method: 'POST', body: form, headers: { cookie: ownerCookie, ...evil } })).status).toBe(403);
    expect((await app.request('/api/files?name=x.csv', { method: 'POST', body: form, headers: { cookie: ownerCookie } })).status).toBe(415);
    expect((await app.request('/api/files?name=x.csv', { method: 'POST', body: 'a,b\n1,2\n', headers: { cookie: ownerCookie, 'content-type': 'text/csv', ...evil } })).status).toBe(403);
    expect((await app.request('/api/integrations', { method: 'POST', headers: { cookie: ownerCookie } })).status).toBe(415);
    expect((await store.listIntegrations()).length).toBe(before);
  });

  it('lets the same origin through, and multipart or text bodies with the session’s CSRF token', async () => {
    const same = { cookie: ownerCookie, origin: 'http://localhost', 'sec-fetch-site': 'same-origin' };
    expect((await send('/api/integrations', 'POST', GRAPH, same)).status).toBe(201);
    expect((await app.request('/api/files?name=x.csv', { method: 'POST', body: 'a,b\n1,2\n', headers: { ...same, 'content-type': 'text/csv' } })).status).toBe(201);
    const { csrfToken } = SessionInfo.parse(await (await get('/api/auth/session', { cookie: ownerCookie })).json());
    const form = new FormData();
    form.set('file', new Blob(['a,b\n1,2\n']), 'x.csv');
    // Past the guard with the token: the upload route's own answer (it wants raw bytes), not the guard's.
    const withToken = await app.request('/api/files?name=x.csv', { method: 'POST', body: form, headers: { ...same, 'x-csrf-token': csrfToken! } });
    expect(withToken.status).toBe(415);
    expect((await errorOf(withToken)).code).toBe('unsupported_media_type');
    const wrongToken = await app.request('/api/files?name=x.csv', { method: 'POST', body: form, headers: { ...same, 'x-csrf-token': 'guess' } });
    expect((await errorOf(wrongToken)).code).toBe('json_required');
  });

  it('answers OPTIONS without opening CORS', async () => {
    const res = await app.request('/api/integrations', { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(res.status).toBe(204);
    for (const h of ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-headers', 'access-control-allow-methods']) expect(res.headers.get(h)).toBeNull();
  });

  it('refuses a Host that is not its own (DNS rebinding) and accepts the loopback aliases', async () => {
    const res = await app.request('http://evil.example/api/health');
    expect(res.status).toBe(421);
    expect((await errorOf(res)).code).toBe('wrong_host');
    expect((await app.request('http://evil.example/', {})).status).toBe(421);
    expect((await app.request('http://localhost:9999/api/health')).status).toBe(421);
    for (const host of ['localhost', '127.0.0.1', '[::1]']) expect((await app.request(`http://${host}/api/health`)).status).toBe(200);
  });

  it('sends the security headers on every answer', async () => {
    for (const res of [await get('/api/health'), await get('/api/integrations'), await app.request('http://evil.example/api/health')]) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
  });
});
