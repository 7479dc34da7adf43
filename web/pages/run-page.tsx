// One run: its outcome, each step in plan order with counts and timings, the files it read and the rows it rejected.
import { useMemo, useState } from 'react';
import { describeDeleteSync, describeRefresh, describeSourceSync } from '../../shared/sync/options';
import { expectedRows, getKind, isCancellableRun, isTerminalRun, outcomeSummary, RUN_STATUS_LABELS, waitingMessage, type RunDetail, type RunFile, type RunStep } from '../../shared';
import { api, errorMessage } from '../api';
import { EmptyState, ErrorBanner } from '../components/empty-state';
import { IconFile, IconHistory, Spinner } from '../components/icons';
import { PageHeader } from '../components/page-header';
import { RunStatusBadge, StatusIcon, StepStatusBadge, statusTone } from '../components/status-badge';
import { KindIcon } from '../kinds/registry';
import { durationBetween, formatBytes, formatCount, formatDateTime, formatDuration, relativeTime } from '../lib/format';
import { useLoad, useNow } from '../lib/hooks';
import { useRunStream } from '../lib/run-stream';
import { toast } from '../lib/toasts';
import { confirmDialog } from '../lib/confirm';
import { href, navigate } from '../router';
import { formatLabel } from '../runs/file-labels';
import { RunDialog } from '../runs/run-files-dialog';
import { RunMenu } from '../runs/run-menu';
import { startedByLabel } from '../runs/run-labels';
import { runBar } from '../runs/run-progress';
import { Pager } from './history-page';
import { NotFoundPage } from './not-found-page';


export function RunPage({ id }: { id: string }) {
  const [generation, setGeneration] = useState(0);
  const { run, error, notFound, mode } = useRunStream(id, 1500, generation);
  const now = useNow(1000);

  if (!run && notFound) {
    return (
      <NotFoundPage heading="Run not found" title="This run does not exist" icon={<IconHistory size={28} />}>
        It may have been deleted together with its integration, or the link is incomplete. Every run of an integration is listed in its sync
        history.
      </NotFoundPage>
    );
  }
  if (!run) {
    return (
      <div className="page">
        <PageHeader title="Run" />
        <div className="page__body">
          {error ? <ErrorBanner message={error} /> : <div className="page-loading"><Spinner size={20} /> Loading the run…</div>}
        </div>
      </div>
    );
  }

  const terminal = isTerminalRun(run.status);
  const duration = durationBetween(run.startedAt, run.endedAt, now);
  const waitingStep = terminal ? undefined : run.steps.find((s) => s.waiting);
  return (
    <div className="page">
      <PageHeader
        crumbs={
          <>
            <a href={href.integrations()}>Integrations</a>
            <span className="crumb-sep">/</span>
            <a className="crumb-name" href={href.designer(run.integrationId)} title={run.integrationName}>
              {run.integrationName}
            </a>
            <span className="crumb-sep">/</span>
            <a href={href.history(run.integrationId)}>Sync history</a>
          </>
        }
        title={run.name || `Run of ${run.integrationName}`}
        meta={<RunStatusBadge status={run.status} testId="run-status" />}
        actions={
          <>
            {isCancellableRun(run.status) ? <CancelButton run={run} /> : null}
            <RunAgain run={run} disabled={!terminal} />
          </>
        }
      />
      <div className="page__body">
        {error && !terminal ? <div className="banner banner--warn">{error} — retrying…</div> : null}
        <RunSummary run={run} duration={duration} now={now} live={!terminal && mode !== 'done'} />
        {run.sync ? <SyncLines run={run} /> : null}
        {run.error ? (
          <div className="banner banner--error run-failed" role="alert" data-testid="run-error">
            <span>
              <strong>This run failed.</strong> {run.error}
              {failedForRejections(run) ? (
                <span className="run-failed__note">
                  The steps that rejected records show “completed with errors”; the records they wrote stay written.{' '}
                  <button type="button" className="link-btn" data-testid="show-rejected" onClick={() => document.getElementById('rejected-records')?.scrollIntoView({ behavior: 'smooth', block: 'start' })}>
                    See the rejected records
                  </button>
                </span>
              ) : null}
            </span>
            {run.status === 'failed' && run.resumeFromRow && !failedForRejections(run) ? <ResumeButton run={run} resumeFromRow={run.resumeFromRow} onResumed={() => setGeneration((g) => g + 1)} /> : null}
          </div>
        ) : null}
        {run.status === 'cancelled' ? (
          <div className="banner banner--info" role="status" data-testid="run-cancelled">
            <span>
              <strong>This run was cancelled.</strong> The batches it committed before it stopped stay written ({formatCount(run.counts.written)}{' '}
              {run.counts.written === 1 ? 'record' : 'records'}); nothing of the batch in flight was kept. Run again to start over with the same settings.
            </span>
          </div>
        ) : null}
        {waitingStep?.waiting ? (
          <div className="banner banner--warn" role="status" data-testid="run-waiting">
            <span>
              <strong>{waitingMessage(waitingStep.waiting, now)}.</strong> {waitingStep.label} cannot reach it; the run goes on by itself once it answers.
            </span>
          </div>
        ) : null}
        <section className="section">
          <h2 className="section__title">Steps</h2>
          <div className="card steps">
            {run.steps.length === 0 ? (
              <EmptyState compact title={terminal ? 'No steps were recorded' : 'Waiting for the first step…'} />
            ) : (
              run.steps.map((s, i) => <StepRow key={s.nodeId} step={s} index={i} now={now} />)
            )}
          </div>
        </section>
        {run.files.length > 0 ? <FilesSection files={run.files} /> : null}
        {run.counts.rejected > 0 || run.steps.some((s) => s.counts.rejected > 0) ? <RejectedSection run={run} /> : null}
      </div>
    </div>
  );
}

