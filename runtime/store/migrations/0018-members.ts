// Migration 18: member alignment — Weft's members (name, email), the systems whose users are aligned with them (a
// connection and where its user list comes from), and each system's users with the member each is linked to.
import type { Migration } from './types';

export const members: Migration = {
  version: 18,
  name: 'members',
  statements: [
    `CREATE TABLE members (
      id text PRIMARY KEY,
      name text NOT NULL DEFAULT '',
      email text,
      email_key text UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE member_systems (
      id text PRIMARY KEY,
      name text NOT NULL UNIQUE,
      connection_id text NOT NULL,
      source jsonb NOT NULL,
      refreshed_at timestamptz,
      refresh_error text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE member_accounts (
      system_id text NOT NULL REFERENCES member_systems (id) ON DELETE CASCADE,
      external_id text NOT NULL,
      email text,
      name text,
      member_id text REFERENCES members (id) ON DELETE SET NULL,
      matched_by text,
      problem text,
      PRIMARY KEY (system_id, external_id)
    )`,
    `CREATE UNIQUE INDEX member_accounts_one_per_member ON member_accounts (system_id, member_id) WHERE member_id IS NOT NULL`,
    `CREATE INDEX member_accounts_member ON member_accounts (member_id)`,
  ],
};
