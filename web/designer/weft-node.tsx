// A node on the canvas: a card with its category colour, icon, label, kind and config summary.
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { getKind } from '../../shared';
import type { WeftFlowNode } from './flow-ops';
import { KindIcon, kindLabelOf } from '../kinds/registry';
import { LinkMenu } from './link-menu';

function WeftNodeView({ data, selected }: NodeProps<WeftFlowNode>) {
  const { node, summary, errors } = data;
  const kind = getKind(node.kind);
  const category = kind?.category ?? 'transform';
  const kindLabel = kindLabelOf(node);
  const label = node.label?.trim() || kindLabel || node.kind;
  return (
    <div
      className={`wnode wnode--${category}${selected ? ' is-selected' : ''}${errors.length ? ' has-errors' : ''}`}
      data-testid={`node-${node.kind}`}
      data-node-id={node.id}
      title={errors.length ? errors.map((e) => e.message).join('\n') : undefined}
    >
      {kind?.inputs ? <Handle type="target" position={Position.Left} className="whandle" /> : null}
      <div className="wnode__icon">
        <KindIcon kind={node.kind} size={18} />
      </div>
      <div className="wnode__body">
        <div className="wnode__label">{label}</div>
        {label !== kindLabel ? <div className="wnode__kind">{kindLabel ?? `Unknown: ${node.kind}`}</div> : null}
        <div className={`wnode__summary${summary ? '' : ' muted'}`} data-testid="node-summary">
          {summary || '—'}
        </div>
      </div>
      {errors.length > 0 ? (
        <span className="wnode__badge" data-testid="node-error-badge" aria-label={`${errors.length} problems`}>
          {errors.length}
        </span>
      ) : null}
      {kind?.outputs ? <Handle type="source" position={Position.Right} className="whandle" /> : null}
      {selected ? <LinkMenu nodeId={node.id} name={label} /> : null}
    </div>
  );
}

export const WeftNode = memo(WeftNodeView);
export const nodeTypes = { weft: WeftNode };