/** Issue 14: how the run synced, per source ("Incremental since …, 214 changed" / "Full sync"), and its deletes. */
function SyncLines({ run }: { run: RunDetail }) {
  const sync = run.sync!;
  const [busy, setBusy] = useState(false);
  const held = sync.deletes.some((d) => d.state === 'held');
  return (
    <div className="run-sync" data-testid="run-sync">
      {sync.sources.map((s) => (
        <p key={s.nodeId} className="run-sync__line" data-testid="run-sync-source">
          <strong>{s.label}:</strong> {describeSourceSync(s)}
        </p>
      ))}
      {sync.remapped !== undefined ? (
        <p className="run-sync__line" data-testid="run-sync-refresh">
          {describeRefresh(sync.remapped)}
        </p>
      ) : null}
      {sync.deletes.map((d) => (
        <p key={JSON.stringify([d.nodeId, d.side ?? ''])} className={`run-sync__line${d.state === 'held' ? ' run-sync__line--held' : ''}`} data-testid="run-sync-deletes">
          {describeDeleteSync(d)}
        </p>
      ))}
      {held && isTerminalRun(run.status) ? (
        <button
          type="button"
          className="btn btn--danger"
          data-testid="confirm-deletes"
          disabled={busy}
          onClick={async () => {
            const total = sync.deletes.filter((d) => d.state === 'held').reduce((n, d) => n + d.candidates, 0);
            const ok = await confirmDialog({ title: `Delete ${formatCount(total)} records?`, message: 'The run is started again with the same settings and deletes them this time.', confirmLabel: 'Confirm deletes', danger: true });
            if (!ok) return;
            setBusy(true);
            try {
              const { runId } = await api.rerunConfirmingDeletes(run.id);
              navigate(href.run(runId));
            } catch (e) {
              toast(errorMessage(e), 'error');
            } finally {
              setBusy(false);
            }
          }}
        >
          Confirm deletes
        </button>
      ) : null}
    </div>
  );
}

