// The fields a Map's rows end up in, for auto-map: the first target downstream of it (through filters and other
// steps), with the columns of its table or the attributes of its workspace object. Null when that target has none
// yet (a table to create, a new object).
import { kindLabelOf } from '../kinds/registry';
import { getKind, SqlTargetConfig, WorkspaceTargetConfig, type Graph, type MapTargetSchema, type WorkspaceObject } from '../../shared';

export function mapTargetOf(graph: Graph, nodeId: string, workspaceObjects: readonly WorkspaceObject[]): MapTargetSchema | null {
  const seen = new Set<string>([nodeId]);
  let frontier = [nodeId];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const e of graph.edges) {
        if (e.source !== id || seen.has(e.target)) continue;
        seen.add(e.target);
        const node = graph.nodes.find((n) => n.id === e.target);
        if (!node) continue;
        const label = node.label?.trim() || kindLabelOf(node) || node.kind;
        if (node.kind === 'sql-target') {
          const c = SqlTargetConfig.safeParse(node.config);
          if (c.success && c.data.columns.length > 0) return { label: c.data.object ? `${label} (${c.data.object})` : label, fields: c.data.columns, key: c.data.key };
          return null;
        }
        if (node.kind === 'workspace-target') {
          const c = WorkspaceTargetConfig.safeParse(node.config);
          const obj = c.success ? workspaceObjects.find((o) => o.name === c.data.object) : undefined;
          return obj && obj.attributes.length > 0 ? { label: `${label} (${obj.name})`, fields: obj.attributes, key: obj.key } : null;
        }
        if (getKind(node.kind)?.category === 'target') return null;
        next.push(node.id);
      }
    }
    frontier = next;
  }
  return null;
}
