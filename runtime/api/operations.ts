// Operating an integration: trigger tokens and the trigger API (a machine call with its own token, no session),
// alert settings, activate/deactivate, duplicate, and the summary the delete confirmation lists.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { TriggerInput } from '../../shared';
import { createRateLimiter } from '../auth/rate-limit';
import { mintToken } from '../auth/secrets';
import { addressGuardFromEnv } from '../net';
import { audit } from './audit-log';
import type { Store } from '../store/types';
import type { ApiDeps } from './deps';
import { HttpError, notFound, validationHook, usual } from './errors';
import { alertSecretOf, rotateAlertSecret } from '../alerts/secret';
import { access, principalOf, serve, TRIGGER_TOKEN_PREFIX, type AuthEnv, type Site } from './guard';
import { startRunOf } from './start-run';
import type { TriggerGate } from './trigger-gate';
import { engineDown, withdrawSchedule } from './schedules';
import * as routes from '../../shared/api/routes';

const TAGS = ['Operations'];

const listTokens = serve(routes.listTriggerTokens, {
  ...access('design'),
  tags: TAGS,
  summary: "The integration's trigger tokens (never the tokens themselves)",
  responses: { 200: 'Trigger tokens', 404: usual[404] },
});

const createToken = serve(routes.createTriggerToken, {
  ...access('design'),
  tags: TAGS,
  summary: 'Create a token that may trigger this integration only; the answer is the only time it is shown',
  responses: { 201: 'Created', 400: usual[400], 404: usual[404] },
});

const revokeToken = serve(routes.revokeTriggerToken, {
  ...access('design'),
  tags: TAGS,
  summary: 'Revoke a trigger token: its next trigger answers 401',
  responses: { 204: 'Revoked', 404: usual[404] },
});

const trigger = serve(routes.triggerIntegration, {
  ...access('trigger'),
  tags: TAGS,
  summary: 'Start a run with `Authorization: Bearer <trigger token>`; body `{ params }` (optional). No session or CSRF token needed',
  responses: {
    202: 'Started: the run id and where to read its status',
    400: usual[400],
    401: 'No trigger token, or a wrong or revoked one',
    403: 'A token of another integration, or an API token or session instead of a trigger token',
    404: usual[404],
    409: 'Deactivated, or not published',
    422: 'A parameter or file the published version refuses',
    429: 'Too many triggers with this token (or failed tries from this address); Retry-After says when',
    503: 'The execution engine (Temporal) is unreachable',
  },
});

const triggeredStatus = serve(routes.triggeredRunStatus, {
  ...access('trigger'),
  tags: TAGS,
  summary: "A run's status, read with the integration's trigger token (the status URL the trigger answers)",
  responses: { 200: 'The run', 401: 'No trigger token, or a wrong or revoked one', 403: 'A token of another integration', 404: usual[404] },
});

const getAlerts = serve(routes.getAlerts, {
  ...access('design'),
  tags: TAGS,
  summary: 'Alert settings, the webhook signing secret and the alert state',
  responses: { 200: 'Alert settings', 404: usual[404] },
});

const setAlerts = serve(routes.setAlerts, {
  ...access('design'),
  tags: TAGS,
  summary: 'Save the alert settings (recipients, webhook, threshold, auto-disable after N failures)',
  responses: { 200: 'Saved', 400: usual[400], 404: usual[404] },
});

const rotateSecret = serve(routes.rotateAlertSecret, {
  ...access('design'),
  tags: TAGS,
  summary: 'Replace the webhook signing secret with a new one (receivers must be given it: the old one stops verifying at once)',
  responses: { 200: 'The alert settings with the new secret', 404: usual[404] },
});

const setActivation = serve(routes.setActivation, {
  ...access('run'),
  tags: TAGS,
  summary: 'Activate or deactivate: a deactivated integration cannot run',
  responses: { 200: 'The integration', 400: usual[400], 404: usual[404] },
});

const duplicate = serve(routes.duplicateIntegration, {
  ...access('design'),
  tags: TAGS,
  summary: 'Copy the design as "<name> (copy)": unpublished, no schedule, no tokens; alert settings are copied',
  responses: { 201: 'The copy', 404: usual[404] },
});

