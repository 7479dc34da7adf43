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
  TestRequestInput,
  TestRequestResult,
  AuthorizationStart,
  OAuthCallbackQuery,
} from '../connections';
import { empty, IdParam, json, jsonBody, route } from './define';

export const listConnectors = route({
  method: 'get',
  path: '/connectors',
  responses: { 200: json(z.array(ConnectorInfo)) },
});

export const listConnections = route({
  method: 'get',
  path: '/connections',
  responses: { 200: json(z.array(Connection)) },
});

export const createConnection = route({
  method: 'post',
  path: '/connections',
  request: { body: jsonBody(ConnectionInput) },
  responses: { 201: json(Connection) },
});

export const testConnectionSettings = route({
  method: 'post',
  path: '/connections/test',
  request: { body: jsonBody(ConnectionTestInput) },
  responses: { 200: json(ConnectionTestResult) },
});

export const getConnection = route({
  method: 'get',
  path: '/connections/{id}',
  request: { params: IdParam },
  responses: { 200: json(Connection) },
});

export const updateConnection = route({
  method: 'put',
  path: '/connections/{id}',
  request: { params: IdParam, body: jsonBody(ConnectionPatch) },
  responses: { 200: json(Connection) },
});

export const deleteConnection = route({
  method: 'delete',
  path: '/connections/{id}',
  request: { params: IdParam },
  responses: { 204: empty },
});

export const testConnection = route({
  method: 'post',
  path: '/connections/{id}/test',
  request: { params: IdParam },
  responses: { 200: json(ConnectionTestResult) },
});

export const duplicateConnection = route({
  method: 'post',
  path: '/connections/{id}/duplicate',
  request: { params: IdParam },
  responses: { 201: json(Connection) },
});

export const discoverConnection = route({
  method: 'post',
  path: '/connections/{id}/discover',
  request: { params: IdParam },
  responses: { 200: json(z.array(DiscoveredObjectInfo)) },
});

export const previewSource = route({
  method: 'post',
  path: '/connections/{id}/preview',
  request: { params: IdParam, body: jsonBody(SourcePreviewInput) },
  responses: { 200: json(SourcePreview) },
});

export const sendTestRequest = route({
  method: 'post',
  path: '/connections/{id}/test-request',
  request: { params: IdParam, body: jsonBody(TestRequestInput) },
  responses: { 200: json(TestRequestResult) },
});

export const authorizeConnection = route({
  method: 'post',
  path: '/connections/{id}/authorize',
  request: { params: IdParam, body: jsonBody(z.object({})) },
  responses: { 200: json(AuthorizationStart) },
});

export const oauthCallback = route({
  method: 'get',
  path: '/oauth/callback',
  request: { query: OAuthCallbackQuery },
  responses: { 302: empty },
});
