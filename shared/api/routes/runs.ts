// Runs: start one from the published version, list them, read one with its steps, stream progress.
import { z } from 'zod';
import { Page, RunName, StartRunInput, StartRunResult } from '../integrations';
import { RejectedRecord, RunDetail, RunFileSource, RunListItem, RunStatus } from '../runs';
import { RunParameter } from '../../graph/parameters';
import { IdParam, Paging, json, route } from './define';

export const startRun = route({
  method: 'post',
  path: '/integrations/{id}/runs',
  request: { params: IdParam, body: { content: { 'application/json': { schema: StartRunInput } }, required: false } },
  responses: { 202: json(StartRunResult) },
});

export const resumeRun = route({
  method: 'post',
  path: '/runs/{id}/resume',
  request: { params: IdParam },
  responses: { 202: json(z.object({ runId: z.string(), workflowId: z.string() })) },
});

export const cancelRun = route({
  method: 'post',
  path: '/runs/{id}/cancel',
  request: { params: IdParam },
  responses: { 202: json(z.object({ runId: z.string(), status: RunStatus })) },
});

/** "Run again with the same settings": a new run of the published version with this run's parameters and files. */
export const rerun = route({
  method: 'post',
  path: '/runs/{id}/rerun',
  request: { params: IdParam, body: { content: { 'application/json': { schema: z.object({ name: RunName.optional(), fullSync: z.boolean().optional(), confirmDeletes: z.boolean().optional(), refresh: z.boolean().optional() }) } }, required: false } },
  responses: { 202: json(StartRunResult) },
});

/** A source of the published version that reads only what changed since the last run (it has a cursor field). */
export const IncrementalSource = z.object({ nodeId: z.string(), label: z.string(), cursorField: z.string() });
export type IncrementalSource = z.infer<typeof IncrementalSource>;

/** What the Run now dialog offers: the published version's declared parameters, its file sources, and its incremental sources (for "Run full sync"). */
export const RunOptions = z.object({ parameters: z.array(RunParameter), fileSources: z.array(RunFileSource), incrementalSources: z.array(IncrementalSource).default([]) });

export const getRunOptions = route({
  method: 'get',
  path: '/integrations/{id}/run-options',
  request: { params: IdParam },
  responses: { 200: json(RunOptions) },
});

export const listFileSources = route({
  method: 'get',
  path: '/integrations/{id}/file-sources',
  request: { params: IdParam },
  responses: { 200: json(z.array(RunFileSource)) },
});

/** The sync history's filters, applied on the server before paging. */
export const RunHistoryQuery = Paging.extend({
  status: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined;
      const parts = s.split(',').map((p) => p.trim()).filter(Boolean);
      const bad = parts.filter((p) => !RunStatus.safeParse(p).success);
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `Unknown status ${bad.map((b) => `"${b}"`).join(', ')}; use ${RunStatus.options.join(', ')}` });
        return z.NEVER;
      }
      return parts as RunStatus[];
    })
    .meta({ description: 'Only runs in these statuses, comma-separated (e.g. `failed,cancelled`)' }),
  from: z.iso.datetime({ offset: true }).optional().meta({ description: 'Only runs created at or after this ISO date-time' }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'Only runs created before this ISO date-time' }),
});

export const listRuns = route({
  method: 'get',
  path: '/integrations/{id}/runs',
  request: { params: IdParam, query: RunHistoryQuery },
  responses: { 200: json(Page(RunListItem)) },
});

export const getRun = route({
  method: 'get',
  path: '/runs/{id}',
  request: { params: IdParam },
  responses: { 200: json(RunDetail) },
});

export const listRejected = route({
  method: 'get',
  path: '/runs/{id}/rejected',
  request: { params: IdParam, query: Paging },
  responses: { 200: json(Page(RejectedRecord)) },
});

export const downloadRejected = route({
  method: 'get',
  path: '/runs/{id}/rejected/download',
  request: { params: IdParam },
  responses: { 200: { content: { 'text/csv': { schema: z.string() } } } },
});

export const runEvents = route({
  method: 'get',
  path: '/runs/{id}/events',
  request: { params: IdParam },
  responses: { 200: { content: { 'text/event-stream': { schema: z.string() } } } },
});
