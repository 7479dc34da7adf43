// Migration 9: operating an integration — active or not (and why), alert settings and state, and trigger tokens.
import type { Migration } from './types';

export const opsTrigger: Migration = {
  version: 9,
  name: 'ops-trigger',
  statements: [
    `ALTER TABLE integrations ADD COLUMN active boolean NOT NULL DEFAULT true`,
    `ALTER TABLE integrations ADD COLUMN disabled_reason text`,
    `ALTER TABLE integrations ADD COLUMN alerts jsonb`,
    `ALTER TABLE integrations ADD COLUMN webhook_secret text`,
    `ALTER TABLE integrations ADD COLUMN alert_state text NOT NULL DEFAULT 'ok'`,
    `ALTER TABLE integrations ADD COLUMN consecutive_failures integer NOT NULL DEFAULT 0`,
    `CREATE TABLE integration_tokens (
      id text PRIMARY KEY,
      integration_id text NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
      name text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      prefix text NOT NULL,
      created_by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz
    )`,
    `CREATE INDEX integration_tokens_integration ON integration_tokens (integration_id)`,
  ],
};
