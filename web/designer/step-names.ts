// A new step is named after what it works on ("orders.csv", "customers", "contacts"), not its kind repeated on the
// card ("File · File"); a name the person typed is never replaced. Each kind's web registry entry says its name.
import type { GraphNode, GraphOp } from '../../shared';
import { defaultStepName } from '../kinds/registry';

export { defaultStepName };

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
