// A REST connection's endpoints: each one an object Weft reads (method, path, records path, pagination, key) and
// may write (method, path with {field} placeholders, body template, status codes). "Send a test request" asks the
// saved connection for one page and shows what came back, with the arrays in it offered as the records path.
import { useId, useState, type ReactNode } from 'react';
import { bodyTemplateProblem, credentialHeaderProblem, HEADER_NAME, HEADER_NAME_MESSAGE, overlappingStatuses, pathPlaceholders, statusListProblem, writePathProblem, type TestRequestResult } from '../../shared';
import { api, errorMessage } from '../api';
import { IconAlert, IconPlus, IconX, Spinner } from '../components/icons';

type Endpoint = Record<string, unknown>;

const PAGINATION: [string, string][] = [
  ['none', 'No pagination'],
  ['page', 'Page number'],
  ['offset', 'Offset and limit'],
  ['cursor', 'Cursor in the response'],
  ['link-header', 'Link header'],
  ['next-url', 'Next page URL in the response'],
];

const fresh = (n: number): Endpoint => ({ name: `endpoint_${n}`, method: 'GET', path: '/', recordsPath: '', primaryKey: 'id', pagination: 'none', pageParam: 'page', sizeParam: '', pageSize: 100, cursorPath: '', nextUrlPath: '', writeMethod: 'none', writePath: '', bodyTemplate: '', createdStatuses: '201', updatedStatuses: '200, 202', unchangedStatuses: '' });

const WRITE_METHODS: [string, string][] = [
  ['none', 'Read only'],
  ['POST', 'POST'],
  ['PUT', 'PUT'],
  ['PATCH', 'PATCH'],
];

