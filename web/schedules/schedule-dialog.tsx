// The schedule editor: a cadence picked without writing cron (or a cron for the rest), a time zone, on or off, and
// "Sync immediately after saving". The sentence at the bottom is the one the card and the history page show.
import { useMemo, useState } from 'react';
import { installCronCheck } from '../../shared/api/cron-check';
import {
  Cadence,
  cadenceNote,
  describeCadence,
  isTimeZone,
  MINUTE_CHOICES,
  onceProblem,
  cronNeverRunsProblem,
  WEEKDAYS,
  weekdayName,
  type CadenceKind,
  type Schedule,
  type Weekday,
} from '../../shared';
import * as routes from '../../shared/api/routes';
import { api, ApiRequestError, errorMessage } from '../api';
import { confirmDialog } from '../lib/confirm';
import { ErrorBanner } from '../components/empty-state';
import { IconAlert, IconClock, IconX, Spinner } from '../components/icons';
import { Modal } from '../components/modal';

// The dialog checks a cron expression as the server will (croner), loaded with the dialog, not with the first page.
installCronCheck();

const KINDS: { kind: CadenceKind; label: string }[] = [
  { kind: 'minutes', label: 'Every N minutes' },
  { kind: 'hourly', label: 'Hourly' },
  { kind: 'daily', label: 'Daily' },
  { kind: 'workdays', label: 'Workdays (Mon–Fri)' },
  { kind: 'weekly', label: 'Weekly' },
  { kind: 'monthly', label: 'Monthly' },
  { kind: 'once', label: 'Once' },
  { kind: 'cron', label: 'Cron (advanced)' },
];

/** Every field of every cadence, so switching kinds keeps what was typed. */
interface Draft {
  kind: CadenceKind;
  time: string;
  date: string;
  every: string;
  minute: string;
  days: Weekday[];
  day: string;
  expression: string;
  timeZone: string;
  enabled: boolean;
  runNow: boolean;
}

export const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const TIME_ZONES: string[] = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
})();

function initialDraft(existing: Pick<Schedule, 'cadence' | 'timeZone' | 'enabled'> | null): Draft {
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const base: Draft = {
    kind: 'workdays',
    time: '06:00',
    date: tomorrow,
    every: '15',
    minute: '0',
    days: ['monday'],
    day: '1',
    expression: '0 6 * * 1-5',
    timeZone: browserTimeZone(),
    enabled: true,
    runNow: false,
  };
  if (!existing) return base;
  const c = existing.cadence;
  const d: Draft = { ...base, kind: c.kind, timeZone: existing.timeZone, enabled: existing.enabled };
  if ('time' in c) d.time = c.time;
  if (c.kind === 'once') d.date = c.date;
  if (c.kind === 'minutes') d.every = String(c.every);
  if (c.kind === 'hourly') d.minute = String(c.minute);
  if (c.kind === 'weekly') d.days = c.days;
  if (c.kind === 'monthly') d.day = String(c.day);
  if (c.kind === 'cron') d.expression = c.expression;
  return d;
}

function cadenceOf(d: Draft): unknown {
  switch (d.kind) {
    case 'once':
      return { kind: 'once', date: d.date, time: d.time };
    case 'minutes':
      return { kind: 'minutes', every: Number(d.every) };
    case 'hourly':
      return { kind: 'hourly', minute: Number(d.minute) };
    case 'daily':
    case 'workdays':
      return { kind: d.kind, time: d.time };
    case 'weekly':
      return { kind: 'weekly', days: d.days, time: d.time };
    case 'monthly':
      return { kind: 'monthly', day: d.day === 'last' ? 'last' : Number(d.day), time: d.time };
    case 'cron':
      return { kind: 'cron', expression: d.expression };
  }
}

/** Where the schedule is saved: an integration's (the default) or an integration set's (web/sets). */
export interface ScheduleTarget<T> {
  save(body: { cadence: Cadence; timeZone: string; enabled: boolean; runNow: boolean }): Promise<T>;
  remove(): Promise<void>;
  /** Under the title: "<name> · runs the published version". */
  subtitle: string;
}

interface Props<T> {
  integrationId: string;
  integrationName: string;
  existing: Pick<Schedule, 'cadence' | 'timeZone' | 'enabled'> | null;
  onClose: () => void;
  onSaved: (schedule: T | null) => void;
  target?: ScheduleTarget<T>;
}

