// The API's front door: which Host and Origin may talk to it, what a state-changing request must look like,
// who is asking (session cookie or API token) and whether their role may use the route they asked for.
import { timingSafeEqual } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { ACCESS_ROLES, ApiError, may, type Access, type Role } from '../../shared';
import { json, type RouteContract } from '../../shared/api/routes/define';
import { csrfTokenOf, hashSecret } from '../auth/secrets';
import type { StoredUser } from '../store/auth';
import type { Store } from '../store/types';
import { errorBody } from './errors';

export interface Principal {
  kind: 'session' | 'token';
  role: Role;
  /** For the audit log: the person's email, or `token:<name>`. */
  actor: string;
  /** The user's id, or the token's id. */
  actorId: string;
  user: StoredUser | null;
  /** The session id from the cookie (sessions only), to sign out and to derive the CSRF token. */
  sessionId: string | null;
}

export type AuthEnv = { Variables: { principal: Principal | null; triggerToken?: string } };

/** Trigger tokens (runtime/api/operations.ts) start with this; they open the trigger API of one integration and nothing else. */
export const TRIGGER_TOKEN_PREFIX = 'weft_trg_';

export const SESSION_TTL_MS = 14 * 24 * 60 * 60 * 1000;
const REFRESH_AFTER_MS = 24 * 60 * 60 * 1000;

/** Where Weft is served: the one Host it answers to (plus the loopback aliases of a local address) and the one Origin it trusts. */
export interface Site {
  publicUrl: URL;
  secure: boolean;
  cookieName: string;
  hosts: ReadonlySet<string>;
  origins: ReadonlySet<string>;
}

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

export function siteOf(publicUrl: string): Site {
  const url = new URL(publicUrl);
  const secure = url.protocol === 'https:';
  const port = url.port ? `:${url.port}` : '';
  const names = LOOPBACK.includes(url.hostname) ? LOOPBACK : [url.hostname];
  const hosts = new Set(names.map((n) => `${n}${port}`.toLowerCase()));
  const origins = new Set(names.map((n) => `${url.protocol}//${n}${port}`.toLowerCase()));
  // `__Host-` cookies are refused by browsers unless Secure, Path=/ and without Domain: a sibling subdomain cannot plant one.
  return { publicUrl: url, secure, cookieName: secure ? '__Host-weft_session' : 'weft_session', hosts, origins };
}

