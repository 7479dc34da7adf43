// The app shell: sidebar navigation, the page for the current hash route, and who is signed in.
import { lazy, Suspense, useEffect, useRef, useState, type ReactNode } from 'react';
import { ROLE_LABELS } from '../shared/api/roles';
import { api, errorMessage } from './api';
import { useSession } from './auth/session';
import { IconDatabase, IconHistory, IconInbox, IconIntegrations, IconKey, IconPlug, Spinner, WeftMark } from './components/icons';
import { EmptyState } from './components/empty-state';
import { confirmDialog } from './lib/confirm';
import { useMediaQuery, usePageVisible, WIDE_SCREEN } from './lib/hooks';
import { toast } from './lib/toasts';
import { useMenuButton } from './components/menu';
import { ChangePasswordDialog } from './auth/change-password';
import { IntegrationsPage } from './pages/integrations-page';
import { NotFoundPage } from './pages/not-found-page';
import { href, useRoute, type Route } from './router';

// The designer carries React Flow and the compiler; load it only when it is opened.
const DesignerPage = lazy(() => import('./designer/designer-page'));
// Every other page loads when first opened, so the first visit (the integrations list) downloads less.
const HistoryPage = lazy(() => import('./pages/history-page').then((m) => ({ default: m.HistoryPage })));
const RunPage = lazy(() => import('./pages/run-page').then((m) => ({ default: m.RunPage })));
const ConnectionsPage = lazy(() => import('./pages/connections-page').then((m) => ({ default: m.ConnectionsPage })));
const WorkspacePage = lazy(() => import('./pages/workspace-page').then((m) => ({ default: m.WorkspacePage })));
const UsersPage = lazy(() => import('./pages/users-page').then((m) => ({ default: m.UsersPage })));
const TokensPage = lazy(() => import('./pages/tokens-page').then((m) => ({ default: m.TokensPage })));
// The inbox's count badge is its own small lazy module, so the shell's bundle does not carry the inbox's shapes.
const InboxBadge = lazy(() => import('./pages/inbox-badge').then((m) => ({ default: m.InboxBadge })));
const InboxPage = lazy(() => import('./pages/inbox-page').then((m) => ({ default: m.InboxPage })));
const SetsPage = lazy(() => import('./sets/sets-page').then((m) => ({ default: m.SetsPage })));
const MembersPage = lazy(() => import('./members/members-page').then((m) => ({ default: m.MembersPage })));
const AuditPage = lazy(() => import('./pages/audit-page').then((m) => ({ default: m.AuditPage })));

const TITLES: Record<Route['name'], string> = {
  integrations: 'Integrations',
  designer: 'Designer',
  history: 'Sync history',
  run: 'Run',
  connections: 'Connections',
  sets: 'Integration sets',
  workspace: 'Workspace',
  users: 'Users',
  members: 'Members',
  tokens: 'API tokens',
  audit: 'Audit log',
  inbox: 'Record inbox',
  invite: 'Invitation',
  'not-found': 'Not found',
};

/** Stacked sheets: a set of integrations run in order. */
const IconLayers = ({ size = 18 }: { size?: number }) => (
  <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden>
    <path d="m12 3 9 5-9 5-9-5 9-5Z" />
    <path d="m3 13 9 5 9-5" />
  </svg>
);

const IconUsers = ({ size = 18 }: { size?: number }) => (
  <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden>
    <circle cx="9" cy="8" r="3.5" />
    <path d="M2.5 20a6.5 6.5 0 0 1 13 0M16 4.6a3.5 3.5 0 0 1 0 6.8M18.5 14.2A6.5 6.5 0 0 1 21.5 20" />
  </svg>
);

/** Two people linked: the members aligned across systems. */
const IconPeople = ({ size = 18 }: { size?: number }) => (
  <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden>
    <circle cx="8" cy="8" r="3" />
    <circle cx="16.5" cy="9.5" r="2.5" />
    <path d="M2.5 19a5.5 5.5 0 0 1 11 0M14 19a4.5 4.5 0 0 1 7.5-3.4" />
  </svg>
);

