// The bookkeeping of an integration set's run (workflows/run-set.ts): begin, start each member's run of its
// integration's current published version (trigger 'set', started by the set's name, linked to the set run), record
// why a member could not start, and finish. Every id is derived from the set run, so a retried activity finds what it made.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { resolveRunParams } from '../../shared/graph/parameters';
import { isCancellableRun, RunStatus } from '../../shared/api/runs';
import { setRunWorkflowId } from '../../shared/api/sets';
import { resolveRunFiles } from '../api/run-files';
import { stamp } from '../api/start-run';
import { PlanError } from '../executors';
import type { Store } from '../store/types';
import { boundary } from './index';

export const SetRunInput = z.object({ setRunId: z.string().min(1) });
export const StartSetMemberInput = z.object({ setRunId: z.string().min(1), position: z.number().int().nonnegative(), workflowId: z.string().min(1) });
export const FailSetMemberInput = z.object({ setRunId: z.string().min(1), position: z.number().int().nonnegative(), runId: z.string().min(1), error: z.string() });
export const MemberRunInput = z.object({ runId: z.string().min(1) });
export const FinishSetRunInput = z.object({ setRunId: z.string().min(1), status: RunStatus, error: z.string().nullable() });
export const CreateScheduledSetRunInput = z.object({ setId: z.string().min(1), workflowId: z.string().min(1) });

export type StartedMember =
  | { kind: 'started'; runId: string; versionId: string; params?: Record<string, unknown> }
  | { kind: 'refused'; error: string };

/** A member run's id: the same for every try of the same set run and position. */
export const setMemberRunId = (setRunId: string, position: number) => `run_m${createHash('sha256').update(`${setRunId}/${position}`).digest('hex').slice(0, 32)}`;
/** A scheduled set run's id: the same for every try of the same scheduled workflow. */
export const scheduledSetRunId = (workflowId: string) => `srn_s${createHash('sha256').update(workflowId).digest('hex').slice(0, 32)}`;

/** What a member gets when its set run has ended before it could start (the set was cancelled). */
const SET_ENDED = 'The set run was cancelled before this integration started.';

/** A member run that will never start (its set was cancelled first) is recorded Cancelled, not left Queued. */
async function closeQueued(store: Store, runId: string): Promise<void> {
  const run = await store.getRunState(runId);
  if (run?.status === 'queued') await store.finishRun(runId, 'cancelled', SET_ENDED);
}

/**
 * Records a set run Cancelled. Its workflow waited for the current child to record its own run Cancelled, so a member
 * run still Queued is one whose workflow never started (the cancellation came while startSetMember ran): nothing else
 * would ever end it, and an integration with a run in progress cannot be deleted. Also used by the cancel route when
 * the set run's workflow is gone.
 */
export async function recordSetRunCancelled(store: Store, setRunId: string, error: string): Promise<void> {
  const before = await store.sets.getSetRun(setRunId);
  if (!before || !isCancellableRun(before.status)) return;
  await store.sets.finishSetRun(setRunId, 'cancelled', error);
  // The members read after the set run says Cancelled: a startSetMember that recorded its run before this point is
  // seen here, and one that records it later sees the set run ended and closes its own.
  const after = await store.sets.getSetRun(setRunId);
  for (const m of after?.members ?? []) if (m.runId) await closeQueued(store, m.runId);
}

