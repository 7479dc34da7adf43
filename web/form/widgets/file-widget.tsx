// 'file' widget: upload a CSV, JSON or NDJSON file (maybe gzipped or zipped), then show what Weft detected
// (format, columns, delimiter or records path, a few sample rows).
import { useEffect, useRef, useState, type DragEvent } from 'react';
import type { UploadedFile } from '../../../shared';
import { api, errorMessage } from '../../api';
import { IconFile, IconUpload, Spinner } from '../../components/icons';
import { cachedFile, ensureFiles, rememberFile, useFileCacheVersion } from '../../lib/file-samples';
import { formatBytes } from '../../lib/format';
import { diagnosticsAt } from '../config-path';
import { FieldErrors } from '../field-errors';
import { describeFile } from './file-description';
import type { FormCtx } from '../form-context';

const DELIMITERS = [',', ';', '\t', '|'];
const ACCEPT = '.csv,.json,.ndjson,.jsonl,.gz,.zip,.txt';

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

  async function upload(file: File) {
    setBusy(file.name);
    setError(null);
    try {
      const up = await api.uploadFile(file);
      rememberFile(up);
      ctx.patch({
        [path]: up.id,
        fileName: up.name,
        format: up.format,
        compression: up.compression,
        recordsPath: up.recordsPath ?? '',
        zipEntry: up.zipEntry ?? '',
        ...(DELIMITERS.includes(up.delimiter) ? { delimiter: up.delimiter } : {}),
        columns: up.columns,
      });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
      if (inputRef.current) inputRef.current.value = '';
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
              {[info ? formatBytes(info.size) : null, `${columns} ${columns === 1 ? 'column' : 'columns'}`, info ? describeFile(info) : null]
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
          <span className="dropzone__title">{busy ? `Uploading ${busy}…` : 'Upload a CSV, JSON or NDJSON file'}</span>
          <span className="muted small">Drop it here or click to choose · .gz and .zip are fine</span>
          {input}
        </label>
      )}
      {error ? (
        <div className="banner banner--error banner--sm" role="alert" data-testid="upload-error">
          {error}
        </div>
      ) : null}
      {!error ? <FieldErrors diagnostics={diagnosticsAt(ctx.diagnostics, path)} path={path} /> : null}
      {info && info.sampleRows.length > 0 ? <Sample file={info} /> : null}
    </div>
  );
}

function Sample({ file }: { file: UploadedFile }) {
  const cols = file.columns.map((c) => c.name);
  const rows = file.sampleRows.slice(0, 5);
  return (
    <details className="sample" open>
      <summary>Sample rows</summary>
      <div className="table-scroll sample__scroll">
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
