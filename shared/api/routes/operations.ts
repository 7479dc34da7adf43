// Operating an integration: trigger tokens and the trigger API, alert settings, activate/deactivate, duplicate, and
// what a delete would remove.
import { z } from 'zod';
import { Integration } from '../integrations';
import {
  ActivationInput,
  AlertSettings,
  AlertView,
  CreatedTriggerToken,
  DeletionSummary,
  TriggerInput,
  TriggerResult,
  TriggerTokenInfo,
  TriggerTokenInput,
} from '../operations';
import { RunStatus, Counts } from '../runs';
import { empty, IdParam, json, jsonBody, route } from './define';

const TokenParams = IdParam.extend({ tokenId: IdParam.shape.id });
const TriggeredRunParams = IdParam.extend({ runId: IdParam.shape.id });

export const listTriggerTokens = route({
  method: 'get',
  path: '/integrations/{id}/tokens',
  request: { params: IdParam },
  responses: { 200: json(z.array(TriggerTokenInfo)) },
});

export const createTriggerToken = route({
  method: 'post',
  path: '/integrations/{id}/tokens',
  request: { params: IdParam, body: jsonBody(TriggerTokenInput) },
  responses: { 201: json(CreatedTriggerToken) },
});

export const revokeTriggerToken = route({
  method: 'delete',
  path: '/integrations/{id}/tokens/{tokenId}',
  request: { params: TokenParams },
  responses: { 204: empty },
});

export const triggerIntegration = route({
  method: 'post',
  path: '/integrations/{id}/trigger',
  // The body is optional: `curl -X POST` with the token alone starts a run without parameters.
  request: { params: IdParam, body: { content: { 'application/json': { schema: TriggerInput } }, required: false } },
  responses: { 202: json(TriggerResult) },
});

/** A triggered run's status, readable with the same trigger token (the status URL of the trigger's answer). */
export const TriggeredRunStatus = z.object({
  runId: z.string(),
  status: RunStatus,
  counts: Counts,
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
});

export const triggeredRunStatus = route({
  method: 'get',
  path: '/integrations/{id}/trigger/runs/{runId}',
  request: { params: TriggeredRunParams },
  responses: { 200: json(TriggeredRunStatus) },
});

export const getAlerts = route({
  method: 'get',
  path: '/integrations/{id}/alerts',
  request: { params: IdParam },
  responses: { 200: json(AlertView) },
});

export const setAlerts = route({
  method: 'put',
  path: '/integrations/{id}/alerts',
  request: { params: IdParam, body: jsonBody(AlertSettings) },
  responses: { 200: json(AlertView) },
});

export const rotateAlertSecret = route({
  method: 'post',
  path: '/integrations/{id}/alerts/rotate-secret',
  request: { params: IdParam },
  responses: { 200: json(AlertView) },
});

export const setActivation = route({
  method: 'put',
  path: '/integrations/{id}/active',
  request: { params: IdParam, body: jsonBody(ActivationInput) },
  responses: { 200: json(Integration) },
});

export const duplicateIntegration = route({
  method: 'post',
  path: '/integrations/{id}/duplicate',
  request: { params: IdParam },
  responses: { 201: json(Integration) },
});

export const deletionSummary = route({
  method: 'get',
  path: '/integrations/{id}/deletion',
  request: { params: IdParam },
  responses: { 200: json(DeletionSummary) },
});
