// Users: who has an account, their roles, invitations, and ending their sessions.
import { z } from 'zod';
import { InviteInput, InviteResult, User, UserPatch } from '../auth';
import { ApiError } from '../integrations';
import { access, errors, IdParam, json, route } from './define';

export const listUsers = route({
  ...access('admin'),
  method: 'get',
  path: '/users',
  tags: ['Users'],
  summary: 'Everyone with an account, the owner first',
  responses: { 200: json(z.array(User), 'Users') },
});

export const inviteUser = route({
  ...access('admin'),
  method: 'post',
  path: '/users',
  tags: ['Users'],
  summary: 'Invite someone: with an initial password, or without one for an invitation link (shown once, valid 7 days)',
  request: { body: { content: { 'application/json': { schema: InviteInput } }, required: true } },
  responses: { 201: json(InviteResult, 'Invited'), 400: errors[400], 409: json(ApiError, 'The email has an account') },
});

export const setUserRole = route({
  ...access('admin'),
  method: 'put',
  path: '/users/{id}',
  tags: ['Users'],
  summary: "Change someone's role (the owner's cannot be changed); it applies to their next request",
  request: { params: IdParam, body: { content: { 'application/json': { schema: UserPatch } }, required: true } },
  responses: { 200: json(User, 'Changed'), 400: errors[400], 404: errors[404], 409: json(ApiError, 'The owner') },
});

export const removeUser = route({
  ...access('admin'),
  method: 'delete',
  path: '/users/{id}',
  tags: ['Users'],
  summary: 'Remove someone: their sessions end at once (the owner cannot be removed)',
  request: { params: IdParam },
  responses: { 204: { description: 'Removed' }, 404: errors[404], 409: json(ApiError, 'The owner, or yourself') },
});

export const signOutUser = route({
  ...access('admin'),
  method: 'post',
  path: '/users/{id}/sign-out',
  tags: ['Users'],
  summary: "End every session of someone (e.g. a lost laptop)",
  request: { params: IdParam },
  responses: { 200: json(z.object({ sessions: z.number().int() }), 'How many sessions ended'), 404: errors[404] },
});

export const resetUser = route({
  ...access('admin'),
  method: 'post',
  path: '/users/{id}/reset',
  tags: ['Users'],
  summary: "For a forgotten password: clear someone's password, end their sessions and answer a new invitation link (shown once, valid 7 days)",
  request: { params: IdParam },
  responses: { 200: json(z.object({ inviteUrl: z.string() }), 'The link to pass on'), 404: errors[404], 409: json(ApiError, 'The owner, or yourself') },
});

