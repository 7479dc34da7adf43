// Sync history: every run of one integration, newest first, with its counts and outcome.
import { useEffect, useState } from 'react';
import { api, errorMessage } from '../api';
import { EmptyState, ErrorBanner } from '../components/empty-state';
import { IconChevronLeft, IconChevronRight, IconHistory } from '../components/icons';
import { PageHeader } from '../components/page-header';
import { RunStatusBadge } from '../components/status-badge';
import { durationBetween, formatCount, formatDateTime, formatDuration, relativeTime } from '../lib/format';
import { useLoad, useNow } from '../lib/hooks';
import { toast } from '../lib/toasts';
import { href, navigate } from '../router';
import { RunFilesDialog } from '../runs/run-files-dialog';
import { RunMenu } from '../runs/run-menu';
import { OperationsPanel } from '../integrations/operations-panel';

const PAGE = 25;
const TRIGGER_LABELS: Record<string, string> = { manual: 'Manual', api: 'API', schedule: 'Schedule' };

export function HistoryPage({ id }: { id: string }) {
  const [offset, setOffset] = useState(0);
  const now = useNow(5_000);
  const integration = useLoad(() => api.getIntegration(id), [id]);
  const runs = useLoad(() => api.listRuns(id, { limit: PAGE, offset }), [id, offset]);
  const [starting, setStarting] = useState(false);
  const [choosing, setChoosing] = useState(false);
  const published = integration.data ? integration.data.publishedVersionNumber !== null : false;
  const active = integration.data?.active ?? true;
  const live = runs.data?.items.some((r) => r.status === 'running' || r.status === 'scheduled');
  const { reload, data } = runs;
  useEffect(() => {
    if (!live) return;
    const t = window.setTimeout(reload, 2000);
    return () => window.clearTimeout(t);
  }, [live, data, reload]);

  async function runNow() {
    setStarting(true);
    try {
      const { runId } = await api.startRun(id);
      navigate(href.run(runId));
    } catch (e) {
      toast(errorMessage(e), 'error');
      setStarting(false);
    }
  }

  const name = integration.data?.name ?? 'Integration';
  const total = runs.data?.total ?? 0;
  const items = runs.data?.items ?? [];
  return (
    <div className="page">
      <PageHeader
        crumbs={
          <>
            <a href={href.integrations()}>Integrations</a>
            <span className="crumb-sep">/</span>
            <a href={href.designer(id)}>{name}</a>
          </>
        }
        title="Sync history"
        actions={
          <>
            <a className="btn btn--ghost" href={href.designer(id)}>
              Open designer
            </a>
            <RunMenu
              label="Run now"
              variant="primary"
              testId="run"
              onRun={() => void runNow()}
              onRunWithFiles={() => setChoosing(true)}
              busy={starting}
              disabled={!published || !active}
              title={!active ? 'Deactivated: activate it below to run it' : published ? 'Run the published version now' : 'Publish the integration before running it'}
            />
          </>
        }
      />
      <div className="page__body">
        {!active && integration.data ? (
          <div className="banner banner--warn" role="status" data-testid="inactive-banner">
            {integration.data.disabledReason ?? 'This integration was deactivated'}. It does not run by hand, by the trigger API or on a schedule until you activate it (Lifecycle, below).
          </div>
        ) : null}
        {runs.error ? <ErrorBanner message={errorMessage(runs.error)} onRetry={runs.reload} /> : null}
        {runs.loading && !runs.data ? (
          <div className="card table-card card--skeleton" style={{ height: 240 }} />
        ) : items.length === 0 && !runs.error ? (
          <EmptyState icon={<IconHistory size={28} />} title="No runs yet">
            Publish the integration and press Run now. Every run shows up here with what it read, wrote and rejected.
          </EmptyState>
        ) : (
          <div className="card table-card">
            <table className="table table--clickable" data-testid="runs-table">
              <thead>
                <tr>
                  <th>Status</th>
                  <th>Started</th>
                  <th>Duration</th>
                  <th>Trigger</th>
                  <th className="num">Read</th>
                  <th className="num">Written</th>
                  <th className="num">Rejected</th>
                  <th>Version</th>
                </tr>
              </thead>
              <tbody>
                {items.map((r) => (
                  <tr key={r.id} onClick={() => navigate(href.run(r.id))} data-testid="run-row" data-id={r.id}>
                    <td>
                      <a href={href.run(r.id)} className="row-link" onClick={(e) => e.stopPropagation()}>
                        <RunStatusBadge status={r.status} />
                      </a>
                    </td>
                    <td title={r.startedAt ?? r.createdAt}>
                      <div>{formatDateTime(r.startedAt ?? r.createdAt, now)}</div>
                      <div className="muted small">{relativeTime(r.startedAt ?? r.createdAt, now)}</div>
                    </td>
                    <td>{r.startedAt ? formatDuration(durationBetween(r.startedAt, r.endedAt, now)) : '—'}</td>
                    <td>{TRIGGER_LABELS[r.trigger] ?? r.trigger}</td>
                    <td className="num">{formatCount(r.counts.read)}</td>
                    <td className="num">{formatCount(r.counts.written)}</td>
                    <td className={`num${r.counts.rejected > 0 ? ' text-warn' : ''}`}>{formatCount(r.counts.rejected)}</td>
                    <td>
                      <span className="chip">v{r.versionNumber}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager offset={offset} limit={PAGE} total={total} onChange={setOffset} />
          </div>
        )}
        {integration.data ? <OperationsPanel integration={integration.data} onChanged={integration.reload} /> : null}
      </div>
      {choosing && integration.data ? (
        <RunFilesDialog
          integrationId={id}
          integrationName={integration.data.name}
          versionNumber={integration.data.publishedVersionNumber}
          onClose={() => setChoosing(false)}
          onStarted={(runId) => navigate(href.run(runId))}
        />
      ) : null}
    </div>
  );
}

export function Pager({ offset, limit, total, onChange }: { offset: number; limit: number; total: number; onChange: (offset: number) => void }) {
  if (total <= limit && offset === 0) return null;
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  return (
    <div className="pager">
      <span className="muted">
        {formatCount(from)}–{formatCount(to)} of {formatCount(total)}
      </span>
      <button type="button" className="icon-btn" aria-label="Previous page" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))} data-testid="page-prev">
        <IconChevronLeft />
      </button>
      <button type="button" className="icon-btn" aria-label="Next page" disabled={to >= total} onClick={() => onChange(offset + limit)} data-testid="page-next">
        <IconChevronRight />
      </button>
    </div>
  );
}
