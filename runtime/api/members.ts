// Member alignment's routes: members (by hand), member systems (a connection and where its users come from), a
// refresh that reads a system's users and matches them on email, and links made by hand (docs/members.md).
import { OpenAPIHono } from '@hono/zod-openapi';
import { MEMBER_NAME_CONTROL_MESSAGE, type MemberSystem } from '../../shared/api/members';
import { hasControlCharacters } from '../../shared/util/control-characters';
import { MemberSourceError, readMemberUsers } from '../members/read-users';
import { StoreConflictError } from '../store/errors';
import type { StoredMemberSystem } from '../store/members';
import { audit } from './audit-log';
import type { ApiDeps } from './deps';
import { HttpError, notFound, usual, validationHook } from './errors';
import { access, serve, type AuthEnv } from './guard';
import * as routes from '../../shared/api/routes';

const TAGS = ['Members'];
const conflict = 'Conflict: the email or name is taken, or the member already has an id in that system';

const view = serve(routes.getMembers, { ...access('read'), tags: TAGS, summary: 'Members with their id in each system, the member systems, and the users no member matched', responses: { 200: 'Members' } });
const createMember = serve(routes.createMember, { ...access('design'), tags: TAGS, summary: 'Add a member by hand (name and email)', responses: { 201: 'Created', 400: usual[400], 409: conflict } });
const updateMember = serve(routes.updateMember, { ...access('design'), tags: TAGS, summary: "Change a member's name or email", responses: { 200: 'Saved', 400: usual[400], 404: usual[404], 409: conflict } });
const deleteMember = serve(routes.deleteMember, { ...access('design'), tags: TAGS, summary: 'Delete a member; its users in each system become unmatched', responses: { 204: 'Deleted', 404: usual[404] } });
const createSystem = serve(routes.createMemberSystem, { ...access('design'), tags: TAGS, summary: 'Add a member system: a name formulas use, a connection, and where its users come from', responses: { 201: 'Created', 400: usual[400], 409: conflict } });
const updateSystem = serve(routes.updateMemberSystem, { ...access('design'), tags: TAGS, summary: 'Change a member system', responses: { 200: 'Saved', 400: usual[400], 404: usual[404], 409: conflict } });
const deleteSystem = serve(routes.deleteMemberSystem, { ...access('design'), tags: TAGS, summary: 'Delete a member system and its users (members stay)', responses: { 204: 'Deleted', 404: usual[404] } });
const refresh = serve(routes.refreshMemberSystem, {
  ...access('design'),
  tags: TAGS,
  summary: "Read the system's users now and match them to members on email (trimmed, case-insensitive); links made by hand are kept",
  responses: { 200: 'What the refresh matched', 404: usual[404], 422: 'The users could not be read (the message says why; it is kept on the system)' },
});
const link = serve(routes.linkMemberAccount, { ...access('design'), tags: TAGS, summary: 'Link a user of the system to a member by hand, unlink it, or make a member of it', responses: { 200: 'The user as linked now', 400: usual[400], 404: usual[404], 409: conflict } });
const names = serve(routes.listMemberSystemNames, { ...access('read'), tags: TAGS, summary: 'The names MEMBER() accepts (for the formula editor)', responses: { 200: 'Names' } });

