// The operating side of one integration, on its history page: trigger tokens with a ready-to-copy curl line, alert
// settings, and the lifecycle (activate/deactivate, duplicate, delete with what goes and what stays).
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { AlertSettings, AlertView, DeletionSummary, Integration, TriggerTokenInfo } from '../../shared';
import * as routes from '../../shared/api/routes';
import { api, ApiRequestError, errorMessage } from '../api';
import { useCan } from '../auth/session';
import { IconKey, IconPlus, IconX, Spinner } from '../components/icons';
import { formatCount } from '../lib/format';
import { useLoad, useNow } from '../lib/hooks';
import { runAction, toast } from '../lib/toasts';
import { OnceSecret } from '../pages/users-page';
import { href, navigate } from '../router';
import { TokenTable, useCreateToken } from '../components/token-table';
import { Modal } from '../components/modal';

/** The command another system runs to start a run; `token` is the real one right after creating it, else a variable. */
export function curlLine(origin: string, integrationId: string, token: string): string {
  const url = `${origin}/api/integrations/${encodeURIComponent(integrationId)}/trigger`;
  return `curl -sS -X POST '${url}' -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '{"params":{}}'`;
}

export function OperationsPanel({ integration, onChanged }: { integration: Integration; onChanged: () => void }) {
  const canDesign = useCan('design');
  return (
    <div className="ops-panel" data-testid="operations-panel">
      {canDesign ? <TriggerTokens scope={integrationTokenScope(integration)} /> : null}
      {canDesign ? <AlertsCard integrationId={integration.id} /> : null}
      <LifecycleCard integration={integration} onChanged={onChanged} />
    </div>
  );
}

/** What a trigger-token panel manages: an integration's tokens, or an integration set's (web/sets), with its curl line. */
export interface TokenScope {
  id: string;
  name: string;
  /** "integration" or "set": the words of the panel and its dialog. */
  what: string;
  /** What one trigger starts: "a run", "a run of the set". */
  starts: string;
  list(): Promise<TriggerTokenInfo[]>;
  create(name: string): Promise<{ token: string }>;
  revoke(tokenId: string): Promise<void>;
  curl(origin: string, token: string): string;
  /** Under the curl line in the created-token dialog. */
  curlHint: ReactNode;
}

export const integrationTokenScope = (integration: Pick<Integration, 'id' | 'name'>): TokenScope => ({
  id: integration.id,
  name: integration.name,
  what: 'integration',
  starts: 'a run',
  list: () => api.call(routes.listTriggerTokens, { params: { id: integration.id } }),
  create: (name) => api.call(routes.createTriggerToken, { params: { id: integration.id }, body: { name } }),
  revoke: (tokenId) => api.call(routes.revokeTriggerToken, { params: { id: integration.id, tokenId } }),
  curl: (origin, token) => curlLine(origin, integration.id, token),
  curlHint: (
    <>
      Put parameters in <code className="code-inline">{'{"params":{…}}'}</code>. The answer (202) holds the run id and a status address that answers to the same token.
    </>
  ),
});

export function TriggerTokens({ scope }: { scope: TokenScope }) {
  const tokens = useLoad(() => scope.list(), [scope.id]);
  const now = useNow();
  const [creating, setCreating] = useState(false);
  const list = tokens.data ?? [];
  const revoke = (t: TriggerTokenInfo) =>
    runAction({
      confirm: `Revoke "${t.name}"? Systems triggering with it are refused at once.`,
      run: () => scope.revoke(t.id),
      done: () => (tokens.reload(), `Revoked ${t.name}`),
      errorText: errorMessage,
    });
  return (
    <section className="card ops-card ops-card--wide" data-testid="trigger-tokens">
      <header className="ops-card__head">
        <div>
          <h2 className="ops-card__title">Trigger API</h2>
          <p className="muted small">
            Another system starts {scope.starts} with a token that can trigger this {scope.what} and nothing else.
          </p>
        </div>
        <button type="button" className="btn btn--secondary btn--sm" onClick={() => setCreating(true)} data-testid="new-trigger-token">
          <IconPlus />
          New token
        </button>
      </header>
      <pre className="ops-curl" data-testid="curl-template">{scope.curl(window.location.origin, '$WEFT_TRIGGER_TOKEN')}</pre>
      {list.length === 0 ? (
        <p className="muted small ops-card__empty">{tokens.loading ? 'Loading…' : 'No tokens yet.'}</p>
      ) : (
        <div className="table-scroll ops-card__table">
          <TokenTable
            tokens={list}
            now={now}
            dense
            onRevoke={(t) => void revoke(t)}
            testIds={{ table: 'trigger-token-table', row: 'trigger-token-row', revoke: 'revoke-trigger-token' }}
          />
        </div>
      )}
      {creating ? <NewTriggerTokenDialog scope={scope} onClose={() => setCreating(false)} onCreated={tokens.reload} /> : null}
    </section>
  );
}

