// The page for something that does not exist (a run, an integration, an address): a heading, a sentence of why and
// the way on, never the raw id from the address. One shape for every such page (inbox14).
import type { ReactNode } from 'react';
import { EmptyState } from '../components/empty-state';
import { IconIntegrations } from '../components/icons';
import { PageHeader } from '../components/page-header';
import { href } from '../router';

export function NotFoundPage({ heading, title, icon, children }: { heading: string; title: string; icon?: ReactNode; children: ReactNode }) {
  return (
    <div className="page">
      <PageHeader title={heading} />
      <div className="page__body">
        <EmptyState
          icon={icon}
          title={title}
          action={
            <a className="btn btn--primary" href={href.integrations()} data-testid="not-found-action">
              Go to integrations
            </a>
          }
        >
          {children}
        </EmptyState>
      </div>
    </div>
  );
}

/** An integration's page (the designer, its sync history) for an integration that does not exist. */
export function IntegrationNotFound() {
  return (
    <NotFoundPage heading="Integration not found" title="This integration does not exist" icon={<IconIntegrations size={28} />}>
      It may have been deleted, or the link is incomplete. The integrations you can open are listed on the Integrations page.
    </NotFoundPage>
  );
}
