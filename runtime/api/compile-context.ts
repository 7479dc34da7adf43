// The server-side compile knows what the browser may not: the workspace objects as they are now.
import { compile, type CompileContext, type Graph, type RowSchema } from '../../shared';
import type { Store } from '../store/types';

export async function compileContext(store: Store): Promise<CompileContext> {
  const objects = await store.listWorkspaceObjects();
  const workspaceObjects: Record<string, RowSchema> = Object.create(null) as Record<string, RowSchema>; // object names are data
  for (const o of objects) workspaceObjects[o.name] = { fields: o.attributes, key: o.key };
  return { workspaceObjects };
}

export async function compileOnServer(store: Store, graph: Graph) {
  return compile(graph, await compileContext(store));
}
