// The typed HTTP client: every call names a route of shared/api/routes (its path, method and input types), and every
// response is parsed with that route's own zod schema; every failure becomes a readable message.
// The first page loads without zod: a call by a route's name starts its request from the address the build read
// out of the contract (virtual:weft-route-addresses, vite.route-addresses.ts), and the contracts (zod and every
// schema, web/api-contracts.ts) load in one lazy chunk asked for when this module is evaluated, beside the app's
// first render and first request; the answer is parsed once both are there.
import { type z } from 'zod';
import { ADDRESSES as ROUTE_ADDRESSES, API_BASE } from 'virtual:weft-route-addresses';
import { type Diagnostic, type RunStatus } from '../shared';
import type * as routes from '../shared/api/routes';
import type { AssignableRole } from '../shared/api/auth';
import type * as contractsModule from './api-contracts';

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
type Routes = Contracts['routes'];
/**
 * The name of a route contract the lazy half holds (web/api-contracts.ts), as shared/api/routes exports it: a call
 * by name needs no schema to start.
 */
export type RouteName = { [K in keyof Routes]: Routes[K] extends Route ? K : never }[keyof Routes];
/** The contract a call names: itself, or the one exported under that name. */
type ContractOf<R> = R extends RouteName ? Extract<Routes[R], Route> : Extract<R, Route>;
type Contracts = typeof contractsModule;
type Address = Pick<Route, 'method' | 'path'>;
const ADDRESSES = ROUTE_ADDRESSES as Record<RouteName, Address>;

let contracts: Promise<Contracts> | undefined;
/** The client's lazy half (zod, the contracts, error bodies), loaded once; a failed load is tried again by the next call. */
function loadContracts(): Promise<Contracts> {
  contracts ??= import('./api-contracts').catch((e: unknown) => {
    contracts = undefined;
    throw e;
  });
  return contracts;
}
// Asked for as soon as the app starts (one chunk, so it takes one of the browser's connections to the host): it
// downloads while React renders the first screen and the first request is on the wire.
void loadContracts().catch(() => undefined);

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

const fail = (name: string): never => {
  throw new Error(`No route named ${name}`);
};

/** A route's method and path: its contract's own, or the one the build read for its name. */
function addressOf(route: Route | RouteName): Address {
  if (typeof route !== 'string') return route;
  return ADDRESSES[route] ?? fail(route);
}

