// How a REST connection proves who it is, applied to every request by the HTTP client: an API key (header or query
// parameter), a bearer token, basic auth, or OAuth 2.0 (client credentials, or an authorization code's refresh token).
// OAuth access tokens are fetched before they expire (a minute's margin) and again once on a 401; a refresh token the
// server rotates, and the access token with its expiry, are handed to `saveSecrets`, which the connection service
// seals into the stored connection (so the next session, and the next worker, starts from them).
import { ConnectorError } from '../types';
import { bodySnippet, type HttpAuth, type HttpClient } from '../../net';
import type { RestConfig, RestSecrets } from './manifest';

/** Fetch a new access token this long before the old one expires. */
export const EXPIRY_MARGIN_MS = 60_000;

export interface AuthDeps {
  config: RestConfig;
  secrets: RestSecrets;
  /** The connection's own client (guarded): token requests go through it without the auth. */
  client: () => HttpClient;
  saveSecrets?: (patch: Partial<RestSecrets>) => Promise<void>;
  now?: () => number;
}

const need = (value: string | undefined, what: string): string => {
  if (!value || value.trim() === '') throw new ConnectorError('invalid_config', `${what} is required for this authentication.`);
  return value;
};

export function createAuth({ config, secrets, client, saveSecrets, now = Date.now }: AuthDeps): HttpAuth {
  switch (config.authType) {
    case 'none':
      return { apply: async () => undefined };
    case 'api-key': {
      const key = need(secrets.apiKey, 'The API key');
      const name = need(config.apiKeyName, 'The API key name');
      return {
        apply: async ({ url, headers }) => {
          if (config.apiKeyIn === 'query') url.searchParams.set(name, key);
          else headers[name.toLowerCase()] = key;
        },
      };
    }
    case 'bearer': {
      const token = need(secrets.token, 'The bearer token');
      return { apply: async ({ headers }) => void (headers.authorization = `Bearer ${token}`) };
    }
    case 'basic': {
      const encoded = Buffer.from(`${config.username}:${secrets.password ?? ''}`, 'utf8').toString('base64');
      return { apply: async ({ headers }) => void (headers.authorization = `Basic ${encoded}`) };
    }
    case 'oauth2-client-credentials':
    case 'oauth2-authorization-code':
      return oauth({ config, secrets, client, saveSecrets, now });
  }
}

interface Token {
  value: string;
  expiresAt: number;
  /** Renewed this long before it expires: a minute, or half the token's life when it lives less than two minutes. */
  margin: number;
}

function oauth({ config, secrets, client, saveSecrets, now = Date.now }: AuthDeps): HttpAuth {
  need(config.tokenUrl, 'The token URL');
  need(config.clientId, 'The client ID');
  const codeFlow = config.authType === 'oauth2-authorization-code';
  if (codeFlow && !secrets.refreshToken?.trim()) throw new ConnectorError('invalid_config', 'This connection is not connected yet: press Connect in its settings to approve access at the provider (or paste a refresh token).');
  let refreshToken = codeFlow ? secrets.refreshToken : undefined;
  const kept = secrets.accessToken && secrets.accessTokenExpiresAt ? Date.parse(secrets.accessTokenExpiresAt) : NaN;
  let token: Token | null = secrets.accessToken && Number.isFinite(kept) ? { value: secrets.accessToken, expiresAt: kept, margin: EXPIRY_MARGIN_MS } : null;
  let inFlight: Promise<Token> | null = null;

  async function fetchToken(): Promise<Token> {
    const form = new URLSearchParams();
    if (codeFlow) {
      form.set('grant_type', 'refresh_token');
      form.set('refresh_token', refreshToken!);
    } else form.set('grant_type', 'client_credentials');
    if (config.scope.trim()) form.set('scope', config.scope.trim());
    const body = await tokenRequest({ config, secrets, client: client() }, form, codeFlow ? ' The refresh token was revoked or has expired: authorize the connection again (Connect in its settings).' : null);
    const expiresIn = Number(body.expires_in);
    const lifetime = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : 3600_000;
    // A token that lives less than the margin (expires_in: 30) would otherwise be renewed before every request.
    const next: Token = { value: body.access_token, expiresAt: now() + lifetime, margin: Math.min(EXPIRY_MARGIN_MS, lifetime / 2) };
    const patch: Partial<RestSecrets> = { accessToken: next.value, accessTokenExpiresAt: new Date(next.expiresAt).toISOString() };
    if (codeFlow && typeof body.refresh_token === 'string' && body.refresh_token !== refreshToken) {
      refreshToken = body.refresh_token;
      patch.refreshToken = refreshToken;
    }
    await saveSecrets?.(patch);
    return next;
  }

  /** One token request at a time, however many requests are waiting for it. */
  const renew = (): Promise<Token> => {
    inFlight ??= fetchToken().finally(() => (inFlight = null));
    return inFlight;
  };

  return {
    async apply({ headers }) {
      if (!token || token.expiresAt - now() <= token.margin) token = await renew();
      headers.authorization = `Bearer ${token.value}`;
    },
    async refresh() {
      token = await renew();
      return true;
    },
  };
}

