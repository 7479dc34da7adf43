// Migration 8: an integration's schedule as a person saved it; Temporal keeps the live Schedule (id schedule-<integration id>).
import type { Migration } from './types';

export const schedules: Migration = {
  version: 8,
  name: 'schedules',
  statements: [
    `CREATE TABLE schedules (
      integration_id text PRIMARY KEY REFERENCES integrations (id) ON DELETE CASCADE,
      cadence jsonb NOT NULL,
      time_zone text NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      skipped_recorded integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
  ],
};
