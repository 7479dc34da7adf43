// Version 25: two-way sync's key map keeps each side's field hashes as one short bytea instead of a jsonb object
// (issue 14: a pair row ~250 → ~150 bytes, so an incremental run's lookups and updates touch fewer pages and the key
// map of a million pairs stays closer to the server's buffer pool). Per field: its name's UTF-8 length (2 bytes, big
// endian), the name, the hash's length (1 byte), the hash (ASCII). A value hash is now the first 11 base64 characters
// of the same SHA-1 (66 bits) instead of 22: a stored 22-character hash is cut to its first 11, which is exactly what
// the executor now computes for the same value — so every pair reads back as the same echo or the same change as
// before (no hash becomes "unknown", none turns a change into an echo). Other values (none the executor writes) are
// kept whole. `hash_b` stays NULL where it was (equal to `hash_a`, migration 24: the function is STRICT).
import type { Migration } from './types';

const encode = (column: string) => `weft_two_way_hash_bytes(${column})`;

export const twoWayBinaryHashes: Migration = {
  version: 25,
  name: 'two-way-binary-hashes',
  statements: [
    `CREATE FUNCTION weft_two_way_hash_bytes(h jsonb) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT AS $$
      SELECT COALESCE(string_agg(
        int2send(octet_length(convert_to(e.key, 'UTF8'))::smallint) || convert_to(e.key, 'UTF8')
          || set_byte('\\x00'::bytea, 0, octet_length(convert_to(CASE WHEN length(e.value) = 22 THEN left(e.value, 11) ELSE e.value END, 'UTF8')))
          || convert_to(CASE WHEN length(e.value) = 22 THEN left(e.value, 11) ELSE e.value END, 'UTF8'),
        ''::bytea ORDER BY e.key), ''::bytea)
      FROM jsonb_each_text(h) AS e(key, value)
    $$`,
    `ALTER TABLE two_way_pairs ALTER COLUMN hash_a TYPE bytea USING ${encode('hash_a')}, ALTER COLUMN hash_b TYPE bytea USING ${encode('hash_b')}`,
    `DROP FUNCTION weft_two_way_hash_bytes(jsonb)`,
  ],
};
