// Users: who has an account, their roles, invitations, and ending their sessions.
import { z } from 'zod';
import { InviteInput, InviteResult, User, UserPatch } from '../auth';
import { empty, IdParam, json, jsonBody, route } from './define';

export const listUsers = route({
  method: 'get',
  path: '/users',
  responses: { 200: json(z.array(User)) },
});

export const inviteUser = route({
  method: 'post',
  path: '/users',
  request: { body: jsonBody(InviteInput) },
  responses: { 201: json(InviteResult) },
});

export const setUserRole = route({
  method: 'put',
  path: '/users/{id}',
  request: { params: IdParam, body: jsonBody(UserPatch) },
  responses: { 200: json(User) },
});

export const removeUser = route({
  method: 'delete',
  path: '/users/{id}',
  request: { params: IdParam },
  responses: { 204: empty },
});

export const signOutUser = route({
  method: 'post',
  path: '/users/{id}/sign-out',
  request: { params: IdParam },
  responses: { 200: json(z.object({ sessions: z.number().int() })) },
});

export const resetUser = route({
  method: 'post',
  path: '/users/{id}/reset',
  request: { params: IdParam },
  responses: { 200: json(z.object({ inviteUrl: z.string() })) },
});
