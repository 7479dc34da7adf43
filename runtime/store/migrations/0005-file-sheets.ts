// Version 5: what the Files connector keeps per file: the header choice, the Excel sheet (and the workbook's
// sheets), whether the file is PGP-encrypted; and 'excel' as a format.
import type { Migration } from './types';

export const fileSheets: Migration = {
  version: 5,
  name: 'file-sheets',
  statements: [
    `ALTER TABLE files ADD COLUMN has_header boolean`,
    `ALTER TABLE files ADD COLUMN sheet text`,
    `ALTER TABLE files ADD COLUMN sheets jsonb`,
    `ALTER TABLE files ADD COLUMN encrypted boolean NOT NULL DEFAULT false`,
    // 0003 named no constraint: Postgres called it files_format_check.
    `ALTER TABLE files DROP CONSTRAINT IF EXISTS files_format_check`,
    `ALTER TABLE files ADD CONSTRAINT files_format_check CHECK (format IN ('csv', 'json', 'ndjson', 'excel'))`,
  ],
};