export function App() {
  const route = useRoute();
  useEffect(() => {
    document.title = `${TITLES[route.name]} · Weft`;
  }, [route.name]);
  useFocusOnRouteChange(window.location.hash);
  const { can } = useSession();
  const admin = can('admin');
  const section = (['workspace', 'connections', 'members', 'inbox', 'sets', 'users', 'tokens', 'audit'] as const).find((n) => n === route.name) ?? 'integrations';
  // The designer needs the width, and so does every page below ~1200 px: the sidebar folds to an icon rail there.
  const wide = useMediaQuery(WIDE_SCREEN);
  const compact = route.name === 'designer' || !wide;
  return (
    <div className={`app${compact ? ' app--compact' : ''}`}>
      <aside className="sidebar">
        <a className="sidebar__brand" href={href.integrations()} aria-label="Weft: integrations">
          <WeftMark />
          <span className="sidebar__wordmark">Weft</span>
        </a>
        <nav className="sidebar__nav" aria-label="Main">
          <a className={`nav-link${section === 'integrations' ? ' is-active' : ''}`} href={href.integrations()} title="Integrations" data-testid="nav-integrations">
            <IconIntegrations size={18} />
            <span className="nav-link__text">Integrations</span>
          </a>
          <a className={`nav-link${section === 'sets' ? ' is-active' : ''}`} href={href.sets()} title="Sets" data-testid="nav-sets">
            <IconLayers size={18} />
            <span className="nav-link__text">Sets</span>
          </a>
          <a className={`nav-link${section === 'connections' ? ' is-active' : ''}`} href={href.connections()} title="Connections" data-testid="nav-connections">
            <IconPlug size={18} />
            <span className="nav-link__text">Connections</span>
          </a>
          <a className={`nav-link${section === 'workspace' ? ' is-active' : ''}`} href={href.workspace()} title="Workspace" data-testid="nav-workspace">
            <IconDatabase size={18} />
            <span className="nav-link__text">Workspace</span>
          </a>
          <a className={`nav-link${section === 'members' ? ' is-active' : ''}`} href={href.members()} title="Members" data-testid="nav-members">
            <IconPeople />
            <span className="nav-link__text">Members</span>
          </a>
          <InboxLink active={section === 'inbox'} route={route} />
          {admin ? (
            <>
              <div className="sidebar__group" role="presentation">
                <span className="nav-link__text">Administration</span>
              </div>
              <a className={`nav-link${section === 'users' ? ' is-active' : ''}`} href={href.users()} title="Users" data-testid="nav-users">
                <IconUsers />
                <span className="nav-link__text">Users</span>
              </a>
              <a className={`nav-link${section === 'tokens' ? ' is-active' : ''}`} href={href.tokens()} title="API tokens" data-testid="nav-tokens">
                <IconKey size={18} />
                <span className="nav-link__text">API tokens</span>
              </a>
              <a className={`nav-link${section === 'audit' ? ' is-active' : ''}`} href={href.audit()} title="Audit log" data-testid="nav-audit">
                <IconHistory size={18} />
                <span className="nav-link__text">Audit log</span>
              </a>
            </>
          ) : null}
        </nav>
        <ServerStatus />
        <UserMenu />
      </aside>
      <main className="main" id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </div>
  );
}

/**
 * After a route change (not the first load), focus moves to the new page's h1 so a screen reader announces it and
 * Tab starts from the page, not from the body or the link followed. Pages that load first show their h1 a moment
 * later: wait for it (bounded), and leave focus alone if the page has put it somewhere itself (an autofocused field).
 */
function useFocusOnRouteChange(key: string) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    let tries = 0;
    let timer = 0;
    const settle = () => {
      // A page that put focus somewhere itself (an autofocused field) keeps it; focus left on the sidebar link
      // that was followed, or on nothing, moves to the new page.
      const active = document.activeElement;
      const main = document.getElementById('main');
      if (active && active !== main && active.isConnected && main?.contains(active)) return;
      const h1 = document.querySelector<HTMLElement>('#main h1');
      if (h1) {
        if (!h1.hasAttribute('tabindex')) h1.setAttribute('tabindex', '-1');
        h1.focus({ preventScroll: true });
        return;
      }
      document.getElementById('main')?.focus({ preventScroll: true });
      if (++tries < 20) timer = window.setTimeout(settle, 100);
    };
    timer = window.setTimeout(settle, 0);
    return () => window.clearTimeout(timer);
  }, [key]);
}

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'integrations':
      return <IntegrationsPage />;
    case 'designer':
      return (
        <Suspense
          fallback={
            <div className="page-loading">
              <Spinner size={20} /> Opening the designer…
            </div>
          }
        >
          <DesignerPage key={route.id} id={route.id} />
        </Suspense>
      );
    case 'history':
      return <Lazy>{<HistoryPage key={route.id} id={route.id} />}</Lazy>;
    case 'run':
      return <Lazy>{<RunPage key={route.id} id={route.id} />}</Lazy>;
    case 'connections':
      return <Lazy>{<ConnectionsPage />}</Lazy>;
    case 'sets':
      return <Lazy>{<SetsPage id={route.id} />}</Lazy>;
    case 'workspace':
      return <Lazy>{<WorkspacePage object={route.object} />}</Lazy>;
    case 'users':
      return <Admin>{<Lazy>{<UsersPage />}</Lazy>}</Admin>;
    case 'tokens':
      return <Admin>{<Lazy>{<TokensPage />}</Lazy>}</Admin>;
    case 'audit':
      return <Admin>{<Lazy>{<AuditPage />}</Lazy>}</Admin>;
    case 'inbox':
      return <Lazy>{<InboxPage />}</Lazy>;
    case 'members':
      return <Lazy>{<MembersPage />}</Lazy>;
    case 'invite':
      return null;
    case 'not-found':
      return (
        <NotFoundPage heading="Page not found" title="This page does not exist">
          Nothing lives at {route.path}.
        </NotFoundPage>
      );
  }
}

