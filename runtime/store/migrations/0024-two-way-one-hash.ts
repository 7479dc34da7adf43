// Version 24: two-way sync's key map keeps one copy of the hashes when both sides' are the same. After a run both
// records of a pair hold the same values, so where the two sides name their fields alike (the common case) `hash_b`
// repeated `hash_a` byte for byte: now it is NULL there, read as `hash_a` (issue 14: a smaller key map, half the
// hashes parsed per lookup and written per update). Existing pairs are converted: NULL only where the two are equal
// jsonb (objects of strings: equal keys with equal texts), so every pair reads back exactly as before.
import type { Migration } from './types';

export const twoWayOneHash: Migration = {
  version: 24,
  name: 'two-way-one-hash',
  statements: [`ALTER TABLE two_way_pairs ALTER COLUMN hash_b DROP NOT NULL`, `UPDATE two_way_pairs SET hash_b = NULL WHERE hash_b = hash_a`],
};
