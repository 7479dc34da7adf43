// Version 34: one inbox entry per record (inbox14). A rejected record keeps the key of the record it is (a hash of
// its source values of the fields the target's key comes from, shared/sync/rejected-key.ts; null: no key, its own
// entry), and a waiting record rejected again by a later run points at that newer rejection (`superseded_by`): the
// inbox lists the newest rejection of each integration and key, with how many runs rejected it, and a resubmit or an
// ignore of it settles the ones it superseded too. Records rejected before this version have no key (listed as before).
import type { Migration } from './types';

export const inboxRecordKey: Migration = {
  version: 34,
  name: 'inbox-record-key',
  statements: [
    `ALTER TABLE rejected_records ADD COLUMN record_key text`,
    `ALTER TABLE rejected_records ADD COLUMN superseded_by text`,
    `CREATE INDEX rejected_records_waiting_key ON rejected_records (record_key) WHERE record_key IS NOT NULL AND inbox_status IN ('open', 'still_failing')`,
    `CREATE INDEX rejected_records_superseded ON rejected_records (superseded_by) WHERE superseded_by IS NOT NULL`,
  ],
};
