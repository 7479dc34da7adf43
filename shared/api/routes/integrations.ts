// Integrations: CRUD over drafts, server-side compile, and publish (the gate that refuses errors).
import { z } from 'zod';
import { Diagnostic } from '../../compiler/diagnostics';
import { RowSchema } from '../../graph/field-types';
import { Graph } from '../../graph/schema';
import { nameRecord } from '../../util/name-record';
import { Integration, IntegrationInput, IntegrationPatch, IntegrationSummary, PublishResult } from '../integrations';
import { error, empty, IdParam, json, jsonBody, route } from './define';

export const CompileResponse = z.object({
  ok: z.boolean(),
  diagnostics: z.array(Diagnostic),
  schemas: nameRecord(RowSchema.nullable()),
});

export const listIntegrations = route({
  access: 'read',
  method: 'get',
  path: '/integrations',
  responses: { 200: json(z.array(IntegrationSummary)) },
});

export const createIntegration = route({
  access: 'design',
  method: 'post',
  path: '/integrations',
  request: { body: jsonBody(IntegrationInput) },
  responses: { 201: json(Integration), 400: error },
});

export const getIntegration = route({
  access: 'read',
  method: 'get',
  path: '/integrations/{id}',
  request: { params: IdParam },
  responses: { 200: json(Integration), 404: error },
});

export const updateIntegration = route({
  access: 'design',
  method: 'put',
  path: '/integrations/{id}',
  request: { params: IdParam, body: jsonBody(IntegrationPatch) },
  responses: { 200: json(Integration), 400: error, 404: error },
});

export const deleteIntegration = route({
  access: 'design',
  method: 'delete',
  path: '/integrations/{id}',
  request: { params: IdParam },
  responses: { 204: empty, 404: error, 409: error },
});

export const compileGraph = route({
  access: 'read',
  method: 'post',
  path: '/compile',
  request: { body: jsonBody(z.object({ graph: Graph })) },
  responses: { 200: json(CompileResponse), 400: error },
});

export const publishIntegration = route({
  access: 'design',
  method: 'post',
  path: '/integrations/{id}/publish',
  request: { params: IdParam },
  responses: { 200: json(PublishResult), 404: error, 422: error },
});

