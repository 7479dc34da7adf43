// The audit log: who did what and when.
import { AuditEntry, AuditQuery } from '../auth';
import { Page } from '../integrations';
import { json, route } from './define';

export const listAudit = route({
  method: 'get',
  path: '/audit',
  request: { query: AuditQuery },
  responses: { 200: json(Page(AuditEntry)) },
});
