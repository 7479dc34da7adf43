// 'file-query' widget: the file source's optional field filter (a TRUE/FALSE formula over the file's columns,
// in the formula editor) and "Load preview": the first 10 records it keeps, typed, which also stamps the node.
import { useEffect, useMemo, useState } from 'react';
import { typeSourceRows, type Field, type FilePreview, type FlowRow } from '../../../shared';
import { api, errorMessage } from '../../api';
import { FormulaField } from '../../formula/formula-field';
import { cachedFile, ensureFiles, useFileCacheVersion } from '../../lib/file-samples';
import { diagnosticsAt } from '../config-path';
import type { FormCtx } from '../form-context';
import { PreviewControls, TypedRowsTable } from './preview-controls';
import { filePreviewState, patchForFilePreview, previewInput } from './file-source-model';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

export function FileQueryWidget({ ctx, path, id, label }: { ctx: FormCtx; path: string; id?: string; label: string }) {
  const fileId = str(ctx.config.fileId);
  const columns = useMemo(() => (Array.isArray(ctx.config.columns) ? (ctx.config.columns as Field[]) : []), [ctx.config.columns]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState<FilePreview | null>(null);
  const state = filePreviewState(ctx.config);
  // The file's first records (unfiltered), typed as the columns say, for the editor's "on sample rows" results.
  useFileCacheVersion();
  useEffect(() => ensureFiles([fileId]), [fileId]);
  const info = fileId ? cachedFile(fileId) : undefined;
  const sample: FlowRow[] | null = useMemo(
    () => (info && columns.length > 0 ? typeSourceRows(ctx.nodeId, columns, info.sampleRows.map((values, i) => ({ rowNumber: i + 1, values }))).rows : null),
    [info, columns, ctx.nodeId],
  );

  async function load() {
    const input = previewInput(ctx.config);
    if (!input) return;
    setBusy(true);
    setError(null);
    try {
      const preview = await api.previewFile(fileId, input);
      ctx.patch(patchForFilePreview(preview));
      setLoaded(preview);
    } catch (e) {
      setError(errorMessage(e));
      setLoaded(null);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="sql-widget stack-sm" data-testid="file-query">
      <FormulaField
        value={str(ctx.config[path])}
        onChange={(v) => ctx.set(path, v, { merge: true })}
        fields={columns.length > 0 ? columns : null}
        valueMaps={ctx.valueMaps}
        expected="boolean"
        sourceLabel={str(ctx.config.fileName) || 'the file'}
        diagnostics={diagnosticsAt(ctx.diagnostics, path).filter((d) => d.code !== 'preview-required')}
        name={`${ctx.nodeId}-${path}`}
        label={label}
        id={id}
        placeholder='e.g. [Country] = "NO" AND [Amount] > 100'
        rows={sample}
        previewProblem={info ? null : 'Loading the file’s first records…'}
        previewNow={ctx.previewNow}
        resultLabel="Keep?"
        booleanWords={['✓ Keep', 'Drop']}
      />
      <p className="hint">Leave empty to read every record, or keep only those a TRUE/FALSE formula holds for.</p>
      <PreviewControls
        onLoad={() => void load()}
        busy={busy}
        disabled={!fileId || columns.length === 0}
        state={state}
        error={error}
        why={
          str(ctx.config[path]).trim()
            ? 'The filter runs over the whole file: load the preview to see the first records it keeps before publishing.'
            : 'Load the preview to check how the file is read before publishing.'
        }
      />
      {loaded ? <PreviewTable preview={loaded} /> : null}
    </div>
  );
}

function PreviewTable({ preview }: { preview: FilePreview }) {
  return (
    <>
      {preview.rows.length === 0 ? (
        <p className="hint">No record among the {preview.scanned.toLocaleString()} read matches the filter.</p>
      ) : (
        <TypedRowsTable columns={preview.columns} rows={preview.rows} testId="file-preview-table" />
      )}
      {preview.rejected.length > 0 ? (
        <p className="hint text-warn" data-testid="file-preview-rejected">
          {preview.rejected.length === 1 ? '1 record' : `${preview.rejected.length} records`} among them cannot be read and will be rejected — row {preview.rejected[0]?.rowNumber}: {preview.rejected[0]?.reason}
        </p>
      ) : null}
    </>
  );
}
