// The delete phase of a one-way run (issue 14), after its pipeline's batches committed: the target's delete candidates
// (records deleted at the source by its soft-delete field, and on a full read the target's records whose keys the run
// never read), held back when there are more than the threshold allows and nobody confirmed, else applied as the
// target's delete or soft delete. `deleteTargetOf` is the target side only (count, keys, delete, soft delete) for the
// database and workspace targets, so the two-way engine can reuse it.
import type { PlanStep } from '../../shared/compiler/plan';
import type { FieldType } from '../../shared/graph/field-types';
import { SqlTargetConfig, targetKey, WorkspaceTargetConfig } from '../../shared/graph/kinds';
import { describeDeleteSync } from '../../shared/sync/options';
import { allowedDeletes, isSoftDeleted, softDeleteValue, type DeleteMode } from '../../shared/sync/target';
import type { ConnectorSession, SessionOpener } from '../connections/sessions';
import type { RunKey } from '../store/types';
import { DeletePhaseTaken, phaseRefOf, type DeletePhase, type PhaseRef, type SyncStateStore } from '../store/sync-state';
import { openSaved } from './sessions';
import { runKeyOf } from './target-sync';
import { PlanError } from './types';

/** Keys per delete or soft-delete call (one transaction each). */
const DELETE_CHUNK = 1_000;
/** Candidate keys read from the store (and applied) at a time. */
export const KEY_PAGE = 5_000;

/** One target's side of deletes: how many records it holds, their keys, and its delete and soft delete. */
export interface DeleteTarget {
  label: string;
  key: string[];
  /** The target's record count for the threshold (a system's statistic above ~100,000 rows), null when unknown. */
  count(): Promise<number | null>;
  /** The target's records' keys, page by page; `skip` drops records already soft-deleted (their flag field set). */
  keys(options?: { skipSoftDeleted?: string }): AsyncIterable<RunKey[]>;
  /** Deletes; returns how many records were there to delete. */
  remove(keys: readonly RunKey[]): Promise<number>;
  /** How many of `keys` have a record (read only); null when the target cannot say. */
  present(keys: readonly RunKey[]): Promise<number | null>;
  /** Sets `field` to the soft-delete value of its type; returns how many records matched. */
  soften(keys: readonly RunKey[], field: string, runClock: number): Promise<number>;
  close(): Promise<void>;
}

export function sessionTarget(
  session: ConnectorSession,
  object: string,
  label: string,
  key: string[],
  keyTypes: ReadonlyMap<string, FieldType>,
  typeOf: (field: string) => Promise<FieldType | null>,
): DeleteTarget {
  return {
    label,
    key,
    async count() {
      return session.estimateRows ? session.estimateRows(object).catch(() => null) : null;
    },
    async *keys(options = {}) {
      for await (const b of session.read(object, { batchSize: KEY_PAGE })) {
        const page: RunKey[] = [];
        for (const row of b.rows) {
          if (options.skipSoftDeleted && isSoftDeleted(row[options.skipSoftDeleted])) continue;
          const k = runKeyOf(row, key);
          if (k) page.push(k);
        }
        yield page;
      }
    },
    async remove(keys) {
      if (!session.deleteRecords) throw new PlanError(`${label} cannot delete records: its connector has no delete.`);
      let deleted = 0;
      for (let i = 0; i < keys.length; i += DELETE_CHUNK) {
        const results = await session.deleteRecords(
          object,
          keys.slice(i, i + DELETE_CHUNK).map((k) => k.values),
          { key },
        );
        deleted += results.filter((r) => r === 'deleted').length;
      }
      return deleted;
    },
    async present(keys) {
      const rows = keys.map((k) => k.values);
      if (session.countRecords) return session.countRecords(object, rows, { key });
      if (!session.compareRecords) return null;
      const fields = key.map((k) => ({ name: k, type: keyTypes.get(k) ?? ('text' as const) }));
      const found = await session.compareRecords(object, rows, { key, fields });
      return new Set(found.flatMap((c, i) => (c.state === 'found' ? [keys[i]!.key] : []))).size;
    },
    async soften(keys, field, runClock) {
      const { type, value } = softDeleteValue(await typeOf(field), runClock);
      const fields = [...key.map((k) => ({ name: k, type: keyTypes.get(k) ?? ('text' as const) })), { name: field, type }];
      let matched = 0;
      for (let i = 0; i < keys.length; i += DELETE_CHUNK) {
        const rows = keys.slice(i, i + DELETE_CHUNK).map((k) => ({ ...k.values, [field]: value }));
        const results = await session.write(object, rows, { mode: 'update', key, fields, missing: 'skip' });
        matched += results.filter((r) => r.outcome === 'updated' || r.outcome === 'unchanged').length;
      }
      return matched;
    },
    close: () => session.close(),
  };
}