function NewTriggerTokenDialog({ scope, onClose, onCreated }: { scope: TokenScope; onClose: () => void; onCreated: () => void }) {
  const [name, setName] = useState('');
  const { busy, error, token, submit } = useCreateToken(() => scope.create(name), onCreated);
  return (
    <Modal onClose={onClose} labelledBy="trigger-token-title" dismissable={!token}>
      <form className="dialog card" onSubmit={submit} noValidate data-testid="trigger-token-dialog">
        <header className="dialog__head">
          <div className="dialog__titles">
            <h2 className="dialog__title" id="trigger-token-title">
              {token ? 'Copy the token now' : `New trigger token for ${scope.name}`}
            </h2>
            <p className="dialog__subtitle muted">{token ? 'It is shown this once; Weft keeps only a hash of it.' : `It can start runs of this ${scope.what} only.`}</p>
          </div>
          <button type="button" className="icon-btn icon-btn--quiet" aria-label="Close" onClick={onClose}>
            <IconX size={16} />
          </button>
        </header>
        <div className="dialog__body form">
          {token ? (
            <>
              <OnceSecret value={token} testId="created-trigger-token" />
              <div className="form-row">
                <span className="form-label">Start a run from a shell</span>
                <OnceSecret value={scope.curl(window.location.origin, token)} testId="trigger-curl" />
                <p className="hint">{scope.curlHint}</p>
              </div>
            </>
          ) : (
            <div className="form-row">
              <label className="form-label" htmlFor="trigger-token-name">
                Name
              </label>
              <input id="trigger-token-name" className="input" value={name} placeholder="e.g. ERP nightly export" onChange={(e) => setName(e.target.value)} autoFocus data-testid="trigger-token-name" />
              {error ? <p className="hint hint--error">{error}</p> : null}
            </div>
          )}
        </div>
        <footer className="dialog__foot">
          <span className="spacer" />
          {token ? (
            <button type="button" className="btn btn--primary" onClick={onClose} data-testid="trigger-token-done">
              I have copied it
            </button>
          ) : (
            <>
              <button type="button" className="btn btn--ghost" onClick={onClose}>
                Cancel
              </button>
              <button type="submit" className="btn btn--primary" disabled={busy || !name.trim()} data-testid="trigger-token-submit">
                {busy ? <Spinner /> : <IconKey />}
                Create token
              </button>
            </>
          )}
        </footer>
      </form>
    </Modal>
  );
}

const STATE_TEXT: Record<AlertView['state'], string> = {
  ok: 'No alert open',
  failing: 'Alerted: failing',
  errors: 'Alerted: too many rejected records',
  disabled: 'Alerted: deactivated',
};

