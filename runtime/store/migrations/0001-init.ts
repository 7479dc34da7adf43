// Version 1: the whole schema as first shipped. Never edit a released migration; add the next one.
import type { Migration } from './types';

export const init: Migration = {
  version: 1,
  name: 'init',
  statements: [
    `CREATE TABLE integrations (
      id text PRIMARY KEY,
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      graph jsonb NOT NULL,
      graph_hash text NOT NULL,
      published_version_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE integration_versions (
      id text PRIMARY KEY,
      integration_id text NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
      number integer NOT NULL,
      graph jsonb NOT NULL,
      graph_hash text NOT NULL,
      plan jsonb NOT NULL,
      hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT integration_versions_integration_number UNIQUE (integration_id, number)
    )`,
    `ALTER TABLE integrations ADD CONSTRAINT integrations_published_version_fk
      FOREIGN KEY (published_version_id) REFERENCES integration_versions (id) ON DELETE SET NULL`,
    `CREATE TABLE runs (
      id text PRIMARY KEY,
      integration_id text NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
      version_id text NOT NULL REFERENCES integration_versions (id) ON DELETE CASCADE,
      status text NOT NULL,
      trigger text NOT NULL,
      params jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      ended_at timestamptz,
      error text
    )`,
    `CREATE INDEX runs_integration_created ON runs (integration_id, created_at)`,
    `CREATE INDEX runs_version ON runs (version_id)`,
    `CREATE TABLE run_steps (
      run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      node_id text NOT NULL,
      kind text NOT NULL,
      label text NOT NULL,
      position integer NOT NULL,
      status text NOT NULL,
      read integer NOT NULL DEFAULT 0,
      written integer NOT NULL DEFAULT 0,
      created integer NOT NULL DEFAULT 0,
      updated integer NOT NULL DEFAULT 0,
      unchanged integer NOT NULL DEFAULT 0,
      rejected integer NOT NULL DEFAULT 0,
      started_at timestamptz,
      ended_at timestamptz,
      error text,
      PRIMARY KEY (run_id, node_id)
    )`,
    `CREATE TABLE run_checkpoints (
      run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      pipeline_id text NOT NULL,
      batch integer NOT NULL,
      cursor jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (run_id, pipeline_id)
    )`,
    `CREATE TABLE rejected_records (
      id text PRIMARY KEY,
      run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      node_id text NOT NULL,
      row_number integer NOT NULL,
      source jsonb NOT NULL,
      mapped jsonb,
      reason text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX rejected_records_run_row ON rejected_records (run_id, row_number)`,
    `CREATE TABLE files (
      id text PRIMARY KEY,
      name text NOT NULL,
      size bigint NOT NULL,
      sha256 text NOT NULL,
      columns jsonb NOT NULL,
      delimiter text NOT NULL,
      sample_rows jsonb NOT NULL,
      path text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE workspace_objects (
      name text PRIMARY KEY,
      label text NOT NULL,
      key jsonb NOT NULL,
      attributes jsonb NOT NULL,
      record_count integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE workspace_records (
      object_name text NOT NULL REFERENCES workspace_objects (name) ON DELETE CASCADE,
      key text NOT NULL,
      "values" jsonb NOT NULL,
      write_count integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (object_name, key)
    )`,
    `CREATE INDEX workspace_records_object_created ON workspace_records (object_name, created_at)`,
  ],
};
