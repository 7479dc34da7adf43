// Workspace source: reads one of Weft's own objects through the workspace connector, optionally keeping only the
// records a TRUE/FALSE formula accepts. Its fields are the object's attributes as the workspace knows them now.
import { z } from 'zod';
import { Field } from '../field-types';
import { reportFormula } from './formula-report';
import { defineKind } from './types';

export const WorkspaceSourceConfig = z.object({
  object: z.string().default('').meta({ title: 'Workspace object', widget: 'workspace-source-object' }),
  filter: z.string().max(10_000).default('').meta({ title: 'Keep records where (optional)', widget: 'workspace-filter' }),
  // The object's attributes and key when it was picked: the schema when the compiler is not told the workspace's.
  columns: z.array(Field).default([]).meta({ title: 'Fields', widget: 'hidden' }),
  key: z.array(z.string()).default([]).meta({ title: 'Key', widget: 'hidden' }),
});
export type WorkspaceSourceConfig = z.infer<typeof WorkspaceSourceConfig>;

export const workspaceSource = defineKind<WorkspaceSourceConfig>({
  kind: 'workspace-source',
  label: 'Workspace object',
  description: "Reads the records of one of Weft's own workspace objects, optionally filtered by a formula.",
  category: 'source',
  inputs: 0,
  outputs: 1,
  config: WorkspaceSourceConfig,
  defaults: () => ({ object: '', filter: '', columns: [], key: [] }),
  infer(config, _input, report, ctx) {
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
  },
});
