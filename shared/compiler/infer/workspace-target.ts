// Compile-time checks of the workspace target: the key upsert needs and the types of the object's existing attributes.
import type { WorkspaceTargetConfig } from '../../graph/kinds/workspace-target';
import { attributeMismatch } from '../../graph/field-types';
import type { KindInfer } from './types';

export const inferWorkspaceTarget: KindInfer<WorkspaceTargetConfig> = (config, input, report, ctx) => {
  if (!input) return null;
  if (config.mode === 'upsert' && input.key.length === 0) {
    report({ code: 'no-primary-key', message: 'Upsert needs a primary key: mark a key field in the Map before this target', path: 'mode' });
  }
  const objects = ctx.workspaceObjects;
  const existing = objects && Object.hasOwn(objects, config.object) ? objects[config.object] : undefined;
  if (existing) {
    for (const f of input.fields) {
      const attr = existing.fields.find((a) => a.name === f.name);
      const mismatch = attr ? attributeMismatch(config.object, attr, f) : null;
      if (mismatch) report({ code: 'mistyped-field', message: mismatch, path: 'object' });
    }
    if (existing.key.length > 0 && input.key.length > 0 && existing.key.join(',') !== input.key.join(',')) {
      report({ code: 'key-mismatch', message: `${config.object} is keyed by ${existing.key.join(', ')}, not ${input.key.join(', ')}`, path: 'object' });
    }
  }
  return input;
};
