// 'columns' widget: the detected columns of a file, with types the user can correct.
import { FIELD_TYPE_LABELS, FieldType, readsUploadedFiles } from '../../../shared';
import { diagnosticsAt, diagnosticsUnder } from '../config-path';
import { FieldErrors } from '../field-errors';
import type { FormCtx } from '../form-context';

type Column = { name: string; type: FieldType };

export function ColumnsWidget({ ctx, path }: { ctx: FormCtx; path: string }) {
  const raw = ctx.config[path];
  const columns: Column[] = Array.isArray(raw) ? (raw as Column[]) : [];
  if (columns.length === 0) {
    return (
      <>
        <p className="hint">{readsUploadedFiles(ctx.kind) ? 'Upload a file and Weft detects its columns and their types.' : 'Pick a table or load the preview, and Weft reads its columns and their types.'}</p>
        <FieldErrors diagnostics={diagnosticsAt(ctx.diagnostics, path)} path={path} />
      </>
    );
  }
  return (
    <div className="mini-table" data-testid="columns-table">
      <div className="mini-table__row mini-table__row--head">
        <span>Column</span>
        <span>Type</span>
      </div>
      {columns.map((c, i) => {
        const errs = diagnosticsUnder(ctx.diagnostics, `${path}.${i}`);
        return (
          <div key={`${c.name}-${i}`} className="mini-table__row">
            <span className="mono truncate" title={c.name}>
              {c.name || <em className="muted">unnamed</em>}
            </span>
            <select
              className="input select input--sm"
              value={c.type}
              aria-label={`Type of ${c.name}`}
              onChange={(e) => ctx.set(`${path}.${i}.type`, e.target.value)}
              data-testid={`column-type-${c.name}`}
            >
              {FieldType.options.map((t) => (
                <option key={t} value={t}>
                  {FIELD_TYPE_LABELS[t]}
                </option>
              ))}
            </select>
            {errs.length ? (
              <div className="mini-table__full">
                <FieldErrors diagnostics={errs} path={`${path}.${i}`} />
              </div>
            ) : null}
          </div>
        );
      })}
      <FieldErrors diagnostics={diagnosticsAt(ctx.diagnostics, path)} path={path} />
    </div>
  );
}
