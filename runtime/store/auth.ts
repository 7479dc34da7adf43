// People, sessions, API tokens and the audit log. Only hashes of passwords, session ids, invitations and
// tokens are kept; the caller (runtime/auth) makes and checks them.
import { and, desc, eq, gt, gte, lt, lte, ne, sql, type SQL } from 'drizzle-orm';
import type { ApiTokenInfo, AuditAction, AuditEntry, Role, User } from '../../shared';
import type { Db } from './db';
import { isUniqueViolation } from './errors';
import { newId } from './ids';
import { apiTokens, auditLog, sessions, users } from './schema';
import { builtOnce, UNNAMED } from './built-once';

type UserRow = typeof users.$inferSelect;

/** A user with what sign-in needs; never sent to a client as is. */
export interface StoredUser extends User {
  passwordHash: string | null;
}

export interface NewAuditEntry {
  actor: string;
  actorId?: string | null;
  action: AuditAction;
  targetType?: string | null;
  targetId?: string | null;
  targetName?: string | null;
  detail?: Record<string, unknown>;
  ip?: string | null;
}

export interface AuditFilter {
  actor?: string;
  action?: AuditAction;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

export class EmailTakenError extends Error {
  override readonly name = 'EmailTakenError';
}

export interface AuthStore {
  countUsers(): Promise<number>;
  /** Creates the owner only while no user exists; null when one already does (a second first visit lost the race). */
  createOwner(input: { email: string; name: string; passwordHash: string }): Promise<StoredUser | null>;
  /** Throws EmailTakenError when the email is in use. */
  createUser(input: { email: string; name: string; role: Role; passwordHash: string | null; inviteHash: string | null; inviteExpiresAt: Date | null }): Promise<StoredUser>;
  getUser(id: string): Promise<StoredUser | null>;
  getUserByEmail(email: string): Promise<StoredUser | null>;
  /** The invited user whose invitation is still valid. */
  getUserByInvite(inviteHash: string): Promise<StoredUser | null>;
  listUsers(): Promise<StoredUser[]>;
  setRole(id: string, role: Role): Promise<StoredUser | null>;
  /** Sets the password and clears any invitation. */
  setPassword(id: string, passwordHash: string, name?: string): Promise<void>;
  recordSignIn(id: string): Promise<void>;
  /** Clears the password of a non-owner and sets a new invitation; their sessions end. False for the owner or an unknown id. */
  resetToInvite(id: string, inviteHash: string, inviteExpiresAt: Date): Promise<boolean>;
  deleteUser(id: string): Promise<boolean>;

  createSession(input: { idHash: string; userId: string; expiresAt: Date; userAgent: string | null }): Promise<void>;
  /** The live session and its user; refreshes last-seen and pushes the expiry out to `extendTo` when given. */
  getSession(idHash: string, now: Date): Promise<{ user: StoredUser; expiresAt: Date } | null>;
  extendSession(idHash: string, expiresAt: Date): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  /** Every session of the user; returns how many. */
  deleteSessionsOf(userId: string): Promise<number>;

  createToken(input: { name: string; role: Role; tokenHash: string; prefix: string; createdBy: string | null }): Promise<ApiTokenInfo>;
  /** The token by its hash; marks it used. */
  useToken(tokenHash: string): Promise<ApiTokenInfo | null>;
  listTokens(): Promise<ApiTokenInfo[]>;
  deleteToken(id: string): Promise<ApiTokenInfo | null>;

  addAudit(entry: NewAuditEntry): Promise<void>;
  listAudit(filter: AuditFilter): Promise<{ items: AuditEntry[]; total: number }>;
}

// Every API request with a token and every audited action (issue 16: built once, see built-once.ts).
const useTokenStatement = builtOnce((db) =>
  db
    .update(apiTokens)
    .set({ lastUsedAt: sql.placeholder('now') as unknown as Date })
    .where(eq(apiTokens.tokenHash, sql.placeholder('tokenHash')))
    .returning()
    .prepare(UNNAMED),
);
const addAuditStatement = builtOnce((db) =>
  db
    .insert(auditLog)
    .values({
      actor: sql.placeholder('actor'),
      actorId: sql.placeholder('actorId'),
      action: sql.placeholder('action'),
      targetType: sql.placeholder('targetType'),
      targetId: sql.placeholder('targetId'),
      targetName: sql.placeholder('targetName'),
      detail: sql.placeholder('detail'),
      ip: sql.placeholder('ip'),
    })
    .prepare(UNNAMED),
);

const toUser = (r: UserRow): StoredUser => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  active: r.passwordHash !== null,
  createdAt: r.createdAt.toISOString(),
  lastSignInAt: r.lastSignInAt?.toISOString() ?? null,
  passwordHash: r.passwordHash,
});

const toToken = (r: typeof apiTokens.$inferSelect): ApiTokenInfo => ({
  id: r.id,
  name: r.name,
  role: r.role,
  prefix: r.prefix,
  createdBy: r.createdBy,
  createdAt: r.createdAt.toISOString(),
  lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
});

const toAudit = (r: typeof auditLog.$inferSelect): AuditEntry => ({
  id: String(r.id),
  at: r.at.toISOString(),
  actor: r.actor,
  actorId: r.actorId,
  action: r.action as AuditAction,
  targetType: r.targetType,
  targetId: r.targetId,
  targetName: r.targetName,
  detail: r.detail,
  ip: r.ip,
});

