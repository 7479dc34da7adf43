// The two-way sync step: reads the records of both sides changed since their cursors, pairs them by the key map (or
// by the match key the first time), settles each pair by the rules of shared/sync/two-way.ts, writes what changes to
// each side, and remembers per pair and side the hash of every synced field value, so that Weft's own writes, read
// back next time, are not taken for changes (echo suppression). Cursors advance after the run's counts commit.
import { createHash } from 'node:crypto';
import type { PlanStep } from '../../shared/compiler/plan';
import type { FieldType } from '../../shared/graph/field-types';
import { TwoWaySyncConfig, WORKSPACE_UPDATED_AT, type TwoWaySide } from '../../shared/graph/kinds/two-way-sync';
import {
  creationFor,
  effectiveDirection,
  effectiveRule,
  normalizeValue,
  recordId,
  settlePair,
  timeOf,
  type SettleField,
  type SideState,
} from '../../shared/sync/two-way';
import { capCursor, cursorKindOf, CursorValue, cursorValueOf, INCLUSIVE_READ, maxCursor, type CursorKind } from '../../shared/sync/cursor';
import type { ConnectorSession, Row } from '../connections/sessions';
import type { NewRejected, StepCounts } from '../store/types';
import type { TwoWayPair, TwoWayScope, TwoWayStore } from '../store/two-way';
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
  /** Records the step's counts and held/rejected records (one commit); cursors advance only after it resolves. */
  commit(effect: { counts: Partial<StepCounts>; rejected: NewRejected[] }): Promise<void>;
  /** Throws when the run was cancelled; called between stages. */
  check?(): void;
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
  note: string | null;
}

export interface SyncExecutor {
  role: 'sync';
  run(ctx: TwoWayRunContext): Promise<TwoWayOutcome>;
}

/** A field value's hash as remembered: 16 bytes of SHA-1 over its normalised JSON, base64. */
export const valueHash = (value: unknown, type: FieldType | undefined): string =>
  createHash('sha1')
    .update(JSON.stringify(normalizeValue(value, type)) ?? 'null')
    .digest('base64')
    .slice(0, 22);


interface ReadRecord {
  id: string;
  values: Row;
  updatedAt: number | null;
}

interface SideReader {
  side: TwoWaySide;
  name: 'a' | 'b';
  session: ConnectorSession;
  isWorkspace: boolean;
  /** The side's record id fields (primary key). */
  key: string[];
  types: Map<string, FieldType>;
}

const zero = (): TwoWayOutcome => ({ readA: 0, readB: 0, writtenA: 0, writtenB: 0, createdA: 0, createdB: 0, conflicts: 0, held: 0, skippedNoMatch: 0, rejected: 0, echoes: 0, note: null });

/**
 * Reads the side's records changed since its cursor, by the incremental engine's rules (shared/sync/cursor.ts): the
 * read is inclusive (`>=` the mark, so records sharing the mark's instant are read again; their hashes make that
 * harmless), the new mark is the highest change time read, never later than when the read began (capCursor).
 */
async function readChanged(reader: SideReader, cursor: unknown, batchSize: number, check?: () => void): Promise<{ records: Map<string, ReadRecord>; cursor: CursorValue | null }> {
  const { side, session } = reader;
  const kind: CursorKind = cursorKindOf(reader.types.get(side.updatedAt) ?? 'datetime') ?? 'time';
  const records = new Map<string, ReadRecord>();
  const since = CursorValue.safeParse(cursor);
  let high: CursorValue | null = since.success ? since.data : null;
  const startedAt = Date.now();
  const options = {
    batchSize,
    ...(since.success && { incremental: { field: side.updatedAt, after: since.data, inclusive: INCLUSIVE_READ } }),
    ...(reader.isWorkspace && { settings: { withUpdatedAt: true } }),
  };
  for await (const batch of session.read(side.object, options)) {
    check?.();
    for (const row of batch.rows) {
      const keyValues = reader.key.map((k) => row[k]);
      if (keyValues.some((v) => v === null || v === undefined || v === '')) continue;
      const stamp = row[side.updatedAt];
      const id = recordId(keyValues);
      records.set(id, { id, values: row, updatedAt: timeOf(stamp) });
      high = maxCursor(kind, high, cursorValueOf(kind, stamp));
    }
  }
  return { records, cursor: capCursor(kind, high, startedAt) };
}