/** The delete side of a database or workspace target step; null for a target kind that cannot delete. */
export async function deleteTargetOf(step: PlanStep, sessions: SessionOpener): Promise<DeleteTarget | null> {
  const input = step.input;
  if (!input) throw new PlanError(`${step.label} has no input schema; publish the integration again.`);
  const keyTypes = new Map(input.fields.map((f) => [f.name, f.type]));
  if (step.kind === 'sql-target') {
    const config = SqlTargetConfig.parse(step.config);
    const { key } = targetKey(config, input);
    const session = await openSaved(sessions, config.connectionId, `The connection used by ${step.label} no longer exists. Choose another connection and publish again.`);
    const columns = new Map(config.columns.map((c) => [c.name, c.type]));
    return sessionTarget(session, config.object, step.label, key, new Map([...columns, ...keyTypes]), async (f) => columns.get(f) ?? null);
  }
  if (step.kind === 'workspace-target') {
    const config = WorkspaceTargetConfig.parse(step.config);
    const session = await sessions.openBuiltIn('workspace');
    const typeOf = async (field: string) => (await session.discover()).find((o) => o.name === config.object)?.fields.find((f) => f.name === field)?.type ?? null;
    return sessionTarget(session, config.object, step.label, input.key, keyTypes, typeOf);
  }
  return null;
}

/** What applying a recorded phase needs of the store (two-way's bench runs it on memory). */
export type DeletePhaseStore = Pick<SyncStateStore, 'takeDeletePhase' | 'recordDeletePhase' | 'listDeletedKeys' | 'setStepDeleted'>;

export interface DeletePhaseInput {
  runId: string;
  step: PlanStep;
  target: DeleteTarget;
  settings: { deletes: DeleteMode; softDeleteField: string; deleteThresholdPercent: number };
  /** The run's read of the pipeline's source was full: compare the target's keys with the keys it read. */
  compareKeys: boolean;
  /** "Confirm deletes": apply them even above the threshold. */
  confirm: boolean;
  runClock: number;
  store: SyncStateStore;
  /**
   * Called with the candidates found so far before each page of the key comparison, and with all of them before the
   * threshold and the deletes: may throw to stop the phase there (the local pipeline part's budget, and its bound on
   * how many deletes it applies). Nothing is deleted or recorded yet; the candidates this phase's comparison added to
   * the run's keys are dropped again before the throw goes on, so the next phase starts from the run's own keys: one
   * that compares finds them again (counted once), one that does not (`compareKeys` false) never deletes them. A phase
   * found `applying` (resumed) is checked with its candidates once, before this attempt deletes anything.
   */
  check?: (candidates: number) => void;
  /**
   * Called after each delete or soft-delete call with its keys, before the progress is recorded (two-way: forgets the
   * pairs of the records deleted). Idempotent: a retry of a call whose progress was lost calls it again.
   */
  afterCall?: (keys: readonly RunKey[]) => Promise<void>;
  /**
   * Called before each delete or soft-delete call: throws to stop the phase there (the activity's cancellation: a
   * cancelled run, or an attempt Temporal gave up on, which the attempt learns through its heartbeat or its timeout).
   */
  stop?: () => void;
  /** Sets the step's deleted count when the phase is applied (default); two-way counts them by its commit. */
  setsStepCount?: boolean;
}

/**
 * Gathers the candidates, checks the threshold and applies them. Returns the phase as recorded. Above the threshold
 * without confirmation it records `held`, deletes nothing and throws a PlanError saying so (the run fails; its
 * cursors stay, so a "Confirm deletes" re-run reads the same changes again). Else it records `applying` (candidates,
 * target records and allowed: decided once) before the first delete, and its progress after each delete call; a retry
 * (an ordinary retry, or the ordinary activity after the local part) that finds `applying` neither compares nor judges
 * the threshold again (the target has shrunk by what was applied) but resumes after the last key applied. A phase
 * already applied is not run twice (its step's count is set again: the attempt may have failed before setting it).
 */
