// A small JSON REST API for the REST connector's tests and the browser test: collections of records behind bearer
// auth (or OAuth 2.0 tokens it issues itself), paged every way the connector reads (page/per_page, offset/limit, an
// opaque cursor in the body, a Link header, a next URL in the body), PUT/POST writes with per-record 400s, and hooks
// that inject faults (429 with Retry-After, 5xx) and slow answers. It logs every request it was sent.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Json = unknown;
/** A value written to the response as-is (an id past 2^53 as a JSON number). */
export class RawNumber {
  constructor(readonly text: string) {}
}

export interface Collection {
  columns: { name: string; notNull?: boolean; maxLength?: number }[];
  key: string | null;
  rows: Record<string, Json>[];
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface RestApiServer {
  url: string;
  port: number;
  collections: Map<string, Collection>;
  log: LoggedRequest[];
  /** Bearer tokens accepted (static ones; OAuth ones are added as issued). */
  tokens: Set<string>;
  /** OAuth: client credentials, the current refresh token, token lifetime in seconds; issued tokens. */
  oauth: { clientId: string; clientSecret: string; refreshToken: string; ttlSeconds: number; issued: number; rotate: boolean };
  /**
   * The authorization endpoint's side (RFC 6749 4.1, RFC 7636): the account shown as signed in on the consent page,
   * codes issued (by code: the client, redirect URI and PKCE challenge they are bound to, used or not), and the
   * authorization requests refused before the consent page with why.
   */
  authorization: { account: string; codes: Map<string, { clientId: string; redirectUri: string; challenge: string; expiresAt: number; used: boolean }>; refusals: string[] };
  /** Answers before the normal handling when it returns true (fault injection). */
  fault: ((req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>) | null;
  /** Milliseconds every records page waits before answering. */
  delayMs: number;
  close(): Promise<void>;
}

function serialize(v: Json): string {
  if (v instanceof RawNumber) return v.text;
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(serialize).join(',')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, c]) => `${JSON.stringify(k)}:${serialize(c)}`).join(',')}}`;
  return JSON.stringify(v);
}

const sortKey = (v: Json) => (typeof v === 'number' ? v : Number(v instanceof RawNumber ? v.text : v));

export async function startRestApiServer(options: { host?: string } = {}): Promise<RestApiServer> {
  const state: Omit<RestApiServer, 'url' | 'port' | 'close'> = {
    collections: new Map(),
    log: [],
    tokens: new Set(['test-token-0123456789']),
    oauth: { clientId: 'weft-client', clientSecret: 'client-secret-0123456789', refreshToken: 'refresh-0001', ttlSeconds: 3600, issued: 0, rotate: true },
    authorization: { account: 'ada@example.com', codes: new Map(), refusals: [] },
    fault: null,
    delayMs: 0,
  };
  let base = '';

  const send = (res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(status === 204 ? undefined : serialize(body));
  };

  function ordered(c: Collection) {
    return c.key ? [...c.rows].sort((a, b) => sortKey(a[c.key!]) - sortKey(b[c.key!])) : c.rows;
  }

  function validate(c: Collection, row: Record<string, Json>): string | null {
    for (const col of c.columns) {
      const v = row[col.name];
      if (col.notNull && (v === null || v === undefined)) return `Validation failed: ${col.name} must not be null`;
      if (col.maxLength !== undefined && typeof v === 'string' && v.length > col.maxLength) return `Validation failed: ${col.name} is too long (at most ${col.maxLength} characters)`;
    }
    return null;
  }

  const inColumnOrder = (c: Collection, row: Record<string, Json>) => Object.fromEntries(c.columns.map((col) => [col.name, row[col.name] ?? null]));

  const html = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(text);
  };
  const escape = (v: string) => v.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

  /**
   * GET: the consent page for a well-formed request (response_type=code, the known client, a redirect URI, a S256
   * PKCE challenge); POST: the person's answer, sent back to the redirect URI with a code or error=access_denied.
   */
  function authorize(req: IncomingMessage, res: ServerResponse, url: URL, body: string) {
    const q = req.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
    const refuse = (why: string) => {
      state.authorization.refusals.push(why);
      return html(res, 400, `<!doctype html><title>Authorization refused</title><h1>Authorization refused</h1><p>${escape(why)}</p>`);
    };
    const redirectUri = q.get('redirect_uri') ?? '';
    if (q.get('client_id') !== state.oauth.clientId) return refuse('unknown client_id');
    if (!/^https?:\/\//.test(redirectUri)) return refuse('redirect_uri missing or not http(s)');
    if (q.get('response_type') !== 'code') return refuse('response_type must be code');
    if (!/^[A-Za-z0-9_-]{43}$/.test(q.get('code_challenge') ?? '') || q.get('code_challenge_method') !== 'S256') return refuse('a S256 code_challenge is required');
    const stateParam = q.get('state') ?? '';
    if (req.method === 'POST') {
      const back = new URL(redirectUri);
      if (q.get('decision') === 'approve') {
        const code = randomBytes(18).toString('base64url');
        state.authorization.codes.set(code, { clientId: state.oauth.clientId, redirectUri, challenge: q.get('code_challenge')!, expiresAt: Date.now() + 60_000, used: false });
        back.searchParams.set('code', code);
      } else {
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_description', 'The user denied access');
      }
      if (stateParam) back.searchParams.set('state', stateParam);
      res.writeHead(302, { location: back.href, 'cache-control': 'no-store' });
      return res.end();
    }
    const hidden = [...q].map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`).join('');
    return html(
      res,
      200,
      `<!doctype html><html><head><meta charset="utf-8"><title>Authorize Weft</title><style>body{font:15px system-ui,sans-serif;background:#f4f5f7;margin:0}main{max-width:420px;margin:80px auto;background:#fff;border-radius:10px;padding:28px 32px;box-shadow:0 2px 12px #0002}h1{font-size:20px;margin:0 0 12px}button{font:inherit;padding:8px 18px;border-radius:6px;border:1px solid #bbb;margin-right:8px;cursor:pointer}button[value=approve]{background:#2f6fed;color:#fff;border-color:#2f6fed}.muted{color:#666}</style></head><body><main><h1>Authorize Weft</h1><p>Signed in as <strong data-testid="consent-account">${escape(state.authorization.account)}</strong></p><p><strong>Weft</strong> (${escape(state.oauth.clientId)}) wants to read and write your records${q.get('scope') ? ` (scopes: ${escape(q.get('scope')!)})` : ''}.</p><p class="muted">You will be sent back to ${escape(new URL(redirectUri).origin)}.</p><form method="post" action="/oauth/authorize">${hidden}<button name="decision" value="approve">Approve</button><button name="decision" value="deny">Deny</button></form></main></body></html>`,
    );
  }

  /** grant_type=authorization_code: the code once, for its client and redirect URI, with the verifier of its challenge. */
  function exchangeCode(res: ServerResponse, form: URLSearchParams) {
    const code = state.authorization.codes.get(form.get('code') ?? '');
    const invalid = (why: string) => send(res, 400, { error: 'invalid_grant', error_description: why });
    if (!code) return invalid('Unknown authorization code');
    if (code.used) return invalid('The authorization code was already used');
    code.used = true;
    if (code.expiresAt < Date.now()) return invalid('The authorization code has expired');
    if (form.get('redirect_uri') !== code.redirectUri) return invalid('redirect_uri does not match the authorization request');
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) return invalid('PKCE verification failed');
    const token = `access-${++state.oauth.issued}-${Date.now()}`;
    state.tokens.add(token);
    setTimeout(() => state.tokens.delete(token), state.oauth.ttlSeconds * 1000).unref();
    state.oauth.refreshToken = `refresh-code-${String(state.oauth.issued).padStart(4, '0')}`;
    const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const idToken = `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'user-1', email: state.authorization.account })}.`;
    return send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: state.oauth.ttlSeconds, refresh_token: state.oauth.refreshToken, id_token: idToken }, { 'cache-control': 'no-store' });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url!, base);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    state.log.push({ method: req.method!, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body });
    if (state.fault && (await state.fault(req, res, url))) return;

    if (url.pathname === '/oauth/authorize') return authorize(req, res, url, body);

    if (url.pathname === '/oauth/token' && req.method === 'POST') {
      const form = new URLSearchParams(body);
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
      const [id, secret] = basic ? Buffer.from(basic[1]!, 'base64').toString().split(':').map((s) => decodeURIComponent(s.replace(/\+/g, ' '))) : [form.get('client_id'), form.get('client_secret')];
      if (id !== state.oauth.clientId || secret !== state.oauth.clientSecret) return send(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
      const grant = form.get('grant_type');
      if (grant === 'authorization_code') return exchangeCode(res, form);
      if (grant === 'refresh_token' && form.get('refresh_token') !== state.oauth.refreshToken) return send(res, 400, { error: 'invalid_grant', error_description: 'The refresh token is invalid or expired' });
      if (grant !== 'client_credentials' && grant !== 'refresh_token') return send(res, 400, { error: 'unsupported_grant_type' });
      const token = `access-${++state.oauth.issued}-${Date.now()}`;
      state.tokens.add(token);
      const expiresAt = Date.now() + state.oauth.ttlSeconds * 1000;
      setTimeout(() => state.tokens.delete(token), Math.max(0, expiresAt - Date.now())).unref();
      const out: Record<string, Json> = { access_token: token, token_type: 'Bearer', expires_in: state.oauth.ttlSeconds };
      if (grant === 'refresh_token' && state.oauth.rotate) out.refresh_token = state.oauth.refreshToken = `refresh-${String(state.oauth.issued + 1).padStart(4, '0')}`;
      return send(res, 200, out, { 'cache-control': 'no-store' });
    }

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !state.tokens.has(bearer)) return send(res, 401, { error: 'invalid credentials', message: 'The access token is missing, invalid or expired' }, { 'www-authenticate': 'Bearer' });

    const m = /^\/v1\/collections\/([^/]+)\/records(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m) return send(res, 404, { error: 'not_found', message: `No route ${url.pathname}` });
    const name = decodeURIComponent(m[1]!);
    const c = state.collections.get(name);
    if (!c) return send(res, 404, { error: 'not_found', message: `No collection ${name}` });
    const id = m[2] === undefined ? undefined : decodeURIComponent(m[2]);

    if (req.method === 'GET' && id === undefined) {
      if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
      const all = ordered(c);
      const q = url.searchParams;
      const size = Number(q.get('per_page') ?? q.get('limit') ?? 50);
      let from = 0;
      if (q.has('page')) from = (Number(q.get('page')) - 1) * size;
      else if (q.has('offset')) from = Number(q.get('offset'));
      else if (q.has('cursor')) from = Number(Buffer.from(q.get('cursor')!, 'base64url').toString().replace(/^o:/, ''));
      else if (q.has('after')) from = Number(q.get('after'));
      const page = all.slice(from, from + size).map((r) => inColumnOrder(c, r));
      const more = from + size < all.length;
      const nextCursor = more ? Buffer.from(`o:${from + size}`).toString('base64url') : null;
      const nextUrl = more ? `${base}/v1/collections/${encodeURIComponent(name)}/records?after=${from + size}&limit=${size}` : null;
      return send(res, 200, { data: { items: page }, meta: { total: all.length, next_cursor: nextCursor }, links: { next: nextUrl } }, nextUrl ? { link: `<${nextUrl}>; rel="next", <${base}/v1/collections/${encodeURIComponent(name)}/records?after=0&limit=${size}>; rel="first"` } : {});
    }

    if ((req.method === 'PUT' || req.method === 'POST') && c) {
      let row: Record<string, Json>;
      try {
        row = JSON.parse(body) as Record<string, Json>;
      } catch {
        return send(res, 400, { error: 'invalid_json' });
      }
      const problem = validate(c, row);
      if (problem) return send(res, 400, { error: 'validation', message: problem });
      const key = c.key;
      if (req.method === 'PUT' && key && id !== undefined) {
        const at = c.rows.findIndex((r) => String(r[key]) === id);
        const next = inColumnOrder(c, { ...row, [key]: row[key] ?? id });
        if (at < 0) {
          c.rows.push(next);
          return send(res, 201, next);
        }
        if (serialize(inColumnOrder(c, c.rows[at]!)) === serialize(next)) return send(res, 204, null);
        c.rows[at] = next;
        return send(res, 200, next);
      }
      c.rows.push(inColumnOrder(c, row));
      return send(res, 201, row);
    }
    return send(res, 405, { error: 'method_not_allowed' });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { error: String(e) });
    });
  });
  await new Promise<void>((r) => server.listen(0, options.host ?? '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  base = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return Object.assign(state, {
    url: base,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  });
}
