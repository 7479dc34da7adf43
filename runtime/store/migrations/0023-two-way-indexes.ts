// Migration 23: two-way sync's key map and stage indexed record id first. Every lookup a run makes is by a list of
// record ids (or match values) of one integration and step; with the scope first, a table filled within one run (the
// first run writes 1,000,000 pairs; the stage is filled and emptied by each run) has no statistics yet, so the planner
// took the scope prefix for selective and could pick the other side's index with the ids as a filter (seconds per page
// of 5,000). With the id first, the only index that fits a lookup is the right one, whatever the statistics.
// The stage is UNLOGGED: it lives only while a run does (emptied at its start and end), so it need not be in the WAL.
// The key map keeps 10% of each page free: an incremental run rewrites the hashes of the pairs it synced, and with
// room on the page that is a HOT update (neither unique index touched).
import type { Migration } from './types';

export const twoWayIndexes: Migration = {
  version: 23,
  name: 'two-way-indexes',
  statements: [
    `CREATE UNIQUE INDEX two_way_pairs_id_a ON two_way_pairs (id_a, integration_id, node_id)`,
    `CREATE UNIQUE INDEX two_way_pairs_id_b ON two_way_pairs (id_b, integration_id, node_id)`,
    `ALTER TABLE two_way_pairs DROP CONSTRAINT two_way_pairs_b, DROP CONSTRAINT two_way_pairs_pkey,
      ADD CONSTRAINT two_way_pairs_pkey PRIMARY KEY USING INDEX two_way_pairs_id_a,
      ADD CONSTRAINT two_way_pairs_b UNIQUE USING INDEX two_way_pairs_id_b`,
    `DELETE FROM two_way_stage`,
    `DROP INDEX two_way_stage_pair`,
    `DROP INDEX two_way_stage_match`,
    `CREATE UNIQUE INDEX two_way_stage_id_b ON two_way_stage (id_b, integration_id, node_id)`,
    `ALTER TABLE two_way_stage DROP CONSTRAINT two_way_stage_pkey, ADD CONSTRAINT two_way_stage_pkey PRIMARY KEY USING INDEX two_way_stage_id_b`,
    `CREATE INDEX two_way_stage_match ON two_way_stage (match_key, integration_id, node_id) WHERE pair_a IS NULL`,
    `ALTER TABLE two_way_stage SET UNLOGGED`,
    // A staged change an A change takes is deleted now, not flagged.
    `ALTER TABLE two_way_stage DROP COLUMN taken`,
    `ALTER TABLE two_way_pairs SET (fillfactor = 90)`,
  ],
};
