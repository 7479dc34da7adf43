// Integration sets as stored: the set (ordered member ids, abort on failure, the schedule a person saved), its runs
// (each member's run id or why it did not start), and its trigger tokens (hashes only, like integration_tokens).
// A member run's live status is read from the runs table, so the set's history never lags the integration's.
import { and, count, desc, eq, inArray, sql } from 'drizzle-orm';
import { RunStatus } from '../../shared/api/runs';
import { SetRunTrigger, type SetRun, type SetTokenInfo } from '../../shared/api/sets';
import type { Db } from './db';
import { newId } from './ids';
import { integrationSets, runs, setRuns, setTokens, type StoredSetRunMember, type StoredSetSchedule } from './schema';

export interface StoredSet {
  id: string;
  name: string;
  members: string[];
  abortOnFailure: boolean;
  schedule: StoredSetSchedule | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewSetRun {
  id?: string;
  setId: string;
  name: string;
  trigger: SetRunTrigger;
  startedBy: string | null;
  abortOnFailure: boolean;
  members: { integrationId: string; name: string }[];
}

export interface SetStore {
  createSet(input: { name: string; members: string[]; abortOnFailure: boolean }): Promise<StoredSet>;
  getSet(id: string): Promise<StoredSet | null>;
  listSets(): Promise<StoredSet[]>;
  updateSet(id: string, input: { name: string; members: string[]; abortOnFailure: boolean }): Promise<StoredSet | null>;
  deleteSet(id: string): Promise<boolean>;
  setSchedule(id: string, schedule: StoredSetSchedule | null): Promise<boolean>;
  /** Sets that name this integration among their members (a delete of the integration is refused while any does). */
  setsContaining(integrationId: string): Promise<StoredSet[]>;

  createSetRun(input: NewSetRun): Promise<SetRun>;
  getSetRun(id: string): Promise<SetRun | null>;
  listSetRuns(setId: string, opts?: { limit?: number; offset?: number }): Promise<{ items: SetRun[]; total: number }>;
  /** Whether any run of the set is queued or running (however many runs came after it). */
  hasSetRunInProgress(setId: string): Promise<boolean>;
  setSetRunWorkflow(id: string, workflowId: string): Promise<void>;
  /** queued → running (once). */
  markSetRunStarted(id: string): Promise<void>;
  /** Records member `position`'s run id, or why it could not start. */
  setSetRunMember(id: string, position: number, patch: { runId?: string | null; error?: string | null }): Promise<void>;
  finishSetRun(id: string, status: RunStatus, error: string | null): Promise<void>;

