// Sign-in: the session, the first owner, signing in and out, passwords and invitation links.
import { z } from 'zod';
import { AcceptInviteInput, ChangePasswordInput, InviteInfo, SessionInfo, SetupInput, SignInInput } from '../auth';
import { ApiError } from '../integrations';
import { access, json, route } from './define';

const TokenParam = z.object({ token: z.string().min(10).max(200) });

export const getSession = route({
  ...access('public'),
  method: 'get',
  path: '/auth/session',
  tags: ['Sign-in'],
  summary: 'Who is signed in (or that no account exists yet), and the CSRF token for non-JSON requests',
  responses: { 200: json(SessionInfo, 'The session') },
});

export const setup = route({
  ...access('public'),
  method: 'post',
  path: '/auth/setup',
  tags: ['Sign-in'],
  summary: "Create the owner account on a fresh Weft (refused once any account exists) and sign in",
  request: { body: { content: { 'application/json': { schema: SetupInput } }, required: true } },
  responses: { 201: json(SessionInfo, 'Created and signed in'), 400: json(ApiError, 'Invalid'), 409: json(ApiError, 'An account exists already') },
});

export const signIn = route({
  ...access('public'),
  method: 'post',
  path: '/auth/sign-in',
  tags: ['Sign-in'],
  summary: 'Sign in with email and password; sets the session cookie',
  request: { body: { content: { 'application/json': { schema: SignInInput } }, required: true } },
  responses: {
    200: json(SessionInfo, 'Signed in'),
    401: json(ApiError, 'Wrong email or password'),
    429: json(ApiError, 'Too many failed attempts; Retry-After says when to try again'),
  },
});

export const signOut = route({
  ...access('signedIn'),
  method: 'post',
  path: '/auth/sign-out',
  tags: ['Sign-in'],
  summary: 'End this session',
  responses: { 204: { description: 'Signed out' } },
});

export const signOutEverywhere = route({
  ...access('signedIn'),
  method: 'post',
  path: '/auth/sign-out-everywhere',
  tags: ['Sign-in'],
  summary: "End every session of the signed-in person, on every device (API tokens are revoked separately)",
  responses: { 200: json(z.object({ sessions: z.number().int() }), 'How many sessions ended'), 400: json(ApiError, 'Signed in with an API token') },
});

export const changePassword = route({
  ...access('signedIn'),
  method: 'post',
  path: '/auth/password',
  tags: ['Sign-in'],
  summary: "Change the signed-in person's password; their other sessions end",
  request: { body: { content: { 'application/json': { schema: ChangePasswordInput } }, required: true } },
  responses: { 204: { description: 'Changed' }, 400: json(ApiError, 'Invalid, or signed in with an API token'), 403: json(ApiError, 'Wrong current password') },
});

export const getInvite = route({
  ...access('public'),
  method: 'get',
  path: '/auth/invite/{token}',
  tags: ['Sign-in'],
  summary: 'Whom an invitation link is for',
  request: { params: TokenParam },
  responses: { 200: json(InviteInfo, 'The invitation'), 404: json(ApiError, 'Unknown or expired') },
});

export const acceptInvite = route({
  ...access('public'),
  method: 'post',
  path: '/auth/invite/{token}',
  tags: ['Sign-in'],
  summary: 'Accept an invitation: choose a password and sign in',
  request: { params: TokenParam, body: { content: { 'application/json': { schema: AcceptInviteInput } }, required: true } },
  responses: { 200: json(SessionInfo, 'Signed in'), 400: json(ApiError, 'Invalid'), 404: json(ApiError, 'Unknown or expired') },
});

