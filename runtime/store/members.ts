// Member alignment as stored: Weft's members, the systems aligned with them and each system's users (accounts) with
// the member each is linked to. A refresh replaces one system's accounts in one transaction (alignUsers decides).
import { and, asc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Member, MemberAccount, MemberInput, MemberSource, MemberSystemInput, RefreshOutcome } from '../../shared/api/members';
import { alignUsers, NEW_MEMBER, type ListedUser, type PriorAccount } from '../../shared/members/align';
import { emailKey } from '../../shared/members/email';
import type { Db } from './db';
import { isUniqueViolation, StoreConflictError } from './errors';
import { newId } from './ids';
import { memberAccounts, members, memberSystems } from './schema';

export interface StoredMemberSystem {
  id: string;
  name: string;
  connectionId: string;
  source: MemberSource;
  refreshedAt: string | null;
  refreshError: string | null;
  accounts: number;
  unmatched: number;
}

/** What a run loads once: each named system's accounts (id → member) and every linked member's email. */
export interface MemberSnapshotRows {
  accounts: { system: string; externalId: string; memberId: string }[];
  members: { id: string; email: string | null; name: string }[];
  /** More accounts than the limit: the snapshot is refused whole rather than cut. */
  tooMany: boolean;
}

export interface MemberStore {
  listSystems(): Promise<StoredMemberSystem[]>;
  getSystem(id: string): Promise<StoredMemberSystem | null>;
  createSystem(input: MemberSystemInput): Promise<StoredMemberSystem>;
  updateSystem(id: string, input: MemberSystemInput): Promise<StoredMemberSystem | null>;
  deleteSystem(id: string): Promise<boolean>;
  setRefreshError(id: string, error: string): Promise<void>;
  /** Replaces the system's accounts with this user list, matched on email; manual links are kept. */
  applyUsers(systemId: string, users: readonly ListedUser[]): Promise<RefreshOutcome>;