type TokenBody = Record<string, unknown> & { access_token: string };

/**
 * One request to the token URL (RFC 6749 section 3.2) through the connection's guarded client, with the client
 * authenticated as the connection says (section 2.3.1: form-encoded id and secret in a Basic header, or form fields).
 * Answers the token response, or throws an auth error in plain words with the provider's `error` code.
 */
async function tokenRequest({ config, secrets, client }: { config: RestConfig; secrets: RestSecrets; client: HttpClient }, form: URLSearchParams, invalidGrantHint: string | null): Promise<TokenBody> {
  const tokenUrl = need(config.tokenUrl, 'The token URL');
  const clientId = need(config.clientId, 'The client ID');
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (config.clientAuth === 'basic') {
    const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
    headers.authorization = `Basic ${Buffer.from(`${enc(clientId)}:${enc(secrets.clientSecret ?? '')}`).toString('base64')}`;
  } else {
    form.set('client_id', clientId);
    if (secrets.clientSecret) form.set('client_secret', secrets.clientSecret);
  }
  const res = await client.request({ method: 'POST', url: tokenUrl, headers, body: form.toString(), noAuth: true, anyStatus: true, idempotent: form.get('grant_type') !== 'authorization_code' });
  let body: Record<string, unknown> = {};
  try {
    const parsed = res.json();
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    /* described below */
  }
  if (res.status < 200 || res.status >= 300 || typeof body.access_token !== 'string' || body.access_token === '') {
    // A 2xx answer is a token response: one Weft cannot use (the token under another name, or nested) still holds
    // tokens, so only its field names are told, never its text, which would land in a run's history (probe19).
    const shape = Object.keys(body).length > 0 ? `the answer has no access_token; its fields are ${Object.keys(body).slice(0, 10).join(', ')}` : 'the answer is not a JSON object with an access_token';
    const error = typeof body.error === 'string' ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}` : res.status >= 200 && res.status < 300 ? shape : bodySnippet(res.body) || `status ${res.status}`;
    const hint = body.error === 'invalid_grant' && invalidGrantHint ? invalidGrantHint : ' Check the client ID, the client secret and the scopes.';
    throw new ConnectorError('auth', `The token URL refused to issue an access token (${res.status}, ${bodySnippet(error, 300)}).${hint}`);
  }
  return body as TokenBody;
}

/** What an authorization code was exchanged for: the tokens to seal, and who approved (from an OpenID id_token, if any). */
export interface CodeExchange {
  secrets: Pick<RestSecrets, 'accessToken' | 'accessTokenExpiresAt' | 'refreshToken'>;
  account: string | null;
}

/**
 * The callback's half of the authorization-code grant (RFC 6749 4.1.3 with PKCE, RFC 7636 4.5): the code, the
 * redirect URI it was issued for and the code verifier go to the token URL; the answer must carry a refresh token,
 * since that is what later sessions renew with.
 */
export async function exchangeCode(deps: { config: RestConfig; secrets: RestSecrets; client: HttpClient; now?: () => number }, input: { code: string; redirectUri: string; verifier: string }): Promise<CodeExchange> {
  const form = new URLSearchParams({ grant_type: 'authorization_code', code: input.code, redirect_uri: input.redirectUri, code_verifier: input.verifier });
  const body = await tokenRequest(deps, form, ' The code was already used or has expired: press Connect again.');
  if (typeof body.refresh_token !== 'string' || body.refresh_token === '') {
    throw new ConnectorError('auth', 'The provider issued an access token without a refresh token, so Weft could not renew it later. Ask for offline access in the scopes (offline_access, or the provider\'s equivalent) and connect again.');
  }
  const expiresIn = Number(body.expires_in);
  const expiresAt = (deps.now ?? Date.now)() + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : 3600_000);
  return { secrets: { accessToken: body.access_token, accessTokenExpiresAt: new Date(expiresAt).toISOString(), refreshToken: body.refresh_token }, account: accountOf(body.id_token) };
}

/**
 * Who approved, from an OpenID Connect id_token's claims (email, preferred_username or sub). Shown as "Connected as",
 * never trusted for access: the token came straight from the token URL over the guarded client, and is not verified.
 */
export function accountOf(idToken: unknown): string | null {
  if (typeof idToken !== 'string' || idToken.length > 20_000) return null;
  const payload = idToken.split('.')[1];
  if (!payload) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!claims || typeof claims !== 'object') return null;
    for (const key of ['email', 'preferred_username', 'sub']) {
      const v = Object.hasOwn(claims, key) ? (claims as Record<string, unknown>)[key] : undefined;
      if (typeof v === 'string' && v.trim() !== '') return v.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 200);
    }
  } catch {
    /* not a JWT: no name to show */
  }
  return null;
}
