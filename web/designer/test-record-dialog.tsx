// "Test a record" (docs/runs.md): search the source's live records by any field, pick one, and see its path through
// every step — which filter let it through or stopped it (with the formula's value), each mapped value — and what the
// target would do with it (create, update which fields from what to what, unchanged, reject with why). Nothing is written.
import { useState, type FormEvent } from 'react';
import type { Graph } from '../../shared';
import type { StepTrace, TargetPlan, TestRecordResult } from '../../shared/api/test-record';
import * as routes from '../../shared/api/routes';
import { api, errorMessage } from '../api';
import { IconSearch, IconX, Spinner } from '../components/icons';
import { Modal } from '../components/modal';
import './test-record.css';

const show = (v: unknown): string => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));

const OUTCOME: Record<StepTrace['outcome'], { label: string; tone: string }> = {
  read: { label: 'Read', tone: 'gray' },
  passed: { label: 'Passed', tone: 'green' },
  stopped: { label: 'Stopped here', tone: 'amber' },
  rejected: { label: 'Rejected', tone: 'red' },
};
const ACTION: Record<TargetPlan['action'], { label: string; tone: string }> = {
  create: { label: 'Would create', tone: 'green' },
  update: { label: 'Would update', tone: 'blue' },
  unchanged: { label: 'Unchanged', tone: 'gray' },
  reject: { label: 'Would reject', tone: 'red' },
  skip: { label: 'Would skip', tone: 'amber' },
  'not-reached': { label: 'Not reached', tone: 'amber' },
  unknown: { label: 'Not planned', tone: 'gray' },
};

export function TestRecordDialog({ integrationId, graph, targetNodeId, onClose }: { integrationId: string; graph: Graph; targetNodeId?: string; onClose: () => void }) {
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<TestRecordResult | null>(null);
  const [trace, setTrace] = useState<TestRecordResult['trace']>(null);
  const [busy, setBusy] = useState<'find' | number | null>(null);
  const [error, setError] = useState<string | null>(null);

  const ask = async (rowNumber?: number) => {
    setBusy(rowNumber ?? 'find');
    setError(null);
    try {
      const result = await api.call(routes.testRecord, { params: { id: integrationId }, body: { graph, search, ...(targetNodeId && { targetNodeId }), ...(rowNumber !== undefined && { rowNumber }) } });
      if (rowNumber === undefined) {
        setFound(result);
        setTrace(null);
      } else setTrace(result.trace);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };
  const find = (e: FormEvent) => {
    e.preventDefault();
    void ask();
  };
  const columns = found?.candidates[0] ? Object.keys(found.candidates[0].values).slice(0, 4) : [];

  return (
    <Modal onClose={onClose} labelledBy="test-record-title">
      <div className="dialog dialog--test-record card" data-testid="test-record-dialog">
        <header className="dialog__head">
          <div className="dialog__titles">
            <h2 className="dialog__title" id="test-record-title">
              Test a record
            </h2>
            <p className="dialog__subtitle muted">Reads the source live and follows one record through every step. Nothing is written.</p>
          </div>
          <button type="button" className="icon-btn icon-btn--quiet" aria-label="Close" onClick={onClose}>
            <IconX size={16} />
          </button>
        </header>
        <div className="dialog__body test-record">
          <form className="test-record__search" onSubmit={find} role="search">
            <label className="sr-only" htmlFor="test-record-search">
              Find a record by its key or any field
            </label>
            <input id="test-record-search" className="input" value={search} placeholder="A key, an email, a name… (empty: the first records)" onChange={(e) => setSearch(e.target.value)} autoFocus data-testid="test-record-search" />
            <button type="submit" className="btn btn--primary" disabled={busy !== null} data-testid="test-record-find">
              {busy === 'find' ? <Spinner /> : <IconSearch size={15} />}
              Find
            </button>
          </form>
          {error ? (
            <div className="banner banner--error banner--sm" role="alert">
              {error}
            </div>
          ) : null}
          {found ? (
            <div className="test-record__grid">
              <section className="test-record__matches" aria-label="Matching records">
                <p className="muted small">
                  {found.candidates.length === 0 ? 'No record matches' : `${found.candidates.length} match${found.candidates.length === 1 ? '' : 'es'}`} in {found.scanned.toLocaleString('en-US')} {found.scanned === 1 ? 'record' : 'records'}
                  {found.complete ? '' : ' read so far'}
                </p>
                <ul>
                  {found.candidates.map((c) => (
                    <li key={c.rowNumber}>
                      <button type="button" className={`test-record__match${trace?.rowNumber === c.rowNumber ? ' is-active' : ''}`} onClick={() => void ask(c.rowNumber)} data-testid="test-record-match">
                        <span className="muted small">#{c.rowNumber}</span>
                        <span className="test-record__match-values" title={columns.map((k) => show(c.values[k])).join(' · ')}>
                          {columns.map((k) => show(c.values[k])).join(' · ')}
                        </span>
                        {busy === c.rowNumber ? <Spinner /> : null}
                      </button>
                    </li>
                  ))}
                </ul>
              </section>
              <section className="test-record__trace" aria-label="The record's path" data-testid="test-record-trace">
                {trace ? <Trace trace={trace} /> : <p className="muted test-record__hint">Pick a record to see its path through the steps and what the target would do.</p>}
              </section>
            </div>
          ) : null}
        </div>
      </div>
    </Modal>
  );
}

function Trace({ trace }: { trace: NonNullable<TestRecordResult['trace']> }) {
  const t = trace.target;
  return (
    <ol className="test-record__steps">
      {trace.steps.map((s) => (
        <li key={s.nodeId} className="test-record__step" data-testid="trace-step" data-outcome={s.outcome}>
          <div className="test-record__step-head">
            <span className="strong">{s.label}</span>
            <span className={`badge badge--${OUTCOME[s.outcome].tone}`}>{OUTCOME[s.outcome].label}</span>
          </div>
          {s.detail ? <code className="code-inline test-record__detail">{s.detail}</code> : null}
          {s.reason && s.outcome !== 'passed' ? <p className="test-record__reason">{s.reason}</p> : null}
          {s.values && s.outcome !== 'stopped' ? <Values values={s.values} /> : null}
        </li>
      ))}
      <li className="test-record__step test-record__step--target" data-testid="trace-target" data-action={t.action}>
        <div className="test-record__step-head">
          <span className="strong">{t.label}</span>
          <span className={`badge badge--${ACTION[t.action].tone}`}>{ACTION[t.action].label}</span>
          {t.key ? <span className="muted small">key {t.key}</span> : null}
        </div>
        {t.reason ? <p className={t.action === 'reject' ? 'test-record__reason' : 'muted'}>{t.reason}</p> : null}
        {t.changes.length > 0 ? (
          <table className="table table--mini test-record__changes">
            <thead>
              <tr>
                <th>Field</th>
                <th>{t.action === 'create' ? 'Now' : 'From'}</th>
                <th>To</th>
              </tr>
            </thead>
            <tbody>
              {t.changes.map((c) => (
                <tr key={c.field}>
                  <td className="strong">{c.field}</td>
                  <td className="muted">{t.action === 'create' ? 'new' : show(c.before)}</td>
                  <td>{show(c.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : t.action === 'unchanged' ? (
          <p className="muted">The target already holds these values.</p>
        ) : null}
      </li>
    </ol>
  );
}

function Values({ values }: { values: Record<string, unknown> }) {
  const keys = Object.keys(values);
  return (
    <dl className="test-record__values">
      {keys.map((k) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{show(values[k])}</dd>
        </div>
      ))}
    </dl>
  );
}
