// 'segmented' widget: a short enum as a row of buttons, one pressed (radio semantics, arrow keys move).
import type { KeyboardEvent } from 'react';

export function SegmentedControl({
  id,
  label,
  options,
  value,
  onChange,
  testId,
}: {
  id?: string;
  label: string;
  options: readonly { value: string; label: string }[];
  value: string;
  onChange: (value: string) => void;
  testId?: string;
}) {
  const index = options.findIndex((o) => o.value === value);
  const onKey = (e: KeyboardEvent) => {
    const step = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
    if (!step || options.length === 0) return;
    e.preventDefault();
    const next = options[(Math.max(index, 0) + step + options.length) % options.length];
    if (next) {
      onChange(next.value);
      const el = (e.currentTarget as HTMLElement).querySelector<HTMLButtonElement>(`[data-value="${CSS.escape(next.value)}"]`);
      el?.focus();
    }
  };
  return (
    <div id={id} className="segmented" role="radiogroup" aria-label={label} onKeyDown={onKey} data-testid={testId}>
      {options.map((o, i) => {
        const on = o.value === value;
        return (
          <button
            key={o.value}
            type="button"
            role="radio"
            aria-checked={on}
            tabIndex={on || (index < 0 && i === 0) ? 0 : -1}
            className={`segmented__option${on ? ' is-on' : ''}`}
            data-value={o.value}
            onClick={() => onChange(o.value)}
          >
            {o.label}
          </button>
        );
      })}
    </div>
  );
}
