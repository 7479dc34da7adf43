// Who is signed in, for every page: the session from the server, what the role may do, and signing out.
import { createContext, useContext } from 'react';
import type { User } from '../../shared/api/auth';
import { may, type Access } from '../../shared/api/roles';

export interface SessionValue {
  user: User;
  /** Whether the signed-in role may use routes of this access level (the server checks again). */
  can: (access: Access) => boolean;
  signOut: () => Promise<void>;
  signOutEverywhere: () => Promise<void>;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside the signed-in app');
  return value;
}

/** For components that may also render outside a session (tests, previews): true when nobody is known. */
export function useCan(access: Access): boolean {
  const value = useContext(SessionContext);
  return value ? value.can(access) : true;
}

export const canOf = (user: User) => (access: Access) => may(user.role, access);
