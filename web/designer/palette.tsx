// The palette: every registered node kind, grouped by category, dragged (or clicked) onto the canvas.
import { KINDS, type KindCategory, type NodeKindDef } from '../../shared';
import { KindIcon } from '../kinds/registry';

export const DRAG_MIME = 'application/x-weft-kind';

const GROUPS: { category: KindCategory; title: string; hint: string }[] = [
  { category: 'source', title: 'Sources', hint: 'Where data comes from' },
  { category: 'transform', title: 'Transforms', hint: 'Shape and filter rows' },
  { category: 'target', title: 'Targets', hint: 'Where data goes' },
];

export function Palette({ onAdd }: { onAdd: (kind: string) => void }) {
  const kinds = Object.values(KINDS) as NodeKindDef<unknown>[];
  return (
    <aside className="palette" aria-label="Steps" data-testid="palette">
      <div className="palette__intro">Drag a step onto the canvas</div>
      {GROUPS.map((g) => (
        <section key={g.category} className="palette__group">
          <h3 className="palette__title">{g.title}</h3>
          {kinds
            .filter((k) => k.category === g.category)
            .map((k) => (
              <button
                type="button"
                key={k.kind}
                className={`palette-item palette-item--${k.category}`}
                draggable
                onDragStart={(e) => {
                  e.dataTransfer.setData(DRAG_MIME, k.kind);
                  e.dataTransfer.setData('text/plain', k.kind);
                  e.dataTransfer.effectAllowed = 'move';
                }}
                onClick={() => onAdd(k.kind)}
                title={`${k.description} Drag onto the canvas, or click to add.`}
                data-testid={`palette-${k.kind}`}
              >
                <span className={`kind-chip kind-chip--${k.category}`}>
                  <KindIcon kind={k.kind} size={16} />
                </span>
                <span className="palette-item__text">
                  <span className="palette-item__label">{k.label}</span>
                  <span className="palette-item__desc">{k.description}</span>
                </span>
              </button>
            ))}
        </section>
      ))}
    </aside>
  );
}
