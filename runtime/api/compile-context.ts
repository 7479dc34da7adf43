// The server-side compile knows what the browser may not: the workspace objects as they are now.
import { compile, workspaceCompileContext, type CompileContext, type Graph } from '../../shared';
import type { Store } from '../store/types';

export async function compileContext(store: Store): Promise<CompileContext> {
  const [objects, systems, connections] = await Promise.all([store.listWorkspaceObjects(), store.members.listSystems(), store.listConnections()]);
  return { ...workspaceCompileContext(objects), memberSystems: systems.map((s) => s.name), connectionIds: new Set(connections.map((c) => c.id)) };
}

export async function compileOnServer(store: Store, graph: Graph) {
  return compile(graph, await compileContext(store));
}
