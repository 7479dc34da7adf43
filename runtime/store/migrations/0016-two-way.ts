// Migration 16: two-way sync's memory. The key map pairs a record id of side A with one of side B, per integration
// and two-way step, with the hashes of each side's field values as last synced (what Weft wrote or read there), so a
// value read back unchanged since Weft's write is not taken for a change (echo suppression). The cursors say up to
// which change time each side has been read by a run whose writes all committed.
import type { Migration } from './types';

export const twoWay: Migration = {
  version: 16,
  name: 'two-way',
  statements: [
    `CREATE TABLE two_way_pairs (
      integration_id text NOT NULL,
      node_id text NOT NULL,
      id_a text NOT NULL,
      id_b text NOT NULL,
      hash_a jsonb NOT NULL,
      hash_b jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (integration_id, node_id, id_a),
      CONSTRAINT two_way_pairs_b UNIQUE (integration_id, node_id, id_b)
    )`,
    `CREATE TABLE two_way_cursors (
      integration_id text NOT NULL,
      node_id text NOT NULL,
      side text NOT NULL,
      cursor jsonb,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (integration_id, node_id, side)
    )`,
  ],
};
