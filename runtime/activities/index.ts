// The activities the sync workflow calls: built by a factory around the store and the connection service, so tests
// and workers wire their own. They keep Temporal's part (context, heartbeats, cancellation, failures); the pipeline
// itself runs in runtime/executors (pipeline-pass.ts, drive.ts).
import { createHash } from 'node:crypto';
import { Context, ApplicationFailure, CancelledFailure, log } from '@temporalio/activity';
import { z } from 'zod';
import { rejectedKeyFields } from '../../shared/sync/rejected-key';
import { Counts, isCancellableRun, RUN_STATUS_LABELS, RunStatus, StepStatus } from '../../shared/api/runs';
import { Plan, type PlanStep } from '../../shared/compiler/plan';
import { ownedSteps } from '../../shared/compiler/plan-steps';
import type { AlertService } from '../alerts';
import { sessionsVia, type SessionOpener } from '../connections/sessions';
import { createExecutor, PlanError, type ExecutorDeps } from '../executors';
import { inboxSource } from '../executors/inbox-source';
import { describeStages, failedAt, runPipelinePass, STORE_FAILURE, storeTagged } from '../executors/pipeline-pass';
import { applyRunFiles } from '../../shared/compiler/run-files';
import { resolveRunParams } from '../../shared/graph/parameters';
import { WEBHOOK_LIMITS } from '../../shared/api/webhooks';
import { loadMemberDirectory, MemberSnapshotError, usesMembers } from '../members/snapshot';
import { publicMessage } from '../public-message';
import { resolveRunFiles } from '../api/run-files';
import type { RunFileRecord, Store, StoredFile } from '../store/types';
import { Outage, OutageHandOver, outageWaits } from './outage';
import { runVerdict } from './run-verdict';
import { createSetActivities } from './sets';
import { beginPipelineSync, targetDeleteSettings } from './pipeline-sync';
import { deleteTargetOf, KEY_PAGE, runDeletePhase } from '../executors/delete-phase';
import { commitAfter, deleteKeysIn } from '../executors/two-way-sync';
import { Partition, partitionKey, PartitionPlan, wholeKey } from '../../shared/sync/partitions';
import { planPartitions } from './partitions';
import { createPartGate, defaultPartsInFlight } from './part-gate';

export interface ActivityDeps {
  store: Store;
  /** Opens sessions on connectors: the connection service runtime/wiring.ts builds once. */
  sessions: SessionOpener;
  /** Rows per batch (default 5,000). */
  batchSize?: number;
  /** Test hook: wait this long after each batch, so a run lasts long enough to be interrupted. */
  batchDelayMs?: number;
  /** Diagnostics (WEFT_STAGE_LOG): log how long each stage of a pipeline pass was busy. */
  stageLog?: boolean;
  /** How long a pipeline waits for an unreachable source or target before it fails (default 15 minutes). */
  outageWindowMs?: number;
  /** The wait between tries while a system is unreachable (default 4 s, doubling, at most 1 minute); tests shorten it. */
  outageBackoff?: { initialMs: number; maxMs: number };
  /** Evaluated once when a run ends (alerts and auto-disable); its sending is queued, never awaited here. */
  alerts?: AlertService;
  /**
   * Issue 16: pipelines this worker reads at once, whole or parts of split ones, whatever its activity slots (default
   * from its heap, part-gate.ts; WEFT_MAX_PIPELINES_IN_FLIGHT); one over it waits, heartbeating, until one ends.
   */
  maxPartsInFlight?: number;
}

export const LoadPlanInput = z.object({ versionId: z.string().min(1) });
export const RunInput = z.object({ runId: z.string().min(1) });
export const BeginRunInput = z.object({ runId: z.string().min(1), versionId: z.string().min(1) });
/** beginRun's answer for a run that had already ended when its workflow began (workflows/inputs.ts `runEndedOf`). */
export interface RunEnded {
  runEnded: RunStatus;
}
export const RunPipelineInput = z.object({
  runId: z.string().min(1),
  versionId: z.string().min(1),
  pipelineId: z.string().min(1),
  /** The run's parameters from the workflow input (absent: the ones stored with the run). */
  params: z.record(z.string(), z.unknown()).optional(),
  /** Issue 16: one part of the pipeline's source (planPartitions), committed under its own checkpoint key. */
  partition: z.object({ index: z.number().int().nonnegative(), part: Partition }).optional(),
  /**
   * Issue 16: plan the parts first, as planPartitions does (the workflow then asks no planPartitions of its own): a
   * source split in parts is not read here, its parts come back in the result; one read whole is read at once.
   */
  planParts: z.boolean().optional(),
  /**
   * Issue 16: run as a local activity inside the workflow's first task, with this budget: batches are issued until it
   * is spent; a pipeline whose source ended within it finishes here, one that did not stops after the batches it
   * issued committed and answers `unfinished` (the ordinary runPipeline then resumes from the checkpoint). A resubmit
   * run, a full worker or an outage answers `unfinished` too (those wait in the ordinary activity, heartbeating).
   */
  budgetMs: z.number().int().positive().optional(),
  /**
   * The outage the budgeted (local) pass stopped at (its `unfinished` answer's): the ordinary activity goes on waiting
   * it out, its window counted from its start, as if it had been waiting from there.
   */
  outage: Outage.optional(),
});
export const PipelineRef = z.object({ runId: z.string().min(1), versionId: z.string().min(1), pipelineId: z.string().min(1) });
export const FailStepsInput = z.object({ runId: z.string().min(1), nodeIds: z.array(z.string()), error: z.string() });
export const CancelStepsInput = z.object({ runId: z.string().min(1), nodeIds: z.array(z.string()) });
export const CreateScheduledRunInput = z.object({ integrationId: z.string().min(1), workflowId: z.string().min(1) });
export const ClaimWebhookRunInput = z.object({ integrationId: z.string().min(1), workflowId: z.string().min(1), executionId: z.string().min(1), turn: z.number().int().nonnegative() });
export const FinishRunInput = z.object({ runId: z.string().min(1), status: RunStatus, error: z.string().nullable() });

