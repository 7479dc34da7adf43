// The HTTP API: one Hono app from the route modules, with one JSON error shape and an OpenAPI document.
import { OpenAPIHono } from '@hono/zod-openapi';
import { installCronCheck } from '../../shared/api/cron-check';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { auditRoutes } from './audit';
import { authRoutes } from './auth';
import { jsonBodyDepthLimit, LONE_SURROGATE_MESSAGE, requestBodyLimit } from './body-limit';
import { connectionRoutes } from './connections';
import type { ApiDeps } from './deps';
import { access, serve, identify, requireAccess, securityHeaders, siteGuard, siteOf, type AuthEnv } from './guard';
import { errorBody, HttpError, validationHook } from './errors';
import { fileDownloadRoutes, fileRoutes } from './files';
import { FileStorageUnavailableError } from '../files/storage';
import { inboxRoutes } from './inbox';
import { integrationRoutes } from './integrations';
import { operationRoutes } from './operations';
import { runRoutes } from './runs';
import { scheduleRoutes } from './schedules';
import { setRoutes } from './sets';
import { memberRoutes } from './members';
import { testRecordRoutes } from './test-record';
import { createTriggerGate } from './trigger-gate';
import { tokenRoutes } from './tokens';
import { userRoutes } from './users';
import { INBOUND_HOOK_PATH, webhookRoutes } from './webhooks';
import { workspaceRoutes } from './workspace';
import * as routes from '../../shared/api/routes';

/** Settles with the probe's answer, or with "down" once the deadline passes: health never hangs on a dead server. */
async function probeTemporal(probe: NonNullable<ApiDeps['temporalHealth']>, deadlineMs: number): Promise<{ up: boolean; message?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ up: boolean; message: string }>((resolve) => {
    timer = setTimeout(() => resolve({ up: false, message: `Temporal did not answer within ${deadlineMs / 1000} s.` }), deadlineMs);
  });
  const answer = probe().then(
    (r) => (typeof r === 'boolean' ? { up: r } : r),
    (err: unknown) => ({ up: false, message: `Temporal is unreachable: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` }),
  );
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

const health = serve(routes.health, {
  ...access('public'),
  tags: ['System'],
  summary: 'Liveness and the state of the store and Temporal',
  responses: { 200: 'Healthy', 503: 'Temporal is down' },
});

// Cron expressions in request bodies get croner's full check (shared/api/schedules.ts registerCronCheck).
installCronCheck();

