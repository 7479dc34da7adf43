// Connections: the systems integrations read from and write to, each with its last test and where it is used.
import { useEffect, useState } from 'react';
import type { Connection, ConnectorInfo } from '../../shared';
import { api, errorMessage } from '../api';
import { EmptyState, ErrorBanner } from '../components/empty-state';
import { IconAlert, IconCheck, IconClock, IconCopy, IconPencil, IconPlug, IconPlus, IconTrash, Spinner } from '../components/icons';
import { PageHeader } from '../components/page-header';
import { ConnectionForm } from '../connections/connection-form';
import { connectionSummary, testStatus, usedByText } from '../connections/connection-model';
import { ConnectorIcon } from '../connections/connector-icon';
import { useLoad, useNow } from '../lib/hooks';
import { confirmDialog } from '../lib/confirm';
import { toast } from '../lib/toasts';
import { href } from '../router';

type Editing = { mode: 'new' } | { mode: 'edit'; connection: Connection; oauth?: { ok: boolean; message: string | null } } | null;

/** What GET /api/oauth/callback sent the browser back with: #/connections?oauth=connected|failed&connection=…&message=… */
export function oauthReturn(hash: string): { ok: boolean; connection: string | null; message: string | null } | null {
  const query = hash.includes('?') ? new URLSearchParams(hash.slice(hash.indexOf('?') + 1)) : null;
  const oauth = query?.get('oauth');
  if (!query || (oauth !== 'connected' && oauth !== 'failed')) return null;
  return { ok: oauth === 'connected', connection: query.get('connection'), message: query.get('message')?.slice(0, 1000) ?? null };
}

export function ConnectionsPage() {
  const data = useLoad(() => Promise.all([api.listConnections(), api.listConnectors()]), []);
  const [editing, setEditing] = useState<Editing>(null);
  const [connections, connectors] = data.data ?? [[], []];
  const [returned, setReturned] = useState(() => oauthReturn(window.location.hash));
  const [oauthProblem, setOauthProblem] = useState<string | null>(null);

  // Back from Connect: the connection's form opens and says how it went; the address loses the outcome, so a reload does not repeat it.
  useEffect(() => {
    if (!returned || !data.data) return;
    const connection = returned.connection ? data.data[0].find((c) => c.id === returned.connection) : undefined;
    if (connection) setEditing({ mode: 'edit', connection, oauth: { ok: returned.ok, message: returned.message } });
    else if (!returned.ok) setOauthProblem(returned.message ?? 'Connect did not finish.');
    if (returned.ok && connection) toast(`${connection.name}: connected`, 'success');
    setReturned(null);
    window.history.replaceState(null, '', '#/connections');
  }, [returned, data.data]);

  const newButton = (
    <button type="button" className="btn btn--primary" onClick={() => setEditing({ mode: 'new' })} disabled={!data.data} data-testid="new-connection">
      <IconPlus />
      New connection
    </button>
  );

  return (
    <div className="page">
      <PageHeader
        title="Connections"
        meta={connections.length > 0 ? <span className="muted">{connections.length} total</span> : null}
        actions={connections.length > 0 ? newButton : null}
      />
      <div className="page__body">
        {data.error ? <ErrorBanner message={errorMessage(data.error)} onRetry={data.reload} /> : null}
        {oauthProblem ? (
          <div className="banner banner--error" role="alert" data-testid="oauth-failed">
            <span>{oauthProblem}</span>
          </div>
        ) : null}
        {data.loading && !data.data ? (
          <div className="connection-list">
            {[0, 1, 2].map((i) => (
              <div key={i} className="card card--skeleton connection-card--skeleton" />
            ))}
          </div>
        ) : connections.length === 0 && !data.error ? (
          <EmptyState icon={<IconPlug size={28} />} title="Connect a database or an app" action={newButton}>
            A connection keeps the address and credentials of one system. Test it once here, then pick it in any integration — the
            password is encrypted and never shown again.
          </EmptyState>
        ) : (
          <div className="connection-list">
            {connections.map((c) => (
              <ConnectionCard
                key={c.id}
                connection={c}
                connector={connectors.find((k) => k.id === c.connector)}
                onEdit={() => setEditing({ mode: 'edit', connection: c })}
                onChanged={data.reload}
              />
            ))}
          </div>
        )}
      </div>
      {editing ? (
        <ConnectionForm
          connectors={connectors}
          saved={editing.mode === 'edit' ? editing.connection : null}
          oauthOutcome={editing.mode === 'edit' ? (editing.oauth ?? null) : null}
          takenNames={connections.map((c) => c.name)}
          onClose={() => setEditing(null)}
          onSaved={(c) => {
            toast(editing.mode === 'edit' ? `Saved ${c.name}` : `Added ${c.name}`, 'success');
            setEditing(null);
            data.reload();
          }}
        />
      ) : null}
    </div>
  );
}

