// Every route of the OpenAPI document, asked by nobody and by each role: a route that declares no access level,
// lets in a role it should not, or refuses one it should admit fails here. Unknown ids keep the walk harmless.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_ROLES, ROLES, type Access, type Role } from '../../shared';
import { tokenFor } from '../../test/support/signed-in';
import type { Store } from '../store/types';
import type { createApi } from './app';
import { openApiApp, type ApiApp } from '../../test/support/api-app';

interface Operation {
  method: string;
  path: string;
  access: Access | undefined;
  roles: Role[] | undefined;
  body: 'json' | 'raw' | 'none';
}

let store: Store;
let rig: ApiApp;
let app: ReturnType<typeof createApi>;
let operations: Operation[] = [];
const tokens = new Map<Role, string>();

beforeAll(async () => {
  rig = await openApiApp({ name: 'roles', maxUploadBytes: 4096, deps: { passwordCost: 10 } });
  ({ anonymous: app, store } = rig);
  // An owner exists, so the first-owner setup answers 409 (not 401/403) and sign-in is a real check.
  await store.auth.createOwner({ email: 'owner@example.com', name: 'Owner', passwordHash: 'scrypt$10$8$1$AAAA$AAAA' });
  for (const role of ROLES) tokens.set(role, await tokenFor(store, role));
  expect((await app.request('/api/openapi.json')).status).toBe(401);
  const doc = (await (await app.request('/api/openapi.json', { headers: { authorization: `Bearer ${tokens.get('viewer')}` } })).json()) as { paths: Record<string, Record<string, Record<string, unknown>>> };
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const content = Object.keys(((op.requestBody as { content?: object } | undefined)?.content ?? {}) as object);
      return {
        method: method.toUpperCase(),
        path,
        access: op['x-weft-access'] as Access | undefined,
        roles: op['x-weft-roles'] as Role[] | undefined,
        body: content.includes('application/json') ? 'json' : content.length > 0 ? 'raw' : 'none',
      } satisfies Operation;
    }),
  );
});
afterAll(async () => {
  await rig?.close();
});

/** Path parameters become ids nothing has (`{token}` a plausible-looking one), so no request finds anything to change. */
const concrete = (path: string) => `${path.replace(/\{token\}/g, 'x'.repeat(43)).replace(/\{[^}]+\}/g, 'unknown-id')}`;

function ask(op: Operation, authorization?: string) {
  const headers: Record<string, string> = {};
  if (authorization) headers.authorization = `Bearer ${authorization}`;
  let body: string | undefined;
  let url = concrete(op.path);
  if (op.body === 'json') {
    headers['content-type'] = 'application/json';
    body = '{}';
  } else if (op.body === 'raw') {
    headers['content-type'] = 'text/csv';
    body = 'a,b\n1,2\n';
    url += '?name=roles.csv';
  } else if (op.method !== 'GET' && op.method !== 'DELETE') {
    headers['content-type'] = 'application/json';
  }
  return app.request(url, { method: op.method, headers, body });
}

describe('every route declares who may use it', () => {
  it('finds the whole API in the document, each operation with an access level and its roles', () => {
    expect(operations.length).toBeGreaterThan(45);
    const undeclared = operations.filter((op) => !op.access || !op.roles).map((op) => `${op.method} ${op.path}`);
    expect(undeclared).toEqual([]);
    for (const op of operations) expect(op.roles, `${op.method} ${op.path}`).toEqual([...ACCESS_ROLES[op.access!]]);
    const publicOnes = operations.filter((op) => op.access === 'public').map((op) => `${op.method} ${op.path}`).sort();
    expect(publicOnes).toEqual([
      'GET /api/auth/invite/{token}',
      'GET /api/auth/session',
      'GET /api/health',
      'POST /api/auth/invite/{token}',
      'POST /api/auth/setup',
      'POST /api/auth/sign-in',
      // The inbound webhook URL: no session or role, its own signature or token (runtime/api/webhooks.ts).
      'POST /api/hooks/{hookId}',
    ]);
  });

  it('answers 401 to a request without credentials on every non-public route', async () => {
    const wrong: string[] = [];
    for (const op of operations) {
      const res = await ask(op);
      const ok = op.access === 'public' ? res.status !== 401 && res.status !== 403 : res.status === 401;
      if (!ok) wrong.push(`${op.method} ${op.path} (${op.access}) -> ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it.each(ROLES.map((r) => [r]))('answers %s with 403 exactly where its role is not admitted', async (role) => {
    const wrong: string[] = [];
    for (const op of operations) {
      const res = await ask(op, tokens.get(role));
      const admitted = op.access === 'public' || op.roles!.includes(role);
      const ok = admitted ? res.status !== 401 && res.status !== 403 : res.status === 403;
      if (!ok) wrong.push(`${op.method} ${op.path} (${op.access}) -> ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });
});
