// Inbound webhooks: the integration's endpoint (make or regenerate its secret, choose how senders authenticate, read
// the queue depth) and the inbound URL itself. A request is checked (size, type, then signature or token, in constant
// time), appended to the store's queue, answered 202, and drained by runs (runtime/temporal/webhooks.ts).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { WEBHOOK_LIMITS, type WebhookEndpoint } from '../../shared/api/webhooks';
import { Plan } from '../../shared/compiler/plan';
import { WebhookSourceConfig } from '../../shared/graph/kinds/webhook-source';
import { parseWebhookBody, recordsOf } from '../../shared/webhooks/records';
import * as routes from '../../shared/api/routes';
import { createRateLimiter } from '../auth/rate-limit';
import { newSecret } from '../auth/secrets';
import type { StoredWebhookEndpoint } from '../store/webhooks';
import { audit } from './audit-log';
import type { ApiDeps } from './deps';
import { HttpError, notFound, usual, validationHook } from './errors';
import { access, clientIp, serve, type AuthEnv, type Site } from './guard';

const TAGS = ['Webhooks'];

/** Starts (or signals) the integration's drain workflow; returns at once, never throws (runtime/temporal/webhooks.ts). */
export interface WebhookDrain {
  kick(integrationId: string): void;
}

/** The one path the browser-origin guard lets through unchecked: a request there must prove itself with its secret. */
export const INBOUND_HOOK_PATH = /^\/api\/hooks\/[^/]+$/;

export const SIGNATURE_HEADER = 'x-weft-signature';
export const TIMESTAMP_HEADER = 'x-weft-timestamp';
export const TOKEN_HEADER = 'x-weft-token';

