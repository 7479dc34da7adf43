// Sign-in: the session, the first owner, signing in and out, passwords and invitation links.
import { z } from 'zod';
import { AcceptInviteInput, ChangePasswordInput, InviteInfo, SessionInfo, SetupInput, SignInInput } from '../auth';
import { empty, json, jsonBody, route } from './define';

const TokenParam = z.object({ token: z.string().min(10).max(200) });

export const getSession = route({
  method: 'get',
  path: '/auth/session',
  responses: { 200: json(SessionInfo) },
});

export const setup = route({
  method: 'post',
  path: '/auth/setup',
  request: { body: jsonBody(SetupInput) },
  responses: { 201: json(SessionInfo) },
});

export const signIn = route({
  method: 'post',
  path: '/auth/sign-in',
  request: { body: jsonBody(SignInInput) },
  responses: { 200: json(SessionInfo) },
});

export const signOut = route({
  method: 'post',
  path: '/auth/sign-out',
  responses: { 204: empty },
});

export const signOutEverywhere = route({
  method: 'post',
  path: '/auth/sign-out-everywhere',
  responses: { 200: json(z.object({ sessions: z.number().int() })) },
});

export const changePassword = route({
  method: 'post',
  path: '/auth/password',
  request: { body: jsonBody(ChangePasswordInput) },
  responses: { 204: empty },
});

export const getInvite = route({
  method: 'get',
  path: '/auth/invite/{token}',
  request: { params: TokenParam },
  responses: { 200: json(InviteInfo) },
});

export const acceptInvite = route({
  method: 'post',
  path: '/auth/invite/{token}',
  request: { params: TokenParam, body: jsonBody(AcceptInviteInput) },
  responses: { 200: json(SessionInfo) },
});
