// Users: who has an account, their roles, invitations, and ending their sessions.
import { z } from 'zod';
import { InviteInput, InviteResult, User, UserPatch } from '../auth';
import { error, empty, IdParam, json, jsonBody, route } from './define';

export const listUsers = route({
  access: 'admin',
  method: 'get',
  path: '/users',
  responses: { 200: json(z.array(User)) },
});

export const inviteUser = route({
  access: 'admin',
  method: 'post',
  path: '/users',
  request: { body: jsonBody(InviteInput) },
  responses: { 201: json(InviteResult), 400: error, 409: error },
});

export const setUserRole = route({
  access: 'admin',
  method: 'put',
  path: '/users/{id}',
  request: { params: IdParam, body: jsonBody(UserPatch) },
  responses: { 200: json(User), 400: error, 404: error, 409: error },
});

export const removeUser = route({
  access: 'admin',
  method: 'delete',
  path: '/users/{id}',
  request: { params: IdParam },
  responses: { 204: empty, 404: error, 409: error },
});

export const signOutUser = route({
  access: 'admin',
  method: 'post',
  path: '/users/{id}/sign-out',
  request: { params: IdParam },
  responses: { 200: json(z.object({ sessions: z.number().int() })), 404: error },
});

export const resetUser = route({
  access: 'admin',
  method: 'post',
  path: '/users/{id}/reset',
  request: { params: IdParam },
  responses: { 200: json(z.object({ inviteUrl: z.string() })), 404: error, 409: error },
});

