// The nav's count of records waiting in the inbox (rejected or still failing): loaded lazily beside the shell, looked
// up again on every page change, every minute, and whenever the inbox page says its records changed.
import { useEffect } from 'react';
import * as routes from '../../shared/api/routes';
import { api } from '../api';
import { formatCount } from '../lib/format';
import { useLoad, usePageVisible, useReloadWhenShown } from '../lib/hooks';
import './inbox-badge.css';

/** The event the inbox page sends after its records changed (a resubmit settled, records ignored). */
export const INBOX_CHANGED = 'weft:inbox-changed';

export function InboxBadge({ refresh }: { refresh: unknown }) {
  const count = useLoad(() => api.call(routes.inboxCount), [JSON.stringify(refresh)]);
  const { reload } = count;
  // The minute's look-up pauses while the tab is hidden, and is made at once when it is shown (review16b).
  const visible = usePageVisible();
  useReloadWhenShown(visible, reload);
  useEffect(() => {
    window.addEventListener(INBOX_CHANGED, reload);
    const t = visible ? window.setInterval(reload, 60_000) : undefined;
    return () => {
      window.removeEventListener(INBOX_CHANGED, reload);
      window.clearInterval(t);
    };
  }, [reload, visible]);
  const n = count.data?.waiting ?? 0;
  if (n === 0) return null;
  return (
    <span className="nav-badge" data-testid="nav-inbox-count" aria-label={`${n} waiting`}>
      {n > 999 ? '999+' : formatCount(n)}
    </span>
  );
}
