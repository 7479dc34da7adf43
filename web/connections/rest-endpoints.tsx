// A REST connection's endpoints: each one an object Weft reads (method, path, records path, pagination, key) and
// may write (method, path with {field} placeholders, body template, status codes). "Send a test request" asks the
// saved connection for one page and shows what came back, with the arrays in it offered as the records path.
import { useId, useState, type ReactNode } from 'react';
import type { TestRequestResult } from '../../shared';
import { api, errorMessage } from '../api';
import { IconX, Spinner } from '../components/icons';

type Endpoint = Record<string, unknown>;

const PAGINATION: [string, string][] = [
  ['none', 'No pagination'],
  ['page', 'Page number'],
  ['offset', 'Offset and limit'],
  ['cursor', 'Cursor in the response'],
  ['link-header', 'Link header'],
  ['next-url', 'Next page URL in the response'],
];

const fresh = (n: number): Endpoint => ({ name: `endpoint_${n}`, method: 'GET', path: '/', recordsPath: '', primaryKey: 'id', pagination: 'none', pageParam: 'page', sizeParam: '', pageSize: 100, cursorPath: '', nextUrlPath: '', writeMethod: 'none', writePath: '', bodyTemplate: '' });

const str = (v: unknown, fallback = '') => (typeof v === 'string' ? v : fallback);

export function RestEndpoints({ value, onChange, connectionId }: { value: unknown; onChange: (v: Endpoint[]) => void; connectionId: string | null }) {
  const endpoints = Array.isArray(value) ? (value as Endpoint[]) : [];
  const set = (i: number, patch: Endpoint) => onChange(endpoints.map((e, k) => (k === i ? { ...e, ...patch } : e)));
  return (
    <fieldset className="secrets rest-endpoints" data-testid="rest-endpoints">
      <legend className="secrets__legend">Endpoints</legend>
      <p className="hint">Each endpoint is an object integrations read from (and write to). Save the connection, then send a test request to see what an endpoint answers and pick where its records are.</p>
      {endpoints.map((ep, i) => (
        <EndpointCard key={i} index={i} ep={ep} onChange={(patch) => set(i, patch)} onRemove={() => onChange(endpoints.filter((_, k) => k !== i))} connectionId={connectionId} />
      ))}
      <button type="button" className="btn btn--secondary btn--sm" onClick={() => onChange([...endpoints, fresh(endpoints.length + 1)])} data-testid="add-endpoint">
        Add endpoint
      </button>
    </fieldset>
  );
}

function Field({ label, children, wide = false }: { label: string; children: (id: string) => ReactNode; wide?: boolean }) {
  const id = useId();
  return (
    <div className={`form-row${wide ? ' form-row--wide' : ''}`}>
      <label className="form-label" htmlFor={id}>
        {label}
      </label>
      {children(id)}
    </div>
  );
}

