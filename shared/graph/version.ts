// The graph's format version and an empty graph, without zod: the web app's first page makes a new integration
// before the route contracts load (web/api.ts). shared/graph/schema.ts builds the Graph schema on them.
import type { Graph } from './schema';

export const GRAPH_VERSION = 1;

export const emptyGraph = (): Graph => ({ version: GRAPH_VERSION, nodes: [], edges: [] });
