// The one check every trigger route makes (an integration's or a set's): the request carries a trigger token, the
// token is known and not revoked, and it was made for this very integration or set. Wrong tokens are counted per
// address across both kinds of route (one limiter: 20 wrong tokens in 15 minutes, then 429), refused with 401 or 403,
// audited by their prefix only — a token is never logged in full.
import type { Context } from 'hono';
import { createRateLimiter } from '../auth/rate-limit';
import { hashSecret, tokenPrefix } from '../auth/secrets';
import type { Store } from '../store/types';
import { audit } from './audit-log';
import { HttpError } from './errors';
import { clientIp, TRIGGER_TOKEN_PREFIX, type AuthEnv } from './guard';

const shownPrefix = (token: string) => `${tokenPrefix(token, TRIGGER_TOKEN_PREFIX)}…`;

/** What a trigger route triggers, and how its tokens are found. */
export interface TriggerTarget<T extends { id: string; name: string; prefix: string }> {
  type: 'integration' | 'set';
  /** The token by its hash (marking it used), or null when unknown or revoked. */
  lookup(tokenHash: string): Promise<T | null>;
  /** The id of the integration or set the token was made for. */
  ownerOf(token: T): string;
}

export type TriggerGate = ReturnType<typeof createTriggerGate>;

export function createTriggerGate(store: Store) {
  const perAddress = createRateLimiter({ max: 20, windowMs: 15 * 60_000 });

  /** The trigger token of `id`, or the 401/403/429 the request earns. */
  return async function triggerTokenFor<T extends { id: string; name: string; prefix: string }>(c: Context<AuthEnv>, id: string, target: TriggerTarget<T>): Promise<T> {
    const noun = target.type;
    const address = [clientIp(c) ?? 'unknown'];
    const wait = perAddress.retryAfter(address);
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      throw new HttpError(429, 'too_many_attempts', `Too many wrong trigger tokens from this address; try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? 's' : ''}`);
    }
    const raw = c.get('triggerToken');
    if (!raw) {
      if (c.get('principal')) throw new HttpError(403, 'forbidden', `This route takes the ${noun}'s trigger token (weft_trg_…), not a session or an API token`);
      throw new HttpError(401, 'unauthenticated', `Send the ${noun}'s trigger token as "Authorization: Bearer weft_trg_…"`);
    }
    const token = await target.lookup(hashSecret(raw));
    if (!token) {
      perAddress.fail(address);
      await audit(c, store, 'trigger_token.refused', { type: noun, id }, { prefix: shownPrefix(raw), why: `unknown or revoked, or not a${noun === 'integration' ? 'n' : ''} ${noun} token` }, { actor: 'anonymous', actorId: null });
      throw new HttpError(
        401,
        'unauthenticated',
        noun === 'set'
          ? 'This trigger token is not valid for a set (it may have been revoked, or it belongs to an integration)'
          : 'This trigger token is not valid (it may have been revoked)',
      );
    }
    if (target.ownerOf(token) !== id) {
      await audit(c, store, 'trigger_token.refused', { type: noun, id }, { prefix: token.prefix, why: `token of another ${noun}` }, { actor: `trigger:${token.name}`, actorId: token.id });
      throw new HttpError(403, `wrong_${noun}`, `This trigger token belongs to another ${noun}; each token triggers only the ${noun} it was made for`);
    }
    return token;
  };
}
