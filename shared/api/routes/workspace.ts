// The workspace: objects, their records, and what a Workspace source would read.
import { z } from 'zod';
import { Page, WorkspaceObject, WorkspaceRecord } from '../integrations';
import { WorkspacePreview, WorkspacePreviewInput } from '../workspace-preview';
import { NameParam, Paging, json, jsonBody, route } from './define';

export const listObjects = route({
  method: 'get',
  path: '/workspace/objects',
  responses: { 200: json(z.array(WorkspaceObject)) },
});

export const getObject = route({
  method: 'get',
  path: '/workspace/objects/{name}',
  request: { params: NameParam },
  responses: { 200: json(WorkspaceObject) },
});

export const listRecords = route({
  method: 'get',
  path: '/workspace/objects/{name}/records',
  request: { params: NameParam, query: Paging.extend({ search: z.string().max(200).optional() }) },
  responses: { 200: json(Page(WorkspaceRecord)) },
});

export const previewWorkspaceObject = route({
  method: 'post',
  path: '/workspace/objects/{name}/preview',
  request: { params: NameParam, body: jsonBody(WorkspacePreviewInput) },
  responses: { 200: json(WorkspacePreview) },
});
