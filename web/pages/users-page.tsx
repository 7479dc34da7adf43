// Users (owner and admins): who has an account, their role, and inviting, re-roling, signing out and removing people.
import { Modal } from '../components/modal';
import { onRadioGroupKeyDown } from '../components/radio-group';
import { useState, type FormEvent } from 'react';
import { AssignableRole, ROLE_HELP, ROLE_LABELS, type Role, type User } from '../../shared/api/auth';
import { api, ApiRequestError, errorMessage } from '../api';
import { useSession } from '../auth/session';
import { EmptyState, ErrorBanner } from '../components/empty-state';
import { IconCopy, IconPlus, IconX, Spinner } from '../components/icons';
import { PageHeader } from '../components/page-header';
import { relativeTime } from '../lib/format';
import { useLoad, useNow } from '../lib/hooks';
import { runAction, toast } from '../lib/toasts';

const ROLE_TONE: Record<Role, string> = { owner: 'badge--blue', admin: 'badge--blue', editor: 'badge--green', operator: 'badge--amber', viewer: 'badge--gray' };

export function RoleBadge({ role }: { role: Role }) {
  return <span className={`badge badge--plain ${ROLE_TONE[role]}`}>{ROLE_LABELS[role]}</span>;
}

export function UsersPage() {
  const users = useLoad(() => api.listUsers(), []);
  const { user: me } = useSession();
  const now = useNow();
  const [inviting, setInviting] = useState(false);
  const [resetLink, setResetLink] = useState<{ user: User; inviteUrl: string } | null>(null);
  const list = users.data ?? [];

  const changeRole = (u: User, role: AssignableRole) =>
    runAction({ run: () => api.setUserRole(u.id, role), done: () => (users.reload(), `${u.name} is now ${ROLE_LABELS[role].toLowerCase()}`), errorText: errorMessage });
  const signOut = (u: User) =>
    runAction({
      run: () => api.signOutUser(u.id),
      done: ({ sessions }) => (sessions === 0 ? `${u.name} was not signed in anywhere` : `Signed ${u.name} out on ${sessions} device${sessions === 1 ? '' : 's'}`),
      errorText: errorMessage,
    });
  const resetPassword = (u: User) =>
    runAction({
      confirm: { title: `Reset ${u.name}'s password?`, message: 'They are signed out, and sign in again through a new invitation link.', confirmLabel: 'Reset password', danger: true },
      run: () => api.resetUser(u.id),
      done: ({ inviteUrl }) => {
        setResetLink({ user: u, inviteUrl });
        users.reload();
      },
      errorText: errorMessage,
    });
  const remove = (u: User) =>
    runAction({
      confirm: { title: `Remove ${u.name}?`, message: `${u.name} (${u.email}) is signed out at once and cannot sign in again.`, confirmLabel: 'Remove', danger: true },
      run: () => api.removeUser(u.id),
      done: () => (users.reload(), `Removed ${u.name}`),
      errorText: errorMessage,
    });

  const inviteButton = (
    <button type="button" className="btn btn--primary" onClick={() => setInviting(true)} data-testid="invite-user">
      <IconPlus />
      Invite someone
    </button>
  );
  return (
    <div className="page">
      <PageHeader title="Users" meta={list.length > 0 ? <span className="muted">{list.length} {list.length === 1 ? 'person' : 'people'}</span> : null} actions={inviteButton} />
      <div className="page__body">
        {users.error ? <ErrorBanner message={errorMessage(users.error)} onRetry={users.reload} /> : null}
        <div className="admin-layout">
          {users.loading && !users.data ? (
            <div className="card table-card card--skeleton admin-skeleton" />
          ) : list.length === 0 ? (
            <EmptyState title="Nobody yet" action={inviteButton} />
          ) : (
            <div className="card table-card">
              <table className="table" data-testid="users-table">
                <thead>
                  <tr>
                    <th>Person</th>
                    <th>Role</th>
                    <th>Status</th>
                    <th>Last sign-in</th>
                    <th aria-label="Actions" />
                  </tr>
                </thead>
                <tbody>
                  {list.map((u) => (
                    <tr key={u.id} data-testid="user-row" data-email={u.email}>
                      <td>
                        <div className="person">
                          <span className="avatar" aria-hidden>
                            {initials(u.name)}
                          </span>
                          <div className="person__text">
                            <div className="person__name">
                              {u.name}
                              {u.id === me.id ? <span className="muted"> (you)</span> : null}
                            </div>
                            <div className="muted small">{u.email}</div>
                          </div>
                        </div>
                      </td>
                      <td>
                        {u.role === 'owner' ? (
                          <RoleBadge role="owner" />
                        ) : (
                          <select
                            className="input select input--sm select--sm"
                            value={u.role}
                            aria-label={`Role of ${u.name}`}
                            onChange={(e) => void changeRole(u, AssignableRole.parse(e.target.value))}
                            data-testid="user-role"
                          >
                            {AssignableRole.options.map((r) => (
                              <option key={r} value={r}>
                                {ROLE_LABELS[r]}
                              </option>
                            ))}
                          </select>
                        )}
                      </td>
                      <td>{u.active ? <span className="badge badge--green">Active</span> : <span className="badge badge--amber">Invited</span>}</td>
                      <td title={u.lastSignInAt ?? undefined}>{u.lastSignInAt ? relativeTime(u.lastSignInAt, now) : <span className="muted">Never</span>}</td>
                      <td className="actions-cell">
                        {u.role !== 'owner' && u.id !== me.id ? (
                          <>
                            {u.active ? (
                              <button type="button" className="link-btn" onClick={() => void signOut(u)} title="End their sessions on every device">
                                Sign out
                              </button>
                            ) : null}
                            <button type="button" className="link-btn" onClick={() => void resetPassword(u)} title="For a forgotten password: a new invitation link" data-testid="reset-user">
                              Reset password
                            </button>
                            <button type="button" className="link-btn link-btn--danger" onClick={() => void remove(u)} data-testid="remove-user">
                              Remove
                            </button>
                          </>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <aside className="card role-guide" aria-label="What each role can do">
            <h2 className="role-guide__title">What each role can do</h2>
            <dl className="role-guide__list">
              {(Object.keys(ROLE_HELP) as Role[]).map((r) => (
                <div key={r} className="role-guide__item">
                  <dt>
                    <RoleBadge role={r} />
                  </dt>
                  <dd>{ROLE_HELP[r]}</dd>
                </div>
              ))}
            </dl>
            <p className="hint">A new role applies to the person’s next click; removing someone signs them out at once.</p>
          </aside>
        </div>
      </div>
      {resetLink ? <ResetLinkDialog user={resetLink.user} inviteUrl={resetLink.inviteUrl} onClose={() => setResetLink(null)} /> : null}
      {inviting ? (
        <InviteDialog onClose={() => setInviting(false)} onInvited={() => users.reload()} />
      ) : null}
    </div>
  );
}

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('') || '?';

function InviteDialog({ onClose, onInvited }: { onClose: () => void; onInvited: () => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<AssignableRole>('editor');
  const [how, setHow] = useState<'link' | 'password'>('link');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [issues, setIssues] = useState<Map<string, string>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ user: User; inviteUrl: string | null } | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setIssues(new Map());
    setError(null);
    try {
      const result = await api.inviteUser({ email, name, role, ...(how === 'password' ? { password } : {}) });
      setDone(result);
      onInvited();
    } catch (err) {
      if (err instanceof ApiRequestError && err.issues.length > 0) setIssues(new Map(err.issues.map((i) => [i.path, i.message])));
      else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal onClose={onClose} labelledBy="invite-title">
      <form className="dialog dialog--narrow card" onSubmit={submit} noValidate data-testid="invite-dialog">
        <header className="dialog__head">
          <div className="dialog__titles">
            <h2 className="dialog__title" id="invite-title">
              {done ? `${done.user.name} is invited` : 'Invite someone'}
            </h2>
            <p className="dialog__subtitle muted">{done ? done.user.email : 'They get their own sign-in and the role you choose.'}</p>
          </div>
          <button type="button" className="icon-btn icon-btn--quiet" aria-label="Close" onClick={onClose}>
            <IconX size={16} />
          </button>
        </header>
        <div className="dialog__body form">
          {done ? (
            done.inviteUrl ? (
              <>
                <p>Send this link to {done.user.name}. It works once, for 7 days, and is not shown again.</p>
                <OnceSecret value={done.inviteUrl} testId="invite-link" />
              </>
            ) : (
              <p data-testid="invite-done">
                {done.user.name} can sign in now with {done.user.email} and the password you set. Ask them to change it after their first sign-in.
              </p>
            )
          ) : (
            <>
              <div className="form-row">
                <label className="form-label" htmlFor="invite-email">
                  Email
                </label>
                <input id="invite-email" className="input" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus data-testid="invite-email" />
                {issues.get('email') ? <p className="field-error">{issues.get('email')}</p> : null}
              </div>
              <div className="form-row">
                <label className="form-label" htmlFor="invite-name">
                  Name
                </label>
                <input id="invite-name" className="input" value={name} onChange={(e) => setName(e.target.value)} data-testid="invite-name" />
                {issues.get('name') ? <p className="field-error">{issues.get('name')}</p> : null}
              </div>
              <div className="form-row">
                <label className="form-label" htmlFor="invite-role">
                  Role
                </label>
                <select id="invite-role" className="input select" value={role} onChange={(e) => setRole(AssignableRole.parse(e.target.value))} data-testid="invite-role">
                  {AssignableRole.options.map((r) => (
                    <option key={r} value={r}>
                      {ROLE_LABELS[r]}
                    </option>
                  ))}
                </select>
                <p className="hint">{ROLE_HELP[role]}.</p>
              </div>
              <div className="form-row">
                <span className="form-label">How they sign in the first time</span>
                <div className="segmented" role="radiogroup" aria-label="How they sign in" onKeyDown={onRadioGroupKeyDown}>
                  <button type="button" role="radio" aria-checked={how === 'link'} tabIndex={how === 'link' ? 0 : -1} className={`segmented__option${how === 'link' ? ' is-on' : ''}`} onClick={() => setHow('link')}>
                    Invitation link
                  </button>
                  <button
                    type="button"
                    role="radio"
                    aria-checked={how === 'password'}
                    tabIndex={how === 'password' ? 0 : -1}
                    className={`segmented__option${how === 'password' ? ' is-on' : ''}`}
                    onClick={() => setHow('password')}
                    data-testid="invite-with-password"
                  >
                    A password I set
                  </button>
                </div>
              </div>
              {how === 'password' ? (
                <div className="form-row">
                  <label className="form-label" htmlFor="invite-password">
                    Initial password
                  </label>
                  <input id="invite-password" className="input" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="invite-initial-password" />
                  {issues.get('password') ? <p className="field-error">{issues.get('password')}</p> : <p className="hint">At least 8 characters; pass it on privately.</p>}
                </div>
              ) : null}
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
          {done ? (
            <button type="button" className="btn btn--primary" onClick={onClose} data-testid="invite-close">
              Done
            </button>
          ) : (
            <>
              <button type="button" className="btn btn--ghost" onClick={onClose}>
                Cancel
              </button>
              <button type="submit" className="btn btn--primary" disabled={busy} data-testid="invite-submit">
                {busy ? <Spinner /> : null}
                Invite
              </button>
            </>
          )}
        </footer>
      </form>
    </Modal>
  );
}

function ResetLinkDialog({ user, inviteUrl, onClose }: { user: User; inviteUrl: string; onClose: () => void }) {
  return (
    <Modal onClose={onClose} labelledBy="reset-title">
      <div className="dialog dialog--narrow card" data-testid="reset-dialog">
        <header className="dialog__head">
          <div className="dialog__titles">
            <h2 className="dialog__title" id="reset-title">
              {user.name} can choose a new password
            </h2>
            <p className="dialog__subtitle muted">{user.email} was signed out everywhere.</p>
          </div>
          <button type="button" className="icon-btn icon-btn--quiet" aria-label="Close" onClick={onClose}>
            <IconX size={16} />
          </button>
        </header>
        <div className="dialog__body form">
          <p>Send this link to {user.name}. It works once, for 7 days, and is not shown again.</p>
          <OnceSecret value={inviteUrl} testId="reset-link" />
        </div>
        <footer className="dialog__foot">
          <span className="spacer" />
          <button type="button" className="btn btn--primary" onClick={onClose}>
            Done
          </button>
        </footer>
      </div>
    </Modal>
  );
}

/** A secret shown once (a token, an invitation link), with a copy button. */
export function OnceSecret({ value, testId }: { value: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="once-secret">
      <input className="input mono once-secret__value" readOnly value={value} onFocus={(e) => e.currentTarget.select()} data-testid={testId} aria-label="Shown once" />
      <button
        type="button"
        className="btn btn--secondary"
        onClick={() => {
          void navigator.clipboard?.writeText(value).then(
            () => setCopied(true),
            () => toast('Select the text and copy it with Ctrl+C', 'info'),
          );
        }}
      >
        <IconCopy />
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}
