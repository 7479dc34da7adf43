// Workspace: Weft's own objects and the records integrations wrote into them.
import { OpenAPIHono } from '@hono/zod-openapi';
import { ConnectorError } from '../connections';
import type { ApiDeps } from './deps';
import { access, serve } from './guard';
import { HttpError, notFound, validationHook, usual } from './errors';
import * as routes from '../../shared/api/routes';

const listObjects = serve(routes.listObjects, {
  ...access('read'),
  tags: ['Workspace'],
  summary: 'Workspace objects with their attributes and record counts',
  responses: { 200: 'Objects' },
});

const getObject = serve(routes.getObject, {
  ...access('read'),
  tags: ['Workspace'],
  summary: 'One workspace object',
  responses: { 200: 'The object', 404: usual[404] },
});

const listRecords = serve(routes.listRecords, {
  ...access('read'),
  tags: ['Workspace'],
  summary: "An object's records, searchable and paged",
  responses: { 200: 'Records', 400: usual[400], 404: usual[404] },
});

// The Workspace source's preview reads through the workspace connector, so it shows what a run would read.
const previewObject = serve(routes.previewWorkspaceObject, {
  ...access('read'),
  tags: ['Workspace'],
  summary: 'The first 10 records a Workspace source reads from the object, its filter formula applied',
  responses: { 200: 'Preview', 400: usual[400], 404: usual[404], 422: 'The filter is not a TRUE/FALSE formula over the object\'s fields, or fails on a record (error.code invalid_query)' },
});

const PREVIEW_ROWS = 10;

export function workspaceRoutes({ store, connections }: ApiDeps) {
  return new OpenAPIHono({ defaultHook: validationHook })
    .openapi(listObjects, async (c) => c.json(await store.listWorkspaceObjects(), 200))
    .openapi(getObject, async (c) => {
      const { name } = c.req.valid('param');
      const found = await store.getWorkspaceObject(name);
      if (!found) throw notFound('Workspace object', name);
      return c.json(found, 200);
    })
    .openapi(listRecords, async (c) => {
      const { name } = c.req.valid('param');
      const query = c.req.valid('query');
      if (!(await store.getWorkspaceObject(name))) throw notFound('Workspace object', name);
      const page = await store.listWorkspaceRecords(name, query);
      return c.json({ ...page, limit: query.limit, offset: query.offset }, 200);
    })
    .openapi(previewObject, async (c) => {
      const { name } = c.req.valid('param');
      const filter = c.req.valid('json').filter.trim();
      if (!(await store.getWorkspaceObject(name))) throw notFound('Workspace object', name);
      const session = await connections.openBuiltIn('workspace');
      try {
        for await (const batch of session.read(name, { batchSize: PREVIEW_ROWS, ...(filter ? { query: filter } : {}) })) return c.json({ rows: batch.rows }, 200);
        return c.json({ rows: [] }, 200);
      } catch (err) {
        if (err instanceof ConnectorError && err.code === 'invalid_query') throw new HttpError(422, 'invalid_query', err.message);
        throw err;
      } finally {
        await session.close().catch(() => undefined);
      }
    });
}
