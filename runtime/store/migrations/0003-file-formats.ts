// Version 3: an uploaded file's format (CSV, JSON, NDJSON), its compression and where its records are.
import type { Migration } from './types';

export const fileFormats: Migration = {
  version: 3,
  name: 'file-formats',
  statements: [
    `ALTER TABLE files ADD COLUMN format text NOT NULL DEFAULT 'csv' CHECK (format IN ('csv', 'json', 'ndjson'))`,
    `ALTER TABLE files ADD COLUMN compression text NOT NULL DEFAULT 'none' CHECK (compression IN ('none', 'gzip', 'zip'))`,
    `ALTER TABLE files ADD COLUMN records_path text`,
    `ALTER TABLE files ADD COLUMN zip_entry text`,
  ],
};
