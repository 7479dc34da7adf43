// The server's half of "Connect" (OAuth 2.0 authorization code with PKCE, RFC 6749 section 4.1 and RFC 7636): a
// random state and code verifier per attempt, the state stored only as its SHA-256 and taken once, the verifier
// sealed. The connection service runs the flow (it alone opens secrets); this module holds the pieces and the
// refusals, each in words the person reads on the connection form.
import { createHash, randomBytes } from 'node:crypto';

/** How long an authorization request waits for the provider to send the person back. */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;

/** The longest state or code the callback reads (providers send a few hundred characters at most). */
export const MAX_CALLBACK_PARAM = 4096;

export type OAuthFlowErrorCode = 'unknown_state' | 'expired_state' | 'other_user' | 'denied' | 'bad_request' | 'not_ready' | 'exchange_failed';

/** A refused or failed authorization: the code says which, the message what to do; connectionId when it is known. */
export class OAuthFlowError extends Error {
  override readonly name = 'OAuthFlowError';
  constructor(
    readonly code: OAuthFlowErrorCode,
    message: string,
    readonly connectionId: string | null = null,
  ) {
    super(message);
  }
}

/** A fresh state and PKCE pair: 256 random bits each, base64url (RFC 7636 4.1: a 43-character verifier). */
export function newAuthorizationRequest(): { state: string; verifier: string; challenge: string } {
  const state = randomBytes(32).toString('base64url');
  const verifier = randomBytes(32).toString('base64url');
  return { state, verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const hashState = (state: string): string => createHash('sha256').update(state, 'utf8').digest('hex');

/** The provider's word for a refusal (RFC 6749 4.1.2.1), as the person reads it. */
export function describeProviderError(error: string, description: string | undefined): string {
  const said = description ? `: ${description}` : '';
  if (error === 'access_denied') return `Access was not approved at the provider${said}. Press Connect again to retry.`;
  return `The provider refused the authorization (${error}${said}). Check the client ID, the scopes and the redirect URI registered with the provider.`;
}

/** Callback parameters as plain text: a value with control characters (NUL) or past the limit is not one a provider sends. */
export function callbackParam(value: string | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.length > MAX_CALLBACK_PARAM) throw new OAuthFlowError('bad_request', `The ${what} in the address is too long (${value.length} characters): this is not an answer from the provider. Press Connect again.`);
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new OAuthFlowError('bad_request', `The ${what} in the address holds control characters: this is not an answer from the provider. Press Connect again.`);
  return value;
}
