// Members (lazy-loaded): the people aligned across systems. Member systems (a connection and where its users come
// from) with Refresh, the users no member matched (with why, and a way to resolve each by hand), and the members with
// their id in each system. MEMBER("system", [id]) in formulas reads this table (docs/members.md).
import { useMemo, useState, type FormEvent } from 'react';
import type { Connection, DiscoveredObjectInfo } from '../../shared';
import type { Member, MemberAccount, MemberSource, MemberSystem } from '../../shared/api/members';
import * as routes from '../../shared/api/routes';
import { api, errorMessage } from '../api';
import { useCan } from '../auth/session';
import { EmptyState, ErrorBanner } from '../components/empty-state';
import { IconPencil, IconPlus, IconTrash, IconX, Spinner } from '../components/icons';
import { Modal } from '../components/modal';
import { PageHeader } from '../components/page-header';
import { formatDateTime } from '../lib/format';
import { useLoad } from '../lib/hooks';
import { runAction, toast } from '../lib/toasts';
import './members.css';

export function MembersPage() {
  const data = useLoad(() => api.call(routes.getMembers), []);
  const canDesign = useCan('design');
  const [systemDialog, setSystemDialog] = useState<MemberSystem | 'new' | null>(null);
  const [memberDialog, setMemberDialog] = useState<Member | 'new' | null>(null);
  const view = data.data;
  const systems = view?.systems ?? [];
  const members = view?.members ?? [];
  const unmatched = view?.unmatched ?? [];

  const refresh = (s: MemberSystem) =>
    runAction({
      run: () => api.call(routes.refreshMemberSystem, { params: { id: s.id } }),
      done: (r) => (data.reload(), `${s.name}: ${r.read} users read, ${r.matched} matched${r.created ? ` (${r.created} new members)` : ''}, ${r.unmatched} unmatched`),
      errorText: (e) => (data.reload(), errorMessage(e)),
    });
  const removeSystem = (s: MemberSystem) =>
    runAction({
      confirm: { title: `Delete the member system "${s.name}"?`, message: `Its ${s.accounts} users go; members stay. Formulas calling MEMBER("${s.name}", …) stop publishing.`, confirmLabel: 'Delete', danger: true },
      run: () => api.call(routes.deleteMemberSystem, { params: { id: s.id } }),
      done: () => (data.reload(), `Deleted ${s.name}`),
      errorText: errorMessage,
    });
  const removeMember = (m: Member) =>
    runAction({
      confirm: { title: `Delete ${m.name || m.email || 'this member'}?`, message: 'Their users in each system become unmatched.', confirmLabel: 'Delete', danger: true },
      run: () => api.call(routes.deleteMember, { params: { id: m.id } }),
      done: () => (data.reload(), 'Member deleted'),
      errorText: errorMessage,
    });

  const actions = canDesign ? (
    <>
      <button type="button" className="btn btn--ghost" onClick={() => setMemberDialog('new')} data-testid="new-member">
        <IconPlus />
        Add member
      </button>
      <button type="button" className="btn btn--primary" onClick={() => setSystemDialog('new')} data-testid="new-member-system">
        <IconPlus />
        Add system
      </button>
    </>
  ) : null;

  return (
    <div className="page members-page">
      <PageHeader
        title="Members"
        meta={view ? <span className="muted">{`${members.length} member${members.length === 1 ? '' : 's'} · ${systems.length} system${systems.length === 1 ? '' : 's'}`}</span> : null}
        actions={actions}
      />
      <div className="page__body">
        {data.error ? <ErrorBanner message={errorMessage(data.error)} onRetry={data.reload} /> : null}
        {data.loading && !view ? (
          <div className="card table-card card--skeleton" />
        ) : systems.length === 0 && members.length === 0 && !data.error ? (
          <EmptyState title="Align people across systems" action={actions}>
            Owners, reps and CSMs have a different id in each system. Add each system whose users you map (its own user list, or a table with their id,
            email and name); Weft matches them on email and mappings turn one system&apos;s id into another&apos;s with{' '}
            <code className="code-inline">MEMBER(&quot;hubspot&quot;, [Owner])</code>.
          </EmptyState>
        ) : (
          <>
            <section className="section" aria-labelledby="member-systems-title">
              <h2 className="section__title" id="member-systems-title">
                Systems
              </h2>
              <p className="section__hint">Each system&apos;s users are read on Refresh and matched to members on email (spaces and case ignored). Links you make by hand are kept.</p>
              <div className="card table-card">
                <div className="table-scroll">
                  <table className="table" data-testid="member-systems">
                    <thead>
                      <tr>
                        <th>Name in formulas</th>
                        <th>Connection</th>
                        <th>Users from</th>
                        <th className="num">Users</th>
                        <th className="num">Unmatched</th>
                        <th>Last refresh</th>
                        {canDesign ? <th aria-label="Actions" /> : null}
                      </tr>
                    </thead>
                    <tbody>
                      {systems.map((s) => (
                        <tr key={s.id} data-testid="member-system-row" data-name={s.name}>
                          <td>
                            <code className="code-inline">{s.name}</code>
                          </td>
                          <td className="members-page__name">{s.connectionName || <span className="muted">Connection deleted</span>}</td>
                          <td className="members-page__source">{sourceText(s.source)}</td>
                          <td className="num">{s.accounts.toLocaleString('en-US')}</td>
                          <td className="num">{s.unmatched > 0 ? <span className="badge badge--amber">{s.unmatched.toLocaleString('en-US')}</span> : '0'}</td>
                          <td>
                            {s.refreshError ? (
                              <span className="members-page__error" role="note">
                                {s.refreshError}
                              </span>
                            ) : s.refreshedAt ? (
                              formatDateTime(s.refreshedAt)
                            ) : (
                              <span className="muted">Never</span>
                            )}
                          </td>
                          {canDesign ? (
                            <td className="actions-cell members-page__actions">
                              <button type="button" className="btn btn--sm" onClick={() => void refresh(s)} data-testid="refresh-members">
                                Refresh
                              </button>
                              <button type="button" className="icon-btn icon-btn--quiet" aria-label={`Edit ${s.name}`} onClick={() => setSystemDialog(s)}>
                                <IconPencil size={15} />
                              </button>
                              <button type="button" className="icon-btn icon-btn--quiet" aria-label={`Delete ${s.name}`} onClick={() => void removeSystem(s)}>
                                <IconTrash size={15} />
                              </button>
                            </td>
                          ) : null}
                        </tr>
                      ))}
                      {systems.length === 0 ? (
                        <tr>
                          <td colSpan={7} className="muted">
                            No systems yet: add one to match its users.
                          </td>
                        </tr>
                      ) : null}
                    </tbody>
                  </table>
                </div>
              </div>
            </section>

            {unmatched.length > 0 ? <Unmatched accounts={unmatched} members={members} canDesign={canDesign} onChanged={data.reload} /> : null}

            <section className="section" aria-labelledby="members-title">
              <h2 className="section__title" id="members-title">
                Members
              </h2>
              <div className="card table-card">
                <div className="table-scroll">
                  <table className="table" data-testid="members-table">
                    <thead>
                      <tr>
                        <th>Name</th>
                        <th>Email</th>
                        {systems.map((s) => (
                          <th key={s.id}>{s.name}</th>
                        ))}
                        {canDesign ? <th aria-label="Actions" /> : null}
                      </tr>
                    </thead>
                    <tbody>
                      {members.map((m) => (
                        <tr key={m.id} data-testid="member-row">
                          <td className="strong members-page__name">{m.name || <span className="muted">No name</span>}</td>
                          <td className="members-page__name">{m.email ?? <span className="muted">No email</span>}</td>
                          {systems.map((s) => {
                            const a = m.accounts.find((x) => x.systemId === s.id);
                            return (
                              <td key={s.id}>
                                {a ? (
                                  <span className="members-page__id">
                                    <code className="code-inline">{a.externalId}</code>
                                    {a.matchedBy === 'manual' ? <span className="badge badge--gray badge--plain">by hand</span> : null}
                                  </span>
                                ) : (
                                  <span className="muted" title={`No ${s.name} user has this member's email`}>
                                    —
                                  </span>
                                )}
                              </td>
                            );
                          })}
                          {canDesign ? (
                            <td className="actions-cell members-page__actions">
                              <button type="button" className="icon-btn icon-btn--quiet" aria-label={`Edit ${m.name || m.email || 'member'}`} onClick={() => setMemberDialog(m)}>
                                <IconPencil size={15} />
                              </button>
                              <button type="button" className="icon-btn icon-btn--quiet" aria-label={`Delete ${m.name || m.email || 'member'}`} onClick={() => void removeMember(m)}>
                                <IconTrash size={15} />
                              </button>
                            </td>
                          ) : null}
                        </tr>
                      ))}
                      {members.length === 0 ? (
                        <tr>
                          <td colSpan={3 + systems.length} className="muted">
                            No members yet: Refresh a system, or add one by hand.
                          </td>
                        </tr>
                      ) : null}
                    </tbody>
                  </table>
                </div>
              </div>
            </section>
          </>
        )}
      </div>
      {systemDialog ? <SystemDialog system={systemDialog === 'new' ? null : systemDialog} onClose={() => setSystemDialog(null)} onSaved={data.reload} /> : null}
      {memberDialog ? <MemberDialog member={memberDialog === 'new' ? null : memberDialog} onClose={() => setMemberDialog(null)} onSaved={data.reload} /> : null}
    </div>
  );
}