export async function runDeletePhase(input: DeletePhaseInput): Promise<DeletePhase> {
  const { runId, step, store } = input;
  const nodeId = step.nodeId;
  // Taken, not only read (del13): an attempt that took the phase before (an abandoned one still in its delete loop) can
  // record nothing more, so it stops before its next delete call. Two attempts deciding at once: the first decision
  // recorded stands; the other's is refused and it takes and resumes that one.
  for (let round = 0; ; round += 1) {
    const done = await store.takeDeletePhase(runId, nodeId);
    if (done?.state === 'applied') {
      if (input.setsStepCount !== false) await store.setStepDeleted(runId, nodeId, done.applied);
      return done;
    }
    // Resumed: the check may still stop it here (the local part's budget and bound), before any delete of this attempt.
    if (done?.state === 'applying') input.check?.(done.candidates);
    const phase = done?.state === 'applying' ? done : await decide(input, done?.fence ?? 0);
    if (phase === null) {
      if (round < 2) continue;
      throw new DeletePhaseTaken(step.label);
    }
    if (phase.state === 'held') throw new PlanError(describeDeleteSync({ ...phase, label: step.label }));
    return resumeDeletePhase(input, phase);
  }
}

/**
 * The candidates and the threshold's decision: `held` (recorded), or `applying` recorded before any delete; null when
 * another attempt recorded a decision since this one took the phase (`fence`; 0: none was recorded).
 */
async function decide(input: DeletePhaseInput, fence: number): Promise<DeletePhase | null> {
  const { runId, step, target, settings, store } = input;
  const nodeId = step.nodeId;
  // The candidates stay in the store, never all in memory (a full sync of a table emptied at the source would hold
  // every key): the keys deleted at the source are the run's deleted run_keys; a full read's comparison adds the
  // target's keys the run never saw to them, page by page; the threshold needs only their number, and they are
  // applied a page at a time. A retried phase finds the keys it added already there (not unseen), so counts them once.
  let count = await store.countDeletedKeys(runId, nodeId);
  let counted: number | null = null;
  // The keys this phase's comparison added, kept only when the phase can be stopped (`check`: the budgeted local
  // part, whose comparison the budget bounds), to drop them when it is.
  const added: string[] | null = input.check ? [] : null;
  const check = async () => {
    try {
      input.check?.(count);
    } catch (err) {
      if (added && added.length > 0) await store.dropKeys(runId, nodeId, added);
      throw err;
    }
  };
  if (input.compareKeys) {
    counted = 0;
    // A record already soft-deleted on the target is not deleted again by every full sync.
    const skip = settings.deletes === 'soft' && settings.softDeleteField ? { skipSoftDeleted: settings.softDeleteField } : {};
    for await (const page of target.keys(skip)) {
      await check();
      counted += page.length;
      const unseen = new Set(await store.unseenKeys(runId, nodeId, page.map((k) => k.key)));
      const found = page.filter((k) => unseen.has(k.key));
      if (found.length === 0) continue;
      const keys = new Set(found.map((k) => k.key));
      // Unseen keys are in no row of the run: dropping them forgets only what this phase wrote.
      added?.push(...keys);
      await store.addDeletedKeys(runId, nodeId, found);
      count += keys.size;
    }
  }
  const targetRecords = Math.max(counted ?? (await target.count()) ?? 0, 0);
  await check();
  const allowed = allowedDeletes(targetRecords, settings.deleteThresholdPercent);
  return judgeDeletePhase({ ...input, label: step.label, phase: nodeId, fence }, { candidates: count, targetRecords, allowed, applied: 0 });
}

/**
 * The threshold's decision, recorded before anything of it is deleted: more candidates than `allowed` and nobody
 * confirmed → `held` (nothing more deleted); else `applying`. `applied`: what the run already deleted under an earlier
 * decision of the same phase (two-way: a retry that found more deletes after a phase applied), counted in `candidates`.
 * Recorded only while the phase is still held by `fence` (what this attempt's take answered; 0: none was recorded):
 * null when another attempt took it or decided it meanwhile (nothing written).
 */