export function createApi(deps: ApiDeps) {
  const site = siteOf(deps.publicUrl ?? 'http://localhost');
  // One count of wrong trigger tokens per address, whichever trigger route they were tried on.
  const triggerGate = createTriggerGate(deps.store);
  const api = new OpenAPIHono<AuthEnv>({ defaultHook: validationHook })
    .openapi(health, async (c) => {
      let temporal: 'up' | 'down' | 'unknown' = 'unknown';
      let message: string | undefined;
      if (deps.temporalHealth) {
        const probe = await probeTemporal(deps.temporalHealth, deps.temporalHealthDeadlineMs ?? 2_000);
        temporal = probe.up ? 'up' : 'down';
        if (!probe.up) message = probe.message ?? 'Temporal is unreachable.';
      }
      const body = { ok: temporal !== 'down', store: deps.store.engine, temporal, ...(message && { message }) };
      return c.json(body, temporal === 'down' ? 503 : 200);
    })
    .route('/', integrationRoutes(deps))
    .route('/', runRoutes(deps))
    .route('/', inboxRoutes(deps))
    .route('/', scheduleRoutes(deps))
    .route('/', fileRoutes(deps))
    .route('/', fileDownloadRoutes(deps))
    .route('/', workspaceRoutes(deps))
    .route('/', connectionRoutes(deps, site))
    .route('/', authRoutes(deps, site))
    .route('/', userRoutes(deps, site))
    .route('/', tokenRoutes(deps))
    .route('/', operationRoutes(deps, site, triggerGate))
    .route('/', setRoutes(deps, site, triggerGate))
    .route('/', memberRoutes(deps))
    .route('/', testRecordRoutes(deps))
    .route('/', auditRoutes(deps))
    .route('/', webhookRoutes(deps, site));

  // Order matters: headers wrap everything, the Host/Origin/content-type guard comes before any route (the SPA's
  // files included), and identify runs before the routes' own access checks.
  const app = new OpenAPIHono<AuthEnv>();
  app.use('*', securityHeaders(site));
  // The inbound webhook URL is called by other servers, not pages: the guard leaves its origin to the route, which
  // refuses any request without a valid signature or token before it reads anything else.
  app.use('*', siteGuard(site, { inbound: INBOUND_HOOK_PATH }));
  // A path or query string with U+0000 (`%00`) or a broken %-escape names nothing: refused before any route reads it.
  app.use('/api/*', async (c, next) => {
    const url = c.req.url;
    const at = url.indexOf('?');
    let decoded: string;
    try {
      decoded = decodeURIComponent(at === -1 ? new URL(url).pathname : `${new URL(url).pathname}${url.slice(at)}`);
    } catch {
      return c.json(errorBody('invalid_request', 'The address is not valid: it holds a broken %-escape'), 400);
    }
    if (decoded.includes('\u0000')) return c.json(errorBody('invalid_request', 'The address holds the character U+0000 (%00), which no id, name or setting can contain'), 400);
    return next();
  });
  app.use('/api/*', async (c, next) => (c.req.method === 'POST' && INBOUND_HOOK_PATH.test(c.req.path) ? (c.set('principal', null), next()) : identify(deps.store, site)(c, next)));
  // Bodies are bounded by who is asking before any route reads one (runtime/api/body-limit.ts); uploads and inbound
  // webhooks stream under limits of their own.
  const ownBodyLimit = (method: string, path: string) => method === 'POST' && (path === `${routes.API_BASE}/files` || INBOUND_HOOK_PATH.test(path));
  app.use('/api/*', requestBodyLimit(ownBodyLimit));
  app.use('/api/*', jsonBodyDepthLimit(ownBodyLimit));
  app.use('/api/openapi.json', requireAccess('signedIn'));
  app.route(routes.API_BASE, api);
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: site.cookieName });
  app.openAPIRegistry.registerComponent('securitySchemes', 'webhookSignature', { type: 'apiKey', in: 'header', name: 'X-Weft-Signature', description: 'HMAC-SHA256 of "<X-Weft-Timestamp>.<raw body>" with the webhook secret, as sha256=<hex> (or the secret in X-Weft-Token)' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'An API token (weft_…)' });
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Weft API',
      version: '0.1.0',
      description: 'Design, publish and run integrations; read their sync history; keep connections to outside systems (secrets are write-only). Errors are `{ error: { code, message, issues?, diagnostics? } }`.',
    },
  });

  app.notFound((c) => c.json(errorBody('not_found', `No such endpoint: ${c.req.method} ${c.req.path}`), 404));
  app.onError((err, c) => {
    if (err instanceof HttpError) return c.json(errorBody(err.code, err.message, err.extra), err.status);
    if (err instanceof HTTPException) return c.json(errorBody('http_error', err.message || 'Request failed'), err.status);
    // The file storage (a bucket) down, failing, silent or refusing the credentials: the operator's to fix, said plainly.
    if (err instanceof FileStorageUnavailableError) {
      console.warn('File storage unavailable', err);
      // Down or failing: 503, worth trying again. Refused or misaddressed (credentials, no bucket, a refused request):
      // 502 storage_misconfigured — the server's settings to correct; trying again would not help.
      if (err.reason !== 'unreachable') return c.json(errorBody('storage_misconfigured', err.message), 502);
      return c.json(errorBody('storage_unavailable', err.message), 503);
    }
    if (err instanceof z.ZodError) {
      return c.json(errorBody('invalid_request', 'Invalid request', { issues: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) }), 400);
    }
    // A value the store cannot hold (U+0000 in an id or a body field) is the request's fault, not the server's.
    const code = (err as { code?: unknown; cause?: { code?: unknown } }).code ?? (err as { cause?: { code?: unknown } }).cause?.code;
    if (code === '22021' || code === '22P05') {
      console.warn('Refused a request holding U+0000', err);
      return c.json(errorBody('invalid_request', 'The request holds the character U+0000, which no id, name or value Weft stores can contain'), 400);
    }
    // Half of a character (a lone UTF-16 surrogate, "\ud800" in JSON) is the same: jsonb refuses it (22P02, "Unicode
    // low surrogate must follow a high surrogate") — a node label or field name holding one answered 500.
    const detail = (err as { detail?: unknown; cause?: { detail?: unknown } }).detail ?? (err as { cause?: { detail?: unknown } }).cause?.detail;
    if (code === '22P02' && typeof detail === 'string' && /surrogate/i.test(detail)) {
      console.warn('Refused a request holding half of a character', err);
      return c.json(errorBody('invalid_request', LONE_SURROGATE_MESSAGE), 400);
    }
    console.error('Unhandled API error', err);
    return c.json(errorBody('internal_error', 'Something went wrong on the server; the error was logged'), 500);
  });
  return app;
}
