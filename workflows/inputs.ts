// The workflows' inputs, checked by hand (issue 16). Every module of the workflow bundle is evaluated again for each
// new workflow (the SDK's sandbox), so the bundle holds no zod: building schemas at load cost several ms of the
// worker's one workflow thread per run. These inputs all come from Weft itself — the API's start (client.ts,
// webhooks.ts, sets.ts), the schedules it writes (schedules.ts, sets.ts) and the parent workflows here — so a check
// of the shape is a guard against a stale schedule or a programming error, not a boundary with the outside world.
// A bad input still fails the workflow at once, without retries, as the zod checks did.
import { ApplicationFailure } from '@temporalio/workflow';
import type { Plan } from '../shared/compiler/plan';

/** How pipelines are retried; the defaults suit production, tests shorten them. */
export interface PipelineTuning {
  heartbeatTimeoutMs?: number | undefined;
  maximumAttempts?: number | undefined;
  initialRetryIntervalMs?: number | undefined;
  /**
   * Issue 16: how long a pipeline first runs as a local activity inside the workflow task (default 2 s; 0: never, every
   * pipeline runs as an ordinary activity). Tests shorten it to make a run continue on the ordinary activity.
   */
  localBudgetMs?: number | undefined;
}

/** Issue 16: the local pipeline part's timeout (startToClose of its local activity). */
export const LOCAL_PIPELINE_TIMEOUT_MS = 10 * 60_000;
/**
 * The largest local budget: a tenth of the local part's timeout. The budget is checked before each batch is issued
 * (and before and within a delete phase), so the local part runs past it by what is in flight then: with this margin
 * it ends by a hand-over to the ordinary activity, not by a TimeoutFailure (a failed attempt, with the timed-out
 * local activity possibly still running beside the ordinary one).
 */
export const MAX_LOCAL_BUDGET_MS = LOCAL_PIPELINE_TIMEOUT_MS / 10;
/** The bound before lat16k (the local part's timeout): a larger budget was refused at a workflow's start, so none runs. */
const OLD_MAX_LOCAL_BUDGET_MS = LOCAL_PIPELINE_TIMEOUT_MS;

export interface SyncIntegrationInput {
  runId: string;
  versionId: string;
  params?: Record<string, unknown> | undefined;
  pipeline?: PipelineTuning | undefined;
}

export interface ScheduledSyncInput {
  integrationId: string;
  pipeline?: PipelineTuning | undefined;
}

export type DrainWebhookInput = ScheduledSyncInput;

export interface RunSetWorkflowInput {
  setRunId: string;
  pipeline?: PipelineTuning | undefined;
}

export interface ScheduledSetInput {
  setId: string;
  pipeline?: PipelineTuning | undefined;
}

type Fields = Record<string, unknown>;
const TUNING_KEYS = ['heartbeatTimeoutMs', 'maximumAttempts', 'initialRetryIntervalMs'] as const;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The input as an object, and its problems so far (a workflow's single argument is always an object). */
function fields(workflow: string, raw: unknown): Fields {
  if (!isObject(raw)) throw invalid(workflow, ['the input is not an object']);
  return raw;
}

function invalid(workflow: string, problems: string[]): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`Invalid ${workflow} input: ${problems.join('; ')}`, 'InvalidInput');
}

function requireId(input: Fields, key: string, problems: string[]): string {
  const value = input[key];
  if (typeof value !== 'string' || value.length === 0) problems.push(`${key} must be a non-empty string`);
  return value as string;
}

