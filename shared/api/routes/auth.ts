// Sign-in: the session, the first owner, signing in and out, passwords and invitation links.
import { z } from 'zod';
import { AcceptInviteInput, ChangePasswordInput, InviteInfo, SessionInfo, SetupInput, SignInInput } from '../auth';
import { error, empty, json, jsonBody, route } from './define';

const TokenParam = z.object({ token: z.string().min(10).max(200) });

export const getSession = route({
  access: 'public',
  method: 'get',
  path: '/auth/session',
  responses: { 200: json(SessionInfo) },
});

export const setup = route({
  access: 'public',
  method: 'post',
  path: '/auth/setup',
  request: { body: jsonBody(SetupInput) },
  responses: { 201: json(SessionInfo), 400: error, 409: error },
});

export const signIn = route({
  access: 'public',
  method: 'post',
  path: '/auth/sign-in',
  request: { body: jsonBody(SignInInput) },
  responses: { 200: json(SessionInfo), 401: error, 429: error },
});

export const signOut = route({
  access: 'signedIn',
  method: 'post',
  path: '/auth/sign-out',
  responses: { 204: empty },
});

export const signOutEverywhere = route({
  access: 'signedIn',
  method: 'post',
  path: '/auth/sign-out-everywhere',
  responses: { 200: json(z.object({ sessions: z.number().int() })), 400: error },
});

export const changePassword = route({
  access: 'signedIn',
  method: 'post',
  path: '/auth/password',
  request: { body: jsonBody(ChangePasswordInput) },
  responses: { 204: empty, 400: error, 403: error },
});

export const getInvite = route({
  access: 'public',
  method: 'get',
  path: '/auth/invite/{token}',
  request: { params: TokenParam },
  responses: { 200: json(InviteInfo), 404: error },
});

export const acceptInvite = route({
  access: 'public',
  method: 'post',
  path: '/auth/invite/{token}',
  request: { params: TokenParam, body: jsonBody(AcceptInviteInput) },
  responses: { 200: json(SessionInfo), 400: error, 404: error },
});