/** "Resume from row 170,000": the failed run continues after its last committed batch, not from the start. */
function ResumeButton({ run, resumeFromRow, onResumed }: { run: RunDetail; resumeFromRow: number; onResumed: () => void }) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className="btn btn--primary"
      data-testid="run-resume"
      disabled={busy}
      title="Continue this run from its last committed checkpoint, with the same version, settings and files"
      onClick={async () => {
        setBusy(true);
        try {
          await api.resumeRun(run.id);
          toast(`Resuming from row ${formatCount(resumeFromRow)}`, 'success');
          onResumed();
        } catch (e) {
          toast(errorMessage(e), 'error');
        } finally {
          setBusy(false);
        }
      }}
    >
      {busy ? <Spinner size={14} /> : null} Resume from row {formatCount(resumeFromRow)}
    </button>
  );
}

/** Cancel a queued or running run: the engine stops it after the batch in flight commits or rolls back. */
function CancelButton({ run }: { run: RunDetail }) {
  const [busy, setBusy] = useState(false);
  const [asked, setAsked] = useState(false);
  return (
    <button
      type="button"
      className="btn btn--danger-ghost"
      data-testid="run-cancel"
      disabled={busy || asked}
      title="Stop this run: the batch in flight finishes committing or rolls back, then the run ends Cancelled"
      onClick={async () => {
        const ok = await confirmDialog({
          title: 'Cancel this run?',
          message: `"${run.name || `The run of ${run.integrationName}`}" stops after the batch in flight commits or rolls back. Records already written stay written.`,
          confirmLabel: 'Cancel run',
          danger: true,
        });
        if (!ok) return;
        setBusy(true);
        try {
          await api.cancelRun(run.id);
          setAsked(true);
          toast('Cancelling: the run stops after the batch in flight', 'success');
        } catch (e) {
          toast(errorMessage(e), 'error');
        } finally {
          setBusy(false);
        }
      }}
    >
      {busy || asked ? <Spinner size={14} /> : null} {asked ? 'Cancelling…' : 'Cancel run'}
    </button>
  );
}

function RunAgain({ run, disabled }: { run: RunDetail; disabled: boolean }) {
  const [busy, setBusy] = useState(false);
  const [rerunning, setRerunning] = useState(false);
  const [choosing, setChoosing] = useState(false);
  const integrationId = run.integrationId;
  return (
    <>
      <a className="btn btn--ghost" href={href.history(integrationId)} title="Sync history">
        <IconHistory size={14} /> <span className="label-wide">Sync history</span>
      </a>
      <button
        type="button"
        className="btn btn--secondary"
        data-testid="rerun"
        disabled={disabled || rerunning}
        title="A new run of the published version with this run's parameters and replaced files"
        onClick={async () => {
          setRerunning(true);
          try {
            const { runId } = await api.rerun(run.id);
            navigate(href.run(runId));
          } catch (e) {
            toast(errorMessage(e), 'error');
          } finally {
            setRerunning(false);
          }
        }}
      >
        {rerunning ? <Spinner size={14} /> : null} Run again
      </button>
      <RunMenu
        label="Run now"
        testId="run-again"
        disabled={disabled}
        busy={busy}
        onRun={async () => {
          setBusy(true);
          try {
            const { runId } = await api.startRun(integrationId);
            navigate(href.run(runId));
          } catch (e) {
            toast(errorMessage(e), 'error');
          } finally {
            setBusy(false);
          }
        }}
        onRunWithFiles={() => setChoosing(true)}
      />
      {choosing ? (
        <RunDialog integrationId={integrationId} integrationName={run.integrationName} onClose={() => setChoosing(false)} onStarted={(runId) => navigate(href.run(runId))} />
      ) : null}
    </>
  );
}

