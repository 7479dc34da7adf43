// Integrations: CRUD over drafts, server-side compile, and publish (the gate that refuses errors).
import { z } from 'zod';
import { Diagnostic } from '../../compiler/diagnostics';
import { RowSchema } from '../../graph/field-types';
import { Graph } from '../../graph/schema';
import { nameRecord } from '../../util/name-record';
import { ApiError, Integration, IntegrationInput, IntegrationPatch, IntegrationSummary, PublishResult } from '../integrations';
import { access, errors, IdParam, json, route } from './define';

export const CompileResponse = z.object({
  ok: z.boolean(),
  diagnostics: z.array(Diagnostic),
  schemas: nameRecord(RowSchema.nullable()),
});

export const listIntegrations = route({
  ...access('read'),
  method: 'get',
  path: '/integrations',
  tags: ['Integrations'],
  summary: 'List integrations with their last run',
  responses: { 200: json(z.array(IntegrationSummary), 'Integrations') },
});

export const createIntegration = route({
  ...access('design'),
  method: 'post',
  path: '/integrations',
  tags: ['Integrations'],
  summary: 'Create an integration (a draft graph)',
  request: { body: { content: { 'application/json': { schema: IntegrationInput } }, required: true } },
  responses: { 201: json(Integration, 'Created'), 400: errors[400] },
});

export const getIntegration = route({
  ...access('read'),
  method: 'get',
  path: '/integrations/{id}',
  tags: ['Integrations'],
  summary: 'One integration with its draft graph',
  request: { params: IdParam },
  responses: { 200: json(Integration, 'The integration'), 404: errors[404] },
});

export const updateIntegration = route({
  ...access('design'),
  method: 'put',
  path: '/integrations/{id}',
  tags: ['Integrations'],
  summary: 'Save the draft (name, description, graph)',
  request: { params: IdParam, body: { content: { 'application/json': { schema: IntegrationPatch } }, required: true } },
  responses: { 200: json(Integration, 'Saved'), 400: errors[400], 404: errors[404] },
});

export const deleteIntegration = route({
  ...access('design'),
  method: 'delete',
  path: '/integrations/{id}',
  tags: ['Integrations'],
  summary: 'Delete an integration, its versions and its runs',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, 404: errors[404], 409: json(ApiError, 'A run is in progress') },
});

export const compileGraph = route({
  ...access('read'),
  method: 'post',
  path: '/compile',
  tags: ['Integrations'],
  summary: 'Compile a graph and return its diagnostics (nothing is saved)',
  request: { body: { content: { 'application/json': { schema: z.object({ graph: Graph }) } }, required: true } },
  responses: { 200: json(CompileResponse, 'Diagnostics and per-node schemas'), 400: errors[400] },
});

export const publishIntegration = route({
  ...access('design'),
  method: 'post',
  path: '/integrations/{id}/publish',
  tags: ['Integrations'],
  summary: 'Publish the draft as a new immutable version (refused when it has errors)',
  request: { params: IdParam },
  responses: {
    200: json(PublishResult, 'Published (or unchanged since the last version)'),
    404: errors[404],
    422: json(ApiError, 'The graph has errors: error.diagnostics lists them'),
  },
});

