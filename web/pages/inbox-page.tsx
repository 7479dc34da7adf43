// The record inbox: rejected records across runs and integrations, filtered, grouped by reason and paged on the
// server; edited one at a time or many at once, then resubmitted (a run over exactly those records) or ignored.
import { useEffect, useMemo, useState } from 'react';
import { INBOX_STATUS_LABELS, InboxStatus, type InboxRecord } from '../../shared';
import * as routes from '../../shared/api/routes';
import { api, ApiRequestError, errorMessage } from '../api';
import { useCan } from '../auth/session';
import { EmptyState, ErrorBanner } from '../components/empty-state';
import { IconCheck, IconPencil, IconPlay, IconSearch, IconX, Spinner } from '../components/icons';
import { Modal } from '../components/modal';
import { PageHeader } from '../components/page-header';
import { formatCount, formatDateTime, relativeTime } from '../lib/format';
import { useDebounced, useLoad, useNow } from '../lib/hooks';
import { toast } from '../lib/toasts';
import { href } from '../router';
import { Pager } from './history-page';
import { INBOX_CHANGED } from './inbox-badge';
import './inbox-page.css';

const PAGE = 50;

/** Field -> edited text, per record id: what the person changed and has not resubmitted yet. */
type Edits = Record<string, Record<string, string>>;

/** The default view: what still needs a person, and what is being resubmitted now (it leaves the view once fixed). */
const WAITING = 'open,still_failing,resubmitting';

const dayStart = (day: string, plusDays = 0): string | undefined => {
  if (!day) return undefined;
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y as number, (m as number) - 1, (d as number) + plusDays).toISOString();
};

/** A source value as the person reads and edits it: text, '' for empty. */
const asText = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

const TONE: Record<InboxStatus, string> = { open: 'badge--amber', resubmitting: 'badge--blue', fixed: 'badge--green', still_failing: 'badge--red', ignored: 'badge--gray' };

