// Version 25: two-way sync's key map keeps each side's field hashes as compact JSON text instead of jsonb, with hashes
// half as long (issue 14: a pair row ~250 → ~170 bytes, so an incremental run's lookups and updates touch fewer pages
// and a key map of a million pairs stays closer to the server's buffer pool; no jsonb to parse on the way in or print
// on the way out). A value hash is now the first 11 base64 characters of the same SHA-1 (66 bits) instead of 22: a
// stored 22-character hash is cut to its first 11, which is exactly what the executor now computes for the same value
// — so every pair reads back as the same echo or the same change as before (no hash becomes "unknown", none turns a
// change into an echo). Other values (none the executor writes) are kept whole. `hash_b` stays NULL where it was
// (equal to `hash_a`, migration 24: the function is STRICT).
import type { Migration } from './types';

const short = `CASE WHEN length(e.value) = 22 THEN left(e.value, 11) ELSE e.value END`;

export const twoWayTextHashes: Migration = {
  version: 25,
  name: 'two-way-text-hashes',
  statements: [
    // A stored value that is not an object (hand-edited, double-encoded) becomes {} — no hash known, so every field reads
    // as changed, never as an echo — instead of stopping the migration; a JSON null value is left out (unknown, too).
    `CREATE FUNCTION weft_two_way_hash_text(h jsonb) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
      SELECT CASE WHEN jsonb_typeof(h) <> 'object' THEN '{}' ELSE (
        SELECT '{' || COALESCE(string_agg(to_json(e.key)::text || ':' || to_json(${short})::text, ',' ORDER BY e.key), '') || '}'
        FROM jsonb_each_text(h) AS e(key, value) WHERE e.value IS NOT NULL
      ) END
    $$`,
    `ALTER TABLE two_way_pairs ALTER COLUMN hash_a TYPE text USING weft_two_way_hash_text(hash_a), ALTER COLUMN hash_b TYPE text USING weft_two_way_hash_text(hash_b)`,
    `DROP FUNCTION weft_two_way_hash_text(jsonb)`,
  ],
};
