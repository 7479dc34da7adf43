// The Run now dialog, the one place a run is started from the app: its name, the integration's declared parameters,
// and the file sources, each of which can read another uploaded file for this run only (the published files stay).
import { Modal } from '../components/modal';
import { useEffect, useRef, useState } from 'react';
import { missingColumns, PARAMETER_TYPE_LABELS, type RunFileSource, type RunParameter, type UploadedFile } from '../../shared';
import { api, ApiRequestError, errorMessage } from '../api';
import { ErrorBanner } from '../components/empty-state';
import { IconAlert, IconFile, IconPlay, IconUpload, IconX, Spinner } from '../components/icons';
import { describeFile } from '../form/widgets/file-description';
import { formatBytes } from '../lib/format';
import { useLoad } from '../lib/hooks';
import { formatLabel, lackingMessage } from './file-labels';

const ACCEPT = '.csv,.tsv,.txt,.json,.ndjson,.jsonl,.gz,.zip,.xlsx';

interface Props {
  integrationId: string;
  integrationName: string;
  versionNumber?: number | null;
  onClose: () => void;
  /** Called with the new run's id once it has started. */
  onStarted: (runId: string) => void;
}

type Choice = { file: UploadedFile; missing: string[] };
type ParamInput = string | boolean;

/** "Manual run, 6 Dec 2026, 01:40": the default name, in the person's own time. */
export function defaultRunName(now = new Date()): string {
  const when = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(now);
  return `Manual run, ${when}`;
}

const initialInput = (p: RunParameter): ParamInput => (p.type === 'boolean' ? p.default === true : p.default === undefined || p.default === null ? '' : String(p.default));

/** What the API gets for one parameter: numbers as numbers, TRUE/FALSE as booleans; an empty box is left out (the default applies). */
function paramValue(p: RunParameter, input: ParamInput): unknown {
  if (p.type === 'boolean') return input === true;
  const text = String(input).trim();
  if (text === '') return undefined;
  if (p.type === 'number') return Number.isFinite(Number(text)) ? Number(text) : text;
  return text;
}

