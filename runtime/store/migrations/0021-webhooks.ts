// Version 21: inbound webhooks. An integration's endpoint (its unguessable hook id, how requests authenticate, the
// secret sealed with AES-256-GCM), the queue of requests received and not yet written (drained by runs: a request
// belongs to the run that drained it until that run completes), the signatures seen lately (a replayed request is
// refused), and on each run how many requests it drained.
import type { Migration } from './types';

export const webhooks: Migration = {
  version: 21,
  name: 'webhooks',
  statements: [
    `CREATE TABLE webhook_endpoints (
      integration_id text PRIMARY KEY REFERENCES integrations(id) ON DELETE CASCADE,
      hook_id text NOT NULL UNIQUE,
      auth text NOT NULL DEFAULT 'signature',
      secret text NOT NULL,
      secret_prefix text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      rotated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE webhook_requests (
      seq bigserial PRIMARY KEY,
      integration_id text NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
      run_id text REFERENCES runs(id) ON DELETE CASCADE,
      body text NOT NULL,
      records integer NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now()
    )`,
    // The drain claims the oldest waiting requests of one integration; a run reads its own in order.
    `CREATE INDEX webhook_requests_waiting ON webhook_requests (integration_id, seq) WHERE run_id IS NULL`,
    `CREATE INDEX webhook_requests_run ON webhook_requests (run_id, seq)`,
    `CREATE TABLE webhook_replays (
      integration_id text NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
      digest text NOT NULL,
      seen_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (integration_id, digest)
    )`,
    `CREATE INDEX webhook_replays_seen ON webhook_replays (seen_at)`,
    `ALTER TABLE runs ADD COLUMN webhook_requests integer`,
  ],
};