/** The files the run read, kept with it: each downloadable exactly as it was uploaded. */
function FilesSection({ files }: { files: RunFile[] }) {
  return (
    <section className="section" data-testid="run-files">
      <h2 className="section__title">
        Files <span className="count-pill">{files.length}</span>
      </h2>
      <p className="section__hint">What each file source read in this run, kept with the run.</p>
      <div className="card run-files">
        {files.map((f) => (
          <div key={f.nodeId} className="run-file" data-testid="run-file" data-node-id={f.nodeId}>
            <span className="file-card__icon">
              <IconFile size={18} />
            </span>
            <div className="run-file__text">
              <span className="run-file__name">{f.name}</span>
              <span className="muted small">
                {f.nodeLabel || f.nodeId} · {formatBytes(f.size)} · {formatLabel(f.format, f.compression)}
              </span>
            </div>
            {f.replaced ? (
              <span className="chip chip--accent" data-testid="run-file-replaced" title="This run read this file instead of the published one">
                Replaced for this run
              </span>
            ) : (
              <span className="chip">Published file</span>
            )}
            <a className="btn btn--ghost btn--sm" href={api.fileDownloadUrl(f.fileId)} download={f.name} data-testid="run-file-download">
              <IconDownload size={14} /> Download
            </a>
          </div>
        ))}
      </div>
    </section>
  );
}

function IconDownload({ size = 16 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.75} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d="M12 4v12M7 11l5 5 5-5M4 16v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3" />
    </svg>
  );
}

function RunSummary({ run, duration, now, live }: { run: RunDetail; duration: number | null; now: number; live: boolean }) {
  // Written = created + updated + unchanged: the three say what the write did, so "written" is not a tile of its own.
  const stats: [string, number, string?][] = [
    ['Read', run.counts.read],
    ['Created', run.counts.created],
    ['Updated', run.counts.updated],
    ['Unchanged', run.counts.unchanged],
    ['Rejected', run.counts.rejected, run.counts.rejected > 0 ? 'warn' : undefined],
  ];
  const rate = live ? rowsPerSecond(run.counts.read, run.startedAt, now) : null;
  // The total is known from the sources (bytes of a file against its size, a table's row estimate), else when an
  // earlier finished run read exactly these files: then a bar and the time left.
  const fromSources = live && run.steps.some((s) => s.progress);
  const earlier = useLoad(() => (live && !fromSources && run.files.length > 0 ? api.listRuns(run.integrationId, { limit: 20 }) : Promise.resolve(null)), [run.integrationId, run.id, live, fromSources]);
  const total = live && earlier.data ? expectedRows(run, earlier.data.items) : null;
  const progress = live ? runBar(run, total, rate, now) : null;
  return (
    <div className={`card run-summary run-summary--${statusTone(run.status)}`}>
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd>
            {RUN_STATUS_LABELS[run.status]}
            {live ? <span className="live-dot" title="Updating live" /> : null}
          </dd>
        </div>
        <div>
          <dt>Version</dt>
          <dd>v{run.versionNumber}</dd>
        </div>
        <div>
          <dt>Started by</dt>
          <dd data-testid="run-started-by">{startedByLabel(run)}</dd>
        </div>
        {run.rerunOf ? (
          <div>
            <dt>Runs again</dt>
            <dd>
              <a href={href.run(run.rerunOf)}>the earlier run</a>
            </dd>
          </div>
        ) : null}
        {run.resubmitOf && run.resubmitOf.length > 0 ? (
          <div>
            <dt>Resubmits records of</dt>
            <dd data-testid="run-resubmit-of">
              {run.resubmitOf.map((origin, i) => (
                <span key={origin}>
                  {i > 0 ? ', ' : ''}
                  <a href={href.run(origin)}>{run.resubmitOf!.length === 1 ? 'the original run' : `run ${i + 1}`}</a>
                </span>
              ))}
              {' · '}
              <a href={href.inbox()}>inbox</a>
            </dd>
          </div>
        ) : null}
        {Object.keys(run.params).length > 0 ? (
          <div>
            <dt>Parameters</dt>
            <dd data-testid="run-params">
              {Object.entries(run.params)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([k, v]) => `${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`)
                .join(' · ')}
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Started</dt>
          <dd title={run.startedAt ?? ''}>{run.startedAt ? `${formatDateTime(run.startedAt, now)} · ${relativeTime(run.startedAt, now)}` : 'Not yet'}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd data-testid="run-duration">{formatDuration(duration)}</dd>
        </div>
      </dl>
      <p className="run-outcome" data-testid="run-outcome">
        {run.counts.read > 0 || isFinished(run) ? (
          <>
            <strong>{outcomeSummary(run.counts)}</strong>
            <span className="muted"> of {formatCount(run.counts.read)} {run.counts.read === 1 ? 'row' : 'rows'} read</span>
          </>
        ) : (
          <span className="muted">No rows read yet</span>
        )}
        {rate !== null ? (
          <span className="run-rate muted" data-testid="run-rate">
            {' '}
            · {formatCount(Math.round(rate))} rows/s
          </span>
        ) : null}
      </p>
      {progress ? (
        <div className="run-progress" data-testid="run-progress">
          <div
            className="run-progress__bar"
            role="progressbar"
            aria-label="Read so far"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.floor(progress.fraction * 100)}
            aria-valuetext={progress.text}
          >
            <span style={{ width: `${(progress.fraction * 100).toFixed(1)}%` }} />
          </div>
          <span className="small muted" data-testid="run-progress-text">
            {progress.text}
            {progress.secondsLeft !== null ? ` · ${formatDuration(progress.secondsLeft * 1000)} left` : ''}
          </span>
        </div>
      ) : null}
      <div className="stats">
        {stats.map(([label, n, tone]) => (
          <div key={label} className={`stat${tone ? ` stat--${tone}` : ''}`} data-testid={`run-count-${label.toLowerCase()}`}>
            <div className="stat__value">{formatCount(n)}</div>
            <div className="stat__label">{label}</div>
          </div>
        ))}
      </div>
    </div>
  );
}