  listMembers(): Promise<Member[]>;
  getMember(id: string): Promise<Member | null>;
  createMember(input: MemberInput): Promise<Member>;
  updateMember(id: string, input: MemberInput): Promise<Member | null>;
  deleteMember(id: string): Promise<boolean>;
  listUnmatched(limit?: number): Promise<MemberAccount[]>;
  /** Links (or unlinks: null) one account by hand; `createMember` makes a member of the account first. Null: no such account. */
  linkAccount(systemId: string, externalId: string, link: { memberId: string | null } | { createMember: true }): Promise<MemberAccount | null>;
  /** The accounts of these systems, at most `limit` (tooMany past it), and the members they link to. */
  snapshot(systems: readonly string[], limit: number): Promise<MemberSnapshotRows>;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const CHUNK = 1000;

function conflict(err: unknown, entity: 'member' | 'member-system', field: string, message: string): never {
  if (isUniqueViolation(err)) throw new StoreConflictError(entity, field, message);
  throw err;
}

function keyOf(email: string | null): string | null {
  if (email === null || email.trim() === '') return null;
  const k = emailKey(email);
  if ('problem' in k) throw new StoreConflictError('member', 'email', `The email ${k.problem.startsWith('"') ? k.problem : `has a problem: ${k.problem}`}`);
  return k.key;
}

export function createMemberStore(db: Db): MemberStore {
  async function systemRows(where?: ReturnType<typeof eq>): Promise<StoredMemberSystem[]> {
    const rows = await db
      .select({
        s: memberSystems,
        accounts: sql<number>`(SELECT count(*) FROM member_accounts a WHERE a.system_id = ${memberSystems.id})`.mapWith(Number),
        unmatched: sql<number>`(SELECT count(*) FROM member_accounts a WHERE a.system_id = ${memberSystems.id} AND a.member_id IS NULL)`.mapWith(Number),
      })
      .from(memberSystems)
      .where(where)
      .orderBy(asc(memberSystems.name));
    return rows.map(({ s, accounts, unmatched }) => ({
      id: s.id,
      name: s.name,
      connectionId: s.connectionId,
      source: s.source,
      refreshedAt: iso(s.refreshedAt),
      refreshError: s.refreshError,
      accounts,
      unmatched,
    }));
  }

  async function memberById(id: string): Promise<Member | null> {
    return (await listMembersWhere(eq(members.id, id)))[0] ?? null;
  }

  async function listMembersWhere(where?: ReturnType<typeof eq>): Promise<Member[]> {
    const rows = await db.select().from(members).where(where).orderBy(asc(members.name), asc(members.id));
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const accounts = await db
      .select({ memberId: memberAccounts.memberId, systemId: memberAccounts.systemId, system: memberSystems.name, externalId: memberAccounts.externalId, matchedBy: memberAccounts.matchedBy })
      .from(memberAccounts)
      .innerJoin(memberSystems, eq(memberSystems.id, memberAccounts.systemId))
      .where(where ? inArray(memberAccounts.memberId, ids) : isNotNull(memberAccounts.memberId))
      .orderBy(asc(memberSystems.name));
    const by = new Map<string, Member['accounts']>();
    for (const a of accounts) {
      if (!a.memberId) continue;
      const list = by.get(a.memberId) ?? [];
      list.push({ systemId: a.systemId, system: a.system, externalId: a.externalId, matchedBy: a.matchedBy ?? 'email' });
      by.set(a.memberId, list);
    }
    return rows.map((r) => ({ id: r.id, name: r.name, email: r.email, accounts: by.get(r.id) ?? [], createdAt: r.createdAt.toISOString() }));
  }

  async function accountView(systemId: string, externalId: string): Promise<MemberAccount | null> {
    const [r] = await db
      .select({ a: memberAccounts, system: memberSystems.name })
      .from(memberAccounts)
      .innerJoin(memberSystems, eq(memberSystems.id, memberAccounts.systemId))
      .where(and(eq(memberAccounts.systemId, systemId), eq(memberAccounts.externalId, externalId)));
    return r ? toAccount(r.a, r.system) : null;
  }

  const toAccount = (a: typeof memberAccounts.$inferSelect, system: string): MemberAccount => ({
    systemId: a.systemId,
    system,
    externalId: a.externalId,
    email: a.email,
    name: a.name,
    memberId: a.memberId,
    matchedBy: a.matchedBy,
    problem: a.problem,
  });

  return {
    listSystems: () => systemRows(),
    getSystem: async (id) => (await systemRows(eq(memberSystems.id, id)))[0] ?? null,
    async createSystem(input) {
      const id = newId('msy');
      try {
        await db.insert(memberSystems).values({ id, name: input.name, connectionId: input.connectionId, source: input.source });
      } catch (err) {
        conflict(err, 'member-system', 'name', `A member system is already named "${input.name}"`);
      }
      return (await systemRows(eq(memberSystems.id, id)))[0] as StoredMemberSystem;
    },
    async updateSystem(id, input) {
      try {
        const done = await db.update(memberSystems).set({ name: input.name, connectionId: input.connectionId, source: input.source }).where(eq(memberSystems.id, id)).returning({ id: memberSystems.id });
        if (done.length === 0) return null;
      } catch (err) {
        conflict(err, 'member-system', 'name', `A member system is already named "${input.name}"`);
      }
      return (await systemRows(eq(memberSystems.id, id)))[0] ?? null;
    },
    async deleteSystem(id) {
      return (await db.delete(memberSystems).where(eq(memberSystems.id, id)).returning({ id: memberSystems.id })).length > 0;
    },
    async setRefreshError(id, error) {
      await db.update(memberSystems).set({ refreshError: error.slice(0, 2000) }).where(eq(memberSystems.id, id));
    },

    async applyUsers(systemId, users) {
      return db.transaction(async (tx) => {
        const [system] = await tx.select().from(memberSystems).where(eq(memberSystems.id, systemId)).for('update');
        if (!system) throw new StoreConflictError('member-system', 'id', `No member system has the id "${systemId}"`);
        const keyed = await tx.select({ id: members.id, key: members.emailKey }).from(members);
        const byKey = new Map<string, string>();
        const ids = new Set<string>();
        for (const m of keyed) {
          ids.add(m.id);
          if (m.key) byKey.set(m.key, m.id);
        }
        const prior = new Map<string, PriorAccount>();
        for (const a of await tx.select().from(memberAccounts).where(eq(memberAccounts.systemId, systemId))) prior.set(a.externalId, { memberId: a.memberId, matchedBy: a.matchedBy });
        const aligned = alignUsers(system.name, users, byKey, prior, (id) => ids.has(id));

        const created = new Map<string, string>();
        const fresh = [...aligned.newMembers.entries()];
        for (let i = 0; i < fresh.length; i += CHUNK) {
          const values = fresh.slice(i, i + CHUNK).map(([key, m]) => ({ id: newId('mem'), name: m.name, email: m.email, emailKey: key }));
          const rows = await tx.insert(members).values(values).onConflictDoNothing({ target: members.emailKey }).returning({ id: members.id, key: members.emailKey });
          for (const r of rows) if (r.key) created.set(r.key, r.id);
        }
        await tx.delete(memberAccounts).where(eq(memberAccounts.systemId, systemId));
        const values = aligned.accounts.map((a) => ({
          systemId,
          externalId: a.externalId,
          email: a.email,
          name: a.name,
          memberId: a.memberId?.startsWith(NEW_MEMBER) ? (created.get(a.memberId.slice(NEW_MEMBER.length)) ?? null) : a.memberId,
          matchedBy: a.matchedBy,
          problem: a.problem,
        }));
        for (let i = 0; i < values.length; i += CHUNK) await tx.insert(memberAccounts).values(values.slice(i, i + CHUNK));
        await tx.update(memberSystems).set({ refreshedAt: new Date(), refreshError: null }).where(eq(memberSystems.id, systemId));
        return {
          system: system.name,
          read: aligned.accounts.length + aligned.skipped.length,
          matched: aligned.matched,
          created: created.size,
          unmatched: aligned.accounts.filter((a) => a.memberId === null).length,
          skipped: aligned.skipped.slice(0, 100),
        };
      });
    },

    listMembers: () => listMembersWhere(),
    getMember: (id) => memberById(id),
    async createMember(input) {
      const id = newId('mem');
      const key = keyOf(input.email);
      try {
        await db.insert(members).values({ id, name: input.name, email: input.email && input.email.trim() !== '' ? input.email.trim() : null, emailKey: key });
      } catch (err) {
        conflict(err, 'member', 'email', `A member already has the email ${input.email}`);
      }
      return (await memberById(id)) as Member;
    },
    async updateMember(id, input) {
      const key = keyOf(input.email);
      try {
        const done = await db
          .update(members)
          .set({ name: input.name, email: input.email && input.email.trim() !== '' ? input.email.trim() : null, emailKey: key, updatedAt: new Date() })
          .where(eq(members.id, id))
          .returning({ id: members.id });
        if (done.length === 0) return null;
      } catch (err) {
        conflict(err, 'member', 'email', `A member already has the email ${input.email}`);
      }
      return memberById(id);
    },
    async deleteMember(id) {
      return db.transaction(async (tx) => {
        await tx.update(memberAccounts).set({ memberId: null, matchedBy: null, problem: 'its member was deleted' }).where(eq(memberAccounts.memberId, id));
        return (await tx.delete(members).where(eq(members.id, id)).returning({ id: members.id })).length > 0;
      });
    },
    async listUnmatched(limit = 500) {
      const rows = await db
        .select({ a: memberAccounts, system: memberSystems.name })
        .from(memberAccounts)
        .innerJoin(memberSystems, eq(memberSystems.id, memberAccounts.systemId))
        .where(isNull(memberAccounts.memberId))
        .orderBy(asc(memberSystems.name), asc(memberAccounts.externalId))
        .limit(limit);
      return rows.map((r) => toAccount(r.a, r.system));
    },
    async linkAccount(systemId, externalId, link) {
      const current = await accountView(systemId, externalId);
      if (!current) return null;
      let memberId: string | null;
      if ('createMember' in link) {
        const made = await this.createMember({ name: current.name ?? current.email ?? current.externalId, email: current.email });
        memberId = made.id;
      } else memberId = link.memberId;
      if (memberId !== null && !(await memberById(memberId))) throw new StoreConflictError('member', 'memberId', `No member has the id "${memberId}"`);
      try {
        await db
          .update(memberAccounts)
          .set({ memberId, matchedBy: memberId === null ? null : 'manual', problem: memberId === null ? 'unlinked by hand' : null })
          .where(and(eq(memberAccounts.systemId, systemId), eq(memberAccounts.externalId, externalId)));
      } catch (err) {
        conflict(err, 'member', 'memberId', `That member already has an id in ${current.system}: unlink it there first`);
      }
      return accountView(systemId, externalId);
    },

    async snapshot(systems, limit) {
      if (systems.length === 0) return { accounts: [], members: [], tooMany: false };
      const rows = await db
        .select({ system: memberSystems.name, externalId: memberAccounts.externalId, memberId: memberAccounts.memberId })
        .from(memberAccounts)
        .innerJoin(memberSystems, eq(memberSystems.id, memberAccounts.systemId))
        .where(and(inArray(memberSystems.name, [...systems]), isNotNull(memberAccounts.memberId)))
        .limit(limit + 1);
      if (rows.length > limit) return { accounts: [], members: [], tooMany: true };
      const accounts = rows.map((r) => ({ system: r.system, externalId: r.externalId, memberId: r.memberId as string }));
      const ids = [...new Set(accounts.map((a) => a.memberId))];
      const people: MemberSnapshotRows['members'] = [];
      for (let i = 0; i < ids.length; i += CHUNK) people.push(...(await db.select({ id: members.id, email: members.email, name: members.name }).from(members).where(inArray(members.id, ids.slice(i, i + CHUNK)))));
      return { accounts, members: people, tooMany: false };
    },
  };
}