export function createSetActivities({ store }: { store: Store }) {
  return {
    /** queued → running; the members (snapshot taken when the set run was made) and whether to abort on a failure. */
    beginSetRun: boundary(async (input: z.input<typeof SetRunInput>) => {
      const { setRunId } = SetRunInput.parse(input);
      const run = await store.sets.getSetRun(setRunId);
      if (!run) throw new PlanError(`Set run ${setRunId} no longer exists.`);
      await store.sets.markSetRunStarted(setRunId);
      return { abortOnFailure: run.abortOnFailure, members: run.members.map((m) => ({ integrationId: m.integrationId, name: m.name })) };
    }),

    /**
     * Records member `position`'s run of its integration's published version, as the integration's own runs are: it
     * shows in the integration's history as "Set: <name>". An integration deleted, unpublished or deactivated since the
     * set was saved gets no run: the set run records why, and the member counts as failed.
     */
    startSetMember: boundary(async (input: z.input<typeof StartSetMemberInput>): Promise<StartedMember> => {
      const { setRunId, position, workflowId } = StartSetMemberInput.parse(input);
      const setRun = await store.sets.getSetRun(setRunId);
      if (!setRun) throw new PlanError(`Set run ${setRunId} no longer exists.`);
      const member = setRun.members[position];
      if (!member) throw new PlanError(`Set run ${setRunId} has no member ${position + 1}.`);
      const runId = setMemberRunId(setRunId, position);
      const existing = await store.getRun(runId);
      if (existing) return { kind: 'started', runId, versionId: existing.versionId, ...(Object.keys(existing.params).length > 0 && { params: existing.params }) };

      const refuse = async (error: string): Promise<StartedMember> => {
        await store.sets.setSetRunMember(setRunId, position, { error });
        return { kind: 'refused', error };
      };
      // The set run ended meanwhile (cancelled while this activity ran: its workflow no longer waits for this answer and
      // will start no child): no run is recorded, or it would stay Queued for good.
      if (!isCancellableRun(setRun.status)) return { kind: 'refused', error: SET_ENDED };
      const integration = await store.getIntegration(member.integrationId);
      if (!integration) return refuse(`"${member.name}" no longer exists.`);
      if (!integration.active) return refuse(`"${integration.name}" is deactivated${integration.disabledReason ? ` (${integration.disabledReason})` : ''}.`);
      const version = integration.publishedVersionId ? await store.getVersion(integration.publishedVersionId) : null;
      if (!version) return refuse(`"${integration.name}" is not published.`);
      const files = await resolveRunFiles(version.plan, {}, (id) => store.getFile(id));
      // A set gives no values: the declared parameters' defaults, as a schedule does.
      const checked = resolveRunParams(version.graph.parameters, {});
      const set = await store.sets.getSet(setRun.setId);
      await store.createRun({
        id: runId,
        integrationId: integration.id,
        versionId: version.id,
        trigger: 'set',
        name: `${set?.name ?? setRun.name}, ${stamp(new Date())}`,
        startedBy: set?.name ?? setRun.name,
        setRunId,
        params: checked.ok ? checked.params : {},
        steps: version.plan.steps.map((s) => ({ nodeId: s.nodeId, kind: s.kind, label: s.label })),
        files,
      });
      await store.setRunWorkflow(runId, workflowId);
      await store.sets.setSetRunMember(setRunId, position, { runId });
      // Cancelled between the check above and the run's insert: finishSetRun may have closed the set's queued runs
      // before this one existed, so this one closes itself.
      const now = await store.sets.getSetRun(setRunId);
      if (now && !isCancellableRun(now.status)) {
        await closeQueued(store, runId);
        return { kind: 'refused', error: SET_ENDED };
      }
      if (!checked.ok) {
        const why = `The set cannot run it: ${checked.issues.map((i) => i.message).join('; ')}; give the parameter a default`;
        await store.finishRun(runId, 'failed', why);
        return { kind: 'refused', error: why };
      }
      return { kind: 'started', runId, versionId: version.id, ...(Object.keys(checked.params).length > 0 && { params: checked.params }) };
    }),

    /** A member whose workflow failed outright (not a run that ended Failed): its run says so, if it is still open. */
    failSetMember: boundary(async (input: z.input<typeof FailSetMemberInput>): Promise<void> => {
      const { runId, error } = FailSetMemberInput.parse(input);
      const run = await store.getRun(runId);
      if (run && (run.status === 'queued' || run.status === 'running')) await store.finishRun(runId, 'failed', error);
    }),

    /** The member run's status as recorded: the run's verdict (every record rejected: Failed) is decided when it finishes, not in the workflow. */
    memberRunStatus: boundary(async (input: z.input<typeof MemberRunInput>): Promise<RunStatus> => {
      const { runId } = MemberRunInput.parse(input);
      const run = await store.getRun(runId);
      if (!run) throw new PlanError(`Run ${runId} no longer exists.`);
      return run.status;
    }),

    finishSetRun: boundary(async (input: z.input<typeof FinishSetRunInput>): Promise<void> => {
      const { setRunId, status, error } = FinishSetRunInput.parse(input);
      if (status === 'cancelled') await recordSetRunCancelled(store, setRunId, error ?? 'Cancelled.');
      else await store.sets.finishSetRun(setRunId, status, error);
    }),

    /** A set's Temporal Schedule starts `scheduledSet` with the set only: this records the set run (trigger 'schedule'). */
    createScheduledSetRun: boundary(async (input: z.input<typeof CreateScheduledSetRunInput>): Promise<{ setRunId: string }> => {
      const { setId, workflowId } = CreateScheduledSetRunInput.parse(input);
      const setRunId = scheduledSetRunId(workflowId);
      if (await store.sets.getSetRun(setRunId)) return { setRunId };
      const set = await store.sets.getSet(setId);
      if (!set) throw new PlanError(`The scheduled set ${setId} no longer exists.`);
      const members = await Promise.all(set.members.map(async (id) => ({ integrationId: id, name: (await store.getIntegration(id))?.name ?? '' })));
      await store.sets.createSetRun({
        id: setRunId,
        setId,
        name: `Scheduled run, ${stamp(new Date())}`,
        trigger: 'schedule',
        startedBy: null,
        abortOnFailure: set.abortOnFailure,
        members,
      });
      await store.sets.setSetRunWorkflow(setRunId, setRunWorkflowId(setRunId));
      return { setRunId };
    }),
  };
}