const isFinished = (run: RunDetail) => isTerminalRun(run.status);

/** Rows read per second since the run started; null before a second has passed or a row was read. */
function rowsPerSecond(read: number, startedAt: string | null, now: number): number | null {
  if (!startedAt || read === 0) return null;
  const seconds = (now - Date.parse(startedAt)) / 1000;
  return seconds >= 1 ? read / seconds : null;
}

function StepRow({ step, index, now }: { step: RunStep; index: number; now: number }) {
  const kind = getKind(step.kind);
  const dur = durationBetween(step.startedAt, step.endedAt, now);
  const c = step.counts;
  const counts: [string, number][] = (
    [
      ['read', c.read],
      ['written', c.written],
      ['created', c.created],
      ['updated', c.updated],
      ['unchanged', c.unchanged],
      ['rejected', c.rejected],
    ] as [string, number][]
  ).filter(([k, n]) => n > 0 || k === 'read' || (kind?.category === 'target' && k === 'written'));
  return (
    <div className={`step step--${statusTone(step.status)}`} data-testid={`step-${step.nodeId}`} data-status={step.status}>
      <div className="step__rail">
        <span className={`step__icon step__icon--${statusTone(step.status)}`}>
          <StatusIcon status={step.status} size={14} />
        </span>
      </div>
      <div className="step__main">
        <div className="step__head">
          <span className={`kind-chip kind-chip--${kind?.category ?? 'transform'}`}>
            <KindIcon kind={step.kind} size={14} />
          </span>
          <span className="step__label">
            <span className="muted small">{index + 1}.</span> {step.label}
          </span>
          <span className="muted small">{kind?.label ?? step.kind}</span>
          <span className="spacer" />
          <StepStatusBadge status={step.status} />
        </div>
        <div className="step__meta">
          {counts.map(([k, n]) => (
            <span key={k} className={`count${k === 'rejected' && n > 0 ? ' count--warn' : ''}`} data-testid={`step-count-${k}`}>
              <strong>{formatCount(n)}</strong> {k}
            </span>
          ))}
          <span className="muted small step__time">
            {step.startedAt ? `${formatDateTime(step.startedAt, now)} · ${formatDuration(dur)}` : step.status === 'skipped' ? 'Skipped' : 'Not started'}
          </span>
        </div>
        {step.waiting ? (
          <div className="step__waiting" role="status" data-testid="step-waiting">
            <strong>{waitingMessage(step.waiting, now)}</strong>
            <span className="step__waiting-detail">
              Waiting since {formatDateTime(step.waiting.since, now)}; the run fails if it is still unreachable at {formatDateTime(step.waiting.until, now)}. Last error: {step.waiting.error}
            </span>
          </div>
        ) : null}
        {step.error ? <div className="step__error">{step.error}</div> : null}
      </div>
    </div>
  );
}

