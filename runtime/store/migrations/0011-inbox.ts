// Version 11: the record inbox. A rejected record gains where it stands (rejected, resubmitting, fixed, still failing,
// ignored), its edited values, the resubmit run that settled it and a note; a resubmit run keeps the records it feeds
// to its pipeline in place of the source's read (inbox_resubmits), one per row number.
import type { Migration } from './types';

export const inbox: Migration = {
  version: 11,
  name: 'inbox',
  statements: [
    `ALTER TABLE rejected_records ADD COLUMN inbox_status text NOT NULL DEFAULT 'open'`,
    `ALTER TABLE rejected_records ADD COLUMN edited jsonb`,
    `ALTER TABLE rejected_records ADD COLUMN latest_reason text`,
    `ALTER TABLE rejected_records ADD COLUMN outcome_run_id text`,
    `ALTER TABLE rejected_records ADD COLUMN note text`,
    `ALTER TABLE rejected_records ADD COLUMN settled_at timestamptz`,
    `ALTER TABLE rejected_records ADD COLUMN inbox_reason text GENERATED ALWAYS AS (coalesce(latest_reason, reason)) STORED`,
    // The inbox pages newest first on the server: the waiting view (rejected, still failing) and one status at a time
    // read an index in order and stop after the page; filters by reason and groups read the reason index.
    `CREATE INDEX rejected_records_waiting ON rejected_records (created_at DESC, id DESC) WHERE inbox_status IN ('open', 'still_failing')`,
    `CREATE INDEX rejected_records_inbox ON rejected_records (inbox_status, created_at DESC, id DESC)`,
    `CREATE INDEX rejected_records_waiting_reason ON rejected_records (inbox_reason, created_at DESC) WHERE inbox_status IN ('open', 'still_failing')`,
    `CREATE INDEX rejected_records_run_status ON rejected_records (run_id, inbox_status)`,
    `CREATE TABLE inbox_resubmits (
      run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      row_number integer NOT NULL,
      record_id text NOT NULL REFERENCES rejected_records(id) ON DELETE CASCADE,
      source_node_id text NOT NULL,
      "values" jsonb NOT NULL,
      PRIMARY KEY (run_id, row_number)
    )`,
    `CREATE INDEX inbox_resubmits_record ON inbox_resubmits (record_id)`,
  ],
};
