// The server-side compile knows what the browser may not: the workspace objects as they are now.
import { compile, workspaceCompileContext, type CompileContext, type Graph } from '../../shared';
import type { Store } from '../store/types';

export async function compileContext(store: Store): Promise<CompileContext> {
  return workspaceCompileContext(await store.listWorkspaceObjects());
}

export async function compileOnServer(store: Store, graph: Graph) {
  return compile(graph, await compileContext(store));
}