function AlertsCard({ integrationId }: { integrationId: string }) {
  const view = useLoad(() => api.call(routes.getAlerts, { params: { id: integrationId } }), [integrationId]);
  const [form, setForm] = useState<AlertSettings | null>(null);
  const [emails, setEmails] = useState('');
  const [busy, setBusy] = useState(false);
  const [issues, setIssues] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    if (view.data) {
      setForm(view.data.settings);
      setEmails(view.data.settings.emails.join(', '));
    }
  }, [view.data]);
  if (!form || !view.data) return <section className="card ops-card card--skeleton" style={{ height: 200 }} />;
  const set = (patch: Partial<AlertSettings>) => setForm({ ...form, ...patch });

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!form) return;
    setBusy(true);
    setIssues(new Map());
    const body = { ...form, emails: emails.split(/[\s,;]+/).filter(Boolean) };
    try {
      await api.call(routes.setAlerts, { params: { id: integrationId }, body });
      toast('Alert settings saved', 'success');
      view.reload();
    } catch (err) {
      if (err instanceof ApiRequestError && err.issues.length > 0) setIssues(new Map(err.issues.map((i) => [i.path.split('.')[0]!, i.message])));
      else toast(errorMessage(err), 'error');
    } finally {
      setBusy(false);
    }
  }
  const rotate = () =>
    runAction({
      confirm: { title: 'Replace the signing secret?', message: 'Receivers that check X-Weft-Signature refuse alerts until they are given the new secret.', confirmLabel: 'Replace', danger: true },
      run: () => api.call(routes.rotateAlertSecret, { params: { id: integrationId } }),
      done: () => {
        view.reload();
        return 'A new signing secret was made: give it to the receivers';
      },
      errorText: errorMessage,
    });
  const v = view.data;
  return (
    <section className="card ops-card" data-testid="alerts-card">
      <header className="ops-card__head">
        <div>
          <h2 className="ops-card__title">Alerts</h2>
          <p className="muted small">Sent once when the state changes (a first failure, a deactivation), not for every run.</p>
        </div>
        <span className={`badge ${v.state === 'ok' ? 'badge--green' : 'badge--red'}`} data-testid="alert-state">
          {STATE_TEXT[v.state]}
          {v.consecutiveFailures > 0 ? ` · ${v.consecutiveFailures} failed in a row` : ''}
        </span>
      </header>
      <form className="form ops-alerts" onSubmit={save} noValidate>
        <div className="form-row">
          <label className="form-label" htmlFor="alert-emails">
            Email to
          </label>
          <input id="alert-emails" className="input" value={emails} placeholder="ops@example.com, lead@example.com" onChange={(e) => setEmails(e.target.value)} data-testid="alert-emails" />
          {issues.get('emails') ? <p className="hint hint--error">{issues.get('emails')}</p> : null}
          {!v.emailConfigured ? <p className="hint">Mail is not set up on this server (WEFT_SMTP_URL); webhooks still work.</p> : null}
        </div>
        <div className="form-row">
          <label className="form-label" htmlFor="alert-webhook">
            Webhook address
          </label>
          <input
            id="alert-webhook"
            className="input"
            value={form.webhookUrl ?? ''}
            placeholder="https://hooks.example.com/weft"
            onChange={(e) => set({ webhookUrl: e.target.value.trim() === '' ? null : e.target.value.trim() })}
            data-testid="alert-webhook"
          />
          {issues.get('webhookUrl') ? (
            <p className="hint hint--error" data-testid="alert-webhook-error">
              {issues.get('webhookUrl')}
            </p>
          ) : (
            <p className="hint">
              Signed with HMAC-SHA256: <code className="code-inline">X-Weft-Signature: sha256=…</code> over <code className="code-inline">{'<X-Weft-Timestamp>.<body>'}</code>, with the
              secret{' '}
              {v.webhookSecret === null ? (
                <span data-testid="webhook-secret-unreadable">that cannot be read with this server’s key: replace it</span>
              ) : (
                <code className="code-inline" data-testid="webhook-secret">{v.webhookSecret}</code>
              )}{' '}
              <button type="button" className="link-btn" onClick={() => void rotate()} data-testid="rotate-webhook-secret">
                Replace secret
              </button>
            </p>
          )}
        </div>
        <div className="ops-alerts__when">
          <label className="toggle">
            <input type="checkbox" className="checkbox" checked={form.onFailure} onChange={(e) => set({ onFailure: e.target.checked })} data-testid="alert-on-failure" />
            When a run fails
          </label>
          <label className="toggle">
            <input
              type="checkbox"
              className="checkbox"
              checked={form.rejectedAbovePercent !== null}
              onChange={(e) => set({ rejectedAbovePercent: e.target.checked ? 5 : null })}
              data-testid="alert-on-rejected"
            />
            When more than
            <input
              className="input input--num"
              type="number"
              min={0}
              max={100}
              step="any"
              disabled={form.rejectedAbovePercent === null}
              value={form.rejectedAbovePercent ?? 5}
              onChange={(e) => set({ rejectedAbovePercent: Number(e.target.value) })}
              aria-label="Percentage of rejected records"
              data-testid="alert-rejected-percent"
            />
            % of the records are rejected
          </label>
          <label className="toggle">
            <input type="checkbox" className="checkbox" checked={form.onAutoDisable} onChange={(e) => set({ onAutoDisable: e.target.checked })} data-testid="alert-on-disable" />
            When it is deactivated
          </label>
          <label className="toggle">
            Deactivate after
            <input
              className="input input--num"
              type="number"
              min={0}
              max={1000}
              value={form.autoDisableAfter}
              onChange={(e) => set({ autoDisableAfter: Math.max(0, Math.round(Number(e.target.value) || 0)) })}
              aria-label="Failed runs in a row before deactivating"
              data-testid="alert-disable-after"
            />
            failed runs in a row (0: never)
          </label>
        </div>
        <div className="ops-card__foot">
          <button type="submit" className="btn btn--primary btn--sm" disabled={busy} data-testid="alert-save">
            {busy ? <Spinner /> : null}
            Save alerts
          </button>
        </div>
      </form>
    </section>
  );
}