/** The tuning with only the keys it knows that are set (what the zod object gave: unknown keys dropped). */
function tuning(input: Fields, problems: string[]): PipelineTuning | undefined {
  const raw = input.pipeline;
  if (raw === undefined) return undefined;
  if (!isObject(raw)) {
    problems.push('pipeline must be an object');
    return undefined;
  }
  const out: PipelineTuning = {};
  const budget = raw.localBudgetMs;
  if (budget !== undefined) {
    // 0 turns the local part off; at most a tenth of the local activity's timeout, so the local part always ends by
    // a hand-over (the batch in flight at the budget's end, a delete phase's page), never by a timeout. A budget up to
    // the old bound (600 000, before lat16k) is taken as the largest: a workflow started with one replays its input
    // through this check after a deploy, and must not fail there.
    if (typeof budget !== 'number' || !Number.isSafeInteger(budget) || budget < 0 || budget > OLD_MAX_LOCAL_BUDGET_MS) problems.push(`pipeline.localBudgetMs must be an integer from 0 to ${MAX_LOCAL_BUDGET_MS}`);
    else out.localBudgetMs = Math.min(budget, MAX_LOCAL_BUDGET_MS);
  }
  for (const key of TUNING_KEYS) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) problems.push(`pipeline.${key} must be a positive integer`);
    else out[key] = value;
  }
  return out;
}

function done<T>(workflow: string, problems: string[], value: T): T {
  if (problems.length > 0) throw invalid(workflow, problems);
  return value;
}

export function checkSyncIntegrationInput(raw: unknown): SyncIntegrationInput {
  const input = fields('syncIntegration', raw);
  const problems: string[] = [];
  const runId = requireId(input, 'runId', problems);
  const versionId = requireId(input, 'versionId', problems);
  const params = input.params;
  if (params !== undefined && !isObject(params)) problems.push('params must be an object');
  const pipeline = tuning(input, problems);
  return done('syncIntegration', problems, {
    runId,
    versionId,
    ...(params !== undefined && { params: params as Record<string, unknown> }),
    ...(pipeline && { pipeline }),
  });
}

function checkKeyed<K extends string>(workflow: string, key: K, raw: unknown): { [P in K]: string } & { pipeline?: PipelineTuning } {
  const input = fields(workflow, raw);
  const problems: string[] = [];
  const id = requireId(input, key, problems);
  const pipeline = tuning(input, problems);
  return done(workflow, problems, { [key]: id, ...(pipeline && { pipeline }) } as { [P in K]: string } & { pipeline?: PipelineTuning });
}

export const checkScheduledSyncInput = (raw: unknown): ScheduledSyncInput => checkKeyed('scheduledSync', 'integrationId', raw);
export const checkDrainWebhookInput = (raw: unknown): DrainWebhookInput => checkKeyed('drainWebhook', 'integrationId', raw);
export const checkRunSetInput = (raw: unknown): RunSetWorkflowInput => checkKeyed('runSet', 'setRunId', raw);
export const checkScheduledSetInput = (raw: unknown): ScheduledSetInput => checkKeyed('scheduledSet', 'setId', raw);

/**
 * beginRun's answer for a run that had already ended when its workflow began (a Cancel, or a failed start, recorded
 * between the run's record and its workflow's start): the run's status, or undefined for a plan.
 */
export function runEndedOf(value: unknown): string | undefined {
  return isObject(value) && typeof value.runEnded === 'string' ? value.runEnded : undefined;
}

/**
 * The plan beginRun/loadPlan answered, checked for the parts this workflow reads (its steps' and pipelines' ids, its
 * settings).
 * Those activities answer only a plan that passed the zod `Plan` schema (runtime/activities loadVersionPlan, which
 * throws a PlanError otherwise), so this is a guard, not the plan's check.
 */
export function isPlanShape(value: unknown): value is Pick<Plan, 'steps' | 'pipelines' | 'settings'> {
  if (!isObject(value) || !Array.isArray(value.steps) || !Array.isArray(value.pipelines)) return false;
  if (value.settings !== undefined && !isObject(value.settings)) return false;
  return (
    value.steps.every((s: unknown) => isObject(s) && typeof s.nodeId === 'string') &&
    value.pipelines.every((p: unknown) => isObject(p) && typeof p.id === 'string' && Array.isArray(p.nodeIds) && p.nodeIds.every((n: unknown) => typeof n === 'string'))
  );
}
