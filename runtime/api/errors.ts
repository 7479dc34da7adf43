// One JSON error shape for every failure the API returns, naming the bad field where there is one.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { ApiError, Diagnostic } from '../../shared';

export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly extra: { issues?: { path: string; message: string }[]; diagnostics?: Diagnostic[]; fileId?: string } = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string) => new HttpError(404, 'not_found', `${what} "${id}" was not found`);

export function errorBody(code: string, message: string, extra: HttpError['extra'] = {}): ApiError {
  return { error: { code, message, ...extra } };
}

export function zodIssues(error: ZodError) {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
}

/** The defaultHook for every route: a failed zod parse becomes a 400 that names each bad field. */
export function validationHook(result: { success: boolean; error?: unknown }, c: Context) {
  if (!result.success) {
    const issues = zodIssues(result.error as ZodError);
    const first = issues[0];
    const message = first ? `Invalid request: ${first.path}: ${first.message}` : 'Invalid request';
    return c.json(errorBody('invalid_request', message, { issues }), 400);
  }
  return undefined;
}

/** What an error status usually means, for a route's OpenAPI prose. */
export const usual = { 400: 'Invalid request: error.issues names each bad field', 404: 'Not found' } as const;