function LifecycleCard({ integration, onChanged }: { integration: Integration; onChanged: () => void }) {
  const canRun = useCan('run');
  const canDesign = useCan('design');
  const [deleting, setDeleting] = useState(false);
  const toggle = () =>
    runAction({
      run: () => api.call(routes.setActivation, { params: { id: integration.id }, body: { active: !integration.active } }),
      done: (i) => (onChanged(), i.active ? `Activated ${i.name}` : `Deactivated ${i.name}`),
      errorText: errorMessage,
    });
  const duplicate = () =>
    runAction({
      run: () => api.call(routes.duplicateIntegration, { params: { id: integration.id } }),
      done: (copy) => (navigate(href.designer(copy.id)), `Created ${copy.name}`),
      errorText: errorMessage,
    });
  return (
    <section className="card ops-card" data-testid="lifecycle-card">
      <header className="ops-card__head">
        <div>
          <h2 className="ops-card__title">Lifecycle</h2>
          <p className="muted small" data-testid="lifecycle-status">
            {integration.active ? 'Active: it runs by hand, by the trigger API and on its schedule.' : `Deactivated${integration.disabledReason ? `: ${integration.disabledReason}` : ''}. It does not run until activated.`}
          </p>
        </div>
        <span className={`badge ${integration.active ? 'badge--green' : 'badge--red'}`}>{integration.active ? 'Active' : 'Deactivated'}</span>
      </header>
      <div className="ops-card__actions">
        {canRun ? (
          <button type="button" className="btn btn--secondary btn--sm" onClick={() => void toggle()} data-testid="toggle-active">
            {integration.active ? 'Deactivate' : 'Activate'}
          </button>
        ) : null}
        {canDesign ? (
          <button type="button" className="btn btn--secondary btn--sm" onClick={() => void duplicate()} data-testid="duplicate-integration">
            Duplicate
          </button>
        ) : null}
        {canDesign ? (
          <button type="button" className="btn btn--danger-ghost btn--sm" onClick={() => setDeleting(true)} data-testid="delete-integration">
            Delete permanently…
          </button>
        ) : null}
      </div>
      {deleting ? <DeleteDialog integration={integration} onClose={() => setDeleting(false)} /> : null}
    </section>
  );
}

/** "1 run", "4 runs", and "no runs" rather than "0 runs" (the delete dialog read "0 trigger tokens"). */
const plural = (n: number, one: string, many: string) => (n === 0 ? `no ${many}` : `${formatCount(n)} ${n === 1 ? one : many}`);

function DeleteDialog({ integration, onClose }: { integration: Integration; onClose: () => void }) {
  const summary = useLoad(() => api.call(routes.deletionSummary, { params: { id: integration.id } }), [integration.id]);
  const [busy, setBusy] = useState(false);
  const s: DeletionSummary | undefined = summary.data;
  async function remove() {
    setBusy(true);
    const ok = await runAction({ run: () => api.deleteIntegration(integration.id), done: () => `Deleted ${integration.name}`, errorText: errorMessage });
    setBusy(false);
    if (ok) navigate(href.integrations());
  }
  return (
    <Modal onClose={onClose} labelledBy="delete-title" dismissable={!busy}>
      <div className="dialog dialog--narrow card" data-testid="delete-dialog">
        <header className="dialog__head">
          <div className="dialog__titles">
            <h2 className="dialog__title" id="delete-title">
              Delete “{integration.name}” permanently?
            </h2>
            <p className="dialog__subtitle muted">This cannot be undone.</p>
          </div>
          <button type="button" className="icon-btn icon-btn--quiet" aria-label="Close" onClick={onClose}>
            <IconX size={16} />
          </button>
        </header>
        <div className="dialog__body">
          {s ? (
            <>
              <p className="ops-list__label">Deleted with it</p>
              <ul className="ops-list" data-testid="delete-goes">
                <li>its design and {plural(s.versions, 'published version', 'published versions')}</li>
                <li>{plural(s.runs, 'run', 'runs')} of sync history</li>
                <li>{plural(s.rejectedRecords, 'rejected record', 'rejected records')} waiting to be fixed</li>
                <li>its schedule, if it has one</li>
                <li>{plural(s.tokens, 'trigger token', 'trigger tokens')} and its alert settings</li>
              </ul>
              <p className="ops-list__label">Kept</p>
              <ul className="ops-list" data-testid="delete-stays">
                <li>records it already wrote to its targets (workspace objects, databases, other systems)</li>
                <li>its connections and uploaded files</li>
              </ul>
            </>
          ) : (
            <p className="muted">{summary.error ? errorMessage(summary.error) : 'Counting…'}</p>
          )}
        </div>
        <footer className="dialog__foot">
          <span className="spacer" />
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn--danger btn--primary" disabled={busy || !s} onClick={() => void remove()} data-testid="confirm-delete">
            {busy ? <Spinner /> : null}
            Delete permanently
          </button>
        </footer>
      </div>
    </Modal>
  );
}
