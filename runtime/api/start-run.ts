// Starting a run of an integration's published version: the one start path, shared by "Run now" (POST /runs),
// "Run again with the same settings" (POST /runs/:id/rerun) and the trigger API, so all of them refuse the same
// things (unknown, deactivated, not published, bad files, bad parameters) with the same answers.
import type { z } from 'zod';
import { resolveRunParams, type IntegrationVersion, type Run, type RunFilesInput, type RunTrigger } from '../../shared';
import { newId } from '../store/ids';
import { servedRunFile } from '../store/run-files';
import type { StoredFile } from '../store/types';
import { workflowIdForRun } from '../temporal/client';
import type { RunSyncOptions } from '../../shared/sync/options';
import type { ApiDeps } from './deps';
import { HttpError, notFound } from './errors';
import { resolveRunFiles } from './run-files';

/** Why Temporal refused or did not answer, in words: the client's own message ("Failed to start Workflow") says little. */
export function engineFailure(err: unknown): string {
  const texts = [err, err instanceof Error ? err.cause : undefined].map((e) => (e instanceof Error ? e.message : e ? String(e) : ''));
  if (texts.some((t) => /DEADLINE_EXCEEDED|did not answer within/i.test(t))) return 'no answer within 2 s';
  return texts.filter(Boolean).join(': ');
}

/** The 409 a deactivated integration answers, with the reason Weft deactivated it when it did. */
export function inactiveError(integration: { name: string; disabledReason: string | null }): HttpError {
  const why = integration.disabledReason ? ` (${integration.disabledReason})` : '';
  return new HttpError(409, 'inactive', `"${integration.name}" is deactivated${why}; activate it on its page before running it`);
}

/** "6 Dec 2026 01:40 UTC": the server's default run names (the web app sends names in the person's own time). */
export function stamp(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
}

/** The run's parameter values against the version's declarations: 400 naming each bad one (`params.<name>`). */
export function checkedParams(version: Pick<IntegrationVersion, 'graph'>, given: Record<string, unknown>): Record<string, unknown> {
  const checked = resolveRunParams(version.graph.parameters, given);
  if (!checked.ok) {
    throw new HttpError(400, 'invalid_request', `Invalid request: ${checked.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues: checked.issues });
  }
  return checked.params;
}

/** Only the options that are set, so an ordinary run stores `{}`. */
export const syncOptionsOf = (o: RunSyncOptions): RunSyncOptions => ({ ...(o.fullSync && { fullSync: true }), ...(o.confirmDeletes && { confirmDeletes: true }), ...(o.refresh && { refresh: true }) });

const defaultName = (trigger: RunTrigger) =>
  `${trigger === 'api' ? 'API run' : trigger === 'schedule' ? 'Scheduled run' : trigger === 'resubmit' ? 'Resubmit' : 'Manual run'}, ${stamp(new Date())}`;

export async function startRunOf(
  { store, launcher }: Pick<ApiDeps, 'store' | 'launcher'>,
  id: string,
  input: {
    trigger: RunTrigger;
    params: Record<string, unknown>;
    files?: z.infer<typeof RunFilesInput>;
    /** The run's name in the history; empty: "<Manual|API> run, <date>". */
    name?: string;
    /** The person or token that started it. */
    startedBy?: string | null;
    /** The run this one runs again with the same settings. */
    rerunOf?: string | null;
    /** Issue 14: full sync, confirm deletes, sync and refresh (absent: an ordinary run). */
    syncOptions?: RunSyncOptions;
    /** Called with the recorded run before its workflow starts (a resubmit records the run's records here). */
    prepare?: (run: Run, version: IntegrationVersion) => Promise<void>;
  },
) {
  // The integration and its published version in one query (issue 16).
  const found = await store.getIntegrationToRun(id);
  if (!found) throw notFound('Integration', id);
  const { integration } = found;
  if (!integration.active) throw inactiveError(integration);
  if (!integration.publishedVersionId) {
    throw new HttpError(409, 'not_published', 'Publish the integration before running it');
  }
  const { version } = found;
  if (!version) throw new HttpError(409, 'not_published', 'The published version is missing; publish again');
  // Each file is read once: what the run's files are served with below comes from these reads (the files were
  // just checked; a run's files never change once recorded), not from reading them back.
  const seen = new Map<string, StoredFile>();
  const files = await resolveRunFiles(version.plan, input.files ?? {}, async (fileId) => {
    const file = seen.get(fileId) ?? (await store.getFile(fileId));
    if (file) seen.set(fileId, file);
    return file;
  });
  const params = checkedParams(version, input.params);
  // The run's workflow id is known before it starts (issue 16: written with the run, not by a second statement).
  const runId = newId('run');
  const runWorkflowId = workflowIdForRun(runId);
  const run = await store.createRun({
    id: runId,
    workflowId: runWorkflowId,
    integrationId: id,
    versionId: version.id,
    trigger: input.trigger,
    name: input.name || defaultName(input.trigger),
    startedBy: input.startedBy ?? null,
    rerunOf: input.rerunOf ?? null,
    params,
    steps: version.plan.steps.map((s) => ({ nodeId: s.nodeId, kind: s.kind, label: s.label })),
    files,
    ...(input.syncOptions && { syncOptions: syncOptionsOf(input.syncOptions) }),
  });
  // In the steps' order, as listRunFiles serves them.
  const position = (nodeId: string) => version.plan.steps.findIndex((s) => s.nodeId === nodeId);
  const runFiles = [...files]
    .sort((a, b) => position(a.nodeId) - position(b.nodeId))
    .map((f) => servedRunFile({ ...f, nodeLabel: version.plan.steps.find((s) => s.nodeId === f.nodeId)?.label ?? '', file: seen.get(f.fileId)! }));
  if (input.prepare) {
    try {
      await input.prepare(run, version);
    } catch (err) {
      await store.finishRun(run.id, 'failed', `Could not start the run: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  }
  try {
    const { workflowId } = await launcher.start({ runId: run.id, versionId: version.id, ...(Object.keys(params).length > 0 && { params }) });
    if (workflowId !== runWorkflowId) await store.setRunWorkflow(run.id, workflowId);
    return { run, integration, version, files, runFiles, workflowId };
  } catch (err) {
    const reason = engineFailure(err);
    await store.finishRun(run.id, 'failed', `Could not start the run: ${reason}`);
    throw new HttpError(
      503,
      'engine_unavailable',
      `Could not start the run: the execution engine did not answer (${reason}). Temporal may be restarting; try again in a moment.`,
    );
  }
}
