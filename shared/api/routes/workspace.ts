// The workspace: objects, their records, and what a Workspace source would read.
import { z } from 'zod';
import { ApiError, Page, WorkspaceObject, WorkspaceRecord } from '../integrations';
import { WorkspacePreview, WorkspacePreviewInput } from '../workspace-preview';
import { access, errors, json, NameParam, Paging, route } from './define';

export const listObjects = route({
  ...access('read'),
  method: 'get',
  path: '/workspace/objects',
  tags: ['Workspace'],
  summary: 'Workspace objects with their attributes and record counts',
  responses: { 200: json(z.array(WorkspaceObject), 'Objects') },
});

export const getObject = route({
  ...access('read'),
  method: 'get',
  path: '/workspace/objects/{name}',
  tags: ['Workspace'],
  summary: 'One workspace object',
  request: { params: NameParam },
  responses: { 200: json(WorkspaceObject, 'The object'), 404: errors[404] },
});

export const listRecords = route({
  ...access('read'),
  method: 'get',
  path: '/workspace/objects/{name}/records',
  tags: ['Workspace'],
  summary: "An object's records, searchable and paged",
  request: { params: NameParam, query: Paging.extend({ search: z.string().max(200).optional() }) },
  responses: { 200: json(Page(WorkspaceRecord), 'Records'), 400: errors[400], 404: errors[404] },
});

export const previewWorkspaceObject = route({
  ...access('read'),
  method: 'post',
  path: '/workspace/objects/{name}/preview',
  tags: ['Workspace'],
  summary: 'The first 10 records a Workspace source reads from the object, its filter formula applied',
  request: { params: NameParam, body: { content: { 'application/json': { schema: WorkspacePreviewInput } }, required: true } },
  responses: {
    200: json(WorkspacePreview, 'Preview'),
    400: errors[400],
    404: errors[404],
    422: json(ApiError, 'The filter is not a TRUE/FALSE formula over the object\'s fields, or fails on a record (error.code invalid_query)'),
  },
});

