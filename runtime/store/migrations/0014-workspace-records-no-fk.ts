// Version 14: workspace records no longer reference their object by a foreign key. Postgres checks the key per
// inserted row (an RI trigger looking up workspace_objects); the workspace write already locks the object's row
// before it writes, and nothing deletes an object without its records (whoever does must delete both), so the
// check bought nothing and cost about a fifth of a batch's insert on PGlite.
import type { Migration } from './types';

export const workspaceRecordsNoFk: Migration = {
  version: 14,
  name: 'workspace-records-no-fk',
  statements: [`ALTER TABLE workspace_records DROP CONSTRAINT IF EXISTS workspace_records_object_name_fkey`],
};