const REJECTED_PAGE = 50;

/** A run Failed by its verdict on rejections (every record, or more than its threshold), not by an error in a step. */
function failedForRejections(run: RunDetail): boolean {
  return run.status === 'failed' && run.counts.rejected > 0 && !run.steps.some((s) => s.status === 'failed');
}

function RejectedSection({ run }: { run: RunDetail }) {
  const [offset, setOffset] = useState(0);
  const terminal = isTerminalRun(run.status);
  // Refetch as the rejected count grows while the run is live, and once more at the end.
  const rejected = useLoad(() => api.getRejected(run.id, { limit: REJECTED_PAGE, offset }), [run.id, offset, run.counts.rejected, terminal]);
  const columns = useMemo(() => {
    const seen = new Set<string>();
    for (const r of rejected.data?.items ?? []) for (const k of Object.keys(r.source)) seen.add(k);
    return [...seen].slice(0, 12);
  }, [rejected.data]);
  const steps = new Map(run.steps.map((s) => [s.nodeId, s.label]));
  const items = rejected.data?.items ?? [];
  return (
    <section className="section" id="rejected-records" data-testid="rejected-section">
      <h2 className="section__title">
        Rejected records <span className="count-pill count-pill--warn">{formatCount(rejected.data?.total ?? run.counts.rejected)}</span>
      </h2>
      <div className="section__hint-row">
        <p className="section__hint">These rows were not written. The line is where a spreadsheet shows the row in the file (header counted); the reason says what to fix in the file or the mapping.</p>
        <a className="btn btn--ghost btn--sm" href={api.rejectedDownloadUrl(run.id)} download data-testid="rejected-download">
          <IconDownload size={14} /> Download CSV
        </a>
      </div>
      {rejected.error ? <ErrorBanner message={errorMessage(rejected.error)} onRetry={rejected.reload} /> : null}
      <div className="card table-card">
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Rejected records">
          <table className="table" data-testid="rejected-table">
            <thead>
              <tr>
                <th className="num" title="Where the row is in the file, as a spreadsheet numbers it (header counted); the source's row number for a database">
                  Line
                </th>
                <th>Reason</th>
                <th>Step</th>
                {columns.map((c) => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id} data-testid="rejected-row">
                  <td className="num" data-testid="rejected-line">
                    {r.line !== undefined ? formatCount(r.line) : <span title="Row number in the source">#{formatCount(r.rowNumber)}</span>}
                  </td>
                  <td className="reason">{r.reason}</td>
                  <td className="muted">{steps.get(r.nodeId) ?? r.nodeId}</td>
                  {columns.map((c) => (
                    <td key={c} className="mono">
                      {r.source[c] === null || r.source[c] === undefined || r.source[c] === '' ? <span className="muted">—</span> : String(r.source[c])}
                    </td>
                  ))}
                </tr>
              ))}
              {items.length === 0 && !rejected.loading ? (
                <tr>
                  <td colSpan={3 + columns.length} className="muted">
                    No rejected rows recorded yet.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
        <Pager offset={offset} limit={REJECTED_PAGE} total={rejected.data?.total ?? 0} onChange={setOffset} />
      </div>
    </section>
  );
}