export function InboxPage() {
  const now = useNow();
  const canRun = useCan('run');
  const [integrationId, setIntegrationId] = useState('');
  const [status, setStatus] = useState(WAITING);
  const [reason, setReason] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [fromDay, setFromDay] = useState('');
  const [toDay, setToDay] = useState('');
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [edits, setEdits] = useState<Edits>({});
  const [editing, setEditing] = useState<InboxRecord | null>(null);
  /** inbox14: fields the record's source reads now and the record lacks (rejected before the source changed), by record id. */
  const [lacking, setLacking] = useState<Record<string, string[]>>({});
  const [ignoring, setIgnoring] = useState(false);
  const [busy, setBusy] = useState(false);
  const [setField, setSetField] = useState('');
  const [setValue, setSetValue] = useState('');
  const q = useDebounced(search.trim(), 300);

  const filter = {
    ...(integrationId && { integrationId }),
    status: status.split(',') as InboxStatus[],
    ...(q && { search: q }),
    ...(fromDay && { from: dayStart(fromDay) }),
    ...(toDay && { to: dayStart(toDay, 1) }),
  };
  const integrations = useLoad(() => api.listIntegrations(), []);
  const records = useLoad(
    () => api.call(routes.listInbox, { query: { ...filter, ...(reason !== null && { reason }), limit: PAGE, offset } }),
    [integrationId, status, q, fromDay, toDay, reason, offset],
  );
  const groups = useLoad(() => api.call(routes.inboxGroups, { query: filter }), [integrationId, status, q, fromDay, toDay]);
  const items = records.data?.items ?? [];
  const total = records.data?.total ?? 0;

  // While a resubmit run is going, its records say Resubmitting: look again until they settle.
  const { reload, data } = records;
  const settling = items.some((r) => r.status === 'resubmitting');
  const reloadGroups = groups.reload;
  useEffect(() => {
    if (!settling) return;
    const t = window.setTimeout(() => {
      reload();
      reloadGroups();
    }, 1500);
    return () => window.clearTimeout(t);
  }, [settling, data, reload, reloadGroups]);

  // The nav's badge counts waiting records: tell it whenever the records shown change.
  useEffect(() => {
    if (data) window.dispatchEvent(new Event(INBOX_CHANGED));
  }, [data]);

  const reset = (f: () => void) => {
    f();
    setOffset(0);
    setSelected(new Set());
  };
  const filtered = integrationId !== '' || status !== WAITING || reason !== null || q !== '' || fromDay !== '' || toDay !== '';
  const actionable = (r: InboxRecord) => r.status === 'open' || r.status === 'still_failing';
  const pageActionable = items.filter(actionable);
  const allOnPage = pageActionable.length > 0 && pageActionable.every((r) => selected.has(r.id));
  const chosen = items.filter((r) => selected.has(r.id));
  /** The fields the selected records' sources share: what "Set … for the selected" can change. */
  const sharedFields = useMemo(() => {
    const [first, ...rest] = chosen;
    if (!first) return [];
    return Object.keys(first.source).filter((f) => rest.every((r) => Object.hasOwn(r.source, f)));
  }, [chosen]);

  // Field names are data (a source may have a `__proto__` column): read own keys only.
  const valueOf = (r: InboxRecord, field: string): string => {
    const own = edits[r.id];
    return own && Object.hasOwn(own, field) ? (own[field] as string) : asText((r.edited ?? r.source)[field]);
  };
  /** Fields changed from the source: by edits not yet sent, or in the values last resubmitted. */
  const editedFields = (r: InboxRecord) => {
    const sent = r.edited ? Object.keys(r.source).filter((f) => asText(r.edited?.[f]) !== asText(r.source[f])) : [];
    return [...new Set([...sent, ...Object.keys(edits[r.id] ?? {})])];
  };
  const unsent = (r: InboxRecord) => Object.keys(edits[r.id] ?? {}).length > 0;

  function toggle(id: string) {
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  function applySet() {
    if (!setField) return;
    setEdits((e) => {
      const next = { ...e };
      for (const r of chosen) next[r.id] = { ...next[r.id], [setField]: setValue };
      return next;
    });
    toast(`Set ${setField} to "${setValue}" for ${chosen.length} record${chosen.length === 1 ? '' : 's'}; resubmit to send them`, 'success');
  }

  async function resubmit(ids: string[]) {
    setBusy(true);
    try {
      const body = { ids, edits: Object.fromEntries(ids.filter((id) => edits[id]).map((id) => [id, edits[id] as Record<string, string>])) };
      const { runs } = await api.call(routes.resubmitRecords, { body });
      const n = runs.reduce((s, r) => s + r.records, 0);
      toast(`Resubmitted ${n} record${n === 1 ? '' : 's'} in ${runs.length === 1 ? 'a run' : `${runs.length} runs`}`, 'success');
      setEdits((e) => Object.fromEntries(Object.entries(e).filter(([id]) => !ids.includes(id))));
      setSelected(new Set());
      setEditing(null);
      records.reload();
      groups.reload();
    } catch (err) {
      if (err instanceof ApiRequestError && err.code === 'source_changed') setLacking((l) => ({ ...l, ...lackingFields(err.issues) }));
      toast(errorMessage(err), 'error');
    } finally {
      setBusy(false);
    }
  }

  async function ignore(note: string) {
    setBusy(true);
    try {
      const { ignored } = await api.call(routes.ignoreRecords, { body: { ids: [...selected], note } });
      toast(`Ignored ${ignored} record${ignored === 1 ? '' : 's'}`, 'success');
      setSelected(new Set());
      setIgnoring(false);
      records.reload();
      groups.reload();
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setBusy(false);
    }
  }

  const groupItems = groups.data?.items ?? [];
  return (
    <div className="page">
      <PageHeader title="Record inbox" meta={records.data ? <span className="muted" data-testid="inbox-total">{formatCount(total)} {filtered ? 'matching' : 'waiting'}</span> : null} />
      <div className="page__body">
        <p className="muted inbox-intro">
          Records a run rejected, from every integration. Fix their source values and resubmit them: Weft runs the integration&apos;s published version over
          exactly those records. Targets are written by key, so a record is never written twice.
        </p>
        <div className="history-filters" data-testid="inbox-filters">
          <select className="input" aria-label="Integration" value={integrationId} data-testid="inbox-integration" onChange={(e) => reset(() => setIntegrationId(e.target.value))}>
            <option value="">Every integration</option>
            {(integrations.data ?? []).map((i) => (
              <option key={i.id} value={i.id}>
                {i.name}
              </option>
            ))}
          </select>
          <select className="input" aria-label="Status" value={status} data-testid="inbox-status" onChange={(e) => reset(() => setStatus(e.target.value))}>
            <option value={WAITING}>Waiting (rejected, still failing, resubmitting)</option>
            {InboxStatus.options.map((s) => (
              <option key={s} value={s}>
                {INBOX_STATUS_LABELS[s]}
              </option>
            ))}
            <option value={InboxStatus.options.join(',')}>Every status</option>
          </select>
          <label className="search inbox-search">
            <IconSearch size={16} />
            <input placeholder="Reason contains…" value={search} aria-label="Reason contains" data-testid="inbox-search" onChange={(e) => reset(() => setSearch(e.target.value))} />
          </label>
          <span className="inbox-dates">
            <label className="muted small" htmlFor="inbox-from">
              From
            </label>
            <input id="inbox-from" className="input" type="date" value={fromDay} max={toDay || undefined} onChange={(e) => reset(() => setFromDay(e.target.value))} />
            <label className="muted small" htmlFor="inbox-to">
              to
            </label>
            <input id="inbox-to" className="input" type="date" value={toDay} min={fromDay || undefined} onChange={(e) => reset(() => setToDay(e.target.value))} />
          </span>
          {filtered ? (
            <button
              type="button"
              className="btn btn--ghost btn--sm"
              onClick={() => reset(() => (setIntegrationId(''), setStatus(WAITING), setReason(null), setSearch(''), setFromDay(''), setToDay('')))}
            >
              Clear filters
            </button>
          ) : null}
        </div>

        {groupItems.length > 0 ? (
          <section className="card inbox-groups" aria-label="Reasons" data-testid="inbox-groups">
            <h2 className="inbox-groups__title">
              By reason <span className="muted small">{formatCount(groups.data?.total ?? 0)} different</span>
            </h2>
            <ul>
              {groupItems.slice(0, 6).map((g) => (
                <li key={g.reason}>
                  <button
                    type="button"
                    className={`inbox-group${reason === g.reason ? ' is-active' : ''}`}
                    aria-pressed={reason === g.reason}
                    data-testid="inbox-group"
                    onClick={() => reset(() => setReason(reason === g.reason ? null : g.reason))}
                  >
                    <span className="inbox-group__count">
                      {formatCount(g.count)} record{g.count === 1 ? '' : 's'}
                    </span>
                    <span className="inbox-group__reason">{g.reason}</span>
                    {reason === g.reason ? <IconX size={14} /> : null}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ) : null}

        {records.error ? <ErrorBanner message={errorMessage(records.error)} onRetry={records.reload} /> : null}
        {selected.size > 0 && canRun ? (
          <div className="inbox-bulk card" data-testid="inbox-bulk">
            <strong>{selected.size} selected</strong>
            <span className="inbox-bulk__set">
              Set
              <select className="input" aria-label="Field to set" value={setField} onChange={(e) => setSetField(e.target.value)} data-testid="bulk-field">
                <option value="">field…</option>
                {sharedFields.map((f) => (
                  <option key={f} value={f}>
                    {f}
                  </option>
                ))}
              </select>
              to
              <input className="input" aria-label="New value" value={setValue} onChange={(e) => setSetValue(e.target.value)} data-testid="bulk-value" />
              <button type="button" className="btn btn--sm" disabled={!setField} onClick={applySet} data-testid="bulk-apply">
                Apply to {selected.size}
              </button>
            </span>
            <span className="inbox-bulk__actions">
              <button type="button" className="btn btn--ghost btn--sm" onClick={() => setIgnoring(true)} disabled={busy} data-testid="bulk-ignore">
                Ignore…
              </button>
              <button type="button" className="btn btn--primary btn--sm" onClick={() => void resubmit([...selected])} disabled={busy} data-testid="bulk-resubmit">
                {busy ? <Spinner size={14} /> : <IconPlay size={14} />} Resubmit {selected.size}
              </button>
            </span>
          </div>
        ) : null}

        {records.loading && !records.data ? (
          <div className="card table-card card--skeleton" style={{ height: 240 }} />
        ) : items.length === 0 && !records.error ? (
          <EmptyState icon={<IconCheck size={28} />} title={filtered ? 'No records match these filters' : 'Nothing waiting'}>
            {filtered ? 'Change the filters, or clear them.' : 'Records a run rejects show up here, with the reason and the values to fix.'}
          </EmptyState>
        ) : (
          <div className="card table-card">
            <div className="table-scroll" tabIndex={0} role="region" aria-label="Rejected records">
              <table className="table inbox-table" data-testid="inbox-table">
                <thead>
                  <tr>
                    <th className="inbox-table__check">
                      <input
                        type="checkbox"
                        aria-label="Select every record on this page"
                        checked={allOnPage}
                        disabled={pageActionable.length === 0 || !canRun}
                        onChange={() => setSelected(allOnPage ? new Set() : new Set(pageActionable.map((r) => r.id)))}
                      />
                    </th>
                    <th>Status</th>
                    <th>Source values</th>
                    <th>Reason</th>
                    <th>Where</th>
                    <th>Rejected</th>
                    <th aria-label="Actions" />
                  </tr>
                </thead>
                <tbody>
                  {items.map((r) => {
                    const changed = editedFields(r);
                    return (
                      <tr key={r.id} data-testid="inbox-row" data-id={r.id} className={selected.has(r.id) ? 'is-selected' : undefined}>
                        <td className="inbox-table__check">
                          <input type="checkbox" aria-label={`Select record ${r.rowNumber} of ${r.runName || 'its run'}`} checked={selected.has(r.id)} disabled={!actionable(r) || !canRun} onChange={() => toggle(r.id)} />
                        </td>
                        <td>
                          <span className={`badge ${TONE[r.status]}`} data-testid="inbox-status-badge">
                            {INBOX_STATUS_LABELS[r.status]}
                          </span>
                          {unsent(r) ? <div className="small inbox-edited">edited, not sent</div> : null}
                        </td>
                        <td className="inbox-values">
                          {Object.keys(r.source)
                            .slice(0, 6)
                            .map((f) => (
                              <div key={f} className={changed.includes(f) ? 'is-edited' : undefined} title={changed.includes(f) ? `was ${asText(r.source[f]) || 'empty'}` : undefined}>
                                <span className="muted">{f}</span> <span className="inbox-value">{valueOf(r, f) || <span className="muted">empty</span>}</span>
                              </div>
                            ))}
                        </td>
                        <td className="inbox-reason">
                          <div>{r.latestReason ?? r.reason}</div>
                          {r.latestReason && r.status === 'still_failing' ? <div className="muted small">First rejected: {r.reason}</div> : null}
                          {r.note ? <div className="muted small">Note: {r.note}</div> : null}
                        </td>
                        <td className="inbox-where">
                          <div>{r.integrationName}</div>
                          <div className="small">
                            <a href={href.run(r.runId)}>{r.runName || 'its run'}</a>
                            <span className="muted">
                              {' '}
                              · {r.stepLabel} · <span className="inbox-nowrap">row {r.rowNumber}</span>
                            </span>
                          </div>
                          {r.outcomeRunId && r.status !== 'open' ? (
                            <div className="small">
                              <a href={href.run(r.outcomeRunId)}>{r.status === 'fixed' ? 'Fixed by this run' : 'Last resubmit'}</a>
                            </div>
                          ) : null}
                        </td>
                        <td title={r.createdAt}>
                          <div className="nowrap">{formatDateTime(r.createdAt, now)}</div>
                          <div className="muted small nowrap">{relativeTime(r.createdAt, now)}</div>
                          {r.rejectedInRuns > 1 ? (
                            <div className="small nowrap inbox-runs" data-testid="inbox-rejected-in" title="The same record (same key) was rejected by each of these runs; this is the newest rejection. Resubmitting or ignoring it settles them all.">
                              rejected in {formatCount(r.rejectedInRuns)} runs
                            </div>
                          ) : null}
                        </td>
                        <td>
                          {actionable(r) && canRun ? (
                            <button type="button" className="btn btn--ghost btn--sm" onClick={() => setEditing(r)} data-testid="inbox-edit">
                              <IconPencil size={14} /> Edit
                            </button>
                          ) : null}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <Pager offset={offset} limit={PAGE} total={total} onChange={(o) => (setOffset(o), setSelected(new Set()))} />
          </div>
        )}
      </div>
      {editing ? (
        <EditDialog
          record={editing}
          lacking={lacking[editing.id] ?? []}
          current={(f) => valueOf(editing, f)}
          busy={busy}
          onClose={() => setEditing(null)}
          onSave={(changes, andResubmit) => {
            setEdits((e) => ({ ...e, [editing.id]: changes }));
            if (andResubmit) {
              // The edits go with the request directly: state updates land after this call.
              setBusy(true);
              api
                .call(routes.resubmitRecords, { body: { ids: [editing.id], edits: { [editing.id]: changes } } })
                .then(() => {
                  toast('Resubmitted 1 record', 'success');
                  setEdits(({ [editing.id]: _gone, ...rest }) => rest);
                  setEditing(null);
                  records.reload();
                  groups.reload();
                })
                .catch((err: unknown) => {
                  // The source changed since the record was rejected: the dialog asks for the fields it reads now.
                  if (err instanceof ApiRequestError && err.code === 'source_changed') setLacking((l) => ({ ...l, ...lackingFields(err.issues) }));
                  toast(errorMessage(err), 'error');
                })
                .finally(() => setBusy(false));
            } else {
              setSelected((s) => new Set(s).add(editing.id));
              setEditing(null);
            }
          }}
        />
      ) : null}
      {ignoring ? <IgnoreDialog count={selected.size} busy={busy} onClose={() => setIgnoring(false)} onIgnore={(note) => void ignore(note)} /> : null}
    </div>
  );
}

/** The fields a `source_changed` answer names per record (`edits.<record id>.<field>`). */
function lackingFields(issues: readonly { path: string }[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const { path } of issues) {
    const m = /^edits\.([^.]+)\.(.+)$/s.exec(path);
    if (m) (out[m[1] as string] ??= []).push(m[2] as string);
  }
  return out;
}

function EditDialog({
  record,
  lacking,
  current,
  busy,
  onClose,
  onSave,
}: {
  record: InboxRecord;
  /** Fields the source reads now that the record does not have: asked for, empty until given. */
  lacking: readonly string[];
  current: (field: string) => string;
  busy: boolean;
  onClose: () => void;
  onSave: (changes: Record<string, string>, resubmit: boolean) => void;
}) {
  const fields = [...Object.keys(record.source), ...lacking.filter((f) => !Object.hasOwn(record.source, f))];
  const base = record.edited ?? record.source;
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(fields.map((f) => [f, current(f)])));
  // What differs from the values the record would be sent with unedited (its source, or its last resubmitted values).
  const changes = Object.fromEntries(fields.filter((f) => (values[f] ?? '') !== asText(base[f])).map((f) => [f, values[f] ?? '']));
  return (
    <Modal onClose={onClose} labelledBy="inbox-edit-title" dismissable={!busy}>
      <form
        className="dialog card inbox-edit"
        data-testid="inbox-edit-dialog"
        onSubmit={(e) => {
          e.preventDefault();
          onSave(changes, true);
        }}
      >
        <header className="dialog__head">
          <span className="kind-chip kind-chip--source kind-chip--lg">
            <IconPencil size={18} />
          </span>
          <div className="dialog__titles">
            <h2 className="dialog__title" id="inbox-edit-title">
              Fix record {record.rowNumber}
            </h2>
            <p className="dialog__subtitle muted">
              {record.integrationName} · {record.stepLabel}
            </p>
          </div>
          <button type="button" className="icon-btn icon-btn--quiet" aria-label="Close" onClick={onClose} disabled={busy}>
            <IconX size={16} />
          </button>
        </header>
        <div className="dialog__body">
          <div className="banner banner--warn inbox-edit__reason">
            {record.latestReason ?? record.reason}
            {record.rejectedInRuns > 1 ? <div className="small">Rejected in {formatCount(record.rejectedInRuns)} runs; this resubmit settles all of them.</div> : null}
          </div>
          {lacking.length > 0 ? (
            <div className="banner banner--error" role="alert" data-testid="edit-lacking">
              The source changed since this record was rejected: it now reads {lacking.map((f) => `"${f}"`).join(', ')}, which this record does not have. Give{' '}
              {lacking.length === 1 ? 'it' : 'them'} a value before resubmitting, or ignore the record.
            </div>
          ) : null}
          <div className="inbox-edit__fields">
            {fields.map((f) => (
              <label key={f} className="inbox-edit__field">
                <span className="inbox-edit__name">{f}</span>
                <input
                  className={`input${(values[f] ?? '') !== asText(record.source[f]) ? ' is-edited' : ''}`}
                  value={values[f] ?? ''}
                  onChange={(e) => setValues((v) => ({ ...v, [f]: e.target.value }))}
                  disabled={busy}
                  data-testid={`edit-field-${f}`}
                />
                {(values[f] ?? '') !== asText(record.source[f]) ? <span className="muted small">was {asText(record.source[f]) || 'empty'}</span> : null}
              </label>
            ))}
          </div>
        </div>
        <footer className="dialog__foot">
          <span className="muted small">{Object.keys(changes).length === 0 ? 'Nothing changed yet' : `${Object.keys(changes).length} field${Object.keys(changes).length === 1 ? '' : 's'} changed`}</span>
          <span className="spacer" />
          <button type="button" className="btn btn--ghost" onClick={() => onSave(changes, false)} disabled={busy} data-testid="edit-keep">
            Keep edits and select
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy} data-testid="edit-resubmit">
            {busy ? <Spinner size={14} /> : <IconPlay size={14} />} Resubmit this record
          </button>
        </footer>
      </form>
    </Modal>
  );
}

function IgnoreDialog({ count, busy, onClose, onIgnore }: { count: number; busy: boolean; onClose: () => void; onIgnore: (note: string) => void }) {
  const [note, setNote] = useState('');
  return (
    <Modal onClose={onClose} labelledBy="inbox-ignore-title" dismissable={!busy}>
      <form
        className="dialog card"
        onSubmit={(e) => {
          e.preventDefault();
          if (note.trim()) onIgnore(note.trim());
        }}
      >
        <header className="dialog__head">
          <div className="dialog__titles">
            <h2 className="dialog__title" id="inbox-ignore-title">
              Ignore {count} record{count === 1 ? '' : 's'}
            </h2>
            <p className="dialog__subtitle muted">They leave the inbox and are not resubmitted. Say why, for whoever looks later.</p>
          </div>
        </header>
        <div className="dialog__body">
          <textarea className="input" rows={3} value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} placeholder="e.g. Test records, not real customers" data-testid="ignore-note" />
        </div>
        <footer className="dialog__foot">
          <span className="spacer" />
          <button type="button" className="btn btn--ghost" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy || !note.trim()} data-testid="ignore-confirm">
            Ignore
          </button>
        </footer>
      </form>
    </Modal>
  );
}