function ConnectionCard({ connection: c, connector, onEdit, onChanged }: { connection: Connection; connector: ConnectorInfo | undefined; onEdit: () => void; onChanged: () => void }) {
  const now = useNow();
  const [testing, setTesting] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const status = testStatus(c.lastTest, now);

  async function test() {
    setTesting(true);
    setProblem(null);
    try {
      const result = await api.testConnection(c.id);
      toast(result.ok ? `${c.name}: connected` : `${c.name}: ${result.message}`, result.ok ? 'success' : 'error');
      onChanged();
    } catch (e) {
      toast(errorMessage(e), 'error');
    } finally {
      setTesting(false);
    }
  }

  async function duplicate() {
    try {
      const copy = await api.duplicateConnection(c.id);
      toast(`Created ${copy.name}`, 'success');
      onChanged();
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  }

  async function remove() {
    if (!(await confirmDialog({ title: `Delete the connection "${c.name}"?`, message: 'Its saved credentials are deleted too.', confirmLabel: 'Delete', danger: true }))) return;
    setProblem(null);
    try {
      await api.deleteConnection(c.id);
      toast(`Deleted ${c.name}`, 'success');
      onChanged();
    } catch (e) {
      setProblem(errorMessage(e));
    }
  }

  return (
    <article className="card connection-card" data-testid="connection-card" data-id={c.id}>
      <ConnectorIcon icon={connector?.icon ?? c.connector} size={40} />
      <div className="connection-card__main">
        <div className="connection-card__title">
          <button type="button" className="connection-card__name" onClick={onEdit} title="Edit this connection">
            {c.name}
          </button>
          <span className="chip">{connector?.name ?? c.connector}</span>
        </div>
        <div className="connection-card__meta muted">
          <span className="mono truncate">{connectionSummary(c.config, c.secretsSet) || (c.connector === 'files' ? 'No PGP private key set' : '—')}</span>
          <span aria-hidden="true">·</span>
          <span className="truncate">
            {c.usedBy.length > 0 ? (
              <>
                Used by{' '}
                {c.usedBy.slice(0, 2).map((u, i) => (
                  <span key={u.id}>
                    {i > 0 ? (c.usedBy.length === 2 ? ' and ' : ', ') : null}
                    <a href={href.designer(u.id)}>{u.name}</a>
                  </span>
                ))}
                {c.usedBy.length > 2 ? ` and ${c.usedBy.length - 2} more` : null}
              </>
            ) : (
              usedByText(c.usedBy)
            )}
          </span>
        </div>
        {problem ? (
          <div className="banner banner--error banner--sm connection-card__problem" role="alert" data-testid="connection-problem">
            <span>{problem}</span>
          </div>
        ) : null}
      </div>
      <span className={`badge badge--${status.tone} connection-card__status`} title={status.detail ?? undefined} data-testid="connection-status" data-status={c.lastTest?.status ?? 'untested'}>
        {status.tone === 'green' ? <IconCheck size={12} strokeWidth={2.5} /> : status.tone === 'red' ? <IconAlert size={12} strokeWidth={2.25} /> : <IconClock size={12} />}
        <span className="truncate">{status.text}</span>
      </span>
      <div className="connection-card__actions">
        <button type="button" className="btn btn--secondary btn--sm" onClick={test} disabled={testing} data-testid="card-test-connection">
          {testing ? <Spinner size={14} /> : null}
          Test
        </button>
        <button type="button" className="icon-btn icon-btn--quiet" onClick={onEdit} aria-label={`Edit ${c.name}`} title="Edit">
          <IconPencil size={15} />
        </button>
        <button type="button" className="icon-btn icon-btn--quiet" onClick={duplicate} aria-label={`Duplicate ${c.name}`} title="Duplicate" data-testid="duplicate-connection">
          <IconCopy size={15} />
        </button>
        <button type="button" className="icon-btn icon-btn--quiet" onClick={remove} aria-label={`Delete ${c.name}`} title="Delete" data-testid="delete-connection">
          <IconTrash size={15} />
        </button>
      </div>
    </article>
  );
}
