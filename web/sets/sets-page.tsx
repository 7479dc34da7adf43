// Integration sets (lazy-loaded): the sets on the left; on the right the selected set's members in run order, its
// schedule, "Run now", and its history, each set run listing its member runs with their statuses. A set is edited in
// place: name, members (add, remove, move up or down with buttons, so it works from the keyboard) and "Abort the set
// when an integration fails".
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { isCancellableRun, type IntegrationSet, type IntegrationSummary, type SetRun, type SetSchedule } from '../../shared';
import * as routes from '../../shared/api/routes';
import { api, ApiRequestError, errorMessage } from '../api';
import { useCan } from '../auth/session';
import { EmptyState, ErrorBanner } from '../components/empty-state';
import { IconChevronLeft, IconChevronRight, IconPlay, IconPlus, IconTrash, IconX, Spinner } from '../components/icons';
import { PageHeader } from '../components/page-header';
import { RunStatusBadge } from '../components/status-badge';
import { formatDateTime } from '../lib/format';
import { useLoad, useNow, usePageVisible, useReloadWhenShown } from '../lib/hooks';
import { runAction, toast } from '../lib/toasts';
import { href, navigate } from '../router';
import { ScheduleDialog } from '../schedules/schedule-dialog';
import { ScheduleSummary } from '../schedules/schedule-summary';
import { TriggerTokens, type TokenScope } from '../integrations/operations-panel';
import './sets.css';

