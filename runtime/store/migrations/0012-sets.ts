// Migration 12: integration sets — the set (ordered members, abort on failure, its schedule), its runs (each member's
// outcome), its trigger tokens, and on a member's run the set run it belongs to.
import type { Migration } from './types';

export const sets: Migration = {
  version: 12,
  name: 'sets',
  statements: [
    `CREATE TABLE integration_sets (
      id text PRIMARY KEY,
      name text NOT NULL,
      members jsonb NOT NULL,
      abort_on_failure boolean NOT NULL DEFAULT true,
      schedule jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE set_runs (
      id text PRIMARY KEY,
      set_id text NOT NULL REFERENCES integration_sets (id) ON DELETE CASCADE,
      name text NOT NULL DEFAULT '',
      status text NOT NULL,
      trigger text NOT NULL,
      started_by text,
      abort_on_failure boolean NOT NULL,
      members jsonb NOT NULL,
      workflow_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      ended_at timestamptz,
      error text
    )`,
    `CREATE INDEX set_runs_set_created ON set_runs (set_id, created_at)`,
    `CREATE TABLE set_tokens (
      id text PRIMARY KEY,
      set_id text NOT NULL REFERENCES integration_sets (id) ON DELETE CASCADE,
      name text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      prefix text NOT NULL,
      created_by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz
    )`,
    `CREATE INDEX set_tokens_set ON set_tokens (set_id)`,
    `ALTER TABLE runs ADD COLUMN set_run_id text`,
    `CREATE INDEX runs_set_run ON runs (set_run_id)`,
  ],
};
