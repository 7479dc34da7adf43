// The inspector's "Preview" section: what the selected step makes of the sample rows (first 10), and
// the rows it rejects with the reason, computed in the browser by the same transforms a run uses.
import { useState } from 'react';
import type { FieldType, FlowRow, KindCategory, RejectedRow, RowSchema } from '../../shared';
import { IconAlert, IconEye, Spinner } from '../components/icons';
import { formatCell } from '../lib/format';
import type { NodePreview } from './use-node-preview';

export const PREVIEW_ROWS = 10;

/** A preview cell: typed values formatted like the workspace shows them; null as an em dash. */
export function PreviewValue({ value, type }: { value: unknown; type?: FieldType }) {
  if (value === null || value === undefined || value === '') return <span className="preview-null">—</span>;
  if (type === 'boolean' || typeof value === 'boolean') return <span className={value === true ? 'preview-true' : 'preview-false'}>{value === true ? 'TRUE' : 'FALSE'}</span>;
  const text = type ? formatCell(value, type) : typeof value === 'string' ? value : JSON.stringify(value);
  return <>{text ?? '—'}</>;
}

function RowsTable({ rows, schema, highlight }: { rows: readonly FlowRow[]; schema: RowSchema | null; highlight: readonly string[] }) {
  const fields = schema?.fields ?? Object.keys(rows[0]?.values ?? {}).map((name) => ({ name, type: undefined as FieldType | undefined }));
  return (
    <div className="table-scroll preview-table__scroll" tabIndex={0} role="region" aria-label="Preview rows">
      <table className="table table--mini preview-table" data-testid="preview-table">
        <thead>
          <tr>
            <th className="num">#</th>
            {fields.map((f) => (
              <th key={f.name} className={highlight.includes(f.name) ? 'is-highlight' : undefined}>
                {f.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, PREVIEW_ROWS).map((r) => (
            <tr key={r.rowNumber} data-testid="preview-row">
              <td className="num muted">{r.rowNumber}</td>
              {fields.map((f) => (
                <td key={f.name} className={`truncate${highlight.includes(f.name) ? ' is-highlight' : ''}`} title={String(r.values[f.name] ?? '')}>
                  <PreviewValue value={r.values[f.name]} type={f.type} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RejectedTable({ rows }: { rows: readonly RejectedRow[] }) {
  return (
    <ul className="preview-rejected" data-testid="preview-rejected">
      {rows.slice(0, PREVIEW_ROWS).map((r, i) => (
        <li key={`${r.rowNumber}-${i}`} data-testid="preview-rejected-row">
          <span className="preview-rejected__row">Row {r.rowNumber}</span>
          <span className="preview-rejected__reason">{r.reason}</span>
        </li>
      ))}
    </ul>
  );
}

export function NodePreviewSection({
  preview,
  category,
  kind,
  nodeId,
  schema,
  highlight = [],
  blocked = false,
}: {
  preview: NodePreview | null;
  category: KindCategory;
  kind: string;
  nodeId: string;
  schema: RowSchema | null;
  highlight?: readonly string[];
  /** The step itself has problems; its preview waits for them to be fixed. */
  blocked?: boolean;
}) {
  const [tab, setTab] = useState<'rows' | 'rejected'>('rows');
  if (!preview || category === 'source') return null;
  const rows = category === 'target' ? preview.input : preview.output;
  const rejected = preview.rejected;
  const showing = tab === 'rejected' && rejected.length > 0 ? 'rejected' : 'rows';
  const dropped = kind === 'filter' ? preview.input.length - preview.output.length - rejected.filter((r) => r.nodeId === nodeId).length : 0;

  let body;
  if (preview.loading && rows.length === 0) {
    body = (
      <div className="preview-empty">
        <Spinner size={14} /> Loading sample rows…
      </div>
    );
  } else if (preview.problem) {
    body = (
      <div className="preview-empty" data-testid="preview-problem">
        <IconAlert size={14} /> {blocked && preview.input.length > 0 ? 'Fix the problems above to see what this step makes of the sample rows.' : preview.problem}
      </div>
    );
  } else if (showing === 'rejected') {
    body = <RejectedTable rows={rejected} />;
  } else if (rows.length === 0) {
    body = <div className="preview-empty">{preview.input.length > 0 ? 'No sample row gets through this step.' : 'No sample rows reach this step.'}</div>;
  } else {
    body = <RowsTable rows={rows} schema={schema} highlight={highlight} />;
  }

  const summary =
    category === 'target'
      ? `${rows.length} sample ${rows.length === 1 ? 'row' : 'rows'} to write`
      : [`${preview.input.length} in`, `${rows.length} out`, dropped > 0 ? `${dropped} dropped` : null, rejected.length > 0 ? `${rejected.length} rejected` : null].filter(Boolean).join(' · ');

  return (
    <section className="inspector__section preview" data-testid="node-preview">
      <div className="preview__head">
        <h4 className="inspector__subtitle">
          <IconEye size={13} /> Preview
        </h4>
        {preview.problem ? null : <span className="preview__summary muted small">{summary}</span>}
      </div>
      {rejected.length > 0 && !preview.problem ? (
        <div className="preview__tabs" role="tablist" aria-label="Preview">
          <button type="button" role="tab" aria-selected={showing === 'rows'} className={`preview__tab${showing === 'rows' ? ' is-on' : ''}`} onClick={() => setTab('rows')}>
            Rows <span className="count-pill">{rows.length}</span>
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={showing === 'rejected'}
            className={`preview__tab${showing === 'rejected' ? ' is-on' : ''}`}
            onClick={() => setTab('rejected')}
            data-testid="preview-rejected-tab"
          >
            Rejected <span className="count-pill count-pill--error">{rejected.length}</span>
          </button>
        </div>
      ) : null}
      {body}
      {rows.length > PREVIEW_ROWS && showing === 'rows' ? <p className="hint">First {PREVIEW_ROWS} rows.</p> : null}
    </section>
  );
}
