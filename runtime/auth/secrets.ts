// The random secrets sign-in hands out (session ids, API tokens, invitations) and the hashes the store keeps of them.
import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, URL-safe; `prefix` names the kind (e.g. `weft_` for API tokens, so secret scanners can find them). */
export const newSecret = (prefix = '') => `${prefix}${randomBytes(32).toString('base64url')}`;

/** High-entropy secrets need no slow hash: sha256 is enough for a lookup that a database leak cannot reverse. */
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** The CSRF token of a session: derived from the session id, so nothing more is stored and it dies with the session. */
export const csrfTokenOf = (sessionId: string) => createHash('sha256').update(`weft-csrf:${sessionId}`).digest('base64url');

export const TOKEN_PREFIX = 'weft_';
