// "Connect to…" on a selected step: the keyboard (and mouse) way to draw a link between two steps, and to remove one,
// for people who cannot drag from a handle. A WAI-ARIA menu button; the menu lists only links the canvas would accept.
import { createContext, useContext, useLayoutEffect, useState, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import { getKind, type Graph, type GraphNode } from '../../shared';
import { IconArrowRight, IconX } from '../components/icons';
import { useMenuButton } from '../components/menu';
import { connectionProblem } from './flow-ops';

/** What a step is called on the canvas: its name, else its kind's label. */
export const stepName = (node: Pick<GraphNode, 'label' | 'kind'>) => node.label?.trim() || getKind(node.kind)?.label || node.kind;

export interface LinkChoice {
  kind: 'connect' | 'disconnect';
  /** The other step. */
  nodeId: string;
  name: string;
  /** For `disconnect`: the link to remove. */
  edgeId?: string;
}

/** The steps `nodeId` can link to (no loop, no second input, no target as a source), then its links that can go. */
export function linkChoices(graph: Graph, nodeId: string): LinkChoice[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const connect = graph.nodes
    .filter((n) => connectionProblem({ source: nodeId, target: n.id }, graph) === null)
    .map((n): LinkChoice => ({ kind: 'connect', nodeId: n.id, name: stepName(n) }));
  const disconnect = graph.edges
    .filter((e) => e.source === nodeId || e.target === nodeId)
    .map((e): LinkChoice => {
      const other = byId.get(e.source === nodeId ? e.target : e.source);
      return { kind: 'disconnect', nodeId: other?.id ?? '', name: other ? stepName(other) : '?', edgeId: e.id };
    });
  return [...connect, ...disconnect];
}

export interface LinkActions {
  choices: (nodeId: string) => LinkChoice[];
  choose: (nodeId: string, choice: LinkChoice) => void;
}
export const LinkActionsContext = createContext<LinkActions | null>(null);

export function LinkMenu({ nodeId, name }: { nodeId: string; name: string }) {
  const actions = useContext(LinkActionsContext);
  const menu = useMenuButton();
  const [pos, setPos] = useState<{ left: number; top: number } | null>(null);
  // The menu lives outside the zoomed canvas (so it is never scaled down); it follows its button while the canvas
  // pans, zooms or re-fits under it.
  useLayoutEffect(() => {
    if (!menu.open) return;
    let frame = 0;
    const place = () => {
      const r = menu.buttonRef.current?.getBoundingClientRect();
      if (r) setPos((p) => (p && p.left === r.left && p.top === r.bottom + 4 ? p : { left: r.left, top: r.bottom + 4 }));
      frame = requestAnimationFrame(place);
    };
    place();
    return () => cancelAnimationFrame(frame);
  }, [menu.open, menu.buttonRef]);
  if (!actions) return null;
  const choices = menu.open ? actions.choices(nodeId) : [];
  // Keys inside stay here: the node would take Enter, Escape and arrows as its own (select, move).
  const keep = (e: KeyboardEvent) => {
    if (e.key !== 'Tab') e.stopPropagation();
  };
  return (
    <>
      <button
        ref={menu.buttonRef}
        type="button"
        className="wnode__link-btn nodrag nopan"
        aria-haspopup="menu"
        aria-expanded={menu.open}
        aria-label={`Links of ${name}: connect to another step`}
        onClick={(e) => {
          e.stopPropagation();
          menu.setOpen(!menu.open);
        }}
        onKeyDown={(e) => {
          menu.onButtonKeyDown(e);
          keep(e);
        }}
        data-testid="connect-to"
      >
        Connect to… <IconArrowRight size={12} />
      </button>
      {menu.open
        ? createPortal(
            <div
              ref={menu.menuRef}
              className="menu link-menu"
              role="menu"
              aria-label={`Links of ${name}`}
              style={pos ? { left: pos.left, top: pos.top } : undefined}
              onKeyDown={(e) => {
                menu.onMenuKeyDown(e);
                keep(e);
              }}
              onMouseDown={(e) => e.stopPropagation()}
              data-testid="link-menu"
            >
              {choices.length === 0 ? (
                <div className="menu__label" role="presentation">
                  No step can take a link from {name}
                </div>
              ) : null}
              {choices.map((c) => (
                <button
                  key={`${c.kind}:${c.edgeId ?? c.nodeId}`}
                  type="button"
                  role="menuitem"
                  tabIndex={-1}
                  className="menu__item"
                  onClick={() => {
                    menu.close();
                    actions.choose(nodeId, c);
                  }}
                  data-testid={c.kind === 'connect' ? 'link-to' : 'unlink'}
                  data-node-id={c.nodeId}
                >
                  {c.kind === 'connect' ? <IconArrowRight size={14} /> : <IconX size={14} />}
                  <span className="menu__label">{c.kind === 'connect' ? `Connect to ${c.name}` : `Remove the link with ${c.name}`}</span>
                </button>
              ))}
            </div>,
            document.body,
          )
        : null}
    </>
  );
}
