// The REST connector: each object is an endpoint the person described (method, path, where the records are, how it
// pages, how records are written back). Pages are fetched one at a time and cut into batches of the asked size, so
// memory holds one page and one batch however many pages there are; a batch's cursor says which page request and how
// many of its records come next, so a run resumes exactly. Requests go through the guarded HTTP client (runtime/net).
import { createHash } from 'node:crypto';
import { addressGuardFromEnv, bodySnippet, createHttpClient, expectOk, HttpStatusError, type AddressGuard, type HttpClient, type HttpResponse } from '../../net';
import type { FieldType } from '../../../shared/graph/field-types';
import { redact } from '../../secrets';
import { seenPages } from '../../net/seen-pages';
import { ConnectorError, defineConnector, type ConnectorSession, type DiscoveredObject, type OpenOptions, type ReadBatch, type RecordResult, type Row } from '../types';
import { createAuth, exchangeCode } from './auth';
import { restManifest, type RestConfig, type RestEndpoint, type RestSecrets } from './manifest';
import { recordsAt, recordsPathCandidates, valueAt, type PathCandidate } from './records-path';
import { nameBudget } from '../../../shared/util/json-exact';
import { flattenRecord, inferFields, parseTemplate, RecordProblem, renderBody, renderPath, statusSet } from './values';

export { RestConfig, RestEndpoint, RestSecrets, restManifest } from './manifest';

/** Where a page request stands: which page, offset, cursor token or URL comes next. */
export type PageState = { kind: 'single' } | { kind: 'page'; page: number } | { kind: 'offset'; offset: number } | { kind: 'cursor'; cursor: string | null } | { kind: 'url'; url: string | null };

/** A batch's resumable position: the page to request (null: nothing left) and how many of its records were read. */
export interface RestCursor {
  page: PageState | null;
  skip: number;
}

/** Pages read for discovery, and records sampled at most. */
const DISCOVERY_PAGES = 3;
const DISCOVERY_RECORDS = 500;
/** A loop guard: an API that keeps answering the same next page is stopped. */
const MAX_SAME_NEXT = 1;

export interface TestRequestInput {
  /** An endpoint as described so far (saved or not). */
  endpoint: Partial<RestEndpoint>;
}

export interface TestRequestResult {
  request: { method: string; url: string };
  status: number;
  headers: [string, string][];
  /** Pretty-printed (JSON) or as sent, secrets masked, cut at 200 KB. */
  body: string;
  truncated: boolean;
  durationMs: number;
  /** Arrays in the response, records first: the records-path picker's choices. */
  candidates: PathCandidate[];
  /** With a records path that finds records: their count and inferred fields. */
  records: { path: string; count: number; fields: { name: string; type: string; nativeType: string }[] } | null;
  /** Where the next page would come from, when the pagination settings find it. */
  next: string | null;
}

const initialState = (ep: RestEndpoint): PageState => {
  switch (ep.pagination) {
    case 'page':
      return { kind: 'page', page: ep.firstPage };
    case 'offset':
      return { kind: 'offset', offset: 0 };
    case 'cursor':
      return { kind: 'cursor', cursor: null };
    case 'link-header':
    case 'next-url':
      return { kind: 'url', url: null };
    default:
      return { kind: 'single' };
  }
};

/** base + path: "https://x/v1" + "/items?a=1" is https://x/v1/items?a=1 (the base's own path kept). */
export function joinUrl(base: string, path: string): URL {
  const b = new URL(base);
  if (/^https?:\/\//i.test(path)) throw new ConnectorError('invalid_config', `The path "${path}" is a whole address: give the part after the base URL (${b.origin}${b.pathname}).`);
  const [p, q] = path.split(/\?(.*)/s) as [string, string | undefined];
  const url = new URL(b.href);
  url.pathname = `${b.pathname.replace(/\/+$/, '')}/${p.replace(/^\/+/, '')}`.replace(/\/+$/, '') || '/';
  if (q) for (const [k, v] of new URLSearchParams(q)) url.searchParams.append(k, v);
  return url;
}

/** The `rel="next"` target of a Link header. */
export function linkNext(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/s.exec(part);
    if (m && /;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(m[2]!)) return m[1]!;
  }
  return null;
}

