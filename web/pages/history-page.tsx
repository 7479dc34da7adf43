// Sync history: every run of one integration, newest first, with its counts and outcome.
import { lazy, Suspense, useEffect, useState } from 'react';
import { isCancellableRun, RUN_STATUS_LABELS, RunStatus } from '../../shared';
import { api, ApiRequestError, errorMessage } from '../api';
import { EmptyState, ErrorBanner } from '../components/empty-state';
import { IconChevronLeft, IconChevronRight, IconHistory } from '../components/icons';
import { PageHeader } from '../components/page-header';
import { RunStatusBadge } from '../components/status-badge';
import { durationBetween, formatCount, formatDateTime, formatDuration, relativeTime } from '../lib/format';
import { useLoad, useNow, usePageVisible, useReloadWhenShown } from '../lib/hooks';
import { toast } from '../lib/toasts';
import { href, navigate } from '../router';
import { RunDialog } from '../runs/run-files-dialog';
import { RunMenu } from '../runs/run-menu';
import { startedByLabel } from '../runs/run-labels';
import * as routes from '../../shared/api/routes';
import { useCan } from '../auth/session';
import { ScheduleDialog } from '../schedules/schedule-dialog';
import { formatInZone, ScheduleSummary } from '../schedules/schedule-summary';
import { OperationsPanel } from '../integrations/operations-panel';
import { IntegrationNotFound } from './not-found-page';

