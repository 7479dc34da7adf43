// Graph edits as pure functions: the canvas, undo, the server and tests all apply the same ones.
import type { RunParameter } from './parameters';
import type { Graph, GraphEdge, GraphNode, IntegrationSettings, ValueMap } from './schema';

export type GraphOp =
  | { type: 'addNode'; node: GraphNode }
  | { type: 'removeNodes'; ids: string[] }
  | { type: 'moveNode'; id: string; position: { x: number; y: number } }
  | { type: 'updateConfig'; id: string; config: Record<string, unknown> }
  | { type: 'renameNode'; id: string; label: string }
  | { type: 'connect'; edge: GraphEdge }
  | { type: 'removeEdges'; ids: string[] }
  | { type: 'setValueMaps'; valueMaps: ValueMap[] }
  | { type: 'setSettings'; settings: IntegrationSettings }
  | { type: 'setParameters'; parameters: RunParameter[] };

export function applyOp(graph: Graph, op: GraphOp): Graph {
  switch (op.type) {
    case 'addNode':
      if (graph.nodes.some((n) => n.id === op.node.id)) return graph;
      return { ...graph, nodes: [...graph.nodes, op.node] };
    case 'removeNodes': {
      const ids = new Set(op.ids);
      return {
        ...graph,
        nodes: graph.nodes.filter((n) => !ids.has(n.id)),
        edges: graph.edges.filter((e) => !ids.has(e.source) && !ids.has(e.target)),
      };
    }
    case 'moveNode':
      return { ...graph, nodes: graph.nodes.map((n) => (n.id === op.id ? { ...n, position: op.position } : n)) };
    case 'updateConfig':
      return { ...graph, nodes: graph.nodes.map((n) => (n.id === op.id ? { ...n, config: op.config } : n)) };
    case 'renameNode':
      return { ...graph, nodes: graph.nodes.map((n) => (n.id === op.id ? { ...n, label: op.label } : n)) };
    case 'connect': {
      const e = op.edge;
      if (e.source === e.target) return graph;
      const duplicate = graph.edges.some(
        (x) => x.id === e.id || (x.source === e.source && x.target === e.target && (x.targetHandle ?? null) === (e.targetHandle ?? null)),
      );
      if (duplicate) return graph;
      return { ...graph, edges: [...graph.edges, e] };
    }
    case 'removeEdges': {
      const ids = new Set(op.ids);
      return { ...graph, edges: graph.edges.filter((e) => !ids.has(e.id)) };
    }
    case 'setValueMaps':
      return { ...graph, valueMaps: op.valueMaps };
    case 'setParameters': {
      // No parameters: no `parameters` key, so a graph that never had any stays as it was.
      const { parameters: _old, ...rest } = graph;
      return op.parameters.length > 0 ? { ...rest, parameters: op.parameters } : rest;
    }
    case 'setSettings': {
      // Unset settings are left out, so a graph without any keeps no empty `settings` object.
      const settings = Object.fromEntries(Object.entries(op.settings).filter(([, v]) => v !== undefined));
      const { settings: _old, ...rest } = graph;
      return Object.keys(settings).length > 0 ? { ...rest, settings } : rest;
    }
  }
}

export const applyOps = (graph: Graph, ops: readonly GraphOp[]): Graph => ops.reduce(applyOp, graph);

export const edgeId = (source: string, target: string) => `e-${source}-${target}`;

/** A fresh node id that does not collide with those in the graph: `<kind>-<n>`. */
export function nextNodeId(graph: Graph, kind: string): string {
  let n = graph.nodes.length + 1;
  const taken = new Set(graph.nodes.map((x) => x.id));
  while (taken.has(`${kind}-${n}`)) n++;
  return `${kind}-${n}`;
}
