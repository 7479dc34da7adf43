// The small HTTP seam the HubSpot and Salesforce connectors speak through: one `send` that answers every final
// status. `guardedTransport` is the one the connectors use: Weft's shared HTTP client (runtime/net: the outbound-
// address guard on every hop, 429 Retry-After, 5xx/network backoff with jitter, a concurrency cap per connection).
// `fetchTransport` is the plain-fetch seam the connectors were first built on, kept for the benchmark's baseline.
import { addressGuardFromEnv, bodySnippet, createHttpClient } from '../../net';
import { jsonShapeProblem } from '../../net/json-shape';
import { parseJsonExact } from '../../../shared/util/json-exact';
import { ConnectorError } from '../types';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Safe to repeat after a 5xx or a lost connection (reads, searches, upserts by key); a plain create is not. */
  idempotent?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export interface HttpTransport {
  /** One request, retried on 429 and 5xx; the last answer is returned whatever its status. */
  send(request: HttpRequest): Promise<HttpResponse>;
  close?(): Promise<void>;
}

/**
 * Backoff of the connectors' transports (tests lower it so "nothing listens there" fails fast), and, for the
 * benchmark only, another transport to compare against (bench:rest --transport fetch).
 */
export const saasHttpDefaults: { backoffMs: number; attempts: number; transport?: (options: { concurrency: number }) => HttpTransport } = { backoffMs: 500, attempts: 5 };

/**
 * The connectors' transport: runtime/net's client with the address guard from WEFT_ALLOWED_HOSTS /
 * WEFT_ALLOW_PRIVATE_HOSTS (the local test servers on 127.0.0.1 need WEFT_ALLOW_PRIVATE_HOSTS=true).
 */
export function guardedTransport(options: { concurrency: number }): HttpTransport {
  if (saasHttpDefaults.transport) return saasHttpDefaults.transport(options);
  const client = createHttpClient({ guard: addressGuardFromEnv(), concurrency: options.concurrency, backoffMs: saasHttpDefaults.backoffMs, attempts: saasHttpDefaults.attempts, timeoutMs: 60_000 });
  return {
    async send(request) {
      const res = await client.request({
        method: request.method,
        url: request.url,
        ...(request.headers && { headers: request.headers }),
        ...(request.body !== undefined && { body: request.body }),
        ...(request.signal && { signal: request.signal }),
        idempotent: request.idempotent ?? request.method !== 'POST',
        anyStatus: true,
      });
      return { status: res.status, headers: res.headers, text: res.text() };
    },
    close: () => client.close(),
  };
}

export interface TransportOptions {
  /** Requests in flight at once through this transport (one connection's session). */
  concurrency?: number;
  /** Attempts in all for one request that keeps answering 429 or 5xx. */
  attempts?: number;
  /** Base of the exponential backoff on 5xx and network errors. */
  backoffMs?: number;
  /** The longest a Retry-After is waited; a longer one fails the request (the step's retry policy takes over). */
  maxRetryAfterMs?: number;
  timeoutMs?: number;
  /** What `fetch` to use (tests count calls through it). */
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });

/** Seconds or an HTTP date, as RFC 9110 allows; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** A counting semaphore: at most `limit` holders at once, the rest wait in order. */
class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export function fetchTransport(options: TransportOptions = {}): HttpTransport {
  const gate = new Gate(options.concurrency ?? 4);
  const attempts = options.attempts ?? 6;
  const backoff = options.backoffMs ?? 250;
  const maxRetryAfter = options.maxRetryAfterMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? defaultSleep;
  const host = (url: string) => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  };

  return {
    send: (request) =>
      gate.run(async () => {
        for (let attempt = 1; ; attempt++) {
          let response: Response;
          const timeout = AbortSignal.timeout(timeoutMs);
          try {
            response = await doFetch(request.url, {
              method: request.method,
              headers: request.headers,
              body: request.body,
              redirect: 'manual',
              signal: request.signal ? AbortSignal.any([request.signal, timeout]) : timeout,
            });
          } catch (error) {
            if (request.signal?.aborted) throw request.signal.reason;
            const cause = (error as { cause?: { code?: string; message?: string } }).cause;
            // Nothing listens there (or fetch refuses the port outright): retrying will not change that.
            const refused = cause?.code === 'ECONNREFUSED' || cause?.message === 'bad port';
            if (attempt < attempts && !refused) {
              await sleep(backoff * 2 ** (attempt - 1) * (0.5 + Math.random()), request.signal);
              continue;
            }
            if (timeout.aborted) throw new ConnectorError('timeout', `No answer from ${host(request.url)} within ${Math.round(timeoutMs / 1000)} s`, { cause: error });
            throw new ConnectorError('unreachable', `Could not reach ${host(request.url)}: ${refused ? 'the connection was refused (nothing listens there)' : (cause?.code ?? (error as Error).message)}`, { cause: error });
          }
          const text = await response.text();
          const headers = Object.fromEntries(response.headers);
          const retriable = response.status === 429 || response.status >= 500;
          if (!retriable || attempt >= attempts) return { status: response.status, headers, text };
          const asked = retryAfterMs(response.headers.get('retry-after'));
          const wait = asked ?? (response.status === 429 ? 1000 : backoff * 2 ** (attempt - 1)) * (0.5 + Math.random());
          if (wait > maxRetryAfter) return { status: response.status, headers, text };
          await sleep(wait, request.signal);
        }
      }),
  };
}

/**
 * A CRM's answer as JSON (exact numbers with `exact`), or a ConnectorError in words: an HTML maintenance page or an
 * empty or cut-off body with a 200, or an answer nested or sized past what a parser should build (net/json-shape.ts),
 * never a SyntaxError, a stack overflow or a heap the size of the page.
 */
export function parseApiJson(text: string, system: string, what: string, exact = false): unknown {
  const problem = jsonShapeProblem(text);
  if (problem) throw new ConnectorError('unknown', `${system} answered while ${what} with JSON that ${problem}; Weft does not read it.`);
  try {
    return exact ? parseJsonExact(text) : (JSON.parse(text) as unknown);
  } catch (e) {
    throw new ConnectorError('unknown', `${system} answered while ${what} with something that is not JSON (${(e as Error).message}): ${bodySnippet(text, 200) || 'an empty body'}`);
  }
}

/**
 * An error answer's body as JSON, to find its message, or undefined when it is not JSON or is past what a parser should
 * build (net/json-shape.ts): a 400 of 3 million `{}` ran a worker out of memory when parsed whole (review14a).
 */
export function errorJson(text: string): unknown {
  if (jsonShapeProblem(text) !== null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The list at `key` of an answer (a describe's fields, a schema list), keeping only the entries that are objects whose
 * `named` properties are text; a missing list is a ConnectorError saying what came instead.
 */
export function listAt<T>(value: unknown, key: string, named: string[], system: string, what: string): T[] {
  const list = expectObject(value, system, what)[key];
  if (!Array.isArray(list)) throw new ConnectorError('unknown', `${system} answered without its ${key} while ${what}: ${bodySnippet(JSON.stringify(value) ?? '', 200)}`);
  return list.filter((e: unknown) => e !== null && typeof e === 'object' && named.every((n) => typeof (e as Record<string, unknown>)[n] === 'string')) as T[];
}

/** The object an answer must be (a page, a token), or a ConnectorError saying what came instead. */
export function expectObject(value: unknown, system: string, what: string): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new ConnectorError('unknown', `${system} answered while ${what} with ${Array.isArray(value) ? 'a list' : JSON.stringify(value)} where an object was expected.`);
}
