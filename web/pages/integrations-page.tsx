// The integrations list: one card per integration with its last run, and the way to start a new one.
import { lazy, Suspense, useState } from 'react';
import type { IntegrationSummary, Schedule } from '../../shared';
import { emptyGraph } from '../../shared/graph/version';
import { ScheduleSummary } from '../schedules/schedule-summary';
import { api, errorMessage } from '../api';
import { EmptyState, ErrorBanner } from '../components/empty-state';
import { IconArrowRight, IconHistory, IconIntegrations, IconPlus, IconTrash, Spinner } from '../components/icons';
import { PageHeader } from '../components/page-header';
import { RunStatusBadge } from '../components/status-badge';
import { relativeTime } from '../lib/format';
import { useLoad, useNow } from '../lib/hooks';
import { confirmDialog } from '../lib/confirm';
import { toast } from '../lib/toasts';
import { href, navigate } from '../router';
import { RunMenu } from '../runs/run-menu';
import { useCan } from '../auth/session';

// The dialogs open on a click: they load then, not with the first page (bench/bundle.ts keeps the first load small).
const ScheduleDialog = lazy(() => import('../schedules/schedule-dialog').then((m) => ({ default: m.ScheduleDialog<Schedule> })));
const RunDialog = lazy(() => import('../runs/run-files-dialog').then((m) => ({ default: m.RunDialog })));

export function IntegrationsPage() {
  const list = useLoad(() => api.listIntegrations(), []);
  // Schedules come from Temporal's describe; when the engine is down the cards still show, without them.
  const schedules = useLoad(() => api.call('listSchedules'), []);
  const byIntegration = new Map((schedules.data ?? []).map((s) => [s.integrationId, s]));
  const [creating, setCreating] = useState(false);
  const canDesign = useCan('design');

  async function create() {
    setCreating(true);
    try {
      const created = await api.createIntegration({ name: 'Untitled integration', description: '', graph: emptyGraph() });
      navigate(href.designer(created.id));
    } catch (e) {
      toast(errorMessage(e), 'error');
      setCreating(false);
    }
  }

  const newButton = !canDesign ? null : (
    <button type="button" className="btn btn--primary" onClick={create} disabled={creating} data-testid="new-integration">
      {creating ? <Spinner /> : <IconPlus />}
      New integration
    </button>
  );

  const items = list.data ?? [];
  return (
    <div className="page">
      <PageHeader title="Integrations" meta={items.length > 0 ? <span className="muted">{items.length} total</span> : null} actions={items.length > 0 ? newButton : null} />
      <div className="page__body">
        {list.error ? <ErrorBanner message={errorMessage(list.error)} onRetry={list.reload} /> : null}
        {list.loading && !list.data ? (
          <div className="card-grid">
            {[0, 1, 2].map((i) => (
              <div key={i} className="card card--skeleton" />
            ))}
          </div>
        ) : items.length === 0 && !list.error ? (
          <EmptyState
            icon={<IconIntegrations size={28} />}
            title="Connect your first data source"
            action={newButton}
          >
            An integration moves rows from a file or an app into your workspace — drag a source, shape the fields, pick where
            they go, and Weft keeps a history of every run.
          </EmptyState>
        ) : (
          <div className="card-grid">
            {items.map((it) => (
              <IntegrationCard
                key={it.id}
                item={it}
                schedule={schedules.data ? (byIntegration.get(it.id) ?? null) : undefined}
                onDeleted={() => {
                  list.reload();
                  schedules.reload();
                }}
                onScheduled={() => {
                  list.reload();
                  schedules.reload();
                }}
              />
            ))}
          </div>
        )}
      </div>
    </div>
  );
}

interface CardProps {
  item: IntegrationSummary;
  /** undefined while schedules load (or when the engine cannot say); null when it has none. */
  schedule: Schedule | null | undefined;
  onDeleted: () => void;
  onScheduled: () => void;
}

