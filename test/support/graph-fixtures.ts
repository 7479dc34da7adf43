// Graphs that tests run, read from test/fixtures/graphs (as a stored graph is read) rather than written out in each
// test; a test changes only what it is about (a file id, an object name) through the graph's own config op.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withFilePreview } from '../../shared/graph/kinds/file-source';
import { applyOp } from '../../shared/graph/ops';
import { migrateGraph, type Graph } from '../../shared/graph/schema';

const GRAPHS = join(import.meta.dirname, '..', 'fixtures', 'graphs');

/** The graph in test/fixtures/graphs/<name>.json, with the given config fields changed on each named node. */
export function graphFixture(name: string, configs: Record<string, Record<string, unknown>> = {}): Graph {
  let graph = migrateGraph(JSON.parse(readFileSync(join(GRAPHS, `${name}.json`), 'utf8')));
  for (const [id, patch] of Object.entries(configs)) {
    const node = graph.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`The fixture graph ${name} has no node "${id}"`);
    graph = applyOp(graph, { type: 'updateConfig', id, config: { ...node.config, ...patch } });
  }
  return graph;
}

/** The graph with its file source `nodeId` stamped as previewed (publishing a file source needs its preview loaded). */
export function withPreviewedFile(graph: Graph, nodeId = 'source'): Graph {
  const node = graph.nodes.find((n) => n.id === nodeId);
  if (!node) throw new Error(`The graph has no node "${nodeId}"`);
  return applyOp(graph, { type: 'updateConfig', id: nodeId, config: withFilePreview(node.config) });
}
