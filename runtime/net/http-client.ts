// One HTTP client for everything Weft sends out over HTTP (connectors, OAuth token requests, alert webhooks): each
// hop's host is checked by the address guard and the socket connects to the address that passed (undici's connect
// lookup), redirects are followed here and checked again, never to another scheme; attempts time out, 5xx and
// network failures back off exponentially with jitter, 429 waits as long as Retry-After says (up to a cap),
// requests per client are capped, and response bodies are bounded. undici (the library behind Node's fetch) is used
// directly for its connect lookup and streamed bodies.
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Agent, Dispatcher } from 'undici';
import { ConnectorError } from '../connectors/types';
import { parseJsonExact } from '../files/json';
import type { AddressGuard } from './address-guard';
import { jsonShapeProblem, MAX_RESPONSE_DEPTH, MAX_RESPONSE_VALUES } from './json-shape';

export interface HttpClientOptions {
  guard: AddressGuard;
  /** The connection allows private network addresses (see GuardOptions). */
  allowPrivate?: boolean;
  /** One attempt, from sending to the last byte of the body (default 30 s). */
  timeoutMs?: number;
  /** Tries per request, the first included (default 5). */
  attempts?: number;
  /** First backoff (default 500 ms), doubling each retry up to maxBackoffMs (default 30 s), with jitter. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** The longest 429/503 Retry-After honoured (default 120 s); a longer one fails the request at once, saying so. */
  maxRetryAfterMs?: number;
  /** Requests in flight at once through this client (default 4); more wait their turn. */
  concurrency?: number;
  /** The largest response body read, after decompression (default 32 MiB). */
  maxResponseBytes?: number;
  /**
   * What `json()` parses at most: values in one response (default 1,000,000) and levels of nesting (default 64). A
   * response past them is refused in words instead of building more objects than a worker's heap holds.
   */
  maxResponseValues?: number;
  maxResponseDepth?: number;
  /** Redirects followed per request (default 5). */
  maxRedirects?: number;
  userAgent?: string;
  /** Credentials applied to each attempt, and refreshed once when the server answers 401. */
  auth?: HttpAuth;
  /** Tests: a clock, a sleep and a random source. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface HttpAuth {
  /** Adds credentials (a header or a query parameter) to a request about to go to the configured origin. */
  apply(request: { url: URL; headers: Record<string, string> }): Promise<void>;
  /** Called once per request after a 401: get new credentials (an OAuth refresh) and answer true to try again. */
  refresh?(): Promise<boolean>;
}

export interface HttpRequest {
  method?: string;
  url: string | URL;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
  /** Retry 5xx and network failures for this request even when the method is not idempotent (POST). */
  idempotent?: boolean;
  /** Do not apply the client's auth (an OAuth token request carries its own credentials). */
  noAuth?: boolean;
  /**
   * Answer every final status instead of throwing for 401/403 (and for a 429/5xx that outlived its retries):
   * "Send a test request" shows what the server said.
   */
  anyStatus?: boolean;
  /** Override the client's timeout for this request. */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", " (set-cookie with "\n"). */
  headers: Record<string, string>;
  body: Buffer;
  /** The address that answered, after redirects. */
  url: string;
  text(): string;
  /** JSON.parse that keeps numbers a double cannot hold exactly (ids past 2^53) as their decimal text. */
  json(): unknown;
}

export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

/** A status the server answered, as an error: 401/403 are `auth`, 404 `not_found`, the rest `unknown`. */
export class HttpStatusError extends ConnectorError {
  constructor(
    readonly status: number,
    message: string,
    readonly responseBody: string,
  ) {
    super(status === 401 || status === 403 ? 'auth' : status === 404 ? 'not_found' : status === 408 ? 'timeout' : 'unknown', message);
  }
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that carry credentials: never sent on to another origin after a redirect. */
const CREDENTIAL_HEADERS = /^(authorization|proxy-authorization|cookie|x-api-key|api-key|apikey)$/i;

/** Seconds or an HTTP date, as milliseconds from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The first characters of a body, on one line, for an error message. */
export function bodySnippet(body: Buffer | string, max = 300): string {
  const text = (typeof body === 'string' ? body : body.toString('utf8')).replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

const where = (url: URL) => `${url.origin}${url.pathname}`;

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', stop, { once: true });
  });

/** A counting semaphore: at most `limit` holders. */
function semaphore(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    async acquire(): Promise<() => void> {
      if (active >= limit) await new Promise<void>((r) => waiting.push(r));
      else active++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const next = waiting.shift();
        if (next) next();
        else active--;
      };
    },
  };
}

function flatHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(k.toLowerCase() === 'set-cookie' ? '\n' : ', ') : v;
  }
  return out;
}

