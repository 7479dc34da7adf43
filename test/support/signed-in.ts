// Tests drive the API through app.request(); this signs every request in with an owner's API token, so the
// tests written before sign-in existed keep every assertion and a role test can use any other role.
import type { Role } from '../../shared';
import type { createApi } from '../../runtime/api/app';
import { issueToken } from '../../runtime/api/tokens';
import type { Store } from '../../runtime/store/types';

type App = ReturnType<typeof createApi>;

/** The same app, its request() sending `Authorization: Bearer <token>` unless the request sets its own. */
export function withHeaders(app: App, headers: Record<string, string>): App {
  return new Proxy(app, {
    get(target, prop, receiver) {
      if (prop !== 'request') return Reflect.get(target, prop, receiver) as unknown;
      return (input: string | URL | Request, init?: RequestInit, ...rest: unknown[]) => {
        const merged = new Headers(init?.headers);
        for (const [k, v] of Object.entries(headers)) if (!merged.has(k)) merged.set(k, v);
        return (target.request as (...a: unknown[]) => Response | Promise<Response>)(input, { ...init, headers: merged }, ...rest);
      };
    },
  });
}

/** A bearer token of the role (stored hashed, like any token) for the app's store. */
export async function tokenFor(store: Store, role: Role = 'owner', name = `tests-${role}`): Promise<string> {
  return (await issueToken(store, { name, role, createdBy: null })).token;
}

/** The app signed in as the owner (with an API token). */
export async function asOwner(app: App, store: Store): Promise<App> {
  return withHeaders(app, { authorization: `Bearer ${await tokenFor(store)}` });
}
