// Migration 22: two-way sync without holding both sides in memory. A run stages the changes it reads on side B here
// (page by page, with the pair each already has in the key map and its normalised match value), then pairs the
// changes of side A with them by indexed lookups, page by page; what is left is B's changes whose A did not change.
// The rows live only while the run does (deleted at its start and end). `seen_a`/`seen_b` on the key map mark the
// pairs whose records a full read of a side met, so the pairs it did not meet are that side's deletes.
import type { Migration } from './types';

export const twoWayStage: Migration = {
  version: 22,
  name: 'two-way-stage',
  statements: [
    `CREATE TABLE two_way_stage (
      integration_id text NOT NULL,
      node_id text NOT NULL,
      id_b text NOT NULL,
      pair_a text,
      match_key text,
      deleted boolean NOT NULL DEFAULT false,
      taken boolean NOT NULL DEFAULT false,
      updated_ms double precision,
      record text NOT NULL,
      PRIMARY KEY (integration_id, node_id, id_b)
    )`,
    `CREATE INDEX two_way_stage_pair ON two_way_stage (integration_id, node_id, pair_a) WHERE pair_a IS NOT NULL`,
    `CREATE INDEX two_way_stage_match ON two_way_stage (integration_id, node_id, match_key) WHERE pair_a IS NULL`,
    `ALTER TABLE two_way_pairs ADD COLUMN seen_a text`,
    `ALTER TABLE two_way_pairs ADD COLUMN seen_b text`,
  ],
};
