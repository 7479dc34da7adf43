// What every route definition is made of: the server serves each with `app.openapi(serve(route), handler)` and the
// web client calls it with `call(route, { params, query, body })`, so a path, a method and a schema are written once.
import type { RouteConfig } from '@hono/zod-openapi';
import { z } from 'zod';
import { ACCESS_ROLES, type Access, type Role } from '../auth';
import { ApiError } from '../integrations';

/** Where the API is mounted: the server routes every definition under it, the client prefixes it to every path. */
export const API_BASE = '/api';

/**
 * Who may use a route, spread first into every definition: the OpenAPI document names the level and its roles
 * (runtime/api/roles.test.ts walks them) and the server's `serve` turns the level into the check.
 */
export const access = <L extends Access>(level: L) => ({
  security: (level === 'public' ? [] : [{ session: [] }, { bearer: [] }]) as Record<string, string[]>[],
  'x-weft-access': level,
  'x-weft-roles': [...ACCESS_ROLES[level]] as Role[],
});

/** A route of Weft's API: a @hono/zod-openapi route config (without middleware) that declares its access level. */
export type WeftRoute = Omit<RouteConfig, 'middleware'> & ReturnType<typeof access>;

/** Keeps the literal types of a definition (method, path, schemas) for the server's handlers and the client's calls. */
export const route = <R extends WeftRoute>(definition: R): R => definition;

/** No control characters (U+0000 above all, which no store column can hold): such a value names nothing Weft keeps. */
const NO_CONTROLS = /^[^\u0000-\u001f\u007f]*$/;
/** The one shape of an id in a path: Weft's ids (`run_<uuid>`, `file_…`) and the names tests and fixtures use. */
export const Id = z.string().min(1).max(100).regex(NO_CONTROLS, 'An id holds no control characters');
/** A workspace object's name in a path: a name people chose, but never with control characters. */
export const Name = z.string().min(1).max(100).regex(NO_CONTROLS, 'A name holds no control characters');
export const IdParam = z.object({ id: Id });
export const NameParam = z.object({ name: Name });

export const Paging = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

/** A required JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true as const });

export const errors = {
  400: json(ApiError, 'Invalid request: error.issues names each bad field'),
  404: json(ApiError, 'Not found'),
} as const;
