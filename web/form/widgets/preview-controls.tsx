// "Load preview", where the source's preview stands, why it failed, and the rows it read: the same controls for
// every source whose preview must be loaded before publishing (database tables, files).
import { FIELD_TYPE_LABELS, type Field } from '../../../shared';
import { IconEye, IconKey, Spinner } from '../../components/icons';
import { cellText } from './sql-source-model';

export type PreviewStanding = 'current' | 'stale' | 'none';

export function PreviewControls({
  onLoad,
  busy,
  disabled,
  state,
  error,
  why,
}: {
  onLoad: () => void;
  busy: boolean;
  disabled: boolean;
  state: PreviewStanding;
  error: string | null;
  /** Why this source's preview must be loaded before publishing (said while it is not current). */
  why?: string;
}) {
  return (
    <>
      {why && state !== 'current' ? (
        <p className="hint" data-testid="preview-why">
          {why}
        </p>
      ) : null}
      <div className="row-sm">
        <button type="button" className="btn btn--sm" onClick={onLoad} disabled={busy || disabled} data-testid="load-preview">
          {busy ? <Spinner /> : <IconEye size={14} />}
          Load preview
        </button>
        <span className={`muted small${state === 'stale' ? ' text-warn' : ''}`} data-testid="preview-state">
          {state === 'current' ? 'Previewed' : state === 'stale' ? 'Changed since the last preview' : 'Not previewed yet — needed to publish'}
        </span>
      </div>
      {error ? (
        <div className="banner banner--error banner--sm" role="alert" data-testid="preview-error">
          {error}
        </div>
      ) : null}
    </>
  );
}

/** The first rows a source reads, under their column names and Weft types (key columns marked). */
export function TypedRowsTable({ columns, rows, keyFields = [], testId }: { columns: readonly Field[]; rows: readonly Record<string, unknown>[]; keyFields?: readonly string[]; testId: string }) {
  return (
    <div className="table-scroll sample__scroll" tabIndex={0} role="region" aria-label="Preview rows">
      <table className="table table--mini" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.name} title={keyFields.includes(c.name) ? 'Primary key' : undefined}>
                {c.name}
                {keyFields.includes(c.name) ? (
                  <>
                    {' '}
                    <IconKey size={11} />
                  </>
                ) : null}
                <div className="muted small">{FIELD_TYPE_LABELS[c.type]}</div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {columns.map((c) => (
                <td key={c.name} className="truncate" title={cellText(r[c.name])}>
                  {cellText(r[c.name])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