/** "Inbox" in the sidebar, with how many records wait for a person (looked up again on every page change). */
function InboxLink({ active, route }: { active: boolean; route: Route }) {
  return (
    <a className={`nav-link${active ? ' is-active' : ''}`} href={href.inbox()} title="Record inbox" data-testid="nav-inbox">
      <IconInbox size={18} />
      <span className="nav-link__text">Inbox</span>
      <Suspense fallback={null}>
        <InboxBadge refresh={route} />
      </Suspense>
    </a>
  );
}

/** A quiet indicator in the sidebar so a lost connection never comes as a surprise. */
function ServerStatus() {
  const [online, setOnline] = useState<boolean | null>(null);
  // Asked every 15 s while the tab is shown, and at once when it is shown again; a hidden tab asks nothing (review16b).
  const visible = usePageVisible();
  useEffect(() => {
    if (!visible) return;
    let stop = false;
    const check = () =>
      api.health().then(
        () => !stop && setOnline(true),
        () => !stop && setOnline(false),
      );
    void check();
    const t = window.setInterval(check, 15_000);
    return () => {
      stop = true;
      window.clearInterval(t);
    };
  }, [visible]);
  return (
    <div
      className={`server-status server-status--${online === null ? 'unknown' : online ? 'up' : 'down'}`}
      title={online === false ? 'The Weft server is not answering; your edits are kept on this device' : undefined}
      data-testid="server-status"
    >
      <span className="server-status__dot" />
      <span className="server-status__text">{online === null ? 'Connecting…' : online ? 'Connected' : 'Server offline'}</span>
    </div>
  );
}

/** A page in its own chunk: a spinner while it loads the first time. */
function Lazy({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <div className="page-loading">
          <Spinner size={20} /> Loading…
        </div>
      }
    >
      {children}
    </Suspense>
  );
}

/** Pages for the owner and admins; anyone else is told so instead of meeting a 403. */
function Admin({ children }: { children: ReactNode }) {
  const { can, user } = useSession();
  if (can('admin')) return <>{children}</>;
  return (
    <EmptyState title="Only admins can see this page" action={<a className="btn btn--primary" href={href.integrations()}>Go to integrations</a>}>
      You are signed in as {user.email} with the {ROLE_LABELS[user.role].toLowerCase()} role.
    </EmptyState>
  );
}

/** Who is signed in, at the foot of the sidebar, with sign out here or everywhere. */
function UserMenu() {
  const { user, signOut, signOutEverywhere } = useSession();
  const menu = useMenuButton();
  const [changing, setChanging] = useState(false);
  const initials = user.name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join('') || '?';
  return (
    <div className="user-menu">
      <button
        ref={menu.buttonRef}
        type="button"
        className="user-menu__button"
        onClick={() => menu.setOpen(!menu.open)}
        onKeyDown={menu.onButtonKeyDown}
        aria-expanded={menu.open}
        aria-haspopup="menu"
        title={user.email}
        data-testid="user-menu"
      >
        <span className="avatar" aria-hidden>
          {initials}
        </span>
        <span className="user-menu__text">
          <span className="user-menu__name truncate">{user.name}</span>
          <span className="user-menu__role">{ROLE_LABELS[user.role]}</span>
        </span>
      </button>
      {menu.open ? (
        <div ref={menu.menuRef} className="menu user-menu__menu" role="menu" aria-label={user.email} onKeyDown={menu.onMenuKeyDown}>
          <div className="menu__label truncate" aria-hidden>
            {user.email}
          </div>
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            className="menu__item"
            onClick={() => {
              menu.close();
              setChanging(true);
            }}
            data-testid="change-password"
          >
            Change password
          </button>
          <button type="button" role="menuitem" tabIndex={-1} className="menu__item" onClick={() => void signOut()} data-testid="sign-out">
            Sign out
          </button>
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            className="menu__item"
            onClick={() => {
              menu.close();
              void confirmDialog({
                title: 'Sign out everywhere?',
                message: 'Every device and browser where you are signed in is signed out, this one included.',
                confirmLabel: 'Sign out everywhere',
              }).then((yes) => {
                if (yes) signOutEverywhere().catch((e: unknown) => toast(errorMessage(e), 'error'));
              });
            }}
            data-testid="sign-out-everywhere"
          >
            Sign out everywhere
          </button>
        </div>
      ) : null}
      {changing ? <ChangePasswordDialog onClose={() => setChanging(false)} /> : null}
    </div>
  );
}
