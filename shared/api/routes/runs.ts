// Runs: start one from the published version, list them, read one with its steps, stream progress.
import { z } from 'zod';
import { ApiError, Page, StartRunInput, StartRunResult } from '../integrations';
import { RejectedRecord, Run, RunDetail, RunFileSource } from '../runs';
import { access, errors, IdParam, json, Paging, route } from './define';

export const startRun = route({
  ...access('run'),
  method: 'post',
  path: '/integrations/{id}/runs',
  tags: ['Runs'],
  summary: 'Start a run of the published version, optionally with other files for its file sources; returns the run id at once',
  request: { params: IdParam, body: { content: { 'application/json': { schema: StartRunInput } }, required: false } },
  responses: {
    202: json(StartRunResult, 'Started'),
    400: errors[400],
    404: errors[404],
    409: json(ApiError, 'Not published yet'),
    422: json(ApiError, 'A replacement file names no file source of the published version, is missing, or lacks columns the node reads'),
    503: json(ApiError, 'The execution engine (Temporal) is unreachable'),
  },
});

export const resumeRun = route({
  ...access('run'),
  method: 'post',
  path: '/runs/{id}/resume',
  tags: ['Runs'],
  summary: 'Resume a failed run from its last committed checkpoint, with the same version, settings and files',
  request: { params: IdParam },
  responses: {
    202: json(z.object({ runId: z.string(), workflowId: z.string() }), 'Resumed'),
    404: errors[404],
    409: json(ApiError, 'The run has not failed, so there is nothing to resume'),
    503: json(ApiError, 'The execution engine (Temporal) is unreachable'),
  },
});

export const listFileSources = route({
  ...access('read'),
  method: 'get',
  path: '/integrations/{id}/file-sources',
  tags: ['Runs'],
  summary: "The published version's file sources: the file each reads and the columns a replacement must have",
  request: { params: IdParam },
  responses: { 200: json(z.array(RunFileSource), 'File sources'), 404: errors[404], 409: json(ApiError, 'Not published yet') },
});

export const listRuns = route({
  ...access('read'),
  method: 'get',
  path: '/integrations/{id}/runs',
  tags: ['Runs'],
  summary: "An integration's sync history, newest first",
  request: { params: IdParam, query: Paging },
  responses: { 200: json(Page(Run), 'Runs'), 404: errors[404] },
});

export const getRun = route({
  ...access('read'),
  method: 'get',
  path: '/runs/{id}',
  tags: ['Runs'],
  summary: 'One run with the status and counts of each step',
  request: { params: IdParam },
  responses: { 200: json(RunDetail, 'The run'), 404: errors[404] },
});

export const listRejected = route({
  ...access('read'),
  method: 'get',
  path: '/runs/{id}/rejected',
  tags: ['Runs'],
  summary: 'Records a run rejected, with their source values and the reason',
  request: { params: IdParam, query: Paging },
  responses: { 200: json(Page(RejectedRecord), 'Rejected records'), 404: errors[404] },
});

export const runEvents = route({
  ...access('read'),
  method: 'get',
  path: '/runs/{id}/events',
  tags: ['Runs'],
  summary: 'Server-sent events: `run` with the RunDetail on every change, `end` when it finishes',
  request: { params: IdParam },
  responses: { 200: { content: { 'text/event-stream': { schema: z.string() } }, description: 'Event stream' }, 404: errors[404] },
});

