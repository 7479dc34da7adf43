// Sync history: every run of one integration, newest first, with its counts and outcome.
import { useEffect, useState } from 'react';
import { isCancellableRun, RUN_STATUS_LABELS, RunStatus } from '../../shared';
import { api, errorMessage } from '../api';
import { EmptyState, ErrorBanner } from '../components/empty-state';
import { IconChevronLeft, IconChevronRight, IconHistory } from '../components/icons';
import { PageHeader } from '../components/page-header';
import { RunStatusBadge } from '../components/status-badge';
import { durationBetween, formatCount, formatDateTime, formatDuration, relativeTime } from '../lib/format';
import { useLoad, useNow } from '../lib/hooks';
import { toast } from '../lib/toasts';
import { href, navigate } from '../router';
import { RunDialog } from '../runs/run-files-dialog';
import { RunMenu } from '../runs/run-menu';
import { startedByLabel } from '../runs/run-labels';

const PAGE = 25;

/** A date input's YYYY-MM-DD as the start of that day in the person's time zone, as ISO (the API's `from`/`to`). */
const dayStart = (day: string, plusDays = 0): string | undefined => {
  if (!day) return undefined;
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y as number, (m as number) - 1, (d as number) + plusDays).toISOString();
};

export function HistoryPage({ id }: { id: string }) {
  const [offset, setOffset] = useState(0);
  const [status, setStatus] = useState<RunStatus | ''>('');
  const [fromDay, setFromDay] = useState('');
  const [toDay, setToDay] = useState('');
  const now = useNow(5_000);
  const integration = useLoad(() => api.getIntegration(id), [id]);
  // Filtered and paged on the server: the page holds at most PAGE runs whatever the history's length.
  const runs = useLoad(
    () => api.listRuns(id, { limit: PAGE, offset, ...(status && { status: [status] }), from: dayStart(fromDay), to: dayStart(toDay, 1) }),
    [id, offset, status, fromDay, toDay],
  );
  const filtered = status !== '' || fromDay !== '' || toDay !== '';
  const [starting, setStarting] = useState(false);
  const [choosing, setChoosing] = useState(false);
  const published = integration.data ? integration.data.publishedVersionNumber !== null : false;
  const live = runs.data?.items.some((r) => isCancellableRun(r.status));
  const { reload, data } = runs;
  useEffect(() => {
    if (!live) return;
    const t = window.setTimeout(reload, 2000);
    return () => window.clearTimeout(t);
  }, [live, data, reload]);

  /** "Run with the defaults" from the menu: no dialog. */
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
              disabled={!published}
              title={published ? 'Run the published version now' : 'Publish the integration before running it'}
            />
          </>
        }
      />
      <div className="page__body">
        <div className="history-filters" data-testid="history-filters">
          <select
            className="input"
            aria-label="Status"
            value={status}
            data-testid="filter-status"
            onChange={(e) => {
              setStatus(e.target.value === '' ? '' : RunStatus.parse(e.target.value));
              setOffset(0);
            }}
          >
            <option value="">Every status</option>
            {RunStatus.options.map((s) => (
              <option key={s} value={s}>
                {RUN_STATUS_LABELS[s]}
              </option>
            ))}
          </select>
          <label className="muted small" htmlFor="filter-from">
            From
          </label>
          <input id="filter-from" className="input" type="date" value={fromDay} max={toDay || undefined} data-testid="filter-from" onChange={(e) => (setFromDay(e.target.value), setOffset(0))} />
          <label className="muted small" htmlFor="filter-to">
            to
          </label>
          <input id="filter-to" className="input" type="date" value={toDay} min={fromDay || undefined} data-testid="filter-to" onChange={(e) => (setToDay(e.target.value), setOffset(0))} />
          {filtered ? (
            <button type="button" className="btn btn--ghost btn--sm" onClick={() => (setStatus(''), setFromDay(''), setToDay(''), setOffset(0))}>
              Clear filters
            </button>
          ) : null}
        </div>
        {runs.error ? <ErrorBanner message={errorMessage(runs.error)} onRetry={runs.reload} /> : null}
        {runs.loading && !runs.data ? (
          <div className="card table-card card--skeleton" style={{ height: 240 }} />
        ) : items.length === 0 && !runs.error && filtered ? (
          <EmptyState icon={<IconHistory size={28} />} title="No runs match these filters">
            Change the status or the dates, or clear the filters.
          </EmptyState>
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
                  <th>Run</th>
                  <th>Started</th>
                  <th>Duration</th>
                  <th>Started by</th>
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
                    <td className="run-name" data-testid="run-name">{r.name || '—'}</td>
                    <td title={r.startedAt ?? r.createdAt}>
                      <div>{formatDateTime(r.startedAt ?? r.createdAt, now)}</div>
                      <div className="muted small">{relativeTime(r.startedAt ?? r.createdAt, now)}</div>
                    </td>
                    <td>{r.startedAt ? formatDuration(durationBetween(r.startedAt, r.endedAt, now)) : '—'}</td>
                    <td data-testid="run-started-by">{startedByLabel(r)}</td>
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
      </div>
      {choosing && integration.data ? (
        <RunDialog
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
