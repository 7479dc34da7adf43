// Version 4: the files each run read (the published file, or the one that replaced it for that run), so a run's
// page can always offer the exact bytes it read. A file a run names cannot be deleted (ON DELETE RESTRICT).
import type { Migration } from './types';

export const runFiles: Migration = {
  version: 4,
  name: 'run-files',
  statements: [
    `CREATE TABLE run_files (
      run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      node_id text NOT NULL,
      file_id text NOT NULL REFERENCES files (id) ON DELETE RESTRICT,
      replaced boolean NOT NULL DEFAULT false,
      PRIMARY KEY (run_id, node_id)
    )`,
    `CREATE INDEX run_files_file ON run_files (file_id)`,
  ],
};