/** `sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<raw body>"): what a sender puts in X-Weft-Signature. */
export function signWebhookBody(secret: string, timestamp: number | string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

const getWebhook = serve(routes.getWebhook, {
  ...access('read'),
  tags: TAGS,
  summary: "The integration's inbound URL, how senders authenticate, the secret's prefix, the limits and the queue depth",
  responses: { 200: 'The endpoint', 404: 'No such integration, or no inbound URL made yet' },
});

const createSecret = serve(routes.createWebhookSecret, {
  ...access('design'),
  tags: TAGS,
  summary: 'Make the inbound URL and its secret, or a new secret (the URL stays); the answer is the only time the secret is shown',
  responses: { 201: 'The endpoint and its new secret', 400: usual[400], 404: usual[404] },
});

const setSettings = serve(routes.setWebhookSettings, {
  ...access('design'),
  tags: TAGS,
  summary: 'Choose how senders authenticate: an HMAC-SHA256 signature with a timestamp (default), or the secret as a token',
  responses: { 200: 'The endpoint', 400: usual[400], 404: 'No such integration, or no inbound URL made yet' },
});

const receive = serve(routes.receiveWebhook, {
  ...access('public'),
  security: [{ webhookSignature: [] }],
  tags: TAGS,
  summary:
    'Inbound URL: POST a JSON record or an array of records (application/json, at most 1 MB and 1,000 records), signed with X-Weft-Timestamp and X-Weft-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>, or with X-Weft-Token when the endpoint takes tokens. Answered 202 once stored; runs write it (docs/webhooks.md)',
  responses: {
    202: 'Stored: a run will write its records',
    400: 'The body is not UTF-8 JSON',
    401: 'No signature or token, a wrong one, or a timestamp more than 5 minutes away',
    404: 'No inbound URL at this address',
    409: 'The same signed request again (a replay), or the integration is deactivated or not published with a webhook step',
    413: 'The body is larger than 1 MB or holds more than 1,000 records',
    415: 'The body is not application/json',
    422: 'The body holds no records where the integration reads them',
    429: 'Too many refused requests from this address; Retry-After says when',
  },
});

/** Reads at most `max` bytes of the body; null when it holds more (the rest is not read). */
async function readLimited(req: Request, max: number): Promise<Buffer | null> {
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > max) return null;
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest();

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
const sameSecret = (a: string, b: string) => timingSafeEqual(sha256(a), sha256(b));

/**
 * The digest the request was signed with (hex), when one of the header's values is it; else null. Several `sha256=`
 * values (comma-separated) let a sender sign with two secrets while it changes over. The answer, not the header, names
 * the request for replays: the header can be rewritten (a trailing comma, a value twice, a made-up second value)
 * without the secret, the digest cannot.
 */
function signedDigest(secret: string, timestamp: string, body: Buffer, header: string): string | null {
  const expected = Buffer.from(signWebhookBody(secret, timestamp, body).slice('sha256='.length), 'hex');
  let ok = false;
  for (const part of header.split(',')) {
    const m = /^\s*sha256=([0-9a-f]{64})\s*$/i.exec(part);
    if (m && timingSafeEqual(Buffer.from(m[1]!.toLowerCase(), 'hex'), expected)) ok = true;
  }
  return ok ? expected.toString('hex') : null;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

export function webhookRoutes(deps: ApiDeps, site: Site) {
  const { store } = deps;
  const maxBytes = deps.webhookMaxBytes ?? WEBHOOK_LIMITS.maxBodyBytes;
  // Refused requests per address (wrong signatures, wrong tokens, unknown hooks): enough for a sender whose secret
  // just changed to notice, too few to make guessing cost the server anything.
  const refusals = createRateLimiter({ max: 100, windowMs: 15 * 60_000 });
  const urlOf = (hookId: string) => `${site.publicUrl.origin}${routes.API_BASE}/hooks/${hookId}`;
  // Published plans never change: what a version's webhook step reads is cached by version id.
  const stepsByVersion = new Map<string, { recordsPath: string } | null>();
  // Endpoints and integration states are read per request; a burst reads them from here for up to 2 s (a new secret
  // made in this process clears its entry at once).
  const recent = new Map<string, { at: number; value: unknown }>();
  const cached = async <T>(key: string, load: () => Promise<T>): Promise<T> => {
    const hit = recent.get(key);
    if (hit && Date.now() - hit.at < 2_000) return hit.value as T;
    const value = await load();
    if (recent.size > 10_000) recent.clear();
    recent.set(key, { at: Date.now(), value });
    return value;
  };

  async function view(e: StoredWebhookEndpoint): Promise<WebhookEndpoint> {
    return {
      url: urlOf(e.hookId),
      auth: e.auth,
      secretPrefix: e.secretPrefix,
      createdAt: e.createdAt,
      rotatedAt: e.rotatedAt,
      queue: await store.webhooks.queueDepth(e.integrationId),
      limits: { maxBodyBytes: maxBytes, maxRecordsPerRequest: WEBHOOK_LIMITS.maxRecordsPerRequest, toleranceSeconds: WEBHOOK_LIMITS.toleranceSeconds },
    };
  }

  async function webhookStepOf(versionId: string): Promise<{ recordsPath: string } | null> {
    if (stepsByVersion.has(versionId)) return stepsByVersion.get(versionId)!;
    const version = await store.getVersion(versionId);
    const plan = version ? Plan.safeParse(version.plan) : null;
    const step = plan?.success ? plan.data.steps.find((s) => s.kind === 'webhook-source') : undefined;
    const config = step ? WebhookSourceConfig.safeParse(step.config) : null;
    const found = config?.success ? { recordsPath: config.data.recordsPath } : null;
    if (stepsByVersion.size > 1_000) stepsByVersion.clear();
    stepsByVersion.set(versionId, found);
    return found;
  }

  const refuse = (c: Context, status: 401 | 404, code: string, message: string): never => {
    refusals.fail([clientIp(c) ?? 'unknown']);
    throw new HttpError(status, code, message);
  };

  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook })
    .openapi(getWebhook, async (c) => {
      const { id } = c.req.valid('param');
      if (!(await store.getIntegration(id))) throw notFound('Integration', id);
      const endpoint = await store.webhooks.getEndpoint(id);
      if (!endpoint) throw new HttpError(404, 'not_found', 'This integration has no inbound URL yet: make its secret first');
      return c.json(await view(endpoint), 200);
    })
    .openapi(createSecret, async (c) => {
      const { id } = c.req.valid('param');
      const integration = await store.getIntegration(id);
      if (!integration) throw notFound('Integration', id);
      const before = await store.webhooks.getEndpoint(id);
      const secret = newSecret('whin_');
      const saved = await store.webhooks.saveEndpoint({
        integrationId: id,
        hookId: before?.hookId ?? `whk_${randomBytes(16).toString('base64url')}`,
        auth: c.req.valid('json').auth ?? before?.auth ?? 'signature',
        secret: deps.connections.sealWebhookSecret(secret),
        secretPrefix: secret.slice(0, 'whin_'.length + 6),
      });
      recent.delete(`hook:${saved.hookId}`);
      await audit(c, store, 'webhook.secret_created', { type: 'integration', id, name: integration.name }, { prefix: saved.secretPrefix, replaced: before !== null });
      return c.json({ ...(await view(saved)), secret }, 201);
    })
    .openapi(setSettings, async (c) => {
      const { id } = c.req.valid('param');
      const integration = await store.getIntegration(id);
      if (!integration) throw notFound('Integration', id);
      const saved = await store.webhooks.setAuth(id, c.req.valid('json').auth);
      if (!saved) throw new HttpError(404, 'not_found', 'This integration has no inbound URL yet: make its secret first');
      recent.delete(`hook:${saved.hookId}`);
      await audit(c, store, 'webhook.settings_changed', { type: 'integration', id, name: integration.name }, { auth: saved.auth });
      return c.json(await view(saved), 200);
    })
    .openapi(receive, async (c) => {
      const address = [clientIp(c) ?? 'unknown'];
      const wait = refusals.retryAfter(address);
      if (wait > 0) {
        c.header('Retry-After', String(wait));
        throw new HttpError(429, 'too_many_attempts', `Too many refused webhook requests from this address; try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? 's' : ''}`);
      }
      const { hookId } = c.req.valid('param');
      // Unknown and deleted look alike: the hook id is 128 random bits, so a 404 says nothing about any integration.
      const endpoint = await cached(`hook:${hookId}`, () => store.webhooks.findEndpoint(hookId));
      if (!endpoint) return refuse(c, 404, 'not_found', 'There is no inbound URL at this address');

      const type = (c.req.header('content-type') ?? '').split(';');
      const charset = type.slice(1).map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('charset='));
      if (!JSON_TYPE.test(type[0]!.trim().toLowerCase()) || (charset !== undefined && charset !== 'charset=utf-8')) {
        throw new HttpError(415, 'json_required', 'Send the records as JSON: Content-Type: application/json (UTF-8)');
      }
      const body = await readLimited(c.req.raw, maxBytes);
      if (body === null) throw new HttpError(413, 'too_large', `The body is larger than ${maxBytes.toLocaleString('en-US')} bytes, the most one request may carry; send fewer records per request`);

      // The secret: sealed in the store, opened here only to check this request.
      const secret = deps.connections.openWebhookSecret(endpoint.secret);
      if (secret === null) return refuse(c, 401, 'unauthenticated', 'This inbound URL’s secret cannot be read by this server (another secrets key); make a new secret');
      let replayKey: string | undefined;
      if (endpoint.auth === 'token') {
        const token = c.req.header(TOKEN_HEADER);
        if (!token || !sameSecret(token, secret)) return refuse(c, 401, 'unauthenticated', `Send the webhook's secret in ${TOKEN_HEADER}`);
      } else {
        const timestamp = c.req.header(TIMESTAMP_HEADER) ?? '';
        const signature = c.req.header(SIGNATURE_HEADER) ?? '';
        if (!/^\d{1,12}$/.test(timestamp) || !signature) {
          return refuse(c, 401, 'unauthenticated', `Sign the request: ${TIMESTAMP_HEADER} (Unix seconds) and ${SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`);
        }
        const digest = signedDigest(secret, timestamp, body, signature);
        if (digest === null) return refuse(c, 401, 'bad_signature', 'The signature does not match this request: sign "<timestamp>.<raw body>" with the current secret');
        // Checked after the signature, so a stale timestamp cannot be told from a wrong one without the secret.
        const skew = Math.abs(Date.now() / 1000 - Number(timestamp));
        if (skew > WEBHOOK_LIMITS.toleranceSeconds) {
          return refuse(c, 401, 'stale_timestamp', `The timestamp is ${Math.round(skew)} s away from this server's clock; at most ${WEBHOOK_LIMITS.toleranceSeconds} s are allowed (sign each request when sending it)`);
        }
        replayKey = createHash('sha256').update(`${timestamp}.${digest}`).digest('hex');
      }

      // From here on the sender has proved it holds the secret: it may learn the integration's state.
      const integration = await cached(`integration:${endpoint.integrationId}`, async () => {
        const found = await store.getIntegration(endpoint.integrationId);
        return found && { active: found.active, name: found.name, publishedVersionId: found.publishedVersionId };
      });
      if (!integration) return refuse(c, 404, 'not_found', 'There is no inbound URL at this address');
      if (!integration.active) throw new HttpError(409, 'inactive', `"${integration.name}" is deactivated; nothing was stored. Activate it in Weft, then send again`);
      const step = integration.publishedVersionId ? await webhookStepOf(integration.publishedVersionId) : null;
      if (!step) throw new HttpError(409, 'not_published', `"${integration.name}" has no published version with a webhook step; nothing was stored. Publish it, then send again`);

      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(body);
      } catch {
        throw new HttpError(400, 'invalid_request', 'The body is not valid UTF-8');
      }
      const parsed = parseWebhookBody(text);
      if (!parsed.ok) throw new HttpError(400, 'invalid_json', parsed.reason);
      const records = recordsOf(parsed.value, step.recordsPath);
      if (!records.ok) {
        const tooMany = /at most \d/.test(records.reason);
        throw new HttpError(tooMany ? 413 : 422, tooMany ? 'too_many_records' : 'no_records', records.reason);
      }

      const stored = await store.webhooks.enqueue({ integrationId: endpoint.integrationId, body: text, records: records.records.length, ...(replayKey && { replayKey }) });
      if (stored === 'replayed') throw new HttpError(409, 'replayed', 'This signed request was received already; a sender signs each request anew (a new timestamp)');
      deps.webhookDrain?.kick(endpoint.integrationId);
      return c.json({ accepted: true as const, records: records.records.length, id: String(stored.seq) }, 202);
    });
}
