// What a route's contract is made of: the server serves each with `serve(route, { ...access(level), prose })`
// (runtime/api) and the web client calls it with `call(route, { params, query, body })` (web/api.ts), so a path, a
// method and a schema are written once. Who may call it, how it fails and the OpenAPI prose are the server's, beside
// its handler, and stay out of the web bundle.
import type { RouteConfig } from '@hono/zod-openapi';
import { z } from 'zod';
import { controlFreePattern } from '../../util/control-characters';

/** Where the API is mounted: the server routes every contract under it, the client prefixes it to every path. */
export const API_BASE = '/api';

/** One status's answer: its body by media type (none for a 204). */
export interface ResponseContract {
  content?: Record<string, { schema: z.ZodType }>;
}

/** A route of Weft's API: its method and path, what it takes and what it answers when it succeeds. */
export interface RouteContract {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Under API_BASE; `{name}` marks a path parameter of `request.params`. */
  path: string;
  request?: RouteConfig['request'];
  responses: Record<number, ResponseContract>;
}

/** Keeps the literal types of a contract (method, path, schemas) for the server's handlers and the client's calls. */
export const route = <R extends RouteContract>(contract: R): R => contract;

/** A JSON answer. */
export const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
/** A required JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });
/** An answer without a body (204). */
export const empty = {};

/** No control characters (U+0000 above all, which no store column can hold): such a value names nothing Weft keeps. */
const NO_CONTROLS = controlFreePattern();
/** The one shape of an id in a path: Weft's ids (`run_<uuid>`, `file_…`) and the names tests and fixtures use. */
const Id = z.string().min(1).max(100).regex(NO_CONTROLS, 'An id holds no control characters');
/** A workspace object's name in a path: a name people chose, but never with control characters. */
const Name = z.string().min(1).max(100).regex(NO_CONTROLS, 'A name holds no control characters');
export const IdParam = z.object({ id: Id });
export const NameParam = z.object({ name: Name });

export const Paging = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
