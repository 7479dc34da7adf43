// Runs: start one from the published version, list them, read one with its steps, stream progress.
import { OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { Context } from 'hono';
import { StartRunInput, isCancellableRun, isTerminalRun, resolveRunParams, RUN_STATUS_LABELS, type IntegrationVersion, type RunTrigger } from '../../shared';
import type { NewRunFile } from '../store/types';
import { servedRunFile } from '../store/run-files';
import { audit } from './audit-log';
import type { ApiDeps } from './deps';
import { access, serve, type AuthEnv } from './guard';
import { HttpError, notFound, validationHook, usual } from './errors';
import { listFileSources, resolveRunFiles } from './run-files';
import { workflowIdForRun } from '../temporal/client';
import * as routes from '../../shared/api/routes';


const start = serve(routes.startRun, {
  ...access('run'),
  tags: ['Runs'],
  summary: 'Start a run of the published version, optionally with other files for its file sources; returns the run id at once',
  responses: { 202: 'Started', 400: 'A parameter of the wrong type, a missing required parameter or an undeclared one (each named as `params.<name>`), or bad files', 404: usual[404], 409: 'Not published yet', 422: 'A replacement file names no file source of the published version, is missing, or lacks columns the node reads', 503: 'The execution engine (Temporal) is unreachable' },
});

const resume = serve(routes.resumeRun, {
  ...access('run'),
  tags: ['Runs'],
  summary: 'Resume a failed run from its last committed checkpoint, with the same version, settings and files',
  responses: { 202: 'Resumed', 404: usual[404], 409: 'The run has not failed, so there is nothing to resume', 503: 'The execution engine (Temporal) is unreachable' },
});

const cancel = serve(routes.cancelRun, {
  ...access('run'),
  tags: ['Runs'],
  summary: 'Cancel a queued or running run: the batch in flight finishes committing or rolls back, then the run ends Cancelled',
  responses: { 202: 'Cancellation requested (the run says Cancelled once its workflow has stopped)', 404: usual[404], 409: 'The run has already ended', 503: 'The execution engine (Temporal) is unreachable' },
});

const rerun = serve(routes.rerun, {
  ...access('run'),
  tags: ['Runs'],
  summary: "Run again with the same settings: a new run of the integration's published version with this run's parameters and replaced files",
  responses: { 202: 'Started', 400: usual[400], 404: usual[404], 409: 'The integration is not published any more', 422: "A replaced file no longer fits the published version's file source", 503: 'The execution engine (Temporal) is unreachable' },
});

const runOptions = serve(routes.getRunOptions, {
  ...access('read'),
  tags: ['Runs'],
  summary: "What a run of the published version takes: its declared parameters and its file sources (the Run now dialog)",
  responses: { 200: 'Parameters and file sources', 404: usual[404], 409: 'Not published yet' },
});

const fileSources = serve(routes.listFileSources, {
  ...access('read'),
  tags: ['Runs'],
  summary: "The published version's file sources: the file each reads and the columns a replacement must have",
  responses: { 200: 'File sources', 404: usual[404], 409: 'Not published yet' },
});

const listRuns = serve(routes.listRuns, {
  ...access('read'),
  tags: ['Runs'],
  summary: "An integration's sync history, newest first",
  responses: { 200: 'Runs', 404: usual[404] },
});

const getRun = serve(routes.getRun, {
  ...access('read'),
  tags: ['Runs'],
  summary: 'One run with the status and counts of each step',
  responses: { 200: 'The run', 404: usual[404] },
});

const rejected = serve(routes.listRejected, {
  ...access('read'),
  tags: ['Runs'],
  summary: 'Records a run rejected, with their source values and the reason',
  responses: { 200: 'Rejected records', 404: usual[404] },
});

const events = serve(routes.runEvents, {
  ...access('read'),
  tags: ['Runs'],
  summary: 'Server-sent events: `run` with the RunDetail on every change, `end` when it finishes',
  responses: { 200: 'Event stream', 404: usual[404] },
});

/** Why Temporal refused or did not answer, in words: the client's own message ("Failed to start Workflow") says little. */
function engineFailure(err: unknown): string {
  const texts = [err, err instanceof Error ? err.cause : undefined].map((e) => (e instanceof Error ? e.message : e ? String(e) : ''));
  if (texts.some((t) => /DEADLINE_EXCEEDED|did not answer within/i.test(t))) return 'no answer within 2 s';
  return texts.filter(Boolean).join(': ');
}

/** "6 Dec 2026 01:40 UTC": the server's default run names (the web app sends names in the person's own time). */
function stamp(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
}

/** Who started a run: a person in the app (manual, by name) or an API token (api, `token:<name>`). */
function starter(c: Context<AuthEnv>): { trigger: RunTrigger; startedBy: string | null } {
  const p = c.get('principal');
  if (p?.kind === 'token') return { trigger: 'api', startedBy: p.actor };
  return { trigger: 'manual', startedBy: p?.user ? p.user.name || p.user.email : (p?.actor ?? null) };
}

export function runRoutes({ store, launcher, ssePollMs = 500 }: ApiDeps) {
  async function publishedVersion(integrationId: string) {
    const integration = await store.getIntegration(integrationId);
    if (!integration) throw notFound('Integration', integrationId);
    if (!integration.publishedVersionId) throw new HttpError(409, 'not_published', 'Publish the integration before running it');
    const version = await store.getVersion(integration.publishedVersionId);
    if (!version) throw new HttpError(409, 'not_published', 'The published version is missing; publish again');
    return { integration, version };
  }

  /** The run's parameter values against the version's declarations: 400 naming each bad one (`params.<name>`). */
  function checkedParams(version: IntegrationVersion, given: Record<string, unknown>): Record<string, unknown> {
    const checked = resolveRunParams(version.graph.parameters, given);
    if (!checked.ok) {
      throw new HttpError(400, 'invalid_request', `Invalid request: ${checked.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues: checked.issues });
    }
    return checked.params;
  }

  async function launch(
    c: Context<AuthEnv>,
    run: {
      integration: { id: string; name: string };
      version: IntegrationVersion;
      files: NewRunFile[];
      params: Record<string, unknown>;
      name: string;
      trigger: RunTrigger;
      startedBy: string | null;
      rerunOf: string | null;
    },
  ) {
    const { integration, version, files, params } = run;
    const created = await store.createRun({
      integrationId: integration.id,
      versionId: version.id,
      trigger: run.trigger,
      name: run.name,
      startedBy: run.startedBy,
      rerunOf: run.rerunOf,
      params,
      steps: version.plan.steps.map((s) => ({ nodeId: s.nodeId, kind: s.kind, label: s.label })),
      files,
    });
    const runFiles = (await store.listRunFiles(created.id)).map(servedRunFile);
    try {
      const { workflowId } = await launcher.start({ runId: created.id, versionId: version.id, ...(Object.keys(params).length > 0 && { params }) });
      await store.setRunWorkflow(created.id, workflowId);
      await audit(c, store, run.rerunOf ? 'run.rerun' : 'run.started', { type: 'integration', id: integration.id, name: integration.name }, {
        runId: created.id,
        version: version.number,
        replacedFiles: files.filter((f) => f.replaced).length,
        ...(run.rerunOf && { rerunOf: run.rerunOf }),
      });
      return c.json({ runId: created.id, workflowId, files: runFiles }, 202);
    } catch (err) {
      const reason = engineFailure(err);
      await store.finishRun(created.id, 'failed', `Could not start the run: ${reason}`);
      throw new HttpError(
        503,
        'engine_unavailable',
        `Could not start the run: the execution engine did not answer (${reason}). Temporal may be restarting; try again in a moment.`,
      );
    }
  }

  return new OpenAPIHono({ defaultHook: validationHook })
    .openapi(start, async (c) => {
      const { id } = c.req.valid('param');
      const input = StartRunInput.parse(c.req.valid('json') ?? {});
      const { integration, version } = await publishedVersion(id);
      const files = await resolveRunFiles(version.plan, input.files, (fileId) => store.getFile(fileId));
      const params = checkedParams(version, input.params);
      const who = starter(c);
      const name = input.name || `${who.trigger === 'api' ? 'API run' : 'Manual run'}, ${stamp(new Date())}`;
      return launch(c, { integration, version, files, params, name, ...who, rerunOf: null });
    })
    .openapi(resume, async (c) => {
      const { id } = c.req.valid('param');
      const run = await store.getRun(id);
      if (!run) throw notFound('Run', id);
      // Reopening is conditional on 'failed', so a repeated click or request resumes once.
      if (!(await store.reopenRun(id))) throw new HttpError(409, 'not_failed', `Only a failed run can be resumed; this one is ${run.status.replace(/_/g, ' ')}`);
      try {
        const { workflowId } = await launcher.start({ runId: id, versionId: run.versionId, resume: true, ...(Object.keys(run.params).length > 0 && { params: run.params }) });
        await store.setRunWorkflow(id, workflowId);
        await audit(c, store, 'run.resumed', { type: 'run', id, name: run.integrationName ?? id }, { version: run.versionNumber ?? null });
        return c.json({ runId: id, workflowId }, 202);
      } catch (err) {
        const reason = engineFailure(err);
        await store.finishRun(id, 'failed', run.error ?? `Could not resume the run: ${reason}`);
        throw new HttpError(503, 'engine_unavailable', `Could not resume the run: the execution engine did not answer (${reason}). Temporal may be restarting; try again in a moment.`);
      }
    })
    .openapi(cancel, async (c) => {
      const { id } = c.req.valid('param');
      const run = await store.getRun(id);
      if (!run) throw notFound('Run', id);
      if (!isCancellableRun(run.status)) throw new HttpError(409, 'not_running', `Only a queued or running run can be cancelled; this one is ${RUN_STATUS_LABELS[run.status]}`);
      if (!launcher.cancel) throw new HttpError(503, 'engine_unavailable', 'This server cannot reach the execution engine to cancel runs');
      const workflowId = (await store.getRunWorkflow(id)) ?? workflowIdForRun(id);
      try {
        await launcher.cancel(workflowId);
      } catch (err) {
        throw new HttpError(503, 'engine_unavailable', `Could not cancel the run: the execution engine did not answer (${engineFailure(err)}). Try again in a moment.`);
      }
      await audit(c, store, 'run.cancelled', { type: 'run', id, name: run.name || run.integrationName }, { integrationId: run.integrationId });
      return c.json({ runId: id, status: run.status }, 202);
    })
    .openapi(rerun, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json') ?? {};
      const earlier = await store.getRun(id);
      if (!earlier) throw notFound('Run', id);
      const { integration, version } = await publishedVersion(earlier.integrationId);
      // The same settings: the earlier run's parameters and the files it read instead of the published ones.
      const replaced = Object.fromEntries(earlier.files.filter((f) => f.replaced).map((f) => [f.nodeId, f.fileId]));
      const files = await resolveRunFiles(version.plan, replaced, (fileId) => store.getFile(fileId));
      const params = checkedParams(version, earlier.params);
      const who = starter(c);
      const name = body.name || `Re-run of ${earlier.name || `the run of ${stamp(new Date(earlier.createdAt))}`}`;
      return launch(c, { integration, version, files, params, name, trigger: 'rerun', startedBy: who.startedBy, rerunOf: id });
    })
    .openapi(runOptions, async (c) => {
      const { id } = c.req.valid('param');
      const { version } = await publishedVersion(id);
      return c.json({ parameters: version.graph.parameters ?? [], fileSources: await listFileSources(version.plan, (fileId) => store.getFile(fileId)) }, 200);
    })
    .openapi(fileSources, async (c) => {
      const { id } = c.req.valid('param');
      const integration = await store.getIntegration(id);
      if (!integration) throw notFound('Integration', id);
      const version = integration.publishedVersionId ? await store.getVersion(integration.publishedVersionId) : null;
      if (!version) throw new HttpError(409, 'not_published', 'Publish the integration before running it');
      return c.json(await listFileSources(version.plan, (fileId) => store.getFile(fileId)), 200);
    })
    .openapi(listRuns, async (c) => {
      const { id } = c.req.valid('param');
      const { limit, offset, status, from, to } = c.req.valid('query');
      if (!(await store.getIntegration(id))) throw notFound('Integration', id);
      const page = await store.listRuns(id, { limit, offset, status, from, to });
      return c.json({ ...page, limit, offset }, 200);
    })
    .openapi(getRun, async (c) => {
      const { id } = c.req.valid('param');
      const run = await store.getRun(id);
      if (!run) throw notFound('Run', id);
      return c.json(run, 200);
    })
    .openapi(rejected, async (c) => {
      const { id } = c.req.valid('param');
      const paging = c.req.valid('query');
      if (!(await store.getRun(id))) throw notFound('Run', id);
      const page = await store.listRejected(id, paging);
      return c.json({ ...page, ...paging }, 200);
    })
    .openapi(events, async (c) => {
      const { id } = c.req.valid('param');
      if (!(await store.getRun(id))) throw notFound('Run', id);
      return streamSSE(c, async (stream) => {
        let last = '';
        let aborted = false;
        stream.onAbort(() => {
          aborted = true;
        });
        while (!aborted) {
          const run = await store.getRun(id);
          if (!run) break;
          const data = JSON.stringify(run);
          if (data !== last) {
            await stream.writeSSE({ event: 'run', data });
            last = data;
          }
          if (isTerminalRun(run.status)) {
            await stream.writeSSE({ event: 'end', data: run.status });
            break;
          }
          await stream.sleep(ssePollMs);
        }
      }) as never;
    });
}