export function SetsPage({ id }: { id: string | null }) {
  const sets = useLoad(() => api.call(routes.listSets), []);
  const integrations = useLoad(() => api.call(routes.listIntegrations), []);
  const canDesign = useCan('design');
  const [creating, setCreating] = useState(false);
  const list = sets.data ?? [];
  const selected = list.find((s) => s.id === id) ?? null;

  const newButton = canDesign ? (
    <button type="button" className="btn btn--primary" onClick={() => setCreating(true)} data-testid="new-set">
      <IconPlus />
      New set
    </button>
  ) : null;

  return (
    <div className="page">
      <PageHeader title="Integration sets" meta={list.length > 0 ? <span className="muted">{list.length === 1 ? '1 set' : `${list.length} sets`}</span> : null} actions={newButton} />
      <div className="page__body">
        {sets.error ? <ErrorBanner message={errorMessage(sets.error)} onRetry={sets.reload} /> : null}
        {sets.loading && !sets.data ? (
          <div className="card table-card card--skeleton" />
        ) : list.length === 0 && !creating && !sets.error ? (
          <EmptyState title="Run integrations one after another" action={newButton}>
            A set runs published integrations in the order you choose, by hand, on its own schedule or from another system with its own token. When one
            fails, the set stops there (or goes on, if you say so).
          </EmptyState>
        ) : (
          <div className={`sets-layout${list.length === 0 ? ' sets-layout--single' : ''}`}>
            {list.length > 0 ? (
            <nav className="sets-list card" aria-label="Sets">
              <ul>
                {list.map((s) => (
                  <li key={s.id}>
                    <a className={`sets-list__item${s.id === id && !creating ? ' is-active' : ''}`} href={href.sets(s.id)} onClick={() => setCreating(false)} data-testid="set-link" data-name={s.name}>
                      <span className="strong">{s.name}</span>
                      <span className="muted small">
                        {s.members.length} integration{s.members.length === 1 ? '' : 's'}
                        {s.schedule ? ` · ${s.schedule.description}` : ''}
                      </span>
                      {s.lastRun ? <RunStatusBadge status={s.lastRun.status} /> : <span className="muted small">Never run</span>}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            ) : null}
            <section className="sets-detail">
              {creating ? (
                <SetEditor
                  integrations={integrations.data ?? []}
                  onCancel={() => setCreating(false)}
                  onSaved={(saved) => {
                    setCreating(false);
                    sets.reload();
                    navigate(href.sets(saved.id));
                  }}
                />
              ) : selected ? (
                <SetDetail key={selected.id} set={selected} integrations={integrations.data ?? []} onChanged={sets.reload} />
              ) : (
                <p className="muted sets-detail__hint">Choose a set on the left{canDesign ? ', or make a new one' : ''}.</p>
              )}
            </section>
          </div>
        )}
      </div>
    </div>
  );
}

function SetEditor({ set, integrations, onCancel, onSaved }: { set?: IntegrationSet; integrations: IntegrationSummary[]; onCancel: () => void; onSaved: (s: IntegrationSet) => void }) {
  const [name, setName] = useState(set?.name ?? '');
  const [members, setMembers] = useState<string[]>(set?.members.map((m) => m.integrationId) ?? []);
  const [abort, setAbort] = useState(set?.abortOnFailure ?? true);
  const [adding, setAdding] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const names = useMemo(() => new Map<string, string>([...(set?.members.map((m) => [m.integrationId, m.name] as const) ?? []), ...integrations.map((i) => [i.id, i.name] as const)]), [integrations, set]);
  const addable = integrations.filter((i) => i.publishedVersionNumber !== null && !members.includes(i.id));

  const move = (i: number, by: -1 | 1) =>
    setMembers((m) => {
      const next = [...m];
      const [item] = next.splice(i, 1);
      next.splice(i + by, 0, item!);
      return next;
    });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setFormError(null);
    const body = { name, members, abortOnFailure: abort };
    try {
      const saved = set ? await api.call(routes.updateSet, { params: { id: set.id }, body }) : await api.call(routes.createSet, { body });
      toast(set ? `Saved ${saved.name}` : `Created ${saved.name}`, 'success');
      onSaved(saved);
    } catch (err) {
      const issues = err instanceof ApiRequestError ? err.issues : [];
      if (issues.length > 0) setErrors(Object.fromEntries(issues.map((i) => [i.path, i.message])));
      else setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card set-editor" onSubmit={submit} noValidate data-testid="set-editor">
      <h2 className="set-editor__title">{set ? `Edit ${set.name}` : 'New set'}</h2>
      <div className="form-row">
        <label className="form-label" htmlFor="set-name">
          Name
        </label>
        <input id="set-name" className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Nightly CRM chain" autoFocus data-testid="set-name" aria-invalid={Boolean(errors.name)} />
        {errors.name ? <p className="field-error">{errors.name}</p> : null}
      </div>
      <fieldset className="form-row set-members">
        <legend className="form-label">Integrations, in run order</legend>
        {members.length === 0 ? <p className="muted small">No integration yet: add the first one below.</p> : null}
        <ol className="set-members__list" data-testid="set-members">
          {members.map((m, i) => {
            const label = names.get(m) || m;
            return (
              <li key={m} className="set-member" data-testid="set-member" data-name={label}>
                <span className="set-member__pos">{i + 1}</span>
                <span className="set-member__name">{label}</span>
                {errors[`members.${i}`] ? <span className="field-error set-member__error">{errors[`members.${i}`]}</span> : null}
                <span className="set-member__actions">
                  <button type="button" className="icon-btn icon-btn--quiet set-member__up" aria-label={`Move ${label} up`} disabled={i === 0} onClick={() => move(i, -1)} data-testid="member-up">
                    <IconChevronLeft size={14} />
                  </button>
                  <button type="button" className="icon-btn icon-btn--quiet set-member__down" aria-label={`Move ${label} down`} disabled={i === members.length - 1} onClick={() => move(i, 1)} data-testid="member-down">
                    <IconChevronRight size={14} />
                  </button>
                  <button type="button" className="icon-btn icon-btn--quiet" aria-label={`Remove ${label}`} onClick={() => setMembers((ms) => ms.filter((x) => x !== m))} data-testid="member-remove">
                    <IconX size={14} />
                  </button>
                </span>
              </li>
            );
          })}
        </ol>
        {errors.members ? <p className="field-error">{errors.members}</p> : null}
        <div className="set-members__add">
          <label className="sr-only" htmlFor="set-add">
            Integration to add
          </label>
          <select id="set-add" className="input select" value={adding} onChange={(e) => setAdding(e.target.value)} data-testid="set-add-select">
            <option value="">{addable.length > 0 ? 'Choose a published integration…' : 'Every published integration is in the set'}</option>
            {addable.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="btn btn--ghost"
            disabled={!adding}
            onClick={() => {
              setMembers((m) => [...m, adding]);
              setAdding('');
            }}
            data-testid="set-add"
          >
            <IconPlus />
            Add
          </button>
        </div>
        <p className="hint">Only published integrations can be members; each runs once per set run, its published version.</p>
      </fieldset>
      <div className="form-row">
        <label className="checkbox-row">
          <input type="checkbox" className="checkbox" checked={abort} onChange={(e) => setAbort(e.target.checked)} data-testid="set-abort" />
          <span>
            Abort the set when an integration fails
            <span className="hint">{abort ? 'The integrations after a failed one do not run; the set ends Failed.' : 'The set goes on; it ends Completed with errors.'}</span>
          </span>
        </label>
      </div>
      {formError ? (
        <div className="banner banner--error banner--sm" role="alert">
          {formError}
        </div>
      ) : null}
      <footer className="set-editor__foot">
        <button type="button" className="btn btn--ghost" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn--primary" disabled={busy || !name.trim() || members.length === 0} data-testid="set-save">
          {busy ? <Spinner /> : null}
          {set ? 'Save' : 'Create set'}
        </button>
      </footer>
    </form>
  );
}

function SetDetail({ set, integrations, onChanged }: { set: IntegrationSet; integrations: IntegrationSummary[]; onChanged: () => void }) {
  const canRun = useCan('run');
  const canDesign = useCan('design');
  const now = useNow();
  const [editing, setEditing] = useState(false);
  const [scheduling, setScheduling] = useState(false);
  const [starting, setStarting] = useState(false);
  const history = useLoad(() => api.call(routes.listSetRuns, { params: { id: set.id }, query: { limit: 20, offset: 0 } }), [set.id]);
  const schedule = useLoad(() => api.call(routes.getSetSchedule, { params: { id: set.id } }), [set.id, set.updatedAt]);
  const runs = history.data?.items ?? [];
  const going = runs.some((r) => isCancellableRun(r.status));

  // While a set run goes, its members' statuses move: read again often.
  const reload = useRef(history.reload);
  reload.current = history.reload;
  const changed = useRef(onChanged);
  changed.current = onChanged;
  const wasGoing = useRef(false);
  const visible = usePageVisible();
  // The list on the left shows the set's last run too: read it again when a run ends here, or when the history is
  // newer than the list (a run that ended between the two reads stayed "In progress" there for good, ui15).
  const latest = runs[0];
  const listed = set.lastRun;
  const stale = !!latest && !isCancellableRun(latest.status) && (listed?.id !== latest.id || listed.status !== latest.status);
  useEffect(() => {
    if (stale) changed.current();
  }, [stale]);
  useEffect(() => {
    if (wasGoing.current && !going) changed.current();
    wasGoing.current = going;
    // Runs started elsewhere (the schedule, the trigger API) show up within 10 s; a run going is followed every 1.5 s.
    // Paused while the tab is hidden, read again when it is shown (review16b).
    if (!visible) return;
    const t = window.setInterval(() => reload.current(), going ? 1500 : 10_000);
    return () => window.clearInterval(t);
  }, [going, visible]);
  useReloadWhenShown(visible, () => reload.current());

  async function runNow() {
    setStarting(true);
    try {
      await api.call(routes.runSet, { params: { id: set.id }, body: { name: '' } });
      toast(`Started ${set.name}`, 'success');
      history.reload();
      onChanged();
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setStarting(false);
    }
  }

  const remove = () =>
    runAction({
      confirm: { title: `Delete "${set.name}"?`, message: "Its schedule, tokens and history go; its members and their own runs stay.", confirmLabel: 'Delete', danger: true },
      run: () => api.call(routes.deleteSet, { params: { id: set.id } }),
      done: () => (onChanged(), navigate(href.sets()), `Deleted ${set.name}`),
      errorText: errorMessage,
    });

  if (editing) {
    return (
      <SetEditor
        set={set}
        integrations={integrations}
        onCancel={() => setEditing(false)}
        onSaved={() => {
          setEditing(false);
          onChanged();
        }}
      />
    );
  }

  return (
    <div className="set-detail" data-testid="set-detail">
      <div className="card set-summary">
        <header className="set-summary__head">
          <div>
            <h2 className="set-summary__title" data-testid="set-title">
              {set.name}
            </h2>
            <p className="muted small">{set.abortOnFailure ? 'Stops at the first integration that fails' : 'Goes on when an integration fails'}</p>
          </div>
          <div className="set-summary__actions">
            {canDesign ? (
              <>
                <button type="button" className="btn btn--ghost" onClick={() => setEditing(true)} data-testid="set-edit">
                  Edit
                </button>
                <button type="button" className="icon-btn icon-btn--quiet" aria-label={`Delete ${set.name}`} onClick={() => void remove()} data-testid="set-delete">
                  <IconTrash size={16} />
                </button>
              </>
            ) : null}
            {canRun ? (
              <button type="button" className="btn btn--primary" onClick={() => void runNow()} disabled={starting} data-testid="set-run-now">
                {starting ? <Spinner /> : <IconPlay />}
                Run now
              </button>
            ) : null}
          </div>
        </header>
        <ol className="set-chain" aria-label="Run order">
          {set.members.map((m, i) => (
            <li key={m.integrationId} className="set-chain__item">
              <span className="set-member__pos">{i + 1}</span>
              <a href={href.history(m.integrationId)}>{m.name || m.integrationId}</a>
              {!m.published ? <span className="badge badge--amber">Not published</span> : !m.active ? <span className="badge badge--gray">Deactivated</span> : null}
            </li>
          ))}
        </ol>
        {schedule.error ? (
          <p className="muted small">{errorMessage(schedule.error)}</p>
        ) : (
          <ScheduleSummary schedule={schedule.data ?? null} now={now} canEdit={canRun} onEdit={() => setScheduling(true)} />
        )}
      </div>

      <div className="card table-card">
        <h3 className="set-history__title">History</h3>
        {history.error ? <ErrorBanner message={errorMessage(history.error)} onRetry={history.reload} /> : null}
        {runs.length === 0 && !history.loading ? <p className="muted set-history__empty">No run yet. “Run now” starts one.</p> : null}
        {runs.length > 0 ? (
          <table className="table" data-testid="set-history">
            <thead>
              <tr>
                <th>Run</th>
                <th>Status</th>
                <th>Integrations</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <SetRunRow key={r.id} run={r} now={now} canRun={canRun} onCancelled={history.reload} />
              ))}
            </tbody>
          </table>
        ) : null}
      </div>

      {canDesign ? <TriggerTokens scope={setTokenScope(set)} /> : null}

      {scheduling ? (
        <ScheduleDialog<SetSchedule>
          integrationId={set.id}
          integrationName={set.name}
          existing={schedule.data ?? null}
          onClose={() => setScheduling(false)}
          onSaved={() => {
            setScheduling(false);
            schedule.reload();
            history.reload();
            onChanged();
          }}
          target={{
            save: (body) => api.call(routes.saveSetSchedule, { params: { id: set.id }, body }),
            remove: () => api.call(routes.deleteSetSchedule, { params: { id: set.id } }),
            subtitle: `${set.name} · runs the set's integrations in order`,
          }}
        />
      ) : null}
    </div>
  );
}

/** The set's trigger tokens: the integration token panel, scoped to this set (POST /api/sets/:id/trigger). */
const setTokenScope = (set: IntegrationSet): TokenScope => ({
  id: set.id,
  name: set.name,
  what: 'set',
  starts: 'a run of the set',
  list: async () => (await api.call(routes.listSetTokens, { params: { id: set.id } })).map((t) => ({ ...t, integrationId: t.setId })),
  create: (name) => api.call(routes.createSetToken, { params: { id: set.id }, body: { name } }),
  revoke: (tokenId) => api.call(routes.revokeSetToken, { params: { id: set.id, tokenId } }),
  curl: (origin, token) => `curl -sS -X POST '${origin}/api/sets/${encodeURIComponent(set.id)}/trigger' -H 'Authorization: Bearer ${token}'`,
  curlHint: <>The answer (202) holds the set run id and a status address that answers to the same token.</>,
});

const startedBy = (r: SetRun) =>
  r.trigger === 'schedule' ? 'Scheduled' : r.startedBy?.startsWith('trigger:') ? `API · trigger token ${r.startedBy.slice(8)}` : `${r.trigger === 'api' ? 'API' : 'Manual'}${r.startedBy ? ` · ${r.startedBy}` : ''}`;

function SetRunRow({ run, now, canRun, onCancelled }: { run: SetRun; now: number; canRun: boolean; onCancelled: () => void }) {
  const cancel = () =>
    runAction({
      confirm: { title: `Cancel "${run.name}"?`, message: 'The integration running now is cancelled; the ones after it do not run.', confirmLabel: 'Cancel the set run', danger: true },
      run: () => api.call(routes.cancelSetRun, { params: { id: run.id } }),
      done: () => (onCancelled(), 'Cancelling…'),
      errorText: errorMessage,
    });
  return (
    <tr data-testid="set-run" data-status={run.status}>
      <td className="set-run__name">
        <div className="strong">{run.name}</div>
        <div className="muted small" title={run.createdAt}>
          {formatDateTime(run.createdAt, now)} · {startedBy(run)}
        </div>
      </td>
      <td>
        <RunStatusBadge status={run.status} testId="set-run-status" />
        {run.error ? <div className="muted small set-run__error">{run.error}</div> : null}
      </td>
      <td>
        <ol className="set-run__members">
          {run.members.map((m) => (
            <li key={m.position} data-testid="set-run-member" data-name={m.name} data-status={m.status ?? 'not_run'}>
              <span className="set-member__pos">{m.position + 1}</span>
              {m.runId ? <a href={href.run(m.runId)}>{m.name}</a> : <span>{m.name}</span>}
              {m.status ? <RunStatusBadge status={m.status} /> : <span className="badge badge--gray">Not run</span>}
              {m.error && !m.runId ? <span className="muted small">{m.error}</span> : null}
            </li>
          ))}
        </ol>
      </td>
      <td className="actions-cell">
        {canRun && isCancellableRun(run.status) ? (
          <button type="button" className="link-btn link-btn--danger" onClick={() => void cancel()} data-testid="set-run-cancel">
            Cancel
          </button>
        ) : null}
      </td>
    </tr>
  );
}
