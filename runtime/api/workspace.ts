// Workspace: Weft's own objects and the records integrations wrote into them.
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { Page, WorkspaceObject, WorkspaceRecord } from '../../shared';
import type { ApiDeps } from './deps';
import { notFound, validationHook } from './errors';
import { errors, json, NameParam, Paging } from './schemas';

const listObjects = createRoute({
  method: 'get',
  path: '/workspace/objects',
  tags: ['Workspace'],
  summary: 'Workspace objects with their attributes and record counts',
  responses: { 200: json(z.array(WorkspaceObject), 'Objects') },
});

const getObject = createRoute({
  method: 'get',
  path: '/workspace/objects/{name}',
  tags: ['Workspace'],
  summary: 'One workspace object',
  request: { params: NameParam },
  responses: { 200: json(WorkspaceObject, 'The object'), 404: errors[404] },
});

const listRecords = createRoute({
  method: 'get',
  path: '/workspace/objects/{name}/records',
  tags: ['Workspace'],
  summary: "An object's records, searchable and paged",
  request: { params: NameParam, query: Paging.extend({ search: z.string().max(200).optional() }) },
  responses: { 200: json(Page(WorkspaceRecord), 'Records'), 400: errors[400], 404: errors[404] },
});

export function workspaceRoutes({ store }: ApiDeps) {
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
    });
}
