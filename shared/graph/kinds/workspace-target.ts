// Workspace target: upserts rows into one of Weft's own objects, creating or extending it.
import { z } from 'zod';
import { defineKind } from './types';

export const WorkspaceTargetConfig = z.object({
  object: z
    .string()
    .min(1, 'Name the workspace object')
    .max(63)
    .regex(/^[a-z][a-z0-9_]*$/, 'Use lower-case letters, digits and _ (e.g. contacts)')
    .meta({ title: 'Workspace object', widget: 'workspace-object' }),
  mode: z.enum(['upsert', 'insert']).default('upsert').meta({ title: 'Write mode' }),
});
export type WorkspaceTargetConfig = z.infer<typeof WorkspaceTargetConfig>;

export const workspaceTarget = defineKind<WorkspaceTargetConfig>({
  kind: 'workspace-target',
  label: 'Workspace object',
  description: "Writes rows into a Weft workspace object, matched by the primary key.",
  category: 'target',
  inputs: 1,
  outputs: 0,
  config: WorkspaceTargetConfig,
  defaults: () => ({ object: '', mode: 'upsert' }),
  infer(config, input, report, ctx) {
    if (!input) return null;
    if (config.mode === 'upsert' && input.key.length === 0) {
      report({ code: 'no-primary-key', message: 'Upsert needs a primary key: mark a key field in the Map before this target', path: 'mode' });
    }
    const objects = ctx.workspaceObjects;
    const existing = objects && Object.hasOwn(objects, config.object) ? objects[config.object] : undefined;
    if (existing) {
      for (const f of input.fields) {
        const attr = existing.fields.find((a) => a.name === f.name);
        if (attr && attr.type !== f.type) {
          report({ code: 'mistyped-field', message: `"${f.name}" is ${f.type} but ${config.object}.${f.name} is ${attr.type}`, path: 'object' });
        }
      }
      if (existing.key.length > 0 && input.key.length > 0 && existing.key.join(',') !== input.key.join(',')) {
        report({ code: 'key-mismatch', message: `${config.object} is keyed by ${existing.key.join(', ')}, not ${input.key.join(', ')}`, path: 'object' });
      }
    }
    return input;
  },
});
