// The audit log, newest first, filtered by person, action and date (owner and admins).
import { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiDeps } from './deps';
import { validationHook, usual } from './errors';
import { access, serve, type AuthEnv } from './guard';
import * as routes from '../../shared/api/routes';

const list = serve(routes.listAudit, {
  ...access('admin'),
  tags: ['Audit log'],
  summary: 'Who did what and when: `actor` matches part of an email (or token:<name>), `action` one action, `from`/`to` ISO date-times',
  responses: { 200: 'Entries, newest first', 400: usual[400] },
});

export function auditRoutes({ store }: ApiDeps) {
  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook }).openapi(list, async (c) => {
    const query = c.req.valid('query');
    const page = await store.auth.listAudit(query);
    return c.json({ ...page, limit: query.limit, offset: query.offset }, 200);
  });
}
