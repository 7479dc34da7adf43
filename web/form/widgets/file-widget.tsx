// 'file' widget: upload a CSV, JSON, NDJSON or Excel file (maybe gzipped, zipped or PGP-encrypted), then show
// what Weft detected (format, columns, delimiter, records path or sheet, a few sample rows). An encrypted file
// is read with a Files connection's key ("Decrypt with"); a changed sheet, records path or zip entry is sniffed
// again on the server, without uploading the file again.
import { useEffect, useRef, useState, type DragEvent } from 'react';
import type { UploadedFile } from '../../../shared';
import { api, ApiRequestError, errorMessage } from '../../api';
import { IconFile, IconKey, IconUpload, Spinner } from '../../components/icons';
import { useLoad } from '../../lib/hooks';
import { cachedFile, ensureFiles, rememberFile, useFileCacheVersion } from '../../lib/file-samples';
import { formatBytes } from '../../lib/format';
import { diagnosticsAt } from '../config-path';
import { FieldErrors } from '../field-errors';
import { describeFile } from './file-description';
import { patchForUpload, sniffIsStale } from './file-source-model';
import type { FormCtx } from '../form-context';

const ACCEPT = '.csv,.tsv,.json,.ndjson,.jsonl,.xlsx,.xlsm,.gz,.zip,.txt,.gpg,.pgp,.asc';
const KEY_CODES = new Set(['needs_key', 'key_refused']);
const str = (v: unknown) => (typeof v === 'string' ? v : '');

