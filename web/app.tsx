// The app shell: sidebar navigation, the page for the current hash route, and the toaster.
import { lazy, Suspense, useEffect, useState } from 'react';
import { api } from './api';
import { IconDatabase, IconIntegrations, IconPlug, Spinner, WeftMark } from './components/icons';
import { EmptyState } from './components/empty-state';
import { Toaster } from './lib/toasts';
import { ConnectionsPage } from './pages/connections-page';
import { IntegrationsPage } from './pages/integrations-page';
import { HistoryPage } from './pages/history-page';
import { RunPage } from './pages/run-page';
import { WorkspacePage } from './pages/workspace-page';
import { href, useRoute, type Route } from './router';

// The designer carries React Flow and the compiler; load it only when it is opened.
const DesignerPage = lazy(() => import('./designer/designer-page'));

const TITLES: Record<Route['name'], string> = {
  integrations: 'Integrations',
  designer: 'Designer',
  history: 'Sync history',
  run: 'Run',
  connections: 'Connections',
  workspace: 'Workspace',
  'not-found': 'Not found',
};

export function App() {
  const route = useRoute();
  useEffect(() => {
    document.title = `${TITLES[route.name]} · Weft`;
  }, [route.name]);
  const section = route.name === 'workspace' ? 'workspace' : route.name === 'connections' ? 'connections' : 'integrations';
  // The designer needs the width: the sidebar folds to an icon rail there.
  const compact = route.name === 'designer';
  return (
    <div className={`app${compact ? ' app--compact' : ''}`}>
      <aside className="sidebar">
        <a className="sidebar__brand" href={href.integrations()}>
          <WeftMark />
          <span className="sidebar__wordmark">Weft</span>
        </a>
        <nav className="sidebar__nav" aria-label="Main">
          <a className={`nav-link${section === 'integrations' ? ' is-active' : ''}`} href={href.integrations()} title="Integrations" data-testid="nav-integrations">
            <IconIntegrations size={18} />
            <span className="nav-link__text">Integrations</span>
          </a>
          <a className={`nav-link${section === 'connections' ? ' is-active' : ''}`} href={href.connections()} title="Connections" data-testid="nav-connections">
            <IconPlug size={18} />
            <span className="nav-link__text">Connections</span>
          </a>
          <a className={`nav-link${section === 'workspace' ? ' is-active' : ''}`} href={href.workspace()} title="Workspace" data-testid="nav-workspace">
            <IconDatabase size={18} />
            <span className="nav-link__text">Workspace</span>
          </a>
        </nav>
        <ServerStatus />
      </aside>
      <main className="main">
        <Page route={route} />
      </main>
      <Toaster />
    </div>
  );
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
      return <HistoryPage key={route.id} id={route.id} />;
    case 'run':
      return <RunPage key={route.id} id={route.id} />;
    case 'connections':
      return <ConnectionsPage />;
    case 'workspace':
      return <WorkspacePage object={route.object} />;
    case 'not-found':
      return (
        <EmptyState title="This page does not exist" action={<a className="btn btn--primary" href={href.integrations()}>Go to integrations</a>}>
          Nothing lives at {route.path}.
        </EmptyState>
      );
  }
}

/** A quiet indicator in the sidebar so a lost connection never comes as a surprise. */
function ServerStatus() {
  const [online, setOnline] = useState<boolean | null>(null);
  useEffect(() => {
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
  }, []);
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
