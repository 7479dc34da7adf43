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
import { error, empty, IdParam, json, jsonBody, route } from './define';

export const listConnectors = route({
  access: 'read',
  method: 'get',
  path: '/connectors',
  responses: { 200: json(z.array(ConnectorInfo)) },
});

export const listConnections = route({
  access: 'read',
  method: 'get',
  path: '/connections',
  responses: { 200: json(z.array(Connection)) },
});

export const createConnection = route({
  access: 'admin',
  method: 'post',
  path: '/connections',
  request: { body: jsonBody(ConnectionInput) },
  responses: { 201: json(Connection), 400: error, 409: error },
});

export const testConnectionSettings = route({
  access: 'admin',
  method: 'post',
  path: '/connections/test',
  request: { body: jsonBody(ConnectionTestInput) },
  responses: { 200: json(ConnectionTestResult), 400: error, 404: error },
});

export const getConnection = route({
  access: 'read',
  method: 'get',
  path: '/connections/{id}',
  request: { params: IdParam },
  responses: { 200: json(Connection), 404: error },
});

export const updateConnection = route({
  access: 'admin',
  method: 'put',
  path: '/connections/{id}',
  request: { params: IdParam, body: jsonBody(ConnectionPatch) },
  responses: { 200: json(Connection), 400: error, 404: error, 409: error },
});

export const deleteConnection = route({
  access: 'admin',
  method: 'delete',
  path: '/connections/{id}',
  request: { params: IdParam },
  responses: { 204: empty, 404: error, 409: error },
});

export const testConnection = route({
  access: 'admin',
  method: 'post',
  path: '/connections/{id}/test',
  request: { params: IdParam },
  responses: { 200: json(ConnectionTestResult), 404: error },
});

export const duplicateConnection = route({
  access: 'admin',
  method: 'post',
  path: '/connections/{id}/duplicate',
  request: { params: IdParam },
  responses: { 201: json(Connection), 404: error },
});

export const discoverConnection = route({
  access: 'design',
  method: 'post',
  path: '/connections/{id}/discover',
  request: { params: IdParam },
  responses: { 200: json(z.array(DiscoveredObjectInfo)), 404: error, 422: error },
});

export const previewSource = route({
  access: 'design',
  method: 'post',
  path: '/connections/{id}/preview',
  request: { params: IdParam, body: jsonBody(SourcePreviewInput) },
  responses: { 200: json(SourcePreview), 400: error, 404: error, 422: error },
});

