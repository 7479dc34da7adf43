// API tokens (owner and admins): for scripts and CI, each with a role; the token is shown once and kept only hashed.
import { Modal } from '../components/modal';
import { useState } from 'react';
import { AssignableRole, ROLE_HELP, ROLE_LABELS, type ApiTokenInfo } from '../../shared/api/auth';
import { api, errorMessage } from '../api';
import { TokenTable, useCreateToken } from '../components/token-table';
import { EmptyState, ErrorBanner } from '../components/empty-state';
import { IconKey, IconPlus, IconX, Spinner } from '../components/icons';
import { PageHeader } from '../components/page-header';
import { useLoad, useNow } from '../lib/hooks';
import { runAction } from '../lib/toasts';
import { OnceSecret, RoleBadge } from './users-page';

export function TokensPage() {
  const tokens = useLoad(() => api.listTokens(), []);
  const now = useNow();
  const [creating, setCreating] = useState(false);
  const list = tokens.data ?? [];

  const revoke = (t: ApiTokenInfo) =>
    runAction({
      confirm: { title: `Revoke "${t.name}"?`, message: 'Scripts using it stop working at once.', confirmLabel: 'Revoke', danger: true },
      run: () => api.revokeToken(t.id),
      done: () => (tokens.reload(), `Revoked ${t.name}`),
      errorText: errorMessage,
    });

  const newButton = (
    <button type="button" className="btn btn--primary" onClick={() => setCreating(true)} data-testid="new-token">
      <IconPlus />
      New token
    </button>
  );
  return (
    <div className="page">
      <PageHeader title="API tokens" meta={list.length > 0 ? <span className="muted">{list.length} active</span> : null} actions={list.length > 0 ? newButton : null} />
      <div className="page__body">
        {tokens.error ? <ErrorBanner message={errorMessage(tokens.error)} onRetry={tokens.reload} /> : null}
        {tokens.loading && !tokens.data ? (
          <div className="card table-card card--skeleton admin-skeleton" />
        ) : list.length === 0 && !tokens.error ? (
          <EmptyState icon={<IconKey size={28} />} title="Let scripts and CI use Weft" action={newButton}>
            A token signs API requests in with the role you give it: send it as <code className="code-inline">Authorization: Bearer weft_…</code>. On the
            server, <code className="code-inline">npm run weft -- token create --name NAME --role ROLE</code> makes one too.
          </EmptyState>
        ) : (
          <div className="card table-card">
            <TokenTable
              tokens={list}
              now={now}
              onRevoke={(t) => void revoke(t)}
              testIds={{ table: 'tokens-table', row: 'token-row', revoke: 'revoke-token' }}
              extra={[{ header: 'Role', cell: (t) => <RoleBadge role={t.role} /> }]}
            />
          </div>
        )}
      </div>
      {creating ? <NewTokenDialog onClose={() => setCreating(false)} onCreated={tokens.reload} /> : null}
    </div>
  );
}

function NewTokenDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<AssignableRole>('operator');
  const { busy, error, token, submit } = useCreateToken(() => api.createToken({ name, role }), onCreated);

  return (
    <Modal onClose={onClose} labelledBy="token-title" dismissable={!token}>
      <form className="dialog dialog--narrow card" onSubmit={submit} noValidate data-testid="token-dialog">
        <header className="dialog__head">
          <div className="dialog__titles">
            <h2 className="dialog__title" id="token-title">
              {token ? 'Copy your token now' : 'New API token'}
            </h2>
            <p className="dialog__subtitle muted">{token ? 'It is shown this once; Weft keeps only a hash of it.' : 'For a script, a CI job or another system.'}</p>
          </div>
          <button type="button" className="icon-btn icon-btn--quiet" aria-label="Close" onClick={onClose}>
            <IconX size={16} />
          </button>
        </header>
        <div className="dialog__body form">
          {token ? (
            <>
              <OnceSecret value={token} testId="created-token" />
              <p className="hint">
                Send it as <code className="code-inline">Authorization: Bearer {token.slice(0, 11)}…</code>. Revoke it here when it is no longer needed.
              </p>
            </>
          ) : (
            <>
              <div className="form-row">
                <label className="form-label" htmlFor="token-name">
                  Name
                </label>
                <input id="token-name" className="input" value={name} placeholder="e.g. nightly CI" onChange={(e) => setName(e.target.value)} autoFocus data-testid="token-name" />
              </div>
              <div className="form-row">
                <label className="form-label" htmlFor="token-role">
                  Role
                </label>
                <select id="token-role" className="input select" value={role} onChange={(e) => setRole(AssignableRole.parse(e.target.value))} data-testid="token-role">
                  {AssignableRole.options.map((r) => (
                    <option key={r} value={r}>
                      {ROLE_LABELS[r]}
                    </option>
                  ))}
                </select>
                <p className="hint">{ROLE_HELP[role]}. Give a token the smallest role its job needs.</p>
              </div>
              {error ? (
                <div className="banner banner--error banner--sm" role="alert">
                  {error}
                </div>
              ) : null}
            </>
          )}
        </div>
        <footer className="dialog__foot">
          <span className="spacer" />
          {token ? (
            <button type="button" className="btn btn--primary" onClick={onClose} data-testid="token-done">
              I have copied it
            </button>
          ) : (
            <>
              <button type="button" className="btn btn--ghost" onClick={onClose}>
                Cancel
              </button>
              <button type="submit" className="btn btn--primary" disabled={busy || !name.trim()} data-testid="token-submit">
                {busy ? <Spinner /> : null}
                Create token
              </button>
            </>
          )}
        </footer>
      </form>
    </Modal>
  );
}
