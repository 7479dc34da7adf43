// The server-side compile knows what the browser may not: the workspace objects as they are now.
import { compile, getKind, workspaceCompileContext, type CompileContext, type Graph } from '../../shared';
import type { Store } from '../store/types';

export async function compileContext(store: Store): Promise<CompileContext> {
  const [objects, systems, connections] = await Promise.all([store.listWorkspaceObjects(), store.members.listSystems(), store.listConnections()]);
  return { ...workspaceCompileContext(objects), memberSystems: systems.map((s) => s.name), connectionIds: new Set(connections.map((c) => c.id)) };
}

/** Of the uploaded files the graph's file sources name, those the store has. */
async function existingFiles(store: Store, graph: Graph): Promise<Set<string>> {
  const named = new Set(graph.nodes.flatMap((n) => (getKind(n.kind)?.readsUploadedFiles && typeof n.config.fileId === 'string' && n.config.fileId !== '' ? [n.config.fileId] : [])));
  // An id with U+0000 names no file (the store could not even be asked).
  const found = await Promise.all([...named].map(async (id) => (!id.includes('\u0000') && (await store.getFile(id)) ? id : null)));
  return new Set(found.filter((id): id is string => id !== null));
}

export async function compileOnServer(store: Store, graph: Graph) {
  const [context, fileIds] = await Promise.all([compileContext(store), existingFiles(store, graph)]);
  return compile(graph, { ...context, fileIds });
}
