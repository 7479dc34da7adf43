// New or edit connection: pick a system, name it, fill its settings (generated from its JSON Schema), test, save.
import { Modal } from '../components/modal';
import { onRadioGroupKeyDown, radioTabIndex } from '../components/radio-group';
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Connection, ConnectionTestResult, ConnectorInfo } from '../../shared';
import { api, ApiRequestError, errorMessage } from '../api';
import { IconAlert, IconCheck, IconKey, IconX, Spinner } from '../components/icons';
import type { FormField } from '../form/form-model';
import { isVisible } from '../form/form-model';
import { ConnectorIcon } from './connector-icon';
import { RestEndpoints, RestHeaders } from './rest-endpoints';
import { formatDateTime, relativeTime } from '../lib/format';
import { configToSend, connectorForm, initialConfig, isNarrow, issuesByField, patchFor, secretIsMultiline, secretsToSend, suggestName, type SecretEdit } from './connection-model';

interface Props {
  connectors: ConnectorInfo[];
  /** The connection being edited; null for a new one. */
  saved: Connection | null;
  takenNames: string[];
  onClose: () => void;
  onSaved: (c: Connection) => void;
  /** How a Connect (OAuth) that came back to this connection went: shown at the top of the form. */
  oauthOutcome?: { ok: boolean; message: string | null } | null;
}

