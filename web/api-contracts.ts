// The web client's lazy half (web/api.ts loads it beside the app's first request): zod, the route contracts web/api.ts
// calls by name, with their schemas, and the reading of an error body. Only the route files those calls need, so the
// first page's answers wait for no more than they must; a page that calls other routes passes their contracts itself
// (`api.call(routes.listSets)`) and brings them in its own chunk.
import { ApiError } from '../shared/api/integrations';
import * as audit from '../shared/api/routes/audit';
import * as auth from '../shared/api/routes/auth';
import * as connections from '../shared/api/routes/connections';
import * as files from '../shared/api/routes/files';
import * as integrations from '../shared/api/routes/integrations';
import * as runs from '../shared/api/routes/runs';
import * as schedules from '../shared/api/routes/schedules';
import * as system from '../shared/api/routes/system';
import * as tokens from '../shared/api/routes/tokens';
import * as users from '../shared/api/routes/users';
import * as workspace from '../shared/api/routes/workspace';
import { ApiRequestError } from './api';

/** The contracts a call by name may name (web/api.ts's `RouteName`). */
export const routes = { ...audit, ...auth, ...connections, ...files, ...integrations, ...runs, ...schedules, ...system, ...tokens, ...users, ...workspace };

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

