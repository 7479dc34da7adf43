// API tokens: listed without the tokens, created once (the only time a token is shown), revoked.
import { z } from 'zod';
import { ApiTokenInfo, CreatedToken, TokenInput } from '../auth';
import { access, errors, IdParam, json, route } from './define';

export const listTokens = route({
  ...access('admin'),
  method: 'get',
  path: '/tokens',
  tags: ['API tokens'],
  summary: 'API tokens (never the tokens themselves)',
  responses: { 200: json(z.array(ApiTokenInfo), 'Tokens') },
});

export const createToken = route({
  ...access('admin'),
  method: 'post',
  path: '/tokens',
  tags: ['API tokens'],
  summary: 'Create a token with a role; the answer is the only time the token is shown',
  request: { body: { content: { 'application/json': { schema: TokenInput } }, required: true } },
  responses: { 201: json(CreatedToken, 'Created'), 400: errors[400] },
});

export const revokeToken = route({
  ...access('admin'),
  method: 'delete',
  path: '/tokens/{id}',
  tags: ['API tokens'],
  summary: 'Revoke a token: the next request with it is refused',
  request: { params: IdParam },
  responses: { 204: { description: 'Revoked' }, 404: errors[404] },
});