export function ConnectionForm({ connectors, saved: savedProp, takenNames, onClose, onSaved, oauthOutcome = null }: Props) {
  // A new connection is saved by Connect before it leaves for the provider: from then on it is edited like a saved one.
  const [saved, setSaved] = useState<Connection | null>(savedProp);
  const [connectorId, setConnectorId] = useState<string | null>(saved?.connector ?? null);
  const connector = connectors.find((c) => c.id === connectorId) ?? null;
  const form = useMemo(() => (connector ? connectorForm(connector) : null), [connector]);
  const [name, setName] = useState(saved?.name ?? '');
  const [config, setConfig] = useState<Record<string, unknown>>(saved?.config ?? {});
  const [secrets, setSecrets] = useState<Record<string, SecretEdit>>({});
  const [issues, setIssues] = useState<Record<string, string[]>>({});
  const [testing, setTesting] = useState(false);
  const [saving, setSaving] = useState(false);
  const [result, setResult] = useState<ConnectionTestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const outcome = useRef<HTMLDivElement>(null);

  // The outcome sits under the fields; bring it into view when a test or a save answers.
  useEffect(() => {
    if (result || error) outcome.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [result, error]);

  function pick(info: ConnectorInfo) {
    setConnectorId(info.id);
    const f = connectorForm(info);
    setConfig(initialConfig(f.config));
    setSecrets(Object.fromEntries(f.secrets.map((s) => [s.key, { kind: 'replace', value: '' } as SecretEdit])));
    if (!name.trim() || connectors.some((c) => name.startsWith(c.name))) setName(suggestName(info.name, takenNames));
    setIssues({});
    setResult(null);
  }

  const edited = () => {
    setResult(null);
    setError(null);
  };

  function reportIssues(e: unknown) {
    if (e instanceof ApiRequestError && e.issues.length > 0) {
      setIssues(issuesByField(e.issues));
      setError(e.status === 409 ? e.message : 'Some settings need attention — see the fields marked below.');
    } else setError(errorMessage(e));
  }

  async function test() {
    if (!connector) return;
    setTesting(true);
    setResult(null);
    setError(null);
    setIssues({});
    try {
      setResult(
        await api.testConnectionSettings({
          connector: connector.id,
          config: configToSend(config),
          secrets: secretsToSend(secrets),
          ...(saved ? { connectionId: saved.id } : {}),
        }),
      );
    } catch (e) {
      reportIssues(e);
    } finally {
      setTesting(false);
    }
  }

  async function save() {
    if (!connector) return;
    setSaving(true);
    setError(null);
    setIssues({});
    try {
      const out = saved
        ? await api.updateConnection(saved.id, patchFor(saved, { name, config, secrets }))
        : await api.createConnection({ connector: connector.id, name: name.trim(), config: configToSend(config), secrets: secretsToSend(secrets) });
      // A test that passed in the form (and was not invalidated by an edit) is repeated on the saved
      // connection, so its card says "Connected" rather than "Not tested yet".
      if (result?.ok) {
        const tested = await api.testConnection(out.id).then(() => api.getConnection(out.id)).catch(() => out);
        onSaved(tested);
      } else onSaved(out);
    } catch (e) {
      reportIssues(e);
      setSaving(false);
    }
  }

  const [connecting, setConnecting] = useState(false);
  /** Connect (OAuth authorization code): saves what the form holds, then sends the browser to the provider. */
  async function connectOAuth() {
    if (!connector) return;
    setConnecting(true);
    setError(null);
    setIssues({});
    try {
      let id = saved?.id;
      if (saved) {
        const patch = patchFor(saved, { name, config, secrets });
        if (Object.keys(patch).length > 0) setSaved(await api.updateConnection(saved.id, patch));
      } else {
        const created = await api.createConnection({ connector: connector.id, name: name.trim(), config: configToSend(config), secrets: secretsToSend(secrets) });
        setSaved(created);
        setSecrets({});
        id = created.id;
      }
      const { url } = await api.authorizeConnection(id!, {});
      window.location.assign(url);
    } catch (e) {
      reportIssues(e);
      setConnecting(false);
    }
  }

  return (
    <Modal onClose={onClose} labelledBy="connection-form-title">
      <div className="dialog card" data-testid="connection-form">
        <header className="dialog__head">
          {connector ? <ConnectorIcon icon={connector.icon} size={32} /> : null}
          <div className="dialog__titles">
            <h2 className="dialog__title" id="connection-form-title">
              {saved ? `Edit ${saved.name}` : 'New connection'}
            </h2>
            <p className="dialog__subtitle muted">{connector ? connector.name : 'Which system do you want to connect?'}</p>
          </div>
          <button type="button" className="icon-btn icon-btn--quiet" aria-label="Close" onClick={onClose}>
            <IconX size={16} />
          </button>
        </header>
        <div className="dialog__body">
          {!saved ? (
            <div className="connector-picker" role="radiogroup" aria-label="System" onKeyDown={onRadioGroupKeyDown}>
              {connectors.length === 0 ? <p className="hint">No systems are installed on this server yet.</p> : null}
              {connectors.map((c, i) => (
                <button
                  key={c.id}
                  type="button"
                  role="radio"
                  aria-checked={c.id === connectorId}
                  tabIndex={radioTabIndex(c.id === connectorId, i, connectors.some((x) => x.id === connectorId))}
                  className={`connector-option${c.id === connectorId ? ' is-selected' : ''}`}
                  onClick={() => pick(c)}
                  data-testid={`connector-option-${c.id}`}
                >
                  <ConnectorIcon icon={c.icon} size={32} />
                  <span className="connector-option__text">
                    <span className="connector-option__name">{c.name}</span>
                    <span className="connector-option__desc" title={c.description}>
                      {c.description}
                    </span>
                  </span>
                </button>
              ))}
            </div>
          ) : null}
          {connector && form ? (
            <div className="form">
              <Row label="Connection name" errors={issues.name} hint="How this connection is listed when you pick a source or target.">
                {(id) => (
                  <input
                    id={id}
                    className={`input${issues.name ? ' is-invalid' : ''}`}
                    value={name}
                    maxLength={120}
                    onChange={(e) => {
                      setName(e.target.value);
                      edited();
                    }}
                    data-testid="connection-name"
                  />
                )}
              </Row>
              <div className="form-grid">
                {form.config.filter((f) => f.type !== 'list' && isVisible(f, config, form.config)).map((f) => (
                  <Row key={f.key} label={f.title} errors={issues[`config.${f.key}`]} wide={!isNarrow(f)} optional={!f.required && f.default === undefined}>
                    {(id) => (
                      <ConfigControl
                        id={id}
                        field={f}
                        value={config[f.key]}
                        invalid={Boolean(issues[`config.${f.key}`])}
                        onChange={(v) => {
                          setConfig((c) => ({ ...c, [f.key]: v }));
                          edited();
                        }}
                      />
                    )}
                  </Row>
                ))}
              </div>
              {connector.id === 'rest' ? (
                <RestHeaders
                  value={config.headers}
                  issues={issues}
                  onChange={(headers) => {
                    setConfig((c) => ({ ...c, headers }));
                    edited();
                  }}
                />
              ) : null}
              {form.secrets.length > 0 ? (
                <fieldset className="secrets">
                  <legend className="secrets__legend">
                    <IconKey size={14} /> Credentials
                  </legend>
                  <p className="hint">Encrypted on the server and never shown again.</p>
                  {/* Databases only: the Files connector queries with a formula and has no user to restrict. */}
                  {connector.queryLanguage === 'sql' ? (
                    <p className="hint" data-testid="least-privilege-hint">
                      For a source, use a least-privilege user that may only read what the integration needs (SELECT on those tables), never a superuser or the database owner.
                    </p>
                  ) : null}
                  {form.secrets.filter((f) => isVisible(f, config, form.config)).map((f) => (
                    <Row key={f.key} label={f.title} errors={issues[`secrets.${f.key}`]}>
                      {(id) => (
                        <SecretControl
                          id={id}
                          title={f.title}
                          multiline={connector ? secretIsMultiline(connector, f.key) : false}
                          stored={saved?.secretsSet.includes(f.key) ?? false}
                          edit={secrets[f.key] ?? { kind: 'keep' }}
                          onChange={(edit) => {
                            setSecrets((s) => ({ ...s, [f.key]: edit }));
                            edited();
                          }}
                        />
                      )}
                    </Row>
                  ))}
                  {connector.id === 'rest' && config.authType === 'oauth2-authorization-code' ? (
                    <OAuthConnect saved={saved} config={config} connecting={connecting} onConnect={connectOAuth} outcome={oauthOutcome} />
                  ) : null}
                </fieldset>
              ) : null}
              {connector.id === 'rest' ? (
                <RestEndpoints
                  value={config.objects}
                  issues={issues}
                  connectionId={saved?.id ?? null}
                  onChange={(objects) => {
                    setConfig((c) => ({ ...c, objects }));
                    edited();
                  }}
                />
              ) : null}
              <div ref={outcome} className="dialog__outcome">
              {result ? (
                <div className={`test-result test-result--${result.ok ? 'ok' : 'failed'}`} role="status" data-testid="test-result" data-ok={result.ok}>
                  {result.ok ? <IconCheck size={16} strokeWidth={2.5} /> : <IconAlert size={16} />}
                  <span>{result.ok && result.message === 'Connected' ? 'Connected — Weft can reach this system with these settings.' : result.message}</span>
                </div>
              ) : null}
              {result?.ok && result.warning ? (
                <div className="test-result test-result--warning" role="status" data-testid="test-warning">
                  <IconAlert size={16} />
                  <span>{result.warning}</span>
                </div>
              ) : null}
              {error ? (
                <div className="banner banner--error banner--sm" role="alert" data-testid="form-error">
                  <span>{error}</span>
                </div>
              ) : null}
              </div>
            </div>
          ) : null}
        </div>
        <footer className="dialog__foot">
          <button type="button" className="btn btn--secondary" onClick={test} disabled={!connector || testing} data-testid="test-connection">
            {testing ? <Spinner /> : null}
            {testing ? 'Testing…' : 'Test connection'}
          </button>
          <span className="spacer" />
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn--primary" onClick={save} disabled={!connector || saving} data-testid="save-connection">
            {saving ? <Spinner /> : null}
            {saved ? 'Save changes' : 'Save connection'}
          </button>
        </footer>
      </div>
    </Modal>
  );
}

function Row({ label, errors, hint, wide = true, optional, children }: { label: string; errors?: string[]; hint?: string; wide?: boolean; optional?: boolean; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className={`form-row${wide ? ' form-row--wide' : ''}`}>
      <label className="form-label" htmlFor={id}>
        {label}
        {optional ? <span className="form-label__optional"> (optional)</span> : null}
      </label>
      {children(id)}
      {hint && !errors ? <p className="hint">{hint}</p> : null}
      {errors ? (
        <div className="field-errors">
          {errors.map((m, i) => (
            <div key={i} className="field-error" data-testid="field-error">
              <IconAlert size={13} />
              <span>{m}</span>
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}

function ConfigControl({ id, field, value, invalid, onChange }: { id: string; field: FormField; value: unknown; invalid: boolean; onChange: (v: unknown) => void }) {
  const cls = `input${invalid ? ' is-invalid' : ''}`;
  switch (field.type) {
    case 'enum':
      return (
        <select id={id} className={`${cls} select`} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value)}>
          {value === undefined || value === '' ? <option value="">Choose…</option> : null}
          {field.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
    case 'boolean':
      return <input id={id} type="checkbox" className="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
    case 'number':
      return <input id={id} type="number" className={cls} value={typeof value === 'number' ? value : ''} onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))} />;
    default:
      return <input id={id} className={cls} value={typeof value === 'string' ? value : ''} spellCheck={false} autoComplete="off" onChange={(e) => onChange(e.target.value)} />;
  }
}

/** A stored secret shows as "•••••• set — Replace"; replacing opens an empty password box, never the old value. */
function SecretControl({ id, title, stored, edit, onChange, multiline = false }: { id: string; title: string; stored: boolean; edit: SecretEdit; onChange: (e: SecretEdit) => void; multiline?: boolean }) {
  if (stored && edit.kind === 'keep') {
    return (
      <div className="secret-set" data-testid="secret-set">
        <span className="secret-set__dots" aria-label={`${title} is set`}>
          ••••••
        </span>
        <span className="muted">set</span>
        <span className="spacer" />
        <button type="button" id={id} className="link-btn" onClick={() => onChange({ kind: 'replace', value: '' })}>
          Replace
        </button>
        <button type="button" className="link-btn link-btn--danger" onClick={() => onChange({ kind: 'clear' })}>
          Clear
        </button>
      </div>
    );
  }
  if (stored && edit.kind === 'clear') {
    return (
      <div className="secret-set secret-set--cleared">
        <span className="muted">Will be cleared when you save</span>
        <span className="spacer" />
        <button type="button" id={id} className="link-btn" onClick={() => onChange({ kind: 'keep' })}>
          Undo
        </button>
      </div>
    );
  }
  const value = edit.kind === 'replace' ? edit.value : '';
  const testId = `secret-${title.toLowerCase().replace(/\s+/g, '-')}`;
  return (
    <div className={`secret-input${multiline ? ' secret-input--multiline' : ''}`}>
      {multiline ? (
        // A pasted key is several lines; it is sent once and never shown again, like a password.
        <textarea
          id={id}
          className="input secret-textarea"
          value={value}
          rows={6}
          spellCheck={false}
          autoComplete="off"
          placeholder={stored ? 'Paste the new value' : '-----BEGIN PGP PRIVATE KEY BLOCK-----'}
          onChange={(e) => onChange({ kind: 'replace', value: e.target.value })}
          data-testid={testId}
        />
      ) : (
      <input
        id={id}
        type="password"
        className="input"
        value={value}
        autoComplete="new-password"
        placeholder={stored ? 'New value' : ''}
        onChange={(e) => onChange({ kind: 'replace', value: e.target.value })}
        data-testid={testId}
      />
      )}
      {stored ? (
        <button type="button" className="link-btn" onClick={() => onChange({ kind: 'keep' })}>
          Keep current
        </button>
      ) : null}
    </div>
  );
}

/**
 * The authorization-code flow's state on the form: "Connected as … · when" once Connect came back with tokens, and
 * the Connect button that sends the browser to the provider (saving the connection first).
 */
function OAuthConnect({ saved, config, connecting, onConnect, outcome }: { saved: Connection | null; config: Record<string, unknown>; connecting: boolean; onConnect: () => void; outcome: { ok: boolean; message: string | null } | null }) {
  const hasToken = saved?.secretsSet.includes('refreshToken') ?? false;
  const at = typeof saved?.config.authorizedAt === 'string' && saved.config.authorizedAt ? saved.config.authorizedAt : null;
  const as = typeof saved?.config.authorizedAs === 'string' && saved.config.authorizedAs ? saved.config.authorizedAs : null;
  const ready = typeof config.authorizeUrl === 'string' && config.authorizeUrl.trim() !== '' && typeof config.tokenUrl === 'string' && config.tokenUrl.trim() !== '' && typeof config.clientId === 'string' && config.clientId.trim() !== '';
  return (
    <div className="oauth-connect-block">
      {outcome && !outcome.ok ? (
        <div className="banner banner--error banner--sm" role="alert" data-testid="oauth-failed">
          <span>{outcome.message ?? 'Connect did not finish.'}</span>
        </div>
      ) : null}
      <div className="oauth-connect" data-testid="oauth-connect">
        {hasToken && at ? (
          <span className="oauth-connect__status oauth-connect__status--ok" data-testid="oauth-status" title={formatDateTime(at)}>
            <IconCheck size={15} strokeWidth={2.5} />
            <span>
              Connected{as ? <> as <strong>{as}</strong></> : null} · {relativeTime(at)}
            </span>
          </span>
        ) : hasToken ? (
          <span className="oauth-connect__status muted" data-testid="oauth-status">A refresh token is set (pasted). Connect to approve access in the browser instead.</span>
        ) : (
          <span className="oauth-connect__status muted" data-testid="oauth-status">
            Not connected yet. {ready ? 'Connect opens the provider, where you approve access; Weft keeps the tokens encrypted.' : 'Fill in the authorization URL, the token URL and the client ID first.'}
          </span>
        )}
        <button type="button" className={`btn btn--sm ${hasToken ? 'btn--secondary' : 'btn--primary'}`} onClick={onConnect} disabled={connecting || !ready} data-testid="oauth-connect-button">
          {connecting ? <Spinner /> : null}
          {hasToken ? 'Reconnect' : 'Connect'}
        </button>
      </div>
      <p className="hint">Register this redirect URI with the provider: <code data-testid="oauth-redirect-uri">{`${window.location.origin}/api/oauth/callback`}</code></p>
    </div>
  );
}
