// Version 2: connections to outside systems. `secrets` holds ciphertext only (runtime/secrets); the store never sees plaintext.
import type { Migration } from './types';

export const connections: Migration = {
  version: 2,
  name: 'connections',
  statements: [
    `CREATE TABLE connections (
      id text PRIMARY KEY,
      connector text NOT NULL,
      name text NOT NULL,
      config jsonb NOT NULL,
      secrets text NOT NULL,
      last_test_status text CHECK (last_test_status IN ('ok', 'failed')),
      last_test_message text,
      last_tested_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT connections_name_unique UNIQUE (name)
    )`,
  ],
};
