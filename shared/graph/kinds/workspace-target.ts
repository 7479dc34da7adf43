// Workspace target: upserts rows into one of Weft's own objects, creating or extending it.
import { z } from 'zod';
import { defineKind } from './types';
import { TARGET_SYNC_DEFAULTS, TARGET_SYNC_FIELDS } from '../../sync/target';

export const WorkspaceTargetConfig = z.object({
  object: z
    .string()
    .min(1, 'Name the workspace object')
    .max(63)
    .regex(/^[a-z][a-z0-9_]*$/, 'Use lower-case letters, digits and _ (e.g. contacts)')
    .meta({ title: 'Workspace object', widget: 'workspace-object' }),
  mode: z.enum(['upsert', 'insert']).default('upsert').meta({ title: 'Write mode' }),
  // Issue 14: "Allow new records" (off: update existing matches only) and how deletes found at the source apply here.
  ...TARGET_SYNC_FIELDS,
});
export type WorkspaceTargetConfig = z.infer<typeof WorkspaceTargetConfig>;

export const workspaceTarget = defineKind({
  kind: 'workspace-target',
  label: 'Write workspace object',
  description: "Writes rows into a Weft workspace object, matched by the primary key.",
  category: 'target',
  inputs: 1,
  outputs: 0,
  config: WorkspaceTargetConfig,
  defaults: (): WorkspaceTargetConfig => ({ object: '', mode: 'upsert', ...TARGET_SYNC_DEFAULTS }),
});