export function ScheduleDialog<T = Schedule>({ integrationId, integrationName, existing, onClose, onSaved, target }: Props<T>) {
  const destination: ScheduleTarget<T> = target ?? {
    save: async (body) => (await api.call(routes.saveSchedule, { params: { id: integrationId }, body })) as T,
    remove: () => api.call(routes.deleteSchedule, { params: { id: integrationId } }),
    subtitle: `${integrationName} · runs the published version`,
  };
  const [draft, setDraft] = useState<Draft>(() => initialDraft(existing));
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const set = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setServerErrors({});
  };

  // The same schema the server checks: field errors show as the person types.
  const parsed = useMemo(() => Cadence.safeParse(cadenceOf(draft)), [draft]);
  const errors: Record<string, string> = { ...serverErrors };
  if (!parsed.success) for (const issue of parsed.error.issues) errors[`cadence.${issue.path.join('.')}`] ??= issue.message;
  if (!isTimeZone(draft.timeZone)) errors.timeZone ??= 'Unknown time zone: use an IANA name such as Europe/Paris, America/New_York or UTC';
  // A one-off time already past (or past the years Temporal computes) would never run: said as the person types.
  const once = parsed.success && draft.enabled ? onceProblem(parsed.data, draft.timeZone) : null;
  if (once) errors['cadence.date'] ??= once;
  // A cron naming no date that exists ("0 0 30 2 *") likewise, when on (a stored one still opens: review16a).
  const never = parsed.success && draft.enabled ? cronNeverRunsProblem(parsed.data) : null;
  if (never) errors['cadence.expression'] ??= never;
  const valid = Object.keys(errors).length === 0 && parsed.success;
  const sentence = parsed.success && isTimeZone(draft.timeZone) ? describeCadence(parsed.data, draft.timeZone) : null;
  const note = parsed.success ? cadenceNote(parsed.data, draft.timeZone) : null;

  async function save() {
    if (!parsed.success) return;
    setSaving(true);
    setFormError(null);
    try {
      const saved = await destination.save({ cadence: parsed.data, timeZone: draft.timeZone, enabled: draft.enabled, runNow: draft.runNow });
      onSaved(saved);
    } catch (e) {
      const issues = e instanceof ApiRequestError ? e.issues : undefined;
      if (issues?.length) setServerErrors(Object.fromEntries(issues.map((i) => [i.path, i.message])));
      else setFormError(errorMessage(e));
      setSaving(false);
    }
  }

  async function remove() {
    const ok = await confirmDialog({
      title: 'Remove the schedule?',
      message: `"${integrationName}" stops running on its own; past runs stay in its history.`,
      confirmLabel: 'Remove schedule',
      danger: true,
    });
    if (!ok) return;
    setSaving(true);
    try {
      await destination.remove();
      onSaved(null);
    } catch (e) {
      setFormError(errorMessage(e));
      setSaving(false);
    }
  }

  const time = (
    <Row label="At" error={errors['cadence.time']}>
      <input type="time" className="input schedule-time" value={draft.time} onChange={(e) => set({ time: e.target.value })} data-testid="schedule-time" required />
    </Row>
  );

  return (
    <Modal onClose={onClose} labelledBy="schedule-title" dismissable={!saving}>
      <div className="dialog card schedule-dialog" data-testid="schedule-dialog">
        <header className="dialog__head">
          <span className="kind-chip kind-chip--lg">
            <IconClock size={18} />
          </span>
          <div className="dialog__titles">
            <h2 className="dialog__title" id="schedule-title">
              {existing ? 'Schedule' : 'Add a schedule'}
            </h2>
            <p className="dialog__subtitle muted">{destination.subtitle}</p>
          </div>
          <button type="button" className="icon-btn icon-btn--quiet" aria-label="Close" onClick={onClose} disabled={saving}>
            <IconX size={16} />
          </button>
        </header>
        <div className="dialog__body">
          <Row label="Repeats">
            <div className="schedule-kinds" role="radiogroup" aria-label="Repeats">
              {KINDS.map((k) => (
                <button
                  key={k.kind}
                  type="button"
                  role="radio"
                  aria-checked={draft.kind === k.kind}
                  className={`schedule-kind${draft.kind === k.kind ? ' is-on' : ''}`}
                  onClick={() => set({ kind: k.kind })}
                  data-testid={`schedule-kind-${k.kind}`}
                >
                  {k.label}
                </button>
              ))}
            </div>
          </Row>

          <div className="schedule-fields">
            {draft.kind === 'minutes' ? (
              <Row label="Every" error={errors['cadence.every']}>
                <div className="row-sm">
                  {MINUTE_CHOICES.map((n) => (
                    <button key={n} type="button" className={`btn btn--sm ${draft.every === String(n) ? 'btn--secondary is-on' : 'btn--ghost'}`} onClick={() => set({ every: String(n) })}>
                      {n}
                    </button>
                  ))}
                  <input type="number" min={1} max={1440} className="input input--sm schedule-number" value={draft.every} onChange={(e) => set({ every: e.target.value })} aria-label="Minutes" data-testid="schedule-every" />
                  <span className="muted">minutes</span>
                </div>
              </Row>
            ) : null}
            {draft.kind === 'hourly' ? (
              <Row label="At minute" error={errors['cadence.minute']}>
                <input type="number" min={0} max={59} className="input schedule-number" value={draft.minute} onChange={(e) => set({ minute: e.target.value })} data-testid="schedule-minute" />
              </Row>
            ) : null}
            {draft.kind === 'once' ? (
              <>
                <Row label="On" error={errors['cadence.date']}>
                  <input type="date" className="input schedule-date" value={draft.date} onChange={(e) => set({ date: e.target.value })} data-testid="schedule-date" />
                </Row>
                {time}
              </>
            ) : null}
            {draft.kind === 'daily' || draft.kind === 'workdays' ? time : null}
            {draft.kind === 'weekly' ? (
              <>
                <Row label="On" error={errors['cadence.days']}>
                  <div className="schedule-days">
                    {WEEKDAYS.map((d) => {
                      const on = draft.days.includes(d);
                      return (
                        <button
                          key={d}
                          type="button"
                          aria-pressed={on}
                          className={`schedule-day${on ? ' is-on' : ''}`}
                          onClick={() => set({ days: on ? draft.days.filter((x) => x !== d) : [...draft.days, d] })}
                          title={weekdayName(d)}
                        >
                          {weekdayName(d).slice(0, 3)}
                        </button>
                      );
                    })}
                  </div>
                </Row>
                {time}
              </>
            ) : null}
            {draft.kind === 'monthly' ? (
              <>
                <Row label="On day" error={errors['cadence.day']}>
                  <select className="input select schedule-number" value={draft.day} onChange={(e) => set({ day: e.target.value })} data-testid="schedule-day">
                    {Array.from({ length: 31 }, (_, k) => (
                      <option key={k + 1} value={String(k + 1)}>
                        {k + 1}
                      </option>
                    ))}
                    <option value="last">Last day</option>
                  </select>
                </Row>
                {time}
              </>
            ) : null}
            {draft.kind === 'cron' ? (
              <Row label="Cron expression" error={errors['cadence.expression']} hint="Five fields: minute hour day-of-month month day-of-week, e.g. 0 6 * * 1-5">
                <input className={`input mono${errors['cadence.expression'] ? ' is-invalid' : ''}`} value={draft.expression} onChange={(e) => set({ expression: e.target.value })} spellCheck={false} data-testid="schedule-cron" />
              </Row>
            ) : null}
            <Row label="Time zone" error={errors.timeZone}>
              <input
                className={`input schedule-tz${errors.timeZone ? ' is-invalid' : ''}`}
                list="schedule-time-zones"
                value={draft.timeZone}
                onChange={(e) => set({ timeZone: e.target.value })}
                spellCheck={false}
                data-testid="schedule-tz"
              />
              <datalist id="schedule-time-zones">
                {TIME_ZONES.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </Row>
          </div>

          <div className={`schedule-sentence${sentence ? '' : ' is-empty'}`} data-testid="schedule-sentence">
            <IconClock size={16} />
            <div>
              <div className="schedule-sentence__words">{sentence ?? 'Fix the fields above to see when it runs'}</div>
              {note ? (
                <div className="schedule-sentence__note" data-testid="schedule-note">
                  <IconAlert size={13} /> {note}
                </div>
              ) : null}
              <div className="muted small" data-testid="schedule-policy">
                {/* A one-off run has no "next time": only the catch-up window applies to it. */}
                {draft.kind === 'once'
                  ? 'If the engine is down at that time, the run still happens when it is back within 5 minutes; later than that, it is missed.'
                  : 'A run still going when the next time comes is skipped (and shown as Skipped). Times missed while the engine was down are run only within 5 minutes, never in a burst.'}
              </div>
            </div>
          </div>

          <div className="schedule-options">
            <label className="toggle">
              <input type="checkbox" className="checkbox" checked={draft.runNow} onChange={(e) => set({ runNow: e.target.checked })} data-testid="schedule-run-now" />
              Sync immediately after saving
            </label>
            <label className="toggle">
              <input type="checkbox" className="checkbox" checked={!draft.enabled} onChange={(e) => set({ enabled: !e.target.checked })} data-testid="schedule-disable" />
              Disable scheduling <span className="muted small">(keeps the schedule, runs nothing until enabled)</span>
            </label>
          </div>
          {formError ? <ErrorBanner message={formError} /> : null}
        </div>
        <footer className="dialog__foot">
          {existing ? (
            <button type="button" className="btn btn--danger-ghost" onClick={() => void remove()} disabled={saving} data-testid="schedule-remove">
              Remove schedule
            </button>
          ) : null}
          <span className="spacer" />
          <button type="button" className="btn btn--ghost" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button type="button" className="btn btn--primary" onClick={() => void save()} disabled={saving || !valid} data-testid="schedule-save">
            {saving ? <Spinner /> : null}
            Save schedule
          </button>
        </footer>
      </div>
    </Modal>
  );
}

function Row({ label, error, hint, children }: { label: string; error?: string; hint?: string; children: React.ReactNode }) {
  return (
    <div className="form-row">
      <span className="form-label">{label}</span>
      {children}
      {hint && !error ? <p className="hint">{hint}</p> : null}
      {error ? (
        <div className="field-error" data-testid="schedule-error">
          <IconAlert size={13} /> {error}
        </div>
      ) : null}
    </div>
  );
}
