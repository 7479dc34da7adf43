// The two-way sync step: reads the records of both sides changed since their cursors, pairs them by the key map (or
// by the match key the first time), settles each pair by the rules of shared/sync/two-way.ts, writes what changes to
// each side, and remembers per pair and side the hash of every synced field value, so that Weft's own writes, read
// back next time, are not taken for changes (echo suppression). Cursors advance after the run's counts commit.
// Memory is bounded by the batch size on every path (first run, incremental run, rebuild): B's changes are staged in
// the store page by page, A's are read page by page and paired with them by indexed lookups, and what B changed that
// no A change took is settled last, page by page. Deletes (a side's soft-delete field, or a full read's missing keys)
// go to the other side by the one-way engine's threshold and apply (delete-phase.ts).
import { hash, randomUUID } from 'node:crypto';
import type { PlanStep } from '../../shared/compiler/plan';
import type { Field, FieldType } from '../../shared/graph/field-types';
import { TwoWaySyncConfig, WORKSPACE_UPDATED_AT, type TwoWaySide } from '../../shared/graph/kinds/two-way-sync';
import {
  creationFor,
  effectiveDirection,
  effectiveRule,
  normalizeValue,
  recordId,
  reviewFieldsAgree,
  sameHashes,
  settlePair,
  timeOf,
  type ChangedNames,
  type SettleField,
  type SideState,
} from '../../shared/sync/two-way';
import { capCursor, cursorKindOf, CursorValue, cursorValueOf, INCLUSIVE_READ, maxCursor, type CursorKind } from '../../shared/sync/cursor';
import { describeDeleteSync } from '../../shared/sync/options';
import { allowedDeletes, isSoftDeleted, type DeleteMode } from '../../shared/sync/target';
import type { ConnectorSession, RecordResult, Row } from '../connections/sessions';
import type { BatchCommit, RunKey, StagedRejected, StepCounts } from '../store/types';
import { DeletePhaseTaken, type DeletePhase, type SyncStateStore } from '../store/sync-state';
import { compareIds, type StageB, type StagedB, type StagedDelete, type TwoWayPair, type TwoWayScope, type TwoWayStore } from '../store/two-way';
import { judgeDeletePhase, resumeDeletePhase, sessionTarget, type DeletePhaseStore } from './delete-phase';
import { openSaved } from './sessions';
import { defineExecutor, PlanError, type ExecutorDeps } from './types';

/** What a run of the step needs beyond the executor's deps: where it remembers, and how it records its outcome. */
export interface TwoWayRunContext {
  scope: TwoWayScope;
  twoWay: TwoWayStore;
  /** The integration's sync switch (plan settings); off: nothing is read or written. */
  syncEnabled: boolean;
  /** "Rebuild matching": forget the key map and cursors first. */
  rebuild: boolean;
  batchSize: number;
  /**
   * Stages held and refused records in the store as the run goes (each page's before its pairs are saved), so none
   * waits in memory for the commit. A held record's key is its pair's (staged again by a retry, it replaces the row);
   * a refused write's belongs to this attempt (`attempt`), which a retry tries again.
   */
  stage(records: StagedRejected[]): Promise<void>;
  /** Drops the staged records only this attempt could record (its refused writes): the attempt failed before its commit. */
  dropStaged(attempt: string): Promise<void>;
  /**
   * Asked once as the attempt starts: whether earlier attempts of the run left held records staged (then a pair this
   * attempt settles without holding has its staged row dropped by `unstage`: the person settled the conflict), and the
   * highest row number the step's rejected records have in the run, which this attempt numbers after (so no two share
   * one). Not given (a bench): none.
   */
  stagedStart?(): Promise<{ held: boolean; lastRowNumber: number }>;
  /** Drops the staged held records of these keys (pairs settled without holding), before their pairs are saved. */
  unstage?(keys: string[]): Promise<void>;
  /**
   * Where each direction's delete candidates wait until they are applied (the run's run_keys: `deleteKeysIn`), so a
   * run with many deletes never holds them all. Not given: in memory (`deleteKeysInMemory`, for a bench).
   */
  deleteKeys?: TwoWayDeleteKeys;
  /**
   * Records the step's counts and the staged records this attempt may record (one commit, which counts those as
   * rejected); cursors advance only after it resolves.
   */
  commit(effect: { counts: Partial<StepCounts>; attempt: string }): Promise<void>;
  /** Throws when the run was cancelled; called between stages. */
  check?(): void;
  /** "Run full sync": read both sides whole whatever the cursors (the key map stays; missing keys are deletes). */
  fullSync?: boolean;
  /** "Confirm deletes": apply deletes even above the threshold. */
  confirmDeletes?: boolean;
  /** The run's clock, for the time a soft delete writes. */
  runClock?: number;
  /**
   * Where each direction's delete phase is recorded in the run (the step's node id and the side deleted on: decided
   * once, progress after each delete call, as the one-way phase) and the step's deleted count set. Not given (a bench): in memory.
   */
  deletePhases?: { runId: string; store: DeletePhaseStore };
  /** Told each direction's delete phase (held or applied) with candidates, after the counts' commit (tests). */
  recordDeletes?(phases: TwoWayDeletePhase[]): Promise<void>;
}

/** One direction's delete phase: deletes found on one side, applied to (or held back from) `toSide`. */
export type TwoWayDeletePhase = Omit<DeletePhase, 'runId' | 'nodeId'> & { toSide: 'a' | 'b'; label: string };

/**
 * A run's delete candidates per direction (by the side they are applied to), outside the executor's memory. A
 * candidate's `key` is its pair's A id (the pair is forgotten once it is applied), `values` the record's key fields on
 * `toSide`.
 */
export interface TwoWayDeleteKeys {
  /** Forgets every candidate (an earlier attempt's: each attempt finds its own afresh). */
  clear(toSide: 'a' | 'b'): Promise<void>;
  /** Adds candidates; a key added again is still one candidate. */
  add(toSide: 'a' | 'b', keys: readonly RunKey[]): Promise<void>;
  /** Takes candidates off by key (pairs deleted on both sides: nothing to apply). */
  remove(toSide: 'a' | 'b', keys: readonly string[]): Promise<void>;
  count(toSide: 'a' | 'b'): Promise<number>;
  /** At most `limit` candidates in key order, after `after`. */
  list(toSide: 'a' | 'b', after: string | null, limit: number): Promise<RunKey[]>;
}

/**
 * The candidates as the run's run_keys (deleted), under the step's node id and the side they are applied to (the delete
 * phases' own references: a side of its own, never a suffix of the node id, which may hold any character).
 */
export function deleteKeysIn(sync: Pick<SyncStateStore, 'dropKeys' | 'addDeletedKeys' | 'countDeletedKeys' | 'listDeletedKeys'>, runId: string, nodeId: string): TwoWayDeleteKeys {
  const node = (side: 'a' | 'b') => ({ nodeId, side });
  return {
    clear: (side) => sync.dropKeys(runId, node(side)),
    add: (side, keys) => sync.addDeletedKeys(runId, node(side), keys),
    remove: (side, keys) => sync.dropKeys(runId, node(side), keys),
    count: (side) => sync.countDeletedKeys(runId, node(side)),
    list: (side, after, limit) => sync.listDeletedKeys(runId, node(side), { after, limit }),
  };
}

/**
 * The step's one commit as an attempt of a run makes it (the activity's; a test's that runs the step the same way).
 * `done`: the pipeline's committed batch when the attempt began. An earlier attempt whose commit applied and that then
 * failed (saving the cursors, recording the delete phases) leaves it above 0: this attempt commits the next batch, so
 * the held and refused records it staged are recorded, not cleared as a duplicate's (its held pairs' hashes were saved
 * with their pages: no later run would hold them again). It adds only what it wrote and deleted to the counts; what it
 * read again and found unchanged, the committed attempt counted. Two attempts begun from the same batch still commit
 * once. The deletes an attempt applied are counted by its commit (added), never set after it.
 */
export function commitAfter(commitBatch: (commit: BatchCommit) => Promise<unknown>, at: { runId: string; pipelineId: string; checkpointKey?: string; nodeId: string; done: number }): TwoWayRunContext['commit'] {
  return async ({ counts, attempt }) => {
    const add: Partial<StepCounts> = at.done === 0 ? counts : { written: counts.written ?? 0, created: counts.created ?? 0, updated: counts.updated ?? 0, deleted: counts.deleted ?? 0 };
    await commitBatch({ runId: at.runId, pipelineId: at.pipelineId, ...(at.checkpointKey !== undefined && { checkpointKey: at.checkpointKey }), batch: at.done + 1, cursor: null, counts: { [at.nodeId]: add }, rejected: [], staged: { attempt } });
  };
}

