// What the compiler knows about the workspace: its objects as row schemas, by name. One builder for the
// designer (live diagnostics) and the server (the publish gate), so both check a graph against the same facts.
import type { WorkspaceObject } from '../api/integrations';
import type { RowSchema } from '../graph/field-types';
import type { CompileContext } from '../graph/kinds/types';

/** The compile context for these workspace objects; a null-prototype record, since object names are data. */
export function workspaceCompileContext(objects: readonly Pick<WorkspaceObject, 'name' | 'attributes' | 'key'>[]): CompileContext {
  const workspaceObjects: Record<string, RowSchema> = Object.create(null) as Record<string, RowSchema>;
  for (const o of objects) workspaceObjects[o.name] = { fields: o.attributes, key: o.key };
  return { workspaceObjects };
}
