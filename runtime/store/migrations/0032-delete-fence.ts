// Version 32: a fencing token on each delete phase (del13). Two attempts could apply the same phase at once (an
// abandoned attempt still in its delete loop — the budgeted local part past its timeout, an activity attempt Temporal
// timed out — beside the retry that resumed the phase): both deleted, the last progress record won. `fence` is raised
// by every attempt that takes the phase (sync-state.ts, takeDeletePhase) and every record of the phase's decision or
// progress is written only while it is still the taker's: a stale attempt's write is refused and it stops before its
// next delete call.
import type { Migration } from './types';

export const deleteFence: Migration = {
  version: 32,
  name: 'delete-fence',
  statements: [`ALTER TABLE run_deletes ADD COLUMN fence integer NOT NULL DEFAULT 0`],
};
