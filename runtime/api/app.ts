// The HTTP API: one Hono app from the route modules, with one JSON error shape and an OpenAPI document.
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { connectionRoutes } from './connections';
import type { ApiDeps } from './deps';
import { errorBody, HttpError, validationHook } from './errors';
import { fileDownloadRoutes, fileRoutes } from './files';
import { integrationRoutes } from './integrations';
import { runRoutes } from './runs';
import { json } from './schemas';
import { workspaceRoutes } from './workspace';

const Health = z.object({
  ok: z.boolean(),
  store: z.enum(['pglite', 'postgres']),
  temporal: z.enum(['up', 'down', 'unknown']),
  /** Why Temporal is down, when it is. */
  message: z.string().optional(),
});

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

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['System'],
  summary: 'Liveness and the state of the store and Temporal',
  responses: { 200: json(Health, 'Healthy'), 503: json(Health, 'Temporal is down') },
});

export function createApi(deps: ApiDeps) {
  const api = new OpenAPIHono({ defaultHook: validationHook })
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
    .route('/', fileRoutes(deps))
    .route('/', fileDownloadRoutes(deps))
    .route('/', workspaceRoutes(deps))
    .route('/', connectionRoutes(deps));

  const app = new OpenAPIHono().route('/api', api);
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
    if (err instanceof z.ZodError) {
      return c.json(errorBody('invalid_request', 'Invalid request', { issues: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) }), 400);
    }
    console.error('Unhandled API error', err);
    return c.json(errorBody('internal_error', 'Something went wrong on the server; the error was logged'), 500);
  });
  return app;
}

export type WeftApp = ReturnType<typeof createApi>;
