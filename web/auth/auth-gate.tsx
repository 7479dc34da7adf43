// In front of the app: the first-owner setup on a fresh Weft, sign-in, and invitation links; the app once signed in.
import { useCallback, useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import type { SessionInfo } from '../../shared/api/auth';
import { api, ApiRequestError, errorMessage, onUnauthorized, setCsrfToken } from '../api';
import { Spinner, WeftMark } from '../components/icons';
import { toast } from '../lib/toasts';
import { href, navigate, useRoute } from '../router';
import { canOf, SessionContext, type SessionValue } from './session';

type State = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; info: SessionInfo };

export function AuthGate({ children }: { children: ReactNode }) {
  const route = useRoute();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const load = useCallback(async () => {
    try {
      const info = await api.session();
      setCsrfToken(info.csrfToken);
      setState({ kind: 'ready', info });
    } catch (e) {
      setState({ kind: 'error', message: errorMessage(e) });
    }
  }, []);
  useEffect(() => {
    void load();
    return onUnauthorized(() => void load());
  }, [load]);
  const signedIn = (info: SessionInfo) => {
    setCsrfToken(info.csrfToken);
    setState({ kind: 'ready', info });
  };

  const user = state.kind === 'ready' ? state.info.user : null;
  const value = useMemo<SessionValue | null>(
    () =>
      user
        ? {
            user,
            can: canOf(user),
            signOut: async () => {
              await api.signOut().catch(() => undefined);
              setCsrfToken(null);
              await load();
            },
            signOutEverywhere: async () => {
              const { sessions } = await api.signOutEverywhere();
              setCsrfToken(null);
              toast(`Signed out on ${sessions} device${sessions === 1 ? '' : 's'}`, 'success');
              await load();
            },
          }
        : null,
    [user, load],
  );

  if (route.name === 'invite') return <InvitePage token={route.token} signedInAs={user?.email ?? null} onDone={signedIn} />;
  if (state.kind === 'loading') {
    return (
      <div className="auth-screen" data-testid="auth-loading">
        <Spinner size={20} />
      </div>
    );
  }
  if (state.kind === 'error') {
    return (
      <AuthCard title="Weft is not reachable" subtitle={state.message}>
        <button type="button" className="btn btn--primary auth-card__submit" onClick={() => void load()}>
          Try again
        </button>
      </AuthCard>
    );
  }
  if (state.info.needsSetup) return <SetupPage onDone={signedIn} />;
  if (!value) return <SignInPage onDone={signedIn} />;
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

function AuthCard({ title, subtitle, children, testId }: { title: string; subtitle?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <div className="auth-screen">
      <div className="auth-card card" data-testid={testId}>
        <div className="auth-card__brand">
          <WeftMark size={36} />
          <span className="auth-card__wordmark">Weft</span>
        </div>
        <h1 className="auth-card__title">{title}</h1>
        {subtitle ? <p className="auth-card__subtitle">{subtitle}</p> : null}
        {children}
      </div>
    </div>
  );
}

function Field({ label, hint, error, children }: { label: string; hint?: string; error?: string; children: ReactNode }) {
  return (
    <label className="auth-field">
      <span className="form-label">{label}</span>
      {children}
      {error ? <span className="field-error">{error}</span> : hint ? <span className="hint">{hint}</span> : null}
    </label>
  );
}

/** Field-level messages from a 400, the rest as one banner. */
function useFormErrors() {
  const [issues, setIssues] = useState<Map<string, string>>(new Map());
  const [banner, setBanner] = useState<string | null>(null);
  return {
    issues,
    banner,
    clear: () => {
      setIssues(new Map());
      setBanner(null);
    },
    show: (e: unknown) => {
      if (e instanceof ApiRequestError && e.issues.length > 0) {
        setIssues(new Map(e.issues.map((i) => [i.path, i.message])));
        setBanner(null);
      } else {
        setIssues(new Map());
        setBanner(e instanceof ApiRequestError && e.code === 'wrong_credentials' ? 'That email and password do not match an account.' : errorMessage(e));
      }
    },
  };
}

function SetupPage({ onDone }: { onDone: (info: SessionInfo) => void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors();
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      onDone(await api.setup({ name, email, password }));
      navigate(href.integrations());
    } catch (err) {
      errors.show(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <AuthCard testId="setup-page" title="Set up the owner account" subtitle="This Weft is new. The first account owns it: it invites the others, and decides who may design, publish and run.">
      <form className="auth-form" onSubmit={submit} noValidate>
        <Field label="Your name" error={errors.issues.get('name')}>
          <input className="input" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} data-testid="setup-name" autoFocus />
        </Field>
        <Field label="Email" error={errors.issues.get('email')}>
          <input className="input" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} data-testid="setup-email" />
        </Field>
        <Field label="Password" hint="At least 8 characters. A sentence is easier to remember than symbols." error={errors.issues.get('password')}>
          <input className="input" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="setup-password" />
        </Field>
        {errors.banner ? (
          <div className="banner banner--error banner--sm" role="alert">
            {errors.banner}
          </div>
        ) : null}
        <button type="submit" className="btn btn--primary auth-card__submit" disabled={busy} data-testid="setup-submit">
          {busy ? <Spinner /> : null}
          Create the owner account
        </button>
      </form>
    </AuthCard>
  );
}