export const clientIp = (c: Context): string | null =>
  (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress ?? null;

const refuse = (c: Context, status: 400 | 401 | 403 | 415 | 421, code: string, message: string) => c.json(errorBody(code, message), status);

/** The media types a page on any origin can send without a CORS preflight (a form or `fetch(..., {mode: 'no-cors'})`). */
const SIMPLE_TYPES = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);
const mediaType = (c: Context) => (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
const isJson = (type: string) => type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Host (DNS rebinding), Origin and Sec-Fetch-Site (cross-site requests), content type (no-cors bodies) and OPTIONS.
 * Runs before anything else, for the SPA's files too.
 */
export function siteGuard(site: Site, opts: { inbound?: RegExp } = {}): MiddlewareHandler {
  return async (c, next) => {
    const host = new URL(c.req.url).host.toLowerCase();
    if (!site.hosts.has(host)) {
      return refuse(c, 421, 'wrong_host', `This Weft answers at ${site.publicUrl.origin}, not at "${host}"; set WEFT_PUBLIC_URL if that is its address`);
    }
    if (!c.req.path.startsWith('/api/') && c.req.path !== '/api') return next();
    const method = c.req.method.toUpperCase();
    // An inbound webhook (runtime/api/webhooks.ts) comes from another server with its own signature: the one path and
    // method where Origin, Sec-Fetch-Site and the JSON-or-CSRF rule are the route's to judge, and it refuses every
    // request without a valid signature or token before reading anything else. It sets no cookie and reads none.
    if (method === 'POST' && opts.inbound?.test(c.req.path)) return next();
    if (method === 'OPTIONS') {
      // No CORS: the answer names the methods and grants no other origin anything.
      return c.body(null, 204, { allow: 'GET, HEAD, POST, PUT, DELETE' });
    }
    const origin = c.req.header('origin');
    const fetchSite = c.req.header('sec-fetch-site')?.toLowerCase();
    const fetchMode = c.req.header('sec-fetch-mode')?.toLowerCase();
    const navigation = method === 'GET' && fetchMode === 'navigate';
    if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none' && !navigation) {
      return refuse(c, 403, 'cross_site', 'Requests from other sites are refused');
    }
    if (!SAFE_METHODS.has(method)) {
      if (origin !== undefined && !site.origins.has(origin.toLowerCase())) {
        return refuse(c, 403, 'cross_origin', `Requests from ${origin} are refused; only ${site.publicUrl.origin} may change things`);
      }
      const bearer = /^bearer\s/i.test(c.req.header('authorization') ?? '');
      const type = mediaType(c);
      // A browser never attaches an Authorization header on its own, so a bearer request cannot be forged by a page;
      // a cookie-carrying one must have a body type no other page can send without a preflight, or the session's CSRF token.
      if (!bearer && !(await csrfMatches(c, site))) {
        // Raw uploads are sent as their own type (text/csv, application/gzip…); a DELETE carries no body (and is always preflighted).
        const upload = method === 'POST' && c.req.path === '/api/files' && type !== '' && !SIMPLE_TYPES.has(type);
        const bodylessDelete = method === 'DELETE' && type === '';
        if (!isJson(type) && !upload && !bodylessDelete) {
          return refuse(c, 415, 'json_required', 'Send a JSON body (Content-Type: application/json), or an X-CSRF-Token header with other content');
        }
      }
    }
    return next();
  };
}

async function csrfMatches(c: Context, site: Site): Promise<boolean> {
  const sent = c.req.header('x-csrf-token');
  const sessionId = getCookie(c, site.cookieName);
  if (!sent || !sessionId) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(csrfTokenOf(sessionId));
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Finds who is asking: an `Authorization: Bearer` API token, else the session cookie. Refuses nobody; requireAccess does. */
export function identify(store: Store, site: Site): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    c.set('principal', null);
    const authorization = c.req.header('authorization');
    if (authorization !== undefined) {
      const match = /^bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match) return refuse(c, 401, 'unauthenticated', 'The Authorization header must be "Bearer <token>"');
      // A trigger token is no principal: only routes of access level 'trigger' read it, and check it themselves.
      if (match[1]!.startsWith(TRIGGER_TOKEN_PREFIX)) {
        c.set('triggerToken', match[1]!);
        return next();
      }
      const token = await store.auth.useToken(hashSecret(match[1]!));
      if (!token) return refuse(c, 401, 'unauthenticated', 'This API token is not valid (it may have been revoked)');
      c.set('principal', { kind: 'token', role: token.role, actor: `token:${token.name}`, actorId: token.id, user: null, sessionId: null });
      return next();
    }
    const sessionId = getCookie(c, site.cookieName);
    if (sessionId) {
      const now = new Date();
      const idHash = hashSecret(sessionId);
      const found = await store.auth.getSession(idHash, now);
      if (found && found.user.passwordHash !== null) {
        if (found.expiresAt.getTime() - now.getTime() < SESSION_TTL_MS - REFRESH_AFTER_MS) {
          await store.auth.extendSession(idHash, new Date(now.getTime() + SESSION_TTL_MS));
        }
        c.set('principal', { kind: 'session', role: found.user.role, actor: found.user.email, actorId: found.user.id, user: found.user, sessionId });
      }
    }
    return next();
  };
}

/**
 * Whether the principal a long answer (a run's event stream) was opened for still holds: its session not ended (signed
 * out, removed, password reset), its API token not revoked, its role still admitting `level`. The access check runs
 * once, when the request comes; a stream outlives it.
 */
