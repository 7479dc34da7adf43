// Migration 29: a delete phase's progress (del16b). The phase is recorded `applying` (its candidates, target records
// and allowed number decided once) before its first delete, then after each delete call: `after_key`, the last
// candidate key applied (a retry resumes after it), and `in_flight`, set before a delete call to how many of its keys
// had a record at the target (a retry of that call counts that number: one DELETE statement is atomic).
import type { Migration } from './types';

export const deleteProgress: Migration = {
  version: 29,
  name: 'delete-progress',
  statements: [`ALTER TABLE run_deletes ADD COLUMN after_key text, ADD COLUMN in_flight integer`],
};