/** The delete phases in memory, over candidates in memory (a context with no store: a bench). */
function deletePhasesInMemory(keys: TwoWayDeleteKeys): DeletePhaseStore {
  // By side: one step's phases.
  const phases = new Map<string, DeletePhase>();
  const sideOf = (ref: Parameters<DeletePhaseStore['takeDeletePhase']>[1]) => (typeof ref === 'string' ? '' : ref.side);
  return {
    async takeDeletePhase(_runId, ref) {
      const found = phases.get(sideOf(ref));
      if (!found) return null;
      const taken = { ...found, fence: (found.fence ?? 0) + 1 };
      phases.set(sideOf(ref), taken);
      return taken;
    },
    async recordDeletePhase(phase) {
      const found = phases.get(phase.side ?? '');
      if (phase.fence !== undefined && found && found.fence !== phase.fence) return null;
      const fence = found?.fence ?? Math.max(phase.fence ?? 0, 1);
      phases.set(phase.side ?? '', { ...phase, fence });
      return fence;
    },
    listDeletedKeys: (_runId, ref, { after, limit }) => keys.list(sideOf(ref) === 'a' ? 'a' : 'b', after, limit),
    async setStepDeleted() {},
  };
}

/** The candidates in memory (a context with no store: a bench). */
export function deleteKeysInMemory(): TwoWayDeleteKeys {
  const sides = { a: new Map<string, RunKey>(), b: new Map<string, RunKey>() };
  const sorted = { a: null as string[] | null, b: null as string[] | null };
  return {
    async clear(side) {
      sides[side].clear();
      sorted[side] = null;
    },
    async add(side, keys) {
      for (const k of keys) sides[side].set(k.key, k);
      sorted[side] = null;
    },
    async remove(side, keys) {
      for (const k of keys) sides[side].delete(k);
      sorted[side] = null;
    },
    count: async (side) => sides[side].size,
    async list(side, after, limit) {
      const order = (sorted[side] ??= [...sides[side].keys()].sort(compareIds));
      // The first key past `after` (binary search).
      let i = 0;
      for (let hi = after === null ? 0 : order.length; i < hi; ) {
        const mid = (i + hi) >> 1;
        if (compareIds(order[mid]!, after!) <= 0) i = mid + 1;
        else hi = mid;
      }
      return order.slice(i, i + limit).map((k) => sides[side].get(k)!);
    },
  };
}

/** What one run did, for tests, the bench and the activity's log. */
export interface TwoWayOutcome {
  readA: number;
  readB: number;
  /** Records written (created or updated) to each side. */
  writtenA: number;
  writtenB: number;
  createdA: number;
  createdB: number;
  /** Fields changed on both sides and settled by a rule; pairs held for review. */
  conflicts: number;
  held: number;
  /** Records with no pair that were not created on the other side (create off, or its key not mapped). */
  skippedNoMatch: number;
  rejected: number;
  /** Records read back exactly as Weft last left them (echoes of its own writes, or unchanged). */
  echoes: number;
  /** Records deleted (or soft-deleted) on each side by deletes coming from the other. */
  deletedA: number;
  deletedB: number;
  /** Records deleted on their side (soft-delete field set) that had no pair: nothing to carry over, not created. */
  skippedDeleted: number;
  /** The most records the run held in memory at once (a page read, plus the staged changes paired with it). */
  peakHeld: number;
  /** The most held or refused records kept in memory at once before they were staged in the store. */
  peakRejectedHeld: number;
  note: string | null;
}

export interface SyncExecutor {
  role: 'sync';
  run(ctx: TwoWayRunContext): Promise<TwoWayOutcome>;
}

/**
 * A field value's hash as remembered: the first 11 base64 characters (66 bits) of SHA-1 over its normalised JSON. Until
 * migration 25 it was the first 22: that migration cuts stored hashes to their first 11, which are this function's
 * for the same value, so a key map written before reads the same echoes and changes.
 */
export const valueHash = (value: unknown, type: FieldType | undefined): string => hash('sha1', JSON.stringify(normalizeValue(value, type)) ?? 'null', 'base64').slice(0, 11);


interface ReadRecord {
  id: string;
  values: Row;
  updatedAt: number | null;
  /** The side's soft-delete field is set. */
  deleted: boolean;
  /** Hashes of its values computed so far (hashOf), by the field's slot on its side (`SideReader.slots`). */
  hashes?: (string | undefined)[];
}

/** One record (or pair) to settle in a page. */
interface Work {
  idA: string | null;
  idB: string | null;
  pair: TwoWayPair | null;
  a: ReadRecord | null;
  b: ReadRecord | null;
}

interface PendingWrite {
  work: Work;
  row: Row;
  create: boolean;
  /**
   * What the side holds for the row's fields once written, read back as its reads spell it (fid13), when the side can
   * look records up (`compareRecords`); remembered instead of the values sent. A side stores some values in its own
   * spelling — char(n) padded (or its padding dropped), jsonb's key order, a numeric's scale, a date-time's precision —
   * and the hash of what was sent then differed from the next read's: the next run saw a change Weft had made itself and
   * carried it back, overwriting the other side's own value (B's 1.2345 with A's 1.23); where the two sides spell a value
   * apart (Postgres char pads, MariaDB's drops the padding) again each time the record was read (an edit of another field).
   */
  stored?: Row;
}

interface SideReader {
  side: TwoWaySide;
  name: 'a' | 'b';
  session: ConnectorSession;
  isWorkspace: boolean;
  /** The side's record id fields (primary key). */
  key: string[];
  types: Map<string, FieldType>;
  /** Each synced field's slot in a read record's `hashes` (its first place in the side's field list). */
  slots: Map<string, number>;
}

const zero = (): TwoWayOutcome => ({ readA: 0, readB: 0, writtenA: 0, writtenB: 0, createdA: 0, createdB: 0, conflicts: 0, held: 0, skippedNoMatch: 0, rejected: 0, echoes: 0, deletedA: 0, deletedB: 0, skippedDeleted: 0, peakHeld: 0, peakRejectedHeld: 0, note: null });

/**
 * The side's records changed since its cursor, page by page, by the incremental engine's rules (shared/sync/cursor.ts):
 * the read is inclusive (`>=` the mark, so records sharing the mark's instant are read again; their hashes make that
 * harmless), the new mark (`mark()`, once the pages are done) is the highest change time read, never later than when
 * the read began (capCursor). No cursor: the side is read whole.
 */
function pagesOf(reader: SideReader, cursor: unknown, batchSize: number, check: (() => void) | undefined): { pages: AsyncGenerator<ReadRecord[], void>; mark(): CursorValue | null } {
  const { side, session } = reader;
  const kind: CursorKind = cursorKindOf(reader.types.get(side.updatedAt) ?? 'datetime') ?? 'time';
  const since = CursorValue.safeParse(cursor);
  let high: CursorValue | null = since.success ? since.data : null;
  const startedAt = Date.now();
  const options = {
    batchSize,
    ...(since.success && { incremental: { field: side.updatedAt, after: since.data, inclusive: INCLUSIVE_READ } }),
    ...(reader.isWorkspace && { settings: { withUpdatedAt: true } }),
  };
  async function* pages(): AsyncGenerator<ReadRecord[], void> {
    for await (const batch of session.read(side.object, options)) {
      check?.();
      const records: ReadRecord[] = [];
      for (const row of batch.rows) {
        const keyValues = reader.key.map((k) => row[k]);
        if (keyValues.some((v) => v === null || v === undefined || v === '')) continue;
        const stamp = row[side.updatedAt];
        records.push({ id: recordId(keyValues), values: row, updatedAt: timeOf(stamp), deleted: side.deletedField !== '' && isSoftDeleted(row[side.deletedField]) });
        high = maxCursor(kind, high, cursorValueOf(kind, stamp));
      }
      if (records.length > 0) yield records;
    }
  }
  return { pages: pages(), mark: () => capCursor(kind, high, startedAt) };
}

/**
 * Pages read one ahead: the next page is fetched (from the moment this is called) while the caller works on the one
 * before, so a side's read overlaps the run's other work. A fetch that fails is reported when its page is asked for.
 */
function readAhead<T>(source: AsyncGenerator<T, void>): AsyncGenerator<T, void> {
  let next = source.next();
  next.catch(() => undefined);
  return (async function* () {
    try {
      for (;;) {
        const r = await next;
        if (r.done) return;
        next = source.next();
        next.catch(() => undefined);
        yield r.value;
      }
    } finally {
      await next.catch(() => undefined);
      await source.return(undefined).catch(() => undefined);
    }
  })();
}

/** A match value as the stage keeps it: the JSON text of its normalised value. */
const matchKeyOf = (v: unknown) => JSON.stringify(normalizeValue(v, undefined));

