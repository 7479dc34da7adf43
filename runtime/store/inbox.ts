// The record inbox's reads and writes: rejected records across runs and integrations, listed, filtered and grouped on
// the server; claimed for a resubmit with a conditional update (so a record is in one resubmit at a time and a fixed
// one is never sent again); the resubmit run's records, read by its pipeline in place of the source; and the outcome
// of each record once that run ends.
import { createHash } from 'node:crypto';
import { and, asc, count, desc, eq, gt, gte, ilike, inArray, isNull, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import { ACTIONABLE_INBOX_STATUSES, type InboxFilter, type InboxGroup, type InboxRecord, type InboxStatus } from '../../shared/api/inbox';
import { rejectedRecordKey } from '../../shared/sync/rejected-key';
import { showNul } from '../../shared/util/nul';
import type { Db } from './db';
import { page } from './paging';
import { inboxResubmits, integrations, rejectedRecords, runs, runSteps } from './schema';

/** One record as the resubmit route needs it: whose it is, which step rejected it, where it stands, its values. */
export interface InboxRecordRef {
  id: string;
  integrationId: string;
  runId: string;
  nodeId: string;
  status: InboxStatus;
  source: Record<string, unknown>;
  edited: Record<string, unknown> | null;
  /** A later run rejected the same record again: the id of that newer rejection, which the inbox lists instead. */
  supersededBy: string | null;
}

/** What a resubmit run feeds one source: the record's values, numbered in the run. */
export interface ResubmitItem {
  recordId: string;
  sourceNodeId: string;
  values: Record<string, unknown>;
}

export interface InboxStore {
  list(filter: InboxQuery, opts?: { limit?: number; offset?: number }): Promise<{ items: InboxRecord[]; total: number }>;
  /** Reasons with their counts under the filter (a `reason` filter is ignored here), most frequent first. */
  groups(filter: InboxQuery, limit?: number): Promise<{ items: InboxGroup[]; total: number }>;
  /** Records waiting for a person (rejected, or still failing), for the nav badge. */
  countWaiting(): Promise<number>;
  /** The records by id (unknown ids are left out), only those the inbox shows (not a resubmit run's own rejections). */
  getRecords(ids: readonly string[]): Promise<InboxRecordRef[]>;
  /**
   * Moves the records that are rejected or still failing to `resubmitting`, in one statement: what another resubmit
   * (or a fixed or ignored record) holds is left out. Returns the ids claimed.
   */
  claim(ids: readonly string[]): Promise<string[]>;
  /** A claim whose run could not start: back to rejected (or still failing when it had failed again before). */
  release(ids: readonly string[]): Promise<void>;
  /** Records the run's items (row numbers 1..n in order) and marks each record as in that run, with its edited values. */
  addResubmitItems(runId: string, items: readonly ResubmitItem[]): Promise<void>;
  /** A resubmit run's items for one source after row `after`, in row order. */
  readResubmitItems(runId: string, sourceNodeId: string, after: number, limit: number): Promise<{ rowNumber: number; values: Record<string, unknown> }[]>;
  /** Whether the run is a resubmit run with items (its sources read them instead of their systems). */
  isResubmitRun(runId: string): Promise<boolean>;
  /**
   * Settles a resubmit run's records once it has ended: rejected again in this run -> still failing with the new
   * reason; else fixed by it when every pipeline finished (`wroteAll`), else still failing with `failure`. Only
   * records still `resubmitting` in this run change, so settling twice changes nothing. Returns the counts.
   */
  settleResubmit(runId: string, outcome: { wroteAll: boolean; failure: string }): Promise<{ fixed: number; stillFailing: number }>;
  /** Rejected or still-failing records set aside with a note; returns the ids ignored. */
  ignore(ids: readonly string[], note: string): Promise<string[]>;
  /** The runs whose records a resubmit run resubmitted, oldest first. */
  resubmitOrigins(runId: string): Promise<string[]>;
}

/**
 * The record key the inbox keeps for a rejected record (inbox14): a sha256 of its key fields' source values (a hash, so
 * a long key value never outgrows the index); null when it has no key (each such rejection is its own entry).
 */
export function inboxKeyOf(fields: readonly string[] | undefined, source: Readonly<Record<string, unknown>>, target?: string): string | null {
  const key = rejectedRecordKey(fields, source);
  // The target's node id too (review14b): the same key values written by another pipeline are another record.
  return key === null ? null : createHash('sha256').update(target === undefined ? key : JSON.stringify([target, key])).digest('hex');
}

/** Plain JSON for jsonb (rows are null-prototype records; U+0000 cannot be stored). */
const storable = <T>(v: T): T => JSON.parse(JSON.stringify(showNul(v))) as T;

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The filters as given to the store (every field optional). */
export type InboxQuery = Partial<InboxFilter>;

/**
 * The filter as a WHERE over rejected_records alone (no join: an integration is its runs' ids), so the waiting view
 * and a single status read their index in order and stop after the page. A resubmit run's own rejections are
 * `attempt`, a status no filter lists.
 */
function whereOf(db: Db, filter: InboxQuery, withReason = true): SQL | undefined {
  const statuses = filter.status && filter.status.length > 0 ? filter.status : ACTIONABLE_INBOX_STATUSES;
  return and(
    inArray(rejectedRecords.inboxStatus, [...statuses]),
    // One entry per record: a rejection a later run's rejection of the same record superseded is listed through it.
    isNull(rejectedRecords.supersededBy),
    filter.integrationId ? inArray(rejectedRecords.runId, db.select({ id: runs.id }).from(runs).where(eq(runs.integrationId, filter.integrationId))) : undefined,
    withReason && filter.reason !== undefined ? eq(rejectedRecords.inboxReason, filter.reason) : undefined,
    filter.search ? ilike(rejectedRecords.inboxReason, `%${likeEscape(filter.search)}%`) : undefined,
    filter.from ? gte(rejectedRecords.createdAt, new Date(filter.from)) : undefined,
    filter.to ? lt(rejectedRecords.createdAt, new Date(filter.to)) : undefined,
  );
}

const iso = (d: Date) => d.toISOString();

/** These records and the earlier rejections of the same records that they superseded (inbox14). */
const withEarlier = (ids: readonly string[]) => or(inArray(rejectedRecords.id, [...ids]), inArray(rejectedRecords.supersededBy, [...ids]));

export function createInboxStore(db: Db): InboxStore {
  return {
    async list(filter, opts) {
      const { limit, offset } = page(opts);
      const where = whereOf(db, filter);
      // The page's ids first (the skipped rows of a deep page are read from the index, not fetched whole), then its rows.
      const order = [desc(rejectedRecords.createdAt), desc(rejectedRecords.id)];
      const ids = (await db.select({ id: rejectedRecords.id }).from(rejectedRecords).where(where).orderBy(...order).limit(limit).offset(offset)).map((r) => r.id);
      // The filter again: a record settled between the two reads (a resubmit run ending) is not shown under a filter
      // it no longer matches (the page, seeing no Resubmitting record, would stop looking and show it so for good).
      const rows = ids.length ? await db.select().from(rejectedRecords).where(and(inArray(rejectedRecords.id, ids), where)).orderBy(...order) : [];
      const [total] = await db.select({ n: count() }).from(rejectedRecords).where(where);
      // What the page shows beside each record (its integration, run and step), for the page's runs only.
      const runIds = [...new Set(rows.map((r) => r.runId))];
      const about = runIds.length
        ? await db
            .select({ id: runs.id, name: runs.name, integrationId: runs.integrationId, integrationName: integrations.name })
            .from(runs)
            .innerJoin(integrations, eq(integrations.id, runs.integrationId))
            .where(inArray(runs.id, runIds))
        : [];
      const labels = runIds.length ? await db.select({ runId: runSteps.runId, nodeId: runSteps.nodeId, label: runSteps.label }).from(runSteps).where(inArray(runSteps.runId, runIds)) : [];
      const runOf = new Map(about.map((r) => [r.id, r]));
      // How many runs rejected each listed record: its own and those of the rejections it superseded.
      const earlier = ids.length
        ? await db.selectDistinct({ of: rejectedRecords.supersededBy, runId: rejectedRecords.runId }).from(rejectedRecords).where(inArray(rejectedRecords.supersededBy, ids))
        : [];
      const runsOf = new Map<string, Set<string>>(rows.map((r) => [r.id, new Set([r.runId])]));
      for (const e of earlier) if (e.of) runsOf.get(e.of)?.add(e.runId);
      const labelOf = new Map(labels.map((l) => [`${l.runId}\u0000${l.nodeId}`, l.label]));
      return {
        items: rows.map((r) => ({
          id: r.id,
          integrationId: runOf.get(r.runId)?.integrationId ?? '',
          integrationName: runOf.get(r.runId)?.integrationName ?? '',
          runId: r.runId,
          runName: runOf.get(r.runId)?.name ?? '',
          nodeId: r.nodeId,
          stepLabel: labelOf.get(`${r.runId}\u0000${r.nodeId}`) ?? r.nodeId,
          rowNumber: r.rowNumber,
          rejectedInRuns: runsOf.get(r.id)?.size ?? 1,
          source: r.source,
          mapped: r.mapped,
          edited: r.edited ?? null,
          reason: r.reason,
          status: r.inboxStatus === 'attempt' ? 'still_failing' : r.inboxStatus,
          latestReason: r.latestReason,
          outcomeRunId: r.outcomeRunId,
          note: r.note,
          createdAt: iso(r.createdAt),
          settledAt: r.settledAt ? iso(r.settledAt) : null,
        })),
        total: total?.n ?? 0,
      };
    },

    async groups(filter, limit = 50) {
      const where = whereOf(db, filter, false);
      const n = sql<number>`count(*)::int`;
      const reason = sql<string>`${rejectedRecords.inboxReason}`;
      const rows = await db.select({ reason, count: n }).from(rejectedRecords).where(where).groupBy(rejectedRecords.inboxReason).orderBy(desc(n), asc(rejectedRecords.inboxReason)).limit(limit);
      const [total] = await db.select({ n: sql<number>`count(DISTINCT ${rejectedRecords.inboxReason})::int` }).from(rejectedRecords).where(where);
      return { items: rows.map((r) => ({ reason: r.reason, count: Number(r.count) })), total: Number(total?.n ?? 0) };
    },

    async countWaiting() {
      const [row] = await db.select({ n: count() }).from(rejectedRecords).where(and(inArray(rejectedRecords.inboxStatus, [...ACTIONABLE_INBOX_STATUSES]), isNull(rejectedRecords.supersededBy)));
      return row?.n ?? 0;
    },

    async getRecords(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .select({ r: rejectedRecords, integrationId: runs.integrationId })
        .from(rejectedRecords)
        .innerJoin(runs, eq(runs.id, rejectedRecords.runId))
        .where(and(inArray(rejectedRecords.id, [...ids]), ne(rejectedRecords.inboxStatus, 'attempt')));
      return rows.map(({ r, integrationId }) => ({ id: r.id, integrationId, runId: r.runId, nodeId: r.nodeId, status: r.inboxStatus as InboxStatus, source: r.source, edited: r.edited ?? null, supersededBy: r.supersededBy ?? null }));
    },

    async claim(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .update(rejectedRecords)
        .set({ inboxStatus: 'resubmitting' })
        .where(and(withEarlier(ids), inArray(rejectedRecords.inboxStatus, [...ACTIONABLE_INBOX_STATUSES])))
        .returning({ id: rejectedRecords.id });
      const asked = new Set(ids);
      return rows.map((r) => r.id).filter((id) => asked.has(id));
    },

    async release(ids) {
      if (ids.length === 0) return;
      await db
        .update(rejectedRecords)
        .set({ inboxStatus: sql`CASE WHEN ${rejectedRecords.latestReason} IS NULL THEN 'open' ELSE 'still_failing' END` })
        .where(and(withEarlier(ids), eq(rejectedRecords.inboxStatus, 'resubmitting')));
    },

    async addResubmitItems(runId, items) {
      await db.transaction(async (tx) => {
        for (let start = 0; start < items.length; start += 500) {
          const part = items.slice(start, start + 500);
          await tx.insert(inboxResubmits).values(part.map((it, i) => ({ runId, rowNumber: start + i + 1, recordId: it.recordId, sourceNodeId: it.sourceNodeId, values: storable(it.values) })));
          for (const it of part) {
            await tx.update(rejectedRecords).set({ outcomeRunId: runId, edited: storable(it.values) }).where(eq(rejectedRecords.id, it.recordId));
            // The earlier rejections of the same record (claimed with it) settle with it.
            await tx.update(rejectedRecords).set({ outcomeRunId: runId }).where(and(eq(rejectedRecords.supersededBy, it.recordId), eq(rejectedRecords.inboxStatus, 'resubmitting')));
          }
        }
      });
    },

    async readResubmitItems(runId, sourceNodeId, after, limit) {
      return db
        .select({ rowNumber: inboxResubmits.rowNumber, values: inboxResubmits.values })
        .from(inboxResubmits)
        .where(and(eq(inboxResubmits.runId, runId), eq(inboxResubmits.sourceNodeId, sourceNodeId), gt(inboxResubmits.rowNumber, after)))
        .orderBy(asc(inboxResubmits.rowNumber))
        .limit(limit);
    },

    async isResubmitRun(runId) {
      const [row] = await db.select({ trigger: runs.trigger }).from(runs).where(eq(runs.id, runId));
      return row?.trigger === 'resubmit';
    },

    async settleResubmit(runId, outcome) {
      return db.transaction(async (tx) => {
        // Rejected again in this run: the first reason (by step order) for each of its row numbers.
        const again = await tx.execute(sql`
          UPDATE rejected_records AS r SET inbox_status = 'still_failing', latest_reason = x.reason, settled_at = now()
          FROM (
            SELECT DISTINCT ON (i.record_id) i.record_id, n.reason
            FROM inbox_resubmits i JOIN rejected_records n ON n.run_id = i.run_id AND n.row_number = i.row_number
            WHERE i.run_id = ${runId}
            ORDER BY i.record_id, n.created_at, n.id
          ) AS x
          WHERE r.id = x.record_id AND r.inbox_status = 'resubmitting' AND r.outcome_run_id = ${runId}
          RETURNING r.id`);
        // Earlier rejections of a record rejected again settle as it did (the rest below: fixed with it, or failed).
        await tx.execute(sql`
          UPDATE rejected_records AS s SET inbox_status = r.inbox_status, latest_reason = r.latest_reason, settled_at = r.settled_at
          FROM rejected_records AS r
          WHERE s.superseded_by = r.id AND s.outcome_run_id = ${runId} AND s.inbox_status = 'resubmitting'
            AND r.outcome_run_id = ${runId} AND r.inbox_status = 'still_failing'`);
        const rest = await tx
          .update(rejectedRecords)
          .set(
            outcome.wroteAll
              ? { inboxStatus: 'fixed', latestReason: null, settledAt: sql`now()` }
              : { inboxStatus: 'still_failing', latestReason: outcome.failure, settledAt: sql`now()` },
          )
          .where(and(eq(rejectedRecords.outcomeRunId, runId), eq(rejectedRecords.inboxStatus, 'resubmitting')))
          .returning({ id: rejectedRecords.id, supersededBy: rejectedRecords.supersededBy });
        // Counted per record (the resubmitted ones), not per earlier rejection that settled with one.
        const settled = rest.filter((r) => r.supersededBy === null).length;
        const stillFailing = rowsOf(again).length + (outcome.wroteAll ? 0 : settled);
        return { fixed: outcome.wroteAll ? settled : 0, stillFailing };
      });
    },

    async ignore(ids, note) {
      if (ids.length === 0) return [];
      const rows = await db
        .update(rejectedRecords)
        .set({ inboxStatus: 'ignored', note, settledAt: sql`now()` })
        .where(and(withEarlier(ids), inArray(rejectedRecords.inboxStatus, [...ACTIONABLE_INBOX_STATUSES])))
        .returning({ id: rejectedRecords.id });
      const asked = new Set(ids);
      return rows.map((r) => r.id).filter((id) => asked.has(id));
    },

    async resubmitOrigins(runId) {
      const rows = await db
        .select({ runId: rejectedRecords.runId, at: sql<Date>`min(${runs.createdAt})` })
        .from(inboxResubmits)
        .innerJoin(rejectedRecords, eq(rejectedRecords.id, inboxResubmits.recordId))
        .innerJoin(runs, eq(runs.id, rejectedRecords.runId))
        .where(eq(inboxResubmits.runId, runId))
        .groupBy(rejectedRecords.runId)
        .orderBy(sql`min(${runs.createdAt})`);
      return rows.map((r) => r.runId);
    },
  };
}

/** Rows of a raw `execute` on either engine (PGlite answers { rows }, node-postgres a result with rows). */
function rowsOf(result: unknown): unknown[] {
  const rows = (result as { rows?: unknown[] } | unknown[]) ?? [];
  return Array.isArray(rows) ? rows : (rows.rows ?? []);
}
