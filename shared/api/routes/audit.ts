// The audit log: who did what and when.
import { AuditEntry, AuditQuery } from '../auth';
import { Page } from '../integrations';
import { access, errors, json, route } from './define';

export const listAudit = route({
  ...access('admin'),
  method: 'get',
  path: '/audit',
  tags: ['Audit log'],
  summary: 'Who did what and when: `actor` matches part of an email (or token:<name>), `action` one action, `from`/`to` ISO date-times',
  request: { query: AuditQuery },
  responses: { 200: json(Page(AuditEntry), 'Entries, newest first'), 400: errors[400] },
});

