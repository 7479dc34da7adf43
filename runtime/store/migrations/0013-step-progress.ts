// Version 13: a source step's progress against a known total (bytes of a file against its size, a table's row
// estimate), written with each batch's counts, so the run page can draw a bar with the time left.
import type { Migration } from './types';

export const stepProgress: Migration = {
  version: 13,
  name: 'step-progress',
  statements: [`ALTER TABLE run_steps ADD COLUMN progress jsonb`],
};
