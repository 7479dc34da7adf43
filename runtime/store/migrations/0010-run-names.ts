// Version 10: a run's name, who started it, the run it runs again, and its Temporal workflow id (for cancel);
// an index for the history's status and date filters.
import type { Migration } from './types';

export const runNames: Migration = {
  version: 10,
  name: 'run-names',
  statements: [
    `ALTER TABLE runs ADD COLUMN name text NOT NULL DEFAULT ''`,
    `ALTER TABLE runs ADD COLUMN started_by text`,
    `ALTER TABLE runs ADD COLUMN rerun_of text`,
    `ALTER TABLE runs ADD COLUMN workflow_id text`,
    `UPDATE runs SET status = 'queued' WHERE status = 'scheduled'`,
    `CREATE INDEX runs_integration_status_created ON runs (integration_id, status, created_at)`,
  ],
};
