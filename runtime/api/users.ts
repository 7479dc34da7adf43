// People and their roles (owner and admins): invite with a password or a link, change a role, sign someone out, remove.
import { OpenAPIHono } from '@hono/zod-openapi';
import { type User } from '../../shared';
import { DEFAULT_COST, hashPassword } from '../auth/passwords';
import { hashSecret, newSecret } from '../auth/secrets';
import { EmailTakenError, type StoredUser } from '../store/auth';
import { audit } from './audit-log';
import type { ApiDeps } from './deps';
import { HttpError, notFound, validationHook, usual } from './errors';
import { access, serve, principalOf, type AuthEnv, type Site } from './guard';
import * as routes from '../../shared/api/routes';

const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** What a client may see of a user: never the password hash. */
export const publicUser = ({ passwordHash: _hash, ...user }: StoredUser): User => user;

const list = serve(routes.listUsers, {
  ...access('admin'),
  tags: ['Users'],
  summary: 'Everyone with an account, the owner first',
  responses: { 200: 'Users' },
});

const invite = serve(routes.inviteUser, {
  ...access('admin'),
  tags: ['Users'],
  summary: 'Invite someone: with an initial password, or without one for an invitation link (shown once, valid 7 days)',
  responses: { 201: 'Invited', 400: usual[400], 409: 'The email has an account' },
});

const update = serve(routes.setUserRole, {
  ...access('admin'),
  tags: ['Users'],
  summary: "Change someone's role (the owner's cannot be changed); it applies to their next request",
  responses: { 200: 'Changed', 400: usual[400], 404: usual[404], 409: 'The owner' },
});

const remove = serve(routes.removeUser, {
  ...access('admin'),
  tags: ['Users'],
  summary: 'Remove someone: their sessions end at once (the owner cannot be removed)',
  responses: { 204: 'Removed', 404: usual[404], 409: 'The owner, or yourself' },
});

const signOutUser = serve(routes.signOutUser, {
  ...access('admin'),
  tags: ['Users'],
  summary: "End every session of someone (e.g. a lost laptop); only the owner may sign the owner out",
  responses: { 200: 'How many sessions ended', 403: 'The owner, asked by an admin', 404: usual[404] },
});

const reset = serve(routes.resetUser, {
  ...access('admin'),
  tags: ['Users'],
  summary: "For a forgotten password: clear someone's password, end their sessions and answer a new invitation link (shown once, valid 7 days)",
  responses: { 200: 'The link to pass on', 404: usual[404], 409: 'The owner, or yourself' },
});

export function userRoutes(deps: ApiDeps, site: Site) {
  const { store } = deps;
  const cost = deps.passwordCost ?? DEFAULT_COST;
  const existing = async (id: string) => {
    const user = await store.auth.getUser(id);
    if (!user) throw notFound('User', id);
    return user;
  };
  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook })
    .openapi(list, async (c) => c.json((await store.auth.listUsers()).map(publicUser), 200))
    .openapi(invite, async (c) => {
      const input = c.req.valid('json');
      const link = input.password === undefined ? newSecret() : null;
      let user: StoredUser;
      try {
        user = await store.auth.createUser({
          email: input.email,
          name: input.name,
          role: input.role,
          passwordHash: input.password === undefined ? null : await hashPassword(input.password, cost),
          inviteHash: link ? hashSecret(link) : null,
          inviteExpiresAt: link ? new Date(Date.now() + INVITE_TTL_MS) : null,
        });
      } catch (err) {
        if (err instanceof EmailTakenError) throw new HttpError(409, 'email_taken', err.message, { issues: [{ path: 'email', message: err.message }] });
        throw err;
      }
      await audit(c, store, 'user.invited', { type: 'user', id: user.id, name: user.email }, { role: user.role, with: link ? 'link' : 'password' });
      const inviteUrl = link ? `${site.publicUrl.origin}/#/invite/${link}` : null;
      return c.json({ user: publicUser(user), inviteUrl }, 201);
    })
    .openapi(update, async (c) => {
      const { id } = c.req.valid('param');
      const before = await existing(id);
      if (before.role === 'owner') throw new HttpError(409, 'owner', "The owner's role cannot be changed");
      const { role } = c.req.valid('json');
      const after = await store.auth.setRole(id, role);
      if (!after) throw notFound('User', id);
      if (before.role !== role) await audit(c, store, 'user.role_changed', { type: 'user', id, name: after.email }, { from: before.role, to: role });
      return c.json(publicUser(after), 200);
    })
    .openapi(remove, async (c) => {
      const { id } = c.req.valid('param');
      const user = await existing(id);
      if (user.role === 'owner') throw new HttpError(409, 'owner', 'The owner cannot be removed');
      if (principalOf(c).actorId === id) throw new HttpError(409, 'yourself', 'You cannot remove yourself; ask another admin');
      await store.auth.deleteUser(id);
      await audit(c, store, 'user.removed', { type: 'user', id, name: user.email }, { role: user.role });
      return c.body(null, 204);
    })
    .openapi(reset, async (c) => {
      const { id } = c.req.valid('param');
      const user = await existing(id);
      if (user.role === 'owner') throw new HttpError(409, 'owner', "The owner's password can only be changed by the owner");
      if (principalOf(c).actorId === id) throw new HttpError(409, 'yourself', 'Change your own password from the user menu instead');
      const link = newSecret();
      if (!(await store.auth.resetToInvite(id, hashSecret(link), new Date(Date.now() + INVITE_TTL_MS)))) throw notFound('User', id);
      await audit(c, store, 'user.password_reset', { type: 'user', id, name: user.email });
      return c.json({ inviteUrl: `${site.publicUrl.origin}/#/invite/${link}` }, 200);
    })
    .openapi(signOutUser, async (c) => {
      const { id } = c.req.valid('param');
      const user = await existing(id);
      // As with removing, demoting and resetting: an admin does not act on the owner's account (the owner may end
      // their own sessions, here or with "sign out everywhere").
      if (user.role === 'owner' && principalOf(c).actorId !== id) throw new HttpError(403, 'owner', 'Only the owner can sign the owner out; an admin cannot end the owner’s sessions');
      const sessions = await store.auth.deleteSessionsOf(id);
      await audit(c, store, 'user.signed_out', { type: 'user', id, name: user.email }, { sessions });
      return c.json({ sessions }, 200);
    });
}