function changedFields(values: Row, fields: readonly string[], types: Map<string, FieldType>, remembered: Record<string, string> | undefined): Set<string> {
  const changed = new Set<string>();
  for (const f of fields) if (!remembered || !Object.hasOwn(remembered, f) || remembered[f] !== valueHash(values[f], types.get(f))) changed.add(f);
  return changed;
}

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

async function openSide(side: TwoWaySide, name: 'a' | 'b', deps: Pick<ExecutorDeps, 'sessions'>, step: PlanStep): Promise<SideReader> {
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
  return { side, name, session, isWorkspace, key: [...key], types };
}

async function runTwoWay(config: TwoWaySyncConfig, step: PlanStep, deps: Pick<ExecutorDeps, 'sessions'>, ctx: TwoWayRunContext): Promise<TwoWayOutcome> {
  const outcome = zero();
  const fields: SettleField[] = config.fields.map((f) => ({ a: f.a, b: f.b, flow: effectiveDirection(ctx.syncEnabled, config.direction, f.direction).flow, rule: effectiveRule(config.rule, f.rule) }));
  if (!ctx.syncEnabled || config.direction === 'disabled' || fields.every((f) => f.flow === 'none')) {
    outcome.note = !ctx.syncEnabled ? 'Sync is switched off for this integration: nothing was read or written.' : 'The object pair is disabled: nothing was read or written.';
    await ctx.commit({ counts: {}, rejected: [] });
    return outcome;
  }
  if (ctx.rebuild) await ctx.twoWay.forget(ctx.scope);
  const cursors = await ctx.twoWay.cursors(ctx.scope);
  const A = await openSide(config.a, 'a', deps, step);
  let opened: SideReader | null = null;
  try {
    opened = await openSide(config.b, 'b', deps, step);
    const B: SideReader = opened;
    const fieldsA = fields.map((f) => f.a);
    const fieldsB = fields.map((f) => f.b);
    const [readA, readB] = await Promise.all([readChanged(A, cursors.a, ctx.batchSize, ctx.check), readChanged(B, cursors.b, ctx.batchSize, ctx.check)]);
    outcome.readA = readA.records.size;
    outcome.readB = readB.records.size;
    ctx.check?.();

    // Pair: the key map first, then the match key among records neither side has paired.
    const byA = new Map((await ctx.twoWay.pairsByA(ctx.scope, [...readA.records.keys()])).map((p) => [p.idA, p]));
    const byB = new Map((await ctx.twoWay.pairsByB(ctx.scope, [...readB.records.keys()])).map((p) => [p.idB, p]));
    interface Work {
      idA: string | null;
      idB: string | null;
      pair: TwoWayPair | null;
      a: ReadRecord | null;
      b: ReadRecord | null;
    }
    const work: Work[] = [];
    const takenB = new Set<string>();
    for (const rec of readA.records.values()) {
      const pair = byA.get(rec.id) ?? null;
      if (pair) {
        takenB.add(pair.idB);
        work.push({ idA: rec.id, idB: pair.idB, pair, a: rec, b: readB.records.get(pair.idB) ?? null });
      }
    }
    for (const rec of readB.records.values()) {
      if (takenB.has(rec.id)) continue;
      const pair = byB.get(rec.id) ?? null;
      if (pair) {
        takenB.add(rec.id);
        work.push({ idA: pair.idA, idB: rec.id, pair, a: null, b: rec });
      }
    }
    const pairedA = new Set(work.map((w) => w.idA));
    const matchKey = (v: unknown) => JSON.stringify(normalizeValue(v, undefined));
    const unpairedB = new Map<string, ReadRecord>();
    for (const rec of readB.records.values()) {
      if (takenB.has(rec.id)) continue;
      const k = rec.values[config.match.b];
      if (k === null || k === undefined || k === '') continue;
      unpairedB.set(matchKey(k), rec);
    }
    for (const rec of readA.records.values()) {
      if (pairedA.has(rec.id)) continue;
      const k = rec.values[config.match.a];
      const other = k === null || k === undefined || k === '' ? undefined : unpairedB.get(matchKey(k));
      if (other) {
        unpairedB.delete(matchKey(k));
        takenB.add(other.id);
        work.push({ idA: rec.id, idB: other.id, pair: null, a: rec, b: other });
      } else work.push({ idA: rec.id, idB: null, pair: null, a: rec, b: null });
    }
    for (const rec of readB.records.values()) if (!takenB.has(rec.id)) work.push({ idA: null, idB: rec.id, pair: null, a: null, b: rec });

    // Settle each record, collecting the writes per side.
    interface PendingWrite {
      work: Work;
      row: Row;
      create: boolean;
    }
    const toA: PendingWrite[] = [];
    const toB: PendingWrite[] = [];
    const rejected: NewRejected[] = [];
    const savedPairs: TwoWayPair[] = [];
    const finalA = new Map<Work, Row>();
    const finalB = new Map<Work, Row>();
    const keyRow = (reader: SideReader, id: string): Row => {
      const values = JSON.parse(id) as unknown[];
      const row = Object.create(null) as Row;
      reader.key.forEach((k, i) => {
        row[k] = values[i];
      });
      return row;
    };
    const keyMapped = (reader: SideReader, written: Row) => reader.key.every((k) => Object.hasOwn(written, k) && written[k] !== null && written[k] !== undefined && written[k] !== '');
    let rowNumber = 0;
    for (const w of work) {
      rowNumber += 1;
      if (w.a && w.b === null && w.pair === null) {
        const row = config.createMissing ? creationFor(fields, 'a', w.a.values) : null;
        if (row && keyMapped(B, row)) toB.push({ work: w, row, create: true });
        else outcome.skippedNoMatch += 1;
        continue;
      }
      if (w.b && w.a === null && w.pair === null) {
        const row = config.createMissing ? creationFor(fields, 'b', w.b.values) : null;
        if (row && keyMapped(A, row)) toA.push({ work: w, row, create: true });
        else outcome.skippedNoMatch += 1;
        continue;
      }
      const stateA: SideState = w.a ? { values: w.a.values, changed: changedFields(w.a.values, fieldsA, A.types, w.pair?.hashA), updatedAt: w.a.updatedAt } : { values: null, changed: new Set(), updatedAt: null };
      const stateB: SideState = w.b ? { values: w.b.values, changed: changedFields(w.b.values, fieldsB, B.types, w.pair?.hashB), updatedAt: w.b.updatedAt } : { values: null, changed: new Set(), updatedAt: null };
      if (stateA.changed.size === 0 && stateB.changed.size === 0) {
        outcome.echoes += 1;
        continue;
      }
      const settled = settlePair(fields, stateA, stateB, { a: (f) => A.types.get(f), b: (f) => B.types.get(f) });
      outcome.conflicts += settled.conflicts.length;
      if (settled.held.length > 0) {
        outcome.held += 1;
        const reason = `Conflict held for review: ${settled.held.map((h) => `${h.a} is ${describe(h.aValue)} in A (${config.a.object}) and ${h.b} is ${describe(h.bValue)} in B (${config.b.object})`).join('; ')}. Edit the value on the side that should win; the next run carries it over.`;
        rejected.push({ nodeId: step.nodeId, rowNumber, source: { ...(w.a?.values ?? keyRow(A, w.idA!)) }, mapped: { ...(w.b?.values ?? keyRow(B, w.idB!)) }, reason });
      }
      if (Object.keys(settled.toB).length > 0) toB.push({ work: w, row: { ...keyRow(B, w.idB!), ...settled.toB }, create: false });
      if (Object.keys(settled.toA).length > 0) toA.push({ work: w, row: { ...keyRow(A, w.idA!), ...settled.toA }, create: false });
      if (Object.keys(settled.toA).length === 0 && Object.keys(settled.toB).length === 0) {
        // Nothing to write (equal values, or held): remember what each side holds now.
        savedPairs.push(pairAfter(w, null, null));
      }
    }
    ctx.check?.();

    function pairAfter(w: Work, writtenA: Row | null, writtenB: Row | null): TwoWayPair {
      const merge = (read: ReadRecord | null, written: Row | null, names: string[], types: Map<string, FieldType>, old: Record<string, string> | undefined) => {
        const out = Object.create(null) as Record<string, string>;
        for (const f of names) {
          if (written && Object.hasOwn(written, f)) out[f] = valueHash(written[f], types.get(f));
          else if (read) out[f] = valueHash(read.values[f], types.get(f));
          else if (old && Object.hasOwn(old, f)) out[f] = old[f]!;
          // A side never read and never written for a new pair holds the other side's values it was created with.
        }
        return out;
      };
      return {
        idA: w.idA!,
        idB: w.idB!,
        hashA: merge(w.a, writtenA ?? finalA.get(w) ?? null, fieldsA, A.types, w.pair?.hashA),
        hashB: merge(w.b, writtenB ?? finalB.get(w) ?? null, fieldsB, B.types, w.pair?.hashB),
      };
    }

    // Write each side: updates grouped by the fields they set (a write sends the same fields for every row), creations apart.
    const writeSide = async (reader: SideReader, pending: PendingWrite[]): Promise<Set<Work>> => {
      const failed = new Set<Work>();
      const groups = new Map<string, PendingWrite[]>();
      for (const p of pending) {
        const names = Object.keys(p.row).sort();
        const sig = `${p.create ? 'c' : 'u'}:${JSON.stringify(names)}`;
        const list = groups.get(sig) ?? [];
        list.push(p);
        groups.set(sig, list);
      }
      for (const list of groups.values()) {
        const names = Object.keys(list[0]!.row);
        const fieldDefs = names.map((n) => ({ name: n, type: reader.types.get(n) ?? 'text' }));
        for (let i = 0; i < list.length; i += ctx.batchSize) {
          ctx.check?.();
          const chunk = list.slice(i, i + ctx.batchSize);
          const results = await reader.session.write(
            reader.side.object,
            chunk.map((p) => p.row),
            { mode: chunk[0]!.create ? 'upsert' : 'update', key: reader.key, fields: fieldDefs },
          );
          results.forEach((r, j) => {
            const p = chunk[j]!;
            if (r.outcome === 'rejected') {
              failed.add(p.work);
              outcome.rejected += 1;
              const from = reader.name === 'a' ? p.work.b : p.work.a;
              rejected.push({ nodeId: step.nodeId, rowNumber: 0, source: { ...(from?.values ?? {}) }, mapped: { ...p.row }, reason: `Side ${reader.name.toUpperCase()} (${reader.side.object}) refused the write: ${r.reason}` });
              return;
            }
            if (reader.name === 'a') {
              outcome.writtenA += 1;
              if (r.outcome === 'created') outcome.createdA += 1;
            } else {
              outcome.writtenB += 1;
              if (r.outcome === 'created') outcome.createdB += 1;
            }
          });
        }
      }
      return failed;
    };

    const failedB = await writeSide(B, toB);
    const failedA = await writeSide(A, toA);
    for (const p of toB) if (!failedB.has(p.work)) finalB.set(p.work, p.row);
    for (const p of toA) if (!failedA.has(p.work)) finalA.set(p.work, p.row);
    for (const p of [...toB, ...toA]) {
      const w = p.work;
      // A refused write leaves the pair as it was remembered, so the next change to it is settled afresh.
      if (failedA.has(w) || failedB.has(w)) continue;
      if (p.create) {
        // A record created on the other side: its id there comes from the values written.
        const target = w.a ? B : A;
        const id = recordId(target.key.map((k) => p.row[k]));
        if (w.a) w.idB = id;
        else w.idA = id;
      }
    }
    const seen = new Set<Work>();
    for (const p of [...toB, ...toA]) {
      const w = p.work;
      if (seen.has(w) || failedA.has(w) || failedB.has(w)) continue;
      seen.add(w);
      if (w.idA && w.idB) savedPairs.push(pairAfter(w, finalA.get(w) ?? null, finalB.get(w) ?? null));
    }
    await ctx.twoWay.savePairs(ctx.scope, savedPairs);

    const written = outcome.writtenA + outcome.writtenB;
    const created = outcome.createdA + outcome.createdB;
    rejected.forEach((r, i) => {
      if (r.rowNumber === 0) r.rowNumber = work.length + i + 1;
    });
    await ctx.commit({
      counts: { read: outcome.readA + outcome.readB, written, created, updated: written - created, unchanged: outcome.echoes, rejected: outcome.held + outcome.rejected, ...(outcome.skippedNoMatch > 0 && { skipped: outcome.skippedNoMatch }) },
      rejected,
    });
    await ctx.twoWay.saveCursors(ctx.scope, { a: readA.cursor, b: readB.cursor });
    outcome.note = `${cursors.a === null && cursors.b === null ? 'Full read of both sides' : 'Changes since the last sync'}: ${outcome.readA} read from A, ${outcome.readB} from B; ${outcome.writtenB} written to B, ${outcome.writtenA} to A; ${outcome.conflicts} conflicts settled by rule, ${outcome.held} held for review, ${outcome.skippedNoMatch} skipped: no match.`;
    return outcome;
  } finally {
    await A.session.close().catch(() => undefined);
    await opened?.session.close().catch(() => undefined);
  }
}
