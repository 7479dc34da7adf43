// The audit log (owner and admins): who did what and when, filtered by person, action and date.
import { useState } from 'react';
import { AUDIT_ACTIONS, type AuditAction, type AuditEntry } from '../../shared/api/auth';
import { api, errorMessage } from '../api';
import { EmptyState, ErrorBanner } from '../components/empty-state';
import { IconHistory, IconSearch } from '../components/icons';
import { PageHeader } from '../components/page-header';
import { formatCount, formatDateTime, relativeTime } from '../lib/format';
import { useDebounced, useLoad, useNow } from '../lib/hooks';
import { Pager } from './history-page';

const PAGE = 50;

export const ACTION_LABELS: Record<AuditAction, string> = {
  'auth.setup': 'Created the owner account',
  'auth.sign_in': 'Signed in',
  'auth.sign_in_failed': 'Failed to sign in',
  'auth.sign_out': 'Signed out',
  'auth.sign_out_everywhere': 'Signed out everywhere',
  'auth.password_changed': 'Changed their password',
  'auth.invite_accepted': 'Accepted an invitation',
  'integration.created': 'Created an integration',
  'integration.saved': 'Saved an integration',
  'integration.deleted': 'Deleted an integration',
  'integration.published': 'Published an integration',
  'integration.activated': 'Activated an integration',
  'integration.deactivated': 'Deactivated an integration',
  'integration.auto_disabled': 'Deactivated an integration after repeated failures',
  'integration.duplicated': 'Duplicated an integration',
  'integration.alerts_changed': 'Changed the alerts of an integration',
  'integration.alert_secret_rotated': 'Replaced the alert webhook signing secret of an integration',
  'integration.triggered': 'Triggered a run through the trigger API',
  'trigger_token.created': 'Created a trigger token',
  'trigger_token.revoked': 'Revoked a trigger token',
  'trigger_token.refused': 'Refused a trigger token',
  'webhook.secret_created': 'Made a webhook secret',
  'webhook.settings_changed': 'Changed how a webhook authenticates',
  'run.started': 'Started a run',
  'schedule.saved': 'Saved a schedule',
  'schedule.deleted': 'Removed a schedule',
  'set.created': 'Created a set',
  'set.saved': 'Changed a set',
  'set.deleted': 'Deleted a set',
  'set.started': 'Ran a set',
  'set.cancelled': 'Cancelled a set run',
  'set.triggered': 'Triggered a set (trigger API)',
  'set.schedule_saved': "Saved a set's schedule",
  'set.schedule_deleted': "Removed a set's schedule",
  'run.resumed': 'Resumed a failed run',
  'run.cancelled': 'Cancelled a run',
  'run.rerun': 'Ran a run again',
  'inbox.resubmitted': 'Resubmitted records',
  'inbox.ignored': 'Ignored records',
  'members.system_saved': 'Saved a member system',
  'members.system_deleted': 'Deleted a member system',
  'members.refreshed': 'Refreshed members from a system',
  'members.member_saved': 'Saved a member',
  'members.member_deleted': 'Deleted a member',
  'members.account_linked': 'Linked a user to a member',
  'connection.created': 'Created a connection',
  'connection.changed': 'Changed a connection',
  'connection.tested': 'Tested a connection',
  'connection.authorized': 'Connected a connection (OAuth)',
  'connection.authorization_failed': 'A connection could not connect (OAuth)',
  'connection.table_created': 'Created a table through a connection',
  'connection.duplicated': 'Duplicated a connection',
  'connection.deleted': 'Deleted a connection',
  'user.invited': 'Invited someone',
  'user.role_changed': 'Changed a role',
  'user.removed': 'Removed someone',
  'user.password_reset': 'Reset a password',
  'user.signed_out': 'Signed someone out',
  'token.created': 'Created an API token',
  'token.revoked': 'Revoked an API token',
};

const TONE: Partial<Record<AuditAction, string>> = {
  'auth.sign_in_failed': 'badge--red',
  'integration.deleted': 'badge--red',
  'connection.deleted': 'badge--red',
  'user.removed': 'badge--red',
  'token.revoked': 'badge--red',
  'trigger_token.revoked': 'badge--red',
  'trigger_token.refused': 'badge--red',
  'integration.auto_disabled': 'badge--red',
  'integration.triggered': 'badge--blue',
  'integration.published': 'badge--green',
  'run.started': 'badge--blue',
  'run.resumed': 'badge--blue',
  'run.cancelled': 'badge--gray',
  'run.rerun': 'badge--blue',
  'inbox.resubmitted': 'badge--blue',
  'inbox.ignored': 'badge--gray',
};

/** A day picked in a date input as the start (or the end) of that day, local time, in ISO. */
const dayBound = (day: string, end: boolean) => (day ? new Date(`${day}T${end ? '23:59:59.999' : '00:00:00'}`).toISOString() : undefined);

