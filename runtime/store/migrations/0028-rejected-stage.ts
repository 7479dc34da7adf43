// Migration 28: rejected records a run stages as it goes, so a step that records them only at its one commit (the
// two-way sync step: held conflicts and writes a side refused) holds none of them in memory until then. Its commit
// (commitBatch `staged`) moves them into rejected_records, counted, in the checkpoint's transaction, and clears the
// pipeline's rows. `key` makes staging the same record again a replace (a retried attempt holding the same pair);
// `attempt` set: only that attempt's commit records it (a refused write is tried again by the retry, so a failed
// attempt's refusals are dropped). Logged, unlike two_way_stage: a held record staged here may be the only trace of a
// pair its attempt already acknowledged in the key map.
import type { Migration } from './types';

export const rejectedStage: Migration = {
  version: 28,
  name: 'rejected-stage',
  statements: [
    `CREATE TABLE rejected_stage (
      run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      pipeline_id text NOT NULL,
      key text NOT NULL,
      attempt text,
      id text NOT NULL,
      node_id text NOT NULL,
      row_number integer NOT NULL,
      source jsonb NOT NULL,
      mapped jsonb,
      reason text NOT NULL,
      PRIMARY KEY (run_id, pipeline_id, key)
    )`,
  ],
};
