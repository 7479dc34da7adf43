// The inspector's "Preview" section: what the selected step makes of the sample rows (first 10), and
// the rows it rejects with the reason, computed in the browser by the same transforms a run uses.
import { useState } from 'react';
import { samplingSummary, type FieldType, type FlowRow, type KindCategory, type RejectedRow, type RowSchema } from '../../shared';
import { IconAlert, IconEye, IconPin, Spinner } from '../components/icons';
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

/** Pin a sample row: it is kept in the draft and goes first into the previews of every step after its source. */
export interface PinControl {
  pinned: number | null;
  onPin: (row: FlowRow | null) => void;
}

function RowsTable({ rows, schema, highlight, pin }: { rows: readonly FlowRow[]; schema: RowSchema | null; highlight: readonly string[]; pin?: PinControl }) {
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
            <tr key={r.rowNumber} data-testid="preview-row" className={pin?.pinned === r.rowNumber ? 'is-pinned' : undefined}>
              <td className="num muted">
                <span className="preview-rownum">
                  {pin ? (
                    <button
                      type="button"
                      className={`preview-pin${pin.pinned === r.rowNumber ? ' is-on' : ''}`}
                      aria-pressed={pin.pinned === r.rowNumber}
                      aria-label={pin.pinned === r.rowNumber ? `Unpin row ${r.rowNumber}` : `Pin row ${r.rowNumber} as a sample for the next steps`}
                      title={pin.pinned === r.rowNumber ? 'Pinned: shown first in every preview after the source. Click to unpin.' : 'Pin this row: it stays in the sample of every step after the source'}
                      onClick={() => pin.onPin(pin.pinned === r.rowNumber ? null : r)}
                      data-testid="pin-row"
                    >
                      <IconPin size={12} />
                    </button>
                  ) : null}
                  {r.rowNumber}
                </span>
              </td>
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
  pin,
}: {
  preview: NodePreview | null;
  category: KindCategory;
  kind: string;
  nodeId: string;
  schema: RowSchema | null;
  highlight?: readonly string[];
  /** The step itself has problems; its preview waits for them to be fixed. */
  blocked?: boolean;
  pin?: PinControl;
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
  } else if (rows.length === 0 && preview.deepening) {
    body = (
      <div className="preview-empty" data-testid="preview-deepening">
        <Spinner size={14} /> None of the first {preview.sampling?.read ?? PREVIEW_ROWS} rows get this far; reading further into the file…
      </div>
    );
  } else if (rows.length === 0) {
    const read = preview.sampling?.deep ? ` among the first ${preview.sampling.read.toLocaleString('en')} rows of the file` : '';
    body = <div className="preview-empty">{preview.input.length > 0 ? `No sample row gets through this step${read}.` : `No sample rows reach this step${read}.`}</div>;
  } else {
    body = <RowsTable rows={rows} schema={schema} highlight={highlight} pin={pin} />;
  }
  const sampled = samplingSummary(preview.sampling, kind);

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
      {sampled && !preview.problem ? (
        <p className="preview__sampled small" data-testid="preview-sampling">
          {sampled}
          {preview.sampling?.deep ? <span className="muted"> — read further into the file, as the first {PREVIEW_ROWS} did not get this far</span> : null}
        </p>
      ) : null}
      {body}
      {rows.length > PREVIEW_ROWS && showing === 'rows' ? <p className="hint">First {PREVIEW_ROWS} rows.</p> : null}
    </section>
  );
}
