// Integrations: CRUD over drafts, server-side compile, and publish (the gate that refuses errors).
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { nameRecord } from '../../shared/util/name-record';
import {
  ApiError,
  Diagnostic,
  Graph,
  hasErrors,
  Integration,
  IntegrationInput,
  IntegrationPatch,
  IntegrationSummary,
  PublishResult,
  RowSchema,
} from '../../shared';
import { compileOnServer } from './compile-context';
import { audit } from './audit-log';
import type { ApiDeps } from './deps';
import { access } from './guard';
import { HttpError, notFound, validationHook } from './errors';
import { publishIntegration } from './publish';
import { errors, IdParam, json } from './schemas';

const list = createRoute({
  ...access('read'),
  method: 'get',
  path: '/integrations',
  tags: ['Integrations'],
  summary: 'List integrations with their last run',
  responses: { 200: json(z.array(IntegrationSummary), 'Integrations') },
});

const create = createRoute({
  ...access('design'),
  method: 'post',
  path: '/integrations',
  tags: ['Integrations'],
  summary: 'Create an integration (a draft graph)',
  request: { body: { content: { 'application/json': { schema: IntegrationInput } }, required: true } },
  responses: { 201: json(Integration, 'Created'), 400: errors[400] },
});

const get = createRoute({
  ...access('read'),
  method: 'get',
  path: '/integrations/{id}',
  tags: ['Integrations'],
  summary: 'One integration with its draft graph',
  request: { params: IdParam },
  responses: { 200: json(Integration, 'The integration'), 404: errors[404] },
});

const update = createRoute({
  ...access('design'),
  method: 'put',
  path: '/integrations/{id}',
  tags: ['Integrations'],
  summary: 'Save the draft (name, description, graph)',
  request: { params: IdParam, body: { content: { 'application/json': { schema: IntegrationPatch } }, required: true } },
  responses: { 200: json(Integration, 'Saved'), 400: errors[400], 404: errors[404] },
});

const remove = createRoute({
  ...access('design'),
  method: 'delete',
  path: '/integrations/{id}',
  tags: ['Integrations'],
  summary: 'Delete an integration, its versions and its runs',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, 404: errors[404], 409: json(ApiError, 'A run is in progress') },
});

const CompileResponse = z.object({
  ok: z.boolean(),
  diagnostics: z.array(Diagnostic),
  schemas: nameRecord(RowSchema.nullable()),
});

const compileRoute = createRoute({
  ...access('read'),
  method: 'post',
  path: '/compile',
  tags: ['Integrations'],
  summary: 'Compile a graph and return its diagnostics (nothing is saved)',
  request: { body: { content: { 'application/json': { schema: z.object({ graph: Graph }) } }, required: true } },
  responses: { 200: json(CompileResponse, 'Diagnostics and per-node schemas'), 400: errors[400] },
});

const publish = createRoute({
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

export function integrationRoutes({ store }: ApiDeps) {
  return new OpenAPIHono({ defaultHook: validationHook })
    .openapi(list, async (c) => c.json(await store.listIntegrations(), 200))
    .openapi(create, async (c) => {
      const created = await store.createIntegration(c.req.valid('json'));
      await audit(c, store, 'integration.created', { type: 'integration', id: created.id, name: created.name });
      return c.json(created, 201);
    })
    .openapi(get, async (c) => {
      const { id } = c.req.valid('param');
      const found = await store.getIntegration(id);
      if (!found) throw notFound('Integration', id);
      return c.json(found, 200);
    })
    .openapi(update, async (c) => {
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      const saved = await store.updateIntegration(id, patch);
      if (!saved) throw notFound('Integration', id);
      await audit(c, store, 'integration.saved', { type: 'integration', id, name: saved.name }, { changed: Object.keys(patch).sort() });
      return c.json(saved, 200);
    })
    .openapi(remove, async (c) => {
      const { id } = c.req.valid('param');
      const { items } = await store.listRuns(id, { limit: 20 });
      if (items.some((r) => r.status === 'running' || r.status === 'scheduled')) {
        throw new HttpError(409, 'run_in_progress', 'A run of this integration is in progress; delete it when the run has finished');
      }
      const gone = await store.getIntegration(id);
      if (!gone || !(await store.deleteIntegration(id))) throw notFound('Integration', id);
      await audit(c, store, 'integration.deleted', { type: 'integration', id, name: gone.name });
      return c.body(null, 204);
    })
    .openapi(compileRoute, async (c) => {
      const result = await compileOnServer(store, c.req.valid('json').graph);
      return c.json({ ok: !hasErrors(result.diagnostics), diagnostics: result.diagnostics, schemas: result.schemas }, 200);
    })
    .openapi(publish, async (c) => {
      const { id } = c.req.valid('param');
      const published = await publishIntegration(store, id);
      const name = (await store.getIntegration(id))?.name ?? null;
      await audit(c, store, 'integration.published', { type: 'integration', id, name }, { version: published.version.number, versionId: published.version.id });
      return c.json(published, 200);
    });
}