export function FileWidget({ ctx, path }: { ctx: FormCtx; path: string }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const fileId = typeof ctx.config[path] === 'string' ? (ctx.config[path] as string) : '';
  const fileName = typeof ctx.config.fileName === 'string' ? ctx.config.fileName : '';
  const columns = Array.isArray(ctx.config.columns) ? ctx.config.columns.length : 0;
  useFileCacheVersion();
  useEffect(() => ensureFiles([fileId]), [fileId]);
  const info = fileId ? cachedFile(fileId) : undefined;

  const connectionId = str(ctx.config.connectionId);
  // An encrypted upload the server kept but could not read without a key: the id to sniff again.
  const [locked, setLocked] = useState<{ id: string; name: string } | null>(null);

  function took(up: UploadedFile, extra: Record<string, unknown> = {}) {
    rememberFile(up);
    setLocked(null);
    ctx.patch(patchForUpload(ctx.config, up, path, extra));
  }

  function failed(e: unknown, file: { id?: string; name: string }) {
    if (e instanceof ApiRequestError && KEY_CODES.has(e.code) && (e.fileId ?? file.id)) setLocked({ id: (e.fileId ?? file.id) as string, name: file.name });
    setError(errorMessage(e));
  }

  async function upload(file: File) {
    setBusy(file.name);
    setError(null);
    try {
      took(await api.uploadFile(file, connectionId ? { connectionId } : {}));
    } catch (e) {
      failed(e, { name: file.name });
    } finally {
      setBusy(null);
      if (inputRef.current) inputRef.current.value = '';
    }
  }

  /**
   * Sniffs the stored file again: another sheet, or the node's changed format, records path or zip entry
   * ("Detect columns again"); or a kept encrypted upload, now with a key (`fresh`: none of the node's old settings).
   */
  async function sniff(id: string, name: string, settings: { sheet?: string; connectionId?: string }, fresh = false) {
    setBusy(name);
    setError(null);
    try {
      const c = ctx.config;
      const format = str(c.format);
      const key = settings.connectionId ?? connectionId;
      const node = fresh
        ? {}
        : {
            ...(info && format && format !== info.format ? { format: format as UploadedFile['format'] } : {}),
            ...(format === 'json' ? { recordsPath: str(c.recordsPath) } : {}),
            ...(str(c.zipEntry) ? { zipEntry: str(c.zipEntry) } : {}),
            ...(str(c.sheet) ? { sheet: str(c.sheet) } : {}),
          };
      took(
        await api.sniffFile(id, { ...node, ...(settings.sheet ? { sheet: settings.sheet } : {}), ...(key ? { connectionId: key } : {}) }),
        // One patch, so the chosen connection and the file's columns land in one undo step.
        settings.connectionId !== undefined ? { connectionId: settings.connectionId } : {},
      );
    } catch (e) {
      failed(e, { id, name });
    } finally {
      setBusy(null);
    }
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    e.stopPropagation();
    setOver(false);
    const file = e.dataTransfer.files[0];
    if (file) void upload(file);
  }

  const input = (
    <input
      ref={inputRef}
      type="file"
      accept={ACCEPT}
      className="sr-only"
      data-testid="file-input"
      aria-label="Upload a CSV, JSON or NDJSON file"
      onChange={(e) => {
        const file = e.target.files?.[0];
        if (file) void upload(file);
      }}
    />
  );

  const encrypted = info?.encrypted === true || locked !== null;
  const stale = sniffIsStale(ctx.config, info);
  const sheets = info?.format === 'excel' ? (info.sheets ?? []) : [];
  const sheet = str(ctx.config.sheet) || info?.sheet || '';

  return (
    <div className="file-widget">
      {fileId ? (
        <div className="file-card" onDragOver={(e) => e.preventDefault()} onDrop={onDrop} data-testid="file-card">
          <span className="file-card__icon">
            <IconFile size={20} />
          </span>
          <span className="file-card__text">
            <span className="file-card__name truncate" title={fileName}>
              {fileName || 'Uploaded file'}
            </span>
            <span className="muted small" data-testid="file-detected">
              {[info ? formatBytes(info.size) : null, `${columns} ${columns === 1 ? 'column' : 'columns'}`, info ? describeFile(info) : null, info?.encrypted ? 'PGP-encrypted' : null]
                .filter(Boolean)
                .join(' · ')}
            </span>
          </span>
          <button type="button" className="btn btn--ghost btn--sm" onClick={() => inputRef.current?.click()} disabled={busy !== null}>
            {busy ? <Spinner /> : null}
            Replace
          </button>
          {input}
        </div>
      ) : (
        <label
          className={`dropzone${over ? ' is-over' : ''}${error ? ' is-invalid' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={onDrop}
        >
          {busy ? <Spinner size={22} /> : <IconUpload size={22} />}
          <span className="dropzone__title">{busy ? `Reading ${busy}…` : 'Upload a CSV, JSON, NDJSON or Excel file'}</span>
          <span className="muted small">Drop it here or click to choose · .gz, .zip and PGP-encrypted files are fine</span>
          {input}
        </label>
      )}
      {error ? (
        <div className="banner banner--error banner--sm" role="alert" data-testid="upload-error">
          {error}
        </div>
      ) : null}
      {encrypted || connectionId ? (
        <DecryptWith
          value={connectionId}
          busy={busy !== null}
          onChange={(id) => {
            if (locked) void sniff(locked.id, locked.name, { connectionId: id }, true);
            else ctx.set('connectionId', id);
          }}
          onRetry={locked ? () => void sniff(locked.id, locked.name, { connectionId }, true) : undefined}
        />
      ) : null}
      {sheets.length > 1 ? (
        <div className="form-row form-row--nested" data-field="sheet">
          <label className="form-label" htmlFor={`${ctx.nodeId}-sheet`}>
            Sheet
          </label>
          <select id={`${ctx.nodeId}-sheet`} className="input select" value={sheet} disabled={busy !== null} data-testid="sheet-select" onChange={(e) => void sniff(fileId, fileName, { sheet: e.target.value })}>
            {sheets.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {stale && fileId ? (
        <div className="banner banner--warn banner--sm row-sm" data-testid="sniff-stale">
          <span>The columns were detected with other settings.</span>
          <button type="button" className="btn btn--sm" disabled={busy !== null} onClick={() => void sniff(fileId, fileName, {})} data-testid="sniff-again">
            {busy ? <Spinner /> : null}
            Detect columns again
          </button>
        </div>
      ) : null}
      {!error ? <FieldErrors diagnostics={diagnosticsAt(ctx.diagnostics, path)} path={path} /> : null}
      {info && info.sampleRows.length > 0 ? <Sample file={info} /> : null}
    </div>
  );
}

/** "Decrypt with": the Files connections (each may hold a PGP private key), or go make one. */
function DecryptWith({ value, busy, onChange, onRetry }: { value: string; busy: boolean; onChange: (id: string) => void; onRetry?: () => void }) {
  const { data, error, loading } = useLoad(async () => (await api.listConnections()).filter((c) => c.connector === 'files'), []);
  const options = data ?? [];
  const known = options.some((c) => c.id === value);
  return (
    <div className="form-row form-row--nested" data-field="connectionId">
      <label className="form-label" htmlFor="file-decrypt-with">
        <IconKey size={12} /> Decrypt with
      </label>
      <div className="row-sm">
        <select id="file-decrypt-with" className="input select" value={value} disabled={busy || (loading && !data)} aria-label="Decrypt with" data-testid="decrypt-with" onChange={(e) => onChange(e.target.value)}>
          <option value="">{loading && !data ? 'Loading connections…' : 'Choose a Files connection…'}</option>
          {value && !known && data ? <option value={value}>Missing connection ({value})</option> : null}
          {options.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
              {c.secretsSet.includes('pgpPrivateKey') ? '' : ' (no key set)'}
            </option>
          ))}
        </select>
        {onRetry && value ? (
          <button type="button" className="btn btn--sm" disabled={busy} onClick={onRetry}>
            Read again
          </button>
        ) : null}
      </div>
      {error ? (
        <p className="hint hint--error" role="alert">
          {errorMessage(error)}
        </p>
      ) : null}
      <p className="hint">
        {data && options.length === 0 ? 'No Files connection holds a private key yet. ' : 'A Files connection holds the PGP private key as a secret. '}
        <a href="#/connections">Manage connections</a>
      </p>
    </div>
  );
}

function Sample({ file }: { file: UploadedFile }) {
  const cols = file.columns.map((c) => c.name);
  const rows = file.sampleRows.slice(0, 5);
  return (
    <details className="sample" open>
      <summary>Sample rows</summary>
      <div className="table-scroll sample__scroll" tabIndex={0} role="region" aria-label="Sample rows">
        <table className="table table--mini" data-testid="sample-table">
          <thead>
            <tr>
              {cols.map((c) => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                {cols.map((c) => (
                  <td key={c} className="truncate" title={r[c] ?? ''}>
                    {r[c] ?? ''}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
