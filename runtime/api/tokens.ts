// API tokens for automation (owner and admins): named, with a role, shown once, stored hashed, revocable.
import { OpenAPIHono } from '@hono/zod-openapi';
import { type Role } from '../../shared';
import { mintToken, TOKEN_PREFIX } from '../auth/secrets';
import type { Store } from '../store/types';
import { audit } from './audit-log';
import type { ApiDeps } from './deps';
import { notFound, validationHook, usual } from './errors';
import { access, serve, principalOf, TRIGGER_TOKEN_PREFIX, type AuthEnv } from './guard';
import * as routes from '../../shared/api/routes';

/** Makes a token and stores its hash; the one place the token itself exists is the answer. Used by the API and the CLI. */
export async function issueToken(store: Store, input: { name: string; role: Role; createdBy: string | null }) {
  // `weft_` and 43 random characters may spell `weft_trg_…`, which reads as a trigger token: drawn again (probe19).
  let minted = mintToken(TOKEN_PREFIX);
  while (minted.token.startsWith(TRIGGER_TOKEN_PREFIX)) minted = mintToken(TOKEN_PREFIX);
  const { token, tokenHash, prefix } = minted;
  const info = await store.auth.createToken({ name: input.name, role: input.role, tokenHash, prefix, createdBy: input.createdBy });
  return { token, info };
}

const list = serve(routes.listTokens, {
  ...access('admin'),
  tags: ['API tokens'],
  summary: 'API tokens (never the tokens themselves)',
  responses: { 200: 'Tokens' },
});

const create = serve(routes.createToken, {
  ...access('admin'),
  tags: ['API tokens'],
  summary: 'Create a token with a role; the answer is the only time the token is shown',
  responses: { 201: 'Created', 400: usual[400] },
});

const revoke = serve(routes.revokeToken, {
  ...access('admin'),
  tags: ['API tokens'],
  summary: 'Revoke a token: the next request with it is refused',
  responses: { 204: 'Revoked', 404: usual[404] },
});

export function tokenRoutes({ store }: ApiDeps) {
  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook })
    .openapi(list, async (c) => c.json(await store.auth.listTokens(), 200))
    .openapi(create, async (c) => {
      const input = c.req.valid('json');
      const created = await issueToken(store, { ...input, createdBy: principalOf(c).actor });
      await audit(c, store, 'token.created', { type: 'token', id: created.info.id, name: created.info.name }, { role: created.info.role });
      return c.json(created, 201);
    })
    .openapi(revoke, async (c) => {
      const { id } = c.req.valid('param');
      const gone = await store.auth.deleteToken(id);
      if (!gone) throw notFound('Token', id);
      await audit(c, store, 'token.revoked', { type: 'token', id, name: gone.name }, { role: gone.role });
      return c.body(null, 204);
    });
}
