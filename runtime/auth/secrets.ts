// The random secrets sign-in hands out (session ids, API tokens, invitations) and the hashes the store keeps of them.
import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, URL-safe; `prefix` names the kind (e.g. `weft_` for API tokens, so secret scanners can find them). */
export const newSecret = (prefix = '') => `${prefix}${randomBytes(32).toString('base64url')}`;

/** High-entropy secrets need no slow hash: sha256 is enough for a lookup that a database leak cannot reverse. */
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** The CSRF token of a session: derived from the session id, so nothing more is stored and it dies with the session. */
export const csrfTokenOf = (sessionId: string) => createHash('sha256').update(`weft-csrf:${sessionId}`).digest('base64url');

export const TOKEN_PREFIX = 'weft_';

/** The first characters of a token kept (and shown) to tell tokens apart: its kind's prefix and 6 more. */
export const tokenPrefix = (token: string, kindPrefix: string) => token.slice(0, kindPrefix.length + 6);

/**
 * A new bearer token of a kind (`weft_` API token, `weft_trg_` trigger token): the token itself (shown once, never
 * stored), its hash and its prefix, which is all a store keeps.
 */
export function mintToken(kindPrefix: string): { token: string; tokenHash: string; prefix: string } {
  const token = newSecret(kindPrefix);
  return { token, tokenHash: hashSecret(token), prefix: tokenPrefix(token, kindPrefix) };
}