function EndpointCard({ index, ep, onChange, onRemove, connectionId }: { index: number; ep: Endpoint; onChange: (p: Endpoint) => void; onRemove: () => void; connectionId: string | null }) {
  const [sending, setSending] = useState(false);
  const [answer, setAnswer] = useState<TestRequestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pagination = str(ep.pagination, 'none');
  const text = (key: string, label: string, placeholder = '', wide = false) => (
    <Field label={label} wide={wide}>
      {(id) => <input id={id} className="input" value={str(ep[key])} placeholder={placeholder} spellCheck={false} onChange={(e) => onChange({ [key]: e.target.value })} data-testid={`endpoint-${index}-${key}`} />}
    </Field>
  );

  async function send() {
    if (!connectionId) return;
    setSending(true);
    setError(null);
    try {
      setAnswer(await api.sendTestRequest(connectionId, { endpoint: ep }));
    } catch (e) {
      setAnswer(null);
      setError(errorMessage(e));
    } finally {
      setSending(false);
    }
  }

  return (
    <div className="rest-endpoint card" data-testid={`endpoint-${index}`}>
      <div className="rest-endpoint__head">
        <strong>{str(ep.name) || 'Endpoint'}</strong>
        <span className="spacer" />
        <button type="button" className="icon-btn icon-btn--quiet" aria-label={`Remove ${str(ep.name)}`} onClick={onRemove}>
          <IconX size={14} />
        </button>
      </div>
      <div className="form-grid">
        {text('name', 'Name', 'contacts')}
        <Field label="Method">
          {(id) => (
            <select id={id} className="input select" value={str(ep.method, 'GET')} onChange={(e) => onChange({ method: e.target.value })}>
              <option value="GET">GET</option>
              <option value="POST">POST</option>
            </select>
          )}
        </Field>
        {text('path', 'Path', '/v1/contacts', true)}
        <Field label="Pagination">
          {(id) => (
            <select id={id} className="input select" value={pagination} onChange={(e) => onChange({ pagination: e.target.value })} data-testid={`endpoint-${index}-pagination`}>
              {PAGINATION.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          )}
        </Field>
        {['page', 'offset', 'cursor'].includes(pagination) ? text('pageParam', pagination === 'cursor' ? 'Cursor parameter' : pagination === 'offset' ? 'Offset parameter' : 'Page parameter') : null}
        {pagination !== 'none' && pagination !== 'next-url' ? text('sizeParam', 'Page size parameter', 'limit') : null}
        {pagination !== 'none' && pagination !== 'next-url' ? (
          <Field label="Page size">
            {(id) => <input id={id} type="number" className="input" value={typeof ep.pageSize === 'number' ? ep.pageSize : 100} onChange={(e) => onChange({ pageSize: Number(e.target.value) || 100 })} data-testid={`endpoint-${index}-pageSize`} />}
          </Field>
        ) : null}
        {pagination === 'cursor' ? text('cursorPath', 'Next cursor in the response', 'meta.next_cursor') : null}
        {pagination === 'next-url' ? text('nextUrlPath', 'Next page URL in the response', 'links.next') : null}
        {text('recordsPath', 'Records path', 'data.items')}
        {text('primaryKey', 'Key field', 'id')}
      </div>
      <div className="rest-endpoint__actions">
        <button type="button" className="btn btn--secondary btn--sm" onClick={send} disabled={!connectionId || sending} data-testid={`endpoint-${index}-send`} title={connectionId ? undefined : 'Save the connection first'}>
          {sending ? <Spinner /> : null}
          Send a test request
        </button>
        {!connectionId ? <span className="hint">Save the connection first.</span> : null}
      </div>
      {error ? (
        <div className="banner banner--error banner--sm" role="alert">
          <span>{error}</span>
        </div>
      ) : null}
      {answer ? (
        <div className="rest-answer" data-testid={`endpoint-${index}-answer`}>
          <p className="rest-answer__status">
            <span className={`badge ${answer.status < 300 ? 'badge--green' : answer.status < 500 ? 'badge--amber' : 'badge--red'}`}>{answer.status}</span>
            <code>
              {answer.request.method} {answer.request.url}
            </code>
            <span className="muted">{answer.durationMs} ms</span>
          </p>
          {answer.candidates.length > 0 ? (
            <div className="rest-answer__paths">
              <span className="hint">Records are at:</span>
              {answer.candidates.slice(0, 8).map((c) => (
                <button
                  key={c.path}
                  type="button"
                  className={`chip${c.path === str(ep.recordsPath) ? ' chip--accent' : ''}`}
                  onClick={() => onChange({ recordsPath: c.path })}
                  data-testid={`records-path-${c.path || 'top'}`}
                  aria-pressed={c.path === str(ep.recordsPath)}
                >
                  {c.path || '(top level)'} · {c.count} {c.records ? 'records' : 'values'}
                </button>
              ))}
            </div>
          ) : null}
          {answer.records ? (
            <p className="hint" data-testid={`endpoint-${index}-fields`}>
              {answer.records.count} records at “{answer.records.path || 'top level'}”: {answer.records.fields.map((f) => `${f.name} (${f.type})`).join(', ')}
              {answer.next ? ` · next page: ${answer.next}` : ''}
            </p>
          ) : null}
          <details className="rest-answer__headers">
            <summary>Headers ({answer.headers.length})</summary>
            <pre>{answer.headers.map(([k, v]) => `${k}: ${v}`).join('\n')}</pre>
          </details>
          <pre className="rest-answer__body" data-testid={`endpoint-${index}-body`}>
            {answer.body}
            {answer.truncated ? '\n… (cut at 200 KB)' : ''}
          </pre>
        </div>
      ) : null}
    </div>
  );
}
