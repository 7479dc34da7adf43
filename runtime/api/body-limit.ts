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
import { jsonShapeProblem } from '../net/json-shape';

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

/**
 * How deep a JSON request body may nest (objects and arrays). A design's node config, a connection's config and a
 * run's parameters are open records: a signed-in caller's 16 MB body held a config 5,000 levels deep, which saved
 * nowhere — hashing the graph (canonicalJson) and answering it (JSON.stringify) recurse once a level and overflowed
 * the stack: 500 on save, a draft that could never be answered had it been stored. Real bodies nest a dozen levels.
 */
export const MAX_JSON_BODY_DEPTH = 128;

/**
 * Whether a JSON text's strings hold half of a character: a `\uD800`–`\uDFFF` escape without its other half right
 * beside it. UTF-8 bytes cannot carry one (the decoder makes U+FFFD of them), so only an escape can. No id, name or
 * value Weft stores can hold one: a jsonb column refuses it (22P02) and a text column got U+FFFD in its place without a
 * word (an integration or connection named "x\ud800y" was saved as "x\ufffdy") (review15b). Linear, no parse; an
 * escaped backslash (`\\ud800`) is text, not an escape. Depth is judged by jsonShapeProblem (runtime/net/json-shape.ts).
 */
export function hasLoneSurrogateEscape(text: string): boolean {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (!inString) inString = ch === 0x22;
    else if (ch === 0x22) inString = false;
    else if (ch === 0x5c) {
      // backslash: the next character is escaped; \uXXXX may be half of a character
      if (text.charCodeAt(i + 1) !== 0x75) {
        i++;
        continue;
      }
      const unit = escapedUnit(text, i);
      if (unit >= 0xdc00 && unit <= 0xdfff) return true;
      if (unit >= 0xd800 && unit <= 0xdbff) {
        // a high half: its low half must be the very next escape
        const low = text.charCodeAt(i + 7) === 0x75 && text.charCodeAt(i + 6) === 0x5c ? escapedUnit(text, i + 6) : -1;
        if (!(low >= 0xdc00 && low <= 0xdfff)) return true;
        i += 6;
      }
      i += 5;
    }
  }
  return false;
}

/** The UTF-16 unit of the `\uXXXX` escape starting at `at` (NaN when its four characters are not hex). */
const escapedUnit = (text: string, at: number) => parseInt(text.slice(at + 2, at + 6), 16);

/**
 * Refuses a JSON body nested deeper than MAX_JSON_BODY_DEPTH, or holding half of a character, with 400, before any
 * route parses it. Runs after the size bound. The value count is not bounded here (the size bound is).
 */
export function jsonBodyDepthLimit(ownLimit: (method: string, path: string) => boolean): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const type = c.req.header('content-type') ?? '';
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || !/^application\/(.+\+)?json\b/i.test(type) || ownLimit(c.req.method.toUpperCase(), c.req.path)) return next();
    // Read once here; Hono keeps the text, so the route's validator parses the same bytes.
    const text = await c.req.text();
    const shape = jsonShapeProblem(text, { maxDepth: MAX_JSON_BODY_DEPTH, maxValues: Infinity });
    if (shape !== null) return c.json(errorBody('invalid_request', `The request body ${shape}, more than Weft reads`), 400);
    if (hasLoneSurrogateEscape(text)) return c.json(errorBody('invalid_request', LONE_SURROGATE_MESSAGE), 400);
    return next();
  };
}

export const LONE_SURROGATE_MESSAGE = 'The request holds half of a character (a lone UTF-16 surrogate, such as "\\ud800" in JSON), which no id, name or value Weft stores can contain';
