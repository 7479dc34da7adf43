// The audit log, newest first, filtered by person, action and date (owner and admins).
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { AuditEntry, AuditQuery, Page } from '../../shared';
import type { ApiDeps } from './deps';
import { validationHook } from './errors';
import { access, type AuthEnv } from './guard';
import { errors, json } from './schemas';

const list = createRoute({
  ...access('admin'),
  method: 'get',
  path: '/audit',
  tags: ['Audit log'],
  summary: 'Who did what and when: `actor` matches part of an email (or token:<name>), `action` one action, `from`/`to` ISO date-times',
  request: { query: AuditQuery },
  responses: { 200: json(Page(AuditEntry), 'Entries, newest first'), 400: errors[400] },
});

export function auditRoutes({ store }: ApiDeps) {
  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook }).openapi(list, async (c) => {
    const query = c.req.valid('query');
    const page = await store.auth.listAudit(query);
    return c.json({ ...page, limit: query.limit, offset: query.offset }, 200);
  });
}
