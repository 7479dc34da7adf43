// The record inbox: list, filter and group rejected records across runs and integrations; resubmit or ignore them.
import { z } from 'zod';
import { Page } from '../integrations';
import { IgnoreInput, InboxCount, InboxFilter, InboxGroup, InboxRecord, ResubmitInput, ResubmitResult } from '../inbox';
import { Paging, json, jsonBody, route } from './define';

export const listInbox = route({
  method: 'get',
  path: '/inbox',
  request: { query: Paging.extend(InboxFilter.shape) },
  responses: { 200: json(Page(InboxRecord)) },
});

export const inboxGroups = route({
  method: 'get',
  path: '/inbox/groups',
  request: { query: InboxFilter },
  responses: { 200: json(z.object({ items: z.array(InboxGroup), total: z.number().int() })) },
});

export const inboxCount = route({
  method: 'get',
  path: '/inbox/count',
  responses: { 200: json(InboxCount) },
});

export const resubmitRecords = route({
  method: 'post',
  path: '/inbox/resubmit',
  request: { body: jsonBody(ResubmitInput) },
  responses: { 202: json(ResubmitResult) },
});

export const ignoreRecords = route({
  method: 'post',
  path: '/inbox/ignore',
  request: { body: jsonBody(IgnoreInput) },
  responses: { 200: json(z.object({ ignored: z.number().int().nonnegative() })) },
});
