// Runs: start one from the published version, list them, read one with its steps, stream progress.
import { OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { Context } from 'hono';
import { earlierParamsProblem, StartRunInput, isCancellableRun, isTerminalRun, RUN_STATUS_LABELS, type RunTrigger } from '../../shared';
import { audit } from './audit-log';
import type { ApiDeps } from './deps';
import { access, serve, stillAllowed, type AuthEnv } from './guard';
import { HttpError, notFound, validationHook, usual } from './errors';
import { rejectedCsv, withLines } from './rejected-csv';
import { attachmentHeader } from './files';
import { listFileSources } from './run-files';
import { engineFailure, stamp, startRunOf } from './start-run';
import { workflowIdForRun } from '../temporal/client';
import * as routes from '../../shared/api/routes';

/** Cancel of a queued run whose workflow had not started: it never will do anything (beginRun finds it ended). */
export const NOT_STARTED = 'Cancelled before it started.';
/** Why a run whose workflow Temporal no longer has was recorded Cancelled by Cancel. */
export const WORKFLOW_GONE = 'Cancelled: its workflow was no longer running in the execution engine, so nothing else would have ended it.';

const start = serve(routes.startRun, {
  ...access('run'),
  tags: ['Runs'],
  summary: 'Start a run of the published version, optionally with other files for its file sources; returns the run id at once',
  responses: { 202: 'Started', 400: 'A parameter of the wrong type, a missing required parameter or an undeclared one (each named as `params.<name>`), or bad files', 404: usual[404], 409: 'Not published yet, or deactivated', 422: 'A replacement file names no file source of the published version, is missing, or lacks columns the node reads', 503: 'The execution engine (Temporal) is unreachable' },
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
  responses: { 202: 'Started', 400: usual[400], 404: usual[404], 409: "The integration is not published any more, or this run's parameters no longer fit its published version", 422: "A replaced file no longer fits the published version's file source", 503: 'The execution engine (Temporal) is unreachable' },
});

/** The sources that read only what changed (a cursor field is set), named as the designer shows them. */
export function incrementalSources(nodes: readonly { id: string; kind: string; label?: string; config: unknown }[]): { nodeId: string; label: string; cursorField: string }[] {
  return nodes.flatMap((n) => {
    const cursor = (n.config as { cursorField?: unknown } | null)?.cursorField;
    return typeof cursor === 'string' && cursor !== '' ? [{ nodeId: n.id, label: n.label?.trim() || n.id, cursorField: cursor }] : [];
  });
}

const runOptions = serve(routes.getRunOptions, {
  ...access('read'),
  tags: ['Runs'],
  summary: "What a run of the published version takes: its declared parameters, its file sources and its incremental sources (the Run now dialog)",
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

const rejectedDownload = serve(routes.downloadRejected, {
  ...access('read'),
  tags: ['Runs'],
  summary: 'Every record a run rejected as CSV: its line in the file, the step, the reason and its source values (formula-like cells start with \')',
  responses: { 200: 'CSV of the rejected records', 404: usual[404] },
});

const events = serve(routes.runEvents, {
  ...access('read'),
  tags: ['Runs'],
  summary: 'Server-sent events: `run` with the RunDetail on every change, `end` when it finishes',
  responses: { 200: 'Event stream', 404: usual[404] },
});

/** Who started a run: a person in the app (manual, by name) or an API token (api, `token:<name>`). */
function starter(c: Context<AuthEnv>): { trigger: RunTrigger; startedBy: string | null } {
  const p = c.get('principal');
  if (p?.kind === 'token') return { trigger: 'api', startedBy: p.actor };
  return { trigger: 'manual', startedBy: p?.user ? p.user.name || p.user.email : (p?.actor ?? null) };
}

export function runRoutes({ store, launcher, ssePollMs = 500, sseRecheckMs = 15_000 }: ApiDeps) {
  async function publishedVersion(integrationId: string) {
    const integration = await store.getIntegration(integrationId);
    if (!integration) throw notFound('Integration', integrationId);
    if (!integration.publishedVersionId) throw new HttpError(409, 'not_published', 'Publish the integration before running it');
    const version = await store.getVersion(integration.publishedVersionId);
    if (!version) throw new HttpError(409, 'not_published', 'The published version is missing; publish again');
    return { integration, version };
  }

  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook })
    .openapi(start, async (c) => {
      const { id } = c.req.valid('param');
      const input = StartRunInput.parse(c.req.valid('json') ?? {});
      const who = starter(c);
      const started = await startRunOf({ store, launcher }, id, {
        ...who,
        name: input.name,
        params: input.params,
        files: input.files,
        syncOptions: {
          ...(input.fullSync !== undefined && { fullSync: input.fullSync }),
          ...(input.confirmDeletes !== undefined && { confirmDeletes: input.confirmDeletes }),
          ...(input.refresh !== undefined && { refresh: input.refresh }),
        },
      });
      const { run, integration, version, files } = started;
      await audit(c, store, 'run.started', { type: 'integration', id, name: integration.name }, { runId: run.id, version: version.number, replacedFiles: files.filter((f) => f.replaced).length });
      return c.json({ runId: run.id, workflowId: started.workflowId, files: started.runFiles }, 202);
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
        // A Cancel while it started looked for the failed execution's workflow (the run's until the line above): the
        // new one is cancelled here (it stops as a cancelled run does, or finds its run ended when it begins).
        if ((await store.getRunState(id))?.status === 'cancelled') await launcher.cancel?.(workflowId).catch(() => undefined);
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
      let running: boolean;
      let closed: boolean | undefined;
      try {
        ({ running, closed } = await launcher.cancel(workflowId));
      } catch (err) {
        throw new HttpError(503, 'engine_unavailable', `Could not cancel the run: the execution engine did not answer (${engineFailure(err)}). Try again in a moment.`);
      }
      // Temporal has no running workflow for it (terminated, ended without recording the run, or never started):
      // nothing will ever end the run, so Cancel records it. It used to answer 202 and change nothing, and the run
      // stayed "in progress" for good, which also kept its integration from being deleted (sched13).
      const gone = !running;
      if (gone) {
        // Recorded only while the run is still open (one statement): a workflow that just ended recorded its run's end
        // before it ended.
        if (!(await store.cancelOpenRun(id, run.status === 'queued' && !closed ? NOT_STARTED : WORKFLOW_GONE))) {
          const now = await store.getRunState(id);
          throw new HttpError(409, 'not_running', `Only a queued or running run can be cancelled; this one is ${RUN_STATUS_LABELS[now?.status ?? 'cancelled']}`);
        }
        // "No workflow" may mean "not started yet" (the run is recorded before its workflow starts): one that started
        // since is cancelled too. One that starts after this finds its run ended and does nothing (beginRun); one that
        // began the run already stops as a cancelled run does, and its end does not overwrite Cancelled (review13b).
        await launcher.cancel(workflowId).catch(() => undefined);
      }
      await audit(c, store, 'run.cancelled', { type: 'run', id, name: run.name || run.integrationName }, { integrationId: run.integrationId, ...(gone && { workflowGone: true }) });
      return c.json({ runId: id, status: gone ? 'cancelled' : run.status }, 202);
    })
    .openapi(rerun, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json') ?? {};
      const earlier = await store.getRun(id);
      if (!earlier) throw notFound('Run', id);
      // The same settings: the earlier run's parameters and the files it read instead of the published ones.
      const replaced = Object.fromEntries(earlier.files.filter((f) => f.replaced).map((f) => [f.nodeId, f.fileId]));
      // Parameters declared, renamed or removed since: said in words (it answered 400 at params.<name>, a field the
      // request never had; probe21). The published version as startRunOf reads it; an unpublished one is its 409 there.
      const toRun = await store.getIntegrationToRun(earlier.integrationId);
      const problem = toRun?.version ? earlierParamsProblem(toRun.version.graph.parameters, earlier.params) : null;
      if (problem) {
        throw new HttpError(409, 'params_changed', `The run's parameters no longer fit the published version of "${toRun?.integration.name}": ${problem}. Use Run now and give the values`);
      }
      const name = body.name || `Re-run of ${earlier.name || `the run of ${stamp(new Date(earlier.createdAt))}`}`;
      const started = await startRunOf({ store, launcher }, earlier.integrationId, {
        trigger: 'rerun',
        name,
        startedBy: starter(c).startedBy,
        rerunOf: id,
        params: earlier.params,
        files: replaced,
        // The same sync options (a full sync is repeated in full), with what this request adds ("Confirm deletes").
        syncOptions: {
          ...earlier.sync?.options,
          ...(body.fullSync !== undefined && { fullSync: body.fullSync }),
          ...(body.confirmDeletes !== undefined && { confirmDeletes: body.confirmDeletes }),
          ...(body.refresh !== undefined && { refresh: body.refresh }),
        },
      });
      const { run, integration, version, files } = started;
      await audit(c, store, 'run.rerun', { type: 'integration', id: integration.id, name: integration.name }, {
        runId: run.id,
        version: version.number,
        replacedFiles: files.filter((f) => f.replaced).length,
        rerunOf: id,
      });
      return c.json({ runId: run.id, workflowId: started.workflowId, files: started.runFiles }, 202);
    })
    .openapi(runOptions, async (c) => {
      const { id } = c.req.valid('param');
      const { version } = await publishedVersion(id);
      return c.json(
        {
          parameters: version.graph.parameters ?? [],
          fileSources: await listFileSources(version.plan, (fileId) => store.getFile(fileId)),
          incrementalSources: incrementalSources(version.graph.nodes),
        },
        200,
      );
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
      const run = await store.getRun(id);
      if (!run) throw notFound('Run', id);
      const page = await store.listRejected(id, paging);
      const version = await store.getVersion(run.versionId);
      return c.json({ ...page, items: withLines(version?.plan ?? null, page.items), ...paging }, 200);
    })
    .openapi(rejectedDownload, async (c) => {
      const { id } = c.req.valid('param');
      const run = await store.getRun(id);
      if (!run) throw notFound('Run', id);
      const version = await store.getVersion(run.versionId);
      const labels = new Map(run.steps.map((s) => [s.nodeId, s.label]));
      const body = rejectedCsv((offset, limit) => store.listRejected(id, { offset, limit }), version?.plan ?? null, labels);
      const day = (run.startedAt ?? run.createdAt).slice(0, 10);
      return c.body(body, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': attachmentHeader(`${run.integrationName} rejected ${day}.csv`),
        'cache-control': 'private, no-store',
      }) as never;
    })
    .openapi(events, async (c) => {
      const { id } = c.req.valid('param');
      if (!(await store.getRun(id))) throw notFound('Run', id);
      const principal = c.get('principal');
      return streamSSE(c, async (stream) => {
        let last = '';
        let aborted = false;
        let checked = Date.now();
        stream.onAbort(() => {
          aborted = true;
        });
        while (!aborted) {
          // A run can wait for hours (queued, paused by an outage): a session ended or a token revoked meanwhile ends
          // the stream too; the browser's reconnect then meets the 401.
          if (Date.now() - checked >= sseRecheckMs) {
            if (!principal || !(await stillAllowed(store, principal, 'read'))) break;
            checked = Date.now();
          }
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