export function RunDialog({ integrationId, integrationName, versionNumber, onClose, onStarted }: Props) {
  const options = useLoad(() => api.getRunOptions(integrationId), [integrationId]);
  const [name, setName] = useState(() => defaultRunName());
  const [inputs, setInputs] = useState<Record<string, ParamInput>>({});
  const [paramErrors, setParamErrors] = useState<Record<string, string>>({});
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [uploading, setUploading] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [readMode, setReadMode] = useState<'changes' | 'full' | 'refresh'>('changes');

  const list = options.data?.fileSources ?? [];
  const parameters = options.data?.parameters ?? [];
  const incremental = options.data?.incrementalSources ?? [];
  useEffect(() => {
    if (options.data) setInputs(Object.fromEntries(options.data.parameters.map((p) => [p.name, initialInput(p)])));
  }, [options.data]);
  const replaced = Object.keys(choices).length;
  const invalid = Object.values(choices).some((c) => c.missing.length > 0);
  const busy = Object.keys(uploading).length > 0;
  const missingRequired = parameters.filter((p) => p.required && p.type !== 'boolean' && String(inputs[p.name] ?? '').trim() === '' && (p.default === undefined || p.default === null || p.default === ''));

  async function upload(source: RunFileSource, file: File) {
    setUploading((u) => ({ ...u, [source.nodeId]: file.name }));
    setErrors(({ [source.nodeId]: _gone, ...rest }) => rest);
    setFormError(null);
    try {
      const up = await api.uploadFile(file);
      const missing = missingColumns(source.columns, up.columns);
      setChoices((c) => ({ ...c, [source.nodeId]: { file: up, missing } }));
      if (missing.length > 0) setErrors((e) => ({ ...e, [source.nodeId]: lackingMessage(up.name, source.nodeLabel, missing) }));
    } catch (e) {
      setErrors((er) => ({ ...er, [source.nodeId]: errorMessage(e) }));
    } finally {
      setUploading(({ [source.nodeId]: _done, ...rest }) => rest);
    }
  }

  function keepPublished(nodeId: string) {
    setChoices(({ [nodeId]: _gone, ...rest }) => rest);
    setErrors(({ [nodeId]: _gone, ...rest }) => rest);
  }

  async function start() {
    setStarting(true);
    setFormError(null);
    setParamErrors({});
    try {
      const files = Object.fromEntries(Object.entries(choices).map(([nodeId, c]) => [nodeId, c.file.id]));
      const params = Object.fromEntries(parameters.map((p) => [p.name, paramValue(p, inputs[p.name] ?? '')] as const).filter(([, v]) => v !== undefined));
      const { runId } = await api.startRun(integrationId, params, files, name.trim() || undefined, readMode !== 'changes' && incremental.length > 0 ? readMode : undefined);
      onStarted(runId);
    } catch (e) {
      // The server names each bad parameter as params.<name> and each bad replacement as files.<node id>: show it there.
      const placed: Record<string, string> = {};
      const placedParams: Record<string, string> = {};
      if (e instanceof ApiRequestError) {
        for (const issue of e.issues) {
          const nodeId = issue.path.startsWith('files.') ? issue.path.slice('files.'.length) : null;
          if (nodeId && list.some((s) => s.nodeId === nodeId)) placed[nodeId] = issue.message;
          const param = issue.path.startsWith('params.') ? issue.path.slice('params.'.length) : null;
          if (param && parameters.some((p) => p.name === param)) placedParams[param] = issue.message;
        }
      }
      if (Object.keys(placed).length > 0) setErrors((er) => ({ ...er, ...placed }));
      if (Object.keys(placedParams).length > 0) setParamErrors(placedParams);
      if (Object.keys(placed).length === 0 && Object.keys(placedParams).length === 0) setFormError(errorMessage(e));
      setStarting(false);
    }
  }

  return (
    <Modal onClose={onClose} labelledBy="run-files-title" dismissable={!starting}>
      <div className="dialog card" data-testid="run-files-dialog">
        <header className="dialog__head">
          <span className="kind-chip kind-chip--source kind-chip--lg">
            <IconPlay size={18} />
          </span>
          <div className="dialog__titles">
            <h2 className="dialog__title" id="run-files-title">
              Run now
            </h2>
            <p className="dialog__subtitle muted">
              {integrationName}
              {versionNumber ? ` · version ${versionNumber}` : ''}
            </p>
          </div>
          <button type="button" className="icon-btn icon-btn--quiet" aria-label="Close" onClick={onClose} disabled={starting}>
            <IconX size={16} />
          </button>
        </header>
        <div className="dialog__body">
          <section className="run-dialog__section">
            <label className="run-dialog__section-title" htmlFor="run-name">
              Run name
            </label>
            <input id="run-name" className="input" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} disabled={starting} data-testid="run-name" />
          </section>
          {options.error ? <ErrorBanner message={errorMessage(options.error)} onRetry={options.reload} /> : null}
          {options.loading && !options.data ? (
            <div className="page-loading">
              <Spinner size={18} /> Loading what this run takes…
            </div>
          ) : null}
          {incremental.length > 0 ? (
            <section className="run-dialog__section" data-testid="run-dialog-sync">
              <h3 className="run-dialog__section-title">What to read</h3>
              <p className="hint">
                {incremental.length === 1
                  ? `${incremental[0]!.label} reads only the records changed since the last completed run (by ${incremental[0]!.cursorField}).`
                  : `${incremental.map((s) => s.label).join(', ')} read only the records changed since the last completed run.`}
              </p>
              <div role="radiogroup" aria-label="What to read" className="run-dialog__choices">
                <label className="toggle">
                  <input type="radio" name="run-read" checked={readMode === 'changes'} disabled={starting} onChange={() => setReadMode('changes')} data-testid="run-read-changes" />
                  Changes since the last run
                </label>
                <label className="toggle">
                  <input type="radio" name="run-read" checked={readMode === 'full'} disabled={starting} onChange={() => setReadMode('full')} data-testid="run-full-sync" />
                  Run full sync: read every record once (the next runs read changes again)
                </label>
                <label className="toggle">
                  <input type="radio" name="run-read" checked={readMode === 'refresh'} disabled={starting} onChange={() => setReadMode('refresh')} data-testid="run-refresh" />
                  Sync and refresh: re-read every source record and rewrite every mapped field of the matched records with the current mapping
                </label>
              </div>
              {readMode === 'refresh' ? (
                <p className="hint" data-testid="run-refresh-hint">
                  Use it after changing a formula or a value map: records synced before get the new values too. It reads the source again (not a kept
                  copy), so it takes as long as a full sync; the next runs read changes again.
                </p>
              ) : null}
            </section>
          ) : null}
          {parameters.length > 0 ? (
            <section className="run-dialog__section" data-testid="run-parameters">
              <h3 className="run-dialog__section-title">Parameters</h3>
              {parameters.map((p) => (
                <ParamField
                  key={p.name}
                  param={p}
                  value={inputs[p.name] ?? initialInput(p)}
                  error={paramErrors[p.name]}
                  disabled={starting}
                  onChange={(v) => {
                    setInputs((i) => ({ ...i, [p.name]: v }));
                    setParamErrors(({ [p.name]: _gone, ...rest }) => rest);
                  }}
                />
              ))}
            </section>
          ) : null}
          {list.length > 0 ? (
            <section className="run-dialog__section">
              <h3 className="run-dialog__section-title">Files</h3>
              <p className="hint run-files-intro">
                Choose a file to read instead of the published one, for this run only. It needs every column the source reads; the order and any
                extra columns do not matter, and it may be another format.
              </p>
              {list.map((source) => (
                <SourceRow
                  key={source.nodeId}
                  source={source}
                  choice={choices[source.nodeId]}
                  uploading={uploading[source.nodeId]}
                  error={errors[source.nodeId]}
                  disabled={starting}
                  onPick={(f) => void upload(source, f)}
                  onKeepPublished={() => keepPublished(source.nodeId)}
                />
              ))}
            </section>
          ) : null}
          {formError ? <ErrorBanner message={formError} /> : null}
        </div>
        <footer className="dialog__foot">
          <span className={`small ${invalid || missingRequired.length > 0 ? 'hint--error' : 'muted'}`}>
            {invalid
              ? 'A chosen file cannot be used: see the message above'
              : missingRequired.length > 0
                ? `Give a value for ${missingRequired.map((p) => p.name).join(', ')}`
                : replaced === 0
                  ? list.length > 0
                    ? 'With the published files'
                    : ''
                  : `${replaced} ${replaced === 1 ? 'file' : 'files'} replaced for this run`}
          </span>
          <span className="spacer" />
          <button type="button" className="btn btn--ghost" onClick={onClose} disabled={starting}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn--primary"
            onClick={() => void start()}
            disabled={starting || busy || invalid || !options.data || missingRequired.length > 0}
            title={invalid ? 'A chosen file lacks columns the source reads' : undefined}
            data-testid="run-with-files-start"
          >
            {starting ? <Spinner /> : <IconPlay size={14} />}
            {replaced === 0 ? 'Run now' : 'Run with these files'}
          </button>
        </footer>
      </div>
    </Modal>
  );
}

