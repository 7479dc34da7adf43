// Runs: start one from the published version, list them, read one with its steps, stream progress.
import { z } from 'zod';
import { Page, StartRunInput, StartRunResult } from '../integrations';
import { RejectedRecord, Run, RunDetail, RunFileSource } from '../runs';
import { error, IdParam, Paging, json, route } from './define';

export const startRun = route({
  access: 'run',
  method: 'post',
  path: '/integrations/{id}/runs',
  request: { params: IdParam, body: { content: { 'application/json': { schema: StartRunInput } }, required: false } },
  responses: { 202: json(StartRunResult), 400: error, 404: error, 409: error, 422: error, 503: error },
});

export const resumeRun = route({
  access: 'run',
  method: 'post',
  path: '/runs/{id}/resume',
  request: { params: IdParam },
  responses: { 202: json(z.object({ runId: z.string(), workflowId: z.string() })), 404: error, 409: error, 503: error },
});

export const listFileSources = route({
  access: 'read',
  method: 'get',
  path: '/integrations/{id}/file-sources',
  request: { params: IdParam },
  responses: { 200: json(z.array(RunFileSource)), 404: error, 409: error },
});

export const listRuns = route({
  access: 'read',
  method: 'get',
  path: '/integrations/{id}/runs',
  request: { params: IdParam, query: Paging },
  responses: { 200: json(Page(Run)), 404: error },
});

export const getRun = route({
  access: 'read',
  method: 'get',
  path: '/runs/{id}',
  request: { params: IdParam },
  responses: { 200: json(RunDetail), 404: error },
});

export const listRejected = route({
  access: 'read',
  method: 'get',
  path: '/runs/{id}/rejected',
  request: { params: IdParam, query: Paging },
  responses: { 200: json(Page(RejectedRecord)), 404: error },
});

export const runEvents = route({
  access: 'read',
  method: 'get',
  path: '/runs/{id}/events',
  request: { params: IdParam },
  responses: { 200: { content: { 'text/event-stream': { schema: z.string() } } }, 404: error },
});

