// Sign-in: the first-visit owner setup, sign-in (rate-limited), sign-out (here or everywhere), password change and
// invitation links. Sessions are random ids in an HttpOnly, SameSite=Lax cookie; the store keeps only their hashes.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { hashPassword, verifyNothing, verifyPassword, DEFAULT_COST } from '../auth/passwords';
import { createRateLimiter } from '../auth/rate-limit';
import { csrfTokenOf, hashSecret, newSecret } from '../auth/secrets';
import type { StoredUser } from '../store/auth';
import { audit } from './audit-log';
import type { ApiDeps } from './deps';
import { HttpError, validationHook } from './errors';
import { access, serve, clientIp, principalOf, SESSION_TTL_MS, type AuthEnv, type Site } from './guard';
import { publicUser } from './users';
import * as routes from '../../shared/api/routes';

const session = serve(routes.getSession, {
  ...access('public'),
  tags: ['Sign-in'],
  summary: 'Who is signed in (or that no account exists yet), and the CSRF token for non-JSON requests',
  responses: { 200: 'The session' },
});

const setup = serve(routes.setup, {
  ...access('public'),
  tags: ['Sign-in'],
  summary: "Create the owner account on a fresh Weft (refused once any account exists) and sign in",
  responses: { 201: 'Created and signed in', 400: 'Invalid', 409: 'An account exists already' },
});

const signIn = serve(routes.signIn, {
  ...access('public'),
  tags: ['Sign-in'],
  summary: 'Sign in with email and password; sets the session cookie',
  responses: { 200: 'Signed in', 401: 'Wrong email or password', 429: 'Too many failed attempts; Retry-After says when to try again' },
});

const signOut = serve(routes.signOut, {
  ...access('signedIn'),
  tags: ['Sign-in'],
  summary: 'End this session',
  responses: { 204: 'Signed out' },
});

const signOutEverywhere = serve(routes.signOutEverywhere, {
  ...access('signedIn'),
  tags: ['Sign-in'],
  summary: "End every session of the signed-in person, on every device (API tokens are revoked separately)",
  responses: { 200: 'How many sessions ended', 400: 'Signed in with an API token' },
});

const changePassword = serve(routes.changePassword, {
  ...access('signedIn'),
  tags: ['Sign-in'],
  summary: "Change the signed-in person's password; their other sessions end",
  responses: { 204: 'Changed', 400: 'Invalid, or signed in with an API token', 403: 'Wrong current password', 429: 'Too many wrong current passwords from this person; Retry-After says when' },
});

const inviteInfo = serve(routes.getInvite, {
  ...access('public'),
  tags: ['Sign-in'],
  summary: 'Whom an invitation link is for',
  responses: { 200: 'The invitation', 404: 'Unknown or expired' },
});

const acceptInvite = serve(routes.acceptInvite, {
  ...access('public'),
  tags: ['Sign-in'],
  summary: 'Accept an invitation: choose a password and sign in',
  responses: { 200: 'Signed in', 400: 'Invalid', 404: 'Unknown or expired' },
});

/** An address that could be someone's: one `@`, no spaces, a dot in the domain (`P@ssw0rd` is not). */
const SHAPED_LIKE_EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
/** What the audit log says was tried when it was not an email address. */
export const NOT_AN_EMAIL = '(not an email address)';