/** The detail in words: `version: 3 · from: viewer → editor`. */
function describe(e: AuditEntry): string {
  const d = e.detail;
  const parts: string[] = [];
  if (typeof d.version === 'number') parts.push(`version ${d.version}`);
  if (typeof d.from === 'string' && typeof d.to === 'string') parts.push(`${d.from} → ${d.to}`);
  if (typeof d.role === 'string') parts.push(`role ${d.role}`);
  if (typeof d.ok === 'boolean') parts.push(d.ok ? 'connected' : 'failed');
  if (Array.isArray(d.changed) && d.changed.length > 0) parts.push(`changed ${d.changed.join(', ')}`);
  if (Array.isArray(d.secrets) && d.secrets.length > 0) parts.push(`new ${d.secrets.join(', ')}`);
  if (typeof d.sessions === 'number') parts.push(`${d.sessions} session${d.sessions === 1 ? '' : 's'}`);
  if (typeof d.runId === 'string') parts.push(`run ${d.runId.slice(0, 12)}…`);
  if (typeof d.with === 'string') parts.push(`by ${d.with}`);
  return parts.join(' · ');
}

export function AuditPage() {
  const now = useNow();
  const [actor, setActor] = useState('');
  const [action, setAction] = useState<AuditAction | ''>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [offset, setOffset] = useState(0);
  const who = useDebounced(actor.trim(), 300);
  const entries = useLoad(
    () => api.listAudit({ actor: who || undefined, action, from: dayBound(from, false), to: dayBound(to, true), limit: PAGE, offset }),
    [who, action, from, to, offset],
  );
  const filtered = Boolean(who || action || from || to);
  const items = entries.data?.items ?? [];
  const total = entries.data?.total ?? 0;
  const reset = (f: () => void) => {
    f();
    setOffset(0);
  };

  return (
    <div className="page">
      <PageHeader title="Audit log" meta={entries.data ? <span className="muted">{formatCount(total)} {filtered ? 'matching' : 'entries'}</span> : null} />
      <div className="page__body">
        {entries.error ? <ErrorBanner message={errorMessage(entries.error)} onRetry={entries.reload} /> : null}
        <div className="card table-card">
          <div className="table-toolbar audit-filters">
            <label className="search">
              <IconSearch size={16} />
              <input
                placeholder="Person or token"
                value={actor}
                onChange={(e) => reset(() => setActor(e.target.value))}
                aria-label="Filter by person"
                data-testid="audit-actor"
              />
            </label>
            <select className="input select" value={action} onChange={(e) => reset(() => setAction(e.target.value as AuditAction | ''))} aria-label="Filter by action" data-testid="audit-action">
              <option value="">Every action</option>
              {AUDIT_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {ACTION_LABELS[a]}
                </option>
              ))}
            </select>
            <span className="date-range">
              <label className="date-filter">
                <span className="muted small">From</span>
                <input className="input input--sm" type="date" value={from} max={to || undefined} onChange={(e) => reset(() => setFrom(e.target.value))} data-testid="audit-from" />
              </label>
              <label className="date-filter">
                <span className="muted small">To</span>
                <input className="input input--sm" type="date" value={to} min={from || undefined} onChange={(e) => reset(() => setTo(e.target.value))} data-testid="audit-to" />
              </label>
            </span>
            <span className="spacer" />
            {filtered ? (
              <button
                type="button"
                className="btn btn--ghost btn--sm"
                onClick={() => {
                  setActor('');
                  setAction('');
                  setFrom('');
                  setTo('');
                  setOffset(0);
                }}
              >
                Clear filters
              </button>
            ) : null}
          </div>
          {entries.loading && !entries.data ? (
            <div className="card--skeleton admin-skeleton" />
          ) : items.length === 0 ? (
            <EmptyState compact icon={<IconHistory size={24} />} title={filtered ? 'Nothing matches these filters' : 'Nothing recorded yet'}>
              {filtered ? 'Try a wider date range or another action.' : 'Sign-ins, saves, publishes, runs and changes to connections, people and tokens show up here.'}
            </EmptyState>
          ) : (
            <div className="table-scroll" tabIndex={0} role="region" aria-label="Audit entries">
              <table className="table table--dense" data-testid="audit-table">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Who</th>
                    <th>What</th>
                    <th>On</th>
                    <th>Details</th>
                    <th className="audit-ip">From</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((e) => (
                    <tr key={e.id} data-testid="audit-row" data-action={e.action}>
                      <td title={e.at}>
                        <div>{formatDateTime(e.at, now)}</div>
                        <div className="muted small">{relativeTime(e.at, now)}</div>
                      </td>
                      <td className="truncate audit-actor">{e.actor}</td>
                      <td>
                        <span className={`badge badge--plain ${TONE[e.action] ?? 'badge--gray'}`}>{ACTION_LABELS[e.action]}</span>
                      </td>
                      <td className="truncate audit-target">
                        {e.targetName ?? e.targetId ?? '—'}
                        {e.targetType ? <div className="muted small">{e.targetType}</div> : null}
                      </td>
                      <td className="muted small">{describe(e) || '—'}</td>
                      <td className="muted small mono audit-ip">{e.ip ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager offset={offset} limit={PAGE} total={total} onChange={setOffset} />
        </div>
      </div>
    </div>
  );
}
