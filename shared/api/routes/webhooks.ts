// Inbound webhooks: an integration's endpoint (URL, auth, secret, queue depth) and the inbound URL itself.
import { z } from 'zod';
import { CreatedWebhookSecret, WebhookEndpoint, WebhookReceipt, WebhookSecretInput, WebhookSettingsInput } from '../webhooks';
import { IdParam, json, jsonBody, route } from './define';

export const getWebhook = route({
  method: 'get',
  path: '/integrations/{id}/webhook',
  request: { params: IdParam },
  responses: { 200: json(WebhookEndpoint) },
});

export const createWebhookSecret = route({
  method: 'post',
  path: '/integrations/{id}/webhook/secret',
  request: { params: IdParam, body: jsonBody(WebhookSecretInput) },
  responses: { 201: json(CreatedWebhookSecret) },
});

export const setWebhookSettings = route({
  method: 'put',
  path: '/integrations/{id}/webhook',
  request: { params: IdParam, body: jsonBody(WebhookSettingsInput) },
  responses: { 200: json(WebhookEndpoint) },
});

/**
 * The inbound URL. Its body is read raw (signed as sent, numbers kept exact), so no body schema is declared here: a
 * JSON schema would make the router parse and re-serialise it.
 */
export const receiveWebhook = route({
  method: 'post',
  path: '/hooks/{hookId}',
  request: { params: z.object({ hookId: IdParam.shape.id }) },
  responses: { 202: json(WebhookReceipt) },
});
