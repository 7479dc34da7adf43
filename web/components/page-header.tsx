// The top bar every page starts with: breadcrumbs, a title (or an editable one) and actions.
import type { ReactNode } from 'react';

export function PageHeader({ crumbs, title, meta, actions }: { crumbs?: ReactNode; title: ReactNode; meta?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="topbar">
      <div className="topbar__heading">
        {crumbs ? <div className="topbar__crumbs">{crumbs}</div> : null}
        <div className="topbar__title-row">
          {typeof title === 'string' ? <h1 className="topbar__title" title={title}>
              {title}
            </h1> : title}
          {meta ? <div className="topbar__meta">{meta}</div> : null}
        </div>
      </div>
      {actions ? <div className="topbar__actions">{actions}</div> : null}
    </header>
  );
}
