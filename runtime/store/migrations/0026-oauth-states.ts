// Version 26: OAuth 2.0 authorization requests in flight. A "Connect" in the connection form sends the person to the
// provider with a random `state`; the row keeps only the state's SHA-256 (the state itself lives in the browser's
// round trip), the connection and the person it belongs to, the PKCE code verifier sealed with the secrets key, the
// redirect URI the code is bound to, and when it stops being accepted. The callback deletes the row as it reads it,
// so a state is taken once.
import type { Migration } from './types';

export const oauthStates: Migration = {
  version: 26,
  name: 'oauth-states',
  statements: [
    `CREATE TABLE oauth_states (
      state_hash text PRIMARY KEY,
      connection_id text NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
      user_id text NOT NULL,
      verifier text NOT NULL,
      redirect_uri text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`,
    `CREATE INDEX oauth_states_expires ON oauth_states (expires_at)`,
  ],
};
