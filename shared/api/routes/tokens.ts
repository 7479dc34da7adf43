// API tokens: listed without the tokens, created once (the only time a token is shown), revoked.
import { z } from 'zod';
import { ApiTokenInfo, CreatedToken, TokenInput } from '../auth';
import { empty, IdParam, json, jsonBody, route } from './define';

export const listTokens = route({
  method: 'get',
  path: '/tokens',
  responses: { 200: json(z.array(ApiTokenInfo)) },
});

export const createToken = route({
  method: 'post',
  path: '/tokens',
  request: { body: jsonBody(TokenInput) },
  responses: { 201: json(CreatedToken) },
});

export const revokeToken = route({
  method: 'delete',
  path: '/tokens/{id}',
  request: { params: IdParam },
  responses: { 204: empty },
});
