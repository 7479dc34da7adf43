// API tokens: listed without the tokens, created once (the only time a token is shown), revoked.
import { z } from 'zod';
import { ApiTokenInfo, CreatedToken, TokenInput } from '../auth';
import { error, empty, IdParam, json, jsonBody, route } from './define';

export const listTokens = route({
  access: 'admin',
  method: 'get',
  path: '/tokens',
  responses: { 200: json(z.array(ApiTokenInfo)) },
});

export const createToken = route({
  access: 'admin',
  method: 'post',
  path: '/tokens',
  request: { body: jsonBody(TokenInput) },
  responses: { 201: json(CreatedToken), 400: error },
});

export const revokeToken = route({
  access: 'admin',
  method: 'delete',
  path: '/tokens/{id}',
  request: { params: IdParam },
  responses: { 204: empty, 404: error },
});