const PAGE = 25;
/** How many of the latest runs the chart draws. */
const CHART_RUNS = 30;
/** How often an open history reads its runs again while none is going (a schedule or the trigger API may start one). */
const IDLE_REFRESH_MS = 10_000;
// Chart.js loads only when a history with runs opens, in its own chunk (the first load and the table never wait for it).
const RunHistoryChart = lazy(() => import('../runs/run-chart'));

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
  // The chart's runs: always the latest, whatever the table's filters and page; fetched again when the table reloads.
  const latest = useLoad(() => api.listRuns(id, { limit: CHART_RUNS, offset: 0 }), [id, runs.data]);
  const [starting, setStarting] = useState(false);
  const [choosing, setChoosing] = useState(false);
  const [editingSchedule, setEditingSchedule] = useState(false);
  const schedule = useLoad(() => api.call(routes.getSchedule, { params: { id } }), [id]);
  const canRun = useCan('run');
  const published = integration.data ? integration.data.publishedVersionNumber !== null : false;
  const active = integration.data?.active ?? true;
  const live = runs.data?.items.some((r) => isCancellableRun(r.status) || r.status === 'scheduled');
  const { reload, data } = runs;
  // Every 2 s while a run is going; every 10 s otherwise, so a run started elsewhere (its schedule, the trigger API,
  // another person) shows up without reloading the page (ui16: an open history said "No runs yet" for good).
  // Paused while the tab is hidden, read again when it is shown (review16b: every open tab asked every 10 s); after a
  // failed read the next is still planned (the error is new each time, as the data is).
  const visible = usePageVisible();
  useReloadWhenShown(visible, reload);
  useEffect(() => {
    if (!visible) return;
    const t = window.setTimeout(reload, live ? 2000 : IDLE_REFRESH_MS);
    return () => window.clearTimeout(t);
  }, [live, data, runs.error, reload, visible]);

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
  // The schedule's next time heads the first page (unfiltered) as a Scheduled row.
  const upcoming = offset === 0 && !filtered && schedule.data?.enabled ? schedule.data.nextRuns[0] : undefined;
  if (integration.error instanceof ApiRequestError && integration.error.status === 404) return <IntegrationNotFound />;
  return (
    <div className="page">
      <PageHeader
        crumbs={
          <>
            <a href={href.integrations()}>Integrations</a>
            <span className="crumb-sep">/</span>
            <a className="crumb-name" href={href.designer(id)} title={name}>
              {name}
            </a>
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
        {published ? (
          <div className="card schedule-panel" data-testid="schedule-panel">
            <div className="schedule-panel__part">
              <span className="schedule-panel__label">Schedule</span>
              {schedule.error ? (
                <span className="muted">The engine did not say: {errorMessage(schedule.error)}</span>
              ) : schedule.data !== undefined ? (
                <ScheduleSummary schedule={schedule.data} now={now} canEdit={canRun} onEdit={() => setEditingSchedule(true)} />
              ) : (
                <span className="muted">Loading…</span>
              )}
            </div>
            <div className="schedule-panel__part">
              <span className="schedule-panel__label">Latest run</span>
              {items[0] && offset === 0 ? (
                <a className="last-run" href={href.run(items[0].id)} data-testid="latest-run">
                  <RunStatusBadge status={items[0].status} />
                  <span className="muted">{relativeTime(items[0].endedAt ?? items[0].createdAt, now)}</span>
                </a>
              ) : (
                <span className="muted">{offset === 0 ? 'Never run' : '—'}</span>
              )}
            </div>
          </div>
        ) : null}
        {latest.data && latest.data.total > 0 ? (
          <Suspense fallback={<div className="card run-chart card--skeleton" style={{ height: 320 }} />}>
            <RunHistoryChart runs={latest.data.items} />
          </Suspense>
        ) : null}
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
        ) : items.length === 0 && !upcoming && !runs.error ? (
          <EmptyState icon={<IconHistory size={28} />} title="No runs yet">
            {/* A published integration has nothing left to publish first: say only what starts a run. */}
            {integration.data?.publishedVersionId
              ? 'Press Run now, or add a schedule. Every run shows up here with what it read, wrote and rejected.'
              : 'Publish the integration and press Run now. Every run shows up here with what it read, wrote and rejected.'}
          </EmptyState>
        ) : (
          <div className="card table-card">
            <div className="table-scroll runs-table-scroll" tabIndex={0} role="region" aria-label="Runs">
              <table className="table table--clickable runs-table" data-testid="runs-table">
                <thead>
                  <tr>
                    <th>Status</th>
                    <th>Run</th>
                    <th>Started</th>
                    <th className="col-file">File</th>
                    <th className="num">Read</th>
                    <th className="num">Created</th>
                    <th className="num">Updated</th>
                    <th className="num">Unchanged</th>
                    <th className="num">Rejected</th>
                  </tr>
                </thead>
                <tbody>
                  {upcoming && schedule.data
                    ? [upcoming].map((t) => (
                        <tr key={`next-${t}`} className="is-upcoming" data-testid="upcoming-row">
                          <td>
                            <RunStatusBadge status="scheduled" />
                          </td>
                          <td className="muted">
                            Next scheduled run
                            <div className="small">Scheduled</div>
                          </td>
                          <td title={t}>
                            <div className="nowrap">{formatInZone(t, schedule.data!.timeZone)}</div>
                            <div className="muted small nowrap">{relativeTime(t, now)}</div>
                          </td>
                          <td className="muted" colSpan={6}>
                            {schedule.data!.description}
                          </td>
                        </tr>
                      ))
                    : null}
                  {items.map((r) => (
                    <tr key={r.id} onClick={() => navigate(href.run(r.id))} data-testid="run-row" data-id={r.id}>
                      <td>
                        <a href={href.run(r.id)} className="row-link" onClick={(e) => e.stopPropagation()}>
                          <RunStatusBadge status={r.status} />
                        </a>
                      </td>
                      <td className="run-name">
                        {/* Who or what started the run sits under its name (a column of its own pushed Rejected out of
                            sight at 1024 px and even at 1440 px with a set's or a schedule's long name). */}
                        <div data-testid="run-name">{r.name || '—'}</div>
                        <div className="muted small run-row__by">
                          <span data-testid="run-started-by">{startedByLabel(r)}</span>
                          <span title="The published version this run ran"> · v{r.versionNumber}</span>
                        </div>
                        {r.files.length > 0 ? <div className="muted small run-row__files-inline">{r.files.map((f) => f.name).join(', ')}</div> : null}
                      </td>
                      <td title={r.startedAt ?? r.createdAt}>
                        <div className="nowrap">{formatDateTime(r.startedAt ?? r.createdAt, now)}</div>
                        <div className="muted small nowrap">
                          {relativeTime(r.startedAt ?? r.createdAt, now)}
                          {r.startedAt ? ` · took ${formatDuration(durationBetween(r.startedAt, r.endedAt, now))}` : ''}
                        </div>
                      </td>
                      <td className="run-row__files col-file" data-testid="run-row-files">
                        {r.files.length === 0 ? (
                          <span className="muted">—</span>
                        ) : (
                          r.files.map((f) => (
                            <div key={f.nodeId} className="run-row__file" title={`${f.nodeLabel || f.nodeId}: ${f.name}${f.replaced ? ' (replaced for this run)' : ''}`}>
                              {f.name}
                              {f.replaced ? <span className="muted small"> · replaced</span> : null}
                            </div>
                          ))
                        )}
                      </td>
                      <td className="num">{formatCount(r.counts.read)}</td>
                      <td className="num" data-testid="run-row-created">{formatCount(r.counts.created)}</td>
                      <td className="num" data-testid="run-row-updated">{formatCount(r.counts.updated)}</td>
                      <td className="num" data-testid="run-row-unchanged">{formatCount(r.counts.unchanged)}</td>
                      <td className={`num${r.counts.rejected > 0 ? ' text-warn' : ''}`} data-testid="run-row-rejected">{formatCount(r.counts.rejected)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager offset={offset} limit={PAGE} total={total} onChange={setOffset} />
          </div>
        )}
        {integration.data ? <OperationsPanel integration={integration.data} onChanged={integration.reload} /> : null}
      </div>
      {editingSchedule && integration.data ? (
        <ScheduleDialog
          integrationId={id}
          integrationName={integration.data.name}
          existing={schedule.data ?? null}
          onClose={() => setEditingSchedule(false)}
          onSaved={(saved) => {
            setEditingSchedule(false);
            toast(saved ? `Scheduled: ${saved.description}` : 'Schedule removed', 'success');
            schedule.reload();
            runs.reload();
          }}
        />
      ) : null}
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
