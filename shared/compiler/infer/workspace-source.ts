// Compile-time checks of the workspace source: the object as the workspace knows it now, and its filter formula.
import type { WorkspaceSourceConfig } from '../../graph/kinds/workspace-source';
import { reportFormula } from './formula-report';
import type { KindInfer } from './types';

export const inferWorkspaceSource: KindInfer<WorkspaceSourceConfig> = (config, _input, report, ctx) => {
  if (!config.object) {
    report({ code: 'no-object', message: 'Choose a workspace object', path: 'object' });
    return null;
  }
  // The workspace as it is now (in the designer and at publish) wins over the fields saved with the node.
  const known = ctx.workspaceObjects;
  const live = known?.[config.object];
  if (known && !live) {
    report({ code: 'unknown-object', message: `The workspace has no object "${config.object}" yet. Run the integration that writes it first, or choose another object.`, path: 'object' });
    return null;
  }
  const schema = live ? { fields: live.fields, key: live.key } : { fields: config.columns, key: config.key };
  if (schema.fields.length === 0) report({ code: 'no-columns', message: `${config.object} has no fields to read`, path: 'object' });
  if (config.filter.trim()) reportFormula(report, 'filter', config.filter, schema.fields, ctx, 'boolean');
  return { fields: [...schema.fields], key: [...schema.key] };
};
