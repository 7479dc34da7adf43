// The typed HTTP client: every call names a route of shared/api/routes (its path, method and input types), and every
// response is parsed with that route's own zod schema; every failure becomes a readable message.
import { type z } from 'zod';
import { ApiError, type Diagnostic, type RunStatus } from '../shared';
import * as routes from '../shared/api/routes';
import type { AssignableRole } from '../shared/api/auth';

/** A failed request, carrying what the server said so forms can point at the offending field. */
export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly issues: { path: string; message: string }[] = [],
    readonly diagnostics: Diagnostic[] = [],
    /** needs_key / key_refused on an upload: the kept file, to sniff again with a Files connection. */
    readonly fileId?: string,
  ) {
    super(message);
  }
}

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

export const networkError = () =>
  new ApiRequestError('Cannot reach the Weft server. Check your connection — your work is kept on this device.', 0, 'network');

/** What the UI shows for any thrown value. */
export const errorMessage = (e: unknown): string =>
  e instanceof ApiRequestError ? e.message : e instanceof Error ? e.message : 'Something went wrong';

type Fetch = typeof fetch;

/** The session's CSRF token, sent with every state-changing request (JSON ones need it not, uploads do). */
let csrfToken: string | null = null;
export const setCsrfToken = (token: string | null) => {
  csrfToken = token;
};

/** Told when a request answers 401 outside sign-in itself: the session ended (signed out elsewhere, revoked). */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** Media types any page can send without a preflight; an upload of such a file goes as octet-stream instead. */
const SIMPLE_TYPES = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', '']);

type Route = routes.RouteContract;
type RequestOf<R> = R extends { request: infer Q } ? Q : object;
type JsonSchemaOf<C> = C extends { content: { 'application/json': { schema: infer S extends z.ZodType } } } ? S : never;

/** What a call of the route takes: its path parameters, its query (an empty value is left out) and its body. */
type CallArgs<R extends Route> = (RequestOf<R> extends { params: infer P extends z.ZodType } ? { params: z.input<P> } : { params?: undefined }) &
  (RequestOf<R> extends { query: infer Q extends z.ZodType } ? { query?: { [K in keyof z.output<Q>]?: z.output<Q>[K] | '' } } : { query?: undefined }) &
  (RequestOf<R> extends { body: infer B }
    ? [JsonSchemaOf<B>] extends [never]
      ? { raw: Blob; contentType: string }
      : { body: z.input<JsonSchemaOf<B>> }
    : { body?: undefined });

type Success = 200 | 201 | 202 | 204;
/** What a call of the route resolves to: its success response as the route's schema parses it (undefined without a body). */
type CallResult<R extends Route> = {
  [S in keyof R['responses'] & Success]: [JsonSchemaOf<R['responses'][S]>] extends [never] ? undefined : z.output<JsonSchemaOf<R['responses'][S]>>;
}[keyof R['responses'] & Success];

/** The JSON body a route takes. */
type BodyOf<R extends Route> = CallArgs<R> extends { body: infer B } ? B : never;
/** A route whose one path parameter is `{id}`. */
type ById = { request: { params: z.ZodType<{ id: string }> } };

/** The args are optional for a route that takes nothing. */
type ArgsParam<R extends Route> = object extends CallArgs<R> ? [args?: CallArgs<R>] : [args: CallArgs<R>];

interface AnyArgs {
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
  raw?: Blob;
  contentType?: string;
}

function search(query: Record<string, unknown> = {}): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') s.set(k, String(v));
  const out = s.toString();
  return out ? `?${out}` : '';
}

/** The zod schema the route declares for a success's JSON body: the status's own, else its other success's (if any). */
function responseSchema(route: Route, status: number): z.ZodType | undefined {
  const responses = route.responses as Record<number, { content?: Record<string, { schema?: unknown }> }>;
  const schemaOf = (s: number) => {
    const schema = responses[s]?.content?.['application/json']?.schema as z.ZodType | undefined;
    return typeof schema?.safeParse === 'function' ? schema : undefined;
  };
  return schemaOf(status) ?? [200, 201, 202].map(schemaOf).find((schema) => schema !== undefined);
}