function sourceText(source: MemberSource): string {
  if (source.type === 'connector') return "The connection's own user list";
  return `Table ${source.table}: id ${JSON.stringify(source.idColumn)}, email ${JSON.stringify(source.emailColumn)}${source.nameColumn ? `, name ${JSON.stringify(source.nameColumn)}` : ''}`;
}

function Unmatched({ accounts, members, canDesign, onChanged }: { accounts: MemberAccount[]; members: Member[]; canDesign: boolean; onChanged: () => void }) {
  const [choice, setChoice] = useState<Record<string, string>>({});
  const keyOf = (a: MemberAccount) => `${a.systemId}\u0000${a.externalId}`;
  const link = (a: MemberAccount, body: { memberId: string } | { createMember: true }) =>
    runAction({
      run: () => api.call(routes.linkMemberAccount, { params: { id: a.systemId }, body: { externalId: a.externalId, ...body } }),
      done: () => (onChanged(), `${a.system} ${a.externalId} linked`),
      errorText: errorMessage,
    });
  const sorted = useMemo(() => [...members].sort((x, y) => (x.name || x.email || '').localeCompare(y.name || y.email || '')), [members]);
  return (
    <section className="section" aria-labelledby="unmatched-title">
      <h2 className="section__title" id="unmatched-title">
        Unmatched users <span className="badge badge--amber">{accounts.length}</span>
      </h2>
      <p className="section__hint">No member has their email, or two users share it. Until one is linked, MEMBER() rejects their records (or uses the Map&apos;s default member).</p>
      <div className="card table-card">
        <div className="table-scroll">
          <table className="table" data-testid="unmatched-table">
            <thead>
              <tr>
                <th>System</th>
                <th>Id</th>
                <th>Name</th>
                <th>Email</th>
                <th>Why</th>
                {canDesign ? <th>Resolve</th> : null}
              </tr>
            </thead>
            <tbody>
              {accounts.map((a) => (
                <tr key={keyOf(a)} data-testid="unmatched-row" data-id={a.externalId}>
                  <td>
                    <code className="code-inline">{a.system}</code>
                  </td>
                  <td>
                    <code className="code-inline">{a.externalId}</code>
                  </td>
                  <td className="members-page__name">{a.name ?? <span className="muted">—</span>}</td>
                  <td className="members-page__name">{a.email ?? <span className="muted">—</span>}</td>
                  <td className="members-page__why">{a.problem ?? ''}</td>
                  {canDesign ? (
                    <td>
                      <div className="members-page__resolve">
                        <select
                          className="input select select--sm"
                          aria-label={`Member for ${a.system} ${a.externalId}`}
                          value={choice[keyOf(a)] ?? ''}
                          onChange={(e) => setChoice({ ...choice, [keyOf(a)]: e.target.value })}
                          data-testid="link-member-select"
                        >
                          <option value="">Choose a member…</option>
                          {sorted.map((m) => (
                            <option key={m.id} value={m.id}>
                              {m.name || m.email || m.id}
                              {m.email && m.name ? ` (${m.email})` : ''}
                            </option>
                          ))}
                        </select>
                        <button type="button" className="btn btn--sm" disabled={!choice[keyOf(a)]} onClick={() => void link(a, { memberId: choice[keyOf(a)] as string })} data-testid="link-member">
                          Link
                        </button>
                        <button type="button" className="link-btn" onClick={() => void link(a, { createMember: true })} data-testid="make-member">
                          New member
                        </button>
                      </div>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}

function SystemDialog({ system, onClose, onSaved }: { system: MemberSystem | null; onClose: () => void; onSaved: () => void }) {
  const connections = useLoad(() => api.call(routes.listConnections), []);
  const [name, setName] = useState(system?.name ?? '');
  const [connectionId, setConnectionId] = useState(system?.connectionId ?? '');
  const [source, setSource] = useState<MemberSource>(system?.source ?? { type: 'table', table: '', idColumn: '', emailColumn: '', nameColumn: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const readable = (connections.data ?? []).filter((c: Connection) => c.connector !== 'files');
  const tables = useLoad<DiscoveredObjectInfo[] | null>(
    () => (connectionId && source.type === 'table' ? api.call(routes.discoverConnection, { params: { id: connectionId } }) : Promise.resolve(null)),
    [connectionId, source.type],
  );
  const table = source.type === 'table' ? tables.data?.find((t) => t.name === source.table) : undefined;
  const columns = table?.fields.map((f) => f.name) ?? [];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { name: name.trim(), connectionId, source: source.type === 'table' && !source.nameColumn ? { ...source, nameColumn: undefined } : source };
    try {
      if (system) await api.call(routes.updateMemberSystem, { params: { id: system.id }, body });
      else await api.call(routes.createMemberSystem, { body });
      toast(`Saved ${body.name}: Refresh it to read its users`, 'success');
      onSaved();
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const columnSelect = (label: string, key: 'idColumn' | 'emailColumn' | 'nameColumn', optional = false) =>
    source.type === 'table' ? (
      <div className="form-row">
        <label className="form-label" htmlFor={`ms-${key}`}>
          {label}
        </label>
        <select id={`ms-${key}`} className="input select" value={source[key] ?? ''} onChange={(e) => setSource({ ...source, [key]: e.target.value })} disabled={columns.length === 0} data-testid={`ms-${key}`}>
          <option value="">{optional ? 'None' : 'Choose a column…'}</option>
          {columns.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </div>
    ) : null;

  return (
    <Modal onClose={onClose} labelledBy="ms-title" dismissable={!busy}>
      <form className="dialog dialog--narrow card" onSubmit={(e) => void submit(e)} noValidate data-testid="member-system-dialog">
        <header className="dialog__head">
          <div className="dialog__titles">
            <h2 className="dialog__title" id="ms-title">
              {system ? `Edit ${system.name}` : 'Add a member system'}
            </h2>
            <p className="dialog__subtitle muted">A system whose users are matched to members on email.</p>
          </div>
          <button type="button" className="icon-btn icon-btn--quiet" aria-label="Close" onClick={onClose}>
            <IconX size={16} />
          </button>
        </header>
        <div className="dialog__body form">
          <div className="form-row">
            <label className="form-label" htmlFor="ms-name">
              Name in formulas
            </label>
            <input id="ms-name" className="input" value={name} placeholder="hubspot" onChange={(e) => setName(e.target.value)} autoFocus data-testid="ms-name" />
            <p className="hint">
              Lower-case letters, digits, _ and -. Mappings call it: <code className="code-inline">MEMBER(&quot;{name.trim() || 'hubspot'}&quot;, [Owner])</code>
            </p>
          </div>
          <div className="form-row">
            <label className="form-label" htmlFor="ms-connection">
              Connection
            </label>
            <select id="ms-connection" className="input select" value={connectionId} onChange={(e) => setConnectionId(e.target.value)} data-testid="ms-connection">
              <option value="">Choose a connection…</option>
              {readable.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
          <fieldset className="form-row members-page__choice">
            <legend className="form-label">Users from</legend>
            <label className="radio-line">
              <input type="radio" name="ms-source" checked={source.type === 'table'} onChange={() => setSource({ type: 'table', table: '', idColumn: '', emailColumn: '', nameColumn: '' })} />
              A table with the people (databases)
            </label>
            <label className="radio-line">
              <input type="radio" name="ms-source" checked={source.type === 'connector'} onChange={() => setSource({ type: 'connector' })} data-testid="ms-source-connector" />
              The connection&apos;s own user list (HubSpot owners, Salesforce users)
            </label>
          </fieldset>
          {source.type === 'table' ? (
            <>
              <div className="form-row">
                <label className="form-label" htmlFor="ms-table">
                  Table
                </label>
                <select id="ms-table" className="input select" value={source.table} onChange={(e) => setSource({ ...source, table: e.target.value, idColumn: '', emailColumn: '', nameColumn: '' })} disabled={!connectionId} data-testid="ms-table">
                  <option value="">{tables.loading ? 'Reading the tables…' : 'Choose a table…'}</option>
                  {(tables.data ?? []).map((t) => (
                    <option key={t.name} value={t.name}>
                      {t.label}
                    </option>
                  ))}
                </select>
                {tables.error ? <p className="hint hint--error">{errorMessage(tables.error)}</p> : null}
              </div>
              <div className="members-page__columns">
                {columnSelect('Id column', 'idColumn')}
                {columnSelect('Email column', 'emailColumn')}
                {columnSelect('Name column', 'nameColumn', true)}
              </div>
            </>
          ) : null}
          {error ? (
            <div className="banner banner--error banner--sm" role="alert">
              {error}
            </div>
          ) : null}
        </div>
        <footer className="dialog__foot">
          <span className="spacer" />
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy || !name.trim() || !connectionId} data-testid="ms-save">
            {busy ? <Spinner /> : null}
            Save
          </button>
        </footer>
      </form>
    </Modal>
  );
}

function MemberDialog({ member, onClose, onSaved }: { member: Member | null; onClose: () => void; onSaved: () => void }) {
  const [name, setName] = useState(member?.name ?? '');
  const [email, setEmail] = useState(member?.email ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { name: name.trim(), email: email.trim() === '' ? null : email.trim() };
    try {
      if (member) await api.call(routes.updateMember, { params: { id: member.id }, body });
      else await api.call(routes.createMember, { body });
      onSaved();
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal onClose={onClose} labelledBy="member-title" dismissable={!busy}>
      <form className="dialog dialog--narrow card" onSubmit={(e) => void submit(e)} noValidate data-testid="member-dialog">
        <header className="dialog__head">
          <div className="dialog__titles">
            <h2 className="dialog__title" id="member-title">
              {member ? 'Edit member' : 'Add a member'}
            </h2>
            <p className="dialog__subtitle muted">Users of each system with this email are linked to them at the next Refresh.</p>
          </div>
          <button type="button" className="icon-btn icon-btn--quiet" aria-label="Close" onClick={onClose}>
            <IconX size={16} />
          </button>
        </header>
        <div className="dialog__body form">
          <div className="form-row">
            <label className="form-label" htmlFor="member-name">
              Name
            </label>
            <input id="member-name" className="input" value={name} onChange={(e) => setName(e.target.value)} autoFocus data-testid="member-name" />
          </div>
          <div className="form-row">
            <label className="form-label" htmlFor="member-email">
              Email
            </label>
            <input id="member-email" className="input" type="email" value={email} onChange={(e) => setEmail(e.target.value)} data-testid="member-email" />
          </div>
          {error ? (
            <div className="banner banner--error banner--sm" role="alert">
              {error}
            </div>
          ) : null}
        </div>
        <footer className="dialog__foot">
          <span className="spacer" />
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy || (!name.trim() && !email.trim())} data-testid="member-save">
            {busy ? <Spinner /> : null}
            Save
          </button>
        </footer>
      </form>
    </Modal>
  );
}
