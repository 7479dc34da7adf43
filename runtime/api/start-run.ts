// Starting a run of an integration's published version: shared by "Run now" (POST /runs) and the trigger API, so
// both refuse the same things (unknown, deactivated, not published, bad files) with the same answers.
import type { z } from 'zod';
import type { RunFilesInput, RunTrigger } from '../../shared';
import { servedRunFile } from '../store/run-files';
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

export async function startRunOf(
  { store, launcher }: Pick<ApiDeps, 'store' | 'launcher'>,
  id: string,
  input: { trigger: RunTrigger; params: Record<string, unknown>; files?: z.infer<typeof RunFilesInput> },
) {
  const integration = await store.getIntegration(id);
  if (!integration) throw notFound('Integration', id);
  if (!integration.active) throw inactiveError(integration);
  if (!integration.publishedVersionId) {
    throw new HttpError(409, 'not_published', 'Publish the integration before running it');
  }
  const version = await store.getVersion(integration.publishedVersionId);
  if (!version) throw new HttpError(409, 'not_published', 'The published version is missing; publish again');
  const files = await resolveRunFiles(version.plan, input.files ?? {}, (fileId) => store.getFile(fileId));
  const run = await store.createRun({
    integrationId: id,
    versionId: version.id,
    trigger: input.trigger,
    params: input.params,
    steps: version.plan.steps.map((s) => ({ nodeId: s.nodeId, kind: s.kind, label: s.label })),
    files,
  });
  const runFiles = (await store.listRunFiles(run.id)).map(servedRunFile);
  try {
    const { workflowId } = await launcher.start({ runId: run.id, versionId: version.id });
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