/** Pages remembered by one read to find a cycle (a next link back to an earlier page); past it, a cycle goes unseen. */
const MAX_REMEMBERED_PAGES = 10_000;

/**
 * One read's guard against an API that goes round in circles. A next cursor or URL that was already requested (page
 * 1's own address included) ends the read, as a repeated one does ("a missing or repeated next cursor/URL"); a page
 * holding exactly the records of the page before it means the API ignores the paging parameter, and would answer page
 * 1 for ever: that fails the read before the records are read twice.
 */
/** A page's records as one digest, for the repeated-page checks. */
function digestOf(records: Record<string, unknown>[]): string {
  const hash = createHash('sha256');
  for (const r of records) hash.update(JSON.stringify(r) ?? 'null').update('\n');
  return hash.digest('base64');
}

function pageLoops(ep: RestEndpoint) {
  const requested = seenPages(MAX_REMEMBERED_PAGES);
  let previous: string | null = null;
  // Whether two pages in a row have differed: proof that the API moves on when asked for the next page.
  let moved = false;
  let pageNo = 0;
  const key = (s: PageState | null): string | null => (s?.kind === 'cursor' && s.cursor !== null ? `c:${s.cursor}` : s?.kind === 'url' && s.url !== null ? `u:${s.url}` : null);
  const remember = (k: string | null) => {
    if (k !== null) requested.add(k);
  };
  return {
    /**
     * Whether this page holds exactly the records of the page `follow` was last given (not counted as a page): the
     * look-ahead after a `repeat`.
     */
    same(page: { records: Record<string, unknown>[] }): boolean {
      return page.records.length > 0 && digestOf(page.records) === previous;
    },
    /**
     * The page after this one (null: the read ends), and whether this page's records are new. A page that repeats the
     * one before it, once the pages before it moved on, is either an API answering its last page again for any page
     * past the end, or two pages that hold the same records (records without ids, a page size of 1): not `fresh`, and
     * the caller asks for the page after it (review15a: ending there lost every record after two equal pages). With no
     * page after it the read ends without its records. The same records for page 2 as for page 1 fail the read (an
     * API ignoring the paging parameter, whose further records could never be read: ending there would lose them).
     */
    follow(state: PageState, page: { records: Record<string, unknown>[]; next: PageState | null; urls: string[] }): { next: PageState | null; fresh: boolean } {
      pageNo++;
      remember(key(state));
      for (const u of page.urls) remember(`u:${u}`);
      let repeat = false;
      if (page.records.length > 0) {
        const digest = digestOf(page.records);
        if (digest === previous) {
          if (moved) repeat = true;
          else {
            const param = ep.pagination === 'link-header' || ep.pagination === 'next-url' ? 'its next-page address' : `the parameter "${ep.pageParam}"`;
            throw new ConnectorError('invalid_config', `"${ep.name}" answered the same ${page.records.length} record${page.records.length === 1 ? '' : 's'} for page ${pageNo} as for page ${pageNo - 1}: the API seems to ignore ${param}, so Weft stopped rather than read them again. Check the endpoint's pagination settings (Send a test request shows where the next page comes from).`);
          }
        }
        moved ||= previous !== null;
        previous = digest;
      }
      const k = key(page.next);
      const next = k !== null && requested.has(k) ? null : page.next;
      return { next, fresh: !repeat };
    },
  };
}

function parseCursor(value: unknown): RestCursor | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || !('skip' in value) || !('page' in value)) throw new ConnectorError('invalid_config', 'The checkpoint to resume from is not a REST cursor.');
  return value as RestCursor;
}

