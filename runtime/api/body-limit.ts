// How many bytes a request body may hold before Weft reads it. Every JSON route read its whole body into memory
// (the validator's `c.req.json()`), with no bound: `POST /api/auth/sign-in`, which anyone who can open the port may
// call, took a 1 GB body, buffered it and answered 400 — a handful of such requests at once end the process. The
// bound depends on who is asking, known by then (identify runs first): a request without a principal reaches only the
// sign-in, setup and invitation routes (a few hundred bytes) and a trigger route (its parameters); a signed-in person
// or API token may send a large design. Uploads (`POST /api/files`) and inbound webhooks (`POST /api/hooks/…`) stream
// under their own limits and are not read here.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AuthEnv } from './guard';
import { errorBody } from './errors';

export const BODY_LIMITS = {
  /** No session, no API token, no trigger token: sign-in, first-owner setup, accepting an invitation. */
  anonymous: 64 * 1024,
  /** A trigger token: the trigger routes' optional `{ params }`. */
  trigger: 1024 * 1024,
  /** A signed-in person or an API token: designs (graphs with their settings), test records, sets. */
  signedIn: 16 * 1024 * 1024,
} as const;

const shown = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${bytes / 1024} KB`);

/**
 * Refuses a body over the caller's bound with 413 `too_large`: by its Content-Length before a byte is read, or, sent
 * chunked, as soon as the bytes read pass the bound (the rest is not buffered). `ownLimit` names the requests whose
 * route reads its body as a stream under a limit of its own.
 */
export function requestBodyLimit(ownLimit: (method: string, path: string) => boolean): MiddlewareHandler<AuthEnv> {
  const limiters = Object.fromEntries(
    Object.entries(BODY_LIMITS).map(([who, maxSize]) => [
      who,
      bodyLimit({
        maxSize,
        onError: (c) =>
          c.json(
            errorBody('too_large', `The request body is larger than ${shown(maxSize)}, the most Weft reads${who === 'signedIn' ? '' : ' from a request that is not signed in'}`),
            413,
          ),
      }),
    ]),
  ) as Record<keyof typeof BODY_LIMITS, MiddlewareHandler>;
  return async (c, next) => {
    if (ownLimit(c.req.method.toUpperCase(), c.req.path)) return next();
    const who = c.get('principal') ? 'signedIn' : c.get('triggerToken') ? 'trigger' : 'anonymous';
    return limiters[who](c, next);
  };
}