/** What a pipeline heartbeats: the last committed batch and where to read from next (and an outage it waits out). */
export const PipelineCheckpoint = z.object({ batch: z.number().int().nonnegative(), cursor: z.unknown(), outage: Outage.optional() });
export type PipelineCheckpoint = z.infer<typeof PipelineCheckpoint>;

export const PipelineResult = z.object({
  pipelineId: z.string(),
  /** Batches committed by this pipeline over all attempts. */
  batches: z.number().int(),
  steps: z.array(z.object({ nodeId: z.string(), status: StepStatus, counts: Counts })),
  /** Asked with `planParts`: the parts to run instead (more than one); nothing was read. */
  partitions: z.array(Partition).optional(),
  /** Asked with `budgetMs`: the budget ran out (or the run needs the ordinary activity) before the source ended. */
  unfinished: z.boolean().optional(),
  /** With `unfinished`: the budgeted pass stopped at this outage (the ordinary activity waits it out). */
  outage: Outage.optional(),
});
export type PipelineResult = z.infer<typeof PipelineResult>;

const DEFAULT_BATCH_SIZE = 5_000;

/** Thrown inside a budgeted (local) pipeline pass when its budget is spent: no further batch is issued. */
class BudgetSpent extends Error {}

/**
 * The most deletes the budgeted (local) pass applies: one page of the delete phase (its key page, 5 delete calls of
 * 1,000), about what one batch of 5,000 rows writes, which is what the pass already lets run past its budget. Applying
 * is not stopped midway (a partial phase would have to be kept across the hand-over), so the budget's check before
 * applying bounds only when it starts: more candidates than this are handed over before any is applied (and before
 * the comparison reads further), and the ordinary activity applies them, heartbeating.
 */
export const LOCAL_DELETES_AT_MOST = KEY_PAGE;

/**
 * The store, answering `getFile` from the file records this pipeline attempt already has: the run's recorded files
 * (`known`, read with the run's steps) and, when `remember` is on, every record it reads (the planning and the file
 * source's check ask for the same one; a read that failed is asked again). A record this store saves is asked for
 * again afterwards. For one attempt only. Off for sessions: a Files target reads its output file's record again after
 * each write, and another run may have appended to it meanwhile.
 */
export function fileRecordsOnce(store: Store, known: readonly StoredFile[] = [], remember = true): Store {
  if (known.length === 0 && !remember) return store;
  const read = new Map<string, ReturnType<Store['getFile']>>(known.map((f) => [f.id, Promise.resolve(f)] as const));
  const getFile: Store['getFile'] = (id) => {
    const had = read.get(id);
    if (had) return had;
    const reading = store.getFile(id);
    if (remember) {
      read.set(id, reading);
      reading.catch(() => read.delete(id));
    }
    return reading;
  };
  const saveFile: Store['saveFile'] = (file) => {
    read.delete(file.id);
    return store.saveFile(file);
  };
  return new Proxy(store, {
    get: (target, prop, receiver) => (prop === 'getFile' ? getFile : prop === 'saveFile' ? saveFile : (Reflect.get(target, prop, receiver) as unknown)),
  });
}

/** Published plans kept in memory per worker: a version never changes, so its plan is read and checked once. */
const PLAN_CACHE_SIZE = 256;
export const DEFAULT_OUTAGE_WINDOW_MS = 15 * 60_000;

/** Plan errors and bad inputs cannot be fixed by a retry: they fail the activity for good, with the message a person reads. */
export function boundary<I, O>(activity: (input: I) => Promise<O>): (input: I) => Promise<O> {
  return async (input) => {
    try {
      return await activity(input);
    } catch (err) {
      if (err instanceof PlanError) throw ApplicationFailure.nonRetryable(publicMessage(err), 'PlanError');
      if (err instanceof z.ZodError) throw ApplicationFailure.nonRetryable(`Invalid activity input: ${z.prettifyError(err)}`, 'InvalidInput');
      if (err instanceof Error && !(err instanceof ApplicationFailure) && !(err instanceof CancelledFailure)) {
        // Sync history shows this message: the statement, its values and server paths go to the log only.
        const shown = publicMessage(err);
        if (shown !== err.message) {
          const detail = { error: err.message.slice(0, 20_000), cause: String((err as { cause?: unknown }).cause ?? '') };
          try {
            log.warn('Activity failed; the message shown was shortened', detail);
          } catch {
            console.warn('Activity failed; the message shown was shortened', detail); // called outside an activity (tests)
          }
          throw ApplicationFailure.create({ message: shown, type: err.name, nonRetryable: false });
        }
      }
      throw err;
    }
  };
}