function SignInPage({ onDone }: { onDone: (info: SessionInfo) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors();
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      onDone(await api.signIn({ email, password }));
    } catch (err) {
      errors.show(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <AuthCard testId="sign-in-page" title="Sign in" subtitle="Design, publish and run your integrations.">
      <form className="auth-form" onSubmit={submit} noValidate>
        <Field label="Email" error={errors.issues.get('email')}>
          <input className="input" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} data-testid="sign-in-email" autoFocus />
        </Field>
        <Field label="Password" error={errors.issues.get('password')}>
          <input className="input" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="sign-in-password" />
        </Field>
        {errors.banner ? (
          <div className="banner banner--error banner--sm" role="alert" data-testid="sign-in-error">
            {errors.banner}
          </div>
        ) : null}
        <button type="submit" className="btn btn--primary auth-card__submit" disabled={busy || !email || !password} data-testid="sign-in-submit">
          {busy ? <Spinner /> : null}
          Sign in
        </button>
        <p className="auth-card__foot">Forgot your password? An admin of this Weft can send you a link to choose a new one.</p>
      </form>
    </AuthCard>
  );
}

function InvitePage({ token, signedInAs, onDone }: { token: string; signedInAs: string | null; onDone: (info: SessionInfo) => void }) {
  const [invite, setInvite] = useState<{ email: string; name: string } | null | 'invalid'>(null);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors();
  useEffect(() => {
    api.inviteInfo(token).then(
      (i) => {
        setInvite(i);
        setName(i.name);
      },
      () => setInvite('invalid'),
    );
  }, [token]);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      onDone(await api.acceptInvite(token, { name, password }));
      navigate(href.integrations());
    } catch (err) {
      errors.show(err);
    } finally {
      setBusy(false);
    }
  }
  if (invite === null) {
    return (
      <div className="auth-screen">
        <Spinner size={20} />
      </div>
    );
  }
  if (invite === 'invalid') {
    return (
      <AuthCard title="This invitation has expired" subtitle="Invitation links work once and for 7 days. Ask the person who invited you for a new one.">
        <a className="btn btn--secondary auth-card__submit" href={href.integrations()}>
          Go to sign-in
        </a>
      </AuthCard>
    );
  }
  return (
    <AuthCard testId="invite-page" title="Join Weft" subtitle={<>You were invited as <strong>{invite.email}</strong>. Choose a password to finish.</>}>
      <form className="auth-form" onSubmit={submit} noValidate>
        {signedInAs ? <div className="banner banner--info banner--sm">You are signed in as {signedInAs}; accepting signs you in as {invite.email} instead.</div> : null}
        <Field label="Your name" error={errors.issues.get('name')}>
          <input className="input" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Password" hint="At least 8 characters." error={errors.issues.get('password')}>
          <input className="input" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="invite-password" autoFocus />
        </Field>
        {errors.banner ? (
          <div className="banner banner--error banner--sm" role="alert">
            {errors.banner}
          </div>
        ) : null}
        <button type="submit" className="btn btn--primary auth-card__submit" disabled={busy} data-testid="invite-submit">
          {busy ? <Spinner /> : null}
          Join and sign in
        </button>
      </form>
    </AuthCard>
  );
}
