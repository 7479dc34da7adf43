// The "Run now" button, which opens the Run now dialog (name, parameters, files), with a menu beside it: run at once
// with the defaults, or open the same dialog to replace files.
import { useId } from 'react';
import { useCan } from '../auth/session';
import { IconChevronRight, IconFile, IconPlay, Spinner } from '../components/icons';
import { useMenuButton } from '../components/menu';

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
  const menu = useMenuButton();
  const menuId = useId();
  const choose = (action: () => void) => () => {
    menu.close();
    action();
  };
  return (
    <div className="split-btn">
      <button type="button" className={`btn btn--${variant} split-btn__main`} onClick={onRunWithFiles} disabled={disabled || busy} title={title} data-testid={testId} aria-haspopup="dialog">
        {busy ? <Spinner /> : <IconPlay size={14} />}
        {label}
      </button>
      <button
        ref={menu.buttonRef}
        type="button"
        className={`btn btn--${variant} split-btn__toggle`}
        aria-label="More ways to run"
        aria-haspopup="menu"
        aria-expanded={menu.open}
        aria-controls={menu.open ? menuId : undefined}
        title="More ways to run"
        disabled={disabled || busy}
        onClick={() => menu.setOpen(!menu.open)}
        onKeyDown={menu.onButtonKeyDown}
        data-testid={`${testId}-menu`}
      >
        <IconChevronRight size={14} className="split-btn__chevron" />
      </button>
      {menu.open ? (
        <div ref={menu.menuRef} id={menuId} className={`menu menu--${align}`} role="menu" aria-label="Ways to run" onKeyDown={menu.onMenuKeyDown}>
          <button type="button" role="menuitem" tabIndex={-1} className="menu__item" onClick={choose(onRun)} data-testid="run-defaults">
            <IconPlay size={14} />
            <span>
              <span className="menu__label">Run with the defaults</span>
              <span className="menu__hint">Default parameters, the published files</span>
            </span>
          </button>
          <button type="button" role="menuitem" tabIndex={-1} className="menu__item" onClick={choose(onRunWithFiles)} data-testid="run-with-files">
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