export function createActivities(deps: ActivityDeps) {
  const { store } = deps;
  const batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;
  const outageWindowMs = deps.outageWindowMs ?? DEFAULT_OUTAGE_WINDOW_MS;
  const outageBackoff = deps.outageBackoff ?? { initialMs: 4_000, maxMs: 60_000 };
  // One gate for every pipeline this worker reads, of any run, whole or in parts: each holds a pipeline window while
  // it reads. Parts come on the parts queue, whose slots are the same budget (worker.ts), so they rarely wait here;
  // whole pipelines come on the run's own queue (Temporal dispatches them eagerly to the worker that ran the workflow
  // task: a separate queue cost 10-row runs 15-42 ms, bound16) and wait here, heartbeating, for a place.
  const partGate = createPartGate(deps.maxPartsInFlight ?? defaultPartsInFlight(batchSize));
  /** A place at the worker's gate, waited for in order (the caller heartbeats meanwhile); cancelling leaves the queue. */
  const enterGate = async (ctx: Context, log: Record<string, unknown>): Promise<() => void> => {
    if (partGate.inFlight >= partGate.limit) ctx.log.info('Pipeline waits for a place on this worker', { ...log, limit: partGate.limit, waiting: partGate.waiting + 1 });
    return partGate.enter(ctx.cancellationSignal, () => new CancelledFailure('The run was cancelled'));
  };

  // A version is immutable, so its checked plan is kept (the oldest entry leaves first). Callers never change it.
  const plans = new Map<string, Plan>();
  async function loadVersionPlan(versionId: string): Promise<Plan> {
    const cached = plans.get(versionId);
    if (cached) return cached;
    const version = await store.getVersion(versionId);
    if (!version) throw new PlanError(`Integration version ${versionId} no longer exists.`);
    const plan = Plan.safeParse(version.plan);
    if (!plan.success) throw new PlanError(`The published plan of version ${version.number} is invalid; publish the integration again.`);
    plans.set(versionId, plan.data);
    if (plans.size > PLAN_CACHE_SIZE) plans.delete(plans.keys().next().value!);
    return plan.data;
  }

  /** A pipeline's steps in order, with a file replaced for this run only (Run with other files…) read instead of the published one. */
  async function pipelineSteps(plan: Plan, runId: string, pipelineId: string): Promise<PlanStep[]> {
    return stepsWithRunFiles(plan, pipelineId, await store.listRunFiles(runId));
  }
  function stepsWithRunFiles(plan: Plan, pipelineId: string, records: readonly RunFileRecord[]): PlanStep[] {
    const pipeline = plan.pipelines.find((p) => p.id === pipelineId);
    if (!pipeline) throw new PlanError(`The plan has no pipeline ${pipelineId}.`);
    return applyRunFiles(
      pipeline.nodeIds.map((id) => {
        const step = plan.steps.find((s) => s.nodeId === id);
        if (!step) throw new PlanError(`The plan has no step ${id}.`);
        return step;
      }),
      records,
    );
  }

  /**
   * The parts a pipeline's source is read in, decided once per run and pipeline and kept in the store (a retry or a
   * resumed run gets the same parts, so their checkpoints still hold). A run that already committed batches of it
   * whole (started before parts existed) stays whole.
   */
  async function decideParts(a: { plan: Plan; runId: string; pipelineId: string; steps: PlanStep[]; resubmit: boolean; committedWhole: boolean; tagFailures?: boolean; files?: Store; check?: () => void }): Promise<PartitionPlan> {
    // Inside runPipeline, failures say whose they are (the source's system, or Weft's store), so an outage is waited out.
    const tag = <T>(p: Promise<T>, nodeId: string | undefined): Promise<T> => (a.tagFailures && nodeId ? p.catch(failedAt(nodeId)) : p);
    const planned = a.committedWhole
      ? { partitions: [], why: 'the run already read it whole' }
      : await tag(planPartitions({ store: a.tagFailures ? storeTagged(a.files ?? store) : (a.files ?? store), sessions: deps.sessions, plan: a.plan, steps: a.steps, resubmit: a.resubmit, ...(a.check && { check: a.check }) }), a.steps[0]?.nodeId);
    // Every decision is kept, "whole" too: a resumed run (a new workflow execution plans again) must not split what
    // its first execution read whole, however the source grew meanwhile.
    const kept = PartitionPlan.safeParse(await tag(store.keepPartitions(a.runId, a.pipelineId, planned), STORE_FAILURE));
    if (!kept.success) throw new PlanError(`The parts kept for pipeline ${a.pipelineId} cannot be read; start a new run.`);
    return kept.data;
  }

  /**
   * Steps failed or cancelled while their delete phase was applying: their `deleted` count says what the phase applied
   * so far (its run page line says it stopped there; the phase sets the count only when it finishes). A two-way step's
   * count is the sum over its directions applying or applied.
   */
  async function stepsDeletedSoFar(runId: string, nodeIds: readonly string[]): Promise<void> {
    if (nodeIds.length === 0) return;
    // A two-way step has one phase per direction (its side recorded with it) and sets its count only after its commit:
    // a failure after its deletes began (a direction applying, or both applied) leaves the sum of both directions.
    const twoWay = new Map<string, number>();
    for (const phase of await store.sync.listDeletePhases(runId)) {
      if (!nodeIds.includes(phase.nodeId)) continue;
      if (!phase.side) {
        if (phase.state === 'applying') await store.sync.setStepDeleted(runId, phase.nodeId, phase.applied);
      } else if (phase.state !== 'held') twoWay.set(phase.nodeId, (twoWay.get(phase.nodeId) ?? 0) + phase.applied);
    }
    for (const [step, applied] of twoWay) await store.sync.setStepDeleted(runId, step, applied);
  }

  /** A resubmit run that ended: each of its inbox records becomes Fixed or Still failing (runtime/store/inbox.ts). */
  async function settleInbox(runId: string): Promise<void> {
    const run = await store.getRun(runId);
    if (run?.trigger !== 'resubmit') return;
    const wroteAll = run.steps.every((s) => s.status === 'completed' || s.status === 'completed_with_errors');
    const failure = `The resubmit run ended ${RUN_STATUS_LABELS[run.status]}${run.error ? `: ${run.error}` : ''}`;
    await store.inbox.settleResubmit(runId, { wroteAll, failure });
  }

  return {
    ...createSetActivities({ store }),
    /** The version's plan: small (steps and config), never rows. The workflow validates it again. */
    loadPlan: boundary(async (input: z.input<typeof LoadPlanInput>): Promise<Plan> => loadVersionPlan(LoadPlanInput.parse(input).versionId)),

    markRunStarted: boundary(async (input: z.input<typeof RunInput>): Promise<void> => {
      await store.markRunStarted(RunInput.parse(input).runId);
    }),

    /**
     * loadPlan and markRunStarted in one call (the workflow runs it as a local activity): the plan, and the run running.
     * A run that ended before its workflow began (Cancel, or a start that failed, recorded between the run's record and
     * its workflow's start) is left as it ended and answered `{ runEnded }`: the workflow then stops without a write and
     * without recording an end over it (review13b: the run wrote, and its end overwrote Cancelled).
     */
    beginRun: boundary(async (input: z.input<typeof BeginRunInput>): Promise<Plan | RunEnded> => {
      const { runId, versionId } = BeginRunInput.parse(input);
      const plan = await loadVersionPlan(versionId);
      if (await store.markRunStarted(runId)) return plan;
      return { runEnded: (await store.getRunState(runId))?.status ?? 'cancelled' };
    }),

    /**
     * Streams one pipeline in batches (runtime/executors/pipeline-pass.ts): read, transform, write, then ONE commit
     * per batch (counts, rejected records, workspace write and checkpoint together), then a heartbeat. Resumes after
     * the last committed batch; waits out an unreachable source or target (outage.ts).
     */
    runPipeline: boundary(async (input: z.input<typeof RunPipelineInput>): Promise<PipelineResult> => {
      const { runId, versionId, pipelineId, params: given, partition, planParts, budgetMs, outage: handedOutage } = RunPipelineInput.parse(input);
      const budgetEnd = budgetMs === undefined || partition ? undefined : Date.now() + budgetMs;
      const plan = await loadVersionPlan(versionId);
      // A part commits under its own checkpoint key; its counts add to the steps' like any batch's (issue 16).
      const checkpointKey = partition ? partitionKey(pipelineId, partition.index) : wholeKey(pipelineId);
      const ctx = Context.current();
      const fromHeartbeat = PipelineCheckpoint.safeParse(ctx.info.heartbeatDetails);
      // What a heartbeat says until the store's checkpoint is read (then the later of the two).
      let checkpoint: PipelineCheckpoint = fromHeartbeat.success ? { batch: fromHeartbeat.data.batch, cursor: fromHeartbeat.data.cursor } : { batch: 0, cursor: null };
      // Issue 16: the first heartbeat waits for the ticker's first tick (a third of the heartbeat timeout), so a
      // pipeline that ends sooner sends none. A heartbeat is a round trip and a write of the activity's state on the
      // server; what a retry resumes from is the store's checkpoint, committed with each batch. An outage is
      // heartbeated at once (the person reads it in Temporal's UI; a retry goes on counting its window).
      let beating = false;
      const beat = () => {
        const outage = outages.current();
        // A local activity has no heartbeats (its workflow task is what the server watches).
        if ((!beating && !outage) || budgetEnd !== undefined) return;
        // Once one went, every one goes: the details must not keep an outage that has ended.
        beating = true;
        ctx.heartbeat({ batch: checkpoint.batch, cursor: checkpoint.cursor, ...(outage && { outage }) });
      };
      // The pipeline's steps as published: their labels and target name an outage met before the run's files are read.
      const published = stepsWithRunFiles(plan, pipelineId, []);
      // An outage this pipeline was riding out when its last worker died (or when its local pass handed it over) goes
      // on counting from when it began.
      const outages = outageWaits({
        // The handed outage only when no attempt heartbeated yet (a first attempt's details are undefined): details
        // without an outage say it ended, and a retry (same input) must not take up the old one with its old start.
        resumed: fromHeartbeat.success ? (fromHeartbeat.data.outage ?? null) : (handedOutage ?? null),
        windowMs: plan.settings?.outageWindowMinutes ? plan.settings.outageWindowMinutes * 60_000 : outageWindowMs,
        backoff: outageBackoff,
        steps: published,
        fallbackNodeId: published[published.length - 1]?.nodeId ?? pipelineId,
        setWaiting: (nodeId, waiting) => store.setStepWaiting(runId, nodeId, waiting),
        sleep: (ms) => ctx.sleep(ms),
        cancelled: () => ctx.cancellationSignal.aborted,
        beat,
        warn: (message) => ctx.log.warn(message, { runId, pipelineId }),
        // A budgeted pass waits out no outage and writes no waiting state: it stops at the first unreachable failure
        // and the ordinary activity waits it out, heartbeating (the store may be what is down).
        ...(budgetEnd !== undefined && { handOver: true }),
      });
      const handedOver = (err: OutageHandOver): PipelineResult => ({ pipelineId, batches: checkpoint.batch, steps: [], unfinished: true, outage: err.outage });
      // The attempt's first reads and writes of the store wait out the store's outage like a commit's, heartbeating: an
      // attempt that starts while the store is down (a retry, or the hand-over from a local pass that met the outage)
      // waits in the same attempt instead of spending Temporal's retries (test/faults/store-outage.test.ts).
      // A budgeted pass gets the outage back (OutageHandOver) instead of waiting.
      const prepared = async <T>(work: () => Promise<T>): Promise<{ value: T } | OutageHandOver> => {
        const waiting = setInterval(() => outages.current() && beat(), Math.max(500, Math.floor((ctx.info.heartbeatTimeoutMs ?? 30_000) / 3)));
        try {
          let out: { value: T } | undefined;
          // Cleared when the store answers after this attempt waited for it (its waiting state recorded here), else
          // kept: an outage of a source or target resumed from a heartbeat or handed over still holds.
          await outages.rideOut(async () => {
            out = { value: await work().catch(failedAt(STORE_FAILURE)) };
          }, 'met');
          return out!;
        } catch (err) {
          if (err instanceof OutageHandOver) return err;
          throw err;
        } finally {
          clearInterval(waiting);
        }
      };
      // The run's record, the checkpoint and the run's files (for the steps, with its replaced files), in one statement
      // (issue 16). Each run file comes with its stored file record: this attempt's file reads need not ask again.
      const started = await prepared(() => store.getPipelineStart(runId, checkpointKey));
      if (started instanceof OutageHandOver) return handedOver(started);
      const start = started.value;
      const steps = stepsWithRunFiles(plan, pipelineId, start.runFiles);
      const runRecord = start.run;
      const storedCheckpoint = start.checkpoint;
      const runFilesRead: StoredFile[] = start.runFiles.map((r) => r.file);
      const owned = ownedSteps(plan, pipelineId);
      // TODAY() and NOW() read the run's start, so a retried batch computes exactly what the first attempt did.
      const runClock = Date.parse(runRecord?.startedAt ?? runRecord?.createdAt ?? new Date().toISOString());
      const resubmit = runRecord?.trigger === 'resubmit';
      // The budgeted (local) pass reads neither the inbox of a resubmit run nor two-way steps: the ordinary activity does.
      if (budgetEnd !== undefined && (resubmit || !runRecord || steps.length < 2)) return { pipelineId, batches: storedCheckpoint.batch, steps: [], unfinished: true };
      // PARAM(name) reads the parameters the run was started with: the workflow input's (the API stored the same checked
      // values on the run, and a resume passes them again), else the stored ones, so a retry or a resume reads the same.
      const params = new Map(Object.entries(given ?? runRecord?.params ?? {}));
      // Issue 14: what this pipeline's source reads in this run (full, or since the kept cursor), fixed at its first start.
      const syncOptions = runRecord?.syncOptions ?? {};
      const synced = resubmit || !runRecord ? undefined : await prepared(() => beginPipelineSync(store, runRecord.integrationId, runId, pipelineId, steps, syncOptions.fullSync === true, syncOptions.refresh === true));
      if (synced instanceof OutageHandOver) return handedOver(synced);
      const pipelineSync = synced?.value;
      // The planning and the file source's check read the same file records: once per attempt (latency16d).
      const files = fileRecordsOnce(store, runFilesRead);
      const executorDeps: ExecutorDeps = {
        store: storeTagged(files),
        // Sessions reach Weft's store (a file's record, workspace records) through the tagged store, so the store
        // failing mid-read is waited out as the store's outage, not the source's (test/faults/store-outage.test.ts).
        // Not the attempt's memo of every record read: a Files target reads its output file's record again after each
        // write; only the run's recorded files are answered from what the attempt read.
        sessions: sessionsVia(deps.sessions, storeTagged(fileRecordsOnce(store, runFilesRead, false))),
        valueMaps: plan.valueMaps,
        now: () => runClock,
        params,
        ...(plan.parameters && { parameters: plan.parameters }),
        // A webhook run's source reads the requests this run drained; reads of the store are the store's failures.
        webhookRequests: storeTagged({ read: (afterSeq: number, limit: number) => store.webhooks.readRunRequests(runId, afterSeq, limit) }),
        ...(pipelineSync && { sync: pipelineSync }),
        ...(partition && { partition: partition.part }),
      };
      // MEMBER reads the member table from memory: loaded once here, when a step of this pipeline calls it.
      if (usesMembers(steps)) {
        const members = await prepared(() =>
          loadMemberDirectory(store, steps[steps.length - 1]).catch((err: unknown) => {
            throw err instanceof MemberSnapshotError ? new PlanError(err.message) : err;
          }),
        );
        if (members instanceof OutageHandOver) return handedOver(members);
        executorDeps.members = members.value;
      }
      const running = await prepared(() => store.setStepsStatus(runId, owned, 'running', null));
      if (running instanceof OutageHandOver) return handedOver(running);

      // A step that is its own pipeline (two-way sync) reads and writes both its sides itself.
      const only = steps.length === 1 ? await createExecutor(steps[0]!, executorDeps) : null;
      if (only?.role === 'sync' && runRecord) {
        const step = steps[0]!;
        const done = (await store.getCheckpoint(runId, wholeKey(pipelineId))).batch;
        const beatTwoWay = setInterval(() => ctx.heartbeat({ batch: done, cursor: null }), Math.max(500, Math.floor((ctx.info.heartbeatTimeoutMs ?? 30_000) / 3)));
        // Both sides' batches are a window too: it reads with a place at the gate like any pipeline.
        let leave: (() => void) | undefined;
        try {
          leave = await enterGate(ctx, { runId, pipelineId });
          const outcome = await only.run({
            scope: { integrationId: runRecord.integrationId, nodeId: step.nodeId },
            twoWay: store.twoWay,
            syncEnabled: plan.settings?.syncEnabled !== false,
            rebuild: params.get('rebuildMatching') === true || params.get('rebuildMatching') === 'true',
            batchSize,
            fullSync: syncOptions.fullSync === true,
            confirmDeletes: syncOptions.confirmDeletes === true,
            runClock,
            // Each direction's delete phase under the step's node id and the side deleted on, decided once in the
            // run and resumed by a retry; the step's deleted count is set from them after the attempt's commit.
            deletePhases: { runId, store: store.sync },
            check: () => {
              if (ctx.cancellationSignal.aborted) throw new CancelledFailure('The run was cancelled');
            },
            // Held and refused records go to the store as the run goes, not into memory until its end.
            stage: (records) => store.stageRejected(runId, pipelineId, records),
            dropStaged: (attempt) => store.dropStagedRejected(runId, pipelineId, attempt),
            stagedStart: () => store.rejectedStageStart(runId, pipelineId, step.nodeId),
            unstage: (keys) => store.unstageRejected(runId, pipelineId, keys),
            // Delete candidates wait in the run's run_keys (under the delete phases' references), applied a page at a time.
            deleteKeys: deleteKeysIn(store.sync, runId, step.nodeId),
            // One commit per attempt, numbered after the batch committed when it began: a retry after an attempt that
            // committed and then failed records what it found (commitAfter); two attempts at once still commit once.
            commit: commitAfter((c) => store.commitBatch(c), { runId, pipelineId, checkpointKey: wholeKey(pipelineId), nodeId: step.nodeId, done }),
          });
          ctx.log.info('Two-way sync finished', { runId, pipelineId, note: outcome.note });
        } finally {
          leave?.();
          clearInterval(beatTwoWay);
        }
        return { pipelineId, batches: 1, steps: await store.completeSteps(runId, [step.nodeId]) };
      }
      const fromStore = storedCheckpoint;
      if (fromStore.batch >= checkpoint.batch) checkpoint = fromStore;
      // A retry after the target's delete phase was decided (`applying`) or applied reads the source no more: every
      // batch committed before the phase was decided, and a source change read now would add candidates the decision
      // never counted (deleted past the threshold, or skipped before the phase's last applied key). It goes straight to
      // the phase; the next run reads that change (the cursor is this run's). Only the pass adds deleted run keys, so
      // the phase's candidate list grows no more once decided: the resume applies the keys decided. A part never has a
      // delete phase (pipelines with deletes are not split).
      const lastStep = steps[steps.length - 1];
      const lastDeletes = pipelineSync && lastStep && !partition ? targetDeleteSettings(lastStep) : null;
      let phaseDecided = false;
      if (lastStep && lastDeletes && lastDeletes.deletes !== 'ignore') {
        const found = await prepared(() => store.sync.getDeletePhase(runId, lastStep.nodeId));
        if (found instanceof OutageHandOver) return handedOver(found);
        phaseDecided = found.value?.state === 'applying' || found.value?.state === 'applied';
      }
      if (checkpoint.batch > 0) ctx.log.info('Resuming pipeline', { runId, pipelineId: checkpointKey, batch: checkpoint.batch });

      // Keep heartbeating while a slow batch or commit is in flight, and while waiting out an outage; a dead worker
      // stops, and is noticed.
      const ticker = setInterval(() => {
        beating = true;
        beat();
      }, Math.max(500, Math.floor((ctx.info.heartbeatTimeoutMs ?? 30_000) / 3)));
      // A pipeline, whole or a part, reads only with a place at the worker's gate (heartbeating while it waits), so a
      // worker's memory is bounded by the budget's windows, not by how many pipelines its activity slots took in.
      let leaveGate: (() => void) | undefined;
      try {
        if (planParts && !partition && !phaseDecided) {
          // Issue 16: the parts are planned here (a large file is scanned once, heartbeating meanwhile); a source that
          // cannot be reached is waited out like a batch's, up to the outage window.
          let parts: PartitionPlan | undefined;
          // A budgeted pass stops a file's scan when its budget is spent (before anything is kept): the ordinary
          // activity plans again, heartbeating.
          const stopPastBudget = () => {
            if (budgetEnd !== undefined && Date.now() >= budgetEnd) throw new BudgetSpent('The local budget is spent');
          };
          try {
            // Cleared on success only if the planning itself met the outage: a handed-over (or resumed) outage of
            // another step (the target) goes on counting from its start until that step answers.
            await outages.rideOut(async () => {
              parts = await decideParts({ plan, runId, pipelineId, steps, resubmit, committedWhole: storedCheckpoint.batch > 0, tagFailures: true, files, ...(budgetEnd !== undefined && { check: stopPastBudget }) });
            }, 'met');
          } catch (err) {
            // An outage in a budgeted pass: the ordinary activity waits it out.
            if (err instanceof OutageHandOver) return handedOver(err);
            if (err instanceof BudgetSpent) return { pipelineId, batches: checkpoint.batch, steps: [], unfinished: true };
            throw err;
          }
          if (parts && parts.partitions.length > 1) return { pipelineId, batches: 0, steps: [], partitions: parts.partitions };
        }
        if (budgetEnd === undefined) leaveGate = await enterGate(ctx, { runId, pipelineId: checkpointKey });
        else {
          // A budgeted pass waits for a place within its budget only (a wave of small runs takes turns quickly); past it,
          // the ordinary activity waits, heartbeating.
          const budgetOver = AbortSignal.timeout(Math.max(1, budgetEnd - Date.now()));
          try {
            leaveGate = await partGate.enter(AbortSignal.any([ctx.cancellationSignal, budgetOver]), () => (ctx.cancellationSignal.aborted ? new CancelledFailure('The run was cancelled') : new BudgetSpent()));
          } catch (err) {
            if (!(err instanceof BudgetSpent)) throw err;
            return { pipelineId, batches: checkpoint.batch, steps: [], unfinished: true };
          }
        }
        const ownedSet = new Set(owned);
        // inbox14: the source fields a rejected record's key is read from (a resubmit run's rejections are attempts).
        const rejectedKey = resubmit ? null : rejectedKeyFields(steps);
        // The target the key belongs to (review14b): another pipeline's record with the same key values is another record.
        const rejectedKeyTarget = steps[steps.length - 1]?.nodeId;
        let spent = false;
        // A budgeted pass issues its first batch whatever the time (its preparation may have been slow under load).
        let issued = 0;
        try {
          if (!phaseDecided) await outages.rideOut(async () => {
            beat();
            await runPipelinePass({
              steps,
              owned: ownedSet,
              deps: executorDeps,
              // A resubmit run's source reads the records the inbox resubmitted, not its system: the rest is this pipeline.
              ...(resubmit && { create: (step: PlanStep, d: ExecutorDeps) => (step.nodeId === steps[0]?.nodeId ? Promise.resolve(inboxSource(step, runId, storeTagged(store.inbox))) : createExecutor(step, d)) }),
              batchSize,
              from: checkpoint,
              ...(deps.stageLog && { stages: (t) => ctx.log.info(`Pipeline pass stages: ${describeStages(t)}`, { runId, pipelineId }) }),
              check: () => {
                if (ctx.cancellationSignal.aborted) throw new CancelledFailure('The run was cancelled');
                // Checked before each batch is issued: the batches already issued still commit (drive.ts), so the pass
                // stops at a committed checkpoint.
                if (budgetEnd !== undefined && issued++ > 0 && Date.now() >= budgetEnd) throw new BudgetSpent('The local budget is spent');
              },
              commit: async (next, effect) => {
                await store.commitBatch({ runId, pipelineId: partition ? checkpointKey : pipelineId, checkpointKey, batch: next.batch, cursor: next.cursor, ...effect, ...(rejectedKey && { rejectedKey, ...(rejectedKeyTarget !== undefined && { rejectedKeyTarget }) }) }).catch(failedAt(STORE_FAILURE));
                checkpoint = next;
                await outages.clear();
                beat();
                if (deps.batchDelayMs) await ctx.sleep(deps.batchDelayMs);
              },
            }).catch((err: unknown) => {
              // The budget is spent: the batches issued have committed, the rest is the ordinary activity's.
              if (!(err instanceof BudgetSpent)) throw err;
              spent = true;
              return 0;
            });
          });
        } catch (err) {
          // An outage in a budgeted pass: the ordinary activity waits it out (nothing was written about it here).
          if (err instanceof OutageHandOver) return handedOver(err);
          throw err;
        }
        if (spent) return { pipelineId, batches: checkpoint.batch, steps: [], unfinished: true };
        // Deletes, once every batch committed: held back above the threshold (the run fails, saying so) or applied.
        const targetStep = steps[steps.length - 1];
        // A part never runs the delete phase: pipelines with deletes are not split (runtime/activities/partitions.ts).
        if (pipelineSync && targetStep && !partition) {
          const settings = targetDeleteSettings(targetStep);
          if (settings && settings.deletes !== 'ignore') {
            // A budgeted pass whose budget is spent leaves the delete phase to the ordinary activity (which resumes at
            // the last checkpoint, reads nothing more and runs it), and stops at a page of the phase's key comparison
            // when the budget runs out there or its candidates pass LOCAL_DELETES_AT_MOST, or before the threshold and
            // applying for either reason (the candidates its comparison added are dropped again, so the ordinary
            // activity's phase finds them again or, not comparing, never deletes them: delete-phase.ts). So what it
            // applies starts within the budget and is at most one page.
            const overBudget = () => budgetEnd !== undefined && Date.now() >= budgetEnd;
            if (overBudget()) return { pipelineId, batches: checkpoint.batch, steps: [], unfinished: true };
            const stopPastBudget = (candidates: number) => {
              if (overBudget()) throw new BudgetSpent('The local budget is spent');
              if (candidates > LOCAL_DELETES_AT_MOST) throw new BudgetSpent('More deletes than the local part applies');
            };
            const stepsNow = (await store.getRunState(runId))?.steps ?? [];
            // The full-sync comparison only when every record of the source reached the target (no filter, no rejection
            // before it): a record held back on the way would otherwise look deleted.
            const whole = pipelineSync.compareKeys && steps.slice(0, -1).every((s) => (stepsNow.find((x) => x.nodeId === s.nodeId)?.counts.rejected ?? 0) === 0);
            const target = await deleteTargetOf(targetStep, deps.sessions);
            if (target) {
              try {
                await runDeletePhase({
                  runId,
                  step: targetStep,
                  target,
                  settings,
                  compareKeys: whole,
                  confirm: syncOptions.confirmDeletes === true,
                  runClock,
                  store: store.sync,
                  ...(budgetEnd !== undefined && { check: stopPastBudget }),
                  // Before each delete call: a cancelled run, or an attempt Temporal gave up on (its heartbeat, which the
                  // ticker goes on sending, learns it; a local part's timeout cancels it), stops there (del13).
                  stop: () => {
                    if (ctx.cancellationSignal.aborted) throw new CancelledFailure('The run was cancelled');
                  },
                });
              } catch (err) {
                if (!(err instanceof BudgetSpent)) throw err;
                return { pipelineId, batches: checkpoint.batch, steps: [], unfinished: true };
              } finally {
                await target.close().catch(() => undefined);
              }
            }
          }
        }
      } finally {
        leaveGate?.();
        clearInterval(ticker);
      }

      // A part leaves the statuses to finishPartitions, once every part has committed its last batch.
      if (partition) return { pipelineId, batches: checkpoint.batch, steps: [] };
      // Statuses from the stored counts, which include batches committed by earlier attempts (one statement).
      return { pipelineId, batches: checkpoint.batch, steps: await store.completeSteps(runId, owned) };
    }),

    /**
     * Issue 16: the parts a pipeline's source is read in (more than one), or none with why (then it runs whole). Kept
     * in the store the first time, so a retry or a resumed run gets the same parts and their checkpoints still hold.
     * Runs that recorded the weft-16-plan-in-pipeline patch plan inside their first runPipeline instead.
     */
    planPartitions: boundary(async (input: z.input<typeof PipelineRef>): Promise<PartitionPlan> => {
      const { runId, versionId, pipelineId } = PipelineRef.parse(input);
      const plan = await loadVersionPlan(versionId);
      const steps = await pipelineSteps(plan, runId, pipelineId);
      const run = await store.getRunState(runId);
      return decideParts({ plan, runId, pipelineId, steps, resubmit: run?.trigger === 'resubmit', committedWhole: (await store.getCheckpoint(runId, wholeKey(pipelineId))).batch > 0 });
    }),

    /** Issue 16: a split pipeline's step statuses, once after all its parts, from the counts they added up. */
    finishPartitions: boundary(async (input: z.input<typeof PipelineRef>): Promise<PipelineResult> => {
      const { runId, versionId, pipelineId } = PipelineRef.parse(input);
      const plan = await loadVersionPlan(versionId);
      const owned = ownedSteps(plan, pipelineId);
      return { pipelineId, batches: 0, steps: await store.completeSteps(runId, owned) };
    }),

    /** Marks steps failed with the error the person will read (a pipeline that ran out of retries). */
    failSteps: boundary(async (input: z.input<typeof FailStepsInput>): Promise<void> => {
      const { runId, nodeIds, error } = FailStepsInput.parse(input);
      await store.setStepsStatus(runId, nodeIds, 'failed', error);
      await stepsDeletedSoFar(runId, nodeIds);
    }),

    /** Marks the steps a cancelled run left open as Cancelled (their committed batches stay, counted). */
    cancelSteps: boundary(async (input: z.input<typeof CancelStepsInput>): Promise<void> => {
      const { runId, nodeIds } = CancelStepsInput.parse(input);
      await store.setStepsStatus(runId, nodeIds, 'cancelled', null);
      await stepsDeletedSoFar(runId, nodeIds);
    }),

    finishRun: boundary(async (input: z.input<typeof FinishRunInput>): Promise<void> => {
      const { runId, status, error } = FinishRunInput.parse(input);
      // Every record rejected, or more than the allowed share: the run is Failed (decided here, not in the workflow).
      const verdict = await runVerdict(store, runId, status, error);
      // Issue 14: the sources' cursors move only when every write of the run committed; a failed or cancelled run
      // leaves them, so the next run reads the same changes again. Before the run says it ended, as before issue 16's
      // one-statement finish (endRun): whoever sees the run ended sees its cursors moved.
      if (verdict.status === 'completed' || verdict.status === 'completed_with_errors') await store.sync.advanceRunCursors(runId);
      const ended = await store.endRun(runId, verdict.status, verdict.error);
      const run = ended;
      if (run?.trigger === 'resubmit') await settleInbox(runId);
      // A completed webhook run has written what it drained: those requests leave the queue (a failed one keeps them to resume).
      if (run?.trigger === 'webhook') await store.webhooks.releaseCompleted(runId);
      // Never throws and never waits for a mail server or a webhook: deliveries retry in the background (runtime/alerts).
      // The run as just recorded (its counts were final before finishRun): the alerts need not read it again.
      await deps.alerts?.afterRun(runId, ended ?? undefined);
    }),

    /**
     * A turn of an integration's webhook drain (workflows/drain-webhook.ts): records a run (trigger webhook) of the
     * current published version over the oldest waiting requests, in one transaction with taking them; null when none
     * wait, or when the integration cannot run now (deactivated, or no published webhook step: its requests wait).
     * The run id comes from the drain's execution and turn, so a retried call finds the run it made.
     */
    claimWebhookRun: boundary(async (input: z.input<typeof ClaimWebhookRunInput>): Promise<{ runId: string; versionId: string; requests: number } | null> => {
      const { integrationId, workflowId, executionId, turn } = ClaimWebhookRunInput.parse(input);
      const runId = `run_w${createHash('sha256').update(`${workflowId}/${executionId}/${turn}`).digest('hex').slice(0, 32)}`;
      const existing = await store.getRun(runId);
      if (existing) return { runId, versionId: existing.versionId, requests: existing.webhookRequests ?? 0 };
      const integration = await store.getIntegration(integrationId);
      if (!integration?.active || !integration.publishedVersionId) return null;
      const version = await store.getVersion(integration.publishedVersionId);
      if (!version || !version.plan.steps.some((s) => s.kind === 'webhook-source')) return null;
      const files = await resolveRunFiles(version.plan, {}, (id) => store.getFile(id));
      const checked = resolveRunParams(version.graph.parameters, {});
      const claimed = await store.webhooks.claimRun(
        {
          id: runId,
          integrationId,
          versionId: version.id,
          params: checked.ok ? checked.params : {},
          steps: version.plan.steps.map((s) => ({ nodeId: s.nodeId, kind: s.kind, label: s.label })),
          files,
        },
        WEBHOOK_LIMITS.maxRequestsPerRun,
      );
      return claimed && { ...claimed, versionId: version.id };
    }),

    /**
     * A Temporal Schedule starts `scheduledSync` with the integration only: this records its run (trigger 'schedule')
     * of the current published version, with the published files. The run id is derived from the workflow id, so a
     * retried call finds the run it made instead of making a second.
     */
    createScheduledRun: boundary(async (input: z.input<typeof CreateScheduledRunInput>): Promise<{ runId: string; versionId: string }> => {
      const { integrationId, workflowId } = CreateScheduledRunInput.parse(input);
      const runId = scheduledRunId(workflowId);
      const existing = await store.getRun(runId);
      // A retry after the run was recorded as not starting (deactivated, a required parameter) must not start it.
      if (existing && !isCancellableRun(existing.status)) throw new PlanError(existing.error ?? 'This scheduled run did not start.');
      const integration = await store.getIntegration(integrationId);
      if (!integration) throw new PlanError(`The scheduled integration ${integrationId} no longer exists.`);
      // A deactivated integration is not run by its schedule either, as Run now and the trigger API refuse it (409):
      // deactivation pauses the Temporal Schedule, but a pause that did not reach Temporal, or a firing already on its
      // way, must not run it (sched13: it did). The firing shows in sync history as Skipped, with the reason.
      if (!integration.active) {
        const why = `Skipped: "${integration.name}" is deactivated${integration.disabledReason ? ` (${integration.disabledReason})` : ''}; its schedule does not run it until it is activated`;
        const versionId = existing?.versionId ?? integration.publishedVersionId;
        if (!versionId) throw new PlanError(why);
        if (!existing) await store.createRun({ id: runId, integrationId, versionId, trigger: 'schedule', params: {}, steps: [] });
        await store.finishRun(runId, 'skipped', why);
        throw new PlanError(why);
      }
      if (existing) return { runId, versionId: existing.versionId };
      const version = integration.publishedVersionId ? await store.getVersion(integration.publishedVersionId) : null;
      if (!version) throw new PlanError(`"${integration.name}" is not published, so its schedule has nothing to run.`);
      const files = await resolveRunFiles(version.plan, {}, (id) => store.getFile(id));
      // A schedule gives no values: the declared parameters' defaults (a required one without a default fails the run).
      const checked = resolveRunParams(version.graph.parameters, {});
      await store.createRun({
        id: runId,
        integrationId,
        versionId: version.id,
        trigger: 'schedule',
        params: checked.ok ? checked.params : {},
        steps: version.plan.steps.map((s) => ({ nodeId: s.nodeId, kind: s.kind, label: s.label })),
        files,
      });
      if (!checked.ok) {
        const why = `A scheduled run cannot start: ${checked.issues.map((i) => i.message).join('; ')}; give the parameter a default`;
        await store.finishRun(runId, 'failed', why);
        throw new PlanError(why);
      }
      return { runId, versionId: version.id };
    }),
  };
}

/** A scheduled run's id: the same for every try of the same scheduled workflow. */
export const scheduledRunId = (workflowId: string) => `run_s${createHash('sha256').update(workflowId).digest('hex').slice(0, 32)}`;

export type Activities = ReturnType<typeof createActivities>;
