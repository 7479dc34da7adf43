// Version 15: incremental and full syncs, allow-new-records and deletes (issue 14). The cursor each source step of an
// integration keeps between runs (sync_cursors, moved only by a run whose writes all committed); per run, what each
// pipeline's source read from and up to (run_source_reads), the target keys a run saw or found soft-deleted (run_keys,
// for deletes), and what the delete phase of a target did or held back (run_deletes); the run's options (full sync,
// confirm deletes); and two step counters: skipped (no match, new records not allowed) and deleted.
import type { Migration } from './types';

export const syncState: Migration = {
  version: 15,
  name: 'sync-state',
  statements: [
    `ALTER TABLE run_steps ADD COLUMN skipped integer NOT NULL DEFAULT 0`,
    `ALTER TABLE run_steps ADD COLUMN deleted integer NOT NULL DEFAULT 0`,
    `ALTER TABLE runs ADD COLUMN sync_options jsonb NOT NULL DEFAULT '{}'::jsonb`,
    `CREATE TABLE sync_cursors (
      integration_id text NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
      node_id text NOT NULL,
      field text NOT NULL,
      kind text NOT NULL,
      value jsonb NOT NULL,
      run_id text,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (integration_id, node_id)
    )`,
    `CREATE TABLE run_source_reads (
      run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      pipeline_id text NOT NULL,
      node_id text NOT NULL,
      field text,
      kind text,
      full_read boolean NOT NULL,
      since jsonb,
      high jsonb,
      started_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (run_id, pipeline_id)
    )`,
    `CREATE TABLE run_keys (
      run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      node_id text NOT NULL,
      key text NOT NULL,
      deleted boolean NOT NULL DEFAULT false,
      PRIMARY KEY (run_id, node_id, key)
    )`,
    `CREATE TABLE run_deletes (
      run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      node_id text NOT NULL,
      state text NOT NULL,
      candidates integer NOT NULL,
      target_records integer NOT NULL,
      allowed integer NOT NULL,
      applied integer NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (run_id, node_id)
    )`,
  ],
};
