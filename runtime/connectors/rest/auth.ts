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
}

function oauth({ config, secrets, client, saveSecrets, now = Date.now }: AuthDeps): HttpAuth {
  const tokenUrl = need(config.tokenUrl, 'The token URL');
  const clientId = need(config.clientId, 'The client ID');
  const codeFlow = config.authType === 'oauth2-authorization-code';
  let refreshToken = codeFlow ? need(secrets.refreshToken, 'The refresh token') : undefined;
  const kept = secrets.accessToken && secrets.accessTokenExpiresAt ? Date.parse(secrets.accessTokenExpiresAt) : NaN;
  let token: Token | null = secrets.accessToken && Number.isFinite(kept) ? { value: secrets.accessToken, expiresAt: kept } : null;
  let inFlight: Promise<Token> | null = null;

  async function fetchToken(): Promise<Token> {
    const form = new URLSearchParams();
    if (codeFlow) {
      form.set('grant_type', 'refresh_token');
      form.set('refresh_token', refreshToken!);
    } else form.set('grant_type', 'client_credentials');
    if (config.scope.trim()) form.set('scope', config.scope.trim());
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (config.clientAuth === 'basic') {
      // RFC 6749 2.3.1: id and secret form-encoded, then joined and base64-encoded.
      const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
      headers.authorization = `Basic ${Buffer.from(`${enc(clientId)}:${enc(secrets.clientSecret ?? '')}`).toString('base64')}`;
    } else {
      form.set('client_id', clientId);
      if (secrets.clientSecret) form.set('client_secret', secrets.clientSecret);
    }
    const res = await client().request({ method: 'POST', url: tokenUrl, headers, body: form.toString(), noAuth: true, anyStatus: true, idempotent: true });
    let body: Record<string, unknown> = {};
    try {
      const parsed = res.json();
      if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      /* described below */
    }
    if (res.status < 200 || res.status >= 300 || typeof body.access_token !== 'string') {
      const error = typeof body.error === 'string' ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}` : bodySnippet(res.body) || `status ${res.status}`;
      const hint = body.error === 'invalid_grant' && codeFlow ? ' The refresh token was revoked or has expired: authorize the connection again and paste the new refresh token.' : ' Check the client ID, the client secret and the scopes.';
      throw new ConnectorError('auth', `The token URL refused to issue an access token (${res.status}, ${error}).${hint}`);
    }
    const expiresIn = Number(body.expires_in);
    const next: Token = { value: body.access_token, expiresAt: now() + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : 3600_000) };
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
      if (!token || token.expiresAt - now() <= EXPIRY_MARGIN_MS) token = await renew();
      headers.authorization = `Bearer ${token.value}`;
    },
    async refresh() {
      token = await renew();
      return true;
    },
  };
}