const deletion = serve(routes.deletionSummary, {
  ...access('read'),
  tags: TAGS,
  summary: 'What deleting the integration removes (versions, runs, rejected records, tokens)',
  responses: { 200: 'Counts', 404: usual[404] },
});

/** Makes a trigger token for one integration and stores its hash; the answer is the one place the token exists. API and CLI. */
export async function issueTriggerToken(store: Store, input: { integrationId: string; name: string; createdBy: string | null }) {
  const { token, tokenHash, prefix } = mintToken(TRIGGER_TOKEN_PREFIX);
  const info = await store.ops.createTriggerToken({ integrationId: input.integrationId, name: input.name, tokenHash, prefix, createdBy: input.createdBy });
  return { token, info };
}

export function operationRoutes(deps: ApiDeps, site: Site, gate: TriggerGate) {
  const { store } = deps;
  const perToken = createRateLimiter(deps.triggerLimit ?? { max: 60, windowMs: 60_000 });
  const alertGuard = deps.alertGuard ?? addressGuardFromEnv();

  const mustExist = async (id: string) => {
    const found = await store.getIntegration(id);
    if (!found) throw notFound('Integration', id);
    return found;
  };

  /** The trigger token of integration `id`, or the 401/403/429 it earns (runtime/api/trigger-gate.ts). */
  const triggerTokenFor = (c: Context<AuthEnv>, id: string) =>
    gate(c, id, { type: 'integration', lookup: (hash) => store.ops.useTriggerToken(hash), ownerOf: (t) => t.integrationId });

  /** The alert view with the signing secret opened (made, sealed, on first read; null when another key sealed it). */
  async function alertView(id: string) {
    const view = await store.ops.getAlerts(id);
    if (!view) throw notFound('Integration', id);
    const webhookSecret = await alertSecretOf(store, id, view.webhookSecret, deps.connections);
    if (webhookSecret === undefined) throw notFound('Integration', id);
    return { ...view, webhookSecret, emailConfigured: deps.emailConfigured ?? false };
  }

  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook })
    .openapi(listTokens, async (c) => {
      const { id } = c.req.valid('param');
      await mustExist(id);
      return c.json(await store.ops.listTriggerTokens(id), 200);
    })
    .openapi(createToken, async (c) => {
      const { id } = c.req.valid('param');
      const integration = await mustExist(id);
      const { name } = c.req.valid('json');
      const { token, info } = await issueTriggerToken(store, { integrationId: id, name, createdBy: principalOf(c).actor });
      await audit(c, store, 'trigger_token.created', { type: 'integration', id, name: integration.name }, { token: info.name, prefix: info.prefix });
      return c.json({ token, info }, 201);
    })
    .openapi(revokeToken, async (c) => {
      const { id, tokenId } = c.req.valid('param');
      const gone = await store.ops.deleteTriggerToken(id, tokenId);
      if (!gone) throw notFound('Trigger token', tokenId);
      await audit(c, store, 'trigger_token.revoked', { type: 'integration', id, name: (await store.getIntegration(id))?.name ?? null }, { token: gone.name, prefix: gone.prefix });
      return c.body(null, 204);
    })
    .openapi(trigger, async (c) => {
      const { id } = c.req.valid('param');
      const token = await triggerTokenFor(c, id);
      const wait = perToken.retryAfter([token.id]);
      if (wait > 0) {
        c.header('Retry-After', String(wait));
        throw new HttpError(429, 'rate_limited', `This token started too many runs; try again in ${wait} s`);
      }
      perToken.fail([token.id]);
      // The body is optional (and is read only once the token is known to be good).
      const text = await c.req.text();
      let body: unknown = {};
      if (text.trim() !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          throw new HttpError(400, 'invalid_request', 'The body is not JSON; send {"params": {...}} or nothing');
        }
      }
      const input = TriggerInput.safeParse(body);
      if (!input.success) {
        const issues = input.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
        throw new HttpError(400, 'invalid_request', `Invalid request: ${issues[0]?.path}: ${issues[0]?.message}`, { issues });
      }
      const started = await startRunOf(deps, id, {
        trigger: 'api',
        startedBy: `trigger:${token.name}`,
        params: input.data.params,
        syncOptions: { ...(input.data.fullSync && { fullSync: true }), ...(input.data.confirmDeletes && { confirmDeletes: true }), ...(input.data.refresh && { refresh: true }) },
      });
      await audit(
        c,
        store,
        'integration.triggered',
        { type: 'integration', id, name: started.integration.name },
        { runId: started.run.id, version: started.version.number, params: Object.keys(input.data.params).sort() },
        { actor: `trigger:${token.name}`, actorId: token.id },
      );
      const statusUrl = `${site.publicUrl.origin}/api/integrations/${encodeURIComponent(id)}/trigger/runs/${encodeURIComponent(started.run.id)}`;
      return c.json({ runId: started.run.id, statusUrl }, 202);
    })
    .openapi(triggeredStatus, async (c) => {
      const { id, runId } = c.req.valid('param');
      await triggerTokenFor(c, id);
      const run = await store.getRun(runId);
      if (!run || run.integrationId !== id) throw notFound('Run', runId);
      return c.json(
        { runId: run.id, status: run.status, counts: run.counts, error: run.error, createdAt: run.createdAt, startedAt: run.startedAt, endedAt: run.endedAt },
        200,
      );
    })
    .openapi(getAlerts, async (c) => c.json(await alertView(c.req.valid('param').id), 200))
    .openapi(setAlerts, async (c) => {
      const { id } = c.req.valid('param');
      const integration = await mustExist(id);
      const settings = c.req.valid('json');
      if (settings.webhookUrl) {
        try {
          await alertGuard.check(new URL(settings.webhookUrl).hostname);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          throw new HttpError(400, 'invalid_request', `Invalid request: webhookUrl: ${message}`, { issues: [{ path: 'webhookUrl', message }] });
        }
      }
      await store.ops.setAlerts(id, settings);
      await audit(c, store, 'integration.alerts_changed', { type: 'integration', id, name: integration.name }, {
        emails: settings.emails.length,
        webhook: settings.webhookUrl ? new URL(settings.webhookUrl).host : null,
        onFailure: settings.onFailure,
        rejectedAbovePercent: settings.rejectedAbovePercent,
        autoDisableAfter: settings.autoDisableAfter,
      });
      return c.json(await alertView(id), 200);
    })
    .openapi(rotateSecret, async (c) => {
      const { id } = c.req.valid('param');
      const integration = await mustExist(id);
      if ((await rotateAlertSecret(store, id, deps.connections)) === undefined) throw notFound('Integration', id);
      await audit(c, store, 'integration.alert_secret_rotated', { type: 'integration', id, name: integration.name });
      return c.json(await alertView(id), 200);
    })
    .openapi(setActivation, async (c) => {
      const { id } = c.req.valid('param');
      const integration = await mustExist(id);
      const { active } = c.req.valid('json');
      // A deactivated integration is not started by its schedule either: it is paused, and its pending time is recorded
      // as "Scheduled but deleted" in sync history (enabling the schedule again is a separate, deliberate step).
      if (!active && integration.active && deps.schedules) {
        try {
          await withdrawSchedule(store, deps.schedules, id, 'the integration was deactivated');
        } catch (err) {
          throw engineDown(err);
        }
      }
      await store.ops.setActive(id, active, null);
      if (active !== integration.active) {
        await audit(c, store, active ? 'integration.activated' : 'integration.deactivated', { type: 'integration', id, name: integration.name });
      }
      return c.json(await mustExist(id), 200);
    })
    .openapi(duplicate, async (c) => {
      const { id } = c.req.valid('param');
      const original = await mustExist(id);
      const copyId = await store.ops.duplicateIntegration(id);
      if (!copyId) throw notFound('Integration', id);
      const copy = await mustExist(copyId);
      await audit(c, store, 'integration.duplicated', { type: 'integration', id: copy.id, name: copy.name }, { from: original.id, fromName: original.name });
      return c.json(copy, 201);
    })
    .openapi(deletion, async (c) => {
      const { id } = c.req.valid('param');
      const summary = await store.ops.deletionSummary(id);
      if (!summary) throw notFound('Integration', id);
      return c.json(summary, 200);
    });
}