export function openRestSession(config: RestConfig, secrets: RestSecrets, options: OpenOptions & { guard?: AddressGuard; sleep?: (ms: number) => Promise<void> } = {}): ConnectorSession & { sendTestRequest(input: TestRequestInput): Promise<TestRequestResult> } {
  const guard = options.guard ?? addressGuardFromEnv();
  let client: HttpClient | null = null;
  const auth = createAuth({ config, secrets, client: () => getClient(), saveSecrets: options.saveSecrets });
  function getClient(): HttpClient {
    client ??= createHttpClient({
      guard,
      allowPrivate: config.allowPrivateNetwork,
      timeoutMs: config.timeoutSeconds * 1000,
      concurrency: config.concurrency,
      auth,
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
    return client;
  }
  const base = new URL(config.baseUrl);
  const defaultHeaders = (): Record<string, string> => {
    const h: Record<string, string> = { accept: 'application/json' };
    for (const { name, value } of config.headers) h[name.toLowerCase()] = value;
    return h;
  };

  const endpointOf = (name: string): RestEndpoint => {
    const ep = config.objects.find((o) => o.name === name);
    if (!ep) throw new ConnectorError('not_found', `This connection has no endpoint "${name}". Add it under Endpoints in the connection, or choose another.`);
    return ep;
  };

  /** A next-page URL from the server: only to the connection's own origin, where its credentials belong. */
  const sameOrigin = (next: string, from: string): string => {
    const url = new URL(next, from);
    if (url.origin !== base.origin) throw new ConnectorError('permission', `The API sent a next-page address on another server (${url.origin}); Weft only follows pages on ${base.origin}, where this connection's credentials belong.`);
    return url.href;
  };

  function pageRequest(ep: RestEndpoint, state: PageState): { method: string; url: URL; body?: string } {
    const url = state.kind === 'url' && state.url !== null ? new URL(state.url) : joinUrl(config.baseUrl, ep.path);
    const size = ep.sizeParam.trim();
    if (state.kind === 'page') url.searchParams.set(ep.pageParam, String(state.page));
    if (state.kind === 'offset') url.searchParams.set(ep.pageParam, String(state.offset));
    if (state.kind === 'cursor' && state.cursor !== null) url.searchParams.set(ep.pageParam, state.cursor);
    if (size && (state.kind === 'page' || state.kind === 'offset' || state.kind === 'cursor' || (state.kind === 'url' && state.url === null))) url.searchParams.set(size, String(ep.pageSize));
    return ep.method === 'POST' ? { method: 'POST', url, body: ep.requestBody } : { method: 'GET', url };
  }

  async function send(ep: RestEndpoint, state: PageState, signal?: AbortSignal, anyStatus = false): Promise<{ res: HttpResponse; method: string; url: URL }> {
    const { method, url, body } = pageRequest(ep, state);
    const headers = defaultHeaders();
    if (body !== undefined && body !== '') headers['content-type'] ??= 'application/json';
    // A POST that only reads is as safe to repeat as a GET.
    const res = await getClient().request({ method, url, headers, ...(body ? { body } : {}), ...(signal ? { signal } : {}), idempotent: true, anyStatus });
    return { res, method, url };
  }

  function parseBody(res: HttpResponse, ep: RestEndpoint): unknown {
    try {
      return res.json();
    } catch (e) {
      if (e instanceof ConnectorError) throw e;
      throw new ConnectorError('unknown', `The response of "${ep.name}" is not JSON (${(e as Error).message}): ${bodySnippet(res.body, 200) || 'an empty body'}`);
    }
  }

  /** The next page after one that gave `count` records, or null at the end. */
  function nextState(ep: RestEndpoint, state: PageState, res: HttpResponse, body: unknown, count: number): PageState | null {
    const full = ep.sizeParam.trim() === '' || count >= ep.pageSize;
    switch (state.kind) {
      case 'single':
        return null;
      case 'page':
        return count > 0 && full ? { kind: 'page', page: state.page + 1 } : null;
      case 'offset':
        return count > 0 && full ? { kind: 'offset', offset: state.offset + count } : null;
      case 'cursor': {
        const token = valueAt(body, ep.cursorPath);
        if (count === 0 || token === null || token === undefined || token === '' || token === false) return null;
        const text = typeof token === 'string' ? token : JSON.stringify(token);
        return text === state.cursor ? null : { kind: 'cursor', cursor: text };
      }
      case 'url': {
        const raw = ep.pagination === 'link-header' ? linkNext(res.headers.link) : valueAt(body, ep.nextUrlPath);
        if (count === 0 || typeof raw !== 'string' || raw.trim() === '') return null;
        const url = sameOrigin(raw, res.url);
        return url === state.url || url === res.url ? null : { kind: 'url', url };
      }
    }
  }

  async function fetchPage(ep: RestEndpoint, state: PageState, first: boolean, signal?: AbortSignal): Promise<{ records: Record<string, unknown>[]; next: PageState | null; urls: string[] }> {
    const { res, url } = await send(ep, state, signal);
    expectOk(res, `"${ep.name}" (${res.url.replace(/\?.*/, '')})`);
    const body = parseBody(res, ep);
    const records = recordsAt(body, ep.recordsPath);
    if (records === null && first && ep.recordsPath.trim() !== '') {
      throw new ConnectorError('invalid_config', `The response of "${ep.name}" has no records at "${ep.recordsPath}". Send a test request and pick the records path again.`);
    }
    const list = records ?? [];
    return { records: list, next: nextState(ep, state, res, body, list.length), urls: [url.href, res.url] };
  }

  const session = {
    async test() {
      const ep = config.objects.find((o) => o.method === 'GET') ?? config.objects[0];
      if (!ep) {
        const res = await getClient().request({ url: base, headers: defaultHeaders() });
        return `Reached ${base.origin} (it answered ${res.status}). Add the endpoints to read under Endpoints.`;
      }
      const { records } = await fetchPage(ep, initialState(ep), true);
      return `Reached ${base.origin}: "${ep.name}" answered ${records.length} record${records.length === 1 ? '' : 's'} on its first page.`;
    },

    async discover(): Promise<DiscoveredObject[]> {
      const out: DiscoveredObject[] = [];
      for (const ep of config.objects) {
        const sample: Record<string, unknown>[] = [];
        let state: PageState | null = initialState(ep);
        try {
          for (let page = 0; state && page < DISCOVERY_PAGES && sample.length < DISCOVERY_RECORDS; page++) {
            const got: { records: Record<string, unknown>[]; next: PageState | null } = await fetchPage(ep, state, page === 0);
            sample.push(...got.records);
            state = got.next;
          }
        } catch (e) {
          // Credentials and refused addresses concern the whole connection; one endpoint that fails is listed with why.
          if (!(e instanceof ConnectorError) || e.code === 'auth' || e.code === 'permission') throw e;
          out.push({ name: ep.name, label: `${ep.name} (could not be sampled: ${e.message.slice(0, 200)})`, fields: [], primaryKey: [], cursorFields: [] });
          continue;
        }
        const key = ep.primaryKey.trim();
        const fields = inferFields(sample.slice(0, DISCOVERY_RECORDS), key);
        out.push({ name: ep.name, label: ep.name, fields, primaryKey: key && fields.some((f) => f.name === key) ? [key] : [], cursorFields: [] });
      }
      return out;
    },

    async *read(object: string, options: { cursor?: unknown; batchSize: number; signal?: AbortSignal }): AsyncGenerator<ReadBatch> {
      const ep = endpointOf(object);
      const resume = parseCursor(options.cursor);
      if (resume && resume.page === null) return;
      let state: PageState | null = resume?.page ?? initialState(ep);
      let skip = resume?.skip ?? 0;
      let batch: Row[] = [];
      let first = true;
      let repeats = 0;
      const loops = pageLoops(ep);
      // The page after a repeated one, asked for before its records are taken (`pageLoops`), read next.
      let ahead: Awaited<ReturnType<typeof fetchPage>> | null = null;
      while (state) {
        options.signal?.throwIfAborted();
        const page: { records: Record<string, unknown>[]; next: PageState | null; urls: string[] } = ahead ?? (await fetchPage(ep, state, first, options.signal));
        ahead = null;
        let { next, fresh } = loops.follow(state, page);
        if (next && !fresh) {
          // The same records as the page before: past the end if the page after repeats them too (it ends there,
          // neither page's records read again); otherwise two pages that held the same records, both read.
          const after = await fetchPage(ep, next, false, options.signal);
          if (loops.same(after)) next = null;
          else {
            fresh = true;
            ahead = after;
          }
        }
        const records = fresh ? page.records : [];
        first = false;
        // One budget of names a page: a page's records together make at most MAX_FLAT_NAME_CHARS (review15a).
        const names = nameBudget();
        for (let i = skip; i < records.length; i++) {
          batch.push(flattenRecord(records[i]!, undefined, names));
          if (batch.length >= options.batchSize) {
            const cursor: RestCursor = i + 1 < records.length ? { page: state, skip: i + 1 } : { page: next, skip: 0 };
            const rows = batch;
            batch = [];
            yield { rows, cursor };
            options.signal?.throwIfAborted();
          }
        }
        if (next && JSON.stringify(next) === JSON.stringify(state) && ++repeats > MAX_SAME_NEXT) break;
        state = next;
        skip = 0;
      }
      if (batch.length > 0) yield { rows: batch, cursor: { page: null, skip: 0 } satisfies RestCursor };
    },

    async write(object: string, rows: Row[], options: { fields: { name: string; type: FieldType }[] }): Promise<RecordResult[]> {
      const ep = endpointOf(object);
      if (ep.writeMethod === 'none') throw new ConnectorError('invalid_config', `The endpoint "${ep.name}" has no write method: choose POST, PUT or PATCH and a write path for it in the connection.`);
      const template = parseTemplate(ep.bodyTemplate);
      const created = statusSet(ep.createdStatuses);
      const updated = statusSet(ep.updatedStatuses);
      const unchanged = statusSet(ep.unchangedStatuses);
      const one = async (row: Row): Promise<RecordResult> => {
        let url: URL;
        try {
          url = joinUrl(config.baseUrl, renderPath(ep.writePath || ep.path, row));
        } catch (e) {
          if (e instanceof RecordProblem) return { outcome: 'rejected', reason: e.message };
          throw e;
        }
        const headers = { ...defaultHeaders(), 'content-type': 'application/json' };
        const res = await getClient().request({ method: ep.writeMethod, url, headers, body: renderBody(template, row, options.fields) });
        if (res.status >= 200 && res.status < 300) {
          if (created.has(res.status)) return { outcome: 'created' };
          if (unchanged.has(res.status)) return { outcome: 'unchanged' };
          if (updated.has(res.status)) return { outcome: 'updated' };
          return { outcome: ep.writeMethod === 'POST' ? 'created' : 'updated' };
        }
        // A 4xx is about this record: the server's own words are the reason (5xx, 401/403 and 429 were thrown).
        return { outcome: 'rejected', reason: `${res.status}: ${bodySnippet(redact(res.text(), secrets), 1000) || 'no details'}` };
      };
      return Promise.all(rows.map(one));
    },

    /** "Send a test request": one page of an endpoint as described so far, secrets masked. */
    async sendTestRequest(input: unknown): Promise<TestRequestResult> {
      const { endpoint } = (input ?? {}) as TestRequestInput;
      const ep = { ...restManifest.config.parse({ baseUrl: config.baseUrl, objects: [{ name: 'test', ...endpoint }] }).objects[0]! };
      const started = Date.now();
      const { res, method, url } = await send(ep, initialState(ep), undefined, true);
      const durationMs = Date.now() - started;
      const mask = (text: string) => redact(text, secrets);
      let parsed: unknown;
      let text = res.text();
      try {
        parsed = res.json();
        text = JSON.stringify(parsed, null, 2);
      } catch {
        parsed = undefined;
      }
      const LIMIT = 200_000;
      const shownUrl = new URL(url.href);
      if (config.authType === 'api-key' && config.apiKeyIn === 'query' && shownUrl.searchParams.has(config.apiKeyName)) shownUrl.searchParams.set(config.apiKeyName, 'KEY');
      let records: TestRequestResult['records'] = null;
      let next: string | null = null;
      if (parsed !== undefined && res.status >= 200 && res.status < 300) {
        const found = recordsAt(parsed, ep.recordsPath);
        if (found) {
          records = { path: ep.recordsPath, count: found.length, fields: inferFields(found, ep.primaryKey).map(({ name, type, nativeType }) => ({ name, type, nativeType })) };
          try {
            const n = nextState(ep, initialState(ep), res, parsed, found.length);
            next = n === null ? null : n.kind === 'url' ? n.url : n.kind === 'cursor' ? `cursor ${n.cursor}` : n.kind === 'page' ? `page ${n.page}` : n.kind === 'offset' ? `offset ${n.offset}` : null;
          } catch (e) {
            next = (e as Error).message;
          }
        }
      }
      return {
        request: { method, url: mask(shownUrl.href.replace(/%E2%80%A2/g, '•')) },
        status: res.status,
        headers: Object.entries(res.headers).map(([k, v]) => [k, /^(set-cookie|authorization|www-authenticate|x-api-key)$/i.test(k) ? '••••' : mask(v)]),
        body: mask(text.length > LIMIT ? text.slice(0, LIMIT) : text),
        truncated: text.length > LIMIT,
        durationMs,
        candidates: parsed === undefined ? [] : recordsPathCandidates(parsed),
        records,
        // A next-page address (or why there is none) is the API's own text: it may carry the key back (probe19).
        next: next === null ? null : mask(next),
      };
    },

    async close() {
      await client?.close();
    },
  };
  return session;
}

export const restConnector = defineConnector<RestConfig, RestSecrets>({
  manifest: restManifest,
  open: async (config, secrets, _context, options) => openRestSession(config, secrets, options),
  oauth: {
    unready(config) {
      if (config.authType !== 'oauth2-authorization-code') return 'Connect is for the OAuth 2.0 authorization code authentication: choose it first.';
      if (!config.authorizeUrl.trim()) return 'Fill in the authorization URL (where the provider asks you to approve access), save, then connect.';
      if (!config.tokenUrl.trim()) return 'Fill in the token URL, save, then connect.';
      if (!config.clientId.trim()) return 'Fill in the client ID, save, then connect.';
      return null;
    },
    authorizeUrl(config, { state, codeChallenge, redirectUri }) {
      const url = new URL(config.authorizeUrl);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', config.clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      if (config.scope.trim()) url.searchParams.set('scope', config.scope.trim());
      url.searchParams.set('state', state);
      url.searchParams.set('code_challenge', codeChallenge);
      url.searchParams.set('code_challenge_method', 'S256');
      return url.href;
    },
    async exchange(config, secrets, input, options) {
      const client = createHttpClient({ guard: options.guard ?? addressGuardFromEnv(), allowPrivate: config.allowPrivateNetwork, timeoutMs: config.timeoutSeconds * 1000, concurrency: 1, attempts: 2 });
      try {
        return await exchangeCode({ config, secrets, client }, input);
      } finally {
        await client.close();
      }
    },
  },
});

export { HttpStatusError };