export async function stillAllowed(store: Store, principal: Principal, level: Access): Promise<boolean> {
  if (principal.kind === 'token') {
    const token = (await store.auth.listTokens()).find((t) => t.id === principal.actorId);
    return !!token && may(token.role, level);
  }
  if (!principal.sessionId) return false;
  const found = await store.auth.getSession(hashSecret(principal.sessionId), new Date());
  return !!found && found.user.passwordHash !== null && may(found.user.role, level);
}

/** The per-route check: 401 without a principal (unless public), 403 when the role may not. */
export function requireAccess(level: Access): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    if (level === 'public' || level === 'trigger') return next();
    const principal = c.get('principal');
    if (!principal) return refuse(c, 401, 'unauthenticated', 'Sign in first (or send an API token as Authorization: Bearer <token>)');
    if (!may(principal.role, level)) {
      return refuse(c, 403, 'forbidden', `Your role (${principal.role}) may not do this; it needs one of: ${ACCESS_ROLES[level].join(', ')}`);
    }
    return next();
  };
}

/**
 * Spread into every served route: the check runs before the route's validation, and the OpenAPI document names
 * the access level and roles (a test walks them, so a route without this declaration fails).
 */
export const access = <L extends Access>(level: L) => ({
  middleware: requireAccess(level),
  security: (level === 'public' ? [] : level === 'trigger' ? [{ bearer: [] }] : [{ session: [] }, { bearer: [] }]) as Record<string, string[]>[],
  'x-weft-access': level,
  'x-weft-roles': [...ACCESS_ROLES[level]] as Role[],
});

/** A route's server side: who may use it (`...access(level)`), its OpenAPI tags and summary, and what each status means. */
interface Served<R extends RouteContract> extends ReturnType<typeof access> {
  tags: string[];
  summary: string;
  /** Every status of the contract, and the errors the handler answers (their body is ApiError's). */
  responses: { [S in keyof R['responses']]: string } & Record<number, string>;
}

type Described<R extends RouteContract, P extends Served<R>> = Omit<R, 'responses'> &
  Omit<P, 'responses'> & {
    responses: { [S in keyof R['responses']]: R['responses'][S] & { description: string } } & {
      [S in Exclude<keyof P['responses'], keyof R['responses']>]: typeof failure & { description: string };
    };
  };

const failure = json(ApiError);

/**
 * A route's contract (shared/api/routes) as the server mounts it: the access level's check runs before the route's
 * validation, and the document gets the roles, the prose and every status. Every `app.openapi` takes its route here.
 */
export function serve<R extends RouteContract, P extends Served<R>>(contract: R, side: P): Described<R, P> {
  const responses = Object.fromEntries(
    Object.entries(side.responses).map(([status, description]) => {
      const answer = (contract.responses as Record<string, object | undefined>)[status] ?? failure;
      return [status, { ...answer, description }];
    }),
  );
  return createRoute({ ...side, ...contract, responses } as unknown as Described<R, P>);
}

/** The signed-in principal of a route that requires one. */
export function principalOf(c: Context<AuthEnv>): Principal {
  const p = c.get('principal');
  if (!p) throw new Error('principalOf: the route is public');
  return p;
}

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Monaco and React set style attributes and add <style> elements at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Security headers on every answer, API and SPA alike. */
export function securityHeaders(site: Site): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set('Content-Security-Policy', CSP);
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('X-Frame-Options', 'DENY');
    h.set('Referrer-Policy', 'same-origin');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    h.set('Cross-Origin-Resource-Policy', 'same-origin');
    h.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    if (site.secure) h.set('Strict-Transport-Security', 'max-age=31536000');
    if (c.req.path.startsWith('/api/') && !h.has('cache-control')) h.set('Cache-Control', 'no-store');
  };
}
