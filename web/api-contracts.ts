// The web client's lazy half (web/api.ts loads it beside the app's first request): zod, every route contract of
// shared/api/routes with its schemas, and the reading of an error body.
import { ApiError } from '../shared/api/integrations';
import { ApiRequestError } from './api';

export * as routes from '../shared/api/routes';

const STATUS_TEXT: Record<number, string> = {
  400: 'The request was not valid',
  401: 'You are not signed in',
  403: 'You are not allowed to do that',
  404: 'Not found',
  409: 'This conflicts with a change made elsewhere',
  413: 'The file is too large',
  422: 'The request could not be processed',
  429: 'Too many requests — try again in a moment',
};

/** Turns any error response (JSON error body, proxy HTML, empty) into one readable error. */
export function errorFromResponse(status: number, bodyText: string): ApiRequestError {
  let json: unknown;
  try {
    json = bodyText ? JSON.parse(bodyText) : undefined;
  } catch {
    json = undefined;
  }
  const parsed = ApiError.safeParse(json);
  if (parsed.success) {
    const { code, message, issues = [], diagnostics = [], fileId } = parsed.data.error;
    const detail = issues.length > 0 ? `: ${issues.map((i) => (i.path ? `${i.path} — ${i.message}` : i.message)).join('; ')}` : '';
    return new ApiRequestError(`${message}${detail}`, status, code, issues, diagnostics, fileId);
  }
  if (status === 502 || status === 503 || status === 504) {
    return new ApiRequestError('The Weft server is not reachable right now. Your work is kept on this device; try again in a moment.', status, 'unavailable');
  }
  const text = STATUS_TEXT[status] ?? (status >= 500 ? 'Something went wrong on the server' : `Request failed (${status})`);
  return new ApiRequestError(text, status, status >= 500 ? 'server-error' : 'http-error');
}

