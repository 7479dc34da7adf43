// A new step is named after what it works on ("orders.csv", "customers", "contacts"), not its kind repeated on the
// card ("File · File"); a name the person typed is never replaced.
import type { GraphNode, GraphOp } from '../../shared';

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** The name a step gets from its settings, or null when they say nothing yet (or the kind has no natural name). */
export function defaultStepName(node: Pick<GraphNode, 'kind' | 'config'>): string | null {
  const c = node.config ?? {};
  switch (node.kind) {
    case 'csv-source':
      return str(c.fileName) || null;
    case 'sql-source':
    case 'sql-target': {
      const object = str(c.object);
      return object ? object.slice(object.lastIndexOf('.') + 1) : null;
    }
    case 'workspace-source':
    case 'workspace-target':
      return str(c.object) || null;
    default:
      return null;
  }
}

/**
 * The ops for a config change: the update, and a rename when the step still has no name of its own (none, or the
 * one its old settings gave it) and the new settings give it one.
 */
export function configChangeOps(node: GraphNode, config: Record<string, unknown>): GraphOp[] {
  const ops: GraphOp[] = [{ type: 'updateConfig', id: node.id, config }];
  const current = node.label?.trim() ?? '';
  const before = defaultStepName(node);
  const after = defaultStepName({ kind: node.kind, config });
  if (after && after !== current && (current === '' || current === before)) ops.push({ type: 'renameNode', id: node.id, label: after });
  return ops;
}
