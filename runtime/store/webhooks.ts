// Inbound webhooks as stored: each integration's endpoint (hook id, auth, sealed secret), the queue of requests
// received (a request is appended in one short transaction, then belongs to the run that drained it until that run
// completes), and the signatures seen in the replay window. The queue is what makes a 202 a promise: nothing the
// API accepted is kept only in memory.
import { and, asc, count, eq, gt, inArray, isNull, lt, min, sql } from 'drizzle-orm';
import type { Db } from './db';
import { createRun } from './runs';
import { runs, webhookEndpoints, webhookReplays, webhookRequests } from './schema';
import type { NewRun } from './types';

export type WebhookAuth = 'signature' | 'token';

export interface StoredWebhookEndpoint {
  integrationId: string;
  hookId: string;
  auth: WebhookAuth;
  /** Sealed (runtime/secrets); only the connection service opens it. */
  secret: string;
  secretPrefix: string;
  createdAt: string;
  rotatedAt: string;
}

export interface WebhookQueueDepth {
  /** Requests received and not yet drained by a run. */
  waiting: number;
  waitingRecords: number;
  oldestWaitingAt: string | null;
  /** Requests drained by runs that have not completed (running, or failed and resumable). */
  inRuns: number;
}

export interface QueuedRequest {
  seq: number;
  body: string;
  records: number;
}

export interface WebhookStore {
  getEndpoint(integrationId: string): Promise<StoredWebhookEndpoint | null>;
  findEndpoint(hookId: string): Promise<StoredWebhookEndpoint | null>;
  /** Creates the endpoint, or gives it a new secret (and auth); the hook id, so the URL, never changes. */
  saveEndpoint(input: { integrationId: string; hookId: string; auth: WebhookAuth; secret: string; secretPrefix: string }): Promise<StoredWebhookEndpoint>;
  setAuth(integrationId: string, auth: WebhookAuth): Promise<StoredWebhookEndpoint | null>;
  /**
   * Appends one request to the integration's queue. With a `replayKey` (a digest of the signature), a key seen before
   * in the window refuses the request: 'replayed', nothing stored.
   */
  enqueue(input: { integrationId: string; body: string; records: number; replayKey?: string }): Promise<{ seq: number } | 'replayed'>;
  queueDepth(integrationId: string): Promise<WebhookQueueDepth>;
  /**
   * Records run `run.id` (trigger webhook) over the oldest waiting requests, at most `maxRequests`, in one transaction;
   * null when none wait. The same run id again returns the run already made (a retried activity).
   */
  claimRun(run: Omit<NewRun, 'trigger' | 'webhookRequests' | 'id'> & { id: string }, maxRequests: number): Promise<{ runId: string; requests: number } | null>;
  /** A run's requests after `afterSeq`, in order. */
  readRunRequests(runId: string, afterSeq: number, limit: number): Promise<QueuedRequest[]>;
  /** A run that completed has written what it drained: its requests leave the queue. */
  releaseCompleted(runId: string): Promise<number>;
  /** Integrations with requests waiting since before `before` (the sweep kicks their drain again). */
  integrationsWaiting(before: Date): Promise<string[]>;
  pruneReplays(before: Date): Promise<number>;
}

type EndpointRow = typeof webhookEndpoints.$inferSelect;

const toEndpoint = (r: EndpointRow): StoredWebhookEndpoint => ({
  integrationId: r.integrationId,
  hookId: r.hookId,
  auth: r.auth === 'token' ? 'token' : 'signature',
  secret: r.secret,
  secretPrefix: r.secretPrefix,
  createdAt: r.createdAt.toISOString(),
  rotatedAt: r.rotatedAt.toISOString(),
});

/** Completed runs have written their requests (rejected records are in the inbox with their values). */
const DONE = ['completed', 'completed_with_errors'];

