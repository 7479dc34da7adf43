// Version 6: people, their sessions, API tokens and the audit log. Self-contained: no other table is altered,
// so later migrations (0007, 0008…) can be added beside it in any order of merging.
import type { Migration } from './types';

export const auth: Migration = {
  version: 6,
  name: 'auth',
  statements: [
    `CREATE TABLE users (
      id text PRIMARY KEY,
      email text NOT NULL,
      name text NOT NULL,
      role text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'operator', 'viewer')),
      password_hash text,
      invite_hash text,
      invite_expires_at timestamptz,
      last_sign_in_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX users_email_unique ON users (email)`,
    // At most one owner, whatever the timing of two first-visit sign-ups.
    `CREATE UNIQUE INDEX users_one_owner ON users ((true)) WHERE role = 'owner'`,
    `CREATE UNIQUE INDEX users_invite_hash ON users (invite_hash) WHERE invite_hash IS NOT NULL`,
    `CREATE TABLE sessions (
      id_hash text PRIMARY KEY,
      user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      user_agent text
    )`,
    `CREATE INDEX sessions_user ON sessions (user_id)`,
    `CREATE TABLE api_tokens (
      id text PRIMARY KEY,
      name text NOT NULL,
      role text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'operator', 'viewer')),
      token_hash text NOT NULL UNIQUE,
      prefix text NOT NULL,
      created_by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz
    )`,
    `CREATE TABLE audit_log (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor text NOT NULL,
      actor_id text,
      action text NOT NULL,
      target_type text,
      target_id text,
      target_name text,
      detail jsonb NOT NULL DEFAULT '{}'::jsonb,
      ip text
    )`,
    `CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC)`,
    `CREATE INDEX audit_log_actor ON audit_log (actor, at DESC)`,
    `CREATE INDEX audit_log_action ON audit_log (action, at DESC)`,
  ],
};