export function createAuthStore(db: Db): AuthStore {
  return {
    async countUsers() {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
      return row?.n ?? 0;
    },
    async createOwner({ email, name, passwordHash }) {
      // The partial unique index users_one_owner settles a race between two first visits.
      const [existing] = await db.select({ id: users.id }).from(users).limit(1);
      if (existing) return null;
      try {
        const [row] = await db.insert(users).values({ id: newId('usr'), email, name, role: 'owner', passwordHash }).returning();
        return row ? toUser(row) : null;
      } catch (err) {
        if (isUniqueViolation(err)) return null;
        throw err;
      }
    },
    async createUser(input) {
      try {
        const [row] = await db.insert(users).values({ id: newId('usr'), ...input }).returning();
        if (!row) throw new Error('inserting the user returned no row');
        return toUser(row);
      } catch (err) {
        if (isUniqueViolation(err)) throw new EmailTakenError(`${input.email} already has an account`);
        throw err;
      }
    },
    async getUser(id) {
      const [row] = await db.select().from(users).where(eq(users.id, id));
      return row ? toUser(row) : null;
    },
    async getUserByEmail(email) {
      const [row] = await db.select().from(users).where(eq(users.email, email));
      return row ? toUser(row) : null;
    },
    async getUserByInvite(inviteHash) {
      const [row] = await db
        .select()
        .from(users)
        .where(and(eq(users.inviteHash, inviteHash), gt(users.inviteExpiresAt, new Date())));
      return row ? toUser(row) : null;
    },
    async listUsers() {
      const rows = await db.select().from(users).orderBy(sql`CASE ${users.role} WHEN 'owner' THEN 0 ELSE 1 END`, users.email);
      return rows.map(toUser);
    },
    async setRole(id, role) {
      const [row] = await db
        .update(users)
        .set({ role, updatedAt: new Date() })
        .where(and(eq(users.id, id), ne(users.role, 'owner')))
        .returning();
      return row ? toUser(row) : null;
    },
    async setPassword(id, passwordHash, name) {
      await db
        .update(users)
        .set({ passwordHash, inviteHash: null, inviteExpiresAt: null, updatedAt: new Date(), ...(name ? { name } : {}) })
        .where(eq(users.id, id));
    },
    async recordSignIn(id) {
      await db.update(users).set({ lastSignInAt: new Date() }).where(eq(users.id, id));
    },
    async resetToInvite(id, inviteHash, inviteExpiresAt) {
      return db.transaction(async (tx) => {
        const rows = await tx
          .update(users)
          .set({ passwordHash: null, inviteHash, inviteExpiresAt, updatedAt: new Date() })
          .where(and(eq(users.id, id), ne(users.role, 'owner')))
          .returning({ id: users.id });
        if (rows.length === 0) return false;
        await tx.delete(sessions).where(eq(sessions.userId, id));
        return true;
      });
    },
    async deleteUser(id) {
      const rows = await db
        .delete(users)
        .where(and(eq(users.id, id), ne(users.role, 'owner')))
        .returning({ id: users.id });
      return rows.length > 0;
    },

    async createSession(input) {
      await db.insert(sessions).values(input);
    },
    async getSession(idHash, now) {
      const [row] = await db
        .select({ user: users, expiresAt: sessions.expiresAt })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(and(eq(sessions.idHash, idHash), gt(sessions.expiresAt, now)));
      return row ? { user: toUser(row.user), expiresAt: row.expiresAt } : null;
    },
    async extendSession(idHash, expiresAt) {
      await db.update(sessions).set({ expiresAt, lastSeenAt: new Date() }).where(eq(sessions.idHash, idHash));
    },
    async deleteSession(idHash) {
      await db.delete(sessions).where(eq(sessions.idHash, idHash));
    },
    async deleteSessionsOf(userId) {
      const rows = await db.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.idHash });
      return rows.length;
    },

    async createToken(input) {
      const [row] = await db.insert(apiTokens).values({ id: newId('tok'), ...input }).returning();
      if (!row) throw new Error('inserting the token returned no row');
      return toToken(row);
    },
    async useToken(tokenHash) {
      const [row] = await useTokenStatement(db).execute({ now: new Date(), tokenHash });
      return row ? toToken(row) : null;
    },
    async listTokens() {
      return (await db.select().from(apiTokens).orderBy(desc(apiTokens.createdAt))).map(toToken);
    },
    async deleteToken(id) {
      const [row] = await db.delete(apiTokens).where(eq(apiTokens.id, id)).returning();
      return row ? toToken(row) : null;
    },

    async addAudit(entry) {
      await addAuditStatement(db).execute({
        actor: entry.actor,
        actorId: entry.actorId ?? null,
        action: entry.action,
        targetType: entry.targetType ?? null,
        targetId: entry.targetId ?? null,
        targetName: entry.targetName ?? null,
        // Never null (a null would be filled in as the JSON null, not SQL's): the column is NOT NULL.
        detail: entry.detail ?? {},
        ip: entry.ip ?? null,
      });
    },
    async listAudit(filter) {
      const where: SQL[] = [];
      if (filter.actor) where.push(sql`position(lower(${filter.actor}) in lower(${auditLog.actor})) > 0`);
      if (filter.action) where.push(eq(auditLog.action, filter.action));
      if (filter.from) where.push(gte(auditLog.at, new Date(filter.from)));
      if (filter.to) where.push(lte(auditLog.at, new Date(filter.to)));
      const cond = where.length > 0 ? and(...where) : undefined;
      const [rows, [count]] = await Promise.all([
        db.select().from(auditLog).where(cond).orderBy(desc(auditLog.at), desc(auditLog.id)).limit(filter.limit).offset(filter.offset),
        db.select({ n: sql<number>`count(*)::int` }).from(auditLog).where(cond),
      ]);
      return { items: rows.map(toAudit), total: count?.n ?? 0 };
    },
  };
}

/** Sessions that ended before `before` are removed; for a periodic sweep. */
export async function deleteExpiredSessions(db: Db, before: Date): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, before));
}