export function createWebhookStore(db: Db): WebhookStore {
  return {
    async getEndpoint(integrationId) {
      const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.integrationId, integrationId));
      return row ? toEndpoint(row) : null;
    },
    async findEndpoint(hookId) {
      const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.hookId, hookId));
      return row ? toEndpoint(row) : null;
    },
    async saveEndpoint(input) {
      const [row] = await db
        .insert(webhookEndpoints)
        .values(input)
        .onConflictDoUpdate({ target: webhookEndpoints.integrationId, set: { secret: input.secret, secretPrefix: input.secretPrefix, auth: input.auth, rotatedAt: sql`now()` } })
        .returning();
      return toEndpoint(row!);
    },
    async setAuth(integrationId, auth) {
      const [row] = await db.update(webhookEndpoints).set({ auth }).where(eq(webhookEndpoints.integrationId, integrationId)).returning();
      return row ? toEndpoint(row) : null;
    },
    async enqueue({ integrationId, body, records, replayKey }) {
      if (replayKey === undefined) {
        const [row] = await db.insert(webhookRequests).values({ integrationId, body, records }).returning({ seq: webhookRequests.seq });
        return { seq: row!.seq };
      }
      // One statement, so one round trip: the digest is recorded and the request appended together, or neither (a
      // digest seen before). A burst of signed requests is bounded by the store's statements per second.
      const result: unknown = await db.execute(sql`
        WITH seen AS (
          INSERT INTO ${webhookReplays} (integration_id, digest) VALUES (${integrationId}, ${replayKey})
          ON CONFLICT DO NOTHING RETURNING digest
        )
        INSERT INTO ${webhookRequests} (integration_id, body, records)
        SELECT ${integrationId}, ${body}, ${records} WHERE EXISTS (SELECT 1 FROM seen)
        RETURNING seq`);
      // node-postgres and PGlite both answer with `{ rows }`; bigserial comes back as text from node-postgres.
      const [row] = (result as { rows: { seq: number | string }[] }).rows;
      return row ? { seq: Number(row.seq) } : 'replayed';
    },
    async queueDepth(integrationId) {
      const [waiting] = await db
        .select({ n: count(), records: sql<string | null>`sum(${webhookRequests.records})`, oldest: min(webhookRequests.receivedAt) })
        .from(webhookRequests)
        .where(and(eq(webhookRequests.integrationId, integrationId), isNull(webhookRequests.runId)));
      const [held] = await db
        .select({ n: count() })
        .from(webhookRequests)
        .innerJoin(runs, eq(runs.id, webhookRequests.runId))
        .where(and(eq(webhookRequests.integrationId, integrationId), sql`${runs.status} NOT IN ('completed', 'completed_with_errors')`));
      return {
        waiting: waiting?.n ?? 0,
        waitingRecords: Number(waiting?.records ?? 0),
        oldestWaitingAt: waiting?.oldest ? new Date(waiting.oldest).toISOString() : null,
        inRuns: held?.n ?? 0,
      };
    },
    async claimRun(run, maxRequests) {
      return db.transaction(async (tx) => {
        const [existing] = await tx.select({ id: runs.id, n: runs.webhookRequests }).from(runs).where(eq(runs.id, run.id));
        if (existing) return { runId: existing.id, requests: existing.n ?? 0 };
        // Requests that completed runs drained are gone from the queue here too, whoever finished those runs.
        await tx.delete(webhookRequests).where(
          and(
            eq(webhookRequests.integrationId, run.integrationId),
            inArray(webhookRequests.runId, tx.select({ id: runs.id }).from(runs).where(and(eq(runs.integrationId, run.integrationId), inArray(runs.status, DONE)))),
          ),
        );
        // SKIP LOCKED: two drains of one integration (there should be one) never take the same request.
        const picked = await tx
          .select({ seq: webhookRequests.seq })
          .from(webhookRequests)
          .where(and(eq(webhookRequests.integrationId, run.integrationId), isNull(webhookRequests.runId)))
          .orderBy(asc(webhookRequests.seq))
          .limit(maxRequests)
          .for('update', { skipLocked: true });
        if (picked.length === 0) return null;
        await createRun(tx, { ...run, trigger: 'webhook', webhookRequests: picked.length });
        await tx
          .update(webhookRequests)
          .set({ runId: run.id })
          .where(
            inArray(
              webhookRequests.seq,
              picked.map((p) => p.seq),
            ),
          );
        return { runId: run.id, requests: picked.length };
      });
    },
    async readRunRequests(runId, afterSeq, limit) {
      return db
        .select({ seq: webhookRequests.seq, body: webhookRequests.body, records: webhookRequests.records })
        .from(webhookRequests)
        .where(and(eq(webhookRequests.runId, runId), gt(webhookRequests.seq, afterSeq)))
        .orderBy(asc(webhookRequests.seq))
        .limit(limit);
    },
    async releaseCompleted(runId) {
      const [run] = await db.select({ status: runs.status }).from(runs).where(eq(runs.id, runId));
      if (!run || !DONE.includes(run.status)) return 0;
      const gone = await db.delete(webhookRequests).where(eq(webhookRequests.runId, runId)).returning({ seq: webhookRequests.seq });
      return gone.length;
    },
    async integrationsWaiting(before) {
      const rows = await db
        .selectDistinct({ id: webhookRequests.integrationId })
        .from(webhookRequests)
        .where(and(isNull(webhookRequests.runId), lt(webhookRequests.receivedAt, before)));
      return rows.map((r) => r.id);
    },
    async pruneReplays(before) {
      const gone = await db.delete(webhookReplays).where(lt(webhookReplays.seenAt, before)).returning({ d: webhookReplays.digest });
      return gone.length;
    },
  };
}