function ParamField({ param, value, error, disabled, onChange }: { param: RunParameter; value: ParamInput; error: string | undefined; disabled: boolean; onChange: (v: ParamInput) => void }) {
  const id = `run-param-${param.name}`;
  return (
    <div className="run-param" data-testid="run-parameter" data-name={param.name}>
      <label className="run-param__label" htmlFor={id}>
        {param.name}
        {param.required ? <span className="text-warn"> *</span> : null}
        <span className="muted small"> · {PARAMETER_TYPE_LABELS[param.type]}</span>
      </label>
      {param.type === 'boolean' ? (
        <label className="checkbox small">
          <input id={id} type="checkbox" checked={value === true} disabled={disabled} onChange={(e) => onChange(e.target.checked)} data-testid="run-parameter-input" />
          {value === true ? 'TRUE' : 'FALSE'}
        </label>
      ) : (
        <input
          id={id}
          className={`input${error ? ' is-invalid' : ''}`}
          type={param.type === 'date' ? 'date' : param.type === 'number' ? 'number' : 'text'}
          step={param.type === 'number' ? 'any' : undefined}
          value={String(value)}
          placeholder={param.description ?? (param.required ? 'Required' : 'Optional')}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          onChange={(e) => onChange(e.target.value)}
          data-testid="run-parameter-input"
        />
      )}
      {error ? (
        <div className="field-error" role="alert" data-testid="run-parameter-error">
          <IconAlert size={14} />
          <span>{error}</span>
        </div>
      ) : null}
    </div>
  );
}