/** Server issues ("config.objects.0.writePath") for one endpoint, by its field. */
function endpointIssues(issues: Record<string, string[]>, index: number): Record<string, string[]> {
  const prefix = `config.objects.${index}.`;
  return Object.fromEntries(Object.entries(issues).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}

/** What the form says about a field as it is typed (shared rules, the server's own), before the server is asked. */
export function endpointProblems(ep: Endpoint): Record<string, string> {
  const out: Record<string, string> = {};
  if (str(ep.writeMethod, 'none') === 'none') return out;
  const path = writePathProblem(str(ep.writePath));
  if (path) out.writePath = path;
  const body = bodyTemplateProblem(str(ep.bodyTemplate));
  if (body) out.bodyTemplate = body;
  for (const key of ['createdStatuses', 'updatedStatuses', 'unchangedStatuses']) {
    const problem = statusListProblem(str(ep[key]));
    if (problem) out[key] = problem;
  }
  const both = overlappingStatuses([str(ep.createdStatuses), str(ep.updatedStatuses), str(ep.unchangedStatuses)]);
  if (both.length > 0 && !out.updatedStatuses) out.updatedStatuses = `${both.join(', ')} cannot mean two outcomes: name each status once`;
  return out;
}

const str = (v: unknown, fallback = '') => (typeof v === 'string' ? v : fallback);

export function RestEndpoints({ value, onChange, connectionId, issues = {} }: { value: unknown; onChange: (v: Endpoint[]) => void; connectionId: string | null; issues?: Record<string, string[]> }) {
  const endpoints = Array.isArray(value) ? (value as Endpoint[]) : [];
  const set = (i: number, patch: Endpoint) => onChange(endpoints.map((e, k) => (k === i ? { ...e, ...patch } : e)));
  return (
    <fieldset className="secrets rest-endpoints" data-testid="rest-endpoints">
      <legend className="secrets__legend">Endpoints</legend>
      <p className="hint">Each endpoint is an object integrations read from (and write to). Save the connection, then send a test request to see what an endpoint answers and pick where its records are.</p>
      {endpoints.map((ep, i) => (
        <EndpointCard key={i} index={i} ep={ep} issues={endpointIssues(issues, i)} onChange={(patch) => set(i, patch)} onRemove={() => onChange(endpoints.filter((_, k) => k !== i))} connectionId={connectionId} />
      ))}
      <button type="button" className="btn btn--secondary btn--sm" onClick={() => onChange([...endpoints, fresh(endpoints.length + 1)])} data-testid="add-endpoint">
        Add endpoint
      </button>
    </fieldset>
  );
}

function Field({ label, children, wide = false, half = false, full = false, errors, hint }: { label: string; children: (id: string) => ReactNode; wide?: boolean; half?: boolean; full?: boolean; errors?: string[]; hint?: ReactNode }) {
  const id = useId();
  return (
    <div className={`form-row${wide ? ' form-row--wide' : ''}${half ? ' form-row--half' : ''}${full ? ' form-row--full' : ''}`}>
      <label className="form-label" htmlFor={id}>
        {label}
      </label>
      {children(id)}
      {hint && !errors?.length ? <p className="hint">{hint}</p> : null}
      <Errors messages={errors} />
    </div>
  );
}

function Errors({ messages }: { messages: string[] | undefined }) {
  if (!messages?.length) return null;
  return (
    <div className="field-errors">
      {messages.map((m, i) => (
        <div key={i} className="field-error" data-testid="field-error">
          <IconAlert size={13} />
          <span>{m}</span>
        </div>
      ))}
    </div>
  );
}

type Header = { name: string; value: string };

/** The connection's default headers: sent with every request (reads, writes, test requests), after the auth's own. */
export function RestHeaders({ value, onChange, issues = {} }: { value: unknown; onChange: (v: Header[]) => void; issues?: Record<string, string[]> }) {
  const headers = Array.isArray(value) ? (value as Header[]) : [];
  const set = (i: number, patch: Partial<Header>) => onChange(headers.map((h, k) => (k === i ? { ...h, ...patch } : h)));
  return (
    <fieldset className="secrets rest-headers" data-testid="rest-headers">
      <legend className="secrets__legend">Default headers</legend>
      <p className="hint">Sent with every request of this connection. Put keys and tokens under Authentication instead: headers are kept as plain settings.</p>
      {headers.length > 0 ? (
        <div className="rest-headers__rows">
          {headers.map((h, i) => {
            const nameProblem = h.name === '' ? null : HEADER_NAME.test(h.name) ? credentialHeaderProblem(h.name) : HEADER_NAME_MESSAGE;
            const errors = [...(nameProblem ? [nameProblem] : []), ...(issues[`config.headers.${i}.name`] ?? []), ...(issues[`config.headers.${i}.value`] ?? [])];
            return (
              <div key={i} className="rest-headers__row" data-testid={`header-${i}`}>
                <input className={`input${errors.length ? ' is-invalid' : ''}`} aria-label={`Header ${i + 1} name`} placeholder="X-Tenant" value={h.name} spellCheck={false} onChange={(e) => set(i, { name: e.target.value })} data-testid={`header-${i}-name`} />
                <input className="input" aria-label={`Header ${i + 1} value`} placeholder="value" value={h.value} spellCheck={false} onChange={(e) => set(i, { value: e.target.value })} data-testid={`header-${i}-value`} />
                <button type="button" className="icon-btn icon-btn--quiet" aria-label={`Remove header ${h.name || i + 1}`} onClick={() => onChange(headers.filter((_, k) => k !== i))}>
                  <IconX size={14} />
                </button>
                <Errors messages={errors.length ? errors : undefined} />
              </div>
            );
          })}
        </div>
      ) : null}
      <div>
        <button type="button" className="btn btn--secondary btn--sm" onClick={() => onChange([...headers, { name: '', value: '' }])} data-testid="add-header">
          <IconPlus size={13} /> Add header
        </button>
      </div>
    </fieldset>
  );
}

function EndpointCard({ index, ep, onChange, onRemove, connectionId, issues }: { index: number; ep: Endpoint; onChange: (p: Endpoint) => void; onRemove: () => void; connectionId: string | null; issues: Record<string, string[]> }) {
  const [sending, setSending] = useState(false);
  const [answer, setAnswer] = useState<TestRequestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pagination = str(ep.pagination, 'none');
  const writeMethod = str(ep.writeMethod, 'none');
  const problems = endpointProblems(ep);
  const errorsOf = (key: string): string[] | undefined => {
    const all = [...(problems[key] ? [problems[key]] : []), ...(issues[key] ?? []).filter((m) => m !== problems[key])];
    return all.length ? all : undefined;
  };
  const text = (key: string, label: string, placeholder = '', width: boolean | 'half' = false, hint?: ReactNode) => (
    <Field label={label} wide={width === true} half={width === 'half'} errors={errorsOf(key)} hint={hint}>
      {(id) => <input id={id} className={`input${errorsOf(key) ? ' is-invalid' : ''}`} value={str(ep[key])} placeholder={placeholder} spellCheck={false} onChange={(e) => onChange({ [key]: e.target.value })} data-testid={`endpoint-${index}-${key}`} />}
    </Field>
  );
  const placeholders = pathPlaceholders(str(ep.writePath));

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
        {text('path', 'Path', '/v1/contacts', 'half')}
        <Field label="Pagination" half>
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
      <div className="rest-endpoint__write" data-testid={`endpoint-${index}-write`}>
        <h4 className="rest-endpoint__subhead">Writing records</h4>
        <div className="form-grid">
          <Field label="Write method" errors={errorsOf('writeMethod')}>
            {(id) => (
              <select id={id} className="input select" value={writeMethod} onChange={(e) => onChange({ writeMethod: e.target.value })} data-testid={`endpoint-${index}-writeMethod`}>
                {WRITE_METHODS.map(([v, l]) => (
                  <option key={v} value={v}>
                    {l}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {writeMethod !== 'none'
            ? text(
                'writePath',
                'Write path',
                '/collections/contacts/records/{id}',
                true,
                placeholders.length > 0 ? `Filled from each record's ${placeholders.map((p) => `“${p}”`).join(', ')}` : 'Empty: the read path. Use {field} for a record\'s value, such as {id}',
              )
            : null}
          {writeMethod !== 'none' ? (
            <Field label="Body template" full errors={errorsOf('bodyTemplate')} hint={'JSON with "{{field}}" placeholders; empty: the mapped record as JSON'}>
              {(id) => (
                <textarea
                  id={id}
                  className={`input rest-endpoint__template${errorsOf('bodyTemplate') ? ' is-invalid' : ''}`}
                  rows={4}
                  spellCheck={false}
                  value={str(ep.bodyTemplate)}
                  placeholder={'{"email": "{{email}}", "name": "{{name}}"}'}
                  onChange={(e) => onChange({ bodyTemplate: e.target.value })}
                  data-testid={`endpoint-${index}-bodyTemplate`}
                />
              )}
            </Field>
          ) : null}
          {writeMethod !== 'none' ? text('createdStatuses', 'Created on', '201') : null}
          {writeMethod !== 'none' ? text('updatedStatuses', 'Updated on', '200, 202') : null}
          {writeMethod !== 'none' ? text('unchangedStatuses', 'Unchanged on', '304') : null}
        </div>
        {writeMethod === 'none' ? <p className="hint">Read only: integrations can read this endpoint but not write to it.</p> : null}
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