export function createApi(fetchImpl: Fetch = (...args) => fetch(...args), base = '') {
  /** The address of a route: its path under the API, each `{name}` replaced by the encoded parameter, then the query. */
  function url<R extends Route | RouteName>(route: R, ...[args]: ArgsParam<ContractOf<R>>): string {
    const { method, path: pattern } = addressOf(route);
    const { params = {}, query } = (args ?? {}) as AnyArgs;
    const path = pattern.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params[name];
      if (value === undefined) throw new Error(`${method.toUpperCase()} ${pattern}: no value for {${name}}`);
      return encodeURIComponent(value);
    });
    return `${base}${API_BASE}${path}${search(query)}`;
  }

  /**
   * Calls a route (its contract, or its name) and parses its answer with the route's own response schema. By name,
   * the request leaves at once and the contracts' chunk (if not there yet) loads beside it.
   */
  async function call<R extends Route | RouteName>(route: R, ...[args]: ArgsParam<ContractOf<R>>): Promise<CallResult<ContractOf<R>>> {
    type Result = CallResult<ContractOf<R>>;
    const address = addressOf(route);
    const { body: json, raw, contentType } = (args ?? {}) as AnyArgs;
    const method = address.method.toUpperCase();
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
    let ready: Promise<Contracts> | undefined;
    try {
      const sending = fetchImpl(url(route, ...([args] as ArgsParam<ContractOf<R>>)), { method, headers, body, credentials: 'same-origin' });
      ready = loadContracts(); // loaded or loading since start-up; asked again only if that load failed
      ready.catch(() => undefined); // awaited below; a failed load must not go unhandled while the request runs
      res = await sending;
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      throw networkError();
    }
    const text = await res.text();
    if (res.status === 401 && !address.path.startsWith('/auth/')) for (const listener of unauthorizedListeners) listener();
    let loaded: Contracts;
    try {
      loaded = await (ready ?? loadContracts());
    } catch {
      throw networkError();
    }
    if (!res.ok) throw loaded.errorFromResponse(res.status, text);
    const contract: Route = typeof route === 'string' ? (loaded.routes[route as RouteName] as Route | undefined) ?? fail(route) : route;
    const schema = responseSchema(contract, res.status);
    if (!schema && !text) return undefined as Result;
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
    return parsed.data as Result;
  }

  // The shapes of the named methods below: a route that takes nothing, a body, an id, or an id and a body.
  type NameWhere<T> = { [K in RouteName]: Routes[K] extends T ? K : never }[RouteName];
  const send = call as <N extends RouteName>(route: N, args?: AnyArgs) => Promise<CallResult<ContractOf<N>>>;
  const none = <N extends NameWhere<Route & { request?: never }>>(route: N) => () => send(route);
  const withBody = <N extends NameWhere<Route & { request: { params?: never } }>>(route: N) => (body: BodyOf<ContractOf<N>>) => send(route, { body });
  const byId = <N extends NameWhere<ById>>(route: N) => (id: string) => send(route, { params: { id } });
  const byIdWithBody = <N extends NameWhere<ById>>(route: N) => (id: string, body: BodyOf<ContractOf<N>>) => send(route, { params: { id }, body });
  type Paging = { limit?: number; offset?: number };

  return {
    call,
    url,
    health: none('health'),
    listIntegrations: none('listIntegrations'),
    createIntegration: withBody('createIntegration'),
    getIntegration: byId('getIntegration'),
    updateIntegration: byIdWithBody('updateIntegration'),
    deleteIntegration: byId('deleteIntegration'),
    publish: byId('publishIntegration'),
    /** `files`: file source node id -> uploaded file id, read instead of the published file for this run only. */
    /** `read`: 'full' ("Run full sync"), 'refresh' ("Sync and refresh"); absent: an ordinary (incremental) run. */
    startRun: (id: string, params: Record<string, unknown> = {}, files: Record<string, string> = {}, name?: string, read?: 'full' | 'refresh') =>
      call('startRun', { params: { id }, body: { params, files, ...(name && { name }), ...(read === 'full' && { fullSync: true }), ...(read === 'refresh' && { refresh: true }) } }),
    /** The published version's declared parameters and file sources (the Run now dialog). */
    getRunOptions: byId('getRunOptions'),
    /** Asks the engine to cancel a queued or running run; it says Cancelled once its pipelines have stopped. */
    cancelRun: byId('cancelRun'),
    /** "Run again with the same settings": a new run with the run's parameters and replaced files. */
    rerun: byId('rerun'),
    /** Issue 14: "Confirm deletes": runs again with the same settings and applies the deletes the run held back. */
    rerunConfirmingDeletes: (id: string) => call('rerun', { params: { id }, body: { confirmDeletes: true } }),
    listFileSources: byId('listFileSources'),
    /** A plain link (the browser downloads it under the file's original name). */
    fileDownloadUrl: (id: string) => url('downloadFile', { params: { id } }),
    /** `status` is sent comma-separated (String of the array); `from`/`to` are ISO date-times. */
    listRuns: (id: string, query: Paging & { status?: RunStatus[]; from?: string; to?: string } = {}) => call('listRuns', { params: { id }, query }),
    getRun: byId('getRun'),
    /** Continues a failed run from its last committed checkpoint (same run id, version and files). */
    resumeRun: byId('resumeRun'),
    getRejected: (id: string, query: Paging = {}) => call('listRejected', { params: { id }, query }),
    runEventsUrl: (id: string) => url('runEvents', { params: { id } }),
    /** Every rejected record of a run as CSV (a plain link: the browser downloads it). */
    rejectedDownloadUrl: (id: string) => url('downloadRejected', { params: { id } }),
    uploadFile: (file: Blob & { name: string }, opts: { connectionId?: string; sheet?: string } = {}) =>
      call('uploadFile', {
        query: { name: file.name, ...opts },
        raw: file,
        contentType: SIMPLE_TYPES.has(file.type) ? 'application/octet-stream' : file.type,
      }),
    getFile: byId('getFile'),
    sniffFile: byIdWithBody('sniffFile'),
    previewFile: byIdWithBody('previewFile'),
    listObjects: none('listObjects'),
    getObject: (name: string) => call('getObject', { params: { name } }),
    listRecords: (name: string, query: Paging & { search?: string } = {}) => call('listRecords', { params: { name }, query }),
    /** The first records a Workspace source reads, its filter applied (workspace source's preview). */
    previewWorkspaceObject: (name: string, body: BodyOf<typeof routes.previewWorkspaceObject>) =>
      call('previewWorkspaceObject', { params: { name }, body }),
    listConnectors: none('listConnectors'),
    listConnections: none('listConnections'),
    getConnection: byId('getConnection'),
    createConnection: withBody('createConnection'),
    updateConnection: byIdWithBody('updateConnection'),
    deleteConnection: byId('deleteConnection'),
    duplicateConnection: byId('duplicateConnection'),
    testConnection: byId('testConnection'),
    testConnectionSettings: withBody('testConnectionSettings'),
    discoverConnection: byId('discoverConnection'),
    sendTestRequest: byIdWithBody('sendTestRequest'),
    authorizeConnection: byIdWithBody('authorizeConnection'),
    previewSource: byIdWithBody('previewSource'),

    session: none('getSession'),
    setup: withBody('setup'),
    signIn: withBody('signIn'),
    signOut: none('signOut'),
    signOutEverywhere: none('signOutEverywhere'),
    changePassword: withBody('changePassword'),
    inviteInfo: (token: string) => call('getInvite', { params: { token } }),
    acceptInvite: (token: string, body: BodyOf<typeof routes.acceptInvite>) => call('acceptInvite', { params: { token }, body }),
    listUsers: none('listUsers'),
    inviteUser: withBody('inviteUser'),
    setUserRole: (id: string, role: AssignableRole) => call('setUserRole', { params: { id }, body: { role } }),
    removeUser: byId('removeUser'),
    resetUser: byId('resetUser'),
    signOutUser: byId('signOutUser'),
    listTokens: none('listTokens'),
    createToken: withBody('createToken'),
    revokeToken: byId('revokeToken'),
    listAudit: (query: NonNullable<CallArgs<typeof routes.listAudit>['query']>) => call('listAudit', { query }),
  };
}

export type Api = ReturnType<typeof createApi>;
export const api: Api = createApi();
