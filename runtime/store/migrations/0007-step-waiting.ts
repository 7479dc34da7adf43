// Version 8: what a step waits for while the system it reads or writes is unreachable (shown on the run page).
import type { Migration } from './types';

export const stepWaiting: Migration = {
  version: 7,
  name: 'step-waiting',
  statements: [`ALTER TABLE run_steps ADD COLUMN waiting jsonb`],
};