export function createApi(fetchImpl: Fetch = (...args) => fetch(...args), base = '') {
  /** The address of a route: its path under the API, each `{name}` replaced by the encoded parameter, then the query. */
  function url<R extends Route>(route: R, ...[args]: ArgsParam<R>): string {
    const { params = {}, query } = (args ?? {}) as AnyArgs;
    const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params[name];
      if (value === undefined) throw new Error(`${route.method.toUpperCase()} ${route.path}: no value for {${name}}`);
      return encodeURIComponent(value);
    });
    return `${base}${routes.API_BASE}${path}${search(query)}`;
  }

  /** Calls a route and parses its answer with the route's own response schema. */
  async function call<R extends Route>(route: R, ...[args]: ArgsParam<R>): Promise<CallResult<R>> {
    const { body: json, raw, contentType } = (args ?? {}) as AnyArgs;
    const method = route.method.toUpperCase();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (csrfToken && method !== 'GET') headers['x-csrf-token'] = csrfToken;
    let body: BodyInit | undefined = raw;
    if (raw) headers['content-type'] = contentType ?? 'application/octet-stream';
    // A POST or PUT always carries a JSON body (`{}` when the route takes none), so it passes the server's JSON rule.
    const sent = json ?? (!raw && (method === 'POST' || method === 'PUT') ? {} : undefined);
    if (sent !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(sent);
    }
    let res: Response;
    try {
      res = await fetchImpl(url(route, ...([args] as ArgsParam<R>)), { method, headers, body, credentials: 'same-origin' });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      throw networkError();
    }
    const text = await res.text();
    if (res.status === 401 && !route.path.startsWith('/auth/')) for (const listener of unauthorizedListeners) listener();
    if (!res.ok) throw errorFromResponse(res.status, text);
    const schema = responseSchema(route, res.status);
    if (!schema && !text) return undefined as CallResult<R>;
    let parsedJson: unknown;
    try {
      parsedJson = text ? JSON.parse(text) : null;
    } catch {
      throw new ApiRequestError('The server sent a response Weft could not read', res.status, 'bad-response');
    }
    const parsed = schema?.safeParse(parsedJson);
    if (!parsed?.success) {
      const first = parsed?.error.issues[0];
      throw new ApiRequestError(
        `The server sent an unexpected response${first ? ` (${first.path.join('.') || 'body'}: ${first.message})` : ` (status ${res.status})`}`,
        res.status,
        'bad-response',
      );
    }
    return parsed.data as CallResult<R>;
  }

  // The shapes of the named methods below: a route that takes nothing, a body, an id, or an id and a body.
  const send = call as <R extends Route>(route: R, args?: AnyArgs) => Promise<CallResult<R>>;
  const none = <R extends Route & { request?: never }>(route: R) => () => send(route);
  const withBody = <R extends Route & { request: { params?: never } }>(route: R) => (body: BodyOf<R>) => send(route, { body });
  const byId = <R extends Route & ById>(route: R) => (id: string) => send(route, { params: { id } });
  const byIdWithBody = <R extends Route & ById>(route: R) => (id: string, body: BodyOf<R>) => send(route, { params: { id }, body });
  type Paging = { limit?: number; offset?: number };

  return {
    call,
    url,
    health: none(routes.health),
    listIntegrations: none(routes.listIntegrations),
    createIntegration: withBody(routes.createIntegration),
    getIntegration: byId(routes.getIntegration),
    updateIntegration: byIdWithBody(routes.updateIntegration),
    deleteIntegration: byId(routes.deleteIntegration),
    publish: byId(routes.publishIntegration),
    /** `files`: file source node id -> uploaded file id, read instead of the published file for this run only. */
    /** `read`: 'full' ("Run full sync"), 'refresh' ("Sync and refresh"); absent: an ordinary (incremental) run. */
    startRun: (id: string, params: Record<string, unknown> = {}, files: Record<string, string> = {}, name?: string, read?: 'full' | 'refresh') =>
      call(routes.startRun, { params: { id }, body: { params, files, ...(name && { name }), ...(read === 'full' && { fullSync: true }), ...(read === 'refresh' && { refresh: true }) } }),
    /** The published version's declared parameters and file sources (the Run now dialog). */
    getRunOptions: byId(routes.getRunOptions),
    /** Asks the engine to cancel a queued or running run; it says Cancelled once its pipelines have stopped. */
    cancelRun: byId(routes.cancelRun),
    /** "Run again with the same settings": a new run with the run's parameters and replaced files. */
    rerun: byId(routes.rerun),
    /** Issue 14: "Confirm deletes": runs again with the same settings and applies the deletes the run held back. */
    rerunConfirmingDeletes: (id: string) => call(routes.rerun, { params: { id }, body: { confirmDeletes: true } }),
    listFileSources: byId(routes.listFileSources),
    /** A plain link (the browser downloads it under the file's original name). */
    fileDownloadUrl: (id: string) => url(routes.downloadFile, { params: { id } }),
    /** `status` is sent comma-separated (String of the array); `from`/`to` are ISO date-times. */
    listRuns: (id: string, query: Paging & { status?: RunStatus[]; from?: string; to?: string } = {}) => call(routes.listRuns, { params: { id }, query }),
    getRun: byId(routes.getRun),
    /** Continues a failed run from its last committed checkpoint (same run id, version and files). */
    resumeRun: byId(routes.resumeRun),
    getRejected: (id: string, query: Paging = {}) => call(routes.listRejected, { params: { id }, query }),
    runEventsUrl: (id: string) => url(routes.runEvents, { params: { id } }),
    /** Every rejected record of a run as CSV (a plain link: the browser downloads it). */
    rejectedDownloadUrl: (id: string) => url(routes.downloadRejected, { params: { id } }),
    uploadFile: (file: Blob & { name: string }, opts: { connectionId?: string; sheet?: string } = {}) =>
      call(routes.uploadFile, {
        query: { name: file.name, ...opts },
        raw: file,
        contentType: SIMPLE_TYPES.has(file.type) ? 'application/octet-stream' : file.type,
      }),
    getFile: byId(routes.getFile),
    sniffFile: byIdWithBody(routes.sniffFile),
    previewFile: byIdWithBody(routes.previewFile),
    listObjects: none(routes.listObjects),
    getObject: (name: string) => call(routes.getObject, { params: { name } }),
    listRecords: (name: string, query: Paging & { search?: string } = {}) => call(routes.listRecords, { params: { name }, query }),
    /** The first records a Workspace source reads, its filter applied (workspace source's preview). */
    previewWorkspaceObject: (name: string, body: BodyOf<typeof routes.previewWorkspaceObject>) =>
      call(routes.previewWorkspaceObject, { params: { name }, body }),
    listConnectors: none(routes.listConnectors),
    listConnections: none(routes.listConnections),
    getConnection: byId(routes.getConnection),
    createConnection: withBody(routes.createConnection),
    updateConnection: byIdWithBody(routes.updateConnection),
    deleteConnection: byId(routes.deleteConnection),
    duplicateConnection: byId(routes.duplicateConnection),
    testConnection: byId(routes.testConnection),
    testConnectionSettings: withBody(routes.testConnectionSettings),
    discoverConnection: byId(routes.discoverConnection),
    sendTestRequest: byIdWithBody(routes.sendTestRequest),
    authorizeConnection: byIdWithBody(routes.authorizeConnection),
    previewSource: byIdWithBody(routes.previewSource),

    session: none(routes.getSession),
    setup: withBody(routes.setup),
    signIn: withBody(routes.signIn),
    signOut: none(routes.signOut),
    signOutEverywhere: none(routes.signOutEverywhere),
    changePassword: withBody(routes.changePassword),
    inviteInfo: (token: string) => call(routes.getInvite, { params: { token } }),
    acceptInvite: (token: string, body: BodyOf<typeof routes.acceptInvite>) => call(routes.acceptInvite, { params: { token }, body }),
    listUsers: none(routes.listUsers),
    inviteUser: withBody(routes.inviteUser),
    setUserRole: (id: string, role: AssignableRole) => call(routes.setUserRole, { params: { id }, body: { role } }),
    removeUser: byId(routes.removeUser),
    resetUser: byId(routes.resetUser),
    signOutUser: byId(routes.signOutUser),
    listTokens: none(routes.listTokens),
    createToken: withBody(routes.createToken),
    revokeToken: byId(routes.revokeToken),
    listAudit: (query: NonNullable<CallArgs<typeof routes.listAudit>['query']>) => call(routes.listAudit, { query }),
  };
}

export type Api = ReturnType<typeof createApi>;
export const api: Api = createApi();