export function memberRoutes(deps: ApiDeps) {
  const { store } = deps;
  const members = store.members;

  async function served(s: StoredMemberSystem): Promise<MemberSystem> {
    const connection = await store.getConnection(s.connectionId);
    return { ...s, connectionName: connection?.name ?? '' };
  }

  const mustExist = async (id: string) => {
    const found = await members.getSystem(id);
    if (!found) throw notFound('Member system', id);
    return found;
  };
  const mustBeConnection = async (id: string) => {
    if (!(await store.getConnection(id))) throw new HttpError(400, 'invalid_request', `Invalid request: connectionId: No connection has the id "${id}"`, { issues: [{ path: 'connectionId', message: 'No such connection' }] });
  };
  const conflicts = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await work;
    } catch (err) {
      if (err instanceof StoreConflictError) throw new HttpError(err.field === 'memberId' && err.message.startsWith('No member') ? 400 : 409, 'conflict', err.message);
      throw err;
    }
  };

  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook })
    .openapi(view, async (c) => {
      const systems = await Promise.all((await members.listSystems()).map(served));
      return c.json({ systems, members: await members.listMembers(), unmatched: await members.listUnmatched() }, 200);
    })
    .openapi(names, async (c) => c.json((await members.listSystems()).map((s) => s.name), 200))
    .openapi(createMember, async (c) => {
      const made = await conflicts(members.createMember(c.req.valid('json')));
      await audit(c, store, 'members.member_saved', { type: 'member', id: made.id, name: made.name });
      return c.json(made, 201);
    })
    .openapi(updateMember, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const stored = await members.getMember(id);
      if (!stored) throw notFound('Member', id);
      if (body.name !== stored.name && hasControlCharacters(body.name)) {
        throw new HttpError(400, 'invalid_request', `Invalid request: name: ${MEMBER_NAME_CONTROL_MESSAGE}`, { issues: [{ path: 'name', message: MEMBER_NAME_CONTROL_MESSAGE }] });
      }
      const saved = await conflicts(members.updateMember(id, body));
      if (!saved) throw notFound('Member', id);
      await audit(c, store, 'members.member_saved', { type: 'member', id, name: saved.name });
      return c.json(saved, 200);
    })
    .openapi(deleteMember, async (c) => {
      const { id } = c.req.valid('param');
      if (!(await members.deleteMember(id))) throw notFound('Member', id);
      await audit(c, store, 'members.member_deleted', { type: 'member', id });
      return c.body(null, 204);
    })
    .openapi(createSystem, async (c) => {
      const input = c.req.valid('json');
      await mustBeConnection(input.connectionId);
      const made = await conflicts(members.createSystem(input));
      await audit(c, store, 'members.system_saved', { type: 'member_system', id: made.id, name: made.name });
      return c.json(await served(made), 201);
    })
    .openapi(updateSystem, async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      await mustExist(id);
      await mustBeConnection(input.connectionId);
      const saved = await conflicts(members.updateSystem(id, input));
      if (!saved) throw notFound('Member system', id);
      await audit(c, store, 'members.system_saved', { type: 'member_system', id, name: saved.name });
      return c.json(await served(saved), 200);
    })
    .openapi(deleteSystem, async (c) => {
      const { id } = c.req.valid('param');
      const found = await mustExist(id);
      await members.deleteSystem(id);
      await audit(c, store, 'members.system_deleted', { type: 'member_system', id, name: found.name });
      return c.body(null, 204);
    })
    .openapi(refresh, async (c) => {
      const { id } = c.req.valid('param');
      const system = await mustExist(id);
      let users;
      try {
        users = await readMemberUsers(deps.connections, system.connectionId, system.source);
      } catch (err) {
        const message = err instanceof MemberSourceError || (err instanceof Error && err.name === 'ConnectionServiceError') ? err.message : `The users could not be read: ${err instanceof Error ? err.message : String(err)}`;
        await members.setRefreshError(id, message);
        throw new HttpError(422, 'members_unreadable', message);
      }
      const outcome = await members.applyUsers(id, users);
      await audit(c, store, 'members.refreshed', { type: 'member_system', id, name: system.name }, { read: outcome.read, matched: outcome.matched, unmatched: outcome.unmatched });
      return c.json(outcome, 200);
    })
    .openapi(link, async (c) => {
      const { id } = c.req.valid('param');
      const system = await mustExist(id);
      const input = c.req.valid('json');
      const linked = await conflicts(members.linkAccount(id, input.externalId, input.createMember ? { createMember: true } : { memberId: input.memberId ?? null }));
      if (!linked) throw notFound(`User of ${system.name}`, input.externalId);
      await audit(c, store, 'members.account_linked', { type: 'member_system', id, name: system.name }, { externalId: input.externalId, memberId: linked.memberId });
      return c.json(linked, 200);
    });
}