/** A record's key fields from its record id (the JSON array of its normalised key values). */
function keyRow(reader: SideReader, id: string): Row {
  const values = JSON.parse(id) as unknown[];
  const row = Object.create(null) as Row;
  reader.key.forEach((k, i) => {
    row[k] = values[i];
  });
  return row;
}
/**
 * A settled write with the record's key fields added where the settlement did not set them (as `{ ...keyRow, ...row }`
 * would give, without two more objects per write). `row` is the settlement's own (null-prototype) object.
 */
function withKey(reader: SideReader, id: string, row: Row): Row {
  const values = JSON.parse(id) as unknown[];
  reader.key.forEach((k, i) => {
    if (!Object.hasOwn(row, k)) row[k] = values[i];
  });
  return row;
}
const keyMapped = (reader: SideReader, written: Row) => reader.key.every((k) => Object.hasOwn(written, k) && written[k] !== null && written[k] !== undefined && written[k] !== '');

/**
 * A record's values as the stage keeps them: JSON of [name, tag, value] triples, so values JSON has no form for keep
 * their type (a Date, a bigint, bytes) and a field named `__proto__` stays data.
 */
export function encodeRecord(values: Row): string {
  const out: [string, string, unknown][] = [];
  for (const name of Object.keys(values)) {
    const v = values[name];
    if (v === undefined) continue;
    if (v instanceof Date) out.push(Number.isNaN(v.getTime()) ? [name, 'v', String(v)] : [name, 'd', v.getTime()]);
    else if (typeof v === 'bigint') out.push([name, 'n', v.toString()]);
    else if (v instanceof Uint8Array) out.push([name, 'x', Buffer.from(v).toString('base64')]);
    else out.push([name, 'v', v]);
  }
  return JSON.stringify(out, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export function decodeRecord(text: string): Row {
  const row = Object.create(null) as Row;
  for (const [name, tag, v] of JSON.parse(text) as [string, string, unknown][]) {
    row[name] = tag === 'd' ? new Date(v as number) : tag === 'n' ? BigInt(v as string) : tag === 'x' ? Buffer.from(v as string, 'base64') : v;
  }
  return row;
}

/** A held record's key in the stage: its pair's (whichever attempt holds it, one row). */
const heldKey = (w: Work) => `held ${JSON.stringify([w.idA, w.idB])}`;

const stagedRecord = (s: StagedB): ReadRecord => ({ id: s.idB, values: decodeRecord(s.record), updatedAt: s.updatedMs, deleted: s.deleted });

/** B's changes held in memory while they fit this many pages (a batch each); past that they are staged in the store. */
export const HELD_B_PAGES = 4;

/** One change of B as the A pass and the leftovers pass see it. */
interface BChange {
  record: ReadRecord;
  /** Soft-deleted and its delete goes to A (or it has no pair): never settled as an edit. */
  deleted: boolean;
  /** The normalised match value; null when empty or the record has a pair. */
  matchKey: string | null;
}

/**
 * B's changes for the run. An incremental run's few changes stay in memory (their pairs looked up page by page as
 * they are read), so pairing A's changes with them costs one key-map lookup per page and nothing else; once they pass
 * `HELD_B_PAGES` pages they are staged in the store (two_way_stage) and paired there, page by page (bounded memory
 * on a first run, a full sync or Rebuild matching). The two agree on what pairs with what: a staged change keeps the
 * pair it had when staged, its match value only when it had none, and it is taken off once paired.
 */
interface ChangesOfB {
  /** A page of B's changes as read; returns the soft-deleted ones the stage classified (their pairs' A ids). */
  add(records: ReadRecord[]): Promise<StagedDelete[]>;
  /** B's read is over: the soft-deleted changes held in memory, classified as the stage would. */
  finish(): Promise<StagedDelete[]>;
  /**
   * The pairs of these A ids, each with its pair's B change taken (if B changed). `pairs`: their lookup, started early
   * (used only while B's changes are in memory).
   */
  takeByA(ids: string[], pairs?: Promise<TwoWayPair[]> | null): Promise<{ pair: TwoWayPair; b: BChange | null }[]>;
  /** B's changes are held in memory (not staged). */
  inMemory(): boolean;
  /**
   * B's changes held in memory (read whole) that have a pair whose B id is not in `taken` (the pairs of every A change
   * of the run) and are not deleted: no A change takes them. Their ids, in the order read; none when staged.
   */
  apart(taken: ReadonlySet<string>): string[];
  /** Takes those of these changes still held, each with its pair (as looked up when B was read). */
  takeApart(ids: readonly string[]): { b: BChange; pair: TwoWayPair }[];
  /** Per match value, the unpaired, not deleted change with the highest B id, taken. */
  takeByMatch(keys: string[]): Promise<BChange[]>;
  /** The next page of changes no A change took (not deleted), each with its pair; `fresh`: pairs read again. */
  left(limit: number, fresh: boolean): Promise<{ b: BChange; pair: TwoWayPair | null }[]>;
  /** Records held in memory. */
  held(): number;
  clear(): Promise<void>;
}

/**
 * Per match value among `keys`, the id of the unpaired, not deleted change with the highest id, in the order the stage
 * picks it (`compareIds`, code points), so holding B in memory pairs exactly as staging it does.
 */
export function highestByMatch(changes: ReadonlyMap<string, { matchKey: string | null; deleted: boolean }>, keys: readonly string[]): string[] {
  const wanted = new Set(keys);
  const best = new Map<string, string>();
  for (const [id, c] of changes) {
    if (c.matchKey === null || c.deleted || !wanted.has(c.matchKey)) continue;
    const had = best.get(c.matchKey);
    if (had === undefined || compareIds(id, had) > 0) best.set(c.matchKey, id);
  }
  return [...best.values()];
}

function changesOfB(twoWay: TwoWayStore, scope: TwoWayScope, matchField: string, deletesToA: boolean, limit: number): ChangesOfB {
  let memory: ReadRecord[] | null = [];
  /** Pair lookups of the pages in memory, started as each page arrives. */
  let lookups: Promise<TwoWayPair[]>[] = [];
  const changes = new Map<string, BChange>();
  const pairOfB = new Map<string, TwoWayPair>();
  let after: string | null = null;
  let leftOrder: string[] | null = null;
  const matchOf = (r: ReadRecord) => {
    const k = r.values[matchField];
    return k === null || k === undefined || k === '' ? null : matchKeyOf(k);
  };
  const stageRows = (records: ReadRecord[]): StageB[] => records.map((r) => ({ idB: r.id, matchKey: matchOf(r), softDeleted: r.deleted, updatedMs: r.updatedAt, record: encodeRecord(r.values) }));
  const staged = (s: StagedB): BChange => ({ record: stagedRecord(s), deleted: s.deleted, matchKey: s.matchKey });
  return {
    async add(records) {
      if (memory && memory.length + records.length <= limit) {
        memory.push(...records);
        const lookup = twoWay.pairsByB(scope, records.map((r) => r.id));
        lookup.catch(() => undefined);
        lookups.push(lookup);
        return [];
      }
      // Past what memory holds: what was held goes to the stage first, then this page and the rest.
      const out: StagedDelete[] = [];
      if (memory) {
        const held = memory;
        memory = null;
        await Promise.allSettled(lookups);
        lookups = [];
        // What a run that failed left behind is cleared first.
        await twoWay.clearStage(scope);
        for (let i = 0; i < held.length; i += limit) out.push(...(await twoWay.stage(scope, stageRows(held.slice(i, i + limit)), deletesToA)));
      }
      out.push(...(await twoWay.stage(scope, stageRows(records), deletesToA)));
      return out;
    },
    async finish() {
      if (!memory) return [];
      for (const pairs of await Promise.all(lookups)) for (const p of pairs) pairOfB.set(p.idB, p);
      lookups = [];
      const out: StagedDelete[] = [];
      for (const r of memory) {
        const pair = pairOfB.get(r.id) ?? null;
        const deleted = r.deleted && (pair === null || deletesToA);
        changes.set(r.id, { record: r, deleted, matchKey: pair ? null : matchOf(r) });
      }
      memory = [];
      for (const [id, c] of changes) if (c.deleted) out.push({ idB: id, pairA: pairOfB.get(id)?.idA ?? null });
      return out;
    },
    inMemory: () => memory !== null,
    apart(taken) {
      const out: string[] = [];
      if (memory === null || memory.length > 0) return out;
      changes.forEach((c, id) => {
        if (!c.deleted && pairOfB.has(id) && !taken.has(id)) out.push(id);
      });
      return out;
    },
    takeApart(ids) {
      const out: { b: BChange; pair: TwoWayPair }[] = [];
      for (const id of ids) {
        const b = changes.get(id);
        const pair = pairOfB.get(id);
        if (b === undefined || pair === undefined) continue;
        changes.delete(id);
        out.push({ b, pair });
      }
      return out;
    },
    async takeByA(ids, pairs) {
      if (!memory) return (await twoWay.takeByA(scope, ids)).map(({ pair, staged: s }) => ({ pair, b: s ? staged(s) : null }));
      const out: { pair: TwoWayPair; b: BChange | null }[] = [];
      for (const pair of await (pairs ?? twoWay.pairsByA(scope, ids))) {
        const b = changes.get(pair.idB) ?? null;
        if (b) changes.delete(pair.idB);
        out.push({ pair, b });
      }
      return out;
    },
    async takeByMatch(keys) {
      if (!memory) return (await twoWay.takeByMatch(scope, keys)).map(staged);
      const out: BChange[] = [];
      for (const id of highestByMatch(changes, keys)) {
        out.push(changes.get(id)!);
        changes.delete(id);
      }
      return out;
    },
    async left(size, fresh) {
      if (!memory) {
        const page = await twoWay.stagedLeft(scope, { after, limit: size });
        if (page.length > 0) after = page[page.length - 1]!.idB;
        return page.map((s) => ({ b: staged(s), pair: s.pair }));
      }
      leftOrder ??= [...changes.keys()].filter((id) => !changes.get(id)!.deleted);
      const ids = leftOrder.splice(0, size);
      const page = ids.map((id) => changes.get(id)!);
      for (const id of ids) changes.delete(id);
      // Pairs made earlier in this run may have replaced a held change's pair: read them again then.
      const pairs = fresh ? new Map((await twoWay.pairsByB(scope, ids)).map((p) => [p.idB, p] as const)) : pairOfB;
      return page.map((b) => ({ b, pair: pairs.get(b.record.id) ?? null }));
    },
    held: () => (memory ? memory.length + changes.size : 0),
    async clear() {
      await Promise.allSettled(lookups);
      if (!memory) await twoWay.clearStage(scope);
    },
  };
}

/**
 * Held and refused records on their way to the store: pushed as pages are settled and written, staged by `flush` (one
 * stage call at a time, in order). The caller flushes each written page before saving its pairs, so what waits here is
 * at most the pages in flight.
 */
export interface RejectedSpool {
  push(record: StagedRejected): void;
  /** A staged held record's key to drop (its pair was settled without holding), with the next flush. */
  unstage(key: string): void;
  /** Stages what waits, then drops the keys to drop (after any earlier flush); resolves once the store has both. */
  flush(): Promise<void>;
  /** Records and keys waiting or being staged. */
  held(): number;
}

export function rejectedSpool(stage: (records: StagedRejected[]) => Promise<void>, onHeld: (n: number) => void, unstage?: (keys: string[]) => Promise<void>): RejectedSpool {
  let waiting: StagedRejected[] = [];
  let dropping: string[] = [];
  let staging = 0;
  let flushed: Promise<void> = Promise.resolve();
  return {
    push(record) {
      waiting.push(record);
      onHeld(waiting.length + staging);
    },
    unstage(key) {
      if (unstage) dropping.push(key);
    },
    flush() {
      if (waiting.length === 0 && dropping.length === 0) return flushed;
      const rows = waiting;
      const keys = dropping;
      waiting = [];
      dropping = [];
      const n = rows.length + keys.length;
      staging += n;
      const done = flushed
        .then(async () => {
          if (rows.length > 0) await stage(rows);
          if (keys.length > 0) await unstage!(keys);
        })
        .finally(() => {
          staging -= n;
        });
      done.catch(() => undefined);
      flushed = done;
      return done;
    },
    held: () => waiting.length + dropping.length + staging,
  };
}

/**
 * A read value's hash, computed once per record and field (settling and remembering both need it); kept in a small
 * array by the field's slot on its side (one array per record, not a Map: an incremental run reads tens of thousands).
 */
function hashOf(record: ReadRecord, field: string, side: SideReader): string {
  const slot = side.slots.get(field);
  if (slot === undefined) return valueHash(record.values[field], side.types.get(field));
  record.hashes ??= [];
  let h = record.hashes[slot];
  if (h === undefined) {
    h = valueHash(record.values[field], side.types.get(field));
    record.hashes[slot] = h;
  }
  return h;
}

/** No field changed: one shared set (never added to), so an unchanged side costs no object. */
const NONE_CHANGED: ChangedNames = new Set<string>();
/** A side with no change in the pair (not read): shared, read only. */
const NOT_READ: SideState = Object.freeze({ values: null, changed: NONE_CHANGED, updatedAt: null });

/** One changed field (the common case of an edit): its name, without a Set. */
class OneChanged implements ChangedNames {
  readonly size = 1;
  constructor(private readonly name: string) {}
  has(name: string): boolean {
    return name === this.name;
  }
}

function changedFields(record: ReadRecord, fields: readonly string[], side: SideReader, remembered: Record<string, string> | undefined): ChangedNames {
  let first: string | null = null;
  let more: Set<string> | null = null;
  for (const f of fields) {
    if (remembered && Object.hasOwn(remembered, f) && remembered[f] === hashOf(record, f, side)) continue;
    if (first === null) first = f;
    else if (f !== first) (more ??= new Set([first])).add(f);
  }
  return more ?? (first === null ? NONE_CHANGED : new OneChanged(first));
}

/** The row's own enumerable keys are `names`, in that order (without building their array). */
function sameNames(row: Row, names: readonly string[]): boolean {
  let i = 0;
  for (const k in row) {
    if (!Object.hasOwn(row, k)) continue;
    if (names[i] !== k) return false;
    i += 1;
  }
  return i === names.length;
}

/** The object has an own enumerable key (without building the keys' array). */
function hasAny(x: Record<string, unknown>): boolean {
  for (const k in x) if (Object.hasOwn(x, k)) return true;
  return false;
}

/**
 * A new object of hashes by field name. A plain object (V8 keeps it in fast mode, cheaper to build than a
 * null-prototype one, which is a dictionary) unless a field is named `__proto__`, which only a null-prototype object
 * keeps as data.
 */
const hashRecord = (plain: boolean): Record<string, string> => (plain ? {} : (Object.create(null) as Record<string, string>));

const describe = (v: unknown) => (v === null || v === undefined ? 'empty' : JSON.stringify(v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? v.toString() : v));

export const twoWaySyncExecutor = defineExecutor({
  kind: 'two-way-sync',
  config: TwoWaySyncConfig,
  needs: ['sessions'],
  create(config, step: PlanStep, deps: Pick<ExecutorDeps, 'sessions'>): SyncExecutor {
    return {
      role: 'sync',
      run: (ctx) => runTwoWay(config, step, deps, ctx),
    };
  },
});

async function openSide(side: TwoWaySide, name: 'a' | 'b', fields: readonly string[], deps: Pick<ExecutorDeps, 'sessions'>, step: PlanStep): Promise<SideReader> {
  const isWorkspace = side.connectionId === '';
  const session = isWorkspace ? await deps.sessions.openBuiltIn('workspace') : await openSaved(deps.sessions, side.connectionId, `${step.label}: the connection of side ${name.toUpperCase()} no longer exists. Choose another and publish again.`);
  let key = side.key;
  const types = new Map(side.columns.map((c) => [c.name, c.type] as const));
  if (isWorkspace || key.length === 0 || types.size === 0) {
    // The side as the system describes it now: the workspace's object key, or columns picked before discovery.
    const found = (await session.discover()).find((o) => o.name === side.object);
    if (!found) {
      await session.close();
      throw new PlanError(`${step.label}: side ${name.toUpperCase()} has no ${isWorkspace ? 'workspace object' : 'table'} "${side.object}".`);
    }
    if (key.length === 0) key = found.primaryKey;
    for (const f of found.fields) if (!types.has(f.name)) types.set(f.name, f.type);
  }
  if (isWorkspace) types.set(WORKSPACE_UPDATED_AT, 'datetime');
  if (key.length === 0) {
    await session.close();
    throw new PlanError(`${step.label}: side ${name.toUpperCase()} (${side.object}) has no primary key, so its records cannot be told apart.`);
  }
  const slots = new Map<string, number>();
  for (const f of fields) if (!slots.has(f)) slots.set(f, slots.size);
  return { side, name, session, isWorkspace, key: [...key], types, slots };
}

/** A side's deletes and where they go: the mode they apply with on the other side, and the candidates gathered. */
interface DeleteDirection {
  /** The side the deletes are applied to. */
  to: SideReader;
  from: SideReader;
  mode: DeleteMode;
  /** Candidates found and not yet sent to the run's delete keys (at most about a batch: `stageDeletes`). */
  adding: RunKey[];
  /** Candidates taken off (deleted on both sides), not yet sent. */
  removing: string[];
  /** Candidates added less those taken off (0: none to apply; the phase counts them in the store). */
  count: number;
}

async function runTwoWay(config: TwoWaySyncConfig, step: PlanStep, deps: Pick<ExecutorDeps, 'sessions'>, ctx: TwoWayRunContext): Promise<TwoWayOutcome> {
  const outcome = zero();
  const fields: SettleField[] = config.fields.map((f) => ({ a: f.a, b: f.b, flow: effectiveDirection(ctx.syncEnabled, config.direction, f.direction).flow, rule: effectiveRule(config.rule, f.rule) }));
  if (!ctx.syncEnabled || config.direction === 'disabled' || fields.every((f) => f.flow === 'none')) {
    outcome.note = !ctx.syncEnabled ? 'Sync is switched off for this integration: nothing was read or written.' : 'The object pair is disabled: nothing was read or written.';
    await ctx.commit({ counts: {}, attempt: randomUUID() });
    return outcome;
  }
  if (ctx.rebuild) await ctx.twoWay.forget(ctx.scope);
  const kept = await ctx.twoWay.cursors(ctx.scope);
  const cursors = ctx.fullSync ? { a: null, b: null } : kept;
  const { scope, twoWay } = ctx;
  const batchSize = Math.max(1, Math.floor(ctx.batchSize));
  const A = await openSide(config.a, 'a', fields.map((f) => f.a), deps, step);
  let opened: SideReader | null = null;
  let cleanup: ChangesOfB | null = null;
  /** Key-map saves still running (an incremental run's hash updates go on while the next page is read and written). */
  let saving: Promise<void> = Promise.resolve();
  /** The last settled page's writes, running while the next page is settled. */
  let writing: Promise<void> = Promise.resolve();
  // This attempt's refused writes are staged under its id: dropped if it fails (a retry writes them again).
  const attempt = randomUUID();
  let committed = false;
  const spool = rejectedSpool(
    (records) => ctx.stage(records),
    (n) => {
      if (n > outcome.peakRejectedHeld) outcome.peakRejectedHeld = n;
    },
    ctx.unstage && ((keys) => ctx.unstage!(keys)),
  );
  try {
    opened = await openSide(config.b, 'b', fields.map((f) => f.b), deps, step);
    const B: SideReader = opened;
    const fieldsA = fields.map((f) => f.a);
    const fieldsB = fields.map((f) => f.b);
    // Hashes by field name go in plain objects unless a field is named `__proto__` (hashRecord).
    // Each side's field types, as settling asks for them (one object for the run, not one per record).
    const typesOf = { a: (f: string) => A.types.get(f), b: (f: string) => B.types.get(f) };
    const plainHashes = !fieldsA.includes('__proto__') && !fieldsB.includes('__proto__');
    // Which field of the other side a written field's value comes from (the first mapping of it, as settling writes).
    const fieldOfBForA = new Map<string, string>();
    const fieldOfAForB = new Map<string, string>();
    for (const f of fields) {
      if (!fieldOfBForA.has(f.a)) fieldOfBForA.set(f.a, f.b);
      if (!fieldOfAForB.has(f.b)) fieldOfAForB.set(f.b, f.a);
    }
    const flowsAB = config.direction === 'push' || config.direction === 'both';
    const flowsBA = config.direction === 'pull' || config.direction === 'both';
    const toB: DeleteDirection = { to: B, from: A, mode: flowsAB ? config.deletesToB : 'ignore', adding: [], removing: [], count: 0 };
    const toA: DeleteDirection = { to: A, from: B, mode: flowsBA ? config.deletesToA : 'ignore', adding: [], removing: [], count: 0 };
    // The candidates wait in the store (the run's run_keys), never all in memory; an earlier attempt's are forgotten
    // (a record it found deleted may have been restored since).
    const deleteKeys = ctx.deleteKeys ?? deleteKeysInMemory();
    // Each direction's delete phase, as the one-way phase (delete-phase.ts): decided once in the run (its threshold a
    // share of the pair count before anything of the run was deleted), recorded `applying` before its first delete, its
    // progress after each delete call, and each call's pairs forgotten before that progress is recorded.
    const phaseRun = ctx.deletePhases?.runId ?? '';
    const phaseStore = ctx.deletePhases?.store ?? deletePhasesInMemory(deleteKeys);
    const phaseOf = (d: DeleteDirection) => ({ nodeId: step.nodeId, side: d.to.name });
    const labelOf = (d: DeleteDirection) => `${step.label} (side ${d.to.name.toUpperCase()}: ${d.to.side.object})`;
    const settingsOf = (d: DeleteDirection) => ({ deletes: d.mode, softDeleteField: d.to.side.deletedField, deleteThresholdPercent: config.deleteThresholdPercent });
    const runClock = ctx.runClock ?? Date.now();
    const resume = (d: DeleteDirection, phase: DeletePhase) =>
      resumeDeletePhase(
        {
          runId: phaseRun,
          target: sessionTarget(d.to.session, d.to.side.object, labelOf(d), d.to.key, d.to.types, async (f) => d.to.types.get(f) ?? null),
          settings: settingsOf(d),
          store: phaseStore,
          runClock,
          // The pairs of the records a call deleted are forgotten with it (idempotent: a retried call forgets them again).
          afterCall: (keys) => twoWay.forgetPairs(scope, keys.map((k) => k.key)),
          // A cancelled attempt (or one Temporal gave up on) stops before its next delete call.
          ...(ctx.check && { stop: ctx.check }),
          setsStepCount: false,
        },
        phase,
      );
    // An earlier attempt of the run decided: a phase it left `applying` is finished first, before anything is read, so
    // this attempt meets none of its records again (their pairs forgotten), neither as deletes nor as changes to echo.
    // Its candidates are then forgotten like any earlier attempt's (applied: a phase applies its candidates once).
    // Taken, not only read (del13): an earlier attempt still running (abandoned) records nothing more of it, and stops
    // before its next delete call; this attempt's own records of it are written only while it still holds it.
    const earlier = new Map<DeleteDirection, DeletePhase>();
    for (const d of [toB, toA]) {
      if (d.mode === 'ignore') continue;
      const found = await phaseStore.takeDeletePhase(phaseRun, phaseOf(d));
      if (found) earlier.set(d, found.state === 'applying' ? await resume(d, found) : found);
    }
    for (const d of [toB, toA]) if (d.mode !== 'ignore') await deleteKeys.clear(d.to.name);
    // A full read of a side whose deletes go across compares keys: the pairs it did not meet are that side's deletes.
    const token = randomUUID();
    const compareA = cursors.a === null && toB.mode !== 'ignore';
    const compareB = cursors.b === null && toA.mode !== 'ignore';
    const pairCount = toB.mode !== 'ignore' || toA.mode !== 'ignore' ? await twoWay.countPairs(scope) : 0;
    const addDelete = (d: DeleteDirection, idA: string, otherId: string) => {
      d.count += 1;
      d.adding.push({ key: idA, values: keyRow(d.to, otherId) });
    };
    /** Sends the candidates found (and taken off) so far to the store once they fill a batch (or `all`). */
    const stageDeletes = async (all = false) => {
      for (const d of [toB, toA]) {
        if (!all && d.adding.length + d.removing.length < batchSize) continue;
        if (d.adding.length > 0) await deleteKeys.add(d.to.name, d.adding.splice(0));
        if (d.removing.length > 0) await deleteKeys.remove(d.to.name, d.removing.splice(0));
      }
    };
    /** Pairs whose both records are gone or deleted: forgotten without deleting anything. */
    const bothGone: string[] = [];
    /** Forgets the pairs gone from both sides so far, once they fill a batch (or `all`): never a run's worth in memory. */
    const forgetGone = async (all = false) => {
      if (bothGone.length === 0 || (!all && bothGone.length < batchSize)) return;
      await twoWay.forgetPairs(scope, bothGone.splice(0));
    };
    // Earlier attempts' held records still staged, and the row numbers they (and any recorded rejections) took.
    const begun = (await ctx.stagedStart?.()) ?? { held: false, lastRowNumber: 0 };
    let rowNumber = begun.lastRowNumber;
    const hold = (n: number) => {
      if (n > outcome.peakHeld) outcome.peakHeld = n;
    };

    // 1. Side B's changes: held in memory while they fit a few pages, else staged in the store page by page (the store
    // finds each one's pair in the same statement).
    const changesB = changesOfB(twoWay, scope, config.match.b, toA.mode !== 'ignore', HELD_B_PAGES * batchSize);
    cleanup = changesB;
    // A's read starts now, one page ahead, so its first page is on its way while B's changes are read; while B's
    // changes are in memory, each A page's pairs are looked up as soon as it arrives (the lookup needs nothing of B).
    const readA = pagesOf(A, cursors.a, batchSize, ctx.check);
    const pagesA = readAhead(
      (async function* () {
        for await (const records of readA.pages) {
          const pairs = changesB.inMemory() ? twoWay.pairsByA(scope, records.map((r) => r.id)) : null;
          pairs?.catch(() => undefined);
          yield { records, pairs };
        }
      })(),
    );
    const carryDeletes = (deleted: StagedDelete[]) => {
      for (const d of deleted) {
        // Deleted on B and paired: the delete goes to A. Deleted and never paired: nothing to carry over or create.
        if (d.pairA !== null) addDelete(toA, d.pairA, d.pairA);
        else outcome.skippedDeleted += 1;
      }
    };
    // A's first page is taken now, so its second is read (and looked up) while B's changes are read.
    const firstA = pagesA.next();
    firstA.catch(() => undefined);
    const readB = pagesOf(B, cursors.b, batchSize, ctx.check);
    for await (const records of readAhead(readB.pages)) {
      outcome.readB += records.length;
      if (compareB) await twoWay.markSeen(scope, 'b', token, records.map((r) => r.id));
      hold(changesB.held() + records.length);
      carryDeletes(await changesB.add(records));
      await stageDeletes();
    }
    carryDeletes(await changesB.finish());
    await stageDeletes();
    const highB = readB.mark();

    // An incremental run whose changes fit in memory: A's pages are read ahead (while B's held changes and A's pages
    // come to fewer than HELD_B_PAGES + 1 pages: never more than HELD_B_PAGES + 2 held) and, when A's read ends there, the B changes no A change takes (their
    // pairs are not among A's) are known before the A pass. They are settled with A's pages, so each page writes to both
    // sides at once (each side its own connection) rather than all of A's changes to B first and then B's to A. Only
    // while the run makes no pair (a pair made may replace one of theirs: the leftovers pass reads them afresh).
    const early: { records: ReadRecord[]; pairs: Promise<TwoWayPair[]> | null }[] = [];
    let apart: string[] = [];
    const first = await firstA;
    if (!first.done) early.push(first.value);
    if (changesB.inMemory() && !compareA && !compareB) {
      let heldA = early.length > 0 ? early[0]!.records.length : 0;
      let ended = first.done === true;
      // Read on while fewer than HELD_B_PAGES + 1 pages are held in all: at most one page more than a run streaming A.
      while (!ended && changesB.held() + heldA < (HELD_B_PAGES + 1) * batchSize) {
        const next = await pagesA.next();
        if (next.done) {
          ended = true;
          break;
        }
        early.push(next.value);
        heldA += next.value.records.length;
        hold(changesB.held() + heldA);
      }
      if (ended && early.every((p) => p.pairs !== null)) {
        // Every A change must have its pair: one without may be matched or created on B, making a pair that replaces
        // one of these (a record created on B under a key B already has paired).
        const taken = new Set<string>();
        const pairedA = new Set<string>();
        for (const page of early) {
          for (const pair of await page.pairs!) {
            taken.add(pair.idB);
            pairedA.add(pair.idA);
          }
        }
        if (early.every((p) => p.records.every((r) => pairedA.has(r.id)))) apart = changesB.apart(taken);
      }
    }
    const share = early.length > 0 ? Math.ceil(apart.length / early.length) : 0;
    const passA = (async function* () {
      try {
        yield* early.splice(0);
        yield* pagesA;
      } finally {
        await pagesA.return(undefined);
      }
    })();

    // The key map grows in pass 2 (a first run makes a pair per record): the planner's statistics of it are refreshed
    // each time the pairs made in the run double, so its lookups keep using indexes. (The stage's lookups are all by
    // the leading column of an index, which no statistics make the planner give up.)
    let madeAtAnalyze = 0;
    let madeCount = 0;

    // 2. Side A's changes, page by page, each paired with the B change of its pair (or of its match value).
    for await (const { records, pairs } of passA) {
      outcome.readA += records.length;
      const ids = records.map((r) => r.id);
      if (compareA) await twoWay.markSeen(scope, 'a', token, ids);
      // The pairs of the page's records, each with its B change taken (in memory, or off the stage in one statement).
      const byA = new Map<string, TwoWayPair>();
      const taken = new Map<string, BChange>();
      for (const { pair, b } of await changesB.takeByA(ids, pairs)) {
        byA.set(pair.idA, pair);
        if (b) taken.set(b.record.id, b);
      }
      const matchKeys = new Set<string>();
      for (const r of records) {
        const k = r.values[config.match.a];
        if (!byA.has(r.id) && !r.deleted && k !== null && k !== undefined && k !== '') matchKeys.add(matchKeyOf(k));
      }
      const byMatch = new Map<string, BChange>();
      for (const c of matchKeys.size > 0 ? await changesB.takeByMatch([...matchKeys]) : []) if (c.matchKey !== null) byMatch.set(c.matchKey, c);
      hold(changesB.held() + records.length + taken.size + byMatch.size);
      const work: Work[] = [];
      for (const rec of records) {
        const pair = byA.get(rec.id) ?? null;
        const other = pair ? (taken.get(pair.idB) ?? null) : null;
        if (rec.deleted) {
          if (pair && toB.mode !== 'ignore') {
            if (other?.deleted) {
              // Deleted on both sides: nothing to apply either way.
              toA.removing.push(pair.idA);
              toA.count -= 1;
              bothGone.push(pair.idA);
            } else addDelete(toB, pair.idA, pair.idB);
            continue;
          }
          if (!pair) {
            outcome.skippedDeleted += 1;
            continue;
          }
        }
        if (pair) {
          // B deleted it and the delete goes to A: the delete wins over A's edits.
          if (other?.deleted) continue;
          work.push({ idA: rec.id, idB: pair.idB, pair, a: rec, b: other ? other.record : null });
          continue;
        }
        const k = rec.values[config.match.a];
        const found = k === null || k === undefined || k === '' ? undefined : byMatch.get(matchKeyOf(k));
        if (found) {
          byMatch.delete(found.matchKey!);
          work.push({ idA: rec.id, idB: found.record.id, pair: null, a: rec, b: found.record });
        } else work.push({ idA: rec.id, idB: null, pair: null, a: rec, b: null });
      }
      // B changes no A change takes, settled with this page (B not read again: `a` null, as in the leftovers pass).
      if (apart.length > 0 && madeCount === 0 && work.every((w) => w.pair !== null)) {
        const added = changesB.takeApart(apart.splice(0, share));
        for (const { b, pair } of added) work.push({ idA: pair.idA, idB: b.record.id, pair, a: null, b: b.record });
        hold(changesB.held() + records.length + taken.size + byMatch.size + added.length);
      }
      await settleAndWrite(work);
      await forgetGone();
      await stageDeletes();
    }
    const highA = readA.mark();

    // 3. B's changes no A change took: paired records whose A did not change, and records with no pair on A.
    for (;;) {
      ctx.check?.();
      const page = await changesB.left(batchSize, madeCount > 0);
      if (page.length === 0) break;
      hold(changesB.held() + page.length);
      const work: Work[] = page.map(({ b, pair }) => ({ idA: pair?.idA ?? null, idB: b.record.id, pair, a: null, b: b.record }));
      await settleAndWrite(work);
      if (page.length < batchSize) break;
    }
    await writing;
    await saving;

    // 4. Key comparison of full reads: the pairs a full read did not meet were deleted on that side.
    const unseen = async (side: 'a' | 'b', d: DeleteDirection) => {
      for (let after: string | null = null; ; ) {
        const page = await twoWay.unseenPairs(scope, side, token, { after, limit: batchSize });
        for (const p of page) {
          // Gone from both sides (both read whole): nothing to delete, the pair is forgotten.
          const otherUnseen = side === 'a' ? compareB && p.seenB !== token : compareA && p.seenA !== token;
          if (otherUnseen) {
            if (side === 'a') bothGone.push(p.idA);
            continue;
          }
          addDelete(d, p.idA, side === 'a' ? p.idB : p.idA);
        }
        await forgetGone();
        await stageDeletes();
        if (page.length < batchSize) break;
        after = page[page.length - 1]!.idA;
      }
    };
    if (compareA) await unseen('a', toB);
    if (compareB) await unseen('b', toA);

    // 5. Deletes per direction, by the one-way engine's threshold rule and apply (delete-phase.ts): counted in the
    // store, read back and applied a call at a time (each call's pairs forgotten), never all in memory. Both directions
    // are decided and recorded before either deletes, so a retry judges every direction on the pair count this run began
    // with, not one shrunk by the other's deletes. A direction decided by an earlier attempt keeps that decision's base;
    // deletes this attempt found besides (made since) are judged with what the run applied under it.
    await stageDeletes(true);
    const counts = new Map<DeleteDirection, number>();
    for (const d of [toB, toA]) if (d.mode !== 'ignore' && d.count > 0) counts.set(d, await deleteKeys.count(d.to.name));
    const anyFound = [...counts.values()].some((n) => n > 0);
    const decided: { d: DeleteDirection; phase: DeletePhase; found: number }[] = [];
    for (const d of [toB, toA]) {
      if (d.mode === 'ignore') continue;
      const found = counts.get(d) ?? 0;
      const before = earlier.get(d);
      // Nothing found: an applied phase stands as it is; a held one is judged again on what the run applied (its held
      // candidates are gone: restored, or deleted meanwhile), so it is held no longer.
      if (found === 0 && (before?.state === 'applied' || (!before && !anyFound))) {
        if (before) decided.push({ d, phase: before, found });
        continue;
      }
      const base = before ?? { targetRecords: pairCount, allowed: allowedDeletes(pairCount, config.deleteThresholdPercent), applied: 0 };
      const phase = await judgeDeletePhase(
        { runId: phaseRun, settings: settingsOf(d), confirm: ctx.confirmDeletes === true, store: phaseStore, label: labelOf(d), phase: phaseOf(d), fence: before?.fence ?? 0 },
        { candidates: base.applied + found, targetRecords: base.targetRecords, allowed: base.allowed, applied: base.applied },
      );
      // Another attempt took the phase since this one did: it goes on with it; this one stops before deleting.
      if (!phase) throw new DeletePhaseTaken(labelOf(d));
      decided.push({ d, phase, found });
    }
    for (const x of decided) if (x.phase.state === 'applying') x.phase = await resume(x.d, x.phase);
    const phases: TwoWayDeletePhase[] = [];
    for (const { d, phase } of decided) {
      // The run's deletes in this direction (an earlier attempt's included): the step's count is set to them, not added.
      if (d.to.name === 'a') outcome.deletedA = phase.applied;
      else outcome.deletedB = phase.applied;
      if (phase.candidates > 0) phases.push({ toSide: d.to.name, label: labelOf(d), state: phase.state, candidates: phase.candidates, targetRecords: phase.targetRecords, allowed: phase.allowed, applied: phase.applied });
    }
    await forgetGone(true);
    const heldPhases = phases.filter((p) => p.state === 'held');

    const written = outcome.writtenA + outcome.writtenB;
    const created = outcome.createdA + outcome.createdB;
    await spool.flush();
    // The held and refused records are counted as rejected by the commit that records them (from the stage: a held
    // record an earlier attempt staged, and acknowledged in the key map, counts once).
    await ctx.commit({
      counts: { read: outcome.readA + outcome.readB, written, created, updated: written - created, unchanged: outcome.echoes, ...(outcome.skippedNoMatch > 0 && { skipped: outcome.skippedNoMatch }) },
      attempt,
    });
    committed = true;
    // The run's deletes, both directions, every attempt's: set after the commit (a retry sets them again).
    if (outcome.deletedA + outcome.deletedB > 0 || earlier.size > 0) await phaseStore.setStepDeleted(phaseRun, step.nodeId, outcome.deletedA + outcome.deletedB);
    if (phases.length > 0) await ctx.recordDeletes?.(phases);
    if (heldPhases.length > 0) {
      // Nothing was deleted and the cursors stay: a "Confirm deletes" run reads the same changes again.
      throw new PlanError(heldPhases.map((p) => describeDeleteSync({ nodeId: step.nodeId, ...p })).join(' '));
    }
    await twoWay.saveCursors(scope, { a: highA, b: highB });
    const full = cursors.a === null && cursors.b === null;
    outcome.note = `${full ? 'Full read of both sides' : 'Changes since the last sync'}: ${outcome.readA} read from A, ${outcome.readB} from B; ${outcome.writtenB} written to B, ${outcome.writtenA} to A; ${outcome.conflicts} conflicts settled by rule, ${outcome.held} held for review, ${outcome.skippedNoMatch} skipped: no match${outcome.deletedA + outcome.deletedB > 0 ? `; ${outcome.deletedB} deleted on B, ${outcome.deletedA} on A` : ''}.`;
    return outcome;

    /** Settles one page of work (at most a batch of records) and writes, then remembers, what changed. */
    async function settleAndWrite(work: Work[]): Promise<void> {
      const writesA: PendingWrite[] = [];
      const writesB: PendingWrite[] = [];
      const saved: { pair: TwoWayPair; old: TwoWayPair | null }[] = [];
      for (const w of work) {
        rowNumber += 1;
        if (w.a && w.b === null && w.pair === null) {
          const row = config.createMissing ? creationFor(fields, 'a', w.a.values) : null;
          if (row && keyMapped(B, row)) writesB.push({ work: w, row, create: true });
          else outcome.skippedNoMatch += 1;
          continue;
        }
        if (w.b && w.a === null && w.pair === null) {
          const row = config.createMissing ? creationFor(fields, 'b', w.b.values) : null;
          if (row && keyMapped(A, row)) writesA.push({ work: w, row, create: true });
          else outcome.skippedNoMatch += 1;
          continue;
        }
        const stateA: SideState = w.a ? { values: w.a.values, changed: changedFields(w.a, fieldsA, A, w.pair?.hashA), updatedAt: w.a.updatedAt } : NOT_READ;
        const stateB: SideState = w.b ? { values: w.b.values, changed: changedFields(w.b, fieldsB, B, w.pair?.hashB), updatedAt: w.b.updatedAt } : NOT_READ;
        if (stateA.changed.size === 0 && stateB.changed.size === 0) {
          outcome.echoes += 1;
          continue;
        }
        const settled = settlePair(fields, stateA, stateB, typesOf);
        outcome.conflicts += settled.conflicts.length;
        // Settled without holding, and the fields a conflict can be held on now agree: an earlier attempt's held record of
        // the pair is void (the person settled it since). An edit of another field alone leaves the conflict standing: the
        // failed attempt saved the held pair's hashes, so this attempt cannot see it changed, and its record stays.
        if (settled.held.length === 0 && begun.held && w.idA && w.idB && reviewFieldsAgree(fields, stateA, stateB, settled, typesOf)) spool.unstage(heldKey(w));
        if (settled.held.length > 0) {
          outcome.held += 1;
          const reason = `Conflict held for review: ${settled.held.map((h) => `${h.a} is ${describe(h.aValue)} in A (${config.a.object}) and ${h.b} is ${describe(h.bValue)} in B (${config.b.object})`).join('; ')}. Edit the value on the side that should win; the next run carries it over.`;
          // Keyed by its pair, for whichever attempt commits: its pair's hashes are saved with the page (acknowledged),
          // so a retry does not hold it again; one that does (the attempt failed before the save) replaces the row.
          spool.push({ key: heldKey(w), attempt: null, nodeId: step.nodeId, rowNumber, source: { ...(w.a?.values ?? keyRow(A, w.idA!)) }, mapped: { ...(w.b?.values ?? keyRow(B, w.idB!)) }, reason });
        }
        const anyB = hasAny(settled.toB);
        const anyA = hasAny(settled.toA);
        if (anyB) writesB.push({ work: w, row: withKey(B, w.idB!, settled.toB), create: false });
        if (anyA) writesA.push({ work: w, row: withKey(A, w.idA!, settled.toA), create: false });
        // Nothing to write (equal values, or held): remember what each side holds now.
        if (!anyA && !anyB) saved.push(pairAfter(w, null, null));
      }
      // A page whose records all keep the pairs they had (an incremental run's) is written, and its pairs' hashes saved,
      // while the next page is read, paired and settled: its writes touch no record and its saves no pair a later page
      // has. A page that may make pairs (which replace others) or a full read's page is finished before the next.
      const overlap = madeCount === 0 && !compareA && !compareB && work.every((w) => w.pair !== null);
      await writing;
      writing = writeAndRemember(writesA, writesB, saved);
      writing.catch(() => undefined);
      if (!overlap) await writing;
    }

    /** Writes a settled page to both sides, then remembers what each pair's records now hold. */
    async function writeAndRemember(writesA: PendingWrite[], writesB: PendingWrite[], saved: { pair: TwoWayPair; old: TwoWayPair | null }[]): Promise<void> {
      ctx.check?.();
      // Each side has its own connection: both are written at once.
      const [writtenB, writtenA] = await Promise.allSettled([writeSide(B, writesB), writeSide(A, writesA)]);
      if (writtenB.status === 'rejected') throw writtenB.reason;
      if (writtenA.status === 'rejected') throw writtenA.reason;
      const resultsB = writtenB.value;
      const resultsA = writtenA.value;
      const failedB = refused(B, writesB, resultsB);
      const failedA = refused(A, writesA, resultsA);
      const finalA = new Map<Work, Row>();
      const finalB = new Map<Work, Row>();
      for (const p of writesB) if (!failedB.has(p.work)) finalB.set(p.work, p.stored ?? p.row);
      for (const p of writesA) if (!failedA.has(p.work)) finalA.set(p.work, p.stored ?? p.row);
      // The page's held and refused records are in the store before its pairs are saved (a held pair's save is what
      // keeps a retry from holding it again), and before the next page is written (bounded: one flush at a time).
      if (spool.held() > 0) await spool.flush();
      const done = new Set<Work>();
      for (const p of [...writesB, ...writesA]) {
        const w = p.work;
        // A refused write leaves the pair as it was remembered, so the next change to it is settled afresh.
        if (failedA.has(w) || failedB.has(w)) continue;
        if (p.create) {
          // A record created on the other side: its id there comes from the values written.
          const target = w.a ? B : A;
          const id = recordId(target.key.map((k) => (p.stored ?? p.row)[k]));
          if (w.a) w.idB = id;
          else w.idA = id;
        }
      }
      for (const p of [...writesB, ...writesA]) {
        const w = p.work;
        if (done.has(w) || failedA.has(w) || failedB.has(w)) continue;
        done.add(w);
        if (w.idA && w.idB) saved.push(pairAfter(w, finalA.get(w) ?? null, finalB.get(w) ?? null));
      }
      // Pairs that keep their ids get their new hashes in one UPDATE (only those that changed, unless a full read
      // marks them seen); pairs made in this run replace any old pair of either record.
      const seen = compareA || compareB ? token : undefined;
      const kept: TwoWayPair[] = [];
      const made: TwoWayPair[] = [];
      for (const p of saved) {
        const old = p.old;
        if (!old) made.push(p.pair);
        // Saved whole (short hashes since migration 25), and only when they changed.
        else if (seen !== undefined || !sameHashes(old.hashA, p.pair.hashA) || !sameHashes(old.hashB, p.pair.hashB)) kept.push(p.pair);
      }
      // Hash updates of pairs that keep their ids touch no pair a later lookup of this run reads (each pair is settled
      // once), so they run on while the next page is read, paired and written; a run that makes pairs (which may
      // replace others) or marks pairs seen saves in step. Awaited before the leftovers, deletes and the commit.
      if (made.length === 0 && madeCount === 0 && seen === undefined) {
        if (kept.length > 0) {
          const update = saving.then(() => twoWay.updatePairs(scope, kept));
          update.catch(() => undefined);
          saving = update;
        }
        return;
      }
      await saving;
      if (kept.length > 0) await twoWay.updatePairs(scope, kept, seen);
      if (made.length > 0) await twoWay.savePairs(scope, made, seen);
      madeCount += made.length;
      if (madeCount >= 2 * Math.max(madeAtAnalyze, batchSize)) {
        madeAtAnalyze = madeCount;
        await twoWay.analyze('pairs');
      }
    }

    /** A pair as it now stands, with the pair it was remembered as when its ids are the same (else it is new). */
    function pairAfter(w: Work, writtenA: Row | null, writtenB: Row | null): { pair: TwoWayPair; old: TwoWayPair | null } {
      const pair = hashesAfter(w, writtenA, writtenB);
      const old = w.pair && w.pair.idA === pair.idA && w.pair.idB === pair.idB ? w.pair : null;
      if (old?.at !== undefined) pair.at = old.at;
      return { pair, old };
    }

    /** One side's hashes after a page: written values', else read values', else those remembered. */
    function mergeHashes(read: ReadRecord | null, written: Row | null, names: string[], side: SideReader, old: Record<string, string> | undefined, from: ReadRecord | null, fromSide: SideReader, fromField: Map<string, string>): Record<string, string> {
      const types = side.types;
      const out = hashRecord(plainHashes);
      for (const f of names) {
        if (written && Object.hasOwn(written, f)) {
          // A value carried over from the other side's record, of the same type there: the hash it was read with.
          const source = from ? fromField.get(f) : undefined;
          const v = written[f];
          out[f] = source !== undefined && Object.is(from!.values[source], v) && fromSide.types.get(source) === types.get(f) ? hashOf(from!, source, fromSide) : valueHash(v, types.get(f));
        } else if (read) out[f] = hashOf(read, f, side);
        else if (old && Object.hasOwn(old, f)) out[f] = old[f]!;
        // A side never read and never written for a new pair holds the other side's values it was created with.
      }
      return out;
    }

    function hashesAfter(w: Work, writtenA: Row | null, writtenB: Row | null): TwoWayPair {
      return {
        idA: w.idA!,
        idB: w.idB!,
        hashA: mergeHashes(w.a, writtenA, fieldsA, A, w.pair?.hashA, w.b, B, fieldOfBForA),
        hashB: mergeHashes(w.b, writtenB, fieldsB, B, w.pair?.hashB, w.a, A, fieldOfAForB),
      };
    }

    /** Writes one side: updates grouped by the fields they set (a write sends the same fields for every row), creations apart. */
    async function writeSide(reader: SideReader, pending: PendingWrite[]): Promise<{ p: PendingWrite; r: RecordResult }[]> {
      const out: { p: PendingWrite; r: RecordResult }[] = [];
      // Rows are built field by field in the mapping's order, so rows setting the same fields list them in the same
      // order; were two in different orders, they would only make two groups (each one write, the same fields). A row
      // is compared with the groups' field lists in place (no key list or signature made per row): a page has a few.
      const groups: { create: boolean; names: string[]; list: PendingWrite[] }[] = [];
      let last: (typeof groups)[number] | undefined;
      for (const p of pending) {
        let group = last !== undefined && last.create === p.create && sameNames(p.row, last.names) ? last : groups.find((g) => g.create === p.create && sameNames(p.row, g.names));
        if (group === undefined) {
          group = { create: p.create, names: Object.keys(p.row), list: [] };
          groups.push(group);
        }
        group.list.push(p);
        last = group;
      }
      for (const { list } of groups) {
        const fieldDefs = Object.keys(list[0]!.row).map((n) => ({ name: n, type: reader.types.get(n) ?? 'text' }));
        for (let i = 0; i < list.length; i += batchSize) {
          ctx.check?.();
          const chunk = list.slice(i, i + batchSize);
          const rows = chunk.map((p) => p.row);
          const results = await reader.session.write(reader.side.object, rows, { mode: chunk[0]!.create ? 'upsert' : 'update', key: reader.key, fields: fieldDefs });
          await readBack(reader, chunk, results, fieldDefs);
          results.forEach((r, j) => out.push({ p: chunk[j]!, r }));
        }
      }
      return out;
    }

    /**
     * The written records as the side now holds them (`PendingWrite.stored`), by one read-only lookup by key of the
     * chunk just written; a side without lookups (the workspace: its records hold the values as sent) keeps the sent.
     */
    async function readBack(reader: SideReader, chunk: PendingWrite[], results: RecordResult[], fieldDefs: Field[]): Promise<void> {
      if (!reader.session.compareRecords) return;
      const written = chunk.filter((_, j) => results[j]?.outcome !== 'rejected');
      if (written.length === 0) return;
      const found = await reader.session.compareRecords(
        reader.side.object,
        written.map((p) => p.row),
        { key: reader.key, fields: fieldDefs },
      );
      written.forEach((p, i) => {
        const answer = found[i];
        if (answer?.state === 'found') p.stored = answer.current;
      });
    }

    /** Counts a side's written records; the refused ones are recorded with their reasons (and returned). */
    function refused(reader: SideReader, pending: PendingWrite[], results: { p: PendingWrite; r: RecordResult }[]): Set<Work> {
      const failed = new Set<Work>();
      if (pending.length === 0) return failed;
      for (const { p, r } of results) {
        if (r.outcome === 'rejected') {
          failed.add(p.work);
          outcome.rejected += 1;
          rowNumber += 1;
          const from = reader.name === 'a' ? p.work.b : p.work.a;
          spool.push({ key: `refused ${attempt} ${rowNumber}`, attempt, nodeId: step.nodeId, rowNumber, source: { ...(from?.values ?? {}) }, mapped: { ...p.row }, reason: `Side ${reader.name.toUpperCase()} (${reader.side.object}) refused the write: ${r.reason}` });
          continue;
        }
        if (reader.name === 'a') {
          outcome.writtenA += 1;
          if (r.outcome === 'created') outcome.createdA += 1;
        } else {
          outcome.writtenB += 1;
          if (r.outcome === 'created') outcome.createdB += 1;
        }
      }
      return failed;
    }
  } finally {
    await writing.catch(() => undefined);
    await saving.catch(() => undefined);
    // What still waits was never staged: its pairs were not saved, so a retry settles (and holds) them again. The
    // attempt's staged refusals are dropped (only its own commit could record them anyway).
    if (!committed) await ctx.dropStaged(attempt).catch(() => undefined);
    await cleanup?.clear().catch(() => undefined);
    await A.session.close().catch(() => undefined);
    await opened?.session.close().catch(() => undefined);
  }
}
