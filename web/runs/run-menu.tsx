// The "Run now" button, which opens the Run now dialog (name, parameters, files), with a menu beside it: run at once
// with the defaults, or open the same dialog to replace files.
import { useEffect, useRef, useState } from 'react';
import { useCan } from '../auth/session';
import { IconChevronRight, IconFile, IconPlay, Spinner } from '../components/icons';

export interface RunMenuProps {
  label: string;
  /** Runs at once with the defaults (no name, default parameters, the published files). */
  onRun: () => void;
  /** Opens the Run now dialog: the main button and "Run with other files…". */
  onRunWithFiles: () => void;
  disabled?: boolean;
  busy?: boolean;
  title?: string;
  variant?: 'primary' | 'secondary';
  /** Which edge of the button the menu lines up with: 'end' in page headers, 'start' in cards on the left. */
  align?: 'start' | 'end';
  /** data-testid of the main button (the menu's are `${testId}-menu`, `run-with-files`). */
  testId?: string;
}

/** Shown only to roles that may start runs (the API refuses the others anyway). */
export function RunMenu(props: RunMenuProps) {
  return useCan('run') ? <RunMenuButton {...props} /> : null;
}

function RunMenuButton({ label, onRun, onRunWithFiles, disabled, busy, title, variant = 'secondary', align = 'end', testId = 'run-now' }: RunMenuProps) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const choose = (action: () => void) => () => {
    setOpen(false);
    action();
  };
  return (
    <div className="split-btn" ref={root}>
      <button type="button" className={`btn btn--${variant} split-btn__main`} onClick={onRunWithFiles} disabled={disabled || busy} title={title} data-testid={testId} aria-haspopup="dialog">
        {busy ? <Spinner /> : <IconPlay size={14} />}
        {label}
      </button>
      <button
        type="button"
        className={`btn btn--${variant} split-btn__toggle`}
        aria-label="More ways to run"
        aria-haspopup="menu"
        aria-expanded={open}
        title="More ways to run"
        disabled={disabled || busy}
        onClick={() => setOpen((o) => !o)}
        data-testid={`${testId}-menu`}
      >
        <IconChevronRight size={14} className="split-btn__chevron" />
      </button>
      {open ? (
        <div className={`menu menu--${align}`} role="menu">
          <button type="button" role="menuitem" className="menu__item" onClick={choose(onRun)} data-testid="run-defaults">
            <IconPlay size={14} />
            <span>
              <span className="menu__label">Run with the defaults</span>
              <span className="menu__hint">Default parameters, the published files</span>
            </span>
          </button>
          <button type="button" role="menuitem" className="menu__item" onClick={choose(onRunWithFiles)} data-testid="run-with-files">
            <IconFile size={14} />
            <span>
              <span className="menu__label">Run with other files…</span>
              <span className="menu__hint">Replace a source file for this run only</span>
            </span>
          </button>
        </div>
      ) : null}
    </div>
  );
}
