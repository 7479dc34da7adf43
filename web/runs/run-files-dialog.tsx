// "Run with other files…": the published version's file sources, each of which can read another uploaded file
// for this one run. The published files stay as they are; the run keeps the files it read.
import { Modal } from '../components/modal';
import { useRef, useState } from 'react';
import { missingColumns, type RunFileSource, type UploadedFile } from '../../shared';
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

export function RunFilesDialog({ integrationId, integrationName, versionNumber, onClose, onStarted }: Props) {
  const sources = useLoad(() => api.listFileSources(integrationId), [integrationId]);
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [uploading, setUploading] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);

  const list = sources.data ?? [];
  const replaced = Object.keys(choices).length;
  const invalid = Object.values(choices).some((c) => c.missing.length > 0);
  const busy = Object.keys(uploading).length > 0;

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
    try {
      const files = Object.fromEntries(Object.entries(choices).map(([nodeId, c]) => [nodeId, c.file.id]));
      const { runId } = await api.startRun(integrationId, {}, files);
      onStarted(runId);
    } catch (e) {
      // The server names each bad replacement as files.<node id>: show it beside that source.
      const placed: Record<string, string> = {};
      if (e instanceof ApiRequestError) {
        for (const issue of e.issues) {
          const nodeId = issue.path.startsWith('files.') ? issue.path.slice('files.'.length) : null;
          if (nodeId && list.some((s) => s.nodeId === nodeId)) placed[nodeId] = issue.message;
        }
      }
      if (Object.keys(placed).length > 0) setErrors((er) => ({ ...er, ...placed }));
      else setFormError(errorMessage(e));
      setStarting(false);
    }
  }

  return (
    <Modal onClose={onClose} labelledBy="run-files-title" dismissable={!starting}>
      <div className="dialog card" data-testid="run-files-dialog">
        <header className="dialog__head">
          <span className="kind-chip kind-chip--source kind-chip--lg">
            <IconFile size={18} />
          </span>
          <div className="dialog__titles">
            <h2 className="dialog__title" id="run-files-title">
              Run with other files
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
          <p className="hint run-files-intro">
            Choose a file to read instead of the published one, for this run only. It needs every column the source reads; the order and any
            extra columns do not matter, and it may be another format.
          </p>
          {sources.error ? <ErrorBanner message={errorMessage(sources.error)} onRetry={sources.reload} /> : null}
          {sources.loading && !sources.data ? (
            <div className="page-loading">
              <Spinner size={18} /> Loading the file sources…
            </div>
          ) : null}
          {sources.data && list.length === 0 ? (
            <div className="banner banner--info">
              <span>This integration reads no files, so there is nothing to replace. Run now runs it as published.</span>
            </div>
          ) : null}
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
          {formError ? <ErrorBanner message={formError} /> : null}
        </div>
        <footer className="dialog__foot">
          <span className={`small ${invalid ? 'hint--error' : 'muted'}`}>
            {invalid ? 'A chosen file cannot be used: see the message above' : replaced === 0 ? 'No file replaced yet' : `${replaced} ${replaced === 1 ? 'file' : 'files'} replaced for this run`}
          </span>
          <span className="spacer" />
          <button type="button" className="btn btn--ghost" onClick={onClose} disabled={starting}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn--primary"
            onClick={() => void start()}
            disabled={starting || busy || invalid || !sources.data}
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
