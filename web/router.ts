// Hash routes written by hand: a pure parser, href builders and a hook that follows location.hash.
import { useSyncExternalStore } from 'react';

export type Route =
  | { name: 'integrations' }
  | { name: 'designer'; id: string }
  | { name: 'history'; id: string }
  | { name: 'run'; id: string }
  | { name: 'connections' }
  | { name: 'sets'; id: string | null }
  | { name: 'workspace'; object: string | null }
  | { name: 'users' }
  | { name: 'members' }
  | { name: 'tokens' }
  | { name: 'audit' }
  | { name: 'inbox' }
  | { name: 'invite'; token: string }
  | { name: 'not-found'; path: string };

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').split('?')[0] ?? '';
  const parts = path.split('/').filter(Boolean).map(decode);
  const [a, b, c, ...rest] = parts;
  if (parts.length === 0) return { name: 'integrations' };
  if (a === 'integrations' && b === undefined) return { name: 'integrations' };
  if (a === 'integrations' && b && c === undefined) return { name: 'designer', id: b };
  if (a === 'integrations' && b && c === 'runs' && rest.length === 0) return { name: 'history', id: b };
  if (a === 'runs' && b && c === undefined) return { name: 'run', id: b };
  if (a === 'connections' && b === undefined) return { name: 'connections' };
  if (a === 'sets' && c === undefined) return { name: 'sets', id: b ?? null };
  if (a === 'workspace' && c === undefined) return { name: 'workspace', object: b ?? null };
  if (a === 'users' && b === undefined) return { name: 'users' };
  if (a === 'members' && b === undefined) return { name: 'members' };
  if (a === 'tokens' && b === undefined) return { name: 'tokens' };
  if (a === 'audit' && b === undefined) return { name: 'audit' };
  if (a === 'inbox' && b === undefined) return { name: 'inbox' };
  if (a === 'invite' && b && c === undefined) return { name: 'invite', token: b };
  return { name: 'not-found', path: `/${parts.join('/')}` };
}

const enc = encodeURIComponent;
export const href = {
  integrations: () => '#/',
  designer: (id: string) => `#/integrations/${enc(id)}`,
  history: (id: string) => `#/integrations/${enc(id)}/runs`,
  run: (id: string) => `#/runs/${enc(id)}`,
  connections: () => '#/connections',
  sets: (id?: string | null) => (id ? `#/sets/${enc(id)}` : '#/sets'),
  workspace: (object?: string | null) => (object ? `#/workspace/${enc(object)}` : '#/workspace'),
  users: () => '#/users',
  members: () => '#/members',
  tokens: () => '#/tokens',
  audit: () => '#/audit',
  inbox: () => '#/inbox',
};

export function navigate(to: string): void {
  if (window.location.hash === to) return;
  window.location.hash = to;
}

function subscribe(onChange: () => void) {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}