function IntegrationCard({ item, schedule, onDeleted, onScheduled }: CardProps) {
  const now = useNow();
  const [running, setRunning] = useState(false);
  const [choosing, setChoosing] = useState(false);
  const [editing, setEditing] = useState(false);
  const canRun = useCan('run');

  async function runNow() {
    setRunning(true);
    try {
      const { runId } = await api.startRun(item.id);
      navigate(href.run(runId));
    } catch (e) {
      toast(errorMessage(e), 'error');
      setRunning(false);
    }
  }

  async function remove() {
    const scheduled = schedule ? ` Its schedule (${schedule.description}) is deleted from the engine too, so it stops running.` : '';
    if (!(await confirmDialog({ title: `Delete "${item.name}"?`, message: `Its sync history is deleted too.${scheduled}`, confirmLabel: 'Delete', danger: true }))) return;
    try {
      await api.deleteIntegration(item.id);
      toast(schedule ? `Deleted ${item.name} and its schedule` : `Deleted ${item.name}`, 'success');
      onDeleted();
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  }

  const published = item.publishedVersionNumber !== null;
  return (
    <article className="card integration-card" data-testid="integration-card" data-id={item.id}>
      <div className="integration-card__head">
        <a className="integration-card__name" href={href.designer(item.id)} title={item.name}>
          {item.name}
        </a>
        <button type="button" className="icon-btn icon-btn--quiet" aria-label={`Delete ${item.name}`} title="Delete" onClick={remove}>
          <IconTrash size={15} />
        </button>
      </div>
      <p className={`integration-card__desc${item.description ? '' : ' muted'}`}>{item.description || 'No description'}</p>
      <div className="integration-card__facts">
        <span className="chip">{item.nodeCount === 1 ? '1 step' : `${item.nodeCount} steps`}</span>
        <span className={`chip${published ? ' chip--accent' : ''}`}>{published ? `v${item.publishedVersionNumber}` : 'Draft'}</span>
        {published && item.hasUnpublishedChanges ? <span className="chip chip--warn">Unpublished changes</span> : null}
        {!item.active ? (
          <span className="chip chip--danger" data-testid="inactive-chip">
            Deactivated
          </span>
        ) : null}
      </div>
      {!item.active ? (
        <p className="integration-card__inactive" data-testid="inactive-reason">
          {item.disabledReason ?? 'Deactivated by a person'}. It does not run until it is activated again on its history page.
        </p>
      ) : null}
      {published && schedule !== undefined ? <ScheduleSummary schedule={schedule} now={now} canEdit={canRun} onEdit={() => setEditing(true)} /> : null}
      <div className="integration-card__run">
        {item.lastRun ? (
          <a className="last-run" href={href.run(item.lastRun.id)} title="Open the last run">
            <RunStatusBadge status={item.lastRun.status} testId="last-run-status" />
            <span className="muted" title={item.lastRun.createdAt}>
              {relativeTime(item.lastRun.endedAt ?? item.lastRun.createdAt, now)}
            </span>
          </a>
        ) : (
          <span className="muted">Never run</span>
        )}
        <a className="link-quiet" href={href.history(item.id)} data-testid="history-link">
          <IconHistory size={14} /> History
        </a>
      </div>
      <div className="integration-card__actions">
        <RunMenu
          label="Run now"
          align="start"
          onRun={() => void runNow()}
          onRunWithFiles={() => setChoosing(true)}
          busy={running}
          disabled={!published || !item.active}
          title={!item.active ? 'Deactivated: activate it on its history page to run it' : published ? 'Run the published version now' : 'Publish the integration before running it'}
        />
        <a className="btn btn--ghost" href={href.designer(item.id)} data-testid="open-integration">
          Open
          <IconArrowRight size={14} />
        </a>
      </div>
      <Suspense fallback={null}>
      {editing ? (
        <ScheduleDialog
          integrationId={item.id}
          integrationName={item.name}
          existing={schedule ?? null}
          onClose={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false);
            toast(saved ? `Scheduled: ${saved.description}` : `Removed the schedule of ${item.name}`, 'success');
            onScheduled();
          }}
        />
      ) : null}
      {choosing ? (
        <RunDialog
          integrationId={item.id}
          integrationName={item.name}
          versionNumber={item.publishedVersionNumber}
          onClose={() => setChoosing(false)}
          onStarted={(runId) => navigate(href.run(runId))}
        />
      ) : null}
      </Suspense>
    </article>
  );
}
