// Connections: the systems Weft can reach, saved settings with write-only secrets, and testing them.
import { z } from 'zod';
import {
  Connection,
  ConnectionInput,
  ConnectionPatch,
  ConnectionTestInput,
  ConnectionTestResult,
  ConnectorInfo,
  DiscoveredObjectInfo,
  SourcePreview,
  SourcePreviewInput,
} from '../connections';
import { ApiError } from '../integrations';
import { access, errors, IdParam, json, jsonBody, route } from './define';

const body = <T extends z.ZodType>(schema: T) => ({ body: jsonBody(schema) });
const conflict = json(ApiError, 'Conflict: the name is taken, or integrations still use the connection (the message names them)');
const unreadable = json(ApiError, 'The system refused or failed: error.code is the connector’s (invalid_query, not_found, permission, timeout, …), error.message says it in plain words');

export const listConnectors = route({
  ...access('read'),
  method: 'get',
  path: '/connectors',
  tags: ['Connections'],
  summary: 'The systems Weft can connect to, with JSON Schemas of their settings and secrets',
  responses: { 200: json(z.array(ConnectorInfo), 'Connectors') },
});

export const listConnections = route({
  ...access('read'),
  method: 'get',
  path: '/connections',
  tags: ['Connections'],
  summary: 'Saved connections with their last test and the integrations using them (never secret values)',
  responses: { 200: json(z.array(Connection), 'Connections') },
});

export const createConnection = route({
  ...access('admin'),
  method: 'post',
  path: '/connections',
  tags: ['Connections'],
  summary: 'Save a connection; its secrets are encrypted at rest',
  request: body(ConnectionInput),
  responses: { 201: json(Connection, 'Created'), 400: errors[400], 409: conflict },
});

export const testConnectionSettings = route({
  ...access('admin'),
  method: 'post',
  path: '/connections/test',
  tags: ['Connections'],
  summary: 'Test settings before saving them (with connectionId, omitted secrets come from that connection)',
  request: body(ConnectionTestInput),
  responses: { 200: json(ConnectionTestResult, 'The outcome: ok, or what went wrong in plain words'), 400: errors[400], 404: errors[404] },
});

export const getConnection = route({
  ...access('read'),
  method: 'get',
  path: '/connections/{id}',
  tags: ['Connections'],
  summary: 'One connection',
  request: { params: IdParam },
  responses: { 200: json(Connection, 'The connection'), 404: errors[404] },
});

export const updateConnection = route({
  ...access('admin'),
  method: 'put',
  path: '/connections/{id}',
  tags: ['Connections'],
  summary: 'Change a connection: an omitted secret keeps its value, null or "" clears it',
  request: { params: IdParam, ...body(ConnectionPatch) },
  responses: { 200: json(Connection, 'Saved'), 400: errors[400], 404: errors[404], 409: conflict },
});

export const deleteConnection = route({
  ...access('admin'),
  method: 'delete',
  path: '/connections/{id}',
  tags: ['Connections'],
  summary: 'Delete a connection (refused while an integration uses it)',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, 404: errors[404], 409: conflict },
});

export const testConnection = route({
  ...access('admin'),
  method: 'post',
  path: '/connections/{id}/test',
  tags: ['Connections'],
  summary: 'Test a saved connection and record the outcome',
  request: { params: IdParam },
  responses: { 200: json(ConnectionTestResult, 'The outcome: ok, or what went wrong in plain words'), 404: errors[404] },
});

export const duplicateConnection = route({
  ...access('admin'),
  method: 'post',
  path: '/connections/{id}/duplicate',
  tags: ['Connections'],
  summary: 'Copy a connection with its secrets, as "Copy of …"',
  request: { params: IdParam },
  responses: { 201: json(Connection, 'The copy'), 404: errors[404] },
});

export const discoverConnection = route({
  ...access('design'),
  method: 'post',
  path: '/connections/{id}/discover',
  tags: ['Connections'],
  summary: 'The tables the connection can read, with their fields (Weft types and native types) and keys',
  request: { params: IdParam },
  responses: { 200: json(z.array(DiscoveredObjectInfo), 'Objects'), 404: errors[404], 422: unreadable },
});

export const previewSource = route({
  ...access('design'),
  method: 'post',
  path: '/connections/{id}/preview',
  tags: ['Connections'],
  summary: 'The first 10 rows of a table (optionally through a query filter), its columns in Weft types, its key, and the preview stamp a Database table source keeps',
  request: { params: IdParam, ...body(SourcePreviewInput) },
  responses: { 200: json(SourcePreview, 'Preview'), 400: errors[400], 404: errors[404], 422: unreadable },
});

