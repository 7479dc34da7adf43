// Version 30: a two-way step's delete phases by a side of their own (del13). Each direction of a two-way step was kept
// under `<node>#a` / `<node>#b` in run_deletes and run_keys, and read back by splitting the node id at its last `#`; a
// node id may hold `#` (graphs are imported and created over the API, any 1–64 characters), so a one-way target `x#a`
// shared its phase and its run keys with the two-way step `x`'s direction A, and the run page read a one-way `t#a` as a
// two-way direction. Now `side` is '' for a one-way target step and 'a' or 'b' for a two-way step's direction (the side
// deleted on), part of both primary keys; `node_id` is the step's own id, never parsed.
//
// Existing rows move: a row under `<node>#a`/`<node>#b` moves to (`<node>`, side) when its run has a two-way step
// `<node>` and no step of the exact id (a run with both, the defect itself, is left as it was: the one-way reading).
// The primary keys are swapped before the move, so a moved key never meets a row it did not meet before. run_keys'
// key is rebuilt once (a table of every key a full sync saw: the migration's one long statement on a big store).
import type { Migration } from './types';

const moved = (table: string) => `UPDATE ${table} AS t SET node_id = left(t.node_id, -2), side = right(t.node_id, 1)
  WHERE (t.node_id LIKE '%#a' OR t.node_id LIKE '%#b') AND length(t.node_id) > 2
    AND EXISTS (SELECT 1 FROM run_steps AS s WHERE s.run_id = t.run_id AND s.node_id = left(t.node_id, -2) AND s.kind = 'two-way-sync')
    AND NOT EXISTS (SELECT 1 FROM run_steps AS s WHERE s.run_id = t.run_id AND s.node_id = t.node_id)`;

export const deleteSides: Migration = {
  version: 30,
  name: 'delete-sides',
  statements: [
    `ALTER TABLE run_deletes ADD COLUMN side text NOT NULL DEFAULT ''`,
    `ALTER TABLE run_keys ADD COLUMN side text NOT NULL DEFAULT ''`,
    `ALTER TABLE run_deletes DROP CONSTRAINT run_deletes_pkey, ADD PRIMARY KEY (run_id, node_id, side)`,
    `ALTER TABLE run_keys DROP CONSTRAINT run_keys_pkey, ADD PRIMARY KEY (run_id, node_id, side, key)`,
    moved('run_deletes'),
    moved('run_keys'),
  ],
};
