// Integrations: CRUD over drafts, server-side compile, and publish (the gate that refuses errors).
import { z } from 'zod';
import { Diagnostic } from '../../compiler/diagnostics';
import { RowSchema } from '../../graph/field-types';
import { Graph } from '../../graph/schema';
import { nameRecord } from '../../util/name-record';
import { Integration, IntegrationInput, IntegrationPatch, IntegrationSummary, PublishResult } from '../integrations';
import { empty, IdParam, json, jsonBody, route } from './define';

const CompileResponse = z.object({
  ok: z.boolean(),
  diagnostics: z.array(Diagnostic),
  schemas: nameRecord(RowSchema.nullable()),
});

export const listIntegrations = route({
  method: 'get',
  path: '/integrations',
  responses: { 200: json(z.array(IntegrationSummary)) },
});

export const createIntegration = route({
  method: 'post',
  path: '/integrations',
  request: { body: jsonBody(IntegrationInput) },
  responses: { 201: json(Integration) },
});

export const getIntegration = route({
  method: 'get',
  path: '/integrations/{id}',
  request: { params: IdParam },
  responses: { 200: json(Integration) },
});

export const updateIntegration = route({
  method: 'put',
  path: '/integrations/{id}',
  request: { params: IdParam, body: jsonBody(IntegrationPatch) },
  responses: { 200: json(Integration) },
});

export const deleteIntegration = route({
  method: 'delete',
  path: '/integrations/{id}',
  request: { params: IdParam },
  responses: { 204: empty },
});

export const compileGraph = route({
  method: 'post',
  path: '/compile',
  request: { body: jsonBody(z.object({ graph: Graph })) },
  responses: { 200: json(CompileResponse) },
});

export const publishIntegration = route({
  method: 'post',
  path: '/integrations/{id}/publish',
  request: { params: IdParam },
  responses: { 200: json(PublishResult) },
});
