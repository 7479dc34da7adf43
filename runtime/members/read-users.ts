// Reads one member system's user list through the connection service: the connector's listMembers, or the table a
// person named (id, email and name columns). Bounded: past MAX_MEMBER_USERS the refresh is refused, not cut.
import type { MemberSource } from '../../shared/api/members';
import type { ListedUser } from '../../shared/members/align';
import { ConnectorError, type SessionOpener } from '../connections/sessions';

/** At most this many users per system: a directory of people, not a data set (docs/members.md). */
export const MAX_MEMBER_USERS = 100_000;

export class MemberSourceError extends Error {
  override readonly name = 'MemberSourceError';
}

export async function readMemberUsers(sessions: SessionOpener, connectionId: string, source: MemberSource, limit = MAX_MEMBER_USERS): Promise<ListedUser[]> {
  const session = await sessions.open(connectionId);
  const users: ListedUser[] = [];
  const push = (u: ListedUser) => {
    if (users.length >= limit) throw new MemberSourceError(`The system lists more than ${limit.toLocaleString('en-US')} users; member alignment holds at most that many per system`);
    users.push(u);
  };
  try {
    if (source.type === 'connector') {
      if (!session.listMembers) throw new MemberSourceError('This connection does not list its users: choose a table with the people, and its id, email and name columns');
      for await (const u of session.listMembers(session)) push({ id: u.id, email: u.email, name: u.name });
    } else {
      for await (const batch of session.read(source.table, { batchSize: 5000 })) {
        for (const row of batch.rows) {
          if (users.length === 0 && !Object.hasOwn(row, source.idColumn)) throw new MemberSourceError(`The table ${source.table} has no column "${source.idColumn}"`);
          if (users.length === 0 && !Object.hasOwn(row, source.emailColumn)) throw new MemberSourceError(`The table ${source.table} has no column "${source.emailColumn}"`);
          push({ id: row[source.idColumn], email: row[source.emailColumn], name: source.nameColumn ? row[source.nameColumn] : null });
        }
      }
    }
  } catch (err) {
    if (err instanceof ConnectorError) throw new MemberSourceError(err.message);
    throw err;
  } finally {
    await session.close().catch(() => undefined);
  }
  return users;
}
