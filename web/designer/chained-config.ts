// What a step added after another starts with, so the obvious next action is already done: a Map maps every field
// reaching it (proposing the source table's key), a workspace object is named after the file or table the flow reads
// ("orders.csv" -> orders). The person changes either; nothing here is ever applied to a step they have edited.
import type { Graph, RowSchema } from '../../shared';
import { defaultStepName } from '../kinds/registry';
import { addAllFields } from '../form/widgets/mapping-widget';

/** A workspace object name from a file or table name: lower-case letters, digits and _, starting with a letter. */
export function objectNameFrom(name: string): string | null {
  const stem = name.replace(/\.(csv|tsv|txt|json|ndjson|jsonl|xlsx|xlsm|xls|gz|zip)$/gi, '').replace(/\.(csv|tsv|txt|json|ndjson|jsonl|xlsx|xlsm|xls)$/gi, '');
  const slug = stem
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '')
    .slice(0, 63)
    .replace(/_+$/, '');
  return slug === '' ? null : slug;
}

/** The source at the start of the chain that ends at `nodeId` (following single inputs back). */
function sourceOf(graph: Graph, nodeId: string): Graph['nodes'][number] | null {
  const seen = new Set<string>();
  let id: string | undefined = nodeId;
  while (id && !seen.has(id)) {
    seen.add(id);
    const incoming = graph.edges.find((e) => e.target === id);
    if (!incoming) return graph.nodes.find((n) => n.id === id) ?? null;
    id = incoming.source;
  }
  return null;
}

/** The config a new `kind` step starts with when it is chained after `anchorId`; null keeps the kind's defaults. */
export function chainedConfig(kind: string, graph: Graph, anchorId: string, upstream: RowSchema | null): Record<string, unknown> | null {
  if (kind === 'map' && upstream && upstream.fields.length > 0) return { fields: addAllFields([], upstream.fields, upstream.key) };
  if (kind === 'workspace-target') {
    const source = sourceOf(graph, anchorId);
    const name = source ? defaultStepName(source) : null;
    const object = name ? objectNameFrom(name) : null;
    return object ? { object, mode: 'upsert' } : null;
  }
  return null;
}
