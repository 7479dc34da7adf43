// OAuth 2.0 authorization requests in flight (migration 26): saved when "Connect" sends the person to the provider,
// taken once when the provider sends them back. Keyed by the SHA-256 of the state, so the store never holds a state
// that could be replayed; expired rows are dropped whenever a new one is saved.
import { eq, lt } from 'drizzle-orm';
import type { Db } from './db';
import { oauthStates } from './schema';

export interface StoredOAuthState {
  stateHash: string;
  connectionId: string;
  userId: string;
  /** Sealed; only the connection service opens it. */
  verifier: string;
  redirectUri: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface OAuthStateStore {
  save(input: Omit<StoredOAuthState, 'createdAt'>): Promise<void>;
  /** The state's row, deleted as it is read (null when unknown or already taken); the caller judges its expiry. */
  take(stateHash: string): Promise<StoredOAuthState | null>;
  /** Drops rows that expired before `before`; answers how many. */
  sweep(before: Date): Promise<number>;
}

export function createOAuthStateStore(db: Db): OAuthStateStore {
  return {
    async save(input) {
      await db.delete(oauthStates).where(lt(oauthStates.expiresAt, new Date()));
      await db.insert(oauthStates).values(input);
    },
    async take(stateHash) {
      const [row] = await db.delete(oauthStates).where(eq(oauthStates.stateHash, stateHash)).returning();
      return row ?? null;
    },
    async sweep(before) {
      const gone = await db.delete(oauthStates).where(lt(oauthStates.expiresAt, before)).returning({ h: oauthStates.stateHash });
      return gone.length;
    },
  };
}