async function readBounded(body: Readable, encoding: string | undefined, limit: number, url: URL): Promise<Buffer> {
  const coding = (encoding ?? '').trim().toLowerCase();
  const decoder = coding === 'gzip' || coding === 'x-gzip' ? createGunzip() : coding === 'deflate' ? createInflate() : coding === 'br' ? createBrotliDecompress() : null;
  const stream: Readable = decoder ? body.pipe(decoder) : body;
  if (decoder) body.on('error', (e) => decoder.destroy(e));
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        throw new ConnectorError('unknown', `The response from ${where(url)} is larger than ${Math.round(limit / 1024 / 1024) || limit + ' bytes'}${limit >= 1024 * 1024 ? ' MiB' : ''}, the most Weft reads in one response. Ask for smaller pages (a lower page size).`);
      }
      chunks.push(chunk);
    }
  } finally {
    body.destroy();
    decoder?.destroy();
  }
  return Buffer.concat(chunks);
}

/** Why a request failed before any answer, in words, with the right code. */
function networkError(err: unknown, url: URL, timedOut: boolean, timeoutMs: number): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code ?? '';
  if (timedOut) return new ConnectorError('timeout', `No complete answer from ${where(url)} within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}.`, { cause: err });
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code)) return new ConnectorError('tls', `The TLS certificate of ${url.host} was not accepted (${code}).`, { cause: err });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ConnectorError('unreachable', `The host name "${url.hostname}" could not be resolved.`, { cause: err });
  return new ConnectorError('unreachable', `Could not reach ${url.origin}: ${code || e?.message || String(err)}.`, { cause: err });
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const {
    guard,
    allowPrivate = false,
    timeoutMs = 30_000,
    attempts = 5,
    backoffMs = 500,
    maxBackoffMs = 30_000,
    maxRetryAfterMs = 120_000,
    concurrency = 4,
    maxResponseBytes = 32 * 1024 * 1024,
    maxResponseValues = MAX_RESPONSE_VALUES,
    maxResponseDepth = MAX_RESPONSE_DEPTH,
    maxRedirects = 5,
    userAgent = 'Weft/1',
    auth,
    sleep = defaultSleep,
    random = Math.random,
    now = Date.now,
  } = options;
  const slots = semaphore(Math.max(1, concurrency));

  // The socket's own lookup asks the guard, so the connection goes to the address that was checked.
  const lookup = (hostname: string, opts: LookupOptions, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    guard.check(hostname, { allowPrivate }).then(
      (a) => (opts.all ? callback(null, [{ address: a.address, family: a.family }]) : callback(null, a.address, a.family)),
      (e: Error) => callback(e, ''),
    );
  };
  // undici (~5 MB in memory) is loaded by the first request, not when Weft starts (every alert deliverer makes a client).
  let agent: Promise<Agent> | null = null;
  const agentFor = () =>
    (agent ??= import('undici').then(({ Agent: UndiciAgent }) => new UndiciAgent({ connect: { lookup: lookup as never, timeout: Math.min(timeoutMs, 15_000) }, keepAliveTimeout: 10_000 })));

  const backoff = (attempt: number) => {
    const exp = Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 1));
    return Math.round(exp / 2 + random() * (exp / 2));
  };

  /** One hop: no redirects followed, the body read within its bound. */
  async function send(method: string, url: URL, headers: Record<string, string>, body: string | Buffer | undefined, signal: AbortSignal | undefined, attemptTimeout: number): Promise<HttpResponse> {
    // IP literals never reach the socket's lookup: they are checked here (names are checked here too, for a
    // refusal before any socket, and again by the lookup that connects).
    await guard.check(url.hostname, { allowPrivate });
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error('timeout')), attemptTimeout);
    const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
    const release = await slots.acquire();
    try {
      const res: Dispatcher.ResponseData = await (await agentFor()).request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: method as Dispatcher.HttpMethod,
        headers,
        body: body ?? null,
        signal: combined,
      });
      const flat = flatHeaders(res.headers);
      const data = method === 'HEAD' ? Buffer.alloc(0) : await readBounded(res.body as unknown as Readable, flat['content-encoding'], maxResponseBytes, url);
      return {
        status: res.statusCode,
        headers: flat,
        body: data,
        url: url.href,
        text: () => data.toString('utf8'),
        json: () => {
          const text = data.toString('utf8').replace(/^\ufeff/, '');
          const problem = jsonShapeProblem(text, { maxValues: maxResponseValues, maxDepth: maxResponseDepth });
          // Smaller pages help a response with too many values, not one nested too deeply (review14a).
          if (problem) throw new ConnectorError('unknown', `The response from ${where(url)} ${problem}, more than Weft reads in one response.${problem.startsWith('holds') ? ' Ask for smaller pages (a lower page size).' : ''}`);
          return parseJsonExact(text);
        },
      };
    } catch (err) {
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new ConnectorError('timeout', 'The request was cancelled.');
      throw networkError(err, url, timeout.signal.aborted, attemptTimeout);
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  /** One attempt with redirects followed: each hop checked, never to another scheme, credentials kept to the first origin. */
  async function attempt(req: HttpRequest, start: URL, attemptTimeout: number): Promise<HttpResponse> {
    let method = (req.method ?? 'GET').toUpperCase();
    let url = new URL(start.href);
    let body = req.body;
    const credentials = new Set<string>();
    let headers: Record<string, string> = { 'user-agent': userAgent, 'accept-encoding': 'gzip, deflate, br', ...lower(req.headers ?? {}) };
    if (auth && !req.noAuth) {
      const before = { ...headers };
      await auth.apply({ url, headers });
      // Whatever the auth added or changed is a credential too (an API key in a header of any name).
      for (const k of Object.keys(headers)) if (before[k] !== headers[k]) credentials.add(k.toLowerCase());
    }
    for (let hop = 0; ; hop++) {
      const res = await send(method, url, headers, body, req.signal, attemptTimeout);
      if (!REDIRECTS.has(res.status) || res.headers.location === undefined) return res;
      if (hop >= maxRedirects) throw new ConnectorError('unknown', `${where(start)} redirected more than ${maxRedirects} times; Weft stopped following.`);
      let next: URL;
      try {
        next = new URL(res.headers.location, url);
      } catch {
        throw new ConnectorError('unknown', `${where(url)} redirected to an address that is not valid: "${bodySnippet(res.headers.location, 200)}".`);
      }
      if (next.protocol !== url.protocol) {
        throw new ConnectorError('permission', `${where(url)} redirected to ${next.protocol}//${next.host}: Weft does not follow a redirect to another scheme (${url.protocol.slice(0, -1)} to ${next.protocol.slice(0, -1)}). Use the final address in the connection.`);
      }
      if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADERS.test(k) && !credentials.has(k.toLowerCase())));
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'content-type' && k !== 'content-length'));
      }
      url = next;
    }
  }

  return {
    async request(req) {
      const method = (req.method ?? 'GET').toUpperCase();
      const start = new URL(req.url);
      if (start.protocol !== 'https:' && start.protocol !== 'http:') throw new ConnectorError('invalid_config', `Weft sends requests over http and https only, not ${start.protocol.slice(0, -1)}.`);
      const retryFailures = req.idempotent ?? IDEMPOTENT.has(method);
      const attemptTimeout = req.timeoutMs ?? timeoutMs;
      let refreshed = false;
      for (let n = 1; ; n++) {
        let res: HttpResponse;
        try {
          res = await attempt(req, start, attemptTimeout);
        } catch (err) {
          const e = err as ConnectorError;
          // A refused connection or an unknown name will not mend in seconds; a reset, a hang-up or a timeout may.
          const transient = e instanceof ConnectorError && (e.code === 'unreachable' || e.code === 'timeout') && !/could not be resolved|ECONNREFUSED/.test(e.message);
          if (transient && retryFailures && n < attempts && !req.signal?.aborted) {
            await sleep(backoff(n), req.signal);
            continue;
          }
          throw err;
        }
        if (res.status === 401 && auth?.refresh && !req.noAuth && !refreshed) {
          refreshed = true;
          if (await auth.refresh()) {
            n--;
            continue;
          }
        }
        if (res.status === 429 || (res.status >= 500 && res.status <= 599 && retryFailures)) {
          const asked = parseRetryAfter(res.headers['retry-after'], now());
          if (asked !== null && asked > maxRetryAfterMs) {
            if (req.anyStatus) return res;
            throw new HttpStatusError(res.status, `${where(start)} asked Weft to wait ${Math.ceil(asked / 1000)} s before trying again (${res.status}${res.status === 429 ? ', rate limited' : ''}); Weft waits at most ${Math.round(maxRetryAfterMs / 1000)} s. Try again later.`, res.text());
          }
          if (n < attempts) {
            await sleep(asked ?? backoff(n), req.signal);
            continue;
          }
          if (req.anyStatus) return res;
          throw new HttpStatusError(
            res.status,
            res.status === 429
              ? `${where(start)} kept answering 429 Too Many Requests (rate limited) after ${attempts} tries. Try again later, or lower the connection's concurrency.`
              : `${where(start)} answered ${res.status} after ${attempts} tries: ${bodySnippet(res.body)}`,
            res.text(),
          );
        }
        if ((res.status === 401 || res.status === 403) && !req.anyStatus) {
          throw new HttpStatusError(
            res.status,
            `${where(start)} refused the credentials (${res.status} ${res.status === 401 ? 'Unauthorized' : 'Forbidden'}): ${bodySnippet(res.body) || 'no details'}. Check the connection's authentication settings${res.status === 403 ? ' and the permissions of the account' : ''}.`,
            res.text(),
          );
        }
        return res;
      }
    },
    close: async () => {
      if (agent) await (await agent).close();
    },
  };
}

const lower = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

/** Throws an HttpStatusError for a status outside 2xx, with the body's first words; answers the response otherwise. */
export function expectOk(res: HttpResponse, what: string): HttpResponse {
  if (res.status >= 200 && res.status < 300) return res;
  throw new HttpStatusError(res.status, `${what}: the server answered ${res.status}${res.body.length > 0 ? `: ${bodySnippet(res.body)}` : ''}`, res.text());
}
