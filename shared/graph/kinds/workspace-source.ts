// Workspace source: reads one of Weft's own objects through the workspace connector, optionally keeping only the
// records a TRUE/FALSE formula accepts. Its fields are the object's attributes as the workspace knows them now.
import { z } from 'zod';
import { Field } from '../field-types';
import { defineKind } from './types';

export const WorkspaceSourceConfig = z.object({
  object: z.string().default('').meta({ title: 'Workspace object', widget: 'workspace-source-object' }),
  filter: z.string().max(10_000).default('').meta({ title: 'Keep records where (optional)', widget: 'workspace-filter' }),
  // The object's attributes and key when it was picked: the schema when the compiler is not told the workspace's.
  columns: z.array(Field).default([]).meta({ title: 'Fields', widget: 'hidden' }),
  key: z.array(z.string()).default([]).meta({ title: 'Key', widget: 'hidden' }),
  // Issue 14: incremental reads and deletes; '' = none. `_updated_at` is the record's last write time.
  cursorField: z.string().max(200).default('').meta({ title: 'Cursor field (read only what changed)', widget: 'cursor-field' }),
  softDeleteField: z.string().max(200).default('').meta({ title: 'Soft-delete field', widget: 'soft-delete-field' }),
});
export type WorkspaceSourceConfig = z.infer<typeof WorkspaceSourceConfig>;

export const workspaceSource = defineKind({
  kind: 'workspace-source',
  label: 'Read workspace object',
  description: "Reads the records of one of Weft's own workspace objects, optionally filtered by a formula.",
  category: 'source',
  inputs: 0,
  outputs: 1,
  config: WorkspaceSourceConfig,
  defaults: (): WorkspaceSourceConfig => ({ object: '', filter: '', columns: [], key: [], cursorField: '', softDeleteField: '' }),
});