export function authRoutes(deps: ApiDeps, site: Site) {
  const { store } = deps;
  const cost = deps.passwordCost ?? DEFAULT_COST;
  const limit = deps.signInLimit ?? { max: 10, windowMs: 15 * 60 * 1000 };
  // Per email, against guessing one password; per address, a wider limit against trying many emails.
  const perEmail = createRateLimiter(limit);
  const perAddress = createRateLimiter({ ...limit, max: limit.max * 10 });
  // Wrong current passwords on a password change, per person: its own gate, so strangers failing sign-ins with that
  // email (which anyone may do) cannot keep the person from changing the password (review13b).
  const perPerson = createRateLimiter(limit);

  async function startSession(c: Context<AuthEnv>, user: StoredUser) {
    const id = newSecret();
    await store.auth.createSession({
      idHash: hashSecret(id),
      userId: user.id,
      expiresAt: new Date(Date.now() + SESSION_TTL_MS),
      userAgent: c.req.header('user-agent')?.slice(0, 300) ?? null,
    });
    await store.auth.recordSignIn(user.id);
    setCookie(c, site.cookieName, id, { httpOnly: true, sameSite: 'Lax', secure: site.secure, path: '/', maxAge: SESSION_TTL_MS / 1000 });
    return { needsSetup: false, user: publicUser({ ...user, lastSignInAt: new Date().toISOString() }), csrfToken: csrfTokenOf(id) };
  }

  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook })
    .openapi(session, async (c) => {
      const p = c.get('principal');
      const needsSetup = (await store.auth.countUsers()) === 0;
      return c.json({ needsSetup, user: p?.user ? publicUser(p.user) : null, csrfToken: p?.sessionId ? csrfTokenOf(p.sessionId) : null }, 200);
    })
    .openapi(setup, async (c) => {
      const input = c.req.valid('json');
      if ((await store.auth.countUsers()) > 0) throw new HttpError(409, 'already_set_up', 'Weft has an owner already; sign in instead');
      const owner = await store.auth.createOwner({ email: input.email, name: input.name, passwordHash: await hashPassword(input.password, cost) });
      if (!owner) throw new HttpError(409, 'already_set_up', 'Weft has an owner already; sign in instead');
      await audit(c, store, 'auth.setup', { type: 'user', id: owner.id, name: owner.email }, {}, { actor: owner.email, actorId: owner.id });
      return c.json(await startSession(c, owner), 201);
    })
    .openapi(signIn, async (c) => {
      const { email, password } = c.req.valid('json');
      const address = [clientIp(c) ?? 'unknown'];
      const wait = Math.max(perEmail.retryAfter([email]), perAddress.retryAfter(address));
      if (wait > 0) {
        c.header('Retry-After', String(wait));
        throw new HttpError(429, 'too_many_attempts', `Too many failed sign-ins; try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? 's' : ''}`);
      }
      const user = await store.auth.getUserByEmail(email);
      const ok = user?.passwordHash ? await verifyPassword(password, user.passwordHash) : await verifyNothing(password, cost);
      if (!user || !ok) {
        perEmail.fail([email]);
        perAddress.fail(address);
        // What was typed as the email is recorded only when it is an account's, or could be one: a password typed into
        // the email field (a common slip) would otherwise sit in the audit log in clear for every admin (probe19).
        const tried = user ? user.email : SHAPED_LIKE_EMAIL.test(email) ? email : NOT_AN_EMAIL;
        await audit(c, store, 'auth.sign_in_failed', { type: 'user', id: user?.id ?? null, name: tried }, {}, { actor: tried, actorId: user?.id ?? null });
        throw new HttpError(401, 'wrong_credentials', 'Wrong email or password');
      }
      perEmail.reset([email]);
      await audit(c, store, 'auth.sign_in', { type: 'user', id: user.id, name: user.email }, {}, { actor: user.email, actorId: user.id });
      return c.json(await startSession(c, user), 200);
    })
    .openapi(signOut, async (c) => {
      const p = principalOf(c);
      if (p.sessionId) {
        await store.auth.deleteSession(hashSecret(p.sessionId));
        await audit(c, store, 'auth.sign_out', { type: 'user', id: p.actorId, name: p.actor });
      }
      deleteCookie(c, site.cookieName, { path: '/', secure: site.secure });
      return c.body(null, 204);
    })
    .openapi(signOutEverywhere, async (c) => {
      const p = principalOf(c);
      if (!p.user) throw new HttpError(400, 'no_person', 'An API token has no sessions; revoke the token instead');
      const sessions = await store.auth.deleteSessionsOf(p.user.id);
      await audit(c, store, 'auth.sign_out_everywhere', { type: 'user', id: p.user.id, name: p.user.email }, { sessions });
      deleteCookie(c, site.cookieName, { path: '/', secure: site.secure });
      return c.json({ sessions }, 200);
    })
    .openapi(changePassword, async (c) => {
      const p = principalOf(c);
      if (!p.user || !p.sessionId) throw new HttpError(400, 'no_person', 'An API token has no password');
      const { currentPassword, newPassword } = c.req.valid('json');
      const user = await store.auth.getUser(p.user.id);
      // A guess at the current password is a guess at the sign-in password: it counts against signing in with that
      // email too, and the person's own count bounds them, so a session left open cannot try passwords (each an scrypt
      // hash: ~0.2 s of a libuv thread) without bound. Only that own count is waited on: failed sign-ins by anyone
      // who knows the email do not lock the person out of changing the password (review13b).
      const key = [user?.email ?? p.user.email];
      const person = [p.user.id];
      const wait = perPerson.retryAfter(person);
      if (wait > 0) {
        c.header('Retry-After', String(wait));
        throw new HttpError(429, 'too_many_attempts', `Too many wrong passwords; try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? 's' : ''}`);
      }
      if (!user?.passwordHash || !(await verifyPassword(currentPassword, user.passwordHash))) {
        perEmail.fail(key);
        perPerson.fail(person);
        throw new HttpError(403, 'wrong_password', 'The current password is not right');
      }
      perPerson.reset(person);
      await store.auth.setPassword(user.id, await hashPassword(newPassword, cost));
      // Every other device signs in again with the new password; this one keeps its session.
      await store.auth.deleteSessionsOf(user.id);
      await store.auth.createSession({ idHash: hashSecret(p.sessionId), userId: user.id, expiresAt: new Date(Date.now() + SESSION_TTL_MS), userAgent: c.req.header('user-agent')?.slice(0, 300) ?? null });
      await audit(c, store, 'auth.password_changed', { type: 'user', id: user.id, name: user.email });
      return c.body(null, 204);
    })
    .openapi(inviteInfo, async (c) => {
      const user = await store.auth.getUserByInvite(hashSecret(c.req.valid('param').token));
      if (!user) throw new HttpError(404, 'not_found', 'This invitation link is not valid (it may have expired or been used)');
      return c.json({ email: user.email, name: user.name }, 200);
    })
    .openapi(acceptInvite, async (c) => {
      const user = await store.auth.getUserByInvite(hashSecret(c.req.valid('param').token));
      if (!user) throw new HttpError(404, 'not_found', 'This invitation link is not valid (it may have expired or been used)');
      const input = c.req.valid('json');
      await store.auth.setPassword(user.id, await hashPassword(input.password, cost), input.name);
      const accepted = (await store.auth.getUser(user.id))!;
      await audit(c, store, 'auth.invite_accepted', { type: 'user', id: user.id, name: user.email }, { role: user.role }, { actor: user.email, actorId: user.id });
      return c.json(await startSession(c, accepted), 200);
    });
}