interface RowProps {
  source: RunFileSource;
  choice: Choice | undefined;
  uploading: string | undefined;
  error: string | undefined;
  disabled: boolean;
  onPick: (file: File) => void;
  onKeepPublished: () => void;
}

function SourceRow({ source, choice, uploading, error, disabled, onPick, onKeepPublished }: RowProps) {
  const input = useRef<HTMLInputElement>(null);
  const published = source.file;
  return (
    <section className={`run-source${error ? ' is-invalid' : ''}`} data-testid="run-file-source" data-node-id={source.nodeId}>
      <div className="run-source__head">
        <span className="kind-chip kind-chip--source">
          <IconFile size={14} />
        </span>
        <span className="run-source__label">{source.nodeLabel}</span>
        <span className="spacer" />
        <input
          ref={input}
          type="file"
          accept={ACCEPT}
          hidden
          data-testid="run-file-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) onPick(f);
          }}
        />
        {choice ? (
          <button type="button" className="btn btn--ghost btn--sm" onClick={onKeepPublished} disabled={disabled || uploading !== undefined}>
            Use the published file
          </button>
        ) : null}
        <button type="button" className="btn btn--secondary btn--sm" onClick={() => input.current?.click()} disabled={disabled || uploading !== undefined} data-testid="run-file-choose">
          {uploading !== undefined ? <Spinner size={14} /> : <IconUpload size={14} />}
          {choice ? 'Choose another…' : 'Replace for this run…'}
        </button>
      </div>
      {uploading !== undefined ? (
        <div className="file-card">
          <Spinner size={16} />
          <span className="muted">Uploading {uploading}…</span>
        </div>
      ) : choice ? (
        <div className={`file-card${choice.missing.length === 0 ? ' file-card--replaced' : ''}`} data-testid="run-file-replacement">
          <span className="file-card__icon">
            <IconFile size={18} />
          </span>
          <span className="file-card__text">
            <span className="file-card__name">{choice.file.name}</span>
            <span className="muted small">
              {formatBytes(choice.file.size)} · {describeFile(choice.file)} · {choice.file.columns.length} columns
            </span>
          </span>
          {choice.missing.length === 0 ? <span className="chip chip--accent">Replaced for this run</span> : <span className="chip chip--warn">Cannot replace it</span>}
        </div>
      ) : (
        <div className="file-card">
          <span className="file-card__icon">
            <IconFile size={18} />
          </span>
          <span className="file-card__text">
            <span className="file-card__name">{published ? published.name : 'The published file is missing'}</span>
            <span className="muted small">
              {published ? `${formatBytes(published.size)} · ${formatLabel(published.format, published.compression)} · ` : ''}Published file
            </span>
          </span>
        </div>
      )}
      {published && choice && choice.missing.length === 0 ? (
        <p className="hint">
          Instead of <strong>{published.name}</strong> ({formatBytes(published.size)}), which stays published.
        </p>
      ) : null}
      <p className="hint run-source__columns" title={source.columns.join(', ')}>
        Needs {source.columns.length === 1 ? 'the column' : `these ${source.columns.length} columns`}: {source.columns.join(', ')}
      </p>
      {error ? (
        <div className="field-error" role="alert" data-testid="run-file-error">
          <IconAlert size={14} />
          <span>{error}</span>
        </div>
      ) : null}
    </section>
  );
}