export async function judgeDeletePhase(
  input: Pick<DeletePhaseInput, 'runId' | 'settings' | 'confirm'> & { store: Pick<SyncStateStore, 'recordDeletePhase'>; label: string; phase: PhaseRef; fence: number },
  decision: { candidates: number; targetRecords: number; allowed: number; applied: number },
): Promise<DeletePhase | null> {
  const { runId, settings, store } = input;
  const ref = typeof input.phase === 'string' ? { nodeId: input.phase } : input.phase;
  const base = { runId, ...ref, ...decision, afterKey: null, inFlight: null, fence: input.fence };
  const recorded = async (phase: DeletePhase): Promise<DeletePhase | null> => {
    const fence = await store.recordDeletePhase(phase);
    return fence === null ? null : { ...phase, fence };
  };
  if (decision.candidates > decision.allowed && !input.confirm) return recorded({ ...base, state: 'held' });
  if (settings.deletes === 'soft' && decision.candidates > decision.applied && !settings.softDeleteField) throw new PlanError(`${input.label} soft-deletes records but names no field to set. Choose the soft-delete field and publish again.`);
  return recorded({ ...base, state: 'applying' });
}

/**
 * Applies the candidates after `phase.afterKey`, one delete call (DELETE_CHUNK keys) at a time, recording the progress
 * after each; then records `applied` and sets the step's count. The count is exact across a crash anywhere, assuming
 * nothing else deletes or re-creates the candidates' records at the target meanwhile: 'delete' mode records before
 * each call how many of its keys have a record (`inFlight`); a retry that finds it set re-applies that call and adds
 * that number (one call is one DELETE statement in one transaction: it either deleted those records, or did nothing
 * and the retry's call deletes them). 'soft' counts the records a call matched, and a record already soft-deleted
 * still matches: a retry re-applies the call and counts it as it does. A target that cannot count its records
 * (`present` null; no connector with deletes today) counts what the retried call finds, short by what the lost call
 * deleted.
 *
 * One attempt at a time (del13): every record is written only while the phase is still held by the fence this attempt
 * took it with (`start.fence`), one of them before each delete call, so an attempt another one took the phase from
 * (an abandoned attempt still running beside the retry that resumed it) stops before its next delete call, its progress
 * never recorded over the newer attempt's (DeletePhaseTaken). A call it had in flight when the phase was taken is the
 * one the newer attempt re-applies and counts by its recorded `inFlight`, as after a crash. `stop` is asked before each
 * call too: a cancelled attempt stops there.
 */
export async function resumeDeletePhase(
  input: Pick<DeletePhaseInput, 'runId' | 'target' | 'settings' | 'runClock' | 'afterCall' | 'setsStepCount' | 'stop'> & { store: DeletePhaseStore },
  start: DeletePhase,
): Promise<DeletePhase> {
  const { runId, target, settings, store } = input;
  const ref = phaseRefOf(start);
  let phase = start;
  /** Records the phase while this attempt holds it; else stops here. */
  const record = async (next: DeletePhase) => {
    if ((await store.recordDeletePhase(next)) === null) throw new DeletePhaseTaken(target.label);
    phase = next;
  };
  if (phase.candidates > 0 && settings.deletes !== 'ignore') {
    for (let after = phase.afterKey ?? null; ; ) {
      const page = await store.listDeletedKeys(runId, ref, { after, limit: KEY_PAGE });
      for (let i = 0; i < page.length; i += DELETE_CHUNK) {
        const keys = page.slice(i, i + DELETE_CHUNK);
        input.stop?.();
        let applied: number;
        if (settings.deletes === 'delete') {
          const lost = phase.inFlight ?? null;
          const found = lost ?? (await target.present(keys));
          // Before the call: what it finds, and that this attempt still holds the phase.
          await record({ ...phase, inFlight: found });
          const removed = await target.remove(keys);
          applied = lost ?? removed;
        } else {
          // Before the call: that this attempt still holds the phase.
          await record(phase);
          applied = await target.soften(keys, settings.softDeleteField, input.runClock);
        }
        await input.afterCall?.(keys);
        await record({ ...phase, applied: phase.applied + applied, afterKey: keys[keys.length - 1]!.key, inFlight: null });
      }
      if (page.length < KEY_PAGE) break;
      after = page[page.length - 1]!.key;
    }
  }
  await record({ ...phase, state: 'applied', afterKey: null, inFlight: null });
  if (input.setsStepCount !== false) await store.setStepDeleted(runId, start.nodeId, phase.applied);
  return phase;
}
