// The toolbar's problem count and the list it opens: every diagnostic, click to jump to its step.
import { useEffect, useRef } from 'react';
import { getKind, type Diagnostic, type Graph } from '../../shared';
import { IconAlert, IconCheck } from '../components/icons';

export function ProblemsButton({
  diagnostics,
  graph,
  open,
  onOpenChange,
  onFocusNode,
}: {
  diagnostics: Diagnostic[];
  graph: Graph;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onFocusNode: (nodeId: string) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onOpenChange(false);
    };
    const esc = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      // Focus inside the panel would fall to the body when it unmounts: give it back to the button.
      if (ref.current?.contains(document.activeElement)) ref.current.querySelector<HTMLElement>('[data-testid="problems"]')?.focus();
      onOpenChange(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', esc);
    };
  }, [open, onOpenChange]);

  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const count = diagnostics.length;
  const label = count === 0 ? 'No problems' : count === 1 ? '1 problem' : `${count} problems`;
  const nodeName = (id: string) => {
    const n = graph.nodes.find((x) => x.id === id);
    return n ? n.label?.trim() || getKind(n.kind)?.label || n.kind : id;
  };
  return (
    <div className="problems" ref={ref}>
      <button
        type="button"
        className={`problems__btn${errors > 0 ? ' problems__btn--error' : count > 0 ? ' problems__btn--warn' : ' problems__btn--ok'}`}
        onClick={() => onOpenChange(!open)}
        aria-expanded={open}
        data-testid="problems"
        data-count={count}
      >
        {count === 0 ? <IconCheck size={14} strokeWidth={2.5} /> : <IconAlert size={14} />}
        {label}
      </button>
      {open ? (
        <div className="problems__panel" role="dialog" aria-label="Problems" data-testid="problems-panel">
          {count === 0 ? (
            <div className="problems__empty">
              <IconCheck size={16} /> Everything checks out. Ready to publish.
            </div>
          ) : (
            <ul className="problems__list">
              {diagnostics.map((d, i) => (
                <li key={i}>
                  <button
                    type="button"
                    className="problems__item"
                    disabled={!d.nodeId}
                    onClick={() => {
                      if (d.nodeId) {
                        onFocusNode(d.nodeId);
                        onOpenChange(false);
                      }
                    }}
                    data-testid="problem-item"
                  >
                    <span className={`problems__sev problems__sev--${d.severity}`}>
                      <IconAlert size={14} />
                    </span>
                    <span className="problems__text">
                      <span>{d.message}</span>
                      <span className="muted small">{d.nodeId ? nodeName(d.nodeId) : 'Integration'}</span>
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </div>
  );
}
