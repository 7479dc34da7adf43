// Runs: start one from the published version, list them, read one with its steps, stream progress.
import { z } from 'zod';
import { Page, StartRunInput, StartRunResult } from '../integrations';
import { RejectedRecord, RunDetail, RunFileSource, RunListItem } from '../runs';
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

export const listFileSources = route({
  method: 'get',
  path: '/integrations/{id}/file-sources',
  request: { params: IdParam },
  responses: { 200: json(z.array(RunFileSource)) },
});

export const listRuns = route({
  method: 'get',
  path: '/integrations/{id}/runs',
  request: { params: IdParam, query: Paging },
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
