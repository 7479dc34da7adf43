// The typed HTTP client: every response parsed with the shared zod schemas, every failure a readable message.
import { z } from 'zod';
import {
  ApiError,
  Connection,
  type ConnectionInput,
  type ConnectionPatch,
  type ConnectionTestInput,
  ConnectionTestResult,
  ConnectorInfo,
  type Diagnostic,
  DiscoveredObjectInfo,
  SourcePreview,
  type SourcePreviewInput,
  Integration,
  IntegrationSummary,
  PublishResult,
  RejectedRecord,
  Run,
  RunDetail,
  RunFileSource,
  StartRunResult,
  UploadedFile,
  WorkspaceObject,
  WorkspaceRecord,
  FilePreview,
  type FilePreviewInput,
  type FileSniffInput,
  type Graph,
} from '../shared';
import { WorkspacePreview, type WorkspacePreviewInput } from '../shared/api/workspace-preview';
import {
  ApiTokenInfo,
  AuditEntry,
  type AssignableRole,
  type AuditAction,
  CreatedToken,
  InviteInfo,
  InviteResult,
  SessionInfo,
  User,
} from '../shared/api/auth';

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

const Paged = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number().int().nonnegative() });
export type Paged<T> = { items: T[]; total: number };

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

interface RequestOptions {
  method?: string;
  body?: unknown;
  raw?: BodyInit;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export function createApi(fetchImpl: Fetch = (...args) => fetch(...args), base = '') {
  async function request<S extends z.ZodType>(schema: S, path: string, opts: RequestOptions = {}): Promise<z.infer<S>> {
    const method = opts.method ?? 'GET';
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (csrfToken && method !== 'GET') headers['x-csrf-token'] = csrfToken;
    let body: BodyInit | undefined = opts.raw;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      res = await fetchImpl(`${base}${path}`, { method, headers, body, signal: opts.signal, credentials: 'same-origin' });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      throw networkError();
    }
    const text = await res.text();
    if (res.status === 401 && !path.startsWith('/api/auth/')) for (const listener of unauthorizedListeners) listener();
    if (!res.ok) throw errorFromResponse(res.status, text);
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      throw new ApiRequestError('The server sent a response Weft could not read', res.status, 'bad-response');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new ApiRequestError(
        `The server sent an unexpected response${first ? ` (${first.path.join('.') || 'body'}: ${first.message})` : ''}`,
        res.status,
        'bad-response',
      );
    }
    return parsed.data;
  }

  const q = (params: Record<string, string | number | undefined>) => {
    const s = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') s.set(k, String(v));
    const out = s.toString();
    return out ? `?${out}` : '';
  };
  const id = encodeURIComponent;

  return {
    health: () => request(z.unknown(), '/api/health'),
    listIntegrations: () => request(z.array(IntegrationSummary), '/api/integrations'),
    createIntegration: (input: { name: string; description?: string; graph: Graph }) =>
      request(Integration, '/api/integrations', { method: 'POST', body: input }),
    getIntegration: (iid: string) => request(Integration, `/api/integrations/${id(iid)}`),
    updateIntegration: (iid: string, patch: { name?: string; description?: string; graph?: Graph }) =>
      request(Integration, `/api/integrations/${id(iid)}`, { method: 'PUT', body: patch }),
    deleteIntegration: (iid: string) => request(z.unknown(), `/api/integrations/${id(iid)}`, { method: 'DELETE' }),
    publish: (iid: string) => request(PublishResult, `/api/integrations/${id(iid)}/publish`, { method: 'POST', body: {} }),
    /** `files`: file source node id -> uploaded file id, read instead of the published file for this run only. */
    startRun: (iid: string, params: Record<string, unknown> = {}, files: Record<string, string> = {}) =>
      request(StartRunResult, `/api/integrations/${id(iid)}/runs`, { method: 'POST', body: { params, files } }),
    listFileSources: (iid: string) => request(z.array(RunFileSource), `/api/integrations/${id(iid)}/file-sources`),
    /** A plain link (the browser downloads it under the file's original name). */
    fileDownloadUrl: (fid: string) => `${base}/api/files/${id(fid)}/download`,
    listRuns: (iid: string, page: { limit?: number; offset?: number } = {}) =>
      request(Paged(Run), `/api/integrations/${id(iid)}/runs${q(page)}`),
    getRun: (rid: string) => request(RunDetail, `/api/runs/${id(rid)}`),
    /** Continues a failed run from its last committed checkpoint (same run id, version and files). */
    resumeRun: (rid: string) => request(z.object({ runId: z.string(), workflowId: z.string() }), `/api/runs/${id(rid)}/resume`, { method: 'POST', body: {} }),
    getRejected: (rid: string, page: { limit?: number; offset?: number } = {}) =>
      request(Paged(RejectedRecord), `/api/runs/${id(rid)}/rejected${q(page)}`),
    runEventsUrl: (rid: string) => `${base}/api/runs/${id(rid)}/events`,
    uploadFile: (file: Blob & { name: string }, opts: { connectionId?: string; sheet?: string } = {}) =>
      request(UploadedFile, `/api/files${q({ name: file.name, ...opts })}`, {
        method: 'POST',
        raw: file,
        headers: { 'content-type': SIMPLE_TYPES.has(file.type) ? 'application/octet-stream' : file.type },
      }),
    getFile: (fid: string) => request(UploadedFile, `/api/files/${id(fid)}`),
    sniffFile: (fid: string, input: FileSniffInput) => request(UploadedFile, `/api/files/${id(fid)}/sniff`, { method: 'POST', body: input }),
    previewFile: (fid: string, input: FilePreviewInput) => request(FilePreview, `/api/files/${id(fid)}/preview`, { method: 'POST', body: input }),
    listObjects: () => request(z.array(WorkspaceObject), '/api/workspace/objects'),
    getObject: (name: string) => request(WorkspaceObject, `/api/workspace/objects/${id(name)}`),
    listRecords: (name: string, page: { limit?: number; offset?: number; search?: string } = {}) =>
      request(Paged(WorkspaceRecord), `/api/workspace/objects/${id(name)}/records${q(page)}`),
    /** The first records a Workspace source reads, its filter applied (workspace source's preview). */
    previewWorkspaceObject: (name: string, input: WorkspacePreviewInput) => request(WorkspacePreview, `/api/workspace/objects/${id(name)}/preview`, { method: 'POST', body: input }),
    listConnectors: () => request(z.array(ConnectorInfo), '/api/connectors'),
    listConnections: () => request(z.array(Connection), '/api/connections'),
    getConnection: (cid: string) => request(Connection, `/api/connections/${id(cid)}`),
    createConnection: (input: ConnectionInput) => request(Connection, '/api/connections', { method: 'POST', body: input }),
    updateConnection: (cid: string, patch: ConnectionPatch) => request(Connection, `/api/connections/${id(cid)}`, { method: 'PUT', body: patch }),
    deleteConnection: (cid: string) => request(z.unknown(), `/api/connections/${id(cid)}`, { method: 'DELETE' }),
    duplicateConnection: (cid: string) => request(Connection, `/api/connections/${id(cid)}/duplicate`, { method: 'POST', body: {} }),
    testConnection: (cid: string) => request(ConnectionTestResult, `/api/connections/${id(cid)}/test`, { method: 'POST', body: {} }),
    testConnectionSettings: (input: ConnectionTestInput) => request(ConnectionTestResult, '/api/connections/test', { method: 'POST', body: input }),
    discoverConnection: (cid: string) => request(z.array(DiscoveredObjectInfo), `/api/connections/${id(cid)}/discover`, { method: 'POST', body: {} }),
    previewSource: (cid: string, input: SourcePreviewInput) => request(SourcePreview, `/api/connections/${id(cid)}/preview`, { method: 'POST', body: input }),

    session: () => request(SessionInfo, '/api/auth/session'),
    setup: (input: { email: string; name: string; password: string }) => request(SessionInfo, '/api/auth/setup', { method: 'POST', body: input }),
    signIn: (input: { email: string; password: string }) => request(SessionInfo, '/api/auth/sign-in', { method: 'POST', body: input }),
    signOut: () => request(z.unknown(), '/api/auth/sign-out', { method: 'POST', body: {} }),
    signOutEverywhere: () => request(z.object({ sessions: z.number() }), '/api/auth/sign-out-everywhere', { method: 'POST', body: {} }),
    changePassword: (input: { currentPassword: string; newPassword: string }) => request(z.unknown(), '/api/auth/password', { method: 'POST', body: input }),
    inviteInfo: (token: string) => request(InviteInfo, `/api/auth/invite/${id(token)}`),
    acceptInvite: (token: string, input: { name?: string; password: string }) => request(SessionInfo, `/api/auth/invite/${id(token)}`, { method: 'POST', body: input }),
    listUsers: () => request(z.array(User), '/api/users'),
    inviteUser: (input: { email: string; name: string; role: AssignableRole; password?: string }) => request(InviteResult, '/api/users', { method: 'POST', body: input }),
    setUserRole: (uid: string, role: AssignableRole) => request(User, `/api/users/${id(uid)}`, { method: 'PUT', body: { role } }),
    removeUser: (uid: string) => request(z.unknown(), `/api/users/${id(uid)}`, { method: 'DELETE' }),
    resetUser: (uid: string) => request(z.object({ inviteUrl: z.string() }), `/api/users/${id(uid)}/reset`, { method: 'POST', body: {} }),
    signOutUser: (uid: string) => request(z.object({ sessions: z.number() }), `/api/users/${id(uid)}/sign-out`, { method: 'POST', body: {} }),
    listTokens: () => request(z.array(ApiTokenInfo), '/api/tokens'),
    createToken: (input: { name: string; role: AssignableRole }) => request(CreatedToken, '/api/tokens', { method: 'POST', body: input }),
    revokeToken: (tid: string) => request(z.unknown(), `/api/tokens/${id(tid)}`, { method: 'DELETE' }),
    listAudit: (filter: { actor?: string; action?: AuditAction | ''; from?: string; to?: string; limit?: number; offset?: number }) =>
      request(Paged(AuditEntry), `/api/audit${q(filter)}`),
  };
}

export type Api = ReturnType<typeof createApi>;
export const api: Api = createApi();