  createSetToken(input: { setId: string; name: string; tokenHash: string; prefix: string; createdBy: string | null }): Promise<SetTokenInfo>;
  /** The token by its hash, marked used now; null when unknown or revoked. */
  useSetToken(tokenHash: string): Promise<SetTokenInfo | null>;
  listSetTokens(setId: string): Promise<SetTokenInfo[]>;
  deleteSetToken(setId: string, id: string): Promise<SetTokenInfo | null>;
}

type SetRow = typeof integrationSets.$inferSelect;
type SetRunRow = typeof setRuns.$inferSelect;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

const toSet = (r: SetRow): StoredSet => ({
  id: r.id,
  name: r.name,
  members: r.members,
  abortOnFailure: r.abortOnFailure,
  schedule: r.schedule ?? null,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

const toToken = (r: typeof setTokens.$inferSelect): SetTokenInfo => ({
  id: r.id,
  setId: r.setId,
  name: r.name,
  prefix: r.prefix,
  createdBy: r.createdBy,
  createdAt: r.createdAt.toISOString(),
  lastUsedAt: iso(r.lastUsedAt),
});

/** The set runs with their members' live statuses, read from the runs table in one query. */
async function served(db: Db, rows: SetRunRow[]): Promise<SetRun[]> {
  const runIds = rows.flatMap((r) => r.members.map((m) => m.runId).filter((id): id is string => id !== null));
  const statuses = new Map<string, { status: string; error: string | null }>();
  if (runIds.length > 0) {
    for (const r of await db.select({ id: runs.id, status: runs.status, error: runs.error }).from(runs).where(inArray(runs.id, runIds))) {
      statuses.set(r.id, { status: r.status, error: r.error });
    }
  }
  return rows.map((r) => ({
    id: r.id,
    setId: r.setId,
    name: r.name,
    status: RunStatus.parse(r.status),
    trigger: SetRunTrigger.parse(r.trigger),
    startedBy: r.startedBy,
    abortOnFailure: r.abortOnFailure,
    members: r.members.map((m: StoredSetRunMember, position) => {
      const run = m.runId ? statuses.get(m.runId) : undefined;
      return {
        position,
        integrationId: m.integrationId,
        name: m.name,
        // A member run deleted with its integration since: the set run still says it ran, with no status to show.
        runId: run ? m.runId : null,
        status: run ? RunStatus.parse(run.status) : m.error ? 'failed' : null,
        error: m.error ?? run?.error ?? null,
      };
    }),
    createdAt: r.createdAt.toISOString(),
    startedAt: iso(r.startedAt),
    endedAt: iso(r.endedAt),
    error: r.error,
  }));
}

export function createSetStore(db: Db): SetStore {
  return {
    async createSet(input) {
      const [row] = await db.insert(integrationSets).values({ id: newId('set'), ...input }).returning();
      if (!row) throw new Error('inserting the set returned no row');
      return toSet(row);
    },
    async getSet(id) {
      const [row] = await db.select().from(integrationSets).where(eq(integrationSets.id, id));
      return row ? toSet(row) : null;
    },
    async listSets() {
      return (await db.select().from(integrationSets).orderBy(integrationSets.name, integrationSets.id)).map(toSet);
    },
    async updateSet(id, input) {
      const [row] = await db
        .update(integrationSets)
        .set({ ...input, updatedAt: new Date() })
        .where(eq(integrationSets.id, id))
        .returning();
      return row ? toSet(row) : null;
    },
    async deleteSet(id) {
      return (await db.delete(integrationSets).where(eq(integrationSets.id, id)).returning({ id: integrationSets.id })).length > 0;
    },
    async setSchedule(id, schedule) {
      return (await db.update(integrationSets).set({ schedule, updatedAt: new Date() }).where(eq(integrationSets.id, id)).returning({ id: integrationSets.id })).length > 0;
    },
    async setsContaining(integrationId) {
      const rows = await db
        .select()
        .from(integrationSets)
        .where(sql`${integrationSets.members} @> ${JSON.stringify([integrationId])}::jsonb`);
      return rows.map(toSet);
    },

    async createSetRun(input) {
      const id = input.id ?? newId('srn');
      await db
        .insert(setRuns)
        .values({
          id,
          setId: input.setId,
          name: input.name,
          status: 'queued',
          trigger: input.trigger,
          startedBy: input.startedBy,
          abortOnFailure: input.abortOnFailure,
          members: input.members.map((m) => ({ integrationId: m.integrationId, name: m.name, runId: null, error: null })),
        })
        .onConflictDoNothing();
      const run = await this.getSetRun(id);
      if (!run) throw new Error('inserting the set run returned no row');
      return run;
    },
    async getSetRun(id) {
      const [row] = await db.select().from(setRuns).where(eq(setRuns.id, id));
      return row ? ((await served(db, [row]))[0] ?? null) : null;
    },
    async listSetRuns(setId, opts = {}) {
      const rows = await db
        .select()
        .from(setRuns)
        .where(eq(setRuns.setId, setId))
        .orderBy(desc(setRuns.createdAt), desc(setRuns.id))
        .limit(opts.limit ?? 50)
        .offset(opts.offset ?? 0);
      const [total] = await db.select({ n: count() }).from(setRuns).where(eq(setRuns.setId, setId));
      return { items: await served(db, rows), total: total?.n ?? 0 };
    },
    async hasSetRunInProgress(setId) {
      const [row] = await db
        .select({ id: setRuns.id })
        .from(setRuns)
        .where(and(eq(setRuns.setId, setId), inArray(setRuns.status, ['queued', 'running'])))
        .limit(1);
      return row !== undefined;
    },
    async setSetRunWorkflow(id, workflowId) {
      await db.update(setRuns).set({ workflowId }).where(eq(setRuns.id, id));
    },
    async markSetRunStarted(id) {
      await db
        .update(setRuns)
        .set({ status: 'running', startedAt: new Date() })
        .where(and(eq(setRuns.id, id), eq(setRuns.status, 'queued')));
    },
    async setSetRunMember(id, position, patch) {
      await db.transaction(async (tx) => {
        const [row] = await tx.select({ members: setRuns.members }).from(setRuns).where(eq(setRuns.id, id)).for('update');
        if (!row) return;
        const members = row.members.map((m, i) => (i === position ? { ...m, ...patch } : m));
        await tx.update(setRuns).set({ members }).where(eq(setRuns.id, id));
      });
    },
    async finishSetRun(id, status, error) {
      await db.update(setRuns).set({ status, error, endedAt: new Date() }).where(eq(setRuns.id, id));
    },

    async createSetToken(input) {
      const [row] = await db.insert(setTokens).values({ id: newId('stk'), ...input }).returning();
      if (!row) throw new Error('inserting the token returned no row');
      return toToken(row);
    },
    async useSetToken(tokenHash) {
      const [row] = await db.update(setTokens).set({ lastUsedAt: new Date() }).where(eq(setTokens.tokenHash, tokenHash)).returning();
      return row ? toToken(row) : null;
    },
    async listSetTokens(setId) {
      return (await db.select().from(setTokens).where(eq(setTokens.setId, setId)).orderBy(desc(setTokens.createdAt), setTokens.id)).map(toToken);
    },
    async deleteSetToken(setId, id) {
      const [row] = await db
        .delete(setTokens)
        .where(and(eq(setTokens.setId, setId), eq(setTokens.id, id)))
        .returning();
      return row ? toToken(row) : null;
    },
  };
}
